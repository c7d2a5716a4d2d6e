//! Platforms' annual reviews (年审) and the rectification tasks they open (Art.4(6)). A review is
//! a record of kind `annual-review` (its checklist answered as the pack said it that day); it is
//! stored, linked as evidence of the platform's annual-review obligation it discharges, and, when
//! it ends in "rectify", opens its rectification tasks in the same transaction: each an event the
//! pack's `rectification` duty hangs on, hence an obligation with the task's deadline, its owner
//! named handler where the owner may be one, closed by a rectification report. The rules are
//! [`zeren_core::platforms::check_review`].

use super::obligations::{COLUMNS as OBLIGATION_COLS, StoredObligation, obligation_from_row};
use super::records::{RECORD_COLS, Record, RecordDetails, ValidRecord, record_from};
use super::{date_text, parse_date};
use crate::db::{Db, Tx, new_id};
use crate::error::Result;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::Lang;
use zeren_core::access::check_handler;
use zeren_core::evidence::{ObligationFacts, check};
use zeren_core::obligation::{Event, SubjectKind};
use zeren_core::org::{OrgModel, Platform};
use zeren_core::platforms::AnnualReview;
use zeren_core::policy::{EvidenceOf, Policies};
use zeren_core::vocab::{EventKind, EvidenceKind};

/// A rectification task as stored. Its status is its obligation's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rectification {
    /// Storage id (the event id of its obligation).
    pub id: String,
    /// The review (record id) that opened it.
    pub review: String,
    /// The platform.
    pub platform: String,
    /// The org that owes it (the platform's).
    pub org: String,
    /// The checklist item it rectifies.
    pub item: Option<String>,
    /// What is to be done.
    pub title: String,
    /// The owner's person id.
    pub owner: String,
    /// The day the review opened it.
    pub opened_on: NaiveDate,
    /// Its deadline.
    pub deadline: NaiveDate,
}

const RECTIFICATION_COLS: &str =
    "id, review_id, platform_id, org_id, item_id, title, owner_id, opened_on, deadline";

fn rectification_from(r: &AnyRow) -> Result<Rectification> {
    Ok(Rectification {
        id: r.try_get("id")?,
        review: r.try_get("review_id")?,
        platform: r.try_get("platform_id")?,
        org: r.try_get("org_id")?,
        item: r.try_get("item_id")?,
        title: r.try_get("title")?,
        owner: r.try_get("owner_id")?,
        opened_on: parse_date(&r.try_get::<String, _>("opened_on")?)?,
        deadline: parse_date(&r.try_get::<String, _>("deadline")?)?,
    })
}

impl Rectification {
    /// The event its obligation hangs on.
    pub fn event(&self) -> Event {
        Event {
            id: self.id.clone(),
            kind: EventKind::Rectification,
            org: self.org.clone(),
            date: self.opened_on,
            platform: Some(self.platform.clone()),
            due: Some(self.deadline),
        }
    }
}

/// The events on-event duties hang on in `year` over `conn`: the directives received, the
/// rectification tasks opened and the online events held.
async fn events_of_year(conn: &mut sqlx::AnyConnection, year: i32) -> Result<Vec<Event>> {
    let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let mut events = Vec::new();
    for r in sqlx::query(
        "SELECT id, org_id, received_on FROM directives WHERE archived = 0 AND received_on >= $1 AND received_on <= $2 ORDER BY id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *conn)
    .await?
    {
        events.push(Event {
            id: r.try_get("id")?,
            kind: EventKind::Directive,
            org: r.try_get("org_id")?,
            date: parse_date(&r.try_get::<String, _>("received_on")?)?,
            platform: None,
            due: None,
        });
    }
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT {RECTIFICATION_COLS} FROM rectifications WHERE opened_on >= $1 AND opened_on <= $2 ORDER BY id"
    )))
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *conn)
    .await?
    {
        events.push(rectification_from(&r)?.event());
    }
    events.extend(super::events::online_events_of_year(conn, year).await?);
    events.extend(super::incidents::incident_events_of_year(conn, year).await?);
    events.extend(super::projects::project_events_of_year(conn, year).await?);
    Ok(events)
}

impl Db {
    /// The events on-event duties hang on in `year` (directives received, rectification tasks
    /// opened): pass them to `Policies::generate`.
    pub async fn events_of_year(&self, year: i32) -> Result<Vec<Event>> {
        let mut conn = self.pool.acquire().await?;
        events_of_year(conn.as_mut(), year).await
    }

    /// What an event an obligation hangs on is, by its id: (its kind — `directive`,
    /// `online-event`, `rectification`, `incident`, `project` — its title, the id of the page
    /// that shows it: the task's incident for an incident's rectification, the platform for a
    /// review's).
    pub async fn event_subject(&self, id: &str) -> Result<Option<(String, String, String)>> {
        let row = sqlx::query(
            "SELECT 'directive' AS k, title, id AS page FROM directives WHERE id = $1 \
             UNION ALL SELECT 'online-event', title, id FROM online_events WHERE id = $1 \
             UNION ALL SELECT 'rectification', title, platform_id FROM rectifications WHERE id = $1 \
             UNION ALL SELECT 'incident', title, incident_id FROM incident_tasks WHERE id = $1 \
             UNION ALL SELECT 'incident', title, id FROM incidents WHERE id = $1 \
             UNION ALL SELECT 'project', title, id FROM projects WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("k")?, r.try_get("title")?, r.try_get("page")?)))
            .transpose()
    }

    /// A platform's annual reviews, newest first, in one read.
    pub async fn reviews_of(&self, platform: &str) -> Result<Vec<Record>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {RECORD_COLS} FROM records WHERE kind = 'annual-review' AND archived = 0 AND platforms = $1 ORDER BY record_date DESC, created_at DESC"
        )))
        .bind(super::records::json_list(std::slice::from_ref(&platform.to_string())))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(record_from)
        .collect()
    }

    /// A platform's rectification tasks, newest first.
    pub async fn rectifications_of(&self, platform: &str) -> Result<Vec<Rectification>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {RECTIFICATION_COLS} FROM rectifications WHERE platform_id = $1 ORDER BY opened_on DESC, id"
        )))
        .bind(platform)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rectification_from)
        .collect()
    }

    /// An org's rectification tasks still open (their obligation neither done nor waived),
    /// by deadline.
    pub async fn open_rectifications(&self, org: &str) -> Result<Vec<Rectification>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM rectifications r WHERE r.org_id = $1 AND EXISTS (SELECT 1 FROM obligations o \
             WHERE o.subject_kind = 'event' AND o.subject_id = r.id AND o.state = 'open') ORDER BY r.deadline, r.id",
            super::qualified(RECTIFICATION_COLS, "r")
        )))
        .bind(org)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rectification_from)
        .collect()
    }

    /// One rectification task.
    pub async fn rectification(&self, id: &str) -> Result<Option<Rectification>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {RECTIFICATION_COLS} FROM rectifications WHERE id = $1"
        )))
        .bind(id.trim())
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(rectification_from)
        .transpose()
    }

    /// The obligations hanging on rectification tasks of a platform, by task id.
    pub async fn rectification_obligations(&self, platform: &str) -> Result<Vec<StoredObligation>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {OBLIGATION_COLS} FROM obligations WHERE platform_id = $1 AND subject_kind = 'event' AND state <> 'withdrawn' ORDER BY due_on, id"
        )))
        .bind(platform)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(obligation_from_row)
        .collect()
    }
}

impl Tx {
    /// The org and opening day of a rectification task, if it exists (what a report naming it
    /// is checked against).
    pub(crate) async fn rectification_facts(
        &mut self,
        id: &str,
    ) -> Result<Option<(String, NaiveDate)>> {
        let id = id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        let row = sqlx::query("SELECT org_id, opened_on FROM rectifications WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| {
            Ok((
                r.try_get("org_id")?,
                parse_date(&r.try_get::<String, _>("opened_on")?)?,
            ))
        })
        .transpose()
    }

    /// Records a review of `platform` on `date` (checked by `check_review`): the record, the
    /// rectification tasks it opens with their obligations, and the review linked as evidence of
    /// each annual-review obligation of the platform it discharges. Returns the record.
    pub async fn record_review(
        &mut self,
        platform: &Platform,
        date: NaiveDate,
        mut review: AnnualReview,
        policies: &Policies,
        model: &OrgModel,
        lang: Lang,
    ) -> Result<Record> {
        for t in &mut review.rectifications {
            t.id = new_id();
        }
        let title = lang_title(platform, date, &review);
        let tasks = review.rectifications.clone();
        let record = self
            .insert_record(ValidRecord {
                kind: EvidenceOf::Builtin(EvidenceKind::AnnualReview),
                org: platform.org.clone(),
                date,
                title,
                details: RecordDetails::AnnualReview(review),
            })
            .await?;
        let now = self.now_ms();
        let mut events = Vec::with_capacity(tasks.len());
        for t in &tasks {
            let r = Rectification {
                id: t.id.clone(),
                review: record.id.clone(),
                platform: platform.id.clone(),
                org: platform.org.clone(),
                item: t.item.clone(),
                title: t.title.clone(),
                owner: t.owner.clone(),
                opened_on: date,
                deadline: t.deadline,
            };
            sqlx::query(
                "INSERT INTO rectifications (id, review_id, platform_id, org_id, item_id, title, owner_id, opened_on, deadline, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&r.id)
            .bind(&r.review)
            .bind(&r.platform)
            .bind(&r.org)
            .bind(&r.item)
            .bind(&r.title)
            .bind(&r.owner)
            .bind(date_text(r.opened_on))
            .bind(date_text(r.deadline))
            .bind(self.actor_name())
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
            self.audit(
                "rectification.open",
                "rectification",
                &r.id,
                None,
                Some(&serde_json::to_value(&r).unwrap_or_default()),
            )
            .await?;
            events.push(r.event());
        }
        if !events.is_empty() {
            let year = date.year();
            let planned: Vec<_> = policies
                .generate(model, year, &events)
                .into_iter()
                .filter(|p| {
                    p.subject_kind == SubjectKind::Event && events.iter().any(|e| e.id == p.subject)
                })
                .collect();
            self.add_obligations(&planned, year).await?;
            let owners: Vec<(&str, &str)> = tasks
                .iter()
                .map(|t| (t.id.as_str(), t.owner.as_str()))
                .collect();
            self.name_owners(&owners, model, date).await?;
        }
        self.link_review(&record, platform, lang).await?;
        Ok(record)
    }

    /// Names each task's owner the handler of its obligation, where the owner holds a post in
    /// the owing org or above (who may be a handler); otherwise the owner stays on the task.
    /// `tasks`: (task id, owner's person id).
    pub(crate) async fn name_owners(
        &mut self,
        tasks: &[(&str, &str)],
        model: &OrgModel,
        day: NaiveDate,
    ) -> Result<()> {
        for (task, owner) in tasks {
            let rows = sqlx::query(
                "SELECT id, org_id FROM obligations WHERE subject_kind = 'event' AND subject_id = $1",
            )
            .bind(task)
            .fetch_all(&mut *self.tx)
            .await?;
            for r in rows {
                let (id, org): (String, String) = (r.try_get("id")?, r.try_get("org_id")?);
                if check_handler(model, &org, owner, day).is_ok() {
                    sqlx::query("UPDATE obligations SET handler_id = $1 WHERE id = $2")
                        .bind(owner)
                        .bind(&id)
                        .execute(&mut *self.tx)
                        .await?;
                    // Named by the review that opened the task (not by hand: its own action).
                    self.audit(
                        "rectification.owner",
                        "obligation",
                        &id,
                        None,
                        Some(&serde_json::json!({"handler": owner, "rectification": task})),
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Links a review as evidence of the platform's open obligations it discharges: those of
    /// the period it falls in (its annual review of the year).
    async fn link_review(
        &mut self,
        record: &Record,
        platform: &Platform,
        lang: Lang,
    ) -> Result<()> {
        let open: Vec<StoredObligation> = sqlx::query(AssertSqlSafe(format!(
            "SELECT {OBLIGATION_COLS} FROM obligations WHERE subject_kind = 'platform' AND subject_id = $1 AND state = 'open' ORDER BY due_on, id"
        )))
        .bind(&platform.id)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(obligation_from_row)
        .collect::<Result<_>>()?;
        let facts = record.facts(0);
        // The review of its own year only: a review dated in 2026 is the 2026 review, not a
        // late one for an earlier year left overdue (that stays overdue, and says so).
        let covers = |period: &str| {
            zeren_core::period::Period::parse(period)
                .and_then(|p| Some((p.start()?, p.end()?)))
                .is_some_and(|(from, to)| record.date >= from && record.date <= to)
        };
        for o in open
            .into_iter()
            .filter(|o| o.period == "once" || covers(&o.period))
        {
            let pack = self.policy_pack(&o.policy).await?;
            let Some(duty) = pack.duty(&o.duty) else {
                continue;
            };
            let of = ObligationFacts {
                duty,
                org: &o.org,
                subject_kind: SubjectKind::Platform,
                subject: &o.subject,
                period: &o.period,
                record_kinds: &pack.record_kinds,
            };
            if check(&of, &facts).is_ok() {
                self.attach_evidence(&o.id, &record.id, o.version, lang)
                    .await?;
            }
        }
        Ok(())
    }
}

/// The title of a review's record: the platform, the year, the outcome.
fn lang_title(platform: &Platform, date: NaiveDate, review: &AnnualReview) -> String {
    format!(
        "{} {}年度年审（{}）",
        platform.name,
        date.year(),
        review.outcome.name_zh()
    )
}
