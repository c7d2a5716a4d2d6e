//! The daily reminder planner: once per Asia/Shanghai day, claimed in the database so that one
//! instance of several plans it, it asks the core which reminders each open obligation owes
//! that day and records them — notification, email, app-message and robot deliveries — in one
//! transaction that also marks the run finished, only while the claim is still held.

use super::texts::{NoteArgs, mail_text, robot_text};
use crate::AppState;
use crate::shared::auth::Snapshot;
use chrono::Timelike;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use zeren_core::Lang;
use zeren_core::clock::shanghai;
use zeren_core::obligation::SubjectKind;
use zeren_core::reminders::{ObligationFacts, PlanProblem, Reminder, due_window, plan};
use zeren_storage::repo::notify::{
    DINGTALK_APP, NewDelivery, NewReminder, OrgChannels, PLAN_JOB, PersonChannels, WECOM_APP,
};
use zeren_storage::{Actor, new_id};

/// The planner waits for this hour of the Shanghai day, so robots do not post at midnight.
pub const PLAN_HOUR: u32 = 8;

/// How long a claimed run may take before another instance takes it over.
pub const LEASE_MS: i64 = 10 * 60 * 1000;

/// What one call did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The Shanghai day planned.
    pub day: String,
    /// Whether this call claimed and finished the day's run.
    pub ran: bool,
    /// Why it did not run (`early`, `claimed`, `lost`, `error`).
    pub skipped: Option<&'static str>,
    /// Obligations looked at.
    pub obligations: usize,
    /// New reminders recorded (each with one notification).
    pub reminders: usize,
    /// Deliveries queued.
    pub deliveries: usize,
    /// Reminders owed but with nobody to tell, or about duties no longer in the policy.
    pub problems: usize,
}

/// An id for the claims of this call: the process and a fresh id, so two instances (or two
/// states in one test process) never mistake each other's claims.
pub(crate) fn claim_token(what: &str) -> String {
    format!("{what}:{}:{}", std::process::id(), new_id())
}

/// Plans today's reminders if it is past [`PLAN_HOUR`] and no instance has done so.
pub async fn run_once(state: &AppState) -> Summary {
    let now = state.clock.now();
    let local = now.with_timezone(&shanghai());
    let day = local.date_naive();
    let mut summary = Summary {
        day: day.to_string(),
        ..Summary::default()
    };
    if local.hour() < PLAN_HOUR {
        summary.skipped = Some("early");
        return summary;
    }
    match plan_day(state, day, &mut summary).await {
        Ok(()) => {}
        Err(e) => {
            tracing::error!(error = %e, day = %day, "reminder planning failed");
            summary.skipped = Some("error");
        }
    }
    summary
}

async fn plan_day(
    state: &AppState,
    day: chrono::NaiveDate,
    summary: &mut Summary,
) -> zeren_storage::Result<()> {
    let db = &state.db;
    let now_ms = state.now_ms();
    let holder = claim_token("plan");
    let period = day.to_string();
    if !db
        .claim_job(PLAN_JOB, &period, &holder, now_ms, now_ms + LEASE_MS)
        .await?
    {
        summary.skipped = Some("claimed");
        return Ok(());
    }
    let snap = state.fresh_snapshot().await?;
    let model = &snap.model;
    // The widest window of every system's reminder rules; each obligation is then planned
    // with its own system's version of the day (its schedule, its chain of responsibility).
    let current = snap.set.current(day);
    let (from, to) = current
        .iter()
        .map(|p| due_window(&p.reminders, day))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
        .unwrap_or_else(|| due_window(&snap.pack.reminders, day));
    let obligations = db.obligations_due_between(from, to).await?;
    let people = db.all_person_channels().await?;
    let robots = db.all_org_channels().await?;
    let langs = db.person_langs().await?;
    summary.obligations = obligations.len();
    let mut planned = Vec::new();
    for ob in &obligations {
        let facts = ObligationFacts {
            id: &ob.id,
            duty: &ob.duty,
            subject_kind: SubjectKind::parse(&ob.subject_kind).unwrap_or(SubjectKind::Org),
            subject: &ob.subject,
            platform: ob.platform.as_deref(),
            org: &ob.org,
            due: ob.due,
            discharge: ob.discharge,
        };
        // The version of the duty's system read today (the set's `duty` rule, with the
        // versions of the day found once above); a duty only an earlier version has is
        // looked for there.
        let pack = current
            .iter()
            .find(|p| p.duty(&ob.duty).is_some())
            .copied()
            .or_else(|| snap.set.duty(&ob.duty, day).map(|(pack, _)| pack))
            .unwrap_or(&snap.pack);
        for r in plan(pack, model, &facts, day) {
            match r {
                Ok(r) => planned.push(r),
                Err(p) => {
                    summary.problems += 1;
                    match p {
                        PlanProblem::NoRecipient(key) => {
                            tracing::warn!(%key, "reminder has nobody to tell: every post up the chain is vacant")
                        }
                        p => {
                            tracing::warn!(problem = ?p, obligation = %ob.id, "reminder not planned")
                        }
                    }
                }
            }
        }
    }
    let ctx = Ctx {
        snap: &snap,
        people: &people,
        robots: &robots,
        langs: &langs,
        day,
    };
    let records: Vec<NewReminder> = planned.iter().map(|r| ctx.record(r)).collect();
    let mut tx = db.begin(&Actor::system(), state.clock.now()).await?;
    for r in &records {
        if tx.record_reminder(r).await? {
            summary.reminders += 1;
            summary.deliveries += r.deliveries.len();
        }
    }
    let result = json!({
        "obligations": summary.obligations,
        "reminders": summary.reminders,
        "deliveries": summary.deliveries,
        "problems": summary.problems,
    });
    if !tx.finish_job(PLAN_JOB, &period, &holder, &result).await? {
        // Another instance took the run over after our lease: it plans the day; drop ours.
        summary.skipped = Some("lost");
        summary.reminders = 0;
        summary.deliveries = 0;
        return Ok(());
    }
    tx.commit().await?;
    summary.ran = true;
    tracing::info!(day = %day, reminders = summary.reminders, deliveries = summary.deliveries, "reminders planned");
    Ok(())
}

/// Where reminders can go: each person's email and app user ids, each org's robots, each
/// person's language.
#[derive(Clone, Copy)]
pub struct Channels<'a> {
    /// People's channels, by person id (with their 企业微信/钉钉 user ids where those apps
    /// send reminders: [`zeren_storage::Db::all_person_channels`]).
    pub people: &'a HashMap<String, PersonChannels>,
    /// Orgs' robots, by org id.
    pub robots: &'a HashMap<String, OrgChannels>,
    /// People's languages, by person id.
    pub langs: &'a HashMap<String, String>,
}

/// A delivery per channel the recipient and the org have set up: the recipient's email, an app
/// message of each office app that sends reminders and knows the recipient's user id (the
/// robots' text, to the person), and each robot of the org. Email is queued whether or not
/// SMTP is configured yet: a delivery that cannot go out is retried and then shown as failed,
/// never silently dropped.
pub fn deliveries(
    ch: Channels<'_>,
    recipient: &zeren_core::responsibility::NamedRef,
    org: &str,
    kind: &str,
    note: &NoteArgs,
) -> Vec<NewDelivery> {
    let mut out = Vec::new();
    if let Some(mine) = ch.people.get(&recipient.id)
        && mine.email_enabled
        && let Some(email) = mine.email.as_deref().filter(|e| !e.is_empty())
    {
        let lang = ch
            .langs
            .get(&recipient.id)
            .map(|l| Lang::from_tag(l))
            .unwrap_or_default();
        let (subject, text) = mail_text(lang, kind, note, &recipient.name);
        out.push(NewDelivery {
            channel: "email".into(),
            target: email.to_string(),
            person: Some(recipient.id.clone()),
            payload: json!({"subject": subject, "text": text}),
        });
    }
    if let Some(mine) = ch.people.get(&recipient.id) {
        for (channel, user) in [
            (WECOM_APP, mine.wecom_app.as_deref()),
            (DINGTALK_APP, mine.dingtalk_app.as_deref()),
        ] {
            if let Some(user) = user {
                out.push(NewDelivery {
                    channel: channel.into(),
                    target: user.to_string(),
                    person: Some(recipient.id.clone()),
                    payload: json!({"text": robot_text(kind, note, &recipient.name)}),
                });
            }
        }
    }
    if let Some(robot) = ch.robots.get(org) {
        let text = robot_text(kind, note, &recipient.name);
        for (channel, set) in [
            ("wecom", robot.wecom_url.is_some()),
            ("dingtalk", robot.dingtalk_url.is_some()),
        ] {
            if set {
                out.push(NewDelivery {
                    channel: channel.into(),
                    target: org.to_string(),
                    person: None,
                    payload: json!({"text": text}),
                });
            }
        }
    }
    out
}

struct Ctx<'a> {
    snap: &'a Snapshot,
    people: &'a HashMap<String, PersonChannels>,
    robots: &'a HashMap<String, OrgChannels>,
    langs: &'a HashMap<String, String>,
    day: chrono::NaiveDate,
}

impl Ctx<'_> {
    /// The reminder as stored: text arguments, and its [`deliveries`].
    fn record(&self, r: &Reminder) -> NewReminder {
        let note = NoteArgs::of(self.snap, r, self.day);
        let args = note.to_json();
        let kind = r.kind.slug();
        let deliveries = deliveries(
            Channels {
                people: self.people,
                robots: self.robots,
                langs: self.langs,
            },
            &r.recipient,
            &r.org,
            &kind,
            &note,
        );
        NewReminder {
            key: r.key.clone(),
            obligation: r.obligation.clone(),
            kind,
            person: r.recipient.id.clone(),
            org: r.org.clone(),
            scheduled_on: r.scheduled_on,
            planned_on: self.day,
            args,
            deliveries,
        }
    }
}
