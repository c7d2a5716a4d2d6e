//! Whether an evidence record discharges an obligation: the duty's evidence rules from the pack,
//! applied to the facts of the record. The message of a refusal names the rule that failed.

use crate::lang::Lang;
use crate::obligation::SubjectKind;
use crate::period::Period;
use crate::policy::{Duty, EvidenceOf, EvidenceRule, RecordCheck, RecordKind};
use chrono::NaiveDate;

/// What an obligation is, as far as evidence matching needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ObligationFacts<'a> {
    /// The duty.
    pub duty: &'a Duty,
    /// The org that owes it.
    pub org: &'a str,
    /// Subject kind.
    pub subject_kind: SubjectKind,
    /// Subject id (org, platform, person or event id).
    pub subject: &'a str,
    /// Period key (`2026`, `2026-Q3`, `once`, an event day).
    pub period: &'a str,
    /// The record kinds of the duty's pack (to name them in messages).
    pub record_kinds: &'a [RecordKind],
}

/// What a record says, as far as evidence matching needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordFacts {
    /// Kind of record; `None` never matches.
    pub kind: Option<EvidenceOf>,
    /// The org the record belongs to.
    pub org: String,
    /// The day it happened (meeting, session, report date).
    pub date: Option<NaiveDate>,
    /// Agenda topics (committee meetings).
    pub topics: Vec<String>,
    /// The period a report covers (situation analyses), as a period key.
    pub covers: Option<String>,
    /// Platforms the record is about (registration, annual review).
    pub platforms: Vec<String>,
    /// People who took part (trainings).
    pub attendees: Vec<String>,
    /// Event the record is about (incidents, directives, risk assessments).
    pub event: Option<String>,
    /// Of a record of a pack-defined kind: what its definition's checks read.
    pub defined: Option<DefinedFacts>,
}

/// What the checks of a pack-defined record kind read of one record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DefinedFacts {
    /// The checks of the definition the record was made under.
    pub checks: Vec<RecordCheck>,
    /// Each field's day and count.
    pub fields: Vec<FieldFacts>,
}

/// One field of a pack-defined record, as its checks read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFacts {
    /// Field id.
    pub id: String,
    /// Chinese label.
    pub label: String,
    /// English label.
    pub label_en: String,
    /// The day, for a filled date or date-time field.
    pub date: Option<NaiveDate>,
    /// How many values (people, files; 1 for any other filled field, 0 when empty).
    pub count: usize,
}

/// Why a record does not discharge an obligation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The duty asks for other kinds of records.
    Kind {
        /// What the duty accepts, as named (Chinese, English).
        accepted: Vec<(String, String)>,
        /// What was offered.
        offered: Option<EvidenceOf>,
    },
    /// A committee meeting without the required agenda topic.
    Topic {
        /// The topic required.
        topic: String,
    },
    /// The record belongs to another org.
    Org,
    /// The record is dated before the period it should discharge.
    Early {
        /// First day of the period.
        period_start: NaiveDate,
    },
    /// A situation analysis covering another period.
    Covers {
        /// The period the obligation is for.
        period: String,
    },
    /// The record is not about the obligation's platform.
    Platform,
    /// The person who owes the training did not attend.
    Attendee,
    /// A pack-defined record does not name the person the obligation is about.
    NotNamed,
    /// The record is not about the obligation's event.
    Event,
    /// A date field of a pack-defined record falls outside the obligation's period.
    OutsidePeriod {
        /// The field's label (Chinese, English).
        field: (String, String),
        /// The period.
        period: String,
    },
    /// A field of a pack-defined record holds fewer values than its kind's check asks.
    TooFew {
        /// The field's label (Chinese, English).
        field: (String, String),
        /// How many it holds.
        count: usize,
        /// How many the check asks.
        wanted: u32,
    },
    /// A field of a pack-defined record that its kind's check asks for is empty.
    Missing {
        /// The field's label (Chinese, English).
        field: (String, String),
    },
}

impl Mismatch {
    /// The message in the user's language; it names the rule.
    pub fn message(&self, duty: &Duty, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let cite = duty.citation();
        match self {
            Mismatch::Kind { accepted, .. } => {
                let names: Vec<&str> = accepted
                    .iter()
                    .map(|(name, name_en)| if zh { name.as_str() } else { name_en.as_str() })
                    .collect();
                if zh {
                    format!(
                        "「{}」（{}）须以{}为佐证",
                        duty.title,
                        cite.to_zh(),
                        names.join("或")
                    )
                } else {
                    format!(
                        "{} ({cite}) is discharged by {}",
                        duty.title_en,
                        names.join(" or ")
                    )
                }
            }
            Mismatch::Topic { topic } => {
                if zh {
                    format!(
                        "「{}」（{}）要求党委会议程包含议题「{topic}」",
                        duty.title,
                        cite.to_zh()
                    )
                } else {
                    format!(
                        "{} ({cite}) needs a committee meeting whose agenda carries the topic `{topic}`",
                        duty.title_en
                    )
                }
            }
            Mismatch::Org => lang
                .pick("佐证材料属于其他组织", "the record belongs to another org")
                .to_string(),
            Mismatch::Early { period_start } => {
                if zh {
                    format!("材料日期早于本期起始日 {period_start}")
                } else {
                    format!("the record is dated before the period starts ({period_start})")
                }
            }
            Mismatch::Covers { period } => {
                if zh {
                    format!("研判报告所属期间与本期（{period}）不符")
                } else {
                    format!("the analysis covers another period than {period}")
                }
            }
            Mismatch::Platform => lang
                .pick("材料不涉及该平台", "the record is not about this platform")
                .to_string(),
            Mismatch::Attendee => lang
                .pick(
                    "应参训人员不在参训名单中",
                    "the person who owes the training is not among the attendees",
                )
                .to_string(),
            Mismatch::NotNamed => lang
                .pick(
                    "材料中没有该事项所涉人员",
                    "the record does not name the person the obligation is about",
                )
                .to_string(),
            Mismatch::Event => lang
                .pick("材料不涉及该事件", "the record is not about this event")
                .to_string(),
            Mismatch::OutsidePeriod { field, period } => {
                if zh {
                    format!("「{}」不在本期（{period}）内", field.0)
                } else {
                    format!("{} is not within the period {period}", field.1)
                }
            }
            Mismatch::TooFew {
                field,
                count,
                wanted,
            } => {
                if zh {
                    format!("「{}」至少需要 {wanted} 项，现有 {count} 项", field.0)
                } else {
                    format!("{} needs at least {wanted}, it has {count}", field.1)
                }
            }
            Mismatch::Missing { field } => {
                if zh {
                    format!("「{}」不能为空", field.0)
                } else {
                    format!("{} must be filled", field.1)
                }
            }
        }
    }
}

fn rule_fits(rule: &EvidenceRule, record: &RecordFacts) -> Result<(), Mismatch> {
    if let Some(topic) = &rule.topic
        && !record.topics.iter().any(|t| t == topic)
    {
        return Err(Mismatch::Topic {
            topic: topic.clone(),
        });
    }
    Ok(())
}

/// Checks that `record` discharges the obligation `o`.
pub fn check(o: &ObligationFacts<'_>, record: &RecordFacts) -> Result<(), Mismatch> {
    let candidates: Vec<&EvidenceRule> = o
        .duty
        .evidence
        .iter()
        .filter(|r| record.kind.as_ref() == Some(&r.kind))
        .collect();
    if candidates.is_empty() {
        return Err(Mismatch::Kind {
            accepted: o
                .duty
                .evidence
                .iter()
                .map(|r| match &r.kind {
                    EvidenceOf::Builtin(k) => (k.name_zh().to_string(), k.as_str().to_string()),
                    EvidenceOf::Pack(id) => o
                        .record_kinds
                        .iter()
                        .find(|k| &k.id == id)
                        .map(|k| (k.name.clone(), k.name_en.clone()))
                        .unwrap_or_else(|| (id.clone(), id.clone())),
                })
                .collect(),
            offered: record.kind.clone(),
        });
    }
    // Any one matching rule is enough; report the first rule's problem otherwise.
    let mut first_err = None;
    for rule in candidates {
        match rule_fits(rule, record) {
            Ok(()) => {
                first_err = None;
                break;
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    if record.org != o.org {
        return Err(Mismatch::Org);
    }
    let period = Period::parse(o.period);
    // A pack-defined kind's own checks name its fields; they come first.
    if let Some(defined) = &record.defined {
        defined_checks(defined, period)?;
    }
    if let (Some(start), Some(date)) = (period.and_then(|p| p.start()), record.date)
        && !matches!(period, Some(Period::Event(_)))
        && date < start
    {
        return Err(Mismatch::Early {
            period_start: start,
        });
    }
    if let Some(covers) = &record.covers
        && covers != o.period
        && !matches!(period, Some(Period::Once))
    {
        return Err(Mismatch::Covers {
            period: o.period.to_string(),
        });
    }
    match o.subject_kind {
        SubjectKind::Platform if !record.platforms.iter().any(|p| p == o.subject) => {
            Err(Mismatch::Platform)
        }
        SubjectKind::Person if !record.attendees.iter().any(|p| p == o.subject) => {
            Err(if record.defined.is_some() {
                Mismatch::NotNamed
            } else {
                Mismatch::Attendee
            })
        }
        SubjectKind::Event if record.event.as_deref() != Some(o.subject) => Err(Mismatch::Event),
        _ => Ok(()),
    }
}

/// The checks of a pack-defined record's kind.
fn defined_checks(facts: &DefinedFacts, period: Option<Period>) -> Result<(), Mismatch> {
    let field = |id: &str| facts.fields.iter().find(|f| f.id == id);
    let label = |f: &FieldFacts| (f.label.clone(), f.label_en.clone());
    for c in &facts.checks {
        match c {
            RecordCheck::DateInPeriod { field: id } => {
                let Some(f) = field(id) else { continue };
                // Once-only and event obligations have no span to fall in.
                let span = period
                    .filter(|p| !matches!(p, Period::Once | Period::Event(_)))
                    .and_then(|p| Some((p, p.start()?, p.end()?)));
                match (f.date, span) {
                    (None, _) => return Err(Mismatch::Missing { field: label(f) }),
                    (Some(d), Some((p, start, end))) if d < start || d > end => {
                        return Err(Mismatch::OutsidePeriod {
                            field: label(f),
                            period: p.key(),
                        });
                    }
                    _ => {}
                }
            }
            RecordCheck::AtLeast { field: id, count } => {
                let Some(f) = field(id) else { continue };
                if f.count < *count as usize {
                    return Err(Mismatch::TooFew {
                        field: label(f),
                        count: f.count,
                        wanted: *count,
                    });
                }
            }
            RecordCheck::Present { field: id } => {
                let Some(f) = field(id) else { continue };
                if f.count == 0 {
                    return Err(Mismatch::Missing { field: label(f) });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::builtin_pack;
    use crate::vocab::EvidenceKind;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_meeting_with_the_topic_discharges_the_dedicated_study() {
        let pack = builtin_pack().unwrap();
        let duty = pack.duty("annual-dedicated-study").unwrap();
        let o = ObligationFacts {
            duty,
            org: "mse",
            subject_kind: SubjectKind::Org,
            subject: "mse",
            period: "2026",
            record_kinds: &[],
        };
        let mut meeting = RecordFacts {
            kind: Some(EvidenceOf::Builtin(EvidenceKind::CommitteeMeeting)),
            org: "mse".into(),
            date: Some(d("2026-11-20")),
            topics: vec!["ideology".into()],
            ..Default::default()
        };
        let err = check(&o, &meeting).unwrap_err();
        assert!(matches!(err, Mismatch::Topic { .. }));
        assert!(
            err.message(duty, Lang::Zh).contains("第四条第（二）项"),
            "{}",
            err.message(duty, Lang::Zh)
        );
        meeting.topics.push("online-ideology".into());
        assert_eq!(check(&o, &meeting), Ok(()));
        // Another org's meeting, a meeting of last year, a report instead of minutes: refused.
        assert_eq!(
            check(
                &o,
                &RecordFacts {
                    org: "cs".into(),
                    ..meeting.clone()
                }
            ),
            Err(Mismatch::Org)
        );
        assert!(matches!(
            check(
                &o,
                &RecordFacts {
                    date: Some(d("2025-12-30")),
                    ..meeting.clone()
                }
            ),
            Err(Mismatch::Early { .. })
        ));
        let report = RecordFacts {
            kind: Some(EvidenceOf::Builtin(EvidenceKind::SituationAnalysis)),
            ..meeting.clone()
        };
        let err = check(&o, &report).unwrap_err();
        assert!(
            err.message(duty, Lang::Zh).contains("党委会会议记录"),
            "{}",
            err.message(duty, Lang::Zh)
        );
    }

    #[test]
    fn subjects_must_match() {
        let pack = builtin_pack().unwrap();
        let review = pack.duty("platform-annual-review").unwrap();
        let o = ObligationFacts {
            duty: review,
            org: "mse",
            subject_kind: SubjectKind::Platform,
            subject: "wechat",
            period: "2026",
            record_kinds: &[],
        };
        let mut r = RecordFacts {
            kind: Some(EvidenceOf::Builtin(EvidenceKind::AnnualReview)),
            org: "mse".into(),
            date: Some(d("2026-05-01")),
            platforms: vec!["weibo".into()],
            ..Default::default()
        };
        assert_eq!(check(&o, &r), Err(Mismatch::Platform));
        r.platforms.push("wechat".into());
        assert_eq!(check(&o, &r), Ok(()));
        let training = pack.duty("operator-training").unwrap();
        let o = ObligationFacts {
            duty: training,
            org: "mse",
            subject_kind: SubjectKind::Person,
            subject: "liu",
            period: "2026",
            record_kinds: &[],
        };
        let mut t = RecordFacts {
            kind: Some(EvidenceOf::Builtin(EvidenceKind::TrainingSession)),
            org: "mse".into(),
            date: Some(d("2026-05-01")),
            attendees: vec!["xu".into()],
            ..Default::default()
        };
        assert_eq!(check(&o, &t), Err(Mismatch::Attendee));
        t.attendees.push("liu".into());
        assert_eq!(check(&o, &t), Ok(()));
        let analysis = pack.duty("situation-analysis").unwrap();
        let o = ObligationFacts {
            duty: analysis,
            org: "mse",
            subject_kind: SubjectKind::Org,
            subject: "mse",
            period: "2026-Q3",
            record_kinds: &[],
        };
        let a = RecordFacts {
            kind: Some(EvidenceOf::Builtin(EvidenceKind::SituationAnalysis)),
            org: "mse".into(),
            date: Some(d("2026-10-08")),
            covers: Some("2026-Q2".into()),
            ..Default::default()
        };
        assert!(matches!(check(&o, &a), Err(Mismatch::Covers { .. })));
        assert_eq!(
            check(
                &o,
                &RecordFacts {
                    covers: Some("2026-Q3".into()),
                    ..a
                }
            ),
            Ok(())
        );
    }
}
