//! Obligation generation: from the policy in force, the org model and a year, the duty instances
//! owed, each with its due date and article. Pure, deterministic and idempotent: the key of an
//! instance depends only on duty, subject and period, so regenerating never duplicates.

use crate::citation::Citation;
use crate::org::OrgModel;
use crate::period::{Cadence, Period, add_days, sub_days};
use crate::policy::{DueRule, Duty, PolicyMeta, PolicyPack, Subject, version_in_force};
use crate::vocab::EventKind;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Kind of thing an obligation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    /// An org.
    Org,
    /// A platform.
    Platform,
    /// A person in a post.
    Person,
    /// An event.
    Event,
}

impl SubjectKind {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Org => "org",
            SubjectKind::Platform => "platform",
            SubjectKind::Person => "person",
            SubjectKind::Event => "event",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "org" => Some(SubjectKind::Org),
            "platform" => Some(SubjectKind::Platform),
            "person" => Some(SubjectKind::Person),
            "event" => Some(SubjectKind::Event),
            _ => None,
        }
    }
}

/// Something that happened and that on-event duties hang on (a directive received, an incident, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Storage id.
    pub id: String,
    /// Kind.
    pub kind: EventKind,
    /// The org concerned.
    pub org: String,
    /// Day of the event.
    pub date: NaiveDate,
    /// The platform it concerns (an online event held on it, a rectification found by its
    /// annual review): a `portfolio:subject` duty answers by that platform's portfolio.
    pub platform: Option<String>,
    /// A deadline the event sets for itself (a rectification task's), which the duty's due rule
    /// then gives way to.
    pub due: Option<NaiveDate>,
}

/// One obligation instance, as the policy requires it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedObligation {
    /// Stable key: `duty/subject-kind/subject-id/period`.
    pub key: String,
    /// Policy version that requires it.
    pub policy: String,
    /// Duty id.
    pub duty: String,
    /// What it is about.
    pub subject_kind: SubjectKind,
    /// Id of the org, platform, person or event.
    pub subject: String,
    /// The platform it concerns: the subject itself, or the platform of an event about one.
    pub platform: Option<String>,
    /// The org that owes it (and whose posts answer for it).
    pub org: String,
    /// Period key.
    pub period: String,
    /// Due date.
    pub due: NaiveDate,
    /// The article that requires it.
    pub citation: Citation,
}

/// The key of an obligation.
pub fn obligation_key(duty: &str, kind: SubjectKind, subject: &str, period: &Period) -> String {
    format!("{duty}/{}/{subject}/{}", kind.as_str(), period.key())
}

/// Due date of a periodic instance.
pub fn periodic_due(rule: DueRule, period: &Period) -> Option<NaiveDate> {
    match rule {
        DueRule::By { month, day } => NaiveDate::from_ymd_opt(period.year()?, month, day),
        DueRule::DaysAfterPeriodEnd(n) => period.end().map(|e| add_days(e, n)),
        _ => None,
    }
}

/// Generates every obligation of `year` that `pack` requires when it is the only version of its
/// series (see [`generate_in`]).
pub fn generate(
    pack: &PolicyPack,
    model: &OrgModel,
    year: i32,
    events: &[Event],
) -> Vec<PlannedObligation> {
    generate_in(pack, std::slice::from_ref(&pack.meta), model, year, events)
}

/// Generates every obligation of `year` that `pack` requires, `versions` being every loaded
/// policy version (any series). Each obligation is governed by exactly one version of a series
///: a periodic one by the version in force on its period's
/// last day, a once-only one by the version in force when its subject started (or when the
/// series first took effect, if later), an on-event one by the version in force on the event's
/// day. `pack` generates only what it governs, with its own due rule; a due date that falls
/// before `pack` took effect moves to that day (a rule owes nothing before it exists).
/// Once-only duties whose due date is in or before the year are included (an obligation never
/// met stays owed). Output is sorted by key.
pub fn generate_in(
    pack: &PolicyPack,
    versions: &[PolicyMeta],
    model: &OrgModel,
    year: i32,
    events: &[Event],
) -> Vec<PlannedObligation> {
    generate_duties(pack, versions, model, year, events, false)
}

/// [`generate_in`] for the on-event duties alone: the obligations `events` bring, without
/// working out the year's periodic and once-only ones (what one event's change needs).
pub fn generate_events_in(
    pack: &PolicyPack,
    versions: &[PolicyMeta],
    model: &OrgModel,
    year: i32,
    events: &[Event],
) -> Vec<PlannedObligation> {
    generate_duties(pack, versions, model, year, events, true)
}

/// [`generate_in`], of the on-event duties alone when `events_only`.
fn generate_duties(
    pack: &PolicyPack,
    versions: &[PolicyMeta],
    model: &OrgModel,
    year: i32,
    events: &[Event],
    events_only: bool,
) -> Vec<PlannedObligation> {
    let governs = |day: NaiveDate| {
        version_in_force(versions, &pack.meta.series, day).is_some_and(|m| m.id == pack.meta.id)
    };
    let series_from = versions
        .iter()
        .filter(|m| m.series == pack.meta.series)
        .map(|m| m.effective_from)
        .min()
        .unwrap_or(pack.meta.effective_from);
    let mut out: BTreeMap<String, PlannedObligation> = BTreeMap::new();
    let Some(year_start) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return Vec::new();
    };
    let Some(year_end) = NaiveDate::from_ymd_opt(year, 12, 31) else {
        return Vec::new();
    };
    for duty in pack
        .duties
        .iter()
        .filter(|d| !events_only || d.cadence == Cadence::OnEvent)
    {
        let mut push = |kind: SubjectKind,
                        subject: &str,
                        org: &str,
                        period: Period,
                        due: NaiveDate,
                        platform: Option<&str>| {
            let platform = match kind {
                SubjectKind::Platform => Some(subject.to_string()),
                _ => platform.map(str::to_string),
            };
            let due = due.max(pack.meta.effective_from);
            // An org closed before the day owes nothing more: its obligations falling due
            // after its closing day are withdrawn.
            if model
                .org(org)
                .and_then(|o| o.closed_on)
                .is_some_and(|closed| closed < due)
            {
                return;
            }
            let key = obligation_key(&duty.id, kind, subject, &period);
            out.entry(key.clone()).or_insert_with(|| PlannedObligation {
                key,
                policy: pack.meta.id.clone(),
                duty: duty.id.clone(),
                subject_kind: kind,
                subject: subject.to_string(),
                platform,
                org: org.to_string(),
                period: period.key(),
                due,
                citation: duty.citation(),
            });
        };
        match duty.cadence {
            Cadence::OnEvent => {
                let Subject::Event { event } = &duty.subject else {
                    continue;
                };
                for e in events
                    .iter()
                    .filter(|e| e.kind == *event && e.date.year() == year && governs(e.date))
                {
                    let due = match (e.due, duty.due) {
                        (Some(due), _) => due,
                        (None, DueRule::DaysAfterEvent(n)) => add_days(e.date, n),
                        (None, DueRule::DaysBeforeEvent(n)) => sub_days(e.date, n),
                        _ => continue,
                    };
                    push(
                        SubjectKind::Event,
                        &e.id,
                        &e.org,
                        Period::Event(e.date),
                        due,
                        e.platform.as_deref(),
                    );
                }
            }
            Cadence::Once => {
                let DueRule::DaysAfterStart(n) = duty.due else {
                    continue;
                };
                for (kind, subject, org, start, end) in
                    subjects(duty, model, NaiveDate::MIN, year_end)
                {
                    let anchor = start.max(series_from);
                    if !governs(anchor) {
                        continue;
                    }
                    let from = start.max(pack.meta.effective_from);
                    let due = add_days(from, n);
                    // Only subjects still there when the duty fell due owe it.
                    if due <= year_end && end.is_none_or(|e| e >= from) {
                        push(kind, &subject, &org, Period::Once, due, None);
                    }
                }
            }
            cadence => {
                for period in cadence.periods_of_year(year) {
                    let (Some(from), Some(to)) = (period.start(), period.end()) else {
                        continue;
                    };
                    if !governs(to) {
                        continue;
                    }
                    let Some(due) = periodic_due(duty.due, &period) else {
                        continue;
                    };
                    // A platform, or an operator, that began to run after the period's due
                    // day still owes the period's duty, by the period's last day: a site
                    // opened in November is reviewed by 31 December, not late the day it
                    // opened.
                    let from_running = matches!(
                        duty.subject,
                        Subject::Platform { .. } | Subject::Operator { .. }
                    );
                    for (kind, subject, org, start, _) in
                        subjects(duty, model, from.max(year_start), to)
                    {
                        let due = if from_running && start > due { to } else { due };
                        push(kind, &subject, &org, period, due, None);
                    }
                }
            }
        }
    }
    out.into_values().collect()
}

type SubjectRow = (SubjectKind, String, String, NaiveDate, Option<NaiveDate>);

/// The subjects of a duty that exist during `[from, to]`, with their start and end.
fn subjects(duty: &Duty, model: &OrgModel, from: NaiveDate, to: NaiveDate) -> Vec<SubjectRow> {
    match &duty.subject {
        Subject::Org { org_kinds } => model
            .orgs()
            .iter()
            .filter(|o| org_kinds.contains(&o.kind) && o.exists_during(from, to))
            .map(|o| {
                (
                    SubjectKind::Org,
                    o.id.clone(),
                    o.id.clone(),
                    o.established_on.unwrap_or(NaiveDate::MIN),
                    o.closed_on,
                )
            })
            .collect(),
        Subject::Platform {
            platform_kinds,
            news_function_only,
        } => model
            .platforms()
            .iter()
            .filter(|p| platform_kinds.is_empty() || platform_kinds.contains(&p.kind))
            .filter(|p| !news_function_only || p.news_function)
            // A once-only duty (registration) is owed from the day the platform entered the
            // registry; a periodic one (annual review) by a platform that runs in the period.
            .filter(|p| {
                if duty.cadence == Cadence::Once {
                    p.open_during(from, to)
                } else {
                    p.runs_during(from, to)
                }
            })
            .map(|p| {
                (
                    SubjectKind::Platform,
                    p.id.clone(),
                    p.org.clone(),
                    // Registration counts from the day it entered the registry; the periodic
                    // duties from the day it began to run.
                    if duty.cadence == Cadence::Once {
                        p.opened_on
                    } else {
                        p.active_from.unwrap_or(p.opened_on)
                    },
                    p.closed_on,
                )
            })
            .collect(),
        Subject::Post { posts } => {
            // Each person holding one of the posts at some time in the period owes it once.
            let mut seen = HashSet::new();
            let mut rows = Vec::new();
            for post in model.posts().iter().filter(|p| posts.contains(&p.kind)) {
                for h in model
                    .holdings_of(&post.id)
                    .filter(|h| h.overlaps(from, Some(to)))
                {
                    if seen.insert(h.person.clone()) {
                        rows.push((
                            SubjectKind::Person,
                            h.person.clone(),
                            post.org.clone(),
                            h.start,
                            h.end,
                        ));
                    }
                }
            }
            rows
        }
        Subject::Operator { platform_kinds } => {
            // Each person operating a running platform owes it once, counted from the day the
            // first of their platforms went active; the org of that platform owes it.
            let mut rows: BTreeMap<&str, SubjectRow> = BTreeMap::new();
            for p in model
                .platforms()
                .iter()
                .filter(|p| platform_kinds.is_empty() || platform_kinds.contains(&p.kind))
                .filter(|p| p.runs_during(from, to))
            {
                let start = p.active_from.unwrap_or(p.opened_on);
                for op in &p.operators {
                    let row = rows.entry(op.as_str()).or_insert_with(|| {
                        (
                            SubjectKind::Person,
                            op.clone(),
                            p.org.clone(),
                            start,
                            p.closed_on,
                        )
                    });
                    if start < row.3 {
                        *row = (
                            SubjectKind::Person,
                            op.clone(),
                            p.org.clone(),
                            start,
                            p.closed_on,
                        );
                    }
                }
            }
            rows.into_values().collect()
        }
        Subject::Event { .. } => Vec::new(),
    }
}

/// The planned obligations not yet in `existing` (by key). Existing instances, with whatever
/// completion data they carry, are never touched.
pub fn missing<'a>(
    planned: &'a [PlannedObligation],
    existing: &HashSet<String>,
) -> impl Iterator<Item = &'a PlannedObligation> {
    planned.iter().filter(move |p| !existing.contains(&p.key))
}

/// The status of an obligation on a day (the API spells these exactly so).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationStatus {
    /// Not yet due, and not soon.
    Upcoming,
    /// Due within the pack's `due_soon_days`.
    DueSoon,
    /// Past its due date and not done.
    Overdue,
    /// Done, with evidence.
    Done,
    /// Waived by the first responsible person.
    Waived,
}

impl ObligationStatus {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ObligationStatus::Upcoming => "upcoming",
            ObligationStatus::DueSoon => "due_soon",
            ObligationStatus::Overdue => "overdue",
            ObligationStatus::Done => "done",
            ObligationStatus::Waived => "waived",
        }
    }
}

/// Whether an obligation has been discharged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discharge {
    /// Still open.
    Open,
    /// Done on a day.
    Done(NaiveDate),
    /// Waived.
    Waived,
}

/// The status of an obligation due on `due`, on `today`.
pub fn status_on(
    discharge: Discharge,
    due: NaiveDate,
    today: NaiveDate,
    due_soon_days: u32,
) -> ObligationStatus {
    match discharge {
        Discharge::Done(_) => ObligationStatus::Done,
        Discharge::Waived => ObligationStatus::Waived,
        Discharge::Open if today > due => ObligationStatus::Overdue,
        Discharge::Open if add_days(today, due_soon_days) >= due => ObligationStatus::DueSoon,
        Discharge::Open => ObligationStatus::Upcoming,
    }
}
