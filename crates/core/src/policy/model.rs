//! The policy pack as data: what a 责任制实施细则 says, in a form the ledger computes from.

use crate::citation::Citation;
use crate::period::Cadence;
use crate::vocab::{EventForm, EventKind, EvidenceKind, OrgKind, PlatformKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One version of a policy, parsed and validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyPack {
    /// Identity and dates of this version.
    pub meta: PolicyMeta,
    /// Reminder and escalation schedule.
    pub reminders: ReminderRules,
    /// Agenda topics that committee meetings can carry.
    pub topics: Vec<Topic>,
    /// Posts the policy speaks of.
    pub post_kinds: Vec<PostKind>,
    /// Kinds of platform the pack adds to those Zeren knows (`[[platform_kinds]]`).
    pub platform_kinds: Vec<PlatformKindDef>,
    /// Portfolios (分管领域).
    pub portfolios: Vec<Portfolio>,
    /// The articles, verbatim.
    pub articles: Vec<Article>,
    /// Duties derived from the articles.
    pub duties: Vec<Duty>,
    /// Grounds for accountability.
    pub grounds: Vec<Ground>,
    /// The annual assessment scheme (Art.7), if the pack has one.
    pub assessment: Option<AssessmentScheme>,
    /// Kinds of record the pack defines for its own duties' evidence.
    pub record_kinds: Vec<RecordKind>,
    /// The checklist of a platform's annual review (年审), if the pack has one.
    pub annual_review: Option<ReviewChecklist>,
    /// How online events are approved, if the pack says.
    pub online_events: Option<EventRules>,
    /// What websites' upkeep asks, if the pack says.
    pub website_maintenance: Option<crate::platforms::website::WebsiteRules>,
    /// How incidents are graded and how fast they are handled, if the pack says.
    pub incidents: Option<crate::incidents::IncidentRules>,
    /// How risk assessments grade risk, if the pack says.
    pub risk_assessment: Option<crate::projects::RiskRules>,
    /// How accountability cases run (Art.6), if the pack says.
    pub accountability: Option<crate::cases::CaseRules>,
}

/// A kind of platform a pack adds to those Zeren knows, e.g. 小红书号: kept like any account
/// (registered by account id, day and registering body).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformKindDef {
    /// The kind (always [`PlatformKind::Declared`]).
    pub kind: PlatformKind,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
}

/// How an online event (报告会、讲座、论坛、直播 …) held on a platform is approved.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct EventRules {
    /// Approval is due at least this many days before the event.
    pub approval_days: u32,
    /// An event expecting at least this audience is major (approved by the first responsible
    /// person); `None`: audience alone never makes it major.
    pub major_audience: Option<u32>,
    /// Forms of event that are always major.
    pub major_forms: Vec<EventForm>,
    /// Whether the event's own responsible person may approve it.
    pub self_approval: bool,
}

impl Default for EventRules {
    fn default() -> EventRules {
        EventRules {
            approval_days: 7,
            major_audience: None,
            major_forms: Vec::new(),
            self_approval: false,
        }
    }
}

/// What a platform's annual review (年审) checks, item by item, and how long a rectification
/// it opens has by default.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ReviewChecklist {
    /// The items, in the order the form asks them.
    pub items: Vec<ReviewItem>,
    /// Days a rectification task has when the reviewer sets no other deadline.
    pub rectification_days: u32,
}

/// One item of the annual review checklist.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ReviewItem {
    /// Stable kebab-case id, unique in the checklist.
    pub id: String,
    /// Chinese text.
    pub title: String,
    /// English text.
    pub title_en: String,
    /// Chinese help.
    pub help: Option<String>,
    /// English help.
    pub help_en: Option<String>,
    /// The kinds of platform it is asked of (empty: every kind).
    pub platform_kinds: Vec<PlatformKind>,
    /// Asked only of platforms with news or opinion functions.
    pub news_function_only: bool,
}

impl ReviewItem {
    /// Whether the item is asked of a platform of `kind`, with news functions or not.
    pub fn applies_to(&self, kind: PlatformKind, news_function: bool) -> bool {
        (self.platform_kinds.is_empty() || self.platform_kinds.contains(&kind))
            && (news_function || !self.news_function_only)
    }
}

impl ReviewChecklist {
    /// The items asked of a platform of `kind`, with news functions or not, in order.
    pub fn items_for(&self, kind: PlatformKind, news_function: bool) -> Vec<&ReviewItem> {
        self.items
            .iter()
            .filter(|i| i.applies_to(kind, news_function))
            .collect()
    }
}

/// Identity, issuer and dates of a policy version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyMeta {
    /// Unique id of this version, e.g. `cqu-mse-2021-6`.
    pub id: String,
    /// Shared by every version of the same policy.
    pub series: String,
    /// Version number within the series, from 1.
    pub version: u32,
    /// 发文字号, e.g. 重大材料委〔2021〕6号.
    pub document_number: String,
    /// Chinese title.
    pub title: String,
    /// English title.
    pub title_en: String,
    /// 发文机关.
    pub issuer: String,
    /// Day the policy was adopted.
    pub adopted_on: NaiveDate,
    /// Body that adopted it (党委会).
    pub adopted_by: Option<String>,
    /// Day it was issued.
    pub issued_on: NaiveDate,
    /// First day in force.
    pub effective_from: NaiveDate,
    /// Last day in force, if the pack says so.
    pub effective_until: Option<NaiveDate>,
    /// Legal basis documents.
    pub legal_basis: Vec<String>,
    /// The issuing notice, verbatim.
    pub notice: Option<String>,
}

/// When reminders go out and when overdue obligations escalate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReminderRules {
    /// An obligation due within this many days is "due soon".
    pub due_soon_days: u32,
    /// Days before the due date on which reminders are sent.
    pub days_before: Vec<u32>,
    /// Days overdue after which the first responsible person is told.
    pub escalate_after_days_overdue: u32,
}

impl Default for ReminderRules {
    fn default() -> Self {
        ReminderRules {
            due_soon_days: 14,
            days_before: vec![30, 7, 1],
            escalate_after_days_overdue: 7,
        }
    }
}

/// An agenda topic tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topic {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
}

/// A kind of post (职务) the policy speaks of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostKind {
    /// Stable id, e.g. `secretary`.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Kinds of orgs that have this post.
    pub org_kinds: Vec<OrgKind>,
    /// At most one holder on any day.
    pub single_holder: bool,
    /// The holder is the first responsible person of the org.
    pub first_responsible: bool,
    /// A leadership-team member who may hold portfolios.
    pub leadership: bool,
    /// The article that makes the holder responsible (for the first responsible post, the one
    /// naming the 第一责任人); cited in chains of reasons.
    pub established_by: Option<Citation>,
}

/// A portfolio (分管领域).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Portfolio {
    /// Stable id, e.g. `publicity`.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// The article that makes the leader holding it answer for it (一岗双责); cited in chains.
    pub established_by: Option<Citation>,
}

/// An article, verbatim, with its numbered items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Article {
    /// Article number from 1.
    pub number: u32,
    /// The text (for an article with items, its lead sentence).
    pub text: String,
    /// Numbered items (第（k）项).
    pub items: Vec<ArticleItem>,
}

/// A numbered item of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleItem {
    /// Item number from 1.
    pub number: u32,
    /// The item's text without its （k） marker.
    pub text: String,
}

/// A duty (规定动作) required by one or more articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duty {
    /// Stable kebab-case id.
    pub id: String,
    /// Chinese title.
    pub title: String,
    /// English title.
    pub title_en: String,
    /// Articles that require it (the first is the primary citation).
    pub articles: Vec<Citation>,
    /// What each obligation is about.
    pub subject: Subject,
    /// How often it recurs.
    pub cadence: Cadence,
    /// When each instance is due.
    pub due: DueRule,
    /// Who answers for it.
    pub responsible: Responsible,
    /// Evidence records that discharge it.
    pub evidence: Vec<EvidenceRule>,
    /// Free-text note from the pack author.
    pub note: Option<String>,
}

impl Duty {
    /// The primary citation of the duty.
    pub fn citation(&self) -> Citation {
        self.articles
            .first()
            .copied()
            .unwrap_or(Citation::article(1))
    }
}

/// What one obligation of a duty is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Subject {
    /// Each org of the given kinds.
    Org {
        /// Kinds of orgs that owe the duty.
        org_kinds: Vec<OrgKind>,
    },
    /// Each official platform (optionally filtered).
    Platform {
        /// Kinds of platforms; empty means all.
        platform_kinds: Vec<PlatformKind>,
        /// Only platforms with news/opinion functions.
        news_function_only: bool,
    },
    /// Each person holding one of the posts.
    Post {
        /// Post kind ids.
        posts: Vec<String>,
    },
    /// Each person who operates a running platform (optionally of the given kinds): a
    /// platform's operators owe it from the day it went active, whatever post they hold.
    Operator {
        /// Kinds of platforms; empty means all.
        platform_kinds: Vec<PlatformKind>,
    },
    /// Each event of a kind.
    Event {
        /// The event kind.
        event: EventKind,
    },
}

/// When an obligation of a duty falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueRule {
    /// On a fixed day of the year (annual cadence).
    By {
        /// Month 1..=12.
        month: u32,
        /// Day of month.
        day: u32,
    },
    /// N days after the period ends.
    DaysAfterPeriodEnd(u32),
    /// N days after the subject started (once cadence).
    DaysAfterStart(u32),
    /// N days after the event.
    DaysAfterEvent(u32),
    /// N days before the event.
    DaysBeforeEvent(u32),
}

/// Who answers for a duty (Art.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum Responsible {
    /// The first responsible person of the org (党委书记).
    FirstResponsible,
    /// The holder of a post of this kind in the org.
    Post(String),
    /// The leadership member holding this portfolio.
    Portfolio(String),
    /// The leadership member holding the portfolio the subject belongs to.
    SubjectPortfolio,
}

/// One kind of evidence record that discharges a duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRule {
    /// Kind of record: one of the product's own, or one the pack defines.
    pub kind: EvidenceOf,
    /// For committee meetings: the agenda must carry this topic.
    pub topic: Option<String>,
}

/// A kind of evidence record: the product's own (typed, with its own forms) or one the pack
/// defines in `[[record_kinds]]`. Serialised as its id either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceOf {
    /// A kind of the product's vocabulary.
    Builtin(EvidenceKind),
    /// A `[[record_kinds]]` entry of the pack, by id.
    Pack(String),
}

impl EvidenceOf {
    /// The id as written in the pack.
    pub fn as_str(&self) -> &str {
        match self {
            EvidenceOf::Builtin(k) => k.as_str(),
            EvidenceOf::Pack(id) => id,
        }
    }

    /// The product's kind, if it is one.
    pub fn builtin(&self) -> Option<EvidenceKind> {
        match self {
            EvidenceOf::Builtin(k) => Some(*k),
            EvidenceOf::Pack(_) => None,
        }
    }
}

impl Serialize for EvidenceOf {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A kind of record the pack defines (e.g. 廉政谈话记录, 安全检查记录): its fields, and what
/// the evidence rule checks when a record of it is offered for an obligation. Records keep the
/// definition of the version they were made under.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RecordKind {
    /// Stable kebab-case id, distinct from the product's evidence kinds.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// The field that dates a record (a required date or date-time field).
    pub date_field: String,
    /// The fields, in form order.
    pub fields: Vec<RecordField>,
    /// What a record must show to discharge an obligation.
    pub checks: Vec<RecordCheck>,
}

impl RecordKind {
    /// The field with this id.
    pub fn field(&self, id: &str) -> Option<&RecordField> {
        self.fields.iter().find(|f| f.id == id)
    }
}

/// One field of a pack-defined record kind.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RecordField {
    /// Stable snake_case or kebab-case id within the kind.
    pub id: String,
    /// Chinese label.
    pub label: String,
    /// English label.
    pub label_en: String,
    /// Chinese help text.
    pub help: Option<String>,
    /// English help text.
    pub help_en: Option<String>,
    /// Whether a record must fill it.
    pub required: bool,
    /// What it holds.
    #[serde(rename = "type")]
    pub kind: FieldType,
}

/// What a record field holds.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "is", rename_all = "kebab-case")]
pub enum FieldType {
    /// One line of text.
    Text,
    /// Long text (minutes, findings).
    LongText,
    /// A day.
    Date,
    /// A day and time (Asia/Shanghai).
    DateTime,
    /// A number, optionally bounded.
    Number {
        /// Smallest allowed.
        min: Option<f64>,
        /// Largest allowed.
        max: Option<f64>,
    },
    /// One of a list.
    Choice {
        /// The choices.
        choices: Vec<Choice>,
    },
    /// One person of the org model.
    Person,
    /// Several people of the org model.
    People,
    /// One org of the tree.
    Org,
    /// One platform (阵地).
    Platform,
    /// Attached files.
    Attachment,
}

impl FieldType {
    /// The spelling in the pack.
    pub fn as_str(&self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::LongText => "long-text",
            FieldType::Date => "date",
            FieldType::DateTime => "date-time",
            FieldType::Number { .. } => "number",
            FieldType::Choice { .. } => "choice",
            FieldType::Person => "person",
            FieldType::People => "people",
            FieldType::Org => "org",
            FieldType::Platform => "platform",
            FieldType::Attachment => "attachment",
        }
    }

    /// Every spelling, for messages.
    pub const NAMES: &'static str = "text, long-text, date, date-time, number, choice, person, people, org, platform, attachment";
}

/// One choice of a choice field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Choice {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
}

/// What the evidence rule checks in a record of a pack-defined kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "check", rename_all = "kebab-case")]
pub enum RecordCheck {
    /// The date field falls within the obligation's period.
    DateInPeriod {
        /// A date or date-time field.
        field: String,
    },
    /// At least `count` people (or files) in the field.
    AtLeast {
        /// A people or attachment field.
        field: String,
        /// How many.
        count: u32,
    },
    /// The field is filled (e.g. an attachment present).
    Present {
        /// Any field.
        field: String,
    },
}

/// A ground for accountability (问责情形).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ground {
    /// Stable id, e.g. `art5-1`.
    pub id: String,
    /// The article item that states it.
    pub article: Citation,
    /// Short Chinese label.
    pub title: String,
    /// Short English label.
    pub title_en: String,
    /// The item's full text.
    pub text: String,
}

/// The annual assessment scheme (Art.7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentScheme {
    /// The article that requires it.
    pub article: Citation,
    /// Procedure steps in order.
    pub procedure: Vec<AssessmentStep>,
    /// Scored indicators.
    pub indicators: Vec<Indicator>,
}

/// A step of the assessment procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentStep {
    /// 自评.
    SelfAssessment,
    /// 审核.
    Review,
    /// 评分.
    Scoring,
    /// 公布.
    Publication,
}

impl AssessmentStep {
    /// The pack spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SelfAssessment => "self-assessment",
            Self::Review => "review",
            Self::Scoring => "scoring",
            Self::Publication => "publication",
        }
    }

    /// Reads the pack spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "self-assessment" => Some(Self::SelfAssessment),
            "review" => Some(Self::Review),
            "scoring" => Some(Self::Scoring),
            "publication" => Some(Self::Publication),
            _ => None,
        }
    }
}

/// A scored assessment indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Stable id.
    pub id: String,
    /// Chinese title.
    pub title: String,
    /// English title.
    pub title_en: String,
    /// Weight out of 100.
    pub weight: f64,
    /// Duties whose obligations it scores.
    pub duties: Vec<String>,
    /// How the score is computed.
    pub method: IndicatorMethod,
}

/// How an indicator turns obligations into a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndicatorMethod {
    /// Share of obligations done.
    CompletionRate,
    /// Share of obligations done by their due date.
    OnTimeRate,
    /// Scored by the reviewer, with a reason (no duties).
    Manual,
}

impl IndicatorMethod {
    /// The pack spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorMethod::CompletionRate => "completion-rate",
            IndicatorMethod::OnTimeRate => "on-time-rate",
            IndicatorMethod::Manual => "manual",
        }
    }

    /// Reads the pack spelling.
    pub fn parse(s: &str) -> Option<IndicatorMethod> {
        match s {
            "completion-rate" => Some(IndicatorMethod::CompletionRate),
            "on-time-rate" => Some(IndicatorMethod::OnTimeRate),
            "manual" => Some(IndicatorMethod::Manual),
            _ => None,
        }
    }
}

impl PolicyPack {
    /// The duty with this id.
    pub fn duty(&self, id: &str) -> Option<&Duty> {
        self.duties.iter().find(|d| d.id == id)
    }

    /// The record kind the pack defines with this id.
    pub fn record_kind(&self, id: &str) -> Option<&RecordKind> {
        self.record_kinds.iter().find(|k| k.id == id)
    }

    /// The post kind with this id.
    pub fn post_kind(&self, id: &str) -> Option<&PostKind> {
        self.post_kinds.iter().find(|p| p.id == id)
    }

    /// Every kind of platform: those Zeren knows, then those the pack declares.
    pub fn platform_kinds(&self) -> Vec<PlatformKind> {
        PlatformKind::built_ins()
            .chain(self.platform_kinds.iter().map(|d| d.kind))
            .collect()
    }

    /// The kind spelled `text`: a kebab-case id, or a kind's Chinese or English name (as a
    /// roster sheet may give it).
    pub fn platform_kind(&self, text: &str) -> Option<PlatformKind> {
        let t = text.trim();
        PlatformKind::parse(t)
            .or_else(|| PlatformKind::built_ins().find(|k| t == k.name_zh()))
            .or_else(|| {
                self.platform_kinds
                    .iter()
                    .find(|d| t == d.kind.as_str() || t == d.name || t == d.name_en)
                    .map(|d| d.kind)
            })
    }

    /// The name of a kind the pack declares, in `lang`; `None` for a built-in kind (its
    /// names are the product's) or one no longer declared.
    pub fn declared_kind_name(&self, kind: PlatformKind, lang: crate::Lang) -> Option<&str> {
        self.platform_kinds
            .iter()
            .find(|d| d.kind == kind)
            .map(|d| lang.pick(&d.name, &d.name_en))
    }

    /// A kind's name in `lang`: the pack's for a declared kind, the Chinese name (or the
    /// kebab-case id in English) for a built-in one.
    pub fn platform_kind_name(&self, kind: PlatformKind, lang: crate::Lang) -> String {
        self.declared_kind_name(kind, lang)
            .unwrap_or_else(|| lang.pick(kind.name_zh(), kind.as_str()))
            .to_string()
    }

    /// The portfolio with this id.
    pub fn portfolio(&self, id: &str) -> Option<&Portfolio> {
        self.portfolios.iter().find(|p| p.id == id)
    }

    /// The first-responsible post kind for orgs of this kind.
    pub fn first_responsible_kind(&self, org_kind: OrgKind) -> Option<&PostKind> {
        self.post_kinds
            .iter()
            .find(|p| p.first_responsible && p.org_kinds.contains(&org_kind))
    }

    /// The text a citation points to, if it exists.
    pub fn cited_text(&self, c: Citation) -> Option<&str> {
        let article = self.articles.iter().find(|a| a.number == c.article)?;
        match c.item {
            None => Some(&article.text),
            Some(k) => article
                .items
                .iter()
                .find(|i| i.number == k)
                .map(|i| i.text.as_str()),
        }
    }

    /// Whether the policy version is in force on `day`.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        day >= self.meta.effective_from && self.meta.effective_until.is_none_or(|u| day <= u)
    }
}
