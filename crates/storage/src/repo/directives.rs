//! Directives from higher levels (上级部署), registered by the org that received them, each
//! with the obligation to implement it; their supervised tasks (督办) and the progress and
//! completion reports on those tasks. The values and the rules a draft must pass are
//! [`zeren_core::records`]; a write is one transaction, audited.

use super::{Rows, date_text, parse_date, parse_opt_date, placeholders, qualified};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::{Datelike, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::Lang;
use zeren_core::clock::shanghai_date;
use zeren_core::obligation::{Event, SubjectKind};
use zeren_core::org::OrgModel;
use zeren_core::policy::Policies;
use zeren_core::records::{
    Directive, DirectiveDraft, ReportDraft, Task, TaskDraft, TaskReport, join_messages,
    validate_directive, validate_report, validate_task,
};
use zeren_core::vocab::EventKind;

const DIRECTIVE_COLS: &str = "id, org_id, issuer, document_number, received_on, title, content, version, created_by, created_at";
const TASK_COLS: &str =
    "id, directive_id, title, owner_id, deadline, status, completed_on, version";
const REPORT_COLS: &str = "id, task_id, kind, report_date, content, created_by, created_at";

/// Directives read by id.
const DIRECTIVES: Rows<Directive> = Rows {
    table: "directives",
    cols: DIRECTIVE_COLS,
    what: "directive",
    from: directive_from,
};
/// Tasks read by id.
const TASKS: Rows<Task> = Rows {
    table: "tasks",
    cols: TASK_COLS,
    what: "task",
    from: task_from,
};

fn directive_from(r: &AnyRow) -> Result<Directive> {
    Ok(Directive {
        id: r.try_get("id")?,
        org: r.try_get("org_id")?,
        issuer: r.try_get("issuer")?,
        document_number: r.try_get("document_number")?,
        received_on: parse_date(&r.try_get::<String, _>("received_on")?)?,
        title: r.try_get("title")?,
        content: r.try_get("content")?,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn task_from(r: &AnyRow) -> Result<Task> {
    Ok(Task {
        id: r.try_get("id")?,
        directive: r.try_get("directive_id")?,
        title: r.try_get("title")?,
        owner: r.try_get("owner_id")?,
        deadline: parse_date(&r.try_get::<String, _>("deadline")?)?,
        status: r.try_get("status")?,
        completed_on: parse_opt_date(r.try_get("completed_on")?)?,
        version: r.try_get("version")?,
    })
}

fn report_from(r: &AnyRow) -> Result<TaskReport> {
    Ok(TaskReport {
        id: r.try_get("id")?,
        task: r.try_get("task_id")?,
        kind: r.try_get("kind")?,
        date: parse_date(&r.try_get::<String, _>("report_date")?)?,
        content: r.try_get("content")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Db {
    /// One directive.
    pub async fn directive(&self, id: &str) -> Result<Directive> {
        DIRECTIVES.by_id(&self.pool, id).await
    }

    /// Directives received by some orgs, newest first, and how many there are in all.
    pub async fn directives(
        &self,
        orgs: &[String],
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Directive>, i64)> {
        if orgs.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let n = orgs.len();
        let cond = format!("archived = 0 AND org_id IN ({})", placeholders(1, n));
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM directives WHERE {cond}"
        )));
        for o in orgs {
            q = q.bind(o.clone());
        }
        let total: i64 = q.fetch_one(&self.pool).await?.try_get("n")?;
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DIRECTIVE_COLS} FROM directives WHERE {cond} ORDER BY received_on DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        )));
        for o in orgs {
            q = q.bind(o.clone());
        }
        let rows = q
            .bind(limit.max(0))
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let list = rows
            .iter()
            .map(directive_from)
            .collect::<Result<Vec<_>>>()?;
        Ok((list, total))
    }

    /// The tasks of a directive, by deadline.
    pub async fn tasks(&self, directive_id: &str) -> Result<Vec<Task>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TASK_COLS} FROM tasks WHERE directive_id = $1 ORDER BY deadline, id"
        )))
        .bind(directive_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(task_from).collect()
    }

    /// One task.
    pub async fn task(&self, id: &str) -> Result<Task> {
        TASKS.by_id(&self.pool, id).await
    }

    /// The reports on the tasks of a directive, oldest first.
    pub async fn task_reports(&self, directive_id: &str) -> Result<Vec<TaskReport>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM task_reports r JOIN tasks t ON t.id = r.task_id WHERE t.directive_id = $1 ORDER BY r.report_date, r.created_at, r.id",
            qualified(REPORT_COLS, "r")
        )))
        .bind(directive_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report_from).collect()
    }

    /// The org and day of receipt of a directive, if it exists (to validate reports naming it).
    pub async fn directive_facts(&self, id: &str) -> Result<Option<(String, NaiveDate)>> {
        let id = id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        Ok(DIRECTIVES.find(&self.pool, id).await?.map(facts))
    }
}

/// The org and day of receipt of a directive (what a report naming it is checked against).
fn facts(d: Directive) -> (String, NaiveDate) {
    (d.org, d.received_on)
}

impl Tx {
    /// The org and day of receipt of a directive, if it exists, read inside the transaction.
    pub(crate) async fn directive_facts(
        &mut self,
        id: &str,
    ) -> Result<Option<(String, NaiveDate)>> {
        let id = id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        Ok(DIRECTIVES.find(&mut *self.tx, id).await?.map(facts))
    }

    /// Registers a directive and creates the obligations to implement it (the on-event duties
    /// of directive kind in the versions governing its day, with the directive as their event). Returns the directive and the
    /// number of obligations added.
    pub async fn create_directive(
        &mut self,
        draft: &DirectiveDraft,
        model: &OrgModel,
        policies: &Policies,
        lang: Lang,
    ) -> Result<(Directive, usize)> {
        let (org, received_on) = validate_directive(draft, model, shanghai_date(self.now()), lang)
            .map_err(|errs| StorageError::Invalid(join_messages(&errs, lang)))?;
        let now = self.now_ms();
        let d = Directive {
            id: new_id(),
            org,
            issuer: draft.issuer.trim().into(),
            document_number: draft.document_number.trim().into(),
            received_on,
            title: draft.title.trim().into(),
            content: draft.content.trim().into(),
            version: 1,
            created_by: self.actor_name(),
            created_at: now,
        };
        sqlx::query(
            "INSERT INTO directives (id, org_id, issuer, document_number, received_on, title, content, version, archived, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 0, $8, $9, $9)",
        )
        .bind(&d.id)
        .bind(&d.org)
        .bind(&d.issuer)
        .bind(&d.document_number)
        .bind(date_text(d.received_on))
        .bind(&d.title)
        .bind(&d.content)
        .bind(&d.created_by)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "directive.create",
            "directive",
            &d.id,
            None,
            Some(&serde_json::to_value(&d).unwrap_or_default()),
        )
        .await?;
        let year = d.received_on.year();
        let event = Event {
            id: d.id.clone(),
            kind: EventKind::Directive,
            org: d.org.clone(),
            date: d.received_on,
            platform: None,
            due: None,
        };
        let planned: Vec<_> = policies
            .generate(model, year, std::slice::from_ref(&event))
            .into_iter()
            .filter(|p| p.subject_kind == SubjectKind::Event && p.subject == d.id)
            .collect();
        let added = self.add_obligations(&planned, year).await?;
        Ok((d, added))
    }

    /// Adds a supervised task to a directive.
    pub async fn add_task(
        &mut self,
        directive_id: &str,
        draft: &TaskDraft,
        model: &OrgModel,
        lang: Lang,
    ) -> Result<Task> {
        let directive = DIRECTIVES.by_id(&mut *self.tx, directive_id).await?;
        let deadline = validate_task(draft, &directive, model, lang)
            .map_err(|errs| StorageError::Invalid(join_messages(&errs, lang)))?;
        let now = self.now_ms();
        let t = Task {
            id: new_id(),
            directive: directive.id.clone(),
            title: draft.title.trim().into(),
            owner: draft.owner.trim().into(),
            deadline,
            status: "open".into(),
            completed_on: None,
            version: 1,
        };
        sqlx::query(
            "INSERT INTO tasks (id, directive_id, title, owner_id, deadline, status, completed_on, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'open', NULL, 1, $6, $7, $7)",
        )
        .bind(&t.id)
        .bind(&t.directive)
        .bind(&t.title)
        .bind(&t.owner)
        .bind(date_text(t.deadline))
        .bind(self.actor_name())
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "task.create",
            "task",
            &t.id,
            None,
            Some(&serde_json::to_value(&t).unwrap_or_default()),
        )
        .await?;
        Ok(t)
    }

    /// Adds a progress or completion report to a task; a completion report closes the task.
    pub async fn add_task_report(
        &mut self,
        task_id: &str,
        draft: &ReportDraft,
        lang: Lang,
    ) -> Result<(TaskReport, Task)> {
        let task = TASKS.by_id(&mut *self.tx, task_id).await?;
        let directive = DIRECTIVES.by_id(&mut *self.tx, &task.directive).await?;
        let date = validate_report(draft, &task, &directive, shanghai_date(self.now()), lang)
            .map_err(|errs| StorageError::Invalid(join_messages(&errs, lang)))?;
        let now = self.now_ms();
        let report = TaskReport {
            id: new_id(),
            task: task.id.clone(),
            kind: draft.kind.trim().into(),
            date,
            content: draft.content.trim().into(),
            created_by: self.actor_name(),
            created_at: now,
        };
        sqlx::query(
            "INSERT INTO task_reports (id, task_id, kind, report_date, content, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&report.id)
        .bind(&report.task)
        .bind(&report.kind)
        .bind(date_text(report.date))
        .bind(&report.content)
        .bind(&report.created_by)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "task.report",
            "task",
            &task.id,
            None,
            Some(&serde_json::to_value(&report).unwrap_or_default()),
        )
        .await?;
        let mut after = task.clone();
        if report.kind == "completion" {
            sqlx::query(
                "UPDATE tasks SET status = 'done', completed_on = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
            )
            .bind(date_text(date))
            .bind(now)
            .bind(&task.id)
            .bind(task.version)
            .execute(&mut *self.tx)
            .await?;
            after.status = "done".into();
            after.completed_on = Some(date);
            after.version += 1;
            self.audit(
                "task.complete",
                "task",
                &task.id,
                Some(&serde_json::to_value(&task).unwrap_or_default()),
                Some(&serde_json::to_value(&after).unwrap_or_default()),
            )
            .await?;
        }
        Ok((report, after))
    }
}
