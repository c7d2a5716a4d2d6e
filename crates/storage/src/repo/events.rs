//! Online events held through a platform (Art.4(4)): registered, approved or rejected by the
//! person who answers for them, edited (an edit after approval voids it), recorded after they
//! took place. Each event is the event the pack's online-event duty hangs on: registering it
//! owes that obligation at once, approving it discharges it on the approval day, moving it to
//! another day replans it. The rules are [`zeren_core::events`]; each change is one
//! transaction, checked against the version the caller saw, and audited.

use super::{check_updated, check_version, date_text, parse_date, placeholders};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::events::{EventFields, Held, Speaker, date_time_text, parse_date_time};
use zeren_core::obligation::{Event, SubjectKind};
use zeren_core::org::OrgModel;
use zeren_core::policy::Policies;
use zeren_core::vocab::{EventForm, EventKind};

/// Where an online event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventState {
    /// 已登记: waiting for approval.
    Registered,
    /// 已审批.
    Approved,
    /// 未通过.
    Rejected,
}

impl EventState {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventState::Registered => "registered",
            EventState::Approved => "approved",
            EventState::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Result<EventState> {
        match s {
            "registered" => Ok(EventState::Registered),
            "approved" => Ok(EventState::Approved),
            "rejected" => Ok(EventState::Rejected),
            other => Err(StorageError::Corrupt(format!("event state `{other}`"))),
        }
    }
}

/// A stored online event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnlineEvent {
    /// Storage id.
    pub id: String,
    /// Its fields.
    pub fields: EventFields,
    /// Where it stands.
    pub state: EventState,
    /// Who approved or rejected it (person id).
    pub decided_by: Option<String>,
    /// The day of that decision.
    pub decided_on: Option<NaiveDate>,
    /// The decision's note.
    pub decision_note: Option<String>,
    /// Whether it was changed after an approval (which the change voided).
    pub changed_after_approval: bool,
    /// The record after it: whether it took place, audience, summary.
    pub held: Option<Held>,
    /// Edit version.
    pub version: i64,
    /// Who registered it (user name).
    pub created_by: String,
}

impl OnlineEvent {
    /// The event its obligations hang on.
    pub fn event(&self) -> Event {
        Event {
            id: self.id.clone(),
            kind: EventKind::OnlineEvent,
            org: self.fields.org.clone(),
            date: self.fields.day(),
            platform: Some(self.fields.platform.clone()),
            due: None,
        }
    }

    /// The whole event as JSON (the API's shape, and what the audit keeps).
    pub fn to_json(&self) -> Value {
        let f = &self.fields;
        json!({
            "id": self.id,
            "title": f.title,
            "form": f.form.as_str(),
            "org": f.org,
            "organiser": f.organiser,
            "responsible": f.responsible,
            "speakers": f.speakers,
            "starts_at": date_time_text(f.starts_at),
            "ends_at": date_time_text(f.ends_at),
            "platform": f.platform,
            "audience": f.audience,
            "outline": f.outline,
            "major": f.major,
            "state": self.state.as_str(),
            "decided_by": self.decided_by,
            "decided_on": self.decided_on.map(date_text),
            "decision_note": self.decision_note,
            "changed_after_approval": self.changed_after_approval,
            "held": self.held,
            "version": self.version,
        })
    }
}

pub(crate) const COLS: &str = "id, org_id, platform_id, title, form, organiser, responsible_id, speakers, starts_at, ends_at, audience, outline, major, state, decided_by, decided_on, decision_note, changed_after_approval, held, held_audience, held_summary, version, created_by";

/// The online events table.
const EVENTS: super::Rows<OnlineEvent> = super::Rows {
    table: "online_events",
    cols: COLS,
    what: "event",
    from: event_from,
};

fn corrupt(what: &str, id: &str) -> StorageError {
    StorageError::Corrupt(format!("online event `{id}`: {what}"))
}

pub(crate) fn event_from(r: &AnyRow) -> Result<OnlineEvent> {
    let id: String = r.try_get("id")?;
    let when = |col: &str| -> Result<chrono::NaiveDateTime> {
        parse_date_time(&r.try_get::<String, _>(col)?).ok_or_else(|| corrupt(col, &id))
    };
    let speakers: Vec<Speaker> = serde_json::from_str(&r.try_get::<String, _>("speakers")?)
        .map_err(|_| corrupt("speakers", &id))?;
    let form =
        EventForm::parse(&r.try_get::<String, _>("form")?).ok_or_else(|| corrupt("form", &id))?;
    let held: Option<i64> = r.try_get("held")?;
    Ok(OnlineEvent {
        fields: EventFields {
            title: r.try_get("title")?,
            form,
            org: r.try_get("org_id")?,
            organiser: r.try_get("organiser")?,
            responsible: r.try_get("responsible_id")?,
            speakers,
            starts_at: when("starts_at")?,
            ends_at: when("ends_at")?,
            platform: r.try_get("platform_id")?,
            audience: u32::try_from(r.try_get::<i64, _>("audience")?).unwrap_or(0),
            outline: r.try_get("outline")?,
            major: r.try_get::<i64, _>("major")? != 0,
        },
        state: EventState::parse(&r.try_get::<String, _>("state")?)?,
        decided_by: r.try_get("decided_by")?,
        decided_on: r
            .try_get::<Option<String>, _>("decided_on")?
            .map(|s| parse_date(&s))
            .transpose()?,
        decision_note: r.try_get("decision_note")?,
        changed_after_approval: r.try_get::<i64, _>("changed_after_approval")? != 0,
        held: match held {
            None => None,
            Some(h) => Some(Held {
                held: h != 0,
                audience: u32::try_from(r.try_get::<Option<i64>, _>("held_audience")?.unwrap_or(0))
                    .unwrap_or(0),
                summary: r
                    .try_get::<Option<String>, _>("held_summary")?
                    .unwrap_or_default(),
            }),
        },
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        id,
    })
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Orgs whose events are listed (none: every org).
    pub orgs: Option<Vec<String>>,
    /// Only those in this state.
    pub state: Option<EventState>,
    /// First day (inclusive).
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<NaiveDate>,
    /// Rows to skip.
    pub offset: i64,
    /// Most rows.
    pub limit: i64,
}

impl Db {
    /// One event.
    pub async fn online_event(&self, id: &str) -> Result<OnlineEvent> {
        EVENTS.by_id(&self.pool, id.trim()).await
    }

    /// Events by day (newest first), filtered, with how many match in all.
    pub async fn online_events(&self, f: &EventFilter) -> Result<(Vec<OnlineEvent>, i64)> {
        let mut cond = vec!["1 = 1".to_string()];
        let mut args: Vec<String> = Vec::new();
        if let Some(orgs) = &f.orgs {
            if orgs.is_empty() {
                return Ok((Vec::new(), 0));
            }
            cond.push(format!(
                "org_id IN ({})",
                placeholders(args.len() + 1, orgs.len())
            ));
            args.extend(orgs.iter().cloned());
        }
        if let Some(s) = f.state {
            args.push(s.as_str().to_string());
            cond.push(format!("state = ${}", args.len()));
        }
        // By start (`YYYY-MM-DDTHH:MM`), so that the index the list is ordered by serves the
        // range too: on or after the first day's start, before the day after the last.
        if let Some(d) = f.from {
            args.push(date_text(d));
            cond.push(format!("starts_at >= ${}", args.len()));
        }
        if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
            args.push(date_text(d));
            cond.push(format!("starts_at < ${}", args.len()));
        }
        EVENTS
            .page(
                &self.pool,
                &cond.join(" AND "),
                &args,
                "starts_at DESC, id DESC",
                f.limit,
                f.offset,
            )
            .await
    }
}

impl Tx {
    async fn event_for_update(&mut self, id: &str, expected: i64) -> Result<OnlineEvent> {
        let e = EVENTS.by_id(&mut *self.tx, id).await?;
        check_version("event", id, expected, e.version)?;
        Ok(e)
    }

    /// Owes the obligations an event (an online event, an incident, a major project) brings in
    /// its year, replans them when its day or deadline moved, and withdraws those of a year it
    /// left (`left`: the day it had).
    pub(crate) async fn plan_event(
        &mut self,
        event: &Event,
        left: Option<NaiveDate>,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<()> {
        let year = event.date.year();
        let planned: Vec<_> = policies
            .generate_for_events(model, year, std::slice::from_ref(event))
            .into_iter()
            .filter(|p| p.subject_kind == SubjectKind::Event && p.subject == event.id)
            .collect();
        self.add_obligations(&planned, year).await?;
        self.reconcile_subject(&planned, year, SubjectKind::Event, &event.id, &[])
            .await?;
        if let Some(old) = left.filter(|d| d.year() != year) {
            self.reconcile_subject(&[], old.year(), SubjectKind::Event, &event.id, &[])
                .await?;
        }
        Ok(())
    }

    /// Registers an event (fields checked by `check_event`) and owes its obligations at once.
    pub async fn register_event(
        &mut self,
        fields: EventFields,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<OnlineEvent> {
        let now = self.now_ms();
        let e = OnlineEvent {
            id: new_id(),
            fields,
            state: EventState::Registered,
            decided_by: None,
            decided_on: None,
            decision_note: None,
            changed_after_approval: false,
            held: None,
            version: 1,
            created_by: self.actor_name(),
        };
        let f = &e.fields;
        sqlx::query(
            "INSERT INTO online_events (id, org_id, platform_id, title, form, organiser, responsible_id, speakers, starts_at, ends_at, event_day, audience, outline, major, state, changed_after_approval, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'registered', 0, 1, $15, $16, $16)",
        )
        .bind(&e.id)
        .bind(&f.org)
        .bind(&f.platform)
        .bind(&f.title)
        .bind(f.form.as_str())
        .bind(&f.organiser)
        .bind(&f.responsible)
        .bind(serde_json::to_string(&f.speakers).unwrap_or_else(|_| "[]".into()))
        .bind(date_time_text(f.starts_at))
        .bind(date_time_text(f.ends_at))
        .bind(date_text(f.day()))
        .bind(i64::from(f.audience))
        .bind(&f.outline)
        .bind(i64::from(f.major))
        .bind(&e.created_by)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.audit("event.register", "event", &e.id, None, Some(&e.to_json()))
            .await?;
        self.plan_event(&e.event(), None, policies, model).await?;
        Ok(e)
    }

    /// Changes an event's fields. An approved event goes back to waiting for approval (the
    /// change voids the approval, which is kept as `changed_after_approval`); a new day
    /// replans its obligations.
    pub async fn edit_event(
        &mut self,
        id: &str,
        expected_version: i64,
        fields: EventFields,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<OnlineEvent> {
        let before = self.event_for_update(id, expected_version).await?;
        if before.held.is_some() {
            return Err(StorageError::Invalid(
                "an event already recorded as held or cancelled is not edited".into(),
            ));
        }
        let voided = before.state == EventState::Approved && before.fields != fields;
        let mut after = before.clone();
        after.fields = fields;
        after.version += 1;
        if voided {
            after.state = EventState::Registered;
            after.changed_after_approval = true;
        }
        let f = &after.fields;
        let done = sqlx::query(
            "UPDATE online_events SET platform_id = $1, title = $2, form = $3, organiser = $4, responsible_id = $5, speakers = $6, \
             starts_at = $7, ends_at = $8, event_day = $9, audience = $10, outline = $11, major = $12, state = $13, \
             changed_after_approval = $14, version = version + 1, updated_at = $15 WHERE id = $16 AND version = $17",
        )
        .bind(&f.platform)
        .bind(&f.title)
        .bind(f.form.as_str())
        .bind(&f.organiser)
        .bind(&f.responsible)
        .bind(serde_json::to_string(&f.speakers).unwrap_or_else(|_| "[]".into()))
        .bind(date_time_text(f.starts_at))
        .bind(date_time_text(f.ends_at))
        .bind(date_text(f.day()))
        .bind(i64::from(f.audience))
        .bind(&f.outline)
        .bind(i64::from(f.major))
        .bind(after.state.as_str())
        .bind(i64::from(after.changed_after_approval))
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "event", id, expected_version)?;
        self.audit(
            if voided {
                "event.edit_after_approval"
            } else {
                "event.edit"
            },
            "event",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        let left = (before.fields.day() != after.fields.day()).then(|| before.fields.day());
        self.plan_event(&after.event(), left, policies, model)
            .await?;
        if voided {
            self.reopen_event_obligations(id).await?;
        }
        Ok(after)
    }

    /// An approval voided: the event's obligation done by it is open again.
    pub(crate) async fn reopen_event_obligations(&mut self, id: &str) -> Result<()> {
        let done = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM obligations WHERE subject_kind = 'event' AND subject_id = $1 AND state = 'done'",
            super::obligations::COLUMNS
        )))
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        for row in &done {
            let before = super::obligations::obligation_from_row(row)?;
            sqlx::query(
                "UPDATE obligations SET state = 'open', completed_on = NULL, completion_note = NULL, version = version + 1, updated_at = $1 WHERE id = $2",
            )
            .bind(self.now_ms())
            .bind(&before.id)
            .execute(&mut *self.tx)
            .await?;
            let mut after = before.clone();
            after.state = "open".into();
            after.completed_on = None;
            after.completion_note = None;
            after.version += 1;
            self.audit(
                "obligation.reopen",
                "obligation",
                &before.id,
                Some(&serde_json::to_value(&before).unwrap_or_default()),
                Some(&serde_json::to_value(&after).unwrap_or_default()),
            )
            .await?;
        }
        Ok(())
    }

    /// Approves (or rejects) an event: `person` was checked by `check_approval` as the one who
    /// decides. An approval discharges the event's open obligations on `day`.
    pub async fn decide_event(
        &mut self,
        id: &str,
        expected_version: i64,
        approve: bool,
        person: &str,
        day: NaiveDate,
        note: &str,
    ) -> Result<OnlineEvent> {
        let before = self.event_for_update(id, expected_version).await?;
        let mut after = before.clone();
        after.state = if approve {
            EventState::Approved
        } else {
            EventState::Rejected
        };
        after.decided_by = Some(person.to_string());
        after.decided_on = Some(day);
        after.decision_note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
        after.version += 1;
        let done = sqlx::query(
            "UPDATE online_events SET state = $1, decided_by = $2, decided_on = $3, decision_note = $4, version = version + 1, updated_at = $5 \
             WHERE id = $6 AND version = $7",
        )
        .bind(after.state.as_str())
        .bind(person)
        .bind(date_text(day))
        .bind(&after.decision_note)
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "event", id, expected_version)?;
        self.audit(
            if approve {
                "event.approve"
            } else {
                "event.reject"
            },
            "event",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        if !approve {
            // A rejection after an approval takes back what the approval discharged.
            self.reopen_event_obligations(id).await?;
        }
        if approve {
            let note = format!("活动已审批（{}）", date_text(day));
            self.discharge_event(id, day, &note).await?;
        }
        Ok(after)
    }

    /// Discharges the open obligations hanging on the event `id` on `day`, with `note`.
    pub(crate) async fn discharge_event(
        &mut self,
        id: &str,
        day: NaiveDate,
        note: &str,
    ) -> Result<()> {
        let open = sqlx::query(
            "SELECT id, version FROM obligations WHERE subject_kind = 'event' AND subject_id = $1 AND state = 'open'",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        for row in open {
            let oid: String = row.try_get("id")?;
            let version: i64 = row.try_get("version")?;
            self.complete_obligation(&oid, version, day, note).await?;
        }
        Ok(())
    }

    /// Records how an event went (checked by `check_held`).
    pub async fn record_held(
        &mut self,
        id: &str,
        expected_version: i64,
        held: Held,
    ) -> Result<OnlineEvent> {
        let before = self.event_for_update(id, expected_version).await?;
        let mut after = before.clone();
        after.held = Some(held.clone());
        after.version += 1;
        let done = sqlx::query(
            "UPDATE online_events SET held = $1, held_audience = $2, held_summary = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(i64::from(held.held))
        .bind(i64::from(held.audience))
        .bind(&held.summary)
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "event", id, expected_version)?;
        self.audit(
            "event.held",
            "event",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        Ok(after)
    }
}

/// The online events of `year` as the events their duty hangs on, over `conn`.
pub(crate) async fn online_events_of_year(
    conn: &mut sqlx::AnyConnection,
    year: i32,
) -> Result<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT id, org_id, platform_id, event_day FROM online_events WHERE event_day >= $1 AND event_day <= $2 ORDER BY id",
    )
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                id: r.try_get("id")?,
                kind: EventKind::OnlineEvent,
                org: r.try_get("org_id")?,
                date: parse_date(&r.try_get::<String, _>("event_day")?)?,
                platform: r.try_get("platform_id")?,
                due: None,
            })
        })
        .collect()
}
