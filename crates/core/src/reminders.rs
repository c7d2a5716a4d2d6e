//! Reminders and escalation: which reminders an open obligation owes on a day, to whom, and
//! under which stable key, so that each is sent once; and how a failed delivery is retried.
//!
//! The schedule of an obligation due on `due` (pack `[reminders]`, default 30/7/1 and 7):
//! - the **remind** track, to the person responsible on the due date: `before-30` on due − 30,
//!   `before-7` on due − 7, `before-1` on due − 1, and `overdue` on due + 1 (the day it falls
//!   overdue);
//! - the **escalate** track, to the first responsible person of the org (Art.3): `escalate` on
//!   due + 7 (`escalate_after_days_overdue`).
//!
//! On a day, each track owes at most one reminder: its **latest** point on or before the day.
//! A point that a later point of its track has already replaced is never sent, so a server that
//! was down for a week sends one current reminder, not a flood of stale ones; a point more than
//! [`CATCH_UP_DAYS`] late is dropped (the dashboard shows what is long overdue). Done and waived
//! obligations owe nothing.
//!
//! Where the org's group robots may be reached, and which addresses the sender may connect to,
//! is in [`robots`].

use crate::obligation::{Discharge, SubjectKind};
use crate::org::OrgModel;
use crate::period::{add_days, sub_days};
use crate::policy::{PolicyPack, ReminderRules, Responsible, Subject};
use crate::responsibility::{NamedRef, Target, resolve};
use chrono::NaiveDate;
use serde::Serialize;

pub mod robots;

/// A point more than this many days late is not sent any more.
pub const CATCH_UP_DAYS: u32 = 30;

/// 企业微信 and 钉钉 robots accept this many messages a minute.
pub const ROBOT_MESSAGES_PER_MINUTE: u32 = 20;

/// Seconds to wait before the next try, after the 1st, 2nd, 3rd and 4th failed try; the 5th
/// failure is final.
pub const RETRY_DELAYS_SECS: [i64; 4] = [60, 5 * 60, 30 * 60, 2 * 60 * 60];

/// Tries a delivery gets before it is shown as failed.
pub const MAX_ATTEMPTS: u32 = RETRY_DELAYS_SECS.len() as u32 + 1;

/// The wait before the next try after `attempts` tries have failed, or `None` when the
/// delivery has had all its tries.
pub fn retry_delay_secs(attempts: u32) -> Option<i64> {
    let i = usize::try_from(attempts.checked_sub(1)?).ok()?;
    RETRY_DELAYS_SECS.get(i).copied()
}

/// Which reminder of an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ReminderKind {
    /// N days before the due date.
    Before(u32),
    /// The day the obligation falls overdue (the day after its due date).
    Overdue,
    /// Escalation to the first responsible person after the configured days overdue.
    Escalate,
}

/// The two tracks of the schedule: each owes at most one reminder a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Track {
    /// Reminders to the responsible person.
    Remind,
    /// Escalation to the first responsible person.
    Escalate,
}

impl ReminderKind {
    /// Stable spelling, the last part of the reminder key: `before-7`, `overdue`, `escalate`.
    pub fn slug(self) -> String {
        match self {
            ReminderKind::Before(n) => format!("before-{n}"),
            ReminderKind::Overdue => "overdue".into(),
            ReminderKind::Escalate => "escalate".into(),
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<ReminderKind> {
        match s {
            "overdue" => Some(ReminderKind::Overdue),
            "escalate" => Some(ReminderKind::Escalate),
            _ => s
                .strip_prefix("before-")
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse().ok())
                .map(ReminderKind::Before),
        }
    }

    /// The track the kind belongs to.
    pub fn track(self) -> Track {
        match self {
            ReminderKind::Escalate => Track::Escalate,
            _ => Track::Remind,
        }
    }
}

/// The stable key of a reminder: `obligation-id/before-7`, `obligation-id/overdue`,
/// `obligation-id/escalate`. It depends on nothing but the obligation and the kind.
pub fn reminder_key(obligation: &str, kind: ReminderKind) -> String {
    format!("{obligation}/{}", kind.slug())
}

/// Splits a reminder key into the obligation id and the kind.
pub fn parse_key(key: &str) -> Option<(&str, ReminderKind)> {
    let (obligation, kind) = key.rsplit_once('/')?;
    Some((obligation, ReminderKind::parse(kind)?)).filter(|(o, _)| !o.is_empty())
}

/// One point of an obligation's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Point {
    /// The day it is scheduled for.
    pub on: NaiveDate,
    /// Which reminder.
    pub kind: ReminderKind,
}

/// Every point of the schedule of an obligation due on `due`, in date order.
pub fn schedule(rules: &ReminderRules, due: NaiveDate) -> Vec<Point> {
    let mut out: Vec<Point> = rules
        .days_before
        .iter()
        .map(|n| Point {
            on: sub_days(due, *n),
            kind: ReminderKind::Before(*n),
        })
        .collect();
    out.push(Point {
        on: add_days(due, 1),
        kind: ReminderKind::Overdue,
    });
    out.push(Point {
        on: add_days(due, rules.escalate_after_days_overdue.max(1)),
        kind: ReminderKind::Escalate,
    });
    out.sort();
    out.dedup_by_key(|p| p.kind);
    out
}

/// The points an obligation due on `due` owes on `day`: for each track, its latest point on or
/// before `day`, unless that point is more than [`CATCH_UP_DAYS`] late. Nothing when done or
/// waived.
pub fn due_points(
    rules: &ReminderRules,
    due: NaiveDate,
    discharge: Discharge,
    day: NaiveDate,
) -> Vec<Point> {
    if discharge != Discharge::Open {
        return Vec::new();
    }
    let all = schedule(rules, due);
    [Track::Remind, Track::Escalate]
        .into_iter()
        .filter_map(|track| {
            all.iter()
                .filter(|p| p.kind.track() == track && p.on <= day)
                .max_by_key(|p| (p.on, p.kind))
                .copied()
        })
        .filter(|p| add_days(p.on, CATCH_UP_DAYS) >= day)
        .collect()
}

/// The window of due dates whose obligations may owe something on `day` (for the planner's
/// query): from `day − escalate − CATCH_UP_DAYS` to `day + max(days_before)`.
pub fn due_window(rules: &ReminderRules, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let before = rules.days_before.iter().copied().max().unwrap_or(0);
    let after = rules.escalate_after_days_overdue.max(1) + CATCH_UP_DAYS;
    (sub_days(day, after), add_days(day, before))
}

/// What the planner knows about an obligation.
#[derive(Debug, Clone, Copy)]
pub struct ObligationFacts<'a> {
    /// Storage id.
    pub id: &'a str,
    /// Duty id.
    pub duty: &'a str,
    /// What it is about.
    pub subject_kind: SubjectKind,
    /// Subject id.
    pub subject: &'a str,
    /// The platform it concerns (the subject, or the platform of an event about one).
    pub platform: Option<&'a str>,
    /// The org that owes it.
    pub org: &'a str,
    /// Due date.
    pub due: NaiveDate,
    /// Done, waived or open.
    pub discharge: Discharge,
}

/// A reminder owed on a day, with its recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    /// Stable key (see [`reminder_key`]).
    pub key: String,
    /// Obligation id.
    pub obligation: String,
    /// Which reminder.
    pub kind: ReminderKind,
    /// The day the point was scheduled for (earlier than the planning day when caught up).
    pub scheduled_on: NaiveDate,
    /// The org that owes the obligation.
    pub org: String,
    /// Duty id.
    pub duty: String,
    /// Due date.
    pub due: NaiveDate,
    /// Who is told.
    pub recipient: NamedRef,
    /// The person responsible on the due date (for an escalation, whom it is about).
    pub responsible: Option<NamedRef>,
}

/// Why a point owes no reminder after all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanProblem {
    /// The duty is not in the policy in force.
    UnknownDuty(String),
    /// The org is not in the model.
    UnknownOrg(String),
    /// The responsibility question has no answer (e.g. a platform that is gone).
    Unresolved(String),
    /// No one holds a post up the chain: the reminder has no recipient.
    NoRecipient(String),
}

/// The reminders `obligation` owes on `day`, each with its recipient: the person responsible on
/// the due date (Art.3 resolution, passing up to the first responsible person when a post is
/// vacant) and, for the escalation, the first responsible person of the org on `day`.
pub fn plan(
    pack: &PolicyPack,
    model: &OrgModel,
    ob: &ObligationFacts<'_>,
    day: NaiveDate,
) -> Vec<Result<Reminder, PlanProblem>> {
    let points = due_points(&pack.reminders, ob.due, ob.discharge, day);
    if points.is_empty() {
        return Vec::new();
    }
    let Some(duty) = pack.duty(ob.duty) else {
        return vec![Err(PlanProblem::UnknownDuty(ob.duty.to_string()))];
    };
    let Some(org) = model.org(ob.org) else {
        return vec![Err(PlanProblem::UnknownOrg(ob.org.to_string()))];
    };
    let platform = ob.platform.and_then(|p| model.find_platform(p));
    let responsible = match resolve(pack, model, org, Target::Duty { duty, platform }, ob.due) {
        Ok(a) => a.person,
        Err(e) => return vec![Err(PlanProblem::Unresolved(e.to_string()))],
    };
    points
        .into_iter()
        .map(|p| {
            let key = reminder_key(ob.id, p.kind);
            let recipient = match p.kind {
                ReminderKind::Escalate => first_responsible_of(pack, model, org, day),
                _ => responsible.clone(),
            };
            let recipient = recipient.ok_or_else(|| PlanProblem::NoRecipient(key.clone()))?;
            Ok(Reminder {
                key,
                obligation: ob.id.to_string(),
                kind: p.kind,
                scheduled_on: p.on,
                org: org.id.clone(),
                duty: duty.id.clone(),
                due: ob.due,
                recipient,
                responsible: responsible.clone(),
            })
        })
        .collect()
}

/// The first responsible person of `org` on `day`, passing up the tree while the post is vacant.
pub fn first_responsible_of(
    pack: &PolicyPack,
    model: &OrgModel,
    org: &crate::org::Org,
    day: NaiveDate,
) -> Option<NamedRef> {
    let d = crate::policy::Duty {
        responsible: Responsible::FirstResponsible,
        subject: Subject::Org {
            org_kinds: vec![org.kind],
        },
        ..pack.duties.first()?.clone()
    };
    resolve(
        pack,
        model,
        org,
        Target::Duty {
            duty: &d,
            platform: None,
        },
        day,
    )
    .ok()
    .and_then(|a| a.person)
}

/// Days from `day` to `due` (negative once overdue).
pub fn days_left(due: NaiveDate, day: NaiveDate) -> i64 {
    (due - day).num_days()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::org::{Holding, Org, Person, PortfolioAssignment, Post};
    use crate::policy::builtin_pack;
    use crate::vocab::OrgKind;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn rules() -> ReminderRules {
        ReminderRules::default()
    }

    fn kinds(points: &[Point]) -> Vec<String> {
        points.iter().map(|p| p.kind.slug()).collect()
    }

    #[test]
    fn keys_are_stable_and_round_trip() {
        assert_eq!(reminder_key("o-1", ReminderKind::Before(7)), "o-1/before-7");
        assert_eq!(reminder_key("o-1", ReminderKind::Overdue), "o-1/overdue");
        assert_eq!(reminder_key("o-1", ReminderKind::Escalate), "o-1/escalate");
        for k in [
            ReminderKind::Before(30),
            ReminderKind::Before(0),
            ReminderKind::Overdue,
            ReminderKind::Escalate,
        ] {
            assert_eq!(ReminderKind::parse(&k.slug()), Some(k));
            assert_eq!(parse_key(&reminder_key("abc-def", k)), Some(("abc-def", k)));
        }
        assert_eq!(ReminderKind::parse("before-"), None);
        assert_eq!(ReminderKind::parse("before-x"), None);
        assert_eq!(ReminderKind::parse("before--1"), None);
        assert_eq!(parse_key("/overdue"), None);
    }

    #[test]
    fn default_schedule() {
        let s = schedule(&rules(), d("2026-12-31"));
        let got: Vec<(String, String)> = s
            .iter()
            .map(|p| (p.on.to_string(), p.kind.slug()))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-12-01", "before-30"),
                ("2026-12-24", "before-7"),
                ("2026-12-30", "before-1"),
                ("2027-01-01", "overdue"),
                ("2027-01-07", "escalate"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }

    #[test]
    fn each_point_on_its_day_and_nothing_between() {
        let due = d("2026-12-31");
        let r = rules();
        let owed = |day: &str| kinds(&due_points(&r, due, Discharge::Open, d(day)));
        assert!(owed("2026-11-30").is_empty());
        assert_eq!(owed("2026-12-01"), ["before-30"]);
        assert_eq!(owed("2026-12-24"), ["before-7"]);
        assert_eq!(owed("2026-12-30"), ["before-1"]);
        assert_eq!(owed("2026-12-31"), ["before-1"], "due day: still before-1");
        assert_eq!(owed("2027-01-01"), ["overdue"]);
        assert_eq!(owed("2027-01-07"), ["overdue", "escalate"]);
    }

    #[test]
    fn a_week_missed_sends_only_the_current_reminder() {
        // Down from 30 days before until 2 days before: only before-7 is owed, never before-30.
        let due = d("2026-12-31");
        let owed = kinds(&due_points(&rules(), due, Discharge::Open, d("2026-12-29")));
        assert_eq!(owed, ["before-7"]);
        // Down across the due date and the escalation day: one overdue notice and one escalation.
        let owed = kinds(&due_points(&rules(), due, Discharge::Open, d("2027-01-10")));
        assert_eq!(owed, ["overdue", "escalate"]);
    }

    #[test]
    fn long_overdue_is_not_caught_up() {
        let due = d("2026-06-30");
        assert!(due_points(&rules(), due, Discharge::Open, d("2026-11-28")).is_empty());
        // 30 days late is still sent, 31 is not.
        let overdue_on = d("2026-07-01");
        let day = add_days(overdue_on, CATCH_UP_DAYS);
        assert_eq!(
            kinds(&due_points(&rules(), due, Discharge::Open, day)),
            ["overdue", "escalate"]
        );
        let day = add_days(overdue_on, CATCH_UP_DAYS + 1);
        assert_eq!(
            kinds(&due_points(&rules(), due, Discharge::Open, day)),
            ["escalate"]
        );
    }

    #[test]
    fn done_and_waived_owe_nothing() {
        let due = d("2026-12-31");
        for day in ["2026-12-01", "2027-01-01", "2027-01-08"] {
            assert!(due_points(&rules(), due, Discharge::Waived, d(day)).is_empty());
            assert!(due_points(&rules(), due, Discharge::Done(d("2026-12-20")), d(day)).is_empty());
        }
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_delay_secs(0), None);
        assert_eq!(retry_delay_secs(1), Some(60));
        assert_eq!(retry_delay_secs(2), Some(300));
        assert_eq!(retry_delay_secs(3), Some(1800));
        assert_eq!(retry_delay_secs(4), Some(7200));
        assert_eq!(retry_delay_secs(5), None);
        assert_eq!(MAX_ATTEMPTS, 5);
    }

    #[test]
    fn window_covers_every_owed_point() {
        let r = rules();
        let (from, to) = due_window(&r, d("2026-12-01"));
        assert_eq!(from, d("2026-10-25"));
        assert_eq!(to, d("2026-12-31"));
    }

    fn model() -> OrgModel {
        let org = |id: &str, kind, parent: Option<&str>| Org {
            id: id.into(),
            code: id.into(),
            name: format!("{id}名"),
            kind,
            parent: parent.map(Into::into),
            established_on: None,
            closed_on: None,
        };
        let person = |id: &str, org: &str| Person {
            id: id.into(),
            name: format!("{id}名"),
            org: org.into(),
        };
        let post = |id: &str, org: &str, kind: &str, portfolios: &[&str]| Post {
            id: id.into(),
            org: org.into(),
            kind: kind.into(),
            title: format!("{id}岗"),
            portfolios: portfolios.iter().map(|s| s.to_string()).collect(),
            closed_on: None,
        };
        let holding =
            |id: &str, post: &str, person: &str, start: &str, end: Option<&str>| Holding {
                id: id.into(),
                post: post.into(),
                person: person.into(),
                start: d(start),
                end: end.map(d),
            };
        let posts = vec![
            post("p-uni", "cqu", "secretary", &[]),
            post("p-sec", "mse", "secretary", &[]),
            post("p-cm", "mse", "committee-member", &["organisation"]),
        ];
        let holdings = vec![
            holding("h0", "p-uni", "uni", "2018-01-01", None),
            holding("h1", "p-sec", "wang", "2019-01-01", Some("2026-06-30")),
            holding("h2", "p-sec", "li", "2026-07-01", None),
            holding("h3", "p-cm", "wu", "2019-01-01", None),
        ];
        let assignments = PortfolioAssignment::standing(&posts, &holdings);
        OrgModel::new(
            vec![
                org("cqu", OrgKind::University, None),
                org("mse", OrgKind::College, Some("cqu")),
            ],
            ["uni", "wang", "li", "wu"]
                .iter()
                .map(|p| person(p, "mse"))
                .collect(),
            posts,
            holdings,
            assignments,
            Vec::new(),
        )
    }

    fn facts<'a>(duty: &'a str, due: NaiveDate) -> ObligationFacts<'a> {
        ObligationFacts {
            id: "ob-1",
            duty,
            subject_kind: SubjectKind::Org,
            subject: "mse",
            platform: None,
            org: "mse",
            due,
            discharge: Discharge::Open,
        }
    }

    #[test]
    fn recipient_is_resolved_for_the_due_date() {
        let pack = builtin_pack().unwrap();
        let m = model();
        // Due after the handover: the reminder 30 days before goes to the incoming secretary.
        let got = plan(
            &pack,
            &m,
            &facts("annual-dedicated-study", d("2026-07-15")),
            d("2026-06-15"),
        );
        let r = got[0].as_ref().unwrap();
        assert_eq!(r.key, "ob-1/before-30");
        assert_eq!(r.recipient.id, "li");
        // Due before it, overdue after it: the overdue notice goes to whoever was responsible
        // when it fell due.
        let got = plan(
            &pack,
            &m,
            &facts("annual-dedicated-study", d("2026-06-30")),
            d("2026-07-01"),
        );
        let r = got[0].as_ref().unwrap();
        assert_eq!(r.kind, ReminderKind::Overdue);
        assert_eq!(r.recipient.id, "wang");
    }

    #[test]
    fn escalation_goes_to_the_first_responsible_person() {
        let pack = builtin_pack().unwrap();
        let m = model();
        let got = plan(
            &pack,
            &m,
            &facts("cadre-training", d("2026-09-30")),
            d("2026-10-07"),
        );
        let by_kind: BTreeMap<String, &Reminder> = got
            .iter()
            .map(|r| r.as_ref().unwrap())
            .map(|r| (r.kind.slug(), r))
            .collect();
        assert_eq!(by_kind["overdue"].recipient.id, "wu", "portfolio holder");
        assert_eq!(by_kind["escalate"].recipient.id, "li", "first responsible");
        assert_eq!(by_kind["escalate"].responsible.as_ref().unwrap().id, "wu");
    }

    #[test]
    fn problems_are_reported_not_hidden() {
        let pack = builtin_pack().unwrap();
        let m = model();
        let got = plan(
            &pack,
            &m,
            &facts("no-such-duty", d("2026-09-30")),
            d("2026-09-29"),
        );
        assert_eq!(
            got,
            vec![Err(PlanProblem::UnknownDuty("no-such-duty".into()))]
        );
        let mut f = facts("cadre-training", d("2026-09-30"));
        f.org = "gone";
        let got = plan(&pack, &m, &f, d("2026-09-29"));
        assert_eq!(got, vec![Err(PlanProblem::UnknownOrg("gone".into()))]);
        // Nothing owed: no work, no problem.
        assert!(plan(&pack, &m, &f, d("2026-01-01")).is_empty());
    }

    fn arb_rules() -> impl Strategy<Value = ReminderRules> {
        (proptest::collection::btree_set(0u32..60, 0..5), 0u32..20).prop_map(|(before, esc)| {
            ReminderRules {
                due_soon_days: 14,
                days_before: before.into_iter().rev().collect(),
                escalate_after_days_overdue: esc,
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Planning every day sends every point of the schedule exactly once (keys deduplicate
        /// repeats), on or after its day, and nothing else.
        #[test]
        fn daily_runs_send_each_point_once(rules in arb_rules(), offset in 0i64..400) {
            let due = d("2026-01-01") + chrono::Days::new(offset as u64);
            let mut sent: BTreeMap<ReminderKind, NaiveDate> = BTreeMap::new();
            let mut day = sub_days(due, 70);
            let end = add_days(due, 70);
            while day <= end {
                for p in due_points(&rules, due, Discharge::Open, day) {
                    prop_assert!(p.on <= day);
                    sent.entry(p.kind).or_insert(day);
                }
                day = add_days(day, 1);
            }
            let expected: BTreeSet<ReminderKind> =
                schedule(&rules, due).iter().map(|p| p.kind).collect();
            prop_assert_eq!(sent.keys().copied().collect::<BTreeSet<_>>(), expected);
            // Run daily, each point goes out on its own day.
            for p in schedule(&rules, due) {
                prop_assert_eq!(sent[&p.kind], p.on);
            }
        }

        /// With days missed, each run owes at most one point per track, only the latest one
        /// on or before the day, never more than the catch-up window late, and never a point
        /// older than one already sent on its track.
        #[test]
        fn missed_days_send_no_stale_reminders(
            rules in arb_rules(),
            runs in proptest::collection::btree_set(-70i64..70, 0..20),
        ) {
            let due = d("2026-06-30");
            let all = schedule(&rules, due);
            let mut last: BTreeMap<&'static str, NaiveDate> = BTreeMap::new();
            for r in runs {
                let day = if r < 0 { sub_days(due, (-r) as u32) } else { add_days(due, r as u32) };
                let owed = due_points(&rules, due, Discharge::Open, day);
                let remind = owed.iter().filter(|p| p.kind.track() == Track::Remind).count();
                let escalate = owed.iter().filter(|p| p.kind.track() == Track::Escalate).count();
                prop_assert!(remind <= 1 && escalate <= 1);
                for p in owed {
                    prop_assert!(p.on <= day);
                    prop_assert!(add_days(p.on, CATCH_UP_DAYS) >= day);
                    // No later point of the track is already due.
                    prop_assert!(!all.iter().any(|q| q.kind.track() == p.kind.track() && q.on > p.on && q.on <= day));
                    let track = if p.kind.track() == Track::Remind { "remind" } else { "escalate" };
                    if let Some(prev) = last.get(track) {
                        prop_assert!(p.on >= *prev, "a replaced point came back");
                    }
                    last.insert(track, p.on);
                }
            }
        }

        /// Keys are a function of the obligation and the kind only.
        #[test]
        fn keys_depend_on_obligation_and_kind(id in "[a-f0-9-]{1,36}", n in 0u32..400) {
            for k in [ReminderKind::Before(n), ReminderKind::Overdue, ReminderKind::Escalate] {
                let key = reminder_key(&id, k);
                prop_assert_eq!(parse_key(&key), Some((id.as_str(), k)));
            }
        }

        /// Every point owed on a day lies in the planner's query window.
        #[test]
        fn window_holds_every_owed_obligation(rules in arb_rules(), offset in -200i64..200) {
            let day = d("2026-06-30");
            let due = if offset < 0 { sub_days(day, (-offset) as u32) } else { add_days(day, offset as u32) };
            let (from, to) = due_window(&rules, day);
            if !due_points(&rules, due, Discharge::Open, day).is_empty() {
                prop_assert!(from <= due && due <= to);
            }
        }
    }
}
