//! Accountability cases (问责, Art.5–6): a case file about an organisation or a person in a
//! post on the relevant dates, on one or more of the pack's grounds, with facts linked to the
//! ledger's evidence; the respondent's statement (陈述申辩); the discipline commission's
//! decision — findings per ground and the forms of accountability the pack allows for the
//! subject's kind; the appeal (申诉); and remediation (整改) verified by someone other than its
//! owner. Zeren keeps the procedure and its record; people decide. Rules only: the caller passes
//! the day.

use crate::Lang;
use crate::org::OrgModel;
use crate::records::FieldErrors;
use crate::records::validate::Errors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod procedure;
#[cfg(test)]
mod tests;

pub use procedure::{Action, CaseState, Procedure, ProcedureError, Standing, Step, state_name};

/// Longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest text (summary, statement, reasons, notes), in characters.
pub const TEXT_MAX: usize = 20_000;
/// Most grounds one case names.
pub const GROUNDS_MAX: usize = 9;
/// Longest remediation task, in characters.
pub const TASK_TITLE_MAX: usize = 500;
/// Latest deadline of a remediation task, in days from today.
pub const DEADLINE_MAX_DAYS: u32 = 730;

/// Whom a case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    /// A party organisation (its leadership team): 检查, 通报, 改组.
    Org,
    /// A cadre, a person in a post: 通报, 诫勉, 组织调整或组织处理, 纪律处分.
    Person,
}

impl SubjectKind {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Org => "org",
            SubjectKind::Person => "person",
        }
    }

    /// Reads the stable spelling (the pack writes a cadre `cadre`).
    pub fn parse(s: &str) -> Option<SubjectKind> {
        match s {
            "org" => Some(SubjectKind::Org),
            "person" | "cadre" => Some(SubjectKind::Person),
            _ => None,
        }
    }
}

/// A form of accountability (问责方式) the pack allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    /// Stable id (`inspection`, `circular`, `reorganisation`, `admonition`, …).
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// The kinds of subject it applies to.
    pub subjects: Vec<SubjectKind>,
}

/// How cases run (`[accountability]` of a pack).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRules {
    /// The body that decides (学校纪委 in the seed: Art.6).
    pub deciding_body: String,
    /// Its English name.
    pub deciding_body_en: String,
    /// The procedure.
    pub procedure: Procedure,
    /// The forms of accountability.
    pub forms: Vec<Form>,
}

impl Default for CaseRules {
    /// The CPC Accountability Regulations' forms (for organisations 检查/通报/改组; for cadres
    /// 通报/诫勉/组织调整或组织处理/纪律处分) and the default procedure.
    fn default() -> CaseRules {
        let form = |id: &str, name: &str, name_en: &str, subjects: &[SubjectKind]| Form {
            id: id.into(),
            name: name.into(),
            name_en: name_en.into(),
            subjects: subjects.to_vec(),
        };
        use SubjectKind::{Org, Person};
        CaseRules {
            deciding_body: "学校纪委".into(),
            deciding_body_en: "University discipline commission".into(),
            procedure: Procedure::default(),
            forms: vec![
                form("inspection", "检查", "Written self-examination", &[Org]),
                form("circular", "通报", "Circulated criticism", &[Org, Person]),
                form("reorganisation", "改组", "Reorganisation", &[Org]),
                form("admonition", "诫勉", "Admonishment", &[Person]),
                form(
                    "organisational-adjustment",
                    "组织调整或组织处理",
                    "Organisational adjustment or handling",
                    &[Person],
                ),
                form(
                    "disciplinary-action",
                    "纪律处分",
                    "Disciplinary action",
                    &[Person],
                ),
            ],
        }
    }
}

impl CaseRules {
    /// The form `id`.
    pub fn form(&self, id: &str) -> Option<&Form> {
        self.forms.iter().find(|f| f.id == id)
    }

    /// A form's name in `lang`, or its id when the pack has no such form.
    pub fn form_name(&self, id: &str, lang: Lang) -> String {
        self.form(id).map_or_else(
            || id.to_string(),
            |f| lang.pick(&f.name, &f.name_en).to_string(),
        )
    }

    /// The forms that apply to `kind`.
    pub fn forms_for(&self, kind: SubjectKind) -> impl Iterator<Item = &Form> {
        self.forms
            .iter()
            .filter(move |f| f.subjects.contains(&kind))
    }

    /// The deciding body's name in `lang`.
    pub fn body(&self, lang: Lang) -> &str {
        lang.pick(&self.deciding_body, &self.deciding_body_en)
    }
}

/// The kinds of evidence a fact links to: what the ledger already holds, or a new document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactKind {
    /// An obligation of the ledger.
    Obligation,
    /// An online event.
    Event,
    /// An incident.
    Incident,
    /// A major policy or project.
    Project,
    /// A platform.
    Platform,
    /// An evidence record.
    Record,
    /// Evidence added to the case itself (its text; attachments later).
    Document,
}

impl FactKind {
    /// Every kind.
    pub const ALL: [FactKind; 7] = [
        FactKind::Obligation,
        FactKind::Event,
        FactKind::Incident,
        FactKind::Project,
        FactKind::Platform,
        FactKind::Record,
        FactKind::Document,
    ];

    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FactKind::Obligation => "obligation",
            FactKind::Event => "event",
            FactKind::Incident => "incident",
            FactKind::Project => "project",
            FactKind::Platform => "platform",
            FactKind::Record => "record",
            FactKind::Document => "document",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<FactKind> {
        FactKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A fact as typed in: what it links to, the ground it bears on, what it shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FactDraft {
    /// `obligation`, `event`, `incident`, `project`, `platform`, `record` or `document`.
    pub kind: String,
    /// The id of what it links to (empty for a document).
    pub reference: String,
    /// The ground it bears on (one of the case's; empty: the case as a whole).
    pub ground: String,
    /// What it shows (required for a document, which is its own text).
    pub note: String,
    /// The indicator it came from (`review-overdue`, …), if it did.
    pub indicator: String,
}

/// A checked fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// Kind.
    pub kind: FactKind,
    /// Id of what it links to (`None` for a document).
    pub reference: Option<String>,
    /// Ground.
    pub ground: Option<String>,
    /// What it shows.
    pub note: String,
    /// The indicator it came from.
    pub indicator: Option<String>,
}

/// A case as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseDraft {
    /// Title.
    pub title: String,
    /// `org` or `person`.
    pub subject_kind: String,
    /// The org (by code or id): the subject, or the org of the person's post.
    pub org: String,
    /// The person (id), for a person.
    pub person: String,
    /// The post (id) the person held, for a person.
    pub post: String,
    /// First day of the period the facts concern, `YYYY-MM-DD`.
    pub period_from: String,
    /// Last day, `YYYY-MM-DD`.
    pub period_to: String,
    /// Ground ids (`art5-1` … `art5-9`).
    pub grounds: Vec<String>,
    /// What the case is about (案情概要).
    pub background: String,
    /// The facts to begin with.
    pub facts: Vec<FactDraft>,
}

/// A checked case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFields {
    /// Title.
    pub title: String,
    /// Subject kind.
    pub subject_kind: SubjectKind,
    /// Org id.
    pub org: String,
    /// Person id, for a person.
    pub person: Option<String>,
    /// Post id, for a person.
    pub post: Option<String>,
    /// Period from.
    pub period_from: NaiveDate,
    /// Period to.
    pub period_to: NaiveDate,
    /// Grounds.
    pub grounds: Vec<String>,
    /// What the case is about.
    pub background: String,
}

/// Most facts one request adds.
pub const FACTS_MAX: usize = 100;

/// Checks a fact of a case on `grounds`: `kind`, `reference`, `ground`, `note`.
pub fn check_fact(d: &FactDraft, grounds: &[String], lang: Lang) -> Result<Fact, FieldErrors> {
    let mut e = Errors::new(lang);
    let f = check_fact_into(&mut e, d, grounds);
    e.result(f)
}

fn check_fact_into(e: &mut Errors, d: &FactDraft, grounds: &[String]) -> Option<Fact> {
    let kind = match FactKind::parse(d.kind.trim()) {
        Some(k) => Some(k),
        None => {
            let all: Vec<&str> = FactKind::ALL.iter().map(|k| k.as_str()).collect();
            e.push(
                "fact",
                format!(
                    "事实依据类型「{}」无效，可选：{}",
                    d.kind.trim(),
                    all.join(", ")
                ),
                format!(
                    "fact kind `{}` is not one of: {}",
                    d.kind.trim(),
                    all.join(", ")
                ),
            );
            None
        }
    };
    let reference = d.reference.trim();
    let note = e.text("note", &d.note, kind == Some(FactKind::Document), TEXT_MAX);
    if reference.chars().count() > 100 {
        e.push(
            "fact",
            "事实依据的编号过长".into(),
            "the fact's reference is too long".into(),
        );
    }
    match (kind, reference.is_empty()) {
        (Some(FactKind::Document), false) => e.push(
            "fact",
            "新增材料不引用台账中的记录".into(),
            "a document added to the case refers to nothing in the ledger".into(),
        ),
        (Some(k), true) if k != FactKind::Document => e.push(
            "fact",
            "请选择台账中的记录作为事实依据".into(),
            format!("a fact of kind `{}` names what it links to", k.as_str()),
        ),
        _ => {}
    }
    let ground = match d.ground.trim() {
        "" => None,
        g if grounds.iter().any(|x| x == g) => Some(g.to_string()),
        g => {
            e.push(
                "fact",
                format!("事实依据所涉情形「{g}」不是本案的问责情形"),
                format!("the fact's ground `{g}` is not one of the case's grounds"),
            );
            None
        }
    };
    let indicator = Some(d.indicator.trim().to_string()).filter(|s| !s.is_empty());
    if indicator.as_ref().is_some_and(|i| i.chars().count() > 100) {
        e.push(
            "fact",
            "指标名称过长".into(),
            "the indicator is too long".into(),
        );
    }
    Some(Fact {
        kind: kind?,
        reference: Some(reference.to_string()).filter(|r| !r.is_empty()),
        ground,
        note,
        indicator,
    })
}

/// Checks a case: `title`, `subject_kind`, `org`, `person` and `post` (a person who held the
/// post, of the org's subtree, on some day of the period), `period_from`/`period_to` (in order,
/// not after today), `grounds` (the pack's, at least one), `background`, and each fact.
pub fn check_case(
    d: &CaseDraft,
    model: &OrgModel,
    pack_grounds: &[&str],
    today: NaiveDate,
    lang: Lang,
) -> Result<(CaseFields, Vec<Fact>), FieldErrors> {
    let mut e = Errors::new(lang);
    let title = e.text("title", &d.title, true, TITLE_MAX);
    let kind = match SubjectKind::parse(d.subject_kind.trim()) {
        Some(k) => Some(k),
        None => {
            e.push(
                "subject_kind",
                format!(
                    "问责对象类型「{}」无效，可选：org（党组织）, person（领导干部）",
                    d.subject_kind.trim()
                ),
                format!(
                    "subject kind `{}` is not one of: org, person",
                    d.subject_kind.trim()
                ),
            );
            None
        }
    };
    let org = e.org("org", &d.org, model);
    let from = e.past_date("period_from", &d.period_from, today);
    let to = e.past_date("period_to", &d.period_to, today);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        e.push(
            "period_to",
            format!("相关期间止日 {t} 早于起日 {f}"),
            format!("the period ends ({t}) before it begins ({f})"),
        );
    }
    let (person, post) = match (kind, &org) {
        (Some(SubjectKind::Person), Some(org)) => {
            let person = e.one_person("person", &d.person, model, Some(org));
            let post = d.post.trim();
            match (model.post(post), from, to) {
                _ if post.is_empty() => {
                    e.required("post");
                }
                (None, ..) => e.push(
                    "post",
                    format!("找不到职务「{post}」"),
                    format!("there is no post `{post}`"),
                ),
                (Some(p), ..) if !model.is_within(&p.org, org) => e.push(
                    "post",
                    format!("职务「{}」不属于所选组织", p.title),
                    format!("the post `{}` is not one of the org's", p.title),
                ),
                (Some(p), Some(f), Some(t)) if !person.is_empty() => {
                    let held = model.holdings_of(&p.id).any(|h| {
                        h.person == person && h.start <= t && h.end.is_none_or(|x| x >= f)
                    });
                    if !held {
                        let name = model.person(&person).map_or(person.as_str(), |x| &x.name);
                        e.push(
                            "post",
                            format!("{name} 在 {f} 至 {t} 期间未担任「{}」", p.title),
                            format!("{name} did not hold `{}` between {f} and {t}", p.title),
                        );
                    }
                }
                _ => {}
            }
            (Some(person), Some(post.to_string()))
        }
        _ => (None, None),
    };
    let mut grounds: Vec<String> = Vec::new();
    for g in d.grounds.iter().map(|g| g.trim()).filter(|g| !g.is_empty()) {
        if !pack_grounds.contains(&g) {
            e.push(
                "grounds",
                format!(
                    "问责情形「{g}」不在制度中，可选：{}",
                    pack_grounds.join(", ")
                ),
                format!(
                    "ground `{g}` is not one of the policy's: {}",
                    pack_grounds.join(", ")
                ),
            );
        } else if !grounds.iter().any(|x| x == g) {
            grounds.push(g.to_string());
        }
    }
    if d.grounds.iter().all(|g| g.trim().is_empty()) {
        e.required("grounds");
    }
    if grounds.len() > GROUNDS_MAX {
        e.push(
            "grounds",
            format!("问责情形不能超过 {GROUNDS_MAX} 项"),
            format!("at most {GROUNDS_MAX} grounds"),
        );
    }
    let background = e.text("background", &d.background, true, TEXT_MAX);
    if d.facts.len() > FACTS_MAX {
        e.push(
            "fact",
            format!("一次最多添加 {FACTS_MAX} 项事实依据"),
            format!("at most {FACTS_MAX} facts at a time"),
        );
    }
    let facts: Vec<Fact> = d
        .facts
        .iter()
        .take(FACTS_MAX)
        .filter_map(|f| check_fact_into(&mut e, f, &grounds))
        .collect();
    let valid = match (kind, org, from, to) {
        (Some(subject_kind), Some(org), Some(period_from), Some(period_to)) => Some((
            CaseFields {
                title,
                subject_kind,
                org,
                person: person.filter(|p| !p.is_empty()),
                post: post.filter(|p| !p.is_empty()),
                period_from,
                period_to,
                grounds,
                background,
            },
            facts,
        )),
        _ => None,
    };
    e.result(valid)
}

/// Checks a reason (a decline, a lapse note, an addendum, a note): required, at most
/// [`TEXT_MAX`] characters, in `field`.
pub fn check_text(field: &str, text: &str, lang: Lang) -> Result<String, FieldErrors> {
    let mut e = Errors::new(lang);
    let t = e.text(field, text, true, TEXT_MAX);
    e.result(Some(t))
}

/// The invitation to state one's case: what is put to the respondent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InvitationDraft {
    /// The facts and grounds put to the respondent, in words.
    pub invitation: String,
    /// For an org, the person who answers for it (default: its first responsible person).
    pub respondent: String,
}

/// A ground's finding as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FindingDraft {
    /// The ground.
    pub ground: String,
    /// `upheld` or `not-upheld`.
    pub finding: String,
    /// Why.
    pub reason: String,
}

/// A checked finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The ground.
    pub ground: String,
    /// Upheld.
    pub upheld: bool,
    /// Why.
    pub reason: String,
}

/// A decision as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionDraft {
    /// One finding per ground of the case.
    pub findings: Vec<FindingDraft>,
    /// The forms of accountability (ids).
    pub forms: Vec<String>,
    /// The deciding body (default: the pack's).
    pub deciding_body: String,
    /// The document number (e.g. 重大纪〔2026〕3号), optional.
    pub document_number: String,
    /// The day decided, `YYYY-MM-DD`.
    pub decided_on: String,
    /// The decision's text.
    pub decision_text: String,
}

/// A checked decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Findings, in the case's order of grounds.
    pub findings: Vec<Finding>,
    /// Forms.
    pub forms: Vec<String>,
    /// Deciding body.
    pub deciding_body: String,
    /// Document number.
    pub document_number: Option<String>,
    /// Day.
    pub decided_on: NaiveDate,
    /// Text.
    pub decision_text: String,
}

/// Checks a decision on `case`, whose statement step completed on `statement_done` (the
/// statement's day, or the lapse's): a finding with a reason for every ground and no other, forms
/// the pack allows for the subject's kind (at least one when a ground is upheld, none when
/// none is), the day not before the statement step and not after today.
pub fn check_decision(
    d: &DecisionDraft,
    case: &CaseFields,
    rules: &CaseRules,
    statement_done: NaiveDate,
    today: NaiveDate,
    lang: Lang,
) -> Result<Decision, FieldErrors> {
    let mut e = Errors::new(lang);
    let mut findings = Vec::new();
    for f in &d.findings {
        let g = f.ground.trim();
        if !case.grounds.iter().any(|x| x == g) {
            e.push(
                "finding",
                format!("「{g}」不是本案的问责情形"),
                format!("`{g}` is not one of the case's grounds"),
            );
        }
    }
    for g in &case.grounds {
        let mine: Vec<&FindingDraft> = d.findings.iter().filter(|f| f.ground.trim() == g).collect();
        let Some(f) = mine.first() else {
            e.push(
                "finding",
                format!("请对问责情形 {g} 作出认定"),
                format!("give a finding on ground {g}"),
            );
            continue;
        };
        if mine.len() > 1 {
            e.push(
                "finding",
                format!("问责情形 {g} 只能有一项认定"),
                format!("one finding on ground {g}"),
            );
        }
        let upheld = match f.finding.trim() {
            "upheld" => Some(true),
            "not-upheld" => Some(false),
            other => {
                e.push(
                    "finding",
                    format!("问责情形 {g} 的认定「{other}」无效，可选：upheld（成立）, not-upheld（不成立）"),
                    format!("the finding on ground {g}, `{other}`, is not one of: upheld, not-upheld"),
                );
                None
            }
        };
        let reason = f.reason.trim();
        if reason.is_empty() {
            e.push(
                "finding",
                format!("请写明问责情形 {g} 认定的理由"),
                format!("give the reason for the finding on ground {g}"),
            );
        } else if reason.chars().count() > TEXT_MAX {
            e.push(
                "finding",
                format!("问责情形 {g} 的认定理由不能超过 {TEXT_MAX} 个字符"),
                format!("the reason on ground {g} must be at most {TEXT_MAX} characters"),
            );
        }
        if let Some(upheld) = upheld {
            findings.push(Finding {
                ground: g.clone(),
                upheld,
                reason: reason.to_string(),
            });
        }
    }
    let forms = check_forms(&mut e, &d.forms, case.subject_kind, rules);
    let any_upheld = findings.iter().any(|f| f.upheld);
    if findings.len() == case.grounds.len() {
        if any_upheld && forms.is_empty() && d.forms.iter().all(|f| f.trim().is_empty()) {
            e.push(
                "forms",
                "认定问责情形成立的，请选择问责方式".into(),
                "a ground is upheld: choose the form(s) of accountability".into(),
            );
        }
        if !any_upheld && !forms.is_empty() {
            e.push(
                "forms",
                "问责情形均不成立的，不能给予问责".into(),
                "no ground is upheld: no form of accountability applies".into(),
            );
        }
    }
    let deciding_body = match d.deciding_body.trim() {
        "" => rules.deciding_body.clone(),
        b => e.text("deciding_body", b, true, TITLE_MAX),
    };
    let document_number = e.text("document_number", &d.document_number, false, 100);
    let decided_on = e.past_date("decided_on", &d.decided_on, today);
    if let Some(day) = decided_on
        && day < statement_done
    {
        e.push(
            "decided_on",
            format!("决定日期 {day} 早于陈述申辩环节完成之日 {statement_done}"),
            format!(
                "the decision ({day}) is before the statement step completed ({statement_done})"
            ),
        );
    }
    let decision_text = e.text("decision_text", &d.decision_text, true, TEXT_MAX);
    e.result(decided_on.map(|decided_on| Decision {
        findings,
        forms,
        deciding_body,
        document_number: Some(document_number).filter(|n| !n.is_empty()),
        decided_on,
        decision_text,
    }))
}

/// The forms of `ids`, each the pack's and allowed for `kind`, each once.
fn check_forms(
    e: &mut Errors,
    ids: &[String],
    kind: SubjectKind,
    rules: &CaseRules,
) -> Vec<String> {
    let allowed: Vec<&str> = rules.forms_for(kind).map(|f| f.id.as_str()).collect();
    let mut out: Vec<String> = Vec::new();
    for id in ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match rules.form(id) {
            None => e.push(
                "forms",
                format!("问责方式「{id}」不在制度中，可选：{}", allowed.join(", ")),
                format!(
                    "form `{id}` is not one of the policy's; use one of: {}",
                    allowed.join(", ")
                ),
            ),
            Some(f) if !f.subjects.contains(&kind) => {
                let whom = match kind {
                    SubjectKind::Org => e.lang().pick("党组织", "an organisation"),
                    SubjectKind::Person => e.lang().pick("领导干部", "a cadre"),
                };
                e.push(
                    "forms",
                    format!(
                        "问责方式「{}」不适用于{whom}，可选：{}",
                        f.name,
                        allowed.join(", ")
                    ),
                    format!(
                        "form `{}` does not apply to {whom}; use one of: {}",
                        f.id,
                        allowed.join(", ")
                    ),
                );
            }
            Some(_) if !out.iter().any(|x| x == id) => out.push(id.to_string()),
            Some(_) => {}
        }
    }
    out
}

/// The decision on an appeal as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppealDecisionDraft {
    /// `upheld` (the decision stands), `varied` (changed) or `revoked` (withdrawn).
    pub outcome: String,
    /// Why.
    pub reason: String,
    /// For `varied`, the forms that now apply.
    pub forms: Vec<String>,
    /// The day decided, `YYYY-MM-DD`.
    pub decided_on: String,
}

/// What an appeal came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppealOutcome {
    /// 维持原决定.
    Upheld,
    /// 变更.
    Varied,
    /// 撤销.
    Revoked,
}

impl AppealOutcome {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AppealOutcome::Upheld => "upheld",
            AppealOutcome::Varied => "varied",
            AppealOutcome::Revoked => "revoked",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<AppealOutcome> {
        [
            AppealOutcome::Upheld,
            AppealOutcome::Varied,
            AppealOutcome::Revoked,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }

    /// Its name in `lang`.
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            AppealOutcome::Upheld => lang.pick("维持原决定", "decision upheld"),
            AppealOutcome::Varied => lang.pick("变更原决定", "decision varied"),
            AppealOutcome::Revoked => lang.pick("撤销原决定", "decision revoked"),
        }
    }
}

/// A checked appeal decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealDecision {
    /// Outcome.
    pub outcome: AppealOutcome,
    /// Why.
    pub reason: String,
    /// Forms that now apply (varied only).
    pub forms: Vec<String>,
    /// Day.
    pub decided_on: NaiveDate,
}

/// Checks an appeal decision on a case about `kind`, lodged on `lodged_on`.
pub fn check_appeal_decision(
    d: &AppealDecisionDraft,
    kind: SubjectKind,
    rules: &CaseRules,
    lodged_on: NaiveDate,
    today: NaiveDate,
    lang: Lang,
) -> Result<AppealDecision, FieldErrors> {
    let mut e = Errors::new(lang);
    let outcome = AppealOutcome::parse(d.outcome.trim());
    if outcome.is_none() {
        e.push(
            "appeal_outcome",
            format!(
                "复查结果「{}」无效，可选：upheld（维持）, varied（变更）, revoked（撤销）",
                d.outcome.trim()
            ),
            format!(
                "outcome `{}` is not one of: upheld, varied, revoked",
                d.outcome.trim()
            ),
        );
    }
    let reason = e.text("reason", &d.reason, true, TEXT_MAX);
    let forms = check_forms(&mut e, &d.forms, kind, rules);
    match outcome {
        Some(AppealOutcome::Varied) if forms.is_empty() => e.push(
            "forms",
            "变更原决定的，请选择变更后的问责方式".into(),
            "a varied decision names the forms that now apply".into(),
        ),
        Some(AppealOutcome::Upheld | AppealOutcome::Revoked) if !forms.is_empty() => e.push(
            "forms",
            "仅变更原决定时选择问责方式".into(),
            "forms are chosen only when the decision is varied".into(),
        ),
        _ => {}
    }
    let decided_on = e.past_date("decided_on", &d.decided_on, today);
    if let Some(day) = decided_on
        && day < lodged_on
    {
        e.push(
            "decided_on",
            format!("复查日期 {day} 早于申诉日期 {lodged_on}"),
            format!("the appeal is decided ({day}) before it was lodged ({lodged_on})"),
        );
    }
    e.result(match (outcome, decided_on) {
        (Some(outcome), Some(decided_on)) => Some(AppealDecision {
            outcome,
            reason,
            forms,
            decided_on,
        }),
        _ => None,
    })
}

/// A remediation task as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskDraft {
    /// What is to be put right.
    pub title: String,
    /// Who owns it (person id, of the case's org).
    pub owner: String,
    /// By when, `YYYY-MM-DD`.
    pub deadline: String,
}

/// A checked remediation task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFields {
    /// Title.
    pub title: String,
    /// Owner's person id.
    pub owner: String,
    /// Deadline.
    pub deadline: NaiveDate,
}

/// Checks a remediation task of a case of `org`: the owner a person of its subtree, the deadline
/// from today to [`DEADLINE_MAX_DAYS`] on.
pub fn check_task(
    d: &TaskDraft,
    org: &str,
    model: &OrgModel,
    today: NaiveDate,
    lang: Lang,
) -> Result<TaskFields, FieldErrors> {
    let mut e = Errors::new(lang);
    let title = e.text("title", &d.title, true, TASK_TITLE_MAX);
    let owner = e.one_person("owner", &d.owner, model, Some(org));
    let deadline = e.date("deadline", &d.deadline);
    let latest = crate::period::add_days(today, DEADLINE_MAX_DAYS);
    match deadline {
        Some(day) if day < today => e.push(
            "deadline",
            format!("完成时限 {day} 早于今天（{today}）"),
            format!("the deadline {day} is before today ({today})"),
        ),
        Some(day) if day > latest => e.push(
            "deadline",
            format!("完成时限不能晚于 {latest}"),
            format!("the deadline cannot be after {latest}"),
        ),
        _ => {}
    }
    e.result(deadline.map(|deadline| TaskFields {
        title,
        owner,
        deadline,
    }))
}

/// Why a step of remediation is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    /// Only the owner reports the task done.
    NotTheOwner,
    /// The owner does not verify their own task.
    OwnTask,
    /// The task is not reported done (nothing to verify), or is verified already.
    NotAwaitingVerification,
    /// The task is verified; it is not reported again.
    Verified,
}

impl TaskError {
    /// The message in `lang`, naming the rule.
    pub fn message(&self, lang: Lang) -> String {
        lang.pick(
            match self {
                TaskError::NotTheOwner => "整改完成情况由整改责任人本人报告",
                TaskError::OwnTask => "整改责任人不能核验本人的整改任务，须由他人核验",
                TaskError::NotAwaitingVerification => "该整改任务尚未报告完成，或已核验",
                TaskError::Verified => "该整改任务已核验，不能再次报告",
            },
            match self {
                TaskError::NotTheOwner => "the task's owner reports it done",
                TaskError::OwnTask => {
                    "the owner does not verify their own task: someone else verifies it"
                }
                TaskError::NotAwaitingVerification => {
                    "the task is not reported done, or is verified already"
                }
                TaskError::Verified => "the task is verified; it is not reported again",
            },
        )
        .into()
    }
}

/// Whether `person` may report a task owned by `owner` done (`verified`: it is already).
pub fn check_report(owner: &str, person: Option<&str>, verified: bool) -> Result<(), TaskError> {
    if verified {
        return Err(TaskError::Verified);
    }
    match person {
        Some(p) if p == owner => Ok(()),
        _ => Err(TaskError::NotTheOwner),
    }
}

/// Whether `person` may verify a task owned by `owner` (`reported`: it is reported done and not
/// verified yet).
pub fn check_verification(
    owner: &str,
    person: Option<&str>,
    reported: bool,
) -> Result<(), TaskError> {
    if !reported {
        return Err(TaskError::NotAwaitingVerification);
    }
    if person == Some(owner) {
        return Err(TaskError::OwnTask);
    }
    Ok(())
}

/// Days before its deadline a remediation task's owner is reminded (once).
pub const TASK_REMIND_DAYS: u32 = 7;

/// What a remediation task not verified asks to be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskNotice {
    /// Its owner: the deadline is near and it is not reported done.
    Due,
    /// Its owner: the deadline passed and it is not verified.
    Overdue,
    /// Whoever set it: it is overdue by the pack's escalation days and not verified.
    Escalate,
}

impl TaskNotice {
    /// The notification's kind.
    pub fn kind(self) -> &'static str {
        match self {
            TaskNotice::Due => "case-task-due",
            TaskNotice::Overdue => "case-task-overdue",
            TaskNotice::Escalate => "case-task-escalate",
        }
    }
}

/// A remediation task as the reminders see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskStanding {
    /// Its deadline.
    pub deadline: NaiveDate,
    /// Reported done (waiting for verification).
    pub reported: bool,
    /// Verified.
    pub verified: bool,
    /// Already told: reminded, overdue, escalated.
    pub told: (bool, bool, bool),
}

/// What a remediation task asks to be told on `today`, like an obligation: its owner a week
/// before the deadline (unless reported done) and once it passes, whoever set it once it is
/// `escalate_after` days overdue — each once, nothing once verified.
pub fn task_notices(t: &TaskStanding, today: NaiveDate, escalate_after: u32) -> Vec<TaskNotice> {
    if t.verified {
        return Vec::new();
    }
    let mut out = Vec::new();
    let (reminded, overdue, escalated) = t.told;
    let late = (today - t.deadline).num_days();
    if !reminded && !t.reported && late <= 0 && -late <= i64::from(TASK_REMIND_DAYS) {
        out.push(TaskNotice::Due);
    }
    if !overdue && late > 0 {
        out.push(TaskNotice::Overdue);
    }
    if !escalated && late > i64::from(escalate_after) {
        out.push(TaskNotice::Escalate);
    }
    out
}

/// An investigation task as typed in: what is to be found out, by whom, by when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InquiryDraft {
    /// What is to be done (调查核实的事项).
    pub text: String,
    /// Who does it (person id).
    pub assignee: String,
    /// By when, `YYYY-MM-DD`.
    pub due: String,
}

/// A checked investigation task: the text, the assignee's id, the day due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inquiry {
    /// What is to be done.
    pub text: String,
    /// Who.
    pub assignee: String,
    /// By when.
    pub due: NaiveDate,
}

/// Checks an investigation task: `note` (its text), `assignee` (a person), `due` (today or
/// later, within [`DEADLINE_MAX_DAYS`]).
pub fn check_inquiry(
    d: &InquiryDraft,
    model: &OrgModel,
    today: NaiveDate,
    lang: Lang,
) -> Result<Inquiry, FieldErrors> {
    let mut e = Errors::new(lang);
    let text = e.text("note", &d.text, true, TASK_TITLE_MAX);
    let assignee = e.one_person("assignee", &d.assignee, model, None);
    let due = e.date("due", &d.due);
    let latest = crate::period::add_days(today, DEADLINE_MAX_DAYS);
    match due {
        Some(day) if day < today => e.push(
            "due",
            format!("完成时限 {day} 早于今天（{today}）"),
            format!("the due day {day} is before today ({today})"),
        ),
        Some(day) if day > latest => e.push(
            "due",
            format!("完成时限不能晚于 {latest}"),
            format!("the due day cannot be after {latest}"),
        ),
        _ => {}
    }
    e.result(due.map(|due| Inquiry {
        text,
        assignee,
        due,
    }))
}
