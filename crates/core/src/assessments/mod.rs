//! The annual assessment (年度考核, Art.7): the year's scheme — its content (indicators), method
//! (weights and scoring rules) and procedure (self-assessment → review → scoring → publication)
//! — copied from the pack and edited by the supervising office before it is published; each
//! college's scores, computed from its obligations where the scheme says so and given by the
//! reviewer with a reason where it does not; reviewers' adjustments with reasons; the total and
//! the ranking across colleges; and the secretary's duty report (述职报告) drafted from the
//! ledger. Rules only: the caller passes the counts and the day.
//!
//! Points are kept in hundredths (`i64`), so that weights, scores and totals add up exactly.

use crate::Lang;
use crate::policy::{AssessmentStep, IndicatorMethod, PolicyPack};
use crate::records::FieldErrors;
use crate::records::validate::Errors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

mod procedure;
mod report;
#[cfg(test)]
mod tests;

pub use procedure::{Procedure, Stage, StageError};
pub use report::{DutyFigures, DutyReportFacts, duty_report_draft, outline};

/// Most indicators a scheme has.
pub const INDICATORS_MAX: usize = 50;
/// Longest indicator title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest reason, self-assessment, review opinion or duty report, in characters.
pub const TEXT_MAX: usize = 50_000;
/// Longest reason of a mark, in characters.
pub const REASON_MAX: usize = 2_000;
/// A whole scheme, in hundredths of a point.
pub const FULL_MARKS: i64 = 10_000;

/// Points in hundredths, written with two decimals (`12.5` → `12.50`).
pub fn points_text(centi: i64) -> String {
    let sign = if centi < 0 { "-" } else { "" };
    let a = centi.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Reads points with at most two decimals (`12`, `12.5`, `-3.25`) as hundredths.
pub fn parse_points(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 6
    {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: i64 = format!("{frac:0<2}").parse().ok()?;
    let v = w * 100 + f;
    Some(if neg { -v } else { v })
}

/// One indicator of a year's scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeIndicator {
    /// Stable id (from the pack, or new).
    pub id: String,
    /// Chinese title.
    pub title: String,
    /// English title.
    pub title_en: String,
    /// Weight in hundredths of a point (all of them add up to [`FULL_MARKS`]).
    pub weight: i64,
    /// How it is scored.
    pub method: IndicatorMethod,
    /// The duties whose obligations it counts (none for a manual one).
    pub duties: Vec<String>,
}

impl SchemeIndicator {
    /// Its title in `lang`.
    pub fn title(&self, lang: Lang) -> &str {
        if lang == Lang::En && !self.title_en.is_empty() {
            &self.title_en
        } else {
            &self.title
        }
    }

    /// Whether it is computed from the ledger.
    pub fn computed(&self) -> bool {
        self.method != IndicatorMethod::Manual
    }
}

/// A step of the procedure and the last day set for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDeadline {
    /// The step.
    pub step: AssessmentStep,
    /// Its last day.
    pub until: NaiveDate,
}

/// A year's scheme: content, method and procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    /// The indicators, in order.
    pub indicators: Vec<SchemeIndicator>,
    /// The procedure's steps with their last days, in order; publication last.
    pub steps: Vec<StepDeadline>,
}

impl Scheme {
    /// The pack's scheme for `year`: its indicators and procedure, with default last days in
    /// the new year (self-assessment 10 January, then 20 January, 31 January, 15 February).
    pub fn from_pack(pack: &PolicyPack, year: i32) -> Option<Scheme> {
        let a = pack.assessment.as_ref()?;
        let indicators = a
            .indicators
            .iter()
            .map(|i| SchemeIndicator {
                id: i.id.clone(),
                title: i.title.clone(),
                title_en: i.title_en.clone(),
                weight: (i.weight * 100.0).round() as i64,
                method: i.method,
                duties: i.duties.clone(),
            })
            .collect();
        Some(Scheme {
            indicators,
            steps: Procedure::new(&a.procedure)
                .steps()
                .iter()
                .map(|&step| StepDeadline {
                    step,
                    until: default_deadline(step, year),
                })
                .collect(),
        })
    }

    /// The indicator `id`.
    pub fn indicator(&self, id: &str) -> Option<&SchemeIndicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The procedure it sets.
    pub fn procedure(&self) -> Procedure {
        Procedure::new(&self.steps.iter().map(|s| s.step).collect::<Vec<_>>())
    }

    /// The last day set for `step`.
    pub fn deadline(&self, step: AssessmentStep) -> Option<NaiveDate> {
        self.steps.iter().find(|s| s.step == step).map(|s| s.until)
    }

    /// Every duty it counts.
    pub fn duties(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for d in self.indicators.iter().flat_map(|i| &i.duties) {
            if !out.contains(&d.as_str()) {
                out.push(d);
            }
        }
        out
    }

    /// The scheme as a draft, to edit.
    pub fn to_draft(&self) -> SchemeDraft {
        SchemeDraft {
            indicators: self
                .indicators
                .iter()
                .map(|i| IndicatorDraft {
                    id: i.id.clone(),
                    title: i.title.clone(),
                    title_en: i.title_en.clone(),
                    weight: points_text(i.weight),
                    method: i.method.as_str().into(),
                    duties: i.duties.clone(),
                })
                .collect(),
            steps: self
                .steps
                .iter()
                .map(|s| StepDraft {
                    step: s.step.as_str().into(),
                    until: s.until.format("%Y-%m-%d").to_string(),
                })
                .collect(),
        }
    }
}

fn default_deadline(step: AssessmentStep, year: i32) -> NaiveDate {
    let (m, d) = match step {
        AssessmentStep::SelfAssessment => (1, 10),
        AssessmentStep::Review => (1, 20),
        AssessmentStep::Scoring => (1, 31),
        AssessmentStep::Publication => (2, 15),
    };
    NaiveDate::from_ymd_opt(year + 1, m, d).unwrap_or(NaiveDate::MAX)
}

/// An indicator as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorDraft {
    /// Stable id: lower-case letters, digits and hyphens.
    pub id: String,
    /// Chinese title.
    pub title: String,
    /// English title (optional).
    pub title_en: String,
    /// Weight, a number with at most two decimals.
    pub weight: String,
    /// `completion-rate`, `on-time-rate` or `manual`.
    pub method: String,
    /// Duty ids (none for `manual`).
    pub duties: Vec<String>,
}

/// A step's last day as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepDraft {
    /// `self-assessment`, `review`, `scoring` or `publication`.
    pub step: String,
    /// `YYYY-MM-DD`.
    pub until: String,
}

/// A scheme as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SchemeDraft {
    /// The indicators, in order.
    pub indicators: Vec<IndicatorDraft>,
    /// The steps' last days, in the procedure's order.
    pub steps: Vec<StepDraft>,
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks a scheme for `year` under `pack`: each indicator with an id used once, a title, a
/// weight above 0 and the weights adding up to 100, a known method, duties of the pack for a
/// computed indicator and none for a manual one; the pack's procedure steps, each with a last
/// day after the year began, in order. Every problem names its field (`indicators[2].weight`).
pub fn check_scheme(
    d: &SchemeDraft,
    pack: &PolicyPack,
    year: i32,
    lang: Lang,
) -> Result<Scheme, FieldErrors> {
    let mut e = Errors::new(lang);
    if d.indicators.is_empty() {
        e.push(
            "indicators",
            "考核方案至少要有一项考核指标".into(),
            "a scheme needs at least one indicator".into(),
        );
    }
    if d.indicators.len() > INDICATORS_MAX {
        e.push(
            "indicators",
            format!("考核指标不能超过 {INDICATORS_MAX} 项"),
            format!("a scheme has at most {INDICATORS_MAX} indicators"),
        );
    }
    let mut indicators = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut sum = 0i64;
    let mut sum_known = true;
    for (n, i) in d.indicators.iter().enumerate() {
        let f = |k: &str| format!("indicators[{n}].{k}");
        let row = n + 1;
        let id = i.id.trim().to_string();
        if !is_id(&id) {
            e.push(
                f("id"),
                format!("第 {row} 项指标的编号「{id}」应由小写字母、数字和连字符组成"),
                format!(
                    "indicator {row}: id `{id}` must be lower-case letters, digits and hyphens"
                ),
            );
        } else if seen.contains(&id) {
            e.push(
                f("id"),
                format!("指标编号「{id}」重复"),
                format!("indicator id `{id}` is used twice"),
            );
        }
        seen.push(id.clone());
        let title = i.title.trim().to_string();
        if title.is_empty() {
            e.push(
                f("title"),
                format!("第 {row} 项指标的名称不能为空"),
                format!("indicator {row}: the title is required"),
            );
        } else if title.chars().count() > TITLE_MAX {
            e.push(
                f("title"),
                format!("第 {row} 项指标的名称不能超过 {TITLE_MAX} 个字符"),
                format!("indicator {row}: the title must be at most {TITLE_MAX} characters"),
            );
        }
        let title_en = i
            .title_en
            .trim()
            .chars()
            .take(TITLE_MAX)
            .collect::<String>();
        let weight = match parse_points(&i.weight) {
            Some(w) if w > 0 && w <= FULL_MARKS => Some(w),
            _ => {
                e.push(
                    f("weight"),
                    format!(
                        "第 {row} 项指标的权重「{}」应为大于 0、不超过 100 的数，最多两位小数",
                        i.weight.trim()
                    ),
                    format!(
                        "indicator {row}: weight `{}` must be a number above 0 and at most 100, with at most two decimals",
                        i.weight.trim()
                    ),
                );
                None
            }
        };
        match weight {
            Some(w) => sum += w,
            None => sum_known = false,
        }
        let method = IndicatorMethod::parse(i.method.trim());
        if method.is_none() {
            e.push(
                f("method"),
                format!(
                    "第 {row} 项指标的评分方法「{}」不可用；可选：完成率、按时完成率、人工评分",
                    i.method.trim()
                ),
                format!(
                    "indicator {row}: method `{}` is not known; use completion-rate, on-time-rate or manual",
                    i.method.trim()
                ),
            );
        }
        let mut duties = Vec::new();
        for duty in i.duties.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            if pack.duty(duty).is_none() {
                e.push(
                    f("duties"),
                    format!("第 {row} 项指标所计的职责「{duty}」不在本制度中"),
                    format!("indicator {row}: duty `{duty}` is not in this policy"),
                );
            } else if !duties.iter().any(|x: &String| x == duty) {
                duties.push(duty.to_string());
            }
        }
        match method {
            Some(IndicatorMethod::Manual) if !duties.is_empty() => e.push(
                f("duties"),
                format!("第 {row} 项指标为人工评分，不计台账职责"),
                format!("indicator {row} is scored by the reviewer: it counts no duties"),
            ),
            Some(m) if m != IndicatorMethod::Manual && duties.is_empty() && i.duties.is_empty() => {
                e.push(
                    f("duties"),
                    format!("第 {row} 项指标按台账计算，至少要计一项职责"),
                    format!("indicator {row} is computed from the ledger: name at least one duty"),
                )
            }
            _ => {}
        }
        if let (Some(weight), Some(method)) = (weight, method) {
            indicators.push(SchemeIndicator {
                id,
                title,
                title_en,
                weight,
                method,
                duties,
            });
        }
    }
    if sum_known && !d.indicators.is_empty() && sum != FULL_MARKS {
        let s = points_text(sum);
        e.push(
            "weights",
            format!("各项指标权重之和应为 100，现为 {s}"),
            format!("the indicators' weights must add up to 100; they add up to {s}"),
        );
    }
    let procedure = pack
        .assessment
        .as_ref()
        .map(|a| Procedure::new(&a.procedure))
        .unwrap_or_default();
    let mut steps = Vec::new();
    let year_began = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    for (n, &step) in procedure.steps().iter().enumerate() {
        let field = format!("steps[{n}].until");
        let name = Stage::Step(step).name(lang);
        let typed = d.steps.iter().find(|s| s.step.trim() == step.as_str());
        let Some(typed) = typed else {
            e.push(
                field,
                format!("请填写「{name}」环节的截止日期"),
                format!("set the last day of the {name} step"),
            );
            continue;
        };
        let v = typed.until.trim();
        let Ok(until) = NaiveDate::parse_from_str(v, "%Y-%m-%d") else {
            e.push(
                field,
                format!("「{name}」环节的截止日期「{v}」不是有效日期，请按 YYYY-MM-DD 填写"),
                format!("the last day of the {name} step, `{v}`, is not a date; write YYYY-MM-DD"),
            );
            continue;
        };
        if until < year_began {
            e.push(
                field,
                format!("「{name}」环节的截止日期不能早于 {year} 年"),
                format!("the {name} step cannot end before {year}"),
            );
        } else if let Some(prev) = steps.last().map(|s: &StepDeadline| s.until)
            && until < prev
        {
            e.push(
                field,
                format!("「{name}」环节的截止日期不能早于上一环节"),
                format!("the {name} step cannot end before the step before it"),
            );
        }
        steps.push(StepDeadline { step, until });
    }
    for s in &d.steps {
        if AssessmentStep::parse(s.step.trim()).is_none_or(|st| !procedure.steps().contains(&st)) {
            let v = s.step.trim();
            e.push(
                "steps",
                format!("考核程序中没有「{v}」环节"),
                format!("the procedure has no step `{v}`"),
            );
        }
    }
    e.result(Some(Scheme { indicators, steps }))
}

/// What a college's obligations of one duty came to in the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Obligations owed (waived ones not counted).
    pub owed: i64,
    /// Of them, done.
    pub done: i64,
    /// Of them, done by their due day.
    pub on_time: i64,
    /// Waived (免于履行), not counted.
    pub waived: i64,
}

/// How one obligation counts on a day (the rule the database's count follows too: owed once
/// due, or once done; waived ones not at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Done by its due day.
    OnTime,
    /// Done after it.
    Late,
    /// Due and not done.
    Open,
    /// Not due yet and not done: not counted until it is.
    NotDue,
    /// Waived (免于履行): not counted.
    Waived,
}

impl Standing {
    /// How an obligation in `state` (`done`, `waived`, …), done on `completed_on`, due on `due`,
    /// counts on `today`.
    pub fn of(
        state: &str,
        completed_on: Option<NaiveDate>,
        due: NaiveDate,
        today: NaiveDate,
    ) -> Standing {
        match (state, completed_on) {
            ("waived", _) => Standing::Waived,
            ("done", Some(d)) if d <= due => Standing::OnTime,
            ("done", Some(_)) => Standing::Late,
            _ if due > today => Standing::NotDue,
            _ => Standing::Open,
        }
    }

    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::OnTime => "on-time",
            Standing::Late => "late",
            Standing::Open => "open",
            Standing::NotDue => "not-due",
            Standing::Waived => "waived",
        }
    }
}

impl Counts {
    /// One more obligation standing as `s`.
    pub fn count(&mut self, s: Standing) {
        match s {
            Standing::Waived => self.waived += 1,
            Standing::NotDue => {}
            Standing::Open => self.owed += 1,
            Standing::Late => {
                self.owed += 1;
                self.done += 1;
            }
            Standing::OnTime => {
                self.owed += 1;
                self.done += 1;
                self.on_time += 1;
            }
        }
    }

    /// Both together.
    pub fn add(&mut self, o: &Counts) {
        self.owed += o.owed;
        self.done += o.done;
        self.on_time += o.on_time;
        self.waived += o.waived;
    }
}

/// The kind of a reviewer's mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkKind {
    /// The score of a manual indicator (the latest one counts).
    Score,
    /// An adjustment of a computed indicator's score, up or down (they add up).
    Adjustment,
}

impl MarkKind {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkKind::Score => "score",
            MarkKind::Adjustment => "adjustment",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<MarkKind> {
        match s {
            "score" => Some(MarkKind::Score),
            "adjustment" => Some(MarkKind::Adjustment),
            _ => None,
        }
    }
}

/// A mark as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkDraft {
    /// The indicator.
    pub indicator: String,
    /// `score` or `adjustment`.
    pub kind: String,
    /// Points (a score), or points to add or take off (an adjustment).
    pub points: String,
    /// Why: required.
    pub reason: String,
}

/// A checked mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// The indicator.
    pub indicator: String,
    /// Score or adjustment.
    pub kind: MarkKind,
    /// Hundredths of a point.
    pub points: i64,
    /// Why.
    pub reason: String,
}

/// Checks a mark against `scheme`: a known indicator; a score only for a manual indicator,
/// from 0 to its weight; an adjustment only for a computed one, not zero and not more than its
/// weight either way; a reason always.
pub fn check_mark(d: &MarkDraft, scheme: &Scheme, lang: Lang) -> Result<Mark, FieldErrors> {
    let mut e = Errors::new(lang);
    let ind = scheme.indicator(d.indicator.trim());
    if ind.is_none() {
        let v = d.indicator.trim();
        e.push(
            "indicator",
            format!("考核方案中没有指标「{v}」"),
            format!("the scheme has no indicator `{v}`"),
        );
    }
    let kind = MarkKind::parse(d.kind.trim());
    if kind.is_none() {
        e.push(
            "kind",
            "请选择评分或调整".into(),
            "choose score or adjustment".into(),
        );
    }
    let points = parse_points(&d.points);
    if points.is_none() {
        let v = d.points.trim();
        e.push(
            "points",
            format!("分值「{v}」应为数字，最多两位小数"),
            format!("points `{v}` must be a number with at most two decimals"),
        );
    }
    if let (Some(i), Some(kind), Some(p)) = (ind, kind, points) {
        let w = points_text(i.weight);
        let t = i.title(lang);
        match kind {
            MarkKind::Score if i.computed() => e.push(
                "kind",
                format!("「{t}」按台账计算得分，只能调整并说明理由，不能直接评分"),
                format!(
                    "`{t}` is computed from the ledger: adjust it with a reason, do not score it"
                ),
            ),
            MarkKind::Adjustment if !i.computed() => e.push(
                "kind",
                format!("「{t}」为人工评分指标，请直接评分"),
                format!("`{t}` is scored by the reviewer: give its score"),
            ),
            MarkKind::Score if !(0..=i.weight).contains(&p) => e.push(
                "points",
                format!("「{t}」的得分应在 0 到 {w} 之间"),
                format!("the score of `{t}` must be from 0 to {w}"),
            ),
            MarkKind::Adjustment if p == 0 || p.abs() > i.weight => e.push(
                "points",
                format!("「{t}」的调整分值不能为 0，也不能超过其权重 {w}"),
                format!("an adjustment of `{t}` cannot be 0 or more than its weight {w}"),
            ),
            _ => {}
        }
    }
    let reason = d.reason.trim();
    if reason.is_empty() {
        e.push(
            "reason",
            "评分和调整都必须说明理由".into(),
            "every score and adjustment needs a reason".into(),
        );
    } else if reason.chars().count() > REASON_MAX {
        e.push(
            "reason",
            format!("理由不能超过 {REASON_MAX} 个字符"),
            format!("the reason must be at most {REASON_MAX} characters"),
        );
    }
    let mark = match (ind, kind, points) {
        (Some(i), Some(kind), Some(points)) => Some(Mark {
            indicator: i.id.clone(),
            kind,
            points,
            reason: reason.to_string(),
        }),
        _ => None,
    };
    e.result(mark)
}

/// One indicator's score for one college.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorScore {
    /// The indicator.
    pub indicator: String,
    /// Its weight.
    pub weight: i64,
    /// What its duties' obligations came to (computed ones).
    pub counts: Option<Counts>,
    /// The computed score before adjustments; `None` for a manual indicator.
    pub computed: Option<i64>,
    /// No obligation was owed: full marks, nothing to count.
    pub not_applicable: bool,
    /// The reviewer's score of a manual indicator, if given.
    pub scored: Option<i64>,
    /// The adjustments added together.
    pub adjusted: i64,
    /// The score: computed or scored, plus adjustments, kept between 0 and the weight.
    pub points: i64,
}

/// One college's scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgScore {
    /// Each indicator's, in the scheme's order.
    pub indicators: Vec<IndicatorScore>,
    /// The total.
    pub total: i64,
    /// Manual indicators not scored yet.
    pub unscored: Vec<String>,
}

/// `weight × part / whole`, rounded half up to a hundredth.
fn share(weight: i64, part: i64, whole: i64) -> i64 {
    (2 * weight * part + whole) / (2 * whole)
}

/// A college's scores under `scheme`: each computed indicator from the counts of its duties
/// (`counts` by duty id), each manual one from its latest score mark, each with its
/// adjustments (`marks` in the order made).
pub fn score(scheme: &Scheme, counts: &HashMap<String, Counts>, marks: &[Mark]) -> OrgScore {
    let mut indicators = Vec::new();
    let mut unscored = Vec::new();
    for i in &scheme.indicators {
        let mut mine = marks.iter().filter(|m| m.indicator == i.id);
        let adjusted: i64 = mine
            .clone()
            .filter(|m| m.kind == MarkKind::Adjustment)
            .map(|m| m.points)
            .sum();
        let scored = mine.rfind(|m| m.kind == MarkKind::Score).map(|m| m.points);
        let (c, computed, not_applicable) = if i.computed() {
            let mut c = Counts::default();
            for d in &i.duties {
                if let Some(x) = counts.get(d) {
                    c.add(x);
                }
            }
            let part = match i.method {
                IndicatorMethod::OnTimeRate => c.on_time,
                _ => c.done,
            };
            if c.owed == 0 {
                (Some(c), Some(i.weight), true)
            } else {
                (Some(c), Some(share(i.weight, part, c.owed)), false)
            }
        } else {
            if scored.is_none() {
                unscored.push(i.id.clone());
            }
            (None, None, false)
        };
        let base = if i.computed() {
            computed.unwrap_or(0)
        } else {
            scored.unwrap_or(0)
        };
        indicators.push(IndicatorScore {
            indicator: i.id.clone(),
            weight: i.weight,
            counts: c,
            computed,
            not_applicable,
            scored: if i.computed() { None } else { scored },
            adjusted,
            points: (base + adjusted).clamp(0, i.weight),
        });
    }
    OrgScore {
        total: indicators.iter().map(|s| s.points).sum(),
        indicators,
        unscored,
    }
}

/// Ranks totals, highest first; equal totals share a rank and the next rank skips (1, 2, 2, 4).
/// Returns each entry's rank in the order given.
pub fn rank(totals: &[i64]) -> Vec<u32> {
    let mut sorted = totals.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    totals
        .iter()
        // The number of totals above this one: where it first stands, highest first.
        .map(|t| 1 + sorted.partition_point(|o| o > t) as u32)
        .collect()
}

/// Checks a text a college or a reviewer writes (self-assessment, review opinion, duty report):
/// required, at most [`TEXT_MAX`] characters.
pub fn check_text(field: &str, text: &str, lang: Lang) -> Result<String, FieldErrors> {
    let mut e = Errors::new(lang);
    let v = text.trim();
    let name = text_name(field, lang);
    if v.is_empty() {
        e.push(
            field,
            format!("{name}不能为空"),
            format!("the {name} is required"),
        );
    } else if v.chars().count() > TEXT_MAX {
        e.push(
            field,
            format!("{name}不能超过 {TEXT_MAX} 个字符"),
            format!("the {name} must be at most {TEXT_MAX} characters"),
        );
    }
    e.result(Some(v.to_string()))
}

fn text_name(field: &str, lang: Lang) -> &'static str {
    match field {
        "self_assessment" => lang.pick("自评报告", "self-assessment"),
        "review" => lang.pick("审核意见", "review opinion"),
        "duty_report" => lang.pick("述职报告", "duty report"),
        _ => lang.pick("内容", "text"),
    }
}

/// Longest 发文字号, in characters.
pub const DOCUMENT_NUMBER_MAX: usize = 50;

/// Checks a 发文字号 (optional): the issuer's short name, the year in 〔〕 and the serial number
/// with 号, as GB/T 9704 writes it (重大委〔2027〕3号). Returns it trimmed, `None` when blank.
pub fn check_document_number(text: &str, lang: Lang) -> Result<Option<String>, FieldErrors> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let well_formed = t.chars().count() <= DOCUMENT_NUMBER_MAX
        && t.split_once('〔').is_some_and(|(issuer, rest)| {
            !issuer.is_empty()
                && rest.split_once('〕').is_some_and(|(year, serial)| {
                    year.len() == 4
                        && year.chars().all(|c| c.is_ascii_digit())
                        && serial.strip_suffix('号').is_some_and(|n| {
                            !n.is_empty()
                                && n.chars().all(|c| c.is_ascii_digit())
                                && !n.starts_with('0')
                        })
                })
        });
    if well_formed {
        return Ok(Some(t.to_string()));
    }
    let mut e = Errors::new(lang);
    e.push(
        "document_number",
        format!("发文字号「{t}」应写作「机关代字〔年份〕序号号」，如 重大委〔2027〕3号"),
        format!("document number `{t}` must read issuer〔year〕N号, e.g. 重大委〔2027〕3号"),
    );
    e.result(None)
}
