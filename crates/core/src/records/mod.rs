//! Evidence records as typed in and as validated (Art.4(1)–(3), (5)): committee meetings,
//! situation analyses, training sessions, education activities and directive reports; directives
//! from higher levels with their supervised tasks and reports.
//!
//! A draft holds every field as text so that each problem can be told per field; validation
//! checks it against the org model and the policy pack and yields the valid values, or one
//! message per field in the user's language. Rules only: the caller passes today, nothing is
//! read or written here.

mod defined;
mod directives;
pub(crate) mod validate;

pub use defined::{DefinedRecord, PEOPLE_MAX, ShownField, value_text};
pub use directives::{
    Directive, DirectiveDraft, ReportDraft, Task, TaskDraft, TaskReport, validate_directive,
    validate_report, validate_task,
};
pub use validate::{FieldErrors, field_label, join_messages, validate_record};

use crate::org::OrgModel;
use crate::platforms::AnnualReview;
use crate::policy::{EvidenceOf, PolicyPack, RecordKind};
use crate::vocab::EvidenceKind;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// The kinds of record this area keeps (the other evidence kinds belong to platforms, incidents,
/// events and assessments).
pub const RECORD_KINDS: [EvidenceKind; 6] = [
    EvidenceKind::CommitteeMeeting,
    EvidenceKind::SituationAnalysis,
    EvidenceKind::TrainingSession,
    EvidenceKind::EducationActivity,
    EvidenceKind::DirectiveReport,
    EvidenceKind::RectificationReport,
];

/// Longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest free text (minutes, findings, …), in characters.
pub const TEXT_MAX: usize = 100_000;
/// Most hours one training session may count.
pub const HOURS_MAX: f64 = 1000.0;
/// Largest audience of one education activity.
pub const COUNT_MAX: u32 = 1_000_000;

// ------------------------------------------------------------------------------------------
// What a record says
// ------------------------------------------------------------------------------------------

/// One agenda item of a committee meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// What was discussed.
    pub title: String,
    /// Topic tags from the pack (e.g. `online-ideology`).
    pub topics: Vec<String>,
}

/// The fields of each kind of record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RecordDetails {
    /// 党委会会议记录.
    CommitteeMeeting {
        /// People present (person ids of the org's subtree).
        attendees: Vec<String>,
        /// People absent.
        absentees: Vec<String>,
        /// Agenda items with their topic tags.
        agenda: Vec<AgendaItem>,
        /// Minutes.
        minutes: String,
        /// Decisions taken.
        decisions: String,
    },
    /// 分析研判报告.
    SituationAnalysis {
        /// The period covered, as a period key (`2026-Q3`).
        covers: String,
        /// Author (person id).
        author: String,
        /// Findings.
        findings: String,
        /// Measures.
        measures: String,
    },
    /// 培训记录.
    TrainingSession {
        /// Trainer (name; often from outside the org).
        trainer: String,
        /// People trained (person ids).
        attendees: Vec<String>,
        /// Length in hours.
        hours: f64,
    },
    /// 教育活动记录 (Art.4(5)).
    EducationActivity {
        /// Who it was for (e.g. 2025级本科生).
        audience: String,
        /// How many took part.
        count: u32,
        /// What it was about.
        content: String,
    },
    /// 上级部署落实情况报告.
    DirectiveReport {
        /// The directive reported on.
        directive: String,
        /// The report.
        text: String,
    },
    /// 整改情况报告: how a rectification task an annual review opened was done.
    RectificationReport {
        /// The rectification task reported on.
        rectification: String,
        /// The report.
        text: String,
    },
    /// 年审记录: a platform's annual review (recorded from the platform's page).
    AnnualReview(AnnualReview),
    /// A record of a kind the pack defines.
    Defined(DefinedRecord),
}

impl RecordDetails {
    /// The evidence kind.
    pub fn kind(&self) -> EvidenceOf {
        let builtin = match self {
            RecordDetails::CommitteeMeeting { .. } => EvidenceKind::CommitteeMeeting,
            RecordDetails::SituationAnalysis { .. } => EvidenceKind::SituationAnalysis,
            RecordDetails::TrainingSession { .. } => EvidenceKind::TrainingSession,
            RecordDetails::EducationActivity { .. } => EvidenceKind::EducationActivity,
            RecordDetails::DirectiveReport { .. } => EvidenceKind::DirectiveReport,
            RecordDetails::RectificationReport { .. } => EvidenceKind::RectificationReport,
            RecordDetails::AnnualReview(_) => EvidenceKind::AnnualReview,
            RecordDetails::Defined(r) => return EvidenceOf::Pack(r.definition.id.clone()),
        };
        EvidenceOf::Builtin(builtin)
    }

    /// The record of a pack-defined kind, if it is one.
    pub fn defined(&self) -> Option<&DefinedRecord> {
        match self {
            RecordDetails::Defined(r) => Some(r),
            _ => None,
        }
    }

    /// Topic tags of all agenda items, each once.
    pub fn topics(&self) -> Vec<String> {
        match self {
            RecordDetails::CommitteeMeeting { agenda, .. } => {
                unique(agenda.iter().flat_map(|a| a.topics.iter().cloned()))
            }
            _ => Vec::new(),
        }
    }

    /// People who took part.
    pub fn attendees(&self) -> Vec<String> {
        match self {
            RecordDetails::CommitteeMeeting { attendees, .. }
            | RecordDetails::TrainingSession { attendees, .. } => attendees.clone(),
            RecordDetails::Defined(r) => r.people(),
            _ => Vec::new(),
        }
    }

    /// The period covered (analyses).
    pub fn covers(&self) -> Option<String> {
        match self {
            RecordDetails::SituationAnalysis { covers, .. } => Some(covers.clone()),
            _ => None,
        }
    }

    /// The event the record is about (directive reports, rectification reports).
    pub fn event(&self) -> Option<String> {
        match self {
            RecordDetails::DirectiveReport { directive, .. } => Some(directive.clone()),
            RecordDetails::RectificationReport { rectification, .. } => Some(rectification.clone()),
            _ => None,
        }
    }

    /// The platforms the record is about (annual reviews, platform fields of pack-defined
    /// records).
    pub fn platforms(&self) -> Vec<String> {
        match self {
            RecordDetails::AnnualReview(r) => vec![r.platform.clone()],
            RecordDetails::Defined(r) => r.platforms(),
            _ => Vec::new(),
        }
    }

    /// The annual review, if it is one.
    pub fn review(&self) -> Option<&AnnualReview> {
        match self {
            RecordDetails::AnnualReview(r) => Some(r),
            _ => None,
        }
    }
}

/// Hours without a trailing `.0` (`2`, `1.5`).
pub fn format_hours(h: f64) -> String {
    if h.fract() == 0.0 && h.abs() < 1e15 {
        format!("{}", h as i64)
    } else {
        format!("{h}")
    }
}

/// Unique values, in the order first seen.
pub fn unique(values: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    values
        .into_iter()
        .filter(|v| seen.insert(v.clone()))
        .collect()
}

// ------------------------------------------------------------------------------------------
// What a record is typed in as
// ------------------------------------------------------------------------------------------

/// A record as typed in: every field as text, so that each problem can be told per field.
/// The JSON API takes the same names (numbers may be given as numbers).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordDraft {
    /// Evidence kind (`committee-meeting`, …).
    pub kind: String,
    /// Org code or id.
    pub org: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Title.
    pub title: String,
    /// Person ids (meetings, trainings).
    pub attendees: Vec<String>,
    /// Person ids (meetings).
    pub absentees: Vec<String>,
    /// Agenda items (meetings).
    pub agenda: Vec<AgendaDraft>,
    /// Minutes (meetings).
    pub minutes: String,
    /// Decisions (meetings).
    pub decisions: String,
    /// Period key (analyses).
    pub covers: String,
    /// Person id (analyses).
    pub author: String,
    /// Findings (analyses).
    pub findings: String,
    /// Measures (analyses).
    pub measures: String,
    /// Trainer (trainings).
    pub trainer: String,
    /// Hours (trainings).
    #[serde(deserialize_with = "number_or_text")]
    pub hours: String,
    /// Audience (education activities).
    pub audience: String,
    /// Number of participants (education activities).
    #[serde(deserialize_with = "number_or_text")]
    pub count: String,
    /// Content (education activities).
    pub content: String,
    /// Directive id (directive reports).
    pub directive: String,
    /// Rectification task id (rectification reports).
    pub rectification: String,
    /// Report text (directive reports).
    pub text: String,
    /// Values by field id (records of pack-defined kinds).
    pub values: BTreeMap<String, Value>,
    /// How many files come with the record (what its attachment field holds); set by the
    /// caller, never read from input.
    #[serde(skip)]
    pub files: usize,
}

impl RecordDraft {
    /// The draft of a record's values, for amendment forms and partial updates: validating it
    /// gives the same values back.
    pub fn of(
        kind: &EvidenceOf,
        org: &str,
        date: NaiveDate,
        title: &str,
        details: &RecordDetails,
    ) -> RecordDraft {
        let mut d = RecordDraft {
            kind: kind.as_str().to_string(),
            org: org.to_string(),
            date: date.format("%Y-%m-%d").to_string(),
            title: title.to_string(),
            ..RecordDraft::default()
        };
        match details {
            RecordDetails::CommitteeMeeting {
                attendees,
                absentees,
                agenda,
                minutes,
                decisions,
            } => {
                d.attendees = attendees.clone();
                d.absentees = absentees.clone();
                d.agenda = agenda
                    .iter()
                    .map(|a| AgendaDraft {
                        title: a.title.clone(),
                        topics: a.topics.clone(),
                    })
                    .collect();
                d.minutes = minutes.clone();
                d.decisions = decisions.clone();
            }
            RecordDetails::SituationAnalysis {
                covers,
                author,
                findings,
                measures,
            } => {
                d.covers = covers.clone();
                d.author = author.clone();
                d.findings = findings.clone();
                d.measures = measures.clone();
            }
            RecordDetails::TrainingSession {
                trainer,
                attendees,
                hours,
            } => {
                d.trainer = trainer.clone();
                d.attendees = attendees.clone();
                d.hours = format_hours(*hours);
            }
            RecordDetails::EducationActivity {
                audience,
                count,
                content,
            } => {
                d.audience = audience.clone();
                d.count = count.to_string();
                d.content = content.clone();
            }
            RecordDetails::DirectiveReport { directive, text } => {
                d.directive = directive.clone();
                d.text = text.clone();
            }
            RecordDetails::RectificationReport {
                rectification,
                text,
            } => {
                d.rectification = rectification.clone();
                d.text = text.clone();
            }
            // A review is recorded and kept from its platform's page: it has no draft here.
            RecordDetails::AnnualReview(_) => {}
            RecordDetails::Defined(r) => d.values = r.values.clone(),
        }
        d
    }
}

/// An agenda item as typed in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgendaDraft {
    /// What is discussed.
    pub title: String,
    /// Topic ids.
    pub topics: Vec<String>,
}

/// Reads a number given as a JSON number or as text.
pub fn number_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::de::Error as _;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(other) => Err(D::Error::custom(format!(
            "invalid type: expected a number, found {other}"
        ))),
    }
}

/// A record that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRecord {
    /// Kind.
    pub kind: EvidenceOf,
    /// Org id.
    pub org: String,
    /// Day.
    pub date: NaiveDate,
    /// Title.
    pub title: String,
    /// Fields.
    pub details: RecordDetails,
}

impl ValidRecord {
    /// The draft that validates back to these values.
    pub fn draft(&self) -> RecordDraft {
        RecordDraft::of(&self.kind, &self.org, self.date, &self.title, &self.details)
    }
}

/// What validation checks a draft against.
pub struct RecordContext<'a> {
    /// The org model (people, orgs).
    pub model: &'a OrgModel,
    /// The policy in force (topics).
    pub pack: &'a PolicyPack,
    /// Today in Asia/Shanghai.
    pub today: NaiveDate,
    /// The directive a report names, when it exists: (org id, received on).
    pub directive: Option<(String, NaiveDate)>,
    /// The rectification task a report names, when it exists: (org id, opened on).
    pub rectification: Option<(String, NaiveDate)>,
    /// The definition a record of a pack-defined kind is made under, with the id of the pack
    /// version that defines it: the one in force today for a new record, the record's own for
    /// an amendment.
    pub defined: Option<(&'a str, &'a RecordKind)>,
}

#[cfg(test)]
mod tests;
