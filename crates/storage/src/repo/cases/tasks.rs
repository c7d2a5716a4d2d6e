//! Remediation (整改) of a case's decision: tasks owned by a person of the case's org, reported
//! done by their owner, verified by someone else (or returned), each step on the case file;
//! and what the daily look tells of them (reminded, overdue, escalated), once each.

use super::{CASES, EntryKind};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use crate::repo::{check_updated, check_version, date_text, parse_date, parse_opt_date};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::cases::{CaseState, TaskFields};

/// A remediation task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseTask {
    /// Storage id.
    pub id: String,
    /// The case.
    pub case: String,
    /// Title, owner, deadline.
    pub fields: TaskFields,
    /// The day set.
    pub opened_on: NaiveDate,
    /// The day its owner reported it done.
    pub reported_on: Option<NaiveDate>,
    /// What they reported.
    pub evidence: Option<String>,
    /// The day verified.
    pub verified_on: Option<NaiveDate>,
    /// Who verified it (person id).
    pub verified_by: Option<String>,
    /// The verification's note (or why it was returned).
    pub verification_note: Option<String>,
    /// The person who set it (escalations go to them).
    pub set_by: Option<String>,
    /// The days its owner was reminded, told it was overdue, and it was escalated.
    pub told: (Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>),
    /// Edit version.
    pub version: i64,
    /// Who set it (user name).
    pub created_by: String,
}

impl CaseTask {
    /// Whether it is reported done and waits for verification.
    pub fn awaiting_verification(&self) -> bool {
        self.reported_on.is_some() && self.verified_on.is_none()
    }

    /// Whether it is past its deadline on `today` and not verified.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.verified_on.is_none() && self.fields.deadline < today
    }

    /// The task as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "case": self.case,
            "title": self.fields.title,
            "owner": self.fields.owner,
            "deadline": date_text(self.fields.deadline),
            "opened_on": date_text(self.opened_on),
            "reported_on": self.reported_on.map(date_text),
            "evidence": self.evidence,
            "verified_on": self.verified_on.map(date_text),
            "verified_by": self.verified_by,
            "verification_note": self.verification_note,
            "version": self.version,
        })
    }
}

const TASK_COLS: &str = "id, case_id, title, owner_id, opened_on, deadline, reported_on, evidence, verified_on, verified_by, verification_note, set_by, reminded_on, overdue_on, escalated_on, version, created_by";

const TASKS: crate::repo::Rows<CaseTask> = crate::repo::Rows {
    table: "case_tasks",
    cols: TASK_COLS,
    what: "remediation task",
    from: task_from,
};

fn task_from(r: &AnyRow) -> Result<CaseTask> {
    Ok(CaseTask {
        id: r.try_get("id")?,
        case: r.try_get("case_id")?,
        fields: TaskFields {
            title: r.try_get("title")?,
            owner: r.try_get("owner_id")?,
            deadline: parse_date(&r.try_get::<String, _>("deadline")?)?,
        },
        opened_on: parse_date(&r.try_get::<String, _>("opened_on")?)?,
        reported_on: parse_opt_date(r.try_get("reported_on")?)?,
        evidence: r.try_get("evidence")?,
        verified_on: parse_opt_date(r.try_get("verified_on")?)?,
        verified_by: r.try_get("verified_by")?,
        verification_note: r.try_get("verification_note")?,
        set_by: r.try_get("set_by")?,
        told: (
            parse_opt_date(r.try_get("reminded_on")?)?,
            parse_opt_date(r.try_get("overdue_on")?)?,
            parse_opt_date(r.try_get("escalated_on")?)?,
        ),
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
    })
}

impl Db {
    /// A case's remediation tasks, in the order set.
    pub async fn case_tasks(&self, case: &str) -> Result<Vec<CaseTask>> {
        TASKS
            .slice(
                &self.pool,
                "case_id = $1",
                &[case.to_string()],
                "opened_on, id",
                1_000,
                0,
            )
            .await
    }

    /// One remediation task.
    pub async fn case_task(&self, id: &str) -> Result<CaseTask> {
        TASKS.by_id(&self.pool, id.trim()).await
    }

    /// The remediation tasks `person` owns that are not verified, by deadline.
    pub async fn case_tasks_of_owner(&self, person: &str) -> Result<Vec<CaseTask>> {
        TASKS
            .slice(
                &self.pool,
                "owner_id = $1 AND verified_on IS NULL",
                &[person.to_string()],
                "deadline, id",
                1_000,
                0,
            )
            .await
    }

    /// The remediation tasks not verified, due by `by`, that have something left to be told
    /// (a reminder, the overdue notice, the escalation), by deadline.
    pub async fn case_tasks_to_tell(&self, by: NaiveDate) -> Result<Vec<CaseTask>> {
        TASKS
            .slice(
                &self.pool,
                "verified_on IS NULL AND deadline <= $1 \
                 AND (reminded_on IS NULL OR overdue_on IS NULL OR escalated_on IS NULL)",
                &[date_text(by)],
                "deadline, id",
                10_000,
                0,
            )
            .await
    }

    /// How many remediation tasks of each case in `cases` are not verified.
    pub async fn open_case_tasks(&self, cases: &[String]) -> Result<Vec<(String, i64)>> {
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT case_id, CAST(COUNT(*) AS BIGINT) AS n FROM case_tasks \
             WHERE verified_on IS NULL AND case_id IN ({}) GROUP BY case_id",
            crate::repo::placeholders(1, cases.len())
        )));
        for c in cases {
            q = q.bind(c.clone());
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("case_id")?, r.try_get("n")?)))
            .collect()
    }
}

impl Tx {
    /// Sets a remediation task (checked by `check_task`) on a decided case, as `person`.
    pub async fn add_case_task(
        &mut self,
        case: &str,
        fields: TaskFields,
        person: Option<&str>,
    ) -> Result<CaseTask> {
        let c = CASES.by_id(&mut *self.tx, case).await?;
        if !c.state.decided() || c.state == CaseState::Closed {
            return Err(StorageError::Invalid(format!(
                "case `{case}` is {}; remediation is set after a decision and before closing",
                c.state.as_str()
            )));
        }
        let t = CaseTask {
            id: new_id(),
            case: case.to_string(),
            fields,
            opened_on: self.today(),
            reported_on: None,
            evidence: None,
            verified_on: None,
            verified_by: None,
            verification_note: None,
            set_by: person.map(str::to_string),
            told: (None, None, None),
            version: 1,
            created_by: self.actor_name(),
        };
        sqlx::query(
            "INSERT INTO case_tasks (id, case_id, title, owner_id, opened_on, deadline, set_by, version, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9)",
        )
        .bind(&t.id)
        .bind(case)
        .bind(&t.fields.title)
        .bind(&t.fields.owner)
        .bind(date_text(t.opened_on))
        .bind(date_text(t.fields.deadline))
        .bind(&t.set_by)
        .bind(&t.created_by)
        .bind(self.now_ms())
        .execute(&mut *self.tx)
        .await?;
        let text = t.fields.title.clone();
        self.case_entry(
            case,
            EntryKind::Step,
            None,
            Some("task-set"),
            &text,
            t.opened_on,
            person,
        )
        .await?;
        self.audit(
            "case_task.set",
            "case_task",
            &t.id,
            None,
            Some(&t.to_json()),
        )
        .await?;
        Ok(t)
    }

    async fn task_for_update(&mut self, id: &str, expected: i64) -> Result<CaseTask> {
        let t = TASKS.by_id(&mut *self.tx, id).await?;
        check_version("remediation task", id, expected, t.version)?;
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM cases WHERE id = $1")
            .bind(&t.case)
            .fetch_optional(&mut *self.tx)
            .await?;
        if state.as_deref() == Some(CaseState::Closed.as_str()) {
            return Err(StorageError::Invalid(format!(
                "case `{}` is closed; its remediation is not changed",
                t.case
            )));
        }
        Ok(t)
    }

    async fn update_task(
        &mut self,
        before: &CaseTask,
        after: &CaseTask,
        action: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE case_tasks SET reported_on = $1, evidence = $2, verified_on = $3, verified_by = $4, verification_note = $5, version = version + 1 \
             WHERE id = $6 AND version = $7",
        )
        .bind(after.reported_on.map(date_text))
        .bind(&after.evidence)
        .bind(after.verified_on.map(date_text))
        .bind(&after.verified_by)
        .bind(&after.verification_note)
        .bind(&before.id)
        .bind(before.version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(
            done.rows_affected(),
            "remediation task",
            &before.id,
            before.version,
        )?;
        self.audit(
            action,
            "case_task",
            &before.id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await
    }

    /// Its owner reports a task done on `day` with what shows it (checked by `check_report`).
    pub async fn report_case_task(
        &mut self,
        id: &str,
        expected: i64,
        evidence: &str,
        day: NaiveDate,
    ) -> Result<CaseTask> {
        let before = self.task_for_update(id, expected).await?;
        if before.verified_on.is_some() {
            return Err(StorageError::Invalid(format!("task `{id}` is verified")));
        }
        let mut after = before.clone();
        after.reported_on = Some(day);
        after.evidence = Some(evidence.to_string());
        after.verification_note = None;
        after.version += 1;
        self.update_task(&before, &after, "case_task.report")
            .await?;
        let text = format!("{}：{evidence}", after.fields.title);
        let owner = after.fields.owner.clone();
        self.case_entry(
            &after.case,
            EntryKind::Step,
            None,
            Some("task-report"),
            &text,
            day,
            Some(&owner),
        )
        .await?;
        Ok(after)
    }

    /// Someone other than the owner (checked by `check_verification`) verifies a reported task,
    /// or returns it to its owner with a reason (`verified` false: reported again later).
    pub async fn verify_case_task(
        &mut self,
        id: &str,
        expected: i64,
        verified: bool,
        note: &str,
        person: Option<&str>,
        day: NaiveDate,
    ) -> Result<CaseTask> {
        let before = self.task_for_update(id, expected).await?;
        if !before.awaiting_verification() {
            return Err(StorageError::Invalid(format!(
                "task `{id}` does not wait for verification"
            )));
        }
        let mut after = before.clone();
        if verified {
            after.verified_on = Some(day);
            after.verified_by = person.map(str::to_string);
        } else {
            after.reported_on = None;
        }
        after.verification_note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
        after.version += 1;
        let action = if verified {
            "case_task.verify"
        } else {
            "case_task.return"
        };
        self.update_task(&before, &after, action).await?;
        let step = if verified {
            "task-verify"
        } else {
            "task-return"
        };
        let text = match &after.verification_note {
            Some(n) => format!("{}：{n}", after.fields.title),
            None => after.fields.title.clone(),
        };
        self.case_entry(
            &after.case,
            EntryKind::Step,
            None,
            Some(step),
            &text,
            day,
            person,
        )
        .await?;
        Ok(after)
    }

    /// Tells `person` what remediation task `id` asks (`kind`: `case-task-due`,
    /// `case-task-overdue`, `case-task-escalate`) on `day` in the notification centre, unless
    /// that was told before (whichever instance looks, however often). True when told now.
    pub async fn tell_case_task(
        &mut self,
        id: &str,
        kind: &str,
        person: &str,
        day: NaiveDate,
        args: &Value,
    ) -> Result<bool> {
        let col = match kind {
            "case-task-due" => "reminded_on",
            "case-task-overdue" => "overdue_on",
            "case-task-escalate" => "escalated_on",
            other => return Err(StorageError::Invalid(format!("notice `{other}`"))),
        };
        let now = self.now_ms();
        let first = sqlx::query(AssertSqlSafe(format!(
            "UPDATE case_tasks SET {col} = $1 WHERE id = $2 AND {col} IS NULL"
        )))
        .bind(date_text(day))
        .bind(id)
        .execute(&mut *self.tx)
        .await?
        .rows_affected()
            == 1;
        if !first {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO notifications (id, person_id, reminder_key, obligation_id, kind, args, created_at, read_at) \
             VALUES ($1, $2, NULL, NULL, $3, $4, $5, NULL)",
        )
        .bind(new_id())
        .bind(person)
        .bind(kind)
        .bind(args.to_string())
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "case_task.notice",
            "case_task",
            id,
            None,
            Some(&json!({"kind": kind, "person": person, "day": date_text(day)})),
        )
        .await?;
        Ok(true)
    }
}
