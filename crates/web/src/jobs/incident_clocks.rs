//! The clocks of open incidents: once a minute the incidents changed since the last look keep
//! their clocks worked out anew from their timelines, and those with a clock late are read; a
//! clock run out and not met tells the handler and the leader of the
//! platform's portfolio at once, and the first responsible person once the pack's
//! `escalate_after` has passed too — through the notification centre and the reminder channels
//! of the duties ledger (email, the org's 企业微信/钉钉 robots). Each notice is recorded once
//! under its key, whichever instance finds it and however often. The notice of an incident
//! raised to a level the first responsible person handles personally is recorded by the
//! change itself, in its own transaction ([`raised_notice`], [`record_notice`]).

use crate::AppState;
use crate::jobs::reminders::planner::{Channels, deliveries};
use crate::jobs::reminders::texts::NoteArgs;
use crate::shared::snapshot::Snapshot;
use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use std::collections::HashMap;
use zeren_core::clock::shanghai;
use zeren_core::events::shown;
use zeren_core::incidents::{IncidentRules, first_responsible, portfolio_leader};
use zeren_core::responsibility::NamedRef;
use zeren_core::vocab::IncidentClock;
use zeren_storage::repo::incidents::Incident;
use zeren_storage::repo::notify::NewReminder;
use zeren_storage::{Actor, Tx};

/// What one look found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Open incidents looked at.
    pub open: usize,
    /// Clocks run out and not met.
    pub overdue: usize,
    /// New notices recorded.
    pub notices: usize,
    /// Notices with nobody to tell, or no obligation to hang on.
    pub problems: usize,
}

/// A notice about an incident, ready to record: everything but the obligation it hangs on.
#[derive(Debug, Clone)]
pub struct Notice {
    key: String,
    kind: &'static str,
    person: String,
    org: String,
    args: NoteArgs,
    deliveries: Vec<zeren_storage::repo::notify::NewDelivery>,
    day: chrono::NaiveDate,
}

/// The arguments of a notice about `i`.
fn args(snap: &Snapshot, i: &Incident, rules: &IncidentRules, severity: &str) -> NoteArgs {
    let level = rules.severity(severity);
    NoteArgs {
        org: snap
            .model
            .org(&i.fields.org)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| i.fields.org.clone()),
        incident: Some(i.id.clone()),
        title: i.fields.title.clone(),
        severity: level.map_or_else(|| severity.to_string(), |l| l.name.clone()),
        severity_en: level.map_or_else(|| severity.to_string(), |l| l.name_en.clone()),
        responsible: snap.model.person(&i.fields.handler).map(|p| p.name.clone()),
        ..NoteArgs::default()
    }
}

/// Reads every channel a notice may go by.
async fn channels(
    db: &zeren_storage::Db,
) -> zeren_storage::Result<(
    HashMap<String, zeren_storage::repo::notify::PersonChannels>,
    HashMap<String, zeren_storage::repo::notify::OrgChannels>,
    HashMap<String, String>,
)> {
    Ok((
        db.all_person_channels().await?,
        db.all_org_channels().await?,
        db.person_langs().await?,
    ))
}

/// The notice telling the first responsible person that `i` was raised to `severity`, a level
/// they handle personally.
pub async fn raised_notice(
    state: &AppState,
    snap: &Snapshot,
    i: &Incident,
    severity: &str,
    first: &NamedRef,
) -> zeren_storage::Result<Notice> {
    let rules = snap.pack.incidents.clone().unwrap_or_default();
    let (people, robots, langs) = channels(&state.db).await?;
    let args = args(snap, i, &rules, severity);
    let kind = "incident-raised";
    let deliveries = deliveries(
        Channels {
            people: &people,
            robots: &robots,
            langs: &langs,
        },
        first,
        &i.fields.org,
        kind,
        &args,
    );
    Ok(Notice {
        key: format!("incident/{}/raised/{severity}/{}", i.id, state.now_ms()),
        kind,
        person: first.id.clone(),
        org: i.fields.org.clone(),
        args,
        deliveries,
        day: state.today(),
    })
}

/// Records a notice about the incident `incident` in `tx`, hung on its obligation; nothing when
/// the pack owes no obligation for incidents (logged).
pub async fn record_notice(tx: &mut Tx, incident: &str, n: Notice) -> zeren_storage::Result<bool> {
    let Some(obligation) = tx.incident_obligation(incident).await? else {
        tracing::warn!(%incident, "incident notice has no obligation to hang on: the policy has no incident duty");
        return Ok(false);
    };
    let mut args = n.args;
    args.obligation = obligation.clone();
    tx.record_reminder(&NewReminder {
        key: n.key,
        obligation,
        kind: n.kind.into(),
        person: n.person,
        org: n.org,
        scheduled_on: n.day,
        planned_on: n.day,
        args: args.to_json(),
        deliveries: n.deliveries,
    })
    .await
}

/// A clock's names (Chinese, English).
fn clock_names(c: IncidentClock) -> (&'static str, &'static str) {
    match c {
        IncidentClock::FirstResponse => ("首次响应", "first response"),
        IncidentClock::Assessment => ("研判", "assessment"),
        IncidentClock::ClosureReport => ("结案报告", "closure report"),
    }
}

/// Works the clocks of every open incident out at `now` and records the notices they owe.
pub async fn run_once(state: &AppState) -> Summary {
    match look(state).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "incident clocks not evaluated");
            Summary::default()
        }
    }
}

async fn look(state: &AppState) -> zeren_storage::Result<Summary> {
    let db = &state.db;
    let now: NaiveDateTime = state.clock.now().with_timezone(&shanghai()).naive_local();
    let snap = state.fresh_snapshot().await?;
    let rules = snap.pack.incidents.clone().unwrap_or_default();
    // The incidents changed since the last look (or kept under other rules) keep their clocks
    // again; then only those late are read.
    db.settle_incident_clocks(&rules, now).await?;
    let mut summary = Summary {
        open: usize::try_from(db.open_incident_count().await?).unwrap_or(0),
        ..Summary::default()
    };
    let late = db.late_incidents(None, &rules, now).await?;
    if late.is_empty() {
        return Ok(summary);
    }
    let obligations = db.open_incident_obligations().await?;
    let (people, robots, langs) = channels(db).await?;
    let ch = Channels {
        people: &people,
        robots: &robots,
        langs: &langs,
    };
    let day = now.date();
    let escalate_after = Duration::minutes(i64::from(rules.escalate_after));
    let mut records = Vec::new();
    for (i, states) in &late {
        for c in states.iter().filter(|c| c.overdue()) {
            summary.overdue += 1;
            let Some(at) = c.breached else { continue };
            let Some(obligation) = obligations.get(&i.id) else {
                summary.problems += 1;
                continue;
            };
            let mut a = args(&snap, i, &rules, &i.fields.severity);
            let (zh, en) = clock_names(c.clock);
            a.clock = zh.into();
            a.clock_en = en.into();
            a.due_at = shown(at);
            a.obligation = obligation.clone();
            let handler = snap.model.person(&i.fields.handler).map(|p| NamedRef {
                id: p.id.clone(),
                name: p.name.clone(),
            });
            let leader = portfolio_leader(
                &snap.pack,
                &snap.model,
                &i.fields.org,
                i.fields.platform.as_deref(),
                day,
            );
            let first = (now >= at + escalate_after)
                .then(|| first_responsible(&snap.pack, &snap.model, &i.fields.org, day))
                .flatten();
            for (step, kind, who) in [
                ("handler", "incident-clock", handler),
                ("leader", "incident-escalate", leader),
                ("first", "incident-escalate-first", first),
            ] {
                let Some(who) = who else {
                    if step != "first" || now >= at + escalate_after {
                        summary.problems += 1;
                    }
                    continue;
                };
                records.push(NewReminder {
                    key: format!("incident/{}/{}/{step}", i.id, c.clock.as_str()),
                    obligation: obligation.clone(),
                    kind: kind.into(),
                    person: who.id.clone(),
                    org: i.fields.org.clone(),
                    scheduled_on: day,
                    planned_on: day,
                    args: a.to_json(),
                    deliveries: deliveries(ch, &who, &i.fields.org, kind, &a),
                });
            }
        }
    }
    if records.is_empty() {
        return Ok(summary);
    }
    let mut tx = db.begin(&Actor::system(), state.clock.now()).await?;
    for r in &records {
        if tx.record_reminder(r).await? {
            summary.notices += 1;
        }
    }
    tx.commit().await?;
    if summary.notices > 0 {
        tracing::info!(
            notices = summary.notices,
            "incident clocks: notices recorded"
        );
    }
    Ok(summary)
}

/// Starts the look: once a minute.
pub fn spawn(state: &AppState) {
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            let summary = run_once(&s).await;
            if summary.notices > 0 {
                tracing::debug!(?summary, "incident clocks");
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
}
