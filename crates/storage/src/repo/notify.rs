//! Notifications and reminder delivery: channel settings, the reminders planned (one row per
//! stable key), the notification centre, the outbox with leases and every try, robot pacing,
//! and claims of periodic job runs across instances (ENGINEERING.md "Jobs across instances").
//!
//! Exactly once: a run of the daily planner is claimed in `job_runs` (`INSERT … ON CONFLICT DO
//! NOTHING`, a dead instance's claim taken over by `UPDATE … WHERE lease_until < now`) and its
//! reminders, notifications and outbox rows are written in one transaction that also marks the
//! run finished — only while the claim is still held. Each reminder key is inserted once
//! (`ON CONFLICT DO NOTHING`), so its notification and deliveries are queued once even if two
//! planners overlap. A delivery is claimed with a lease by a compare-and-set `UPDATE`; it is
//! marked sent in the transaction that records the try, only by the claim that sent it.

use super::{date_text, parse_date, placeholders};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;
use zeren_core::directory::{DIRECTORY_SETTING, DirectorySettings};
use zeren_core::obligation::Discharge;
use zeren_core::reminders::ROBOT_MESSAGES_PER_MINUTE;

mod channels;
pub use channels::*;

/// The job name of the daily reminder planner.
pub const PLAN_JOB: &str = "reminders.plan";

/// The channel of an app message (应用消息) of the 企业微信 app to one person.
pub const WECOM_APP: &str = "wecom-app";

/// The channel of a work notification (工作通知) of the 钉钉 app to one person.
pub const DINGTALK_APP: &str = "dingtalk-app";

/// Delivery channels: email and the two apps to a person, the two group robots to an org.
pub const CHANNELS: [&str; 5] = ["email", "wecom", "dingtalk", WECOM_APP, DINGTALK_APP];

/// Delivery statuses.
pub const DELIVERY_STATUSES: [&str; 4] = ["pending", "sending", "sent", "failed"];

/// One notification in the centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// Id.
    pub id: String,
    /// The person told.
    pub person: String,
    /// The reminder it comes from.
    pub reminder_key: Option<String>,
    /// The obligation it is about.
    pub obligation: Option<String>,
    /// `before-7`, `overdue`, `escalate`, …
    pub kind: String,
    /// Arguments of the text (catalog key `notify.msg.*` chosen by kind).
    pub args: Value,
    /// Created (epoch ms).
    pub created_at: i64,
    /// Read (epoch ms).
    pub read_at: Option<i64>,
}

/// One row of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Id.
    pub id: String,
    /// The reminder it delivers.
    pub reminder_key: String,
    /// The org the reminder is about (whose admin sees the delivery).
    pub org: String,
    /// The person it is for, for email and the apps.
    pub person: Option<String>,
    /// One of [`CHANNELS`].
    pub channel: String,
    /// Email address, the org id whose robot posts it, or the app user id it goes to.
    pub target: String,
    /// What is sent (subject and text).
    pub payload: Value,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    /// Tries so far.
    pub attempts: i64,
    /// Not before (epoch ms).
    pub next_attempt_at: i64,
    /// The error of the last failed try.
    pub last_error: Option<String>,
    /// The claim that holds or last held it.
    #[serde(skip)]
    pub claimed_by: Option<String>,
    /// Lease end of the claim (epoch ms).
    pub claimed_until: Option<i64>,
    /// Queued (epoch ms).
    pub created_at: i64,
    /// Sent (epoch ms).
    pub sent_at: Option<i64>,
}

/// One try of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// Which try (1, 2, …).
    pub attempt: i64,
    /// When it ended (epoch ms).
    pub at: i64,
    /// `sent`, `retry` or `failed`.
    pub outcome: String,
    /// The error, when it failed.
    pub error: Option<String>,
}

/// An obligation as the planner reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanObligation {
    /// Id.
    pub id: String,
    /// Duty id.
    pub duty: String,
    /// Subject kind.
    pub subject_kind: String,
    /// Subject id.
    pub subject: String,
    /// The platform it concerns.
    pub platform: Option<String>,
    /// Owing org.
    pub org: String,
    /// Due date.
    pub due: NaiveDate,
    /// Done, waived or open.
    pub discharge: Discharge,
}

/// A reminder to record, with its notification and deliveries.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReminder {
    /// Stable key.
    pub key: String,
    /// Obligation id.
    pub obligation: String,
    /// Kind slug.
    pub kind: String,
    /// Recipient person id.
    pub person: String,
    /// Owing org id.
    pub org: String,
    /// Day the point was scheduled for.
    pub scheduled_on: NaiveDate,
    /// Day it was planned.
    pub planned_on: NaiveDate,
    /// Arguments of the notification text.
    pub args: Value,
    /// Deliveries to queue.
    pub deliveries: Vec<NewDelivery>,
}

/// A delivery to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    /// Channel.
    pub channel: String,
    /// Email address, org id, or app user id.
    pub target: String,
    /// Person, for email and the apps.
    pub person: Option<String>,
    /// Subject and text.
    pub payload: Value,
}

/// A claimed job run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRun {
    /// Job name.
    pub job: String,
    /// Period (a day `YYYY-MM-DD` for daily jobs).
    pub period: String,
    /// Claim token of the instance that holds or held it.
    pub claimed_by: String,
    /// Lease end (epoch ms).
    pub lease_until: i64,
    /// Claimed (epoch ms).
    pub started_at: i64,
    /// Finished (epoch ms).
    pub finished_at: Option<i64>,
    /// What the run did.
    pub summary: Option<Value>,
}

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Orgs whose deliveries to show (empty: none).
    pub orgs: Vec<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only this channel.
    pub channel: Option<String>,
}

const OUTBOX_COLS: &str = "id, reminder_key, org_id, person_id, channel, target, payload, status, attempts, next_attempt_at, last_error, claimed_by, claimed_until, created_at, sent_at";
const NOTE_COLS: &str =
    "id, person_id, reminder_key, obligation_id, kind, args, created_at, read_at";

fn json_text(s: &str, what: &str) -> Result<Value> {
    serde_json::from_str(s).map_err(|e| StorageError::Corrupt(format!("{what}: {e}")))
}

fn delivery_from(r: &AnyRow) -> Result<Delivery> {
    Ok(Delivery {
        id: r.try_get("id")?,
        reminder_key: r.try_get("reminder_key")?,
        org: r.try_get("org_id")?,
        person: r.try_get("person_id")?,
        channel: r.try_get("channel")?,
        target: r.try_get("target")?,
        payload: json_text(&r.try_get::<String, _>("payload")?, "delivery payload")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        claimed_by: r.try_get("claimed_by")?,
        claimed_until: r.try_get("claimed_until")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
    })
}

fn note_from(r: &AnyRow) -> Result<Notification> {
    Ok(Notification {
        id: r.try_get("id")?,
        person: r.try_get("person_id")?,
        reminder_key: r.try_get("reminder_key")?,
        obligation: r.try_get("obligation_id")?,
        kind: r.try_get("kind")?,
        args: json_text(&r.try_get::<String, _>("args")?, "notification args")?,
        created_at: r.try_get("created_at")?,
        read_at: r.try_get("read_at")?,
    })
}

/// The WHERE clause and its text arguments for a delivery filter.
fn delivery_where(f: &DeliveryFilter) -> (String, Vec<String>) {
    let mut args: Vec<String> = f.orgs.clone();
    let mut sql = if f.orgs.is_empty() {
        "1 = 0".to_string()
    } else {
        format!("org_id IN ({})", placeholders(1, f.orgs.len()))
    };
    if let Some(s) = &f.status {
        args.push(s.clone());
        sql.push_str(&format!(" AND status = ${}", args.len()));
    }
    if let Some(c) = &f.channel {
        args.push(c.clone());
        sql.push_str(&format!(" AND channel = ${}", args.len()));
    }
    (sql, args)
}

impl Db {
    /// The UI language of each person who has an account that chose one.
    pub async fn person_langs(&self) -> Result<HashMap<String, String>> {
        let rows = sqlx::query(
            "SELECT person_id, lang FROM users WHERE person_id IS NOT NULL AND lang IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("person_id")?, r.try_get("lang")?)))
            .collect()
    }

    /// Open obligations due between `from` and `to` (inclusive), for the planner: done and
    /// waived ones owe no reminder.
    pub async fn obligations_due_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PlanObligation>> {
        let rows = sqlx::query("SELECT id, duty_id, subject_kind, subject_id, platform_id, org_id, due_on, state, completed_on FROM obligations WHERE due_on >= $1 AND due_on <= $2 AND state = 'open' ORDER BY due_on, id")
            .bind(date_text(from))
            .bind(date_text(to))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                let due = parse_date(&r.try_get::<String, _>("due_on")?)?;
                let completed: Option<String> = r.try_get("completed_on")?;
                let discharge = match state.as_str() {
                    "open" => Discharge::Open,
                    "waived" => Discharge::Waived,
                    // Anything else (done, or a state a newer version writes) owes no reminder.
                    _ => Discharge::Done(match completed {
                        Some(c) => parse_date(&c)?,
                        None => due,
                    }),
                };
                Ok(PlanObligation {
                    id: r.try_get("id")?,
                    duty: r.try_get("duty_id")?,
                    subject_kind: r.try_get("subject_kind")?,
                    subject: r.try_get("subject_id")?,
                    platform: r.try_get("platform_id")?,
                    org: r.try_get("org_id")?,
                    due,
                    discharge,
                })
            })
            .collect()
    }

    /// A person's notifications, newest first.
    pub async fn notifications(
        &self,
        person: &str,
        unread_only: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Notification>> {
        let filter = if unread_only {
            " AND read_at IS NULL"
        } else {
            ""
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {NOTE_COLS} FROM notifications WHERE person_id = $1{filter} ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
        )))
        .bind(person)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(note_from).collect()
    }

    /// How many notifications a person has (unread only, or all).
    pub async fn notification_count(&self, person: &str, unread_only: bool) -> Result<i64> {
        let filter = if unread_only {
            " AND read_at IS NULL"
        } else {
            ""
        };
        Ok(sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM notifications WHERE person_id = $1{filter}"
        )))
        .bind(person)
        .fetch_one(&self.pool)
        .await?)
    }

    /// One of a person's notifications.
    pub async fn notification(&self, person: &str, id: &str) -> Result<Option<Notification>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {NOTE_COLS} FROM notifications WHERE id = $1 AND person_id = $2"
        )))
        .bind(id)
        .bind(person)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(note_from).transpose()
    }

    /// How many deliveries there are in each status, across all orgs (the system page).
    pub async fn outbox_counts(&self) -> Result<HashMap<String, i64>> {
        let rows = sqlx::query(
            "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM notify_outbox GROUP BY status",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }

    /// The reminders planned for an obligation, by key.
    pub async fn reminder_keys(&self, obligation: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT reminder_key FROM notify_reminders WHERE obligation_id = $1 ORDER BY reminder_key")
            .bind(obligation)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get("reminder_key")?))
            .collect()
    }

    /// Deliveries matching `f`, newest first.
    pub async fn deliveries(
        &self,
        f: &DeliveryFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Delivery>> {
        let (cond, args) = delivery_where(f);
        let n = args.len();
        let sql = format!(
            "SELECT {OUTBOX_COLS} FROM notify_outbox WHERE {cond} ORDER BY created_at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for a in &args {
            q = q.bind(a.clone());
        }
        let rows = q.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        rows.iter().map(delivery_from).collect()
    }

    /// How many deliveries match `f`, by status.
    pub async fn delivery_counts(&self, f: &DeliveryFilter) -> Result<HashMap<String, i64>> {
        let (cond, args) = delivery_where(f);
        let sql = format!(
            "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM notify_outbox WHERE {cond} GROUP BY status"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for a in &args {
            q = q.bind(a.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }

    /// One delivery.
    pub async fn delivery(&self, id: &str) -> Result<Delivery> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLS} FROM notify_outbox WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "delivery",
            id: id.into(),
        })?;
        delivery_from(&row)
    }

    /// Every try of the deliveries named, by delivery id, in order.
    pub async fn attempts(&self, deliveries: &[String]) -> Result<HashMap<String, Vec<Attempt>>> {
        let mut out: HashMap<String, Vec<Attempt>> = HashMap::new();
        if deliveries.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT delivery_id, attempt, at, outcome, error FROM notify_attempts WHERE delivery_id IN ({}) ORDER BY at, attempt",
            placeholders(1, deliveries.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for d in deliveries {
            q = q.bind(d.clone());
        }
        for r in q.fetch_all(&self.pool).await? {
            out.entry(r.try_get("delivery_id")?)
                .or_default()
                .push(Attempt {
                    attempt: r.try_get("attempt")?,
                    at: r.try_get("at")?,
                    outcome: r.try_get("outcome")?,
                    error: r.try_get("error")?,
                });
        }
        Ok(out)
    }

    /// Claims the run of `job` for `period` for `holder` until `lease_until`: true when this
    /// caller now holds it (a new run, or one whose holder's lease ran out before `now_ms`
    /// without finishing). A finished run is never claimed again.
    pub async fn claim_job(
        &self,
        job: &str,
        period: &str,
        holder: &str,
        now_ms: i64,
        lease_until: i64,
    ) -> Result<bool> {
        let inserted = sqlx::query("INSERT INTO job_runs (job, period, claimed_by, lease_until, started_at, finished_at, summary) VALUES ($1, $2, $3, $4, $5, NULL, NULL) ON CONFLICT (job, period) DO NOTHING")
            .bind(job)
            .bind(period)
            .bind(holder)
            .bind(lease_until)
            .bind(now_ms)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if inserted == 1 {
            return Ok(true);
        }
        let taken = sqlx::query("UPDATE job_runs SET claimed_by = $1, lease_until = $2, started_at = $3 WHERE job = $4 AND period = $5 AND finished_at IS NULL AND lease_until < $3")
            .bind(holder)
            .bind(lease_until)
            .bind(now_ms)
            .bind(job)
            .bind(period)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(taken == 1)
    }

    /// A job run, if it was ever claimed.
    pub async fn job_run(&self, job: &str, period: &str) -> Result<Option<JobRun>> {
        let row = sqlx::query("SELECT job, period, claimed_by, lease_until, started_at, finished_at, summary FROM job_runs WHERE job = $1 AND period = $2")
            .bind(job)
            .bind(period)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let summary: Option<String> = r.try_get("summary")?;
            Ok(JobRun {
                job: r.try_get("job")?,
                period: r.try_get("period")?,
                claimed_by: r.try_get("claimed_by")?,
                lease_until: r.try_get("lease_until")?,
                started_at: r.try_get("started_at")?,
                finished_at: r.try_get("finished_at")?,
                summary: summary
                    .as_deref()
                    .map(|s| json_text(s, "job summary"))
                    .transpose()?,
            })
        })
        .transpose()
    }

    /// Ids of deliveries that may be tried at `now_ms`: pending and due, or claimed by an
    /// instance whose lease ran out (it died mid-send).
    pub async fn due_deliveries(&self, now_ms: i64, limit: i64) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM notify_outbox WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND claimed_until < $1) ORDER BY next_attempt_at, id LIMIT $2")
            .bind(now_ms)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// Claims a delivery for one try: compare-and-set, so of several instances exactly one
    /// wins. Counts the try. `None` when it is not (or no longer) due.
    pub async fn claim_delivery(
        &self,
        id: &str,
        holder: &str,
        now_ms: i64,
        lease_until: i64,
    ) -> Result<Option<Delivery>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "UPDATE notify_outbox SET status = 'sending', attempts = attempts + 1, claimed_by = $1, claimed_until = $2 \
             WHERE id = $3 AND ((status = 'pending' AND next_attempt_at <= $4) OR (status = 'sending' AND claimed_until < $4)) \
             RETURNING {OUTBOX_COLS}"
        )))
        .bind(holder)
        .bind(lease_until)
        .bind(id)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(delivery_from).transpose()
    }

    /// Puts a claimed delivery back without counting the try (the robot's minute is full):
    /// pending again from `next_attempt_at`.
    pub async fn defer_delivery(
        &self,
        id: &str,
        holder: &str,
        next_attempt_at: i64,
    ) -> Result<bool> {
        let n = sqlx::query("UPDATE notify_outbox SET status = 'pending', attempts = attempts - 1, next_attempt_at = $1, claimed_until = NULL WHERE id = $2 AND claimed_by = $3 AND status = 'sending'")
            .bind(next_attempt_at)
            .bind(id)
            .bind(holder)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Takes one of a robot's [`ROBOT_MESSAGES_PER_MINUTE`] slots for a message at `now_ms`:
    /// `Ok(None)` when taken, `Ok(Some(t))` when all were used within the last minute (the
    /// first frees at `t`). At most that many messages go to one robot in any 60 seconds,
    /// across instances: a slot is taken by compare-and-set on its last use.
    pub async fn take_robot_slot(&self, pace_key: &str, now_ms: i64) -> Result<Option<i64>> {
        let slots = i64::from(ROBOT_MESSAGES_PER_MINUTE);
        let values: Vec<String> = (0..slots).map(|i| format!("($1, {i}, 0)")).collect();
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO notify_robot_pace (pace_key, slot, used_at) VALUES {} ON CONFLICT (pace_key, slot) DO NOTHING",
            values.join(", ")
        )))
        .bind(pace_key)
        .execute(&self.pool)
        .await?;
        for _ in 0..(slots * 2) {
            let row = sqlx::query("SELECT slot, used_at FROM notify_robot_pace WHERE pace_key = $1 ORDER BY used_at, slot LIMIT 1")
                .bind(pace_key)
                .fetch_one(&self.pool)
                .await?;
            let slot: i64 = row.try_get("slot")?;
            let used_at: i64 = row.try_get("used_at")?;
            if used_at > now_ms - 60_000 {
                return Ok(Some(used_at + 60_000));
            }
            let n = sqlx::query("UPDATE notify_robot_pace SET used_at = $1 WHERE pace_key = $2 AND slot = $3 AND used_at = $4")
                .bind(now_ms)
                .bind(pace_key)
                .bind(slot)
                .bind(used_at)
                .execute(&self.pool)
                .await?
                .rows_affected();
            if n == 1 {
                return Ok(None);
            }
        }
        // Lost every race: behave as if full, and try again shortly.
        Ok(Some(now_ms + 1_000))
    }
}

impl Tx {
    /// Records a planned reminder with its notification and deliveries, unless its key was
    /// recorded before. True when it is new.
    pub async fn record_reminder(&mut self, r: &NewReminder) -> Result<bool> {
        let now = self.now_ms();
        let new = sqlx::query("INSERT INTO notify_reminders (reminder_key, obligation_id, kind, person_id, org_id, scheduled_on, planned_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (reminder_key) DO NOTHING")
            .bind(&r.key)
            .bind(&r.obligation)
            .bind(&r.kind)
            .bind(&r.person)
            .bind(&r.org)
            .bind(date_text(r.scheduled_on))
            .bind(date_text(r.planned_on))
            .bind(now)
            .execute(&mut *self.tx)
            .await?
            .rows_affected()
            == 1;
        if !new {
            return Ok(false);
        }
        sqlx::query("INSERT INTO notifications (id, person_id, reminder_key, obligation_id, kind, args, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL) ON CONFLICT (reminder_key, person_id) DO NOTHING")
            .bind(new_id())
            .bind(&r.person)
            .bind(&r.key)
            .bind(&r.obligation)
            .bind(&r.kind)
            .bind(r.args.to_string())
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        for d in &r.deliveries {
            self.queue_delivery(&r.key, &r.org, d).await?;
        }
        Ok(true)
    }

    /// Queues a delivery unless the same reminder already goes to the same target on the same
    /// channel. True when queued.
    pub async fn queue_delivery(&mut self, key: &str, org: &str, d: &NewDelivery) -> Result<bool> {
        if !CHANNELS.contains(&d.channel.as_str()) {
            return Err(StorageError::Invalid(format!(
                "unknown channel `{}`",
                d.channel
            )));
        }
        let now = self.now_ms();
        let n = sqlx::query("INSERT INTO notify_outbox (id, reminder_key, org_id, person_id, channel, target, payload, status, attempts, next_attempt_at, last_error, claimed_by, claimed_until, created_at, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, NULL, NULL, NULL, $8, NULL) ON CONFLICT (reminder_key, channel, target) DO NOTHING")
            .bind(new_id())
            .bind(key)
            .bind(org)
            .bind(&d.person)
            .bind(&d.channel)
            .bind(&d.target)
            .bind(d.payload.to_string())
            .bind(now)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Marks a job run finished with its summary, if `holder` still holds it. False when the
    /// claim was lost (the caller then rolls back by dropping the transaction).
    pub async fn finish_job(
        &mut self,
        job: &str,
        period: &str,
        holder: &str,
        summary: &Value,
    ) -> Result<bool> {
        let now = self.now_ms();
        let n = sqlx::query("UPDATE job_runs SET finished_at = $1, summary = $2 WHERE job = $3 AND period = $4 AND claimed_by = $5 AND finished_at IS NULL")
            .bind(now)
            .bind(summary.to_string())
            .bind(job)
            .bind(period)
            .bind(holder)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        self.audit(
            "job.run",
            "job_run",
            &format!("{job}/{period}"),
            None,
            Some(summary),
        )
        .await?;
        Ok(true)
    }

    async fn attempt(
        &mut self,
        delivery: &str,
        attempt: i64,
        outcome: &str,
        error: Option<&str>,
        holder: &str,
    ) -> Result<()> {
        sqlx::query("INSERT INTO notify_attempts (id, delivery_id, attempt, at, outcome, error, claimed_by) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(new_id())
            .bind(delivery)
            .bind(attempt)
            .bind(self.now_ms())
            .bind(outcome)
            .bind(error)
            .bind(holder)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Records a successful try: the delivery is sent, in this transaction, if `holder` still
    /// holds the claim. False when another instance took it over (then nothing is written).
    pub async fn delivery_sent(&mut self, d: &Delivery, holder: &str) -> Result<bool> {
        let now = self.now_ms();
        let n = sqlx::query("UPDATE notify_outbox SET status = 'sent', sent_at = $1, claimed_until = NULL, last_error = NULL WHERE id = $2 AND claimed_by = $3 AND status = 'sending'")
            .bind(now)
            .bind(&d.id)
            .bind(holder)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        self.attempt(&d.id, d.attempts, "sent", None, holder)
            .await?;
        self.audit(
            "delivery.sent",
            "delivery",
            &d.id,
            None,
            Some(&json!({"reminder": d.reminder_key, "channel": d.channel, "attempt": d.attempts})),
        )
        .await?;
        Ok(true)
    }

    /// Records a failed try: pending again from `retry_at`, or failed for good when `None`.
    /// False when `holder` no longer holds the claim.
    pub async fn delivery_failed(
        &mut self,
        d: &Delivery,
        holder: &str,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<bool> {
        let error: String = error.chars().take(500).collect();
        let (status, next) = match retry_at {
            Some(t) => ("pending", t),
            None => ("failed", d.next_attempt_at),
        };
        let n = sqlx::query("UPDATE notify_outbox SET status = $1, next_attempt_at = $2, last_error = $3, claimed_until = NULL WHERE id = $4 AND claimed_by = $5 AND status = 'sending'")
            .bind(status)
            .bind(next)
            .bind(&error)
            .bind(&d.id)
            .bind(holder)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        let outcome = if retry_at.is_some() {
            "retry"
        } else {
            "failed"
        };
        self.attempt(&d.id, d.attempts, outcome, Some(&error), holder)
            .await?;
        if retry_at.is_none() {
            self.audit(
                "delivery.failed",
                "delivery",
                &d.id,
                None,
                Some(&json!({"reminder": d.reminder_key, "channel": d.channel, "attempts": d.attempts, "error": error})),
            )
            .await?;
        }
        Ok(true)
    }

    /// Marks one of a person's notifications read. False when there is no such notification
    /// of theirs (or it was read already).
    pub async fn mark_read(&mut self, person: &str, id: &str) -> Result<bool> {
        let now = self.now_ms();
        let n = sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND person_id = $3 AND read_at IS NULL")
            .bind(now)
            .bind(id)
            .bind(person)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        if n == 1 {
            self.audit("notification.read", "notification", id, None, None)
                .await?;
        }
        Ok(n == 1)
    }

    /// Marks all of a person's notifications read; returns how many were unread.
    pub async fn mark_all_read(&mut self, person: &str) -> Result<u64> {
        let now = self.now_ms();
        let n = sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE person_id = $2 AND read_at IS NULL",
        )
        .bind(now)
        .bind(person)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if n > 0 {
            self.audit(
                "notification.read_all",
                "person",
                person,
                None,
                Some(&json!({"read": n})),
            )
            .await?;
        }
        Ok(n)
    }

    /// Writes a setting whose `secret_fields` must not reach the audit log (they are written
    /// there as `"***"`), if `expected_version` is current (0 when never set).
    pub async fn put_secret_setting<T: Serialize>(
        &mut self,
        key: &str,
        value: &T,
        secret_fields: &[&str],
        expected_version: i64,
    ) -> Result<i64> {
        let value =
            serde_json::to_value(value).map_err(|e| StorageError::Invalid(e.to_string()))?;
        let text = value.to_string();
        let current: Option<(String, i64)> =
            sqlx::query("SELECT value, version FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *self.tx)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get("value")?, r.try_get("version")?)))
                .transpose()?;
        let actual = current.as_ref().map(|c| c.1).unwrap_or(0);
        if actual != expected_version {
            return Err(StorageError::Conflict {
                what: "setting",
                id: key.into(),
                expected: expected_version,
                actual,
            });
        }
        let now = self.now_ms();
        if current.is_some() {
            sqlx::query("UPDATE settings SET value = $1, version = version + 1, updated_at = $2 WHERE key = $3")
                .bind(&text)
                .bind(now)
                .bind(key)
                .execute(&mut *self.tx)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO settings (key, value, version, updated_at) VALUES ($1, $2, 1, $3)",
            )
            .bind(key)
            .bind(&text)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        }
        let redact = |mut v: Value| {
            if let Some(map) = v.as_object_mut() {
                for f in secret_fields {
                    if let Some(x) = map.get_mut(*f)
                        && !x.is_null()
                        && x.as_str() != Some("")
                    {
                        *x = json!("***");
                    }
                }
            }
            v
        };
        let before = current
            .and_then(|c| serde_json::from_str::<Value>(&c.0).ok())
            .map(redact);
        let after = redact(value);
        // Not a "setting" object: the notify settings are read when used, and need no reload
        // of every instance's snapshot.
        self.audit(
            "setting.update",
            "notify_setting",
            key,
            before.as_ref(),
            Some(&after),
        )
        .await?;
        Ok(actual + 1)
    }
}
