//! Major policies and projects (重大政策、项目) and their public-opinion risk assessments
//! (舆情风险评估, Art.4(4)). A project marked major is not recorded as launched without an
//! approved assessment: the gate is here, and only the first responsible person may pass it
//! without one, giving a reason the audit keeps. An assessment is approved by the leader of the
//! project's portfolio — by the first responsible person where its level says so (high risk in
//! the seed), or where the project has no portfolio. Rules only: the caller passes the day.

use crate::Lang;
use crate::org::OrgModel;
use crate::policy::PolicyPack;
use crate::records::FieldErrors;
use crate::records::validate::Errors;
use crate::responsibility::{NamedRef, Target, resolve};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest description or assessment text, in characters.
pub const TEXT_MAX: usize = 20_000;
/// Longest reason for launching without an approved assessment, in characters.
pub const REASON_MAX: usize = 2_000;
/// Most assessors one assessment names.
pub const ASSESSORS_MAX: usize = 50;

/// A level of risk an assessment can find.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskLevel {
    /// Stable id (`low`, `medium`, `high`).
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Approved by the first responsible person rather than the portfolio's leader.
    pub first_responsible_approval: bool,
}

/// How risk assessments grade risk (`[risk_assessment]` of a pack).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskRules {
    /// The levels, from the lowest.
    pub levels: Vec<RiskLevel>,
}

impl Default for RiskRules {
    /// 低 / 中 / 高, high risk approved by the first responsible person.
    fn default() -> RiskRules {
        let level = |id: &str, name: &str, name_en: &str, first| RiskLevel {
            id: id.into(),
            name: name.into(),
            name_en: name_en.into(),
            first_responsible_approval: first,
        };
        RiskRules {
            levels: vec![
                level("low", "低", "Low", false),
                level("medium", "中", "Medium", false),
                level("high", "高", "High", true),
            ],
        }
    }
}

impl RiskRules {
    /// The level `id`.
    pub fn level(&self, id: &str) -> Option<&RiskLevel> {
        self.levels.iter().find(|l| l.id == id)
    }

    /// A level's name in `lang`, or its id when the scale has no such level.
    pub fn level_name(&self, id: &str, lang: Lang) -> String {
        self.level(id).map_or_else(
            || id.to_string(),
            |l| lang.pick(&l.name, &l.name_en).to_string(),
        )
    }

    fn expected(&self) -> String {
        let ids: Vec<&str> = self.levels.iter().map(|l| l.id.as_str()).collect();
        ids.join(", ")
    }
}

/// A major policy or project as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectDraft {
    /// Title.
    pub title: String,
    /// The org that undertakes it, by code or id.
    pub org: String,
    /// What it is.
    pub description: String,
    /// The portfolio it falls under (empty: none; the first responsible person approves).
    pub portfolio: String,
    /// Marked major: not launched without an approved assessment.
    pub major: bool,
    /// The planned launch day, `YYYY-MM-DD`.
    pub launch_on: String,
}

/// A project's checked fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectFields {
    /// Title.
    pub title: String,
    /// Org id.
    pub org: String,
    /// What it is.
    pub description: String,
    /// Portfolio id.
    pub portfolio: Option<String>,
    /// Major.
    pub major: bool,
    /// Planned launch day.
    pub launch_on: NaiveDate,
}

/// Checks a project: `title`, `org`, `description`, `portfolio` (one the policies have),
/// `launch_on`.
pub fn check_project(
    d: &ProjectDraft,
    model: &OrgModel,
    portfolios: &[&str],
    lang: Lang,
) -> Result<ProjectFields, FieldErrors> {
    let mut e = Errors::new(lang);
    let title = e.text("title", &d.title, true, TITLE_MAX);
    let org = e.org("org", &d.org, model);
    let description = e.text("description", &d.description, true, TEXT_MAX);
    let portfolio = match d.portfolio.trim() {
        "" => None,
        p if portfolios.contains(&p) => Some(p.to_string()),
        p => {
            e.push(
                "portfolio",
                format!("分管领域「{p}」不在制度中，可选：{}", portfolios.join(", ")),
                format!(
                    "portfolio `{p}` is not one of the policies'; use one of: {}",
                    portfolios.join(", ")
                ),
            );
            None
        }
    };
    let launch_on = e.date("launch_on", &d.launch_on);
    let valid = match (org, launch_on) {
        (Some(org), Some(launch_on)) => Some(ProjectFields {
            title,
            org,
            description,
            portfolio,
            major: d.major,
            launch_on,
        }),
        _ => None,
    };
    e.result(valid)
}

/// A risk assessment as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssessmentDraft {
    /// What is planned.
    pub planned: String,
    /// Who is affected.
    pub affected: String,
    /// The risks found.
    pub risks: String,
    /// The level found, on the pack's scale.
    pub level: String,
    /// The measures to prevent or meet them.
    pub measures: String,
    /// Who assessed it (person ids).
    pub assessors: Vec<String>,
    /// The day it was assessed, `YYYY-MM-DD`.
    pub assessed_on: String,
}

/// A checked risk assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentFields {
    /// What is planned.
    pub planned: String,
    /// Who is affected.
    pub affected: String,
    /// The risks found.
    pub risks: String,
    /// Level id.
    pub level: String,
    /// Measures.
    pub measures: String,
    /// Assessors' person ids.
    pub assessors: Vec<String>,
    /// Day assessed.
    pub assessed_on: NaiveDate,
}

/// Checks an assessment of `project` made no later than `today`: `planned`, `affected`,
/// `risks`, `level`, `measures`, `assessors`, `assessed_on`.
pub fn check_assessment(
    d: &AssessmentDraft,
    project: &ProjectFields,
    model: &OrgModel,
    rules: &RiskRules,
    today: NaiveDate,
    lang: Lang,
) -> Result<AssessmentFields, FieldErrors> {
    let mut e = Errors::new(lang);
    let planned = e.text("planned", &d.planned, true, TEXT_MAX);
    let affected = e.text("affected", &d.affected, true, TEXT_MAX);
    let risks = e.text("risks", &d.risks, true, TEXT_MAX);
    let level = match d.level.trim() {
        "" => {
            e.push(
                "level",
                "风险等级不能为空".into(),
                "the level is required".into(),
            );
            None
        }
        l if rules.level(l).is_some() => Some(l.to_string()),
        l => {
            e.push(
                "level",
                format!(
                    "风险等级「{l}」不在制度的分级中，可选：{}",
                    rules.expected()
                ),
                format!(
                    "level `{l}` is not on the policy's scale; use one of: {}",
                    rules.expected()
                ),
            );
            None
        }
    };
    let measures = e.text("measures", &d.measures, true, TEXT_MAX);
    if d.assessors.len() > ASSESSORS_MAX {
        e.push(
            "assessors",
            format!("评估人不能超过 {ASSESSORS_MAX} 位"),
            format!("at most {ASSESSORS_MAX} assessors"),
        );
    }
    let assessors = e.people("assessors", &d.assessors, model, Some(&project.org), true);
    let assessed_on = e.past_date("assessed_on", &d.assessed_on, today);
    let valid = match (level, assessed_on) {
        (Some(level), Some(assessed_on)) => Some(AssessmentFields {
            planned,
            affected,
            risks,
            level,
            measures,
            assessors,
            assessed_on,
        }),
        _ => None,
    };
    e.result(valid)
}

/// Who approves an assessment of `level` for `project` on `day`: the first responsible person
/// where the level says so or the project has no portfolio, else the leader of its portfolio.
pub fn approver(
    pack: &PolicyPack,
    model: &OrgModel,
    rules: &RiskRules,
    project: &ProjectFields,
    level: &str,
    day: NaiveDate,
) -> Option<NamedRef> {
    let first = rules
        .level(level)
        .is_some_and(|l| l.first_responsible_approval);
    let org = model.org(&project.org)?;
    match (&project.portfolio, first) {
        (Some(p), false) => resolve(pack, model, org, Target::Portfolio(p), day)
            .ok()
            .and_then(|a| a.person),
        _ => crate::reminders::first_responsible_of(pack, model, org, day),
    }
}

/// Why a decision on an assessment is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionError {
    /// The person is not the one who approves it.
    NotTheApprover {
        /// Who does (name), if the post is held.
        expected: Option<String>,
        /// Whether it is the first responsible person.
        first: bool,
    },
    /// An assessor does not approve their own assessment.
    OwnAssessment,
    /// It was decided already.
    Decided,
}

impl DecisionError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            DecisionError::NotTheApprover { expected, first } => {
                let who = match (first, lang) {
                    (true, Lang::Zh) => "第一责任人",
                    (false, Lang::Zh) => "分管该领域的班子成员",
                    (true, Lang::En) => "the first responsible person",
                    (false, Lang::En) => "the leader in charge of the project's portfolio",
                };
                match (expected, lang) {
                    (Some(n), Lang::Zh) => format!("此评估应由{who}（{n}）审批"),
                    (Some(n), Lang::En) => format!("this assessment is approved by {who} ({n})"),
                    (None, Lang::Zh) => format!("此评估应由{who}审批，目前该职务空缺"),
                    (None, Lang::En) => {
                        format!("this assessment is approved by {who}; the post is vacant")
                    }
                }
            }
            DecisionError::OwnAssessment => lang
                .pick(
                    "评估人不能审批本人参与的评估",
                    "an assessor does not approve an assessment they made",
                )
                .into(),
            DecisionError::Decided => lang
                .pick(
                    "此评估已审批，不能再次审批",
                    "this assessment is decided already",
                )
                .into(),
        }
    }
}

/// Whether `person` may approve (or reject) an assessment now (the caller refuses one decided
/// already with [`DecisionError::Decided`]).
pub fn check_decision(
    pack: &PolicyPack,
    model: &OrgModel,
    rules: &RiskRules,
    project: &ProjectFields,
    assessment: &AssessmentFields,
    person: &str,
    day: NaiveDate,
) -> Result<(), DecisionError> {
    if assessment.assessors.iter().any(|a| a == person) {
        return Err(DecisionError::OwnAssessment);
    }
    let first = rules
        .level(&assessment.level)
        .is_some_and(|l| l.first_responsible_approval)
        || project.portfolio.is_none();
    match approver(pack, model, rules, project, &assessment.level, day) {
        Some(a) if a.id == person => Ok(()),
        other => Err(DecisionError::NotTheApprover {
            expected: other.map(|a| a.name),
            first,
        }),
    }
}

/// Why a launch is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaunchError {
    /// The project is launched or cancelled already.
    NotPlanned,
    /// A major project has no approved assessment (Art.4(4)).
    NoApprovedAssessment,
    /// Only the first responsible person launches without one.
    OverrideNotFirstResponsible {
        /// Their name.
        who: Option<String>,
    },
}

impl LaunchError {
    /// The message in `lang`, naming the rule.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            LaunchError::NotPlanned => lang
                .pick("项目已实施或已取消", "the project is launched or cancelled already")
                .into(),
            LaunchError::NoApprovedAssessment => lang
                .pick(
                    "重大政策、项目须先经舆情风险评估并获审批，才能登记实施（第四条第四项）",
                    "a major policy or project is launched only after an approved public-opinion risk assessment (Art.4(4))",
                )
                .into(),
            LaunchError::OverrideNotFirstResponsible { who } => {
                let who = who.clone().unwrap_or_else(|| "—".into());
                match lang {
                    Lang::Zh => format!(
                        "未经批准的风险评估而实施，须由第一责任人（{who}）本人决定并写明理由"
                    ),
                    Lang::En => format!(
                        "launching without an approved assessment is decided by the first responsible person ({who}) themself, with a reason"
                    ),
                }
            }
        }
    }
}

/// Checks the reason a planned project is cancelled: required, at most [`REASON_MAX`]
/// characters.
pub fn check_cancel(reason: &str, lang: Lang) -> Result<String, FieldErrors> {
    let mut e = Errors::new(lang);
    let r = e.text("reason", reason, true, REASON_MAX);
    e.result(Some(r))
}

/// A launch as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LaunchDraft {
    /// The day it was launched, `YYYY-MM-DD`.
    pub launched_on: String,
    /// Launch without an approved assessment (the first responsible person only).
    pub override_gate: bool,
    /// Why, when overriding.
    pub reason: String,
}

/// A checked launch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Launch {
    /// The day.
    pub launched_on: NaiveDate,
    /// The reason it was launched without an approved assessment, if it was.
    pub override_reason: Option<String>,
}

/// The gate (Art.4(4)): whether `project` may be recorded as launched. A major project needs an
/// approved assessment, unless the first responsible person (`first`) launches it themself with
/// a reason. Rule refusals come first; then the fields (`launched_on`, `reason`).
#[allow(clippy::too_many_arguments)]
pub fn check_launch(
    project: &ProjectFields,
    planned: bool,
    approved: bool,
    d: &LaunchDraft,
    person: Option<&str>,
    first: Option<&NamedRef>,
    today: NaiveDate,
    lang: Lang,
) -> Result<Result<Launch, FieldErrors>, LaunchError> {
    if !planned {
        return Err(LaunchError::NotPlanned);
    }
    let gate = project.major && !approved;
    if gate && !d.override_gate {
        return Err(LaunchError::NoApprovedAssessment);
    }
    let overriding = gate && d.override_gate;
    if overriding && !matches!((person, first), (Some(p), Some(f)) if p == f.id) {
        return Err(LaunchError::OverrideNotFirstResponsible {
            who: first.map(|f| f.name.clone()),
        });
    }
    let mut e = Errors::new(lang);
    let launched_on = e.past_date("launched_on", &d.launched_on, today);
    let reason = d.reason.trim();
    if overriding && reason.is_empty() {
        e.push(
            "reason",
            "未经批准的风险评估而实施，须写明理由".into(),
            "launching without an approved assessment needs a reason".into(),
        );
    } else if reason.chars().count() > REASON_MAX {
        e.push(
            "reason",
            format!("理由不能超过 {REASON_MAX} 个字符"),
            format!("the reason must be at most {REASON_MAX} characters"),
        );
    }
    Ok(e.result(launched_on.map(|launched_on| Launch {
        launched_on,
        override_reason: overriding.then(|| reason.to_string()),
    })))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::org::{Org, Person};
    use crate::vocab::OrgKind;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn model() -> OrgModel {
        OrgModel::new(
            vec![Org {
                id: "mse".into(),
                code: "mse".into(),
                name: "材料学院".into(),
                kind: OrgKind::College,
                parent: None,
                established_on: None,
                closed_on: None,
            }],
            vec![Person {
                id: "li".into(),
                name: "李明华".into(),
                org: "mse".into(),
            }],
            vec![],
            vec![],
            vec![],
            vec![],
        )
    }

    fn project(major: bool) -> ProjectFields {
        let d = ProjectDraft {
            title: "本科招生宣传改版".into(),
            org: "mse".into(),
            description: "调整招生宣传内容".into(),
            portfolio: "publicity".into(),
            major,
            launch_on: "2026-12-20".into(),
        };
        check_project(&d, &model(), &["publicity"], Lang::Zh).unwrap()
    }

    fn launch(override_gate: bool, reason: &str) -> LaunchDraft {
        LaunchDraft {
            launched_on: "2026-11-28".into(),
            override_gate,
            reason: reason.into(),
        }
    }

    const TODAY: &str = "2026-11-28";

    #[test]
    fn a_major_project_launches_only_after_an_approved_assessment() {
        let first = NamedRef {
            id: "sec".into(),
            name: "书记".into(),
        };
        let p = project(true);
        let gate = |approved, draft: &LaunchDraft, person| {
            check_launch(
                &p,
                true,
                approved,
                draft,
                person,
                Some(&first),
                d(TODAY),
                Lang::Zh,
            )
        };
        assert_eq!(
            gate(false, &launch(false, ""), Some("li")).unwrap_err(),
            LaunchError::NoApprovedAssessment
        );
        assert!(
            LaunchError::NoApprovedAssessment
                .message(Lang::Zh)
                .contains("第四条第四项")
        );
        // Only the first responsible person passes the gate, and only with a reason.
        assert_eq!(
            gate(false, &launch(true, "上级要求立即实施"), Some("li")).unwrap_err(),
            LaunchError::OverrideNotFirstResponsible {
                who: Some("书记".into())
            }
        );
        let no_reason = gate(false, &launch(true, " "), Some("sec"))
            .unwrap()
            .unwrap_err();
        assert_eq!(no_reason[0].0, "reason");
        let passed = gate(false, &launch(true, "上级要求立即实施"), Some("sec"))
            .unwrap()
            .unwrap();
        assert_eq!(passed.override_reason.as_deref(), Some("上级要求立即实施"));
        // With an approved assessment anyone who keeps it launches it; no override is recorded.
        let ok = gate(true, &launch(true, "x"), Some("li")).unwrap().unwrap();
        assert_eq!(ok.override_reason, None);
        // A project not marked major has no gate; a future day is refused; twice is refused.
        let minor = project(false);
        assert!(
            check_launch(
                &minor,
                true,
                false,
                &launch(false, ""),
                None,
                None,
                d(TODAY),
                Lang::Zh
            )
            .unwrap()
            .is_ok()
        );
        let future = LaunchDraft {
            launched_on: "2026-11-29".into(),
            ..launch(false, "")
        };
        assert_eq!(
            gate(true, &future, Some("li")).unwrap().unwrap_err()[0].0,
            "launched_on"
        );
        assert_eq!(
            check_launch(
                &p,
                false,
                true,
                &launch(false, ""),
                None,
                None,
                d(TODAY),
                Lang::Zh
            )
            .unwrap_err(),
            LaunchError::NotPlanned
        );
    }

    #[test]
    fn an_assessment_names_a_level_of_the_scale_and_its_assessors() {
        let rules = RiskRules::default();
        let p = project(true);
        let draft = AssessmentDraft {
            planned: "改版招生宣传".into(),
            affected: "考生及家长".into(),
            risks: "宣传口径引发误读".into(),
            level: "extreme".into(),
            measures: "统一口径".into(),
            assessors: vec![],
            assessed_on: "2026-11-29".into(),
        };
        let errors =
            check_assessment(&draft, &p, &model(), &rules, d(TODAY), Lang::Zh).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["level", "assessors", "assessed_on"]);
        assert_eq!(
            errors[0].1,
            "风险等级「extreme」不在制度的分级中，可选：low, medium, high"
        );
        let ok = AssessmentDraft {
            level: "high".into(),
            assessors: vec!["li".into()],
            assessed_on: TODAY.into(),
            ..draft
        };
        let a = check_assessment(&ok, &p, &model(), &rules, d(TODAY), Lang::Zh).unwrap();
        assert_eq!(a.level, "high");
        // An assessor does not approve their own assessment.
        let pack = crate::policy::builtin_pack().unwrap();
        let m = model();
        assert_eq!(
            check_decision(&pack, &m, &rules, &p, &a, "li", d(TODAY)).unwrap_err(),
            DecisionError::OwnAssessment
        );
        // No one holds the post here: the first responsible person is vacant.
        assert_eq!(
            check_decision(&pack, &m, &rules, &p, &a, "sec", d(TODAY)).unwrap_err(),
            DecisionError::NotTheApprover {
                expected: None,
                first: true
            }
        );
    }
}
