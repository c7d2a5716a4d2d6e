//! The clocks of an incident, worked out from its timeline. Each clock runs from the moment the
//! incident came to notice, for the length its severity gives, and stops only while the clocks
//! are paused (for a reason the pack allows). Raising the severity can only shorten what is
//! left: the clock then ends at the earlier of its old end and the new level's length from the
//! raise. Lowering it lengthens the clock to the lower level's length from the start — but a
//! clock that had already run out stays run out: the history is kept.

use super::{IncidentRules, Recorded};
use crate::vocab::{IncidentClock, TimelineKind};
use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Where one clock of an incident stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockState {
    /// Which clock.
    pub clock: IncidentClock,
    /// Its length under the current severity, in minutes (none: that level has no such clock,
    /// and it no longer runs).
    pub limit: Option<u32>,
    /// When it runs out (or ran out); none once met, while stopped, or without a limit.
    pub due: Option<NaiveDateTime>,
    /// When it was met.
    pub met: Option<NaiveDateTime>,
    /// When it ran out before being met.
    pub breached: Option<NaiveDateTime>,
    /// Whether the clocks are stopped now.
    pub stopped: bool,
}

impl ClockState {
    /// Run out and still not met.
    pub fn overdue(&self) -> bool {
        self.met.is_none() && self.breached.is_some()
    }

    /// Run out at some point (met late, or not met yet).
    pub fn late(&self) -> bool {
        self.breached.is_some()
    }
}

/// What meets `clock` on the timeline: the first handling of any kind meets the first response,
/// an assessment the assessment, the closure the closure report.
fn meets(clock: IncidentClock, kind: TimelineKind) -> bool {
    use TimelineKind::*;
    match clock {
        IncidentClock::FirstResponse => {
            matches!(kind, Response | Assessment | Action | Instruction | Closed)
        }
        IncidentClock::Assessment => matches!(kind, Assessment | Closed),
        IncidentClock::ClosureReport => kind == Closed,
    }
}

/// The clocks of an incident that came to notice at `noticed` with this timeline, at `now`.
/// A clock is listed when its current severity has it, or when it ran out or was met under an
/// earlier one.
pub fn clocks(
    rules: &IncidentRules,
    noticed: NaiveDateTime,
    timeline: &[Recorded<'_>],
    now: NaiveDateTime,
) -> Vec<ClockState> {
    let mut ordered: Vec<&Recorded<'_>> = timeline.iter().collect();
    ordered.sort_by_key(|r| r.at);
    IncidentClock::ALL
        .iter()
        .filter_map(|&c| one(rules, noticed, &ordered, c, now))
        .collect()
}

/// Seconds of a length in minutes.
fn secs(minutes: u32) -> i64 {
    i64::from(minutes) * 60
}

fn one(
    rules: &IncidentRules,
    noticed: NaiveDateTime,
    timeline: &[&Recorded<'_>],
    clock: IncidentClock,
    now: NaiveDateTime,
) -> Option<ClockState> {
    let limit_of = |s: &str| rules.severity(s).and_then(|l| l.limit(clock));
    let first = timeline
        .iter()
        .find(|r| r.kind == TimelineKind::Recorded)
        .and_then(|r| r.severity)
        .unwrap_or("");
    let met = timeline
        .iter()
        .filter(|r| meets(clock, r.kind))
        .map(|r| r.at.max(noticed))
        .min();
    let horizon = met.unwrap_or(now).max(noticed);
    let mut level = first;
    let mut budget = limit_of(first).map(secs);
    let mut ever = budget.is_some();
    let mut run: i64 = 0;
    let mut prev = noticed;
    let mut paused = false;
    let mut breached: Option<NaiveDateTime> = None;
    let check = |budget: Option<i64>, run: i64, at: NaiveDateTime, breached: &mut Option<_>| {
        if let Some(b) = budget
            && breached.is_none()
            && run > b
        {
            *breached = Some(at);
        }
    };
    let advance = |to: NaiveDateTime,
                   paused: bool,
                   budget: Option<i64>,
                   run: &mut i64,
                   prev: &mut NaiveDateTime,
                   breached: &mut Option<NaiveDateTime>| {
        if to <= *prev {
            return;
        }
        if !paused {
            let span = (to - *prev).num_seconds();
            if let Some(b) = budget
                && breached.is_none()
                && *run + span > b
            {
                *breached = Some(*prev + Duration::seconds((b - *run).max(0)));
            }
            *run += span;
        }
        *prev = to;
    };
    for r in timeline.iter().filter(|r| r.at <= horizon) {
        match r.kind {
            TimelineKind::Paused | TimelineKind::Resumed | TimelineKind::Severity => {}
            _ => continue,
        }
        advance(r.at, paused, budget, &mut run, &mut prev, &mut breached);
        match (r.kind, r.severity) {
            (TimelineKind::Paused, _) => paused = true,
            (TimelineKind::Resumed, _) => paused = false,
            (TimelineKind::Severity, Some(to)) => {
                let raises = rules.rank(to) > rules.rank(level);
                let length = limit_of(to).map(secs);
                budget = match (raises, budget, length) {
                    (true, Some(b), Some(d)) => Some(b.min(run + d)),
                    (true, None, Some(d)) => Some(run + d),
                    (true, b, None) => b,
                    (false, _, None) => None,
                    (false, b, Some(d)) => Some(b.map_or(d, |b| b.max(d))),
                };
                ever |= budget.is_some();
                level = to;
                check(budget, run, r.at, &mut breached);
            }
            _ => {}
        }
    }
    advance(horizon, paused, budget, &mut run, &mut prev, &mut breached);
    if !ever && met.is_none() {
        return None;
    }
    let due = match (met, paused, budget) {
        (None, false, Some(b)) => breached.or(Some(horizon + Duration::seconds(b - run))),
        _ => None,
    };
    Some(ClockState {
        clock,
        limit: limit_of(level),
        due,
        met,
        breached,
        stopped: paused && met.is_none(),
    })
}

/// The clocks worked out at one moment, as they stand at a later `now` with the timeline and the
/// rules unchanged: what [`clocks`] would give at `now`. Only a clock that runs moves with time,
/// and only once: it runs out at its due moment. Met and stopped clocks stay as they are.
pub fn clocks_at(states: &[ClockState], now: NaiveDateTime) -> Vec<ClockState> {
    states
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if c.met.is_none() && !c.stopped && c.breached.is_none() {
                c.breached = c.due.filter(|d| now > *d);
            }
            c
        })
        .collect()
}

/// From when clocks worked out at one moment show the incident late, as long as its timeline and
/// the rules stay unchanged: the earliest moment a clock ran out (met since or not), or a
/// running clock runs out unless it is met. Whenever a clock is late (or overdue), this moment
/// has come. None: no clock ever will be.
pub fn late_from(states: &[ClockState]) -> Option<NaiveDateTime> {
    states
        .iter()
        .filter_map(|c| {
            c.breached
                .or(c.due.filter(|_| c.met.is_none() && !c.stopped))
        })
        .min()
}
