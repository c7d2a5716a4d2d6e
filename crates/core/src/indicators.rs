//! Indicators (Art.5): facts in the ledger that may touch a ground for accountability, each
//! with the article it cites and the evidence behind it — a platform whose annual review is
//! overdue (`art5-6`), a platform duty long overdue (`art5-6`), an online event held without
//! approval or changed after approval and not approved again (`art5-7`). An indicator is a fact
//! for people to look at, never a verdict: the discipline commission opens cases. Rules only.

use crate::Lang;
use crate::policy::{Duty, EvidenceOf};
use crate::vocab::{EvidenceKind, IncidentClock};
use chrono::NaiveDate;

/// A platform duty overdue by this many days or more is long overdue.
pub const LONG_OVERDUE_DAYS: i64 = 30;

/// The ground weak management of platforms touches (Art.5(6)).
pub const PLATFORM_GROUND: &str = "art5-6";
/// The ground events held online touch (Art.5(7)).
pub const EVENT_GROUND: &str = "art5-7";
/// The ground weak handling of a major incident touches (Art.5(2)).
pub const MAJOR_INCIDENT_GROUND: &str = "art5-2";
/// The ground an incident not handled in time, or a major project launched without an approved
/// risk assessment, touches (Art.5(3)).
pub const PREVENTION_GROUND: &str = "art5-3";

/// What an indicator says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// A running platform's annual review is past due and not done.
    ReviewOverdue {
        /// Days past due.
        days: i64,
    },
    /// Another duty about a platform (registration, rectification, operators' training) is
    /// overdue by [`LONG_OVERDUE_DAYS`] or more.
    DutyLongOverdue {
        /// Days past due.
        days: i64,
    },
    /// An online event began without approval.
    EventUnapproved,
    /// An online event was changed after its approval and began without being approved again.
    EventChangedAfterApproval,
    /// An incident's clock ran out before it was met; `major` when its level is one the first
    /// responsible person handles personally.
    IncidentPastClock {
        /// The clock.
        clock: IncidentClock,
        /// Handled personally (重大 and above in the seed).
        major: bool,
    },
    /// An incident of a level handled personally closed without the first responsible
    /// person's own handling and sign-off.
    MajorWithoutPersonalHandling,
    /// A major project was launched without an approved risk assessment.
    LaunchedWithoutAssessment,
}

impl Fact {
    /// The id of the ground it may touch.
    pub fn ground(self) -> &'static str {
        match self {
            Fact::ReviewOverdue { .. } | Fact::DutyLongOverdue { .. } => PLATFORM_GROUND,
            Fact::EventUnapproved | Fact::EventChangedAfterApproval => EVENT_GROUND,
            Fact::IncidentPastClock { major: true, .. } | Fact::MajorWithoutPersonalHandling => {
                MAJOR_INCIDENT_GROUND
            }
            Fact::IncidentPastClock { major: false, .. } | Fact::LaunchedWithoutAssessment => {
                PREVENTION_GROUND
            }
        }
    }

    /// Stable spelling (API).
    pub fn as_str(self) -> &'static str {
        match self {
            Fact::ReviewOverdue { .. } => "review-overdue",
            Fact::DutyLongOverdue { .. } => "duty-long-overdue",
            Fact::EventUnapproved => "event-unapproved",
            Fact::EventChangedAfterApproval => "event-changed-after-approval",
            Fact::IncidentPastClock { .. } => "incident-past-clock",
            Fact::MajorWithoutPersonalHandling => "major-incident-without-personal-handling",
            Fact::LaunchedWithoutAssessment => "launched-without-assessment",
        }
    }

    /// The fact in words.
    pub fn describe(self, lang: Lang) -> String {
        match (self, lang) {
            (Fact::ReviewOverdue { days }, Lang::Zh) => format!("年审逾期 {days} 天未完成"),
            (Fact::ReviewOverdue { days }, Lang::En) => {
                format!("annual review {days} days overdue")
            }
            (Fact::DutyLongOverdue { days }, Lang::Zh) => format!("逾期 {days} 天未完成"),
            (Fact::DutyLongOverdue { days }, Lang::En) => format!("{days} days overdue"),
            (Fact::EventUnapproved, Lang::Zh) => "未经审批即举办".into(),
            (Fact::EventUnapproved, Lang::En) => "held without approval".into(),
            (Fact::EventChangedAfterApproval, Lang::Zh) => "审批后变更，未再审批即举办".into(),
            (Fact::EventChangedAfterApproval, Lang::En) => {
                "changed after approval and held without being approved again".into()
            }
            (Fact::IncidentPastClock { clock, .. }, Lang::Zh) => {
                format!("「{}」时限届满未完成", clock.name_zh())
            }
            (Fact::IncidentPastClock { clock, .. }, Lang::En) => {
                format!("the {} clock ran out before it was met", clock.as_str())
            }
            (Fact::MajorWithoutPersonalHandling, Lang::Zh) => {
                "重大事件结案时无第一责任人亲自处置、签批".into()
            }
            (Fact::MajorWithoutPersonalHandling, Lang::En) => {
                "a major incident closed without the first responsible person's own handling and sign-off".into()
            }
            (Fact::LaunchedWithoutAssessment, Lang::Zh) => {
                "未经批准的舆情风险评估即实施".into()
            }
            (Fact::LaunchedWithoutAssessment, Lang::En) => {
                "launched without an approved public-opinion risk assessment".into()
            }
        }
    }
}

/// Whether an open obligation of `duty` is a fact as soon as it is overdue (an annual review),
/// rather than once long overdue.
pub fn overdue_at_once(duty: &Duty) -> bool {
    duty.evidence
        .iter()
        .any(|e| e.kind == EvidenceOf::Builtin(EvidenceKind::AnnualReview))
}

/// The last due day of an obligation long overdue on `today`.
pub fn long_overdue_by(today: NaiveDate) -> NaiveDate {
    today - chrono::Days::new(LONG_OVERDUE_DAYS.unsigned_abs())
}

/// What an open obligation about a platform (or its operators) due on `due` says on `today`:
/// an overdue annual review at once, any other duty once long overdue; nothing otherwise.
pub fn of_obligation(duty: &Duty, due: NaiveDate, today: NaiveDate) -> Option<Fact> {
    let days = (today - due).num_days();
    if days <= 0 {
        return None;
    }
    if overdue_at_once(duty) {
        Some(Fact::ReviewOverdue { days })
    } else if due <= long_overdue_by(today) {
        Some(Fact::DutyLongOverdue { days })
    } else {
        None
    }
}

/// What an online event that began says: `approved` whether it stands approved, `changed`
/// whether an approval of it was voided by a change.
pub fn of_event(approved: bool, changed: bool) -> Option<Fact> {
    match (approved, changed) {
        (true, _) => None,
        (false, true) => Some(Fact::EventChangedAfterApproval),
        (false, false) => Some(Fact::EventUnapproved),
    }
}

/// What an incident's clocks say: each clock that ran out, under the ground its level touches.
pub fn of_incident(clocks: &[crate::incidents::ClockState], major: bool) -> Vec<Fact> {
    clocks
        .iter()
        .filter(|c| c.late())
        .map(|c| Fact::IncidentPastClock {
            clock: c.clock,
            major,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::builtin_pack;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn an_overdue_review_counts_at_once_other_duties_once_long_overdue() {
        let pack = builtin_pack().unwrap_or_else(|e| panic!("{e:?}"));
        let review = pack
            .duty("platform-annual-review")
            .unwrap_or_else(|| panic!());
        let registration = pack
            .duty("platform-registration")
            .unwrap_or_else(|| panic!());
        assert_eq!(
            of_obligation(review, d("2026-06-30"), d("2026-06-30")),
            None
        );
        assert_eq!(
            of_obligation(review, d("2026-06-30"), d("2026-07-01")),
            Some(Fact::ReviewOverdue { days: 1 })
        );
        assert_eq!(
            of_obligation(registration, d("2026-06-30"), d("2026-07-29")),
            None
        );
        let long = of_obligation(registration, d("2026-06-30"), d("2026-07-30"));
        assert_eq!(long, Some(Fact::DutyLongOverdue { days: 30 }));
        assert_eq!(long.map(Fact::ground), Some("art5-6"));
        assert_eq!(of_event(true, true), None);
        assert_eq!(of_event(false, true).map(Fact::ground), Some("art5-7"));
        assert_eq!(
            of_event(false, false).map(|f| f.describe(Lang::Zh)),
            Some("未经审批即举办".into())
        );
    }
}
