//! Major policies and projects and their public-opinion risk assessments (Art.4(4)). A project
//! marked major is the event the pack's risk-assessment duty hangs on: registering it owes that
//! obligation, due before its planned launch; an approved assessment discharges it. A launch is
//! recorded only as `check_launch` allows — with an approved assessment, or by the first
//! responsible person with a reason, kept on the project and in the audit. Each change is one
//! transaction, checked against the version the caller saw where it edits, and audited.

use super::{check_updated, check_version, date_text, not_found, parse_date, placeholders};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::obligation::Event;
use zeren_core::org::OrgModel;
use zeren_core::policy::Policies;
use zeren_core::projects::{AssessmentFields, Launch, ProjectFields};
use zeren_core::vocab::EventKind;

/// Where a project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProjectState {
    /// 计划中.
    Planned,
    /// 已实施.
    Launched,
    /// 已取消.
    Cancelled,
}

impl ProjectState {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectState::Planned => "planned",
            ProjectState::Launched => "launched",
            ProjectState::Cancelled => "cancelled",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<ProjectState> {
        match s {
            "planned" => Some(ProjectState::Planned),
            "launched" => Some(ProjectState::Launched),
            "cancelled" => Some(ProjectState::Cancelled),
            _ => None,
        }
    }
}

/// A stored project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    /// Storage id.
    pub id: String,
    /// Its fields.
    pub fields: ProjectFields,
    /// Where it stands.
    pub state: ProjectState,
    /// The day it was launched.
    pub launched_on: Option<NaiveDate>,
    /// Who launched it without an approved assessment (the first responsible person).
    pub override_by: Option<String>,
    /// Why.
    pub override_reason: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Edit version.
    pub version: i64,
    /// Who registered it (user name).
    pub created_by: String,
}

impl Project {
    /// The event its obligations hang on, if it brings any (major projects only).
    pub fn event(&self) -> Option<Event> {
        (self.fields.major && self.state != ProjectState::Cancelled).then(|| Event {
            id: self.id.clone(),
            kind: EventKind::MajorProject,
            org: self.fields.org.clone(),
            date: self.fields.launch_on,
            platform: None,
            due: None,
        })
    }

    /// The whole project as JSON (the API's shape, and what the audit keeps).
    pub fn to_json(&self) -> Value {
        let f = &self.fields;
        json!({
            "id": self.id,
            "title": f.title,
            "org": f.org,
            "description": f.description,
            "portfolio": f.portfolio,
            "major": f.major,
            "launch_on": date_text(f.launch_on),
            "state": self.state.as_str(),
            "launched_on": self.launched_on.map(date_text),
            "override_by": self.override_by,
            "override_reason": self.override_reason,
            "cancel_reason": self.cancel_reason,
            "version": self.version,
        })
    }
}

/// Where an assessment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentState {
    /// 待审批.
    Submitted,
    /// 已批准.
    Approved,
    /// 未批准.
    Rejected,
}

impl AssessmentState {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentState::Submitted => "submitted",
            AssessmentState::Approved => "approved",
            AssessmentState::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Result<AssessmentState> {
        match s {
            "submitted" => Ok(AssessmentState::Submitted),
            "approved" => Ok(AssessmentState::Approved),
            "rejected" => Ok(AssessmentState::Rejected),
            other => Err(StorageError::Corrupt(format!("assessment state `{other}`"))),
        }
    }
}

/// A stored risk assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskAssessment {
    /// Storage id.
    pub id: String,
    /// The project.
    pub project: String,
    /// Its fields.
    pub fields: AssessmentFields,
    /// Where it stands.
    pub state: AssessmentState,
    /// Who decided it.
    pub decided_by: Option<String>,
    /// The day.
    pub decided_on: Option<NaiveDate>,
    /// The decision's note.
    pub decision_note: Option<String>,
    /// Who entered it (user name).
    pub created_by: String,
}

impl RiskAssessment {
    /// The whole assessment as JSON.
    pub fn to_json(&self) -> Value {
        let f = &self.fields;
        json!({
            "id": self.id,
            "project": self.project,
            "planned": f.planned,
            "affected": f.affected,
            "risks": f.risks,
            "level": f.level,
            "measures": f.measures,
            "assessors": f.assessors,
            "assessed_on": date_text(f.assessed_on),
            "state": self.state.as_str(),
            "decided_by": self.decided_by,
            "decided_on": self.decided_on.map(date_text),
            "decision_note": self.decision_note,
        })
    }
}

const COLS: &str = "id, org_id, title, description, portfolio, major, launch_on, state, launched_on, override_by, override_reason, cancel_reason, version, created_by";
const ASSESSMENT_COLS: &str = "id, project_id, planned, affected, risks, level, measures, assessors, assessed_on, state, decided_by, decided_on, decision_note, created_by";

/// The projects table.
const PROJECTS: super::Rows<Project> = super::Rows {
    table: "projects",
    cols: COLS,
    what: "project",
    from: project_from,
};

/// The risk assessments table.
const ASSESSMENTS: super::Rows<RiskAssessment> = super::Rows {
    table: "risk_assessments",
    cols: ASSESSMENT_COLS,
    what: "risk assessment",
    from: assessment_from,
};

fn project_from(r: &AnyRow) -> Result<Project> {
    let id: String = r.try_get("id")?;
    let state = ProjectState::parse(&r.try_get::<String, _>("state")?)
        .ok_or_else(|| StorageError::Corrupt(format!("project `{id}`: state")))?;
    Ok(Project {
        fields: ProjectFields {
            title: r.try_get("title")?,
            org: r.try_get("org_id")?,
            description: r.try_get("description")?,
            portfolio: r.try_get("portfolio")?,
            major: r.try_get::<i64, _>("major")? != 0,
            launch_on: parse_date(&r.try_get::<String, _>("launch_on")?)?,
        },
        state,
        launched_on: super::parse_opt_date(r.try_get("launched_on")?)?,
        override_by: r.try_get("override_by")?,
        override_reason: r.try_get("override_reason")?,
        cancel_reason: r.try_get("cancel_reason")?,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        id,
    })
}

fn assessment_from(r: &AnyRow) -> Result<RiskAssessment> {
    let id: String = r.try_get("id")?;
    let assessors: Vec<String> = serde_json::from_str(&r.try_get::<String, _>("assessors")?)
        .map_err(|_| StorageError::Corrupt(format!("assessment `{id}`: assessors")))?;
    Ok(RiskAssessment {
        project: r.try_get("project_id")?,
        fields: AssessmentFields {
            planned: r.try_get("planned")?,
            affected: r.try_get("affected")?,
            risks: r.try_get("risks")?,
            level: r.try_get("level")?,
            measures: r.try_get("measures")?,
            assessors,
            assessed_on: parse_date(&r.try_get::<String, _>("assessed_on")?)?,
        },
        state: AssessmentState::parse(&r.try_get::<String, _>("state")?)?,
        decided_by: r.try_get("decided_by")?,
        decided_on: super::parse_opt_date(r.try_get("decided_on")?)?,
        decision_note: r.try_get("decision_note")?,
        created_by: r.try_get("created_by")?,
        id,
    })
}

/// Which projects to list.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    /// Orgs whose projects are listed (none: every org).
    pub orgs: Option<Vec<String>>,
    /// Only in this state.
    pub state: Option<ProjectState>,
    /// Only major ones.
    pub major_only: bool,
    /// Rows to skip.
    pub offset: i64,
    /// Most rows.
    pub limit: i64,
}

impl Db {
    /// One project.
    pub async fn project(&self, id: &str) -> Result<Project> {
        PROJECTS.by_id(&self.pool, id.trim()).await
    }

    /// Projects by planned launch (newest first), filtered, with how many match.
    pub async fn projects(&self, f: &ProjectFilter) -> Result<(Vec<Project>, i64)> {
        let mut cond = vec!["1 = 1".to_string()];
        let mut args: Vec<String> = Vec::new();
        if let Some(orgs) = &f.orgs {
            if orgs.is_empty() {
                return Ok((Vec::new(), 0));
            }
            cond.push(format!("org_id IN ({})", placeholders(1, orgs.len())));
            args.extend(orgs.iter().cloned());
        }
        if let Some(s) = f.state {
            args.push(s.as_str().to_string());
            cond.push(format!("state = ${}", args.len()));
        }
        if f.major_only {
            cond.push("major = 1".into());
        }
        PROJECTS
            .page(
                &self.pool,
                &cond.join(" AND "),
                &args,
                "launch_on DESC, id DESC",
                f.limit,
                f.offset,
            )
            .await
    }

    /// The projects of `orgs` (every org when `None`) launched past the gate, without an approved
    /// assessment, newest launch first.
    pub async fn launched_past_the_gate(&self, orgs: Option<&[String]>) -> Result<Vec<Project>> {
        let mut cond = "override_by IS NOT NULL AND state = 'launched'".to_string();
        if let Some(orgs) = orgs {
            if orgs.is_empty() {
                return Ok(Vec::new());
            }
            cond.push_str(&format!(" AND org_id IN ({})", placeholders(1, orgs.len())));
        }
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLS} FROM projects WHERE {cond} ORDER BY launched_on DESC, id DESC"
        )));
        for o in orgs.unwrap_or_default() {
            q = q.bind(o.clone());
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(project_from)
            .collect()
    }

    /// A project's assessments, oldest first.
    pub async fn assessments_of(&self, project: &str) -> Result<Vec<RiskAssessment>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ASSESSMENT_COLS} FROM risk_assessments WHERE project_id = $1 ORDER BY created_at, id"
        )))
        .bind(project)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(assessment_from)
        .collect()
    }

    /// One assessment.
    pub async fn risk_assessment(&self, id: &str) -> Result<RiskAssessment> {
        ASSESSMENTS.by_id(&self.pool, id.trim()).await
    }
}

impl Tx {
    async fn project_for_update(&mut self, id: &str, expected: i64) -> Result<Project> {
        let p = PROJECTS.by_id(&mut *self.tx, id).await?;
        check_version("project", id, expected, p.version)?;
        Ok(p)
    }

    /// Owes (or withdraws) a project's obligations as it stands.
    async fn plan_project(
        &mut self,
        p: &Project,
        left: Option<NaiveDate>,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<()> {
        match p.event() {
            Some(e) => self.plan_event(&e, left, policies, model).await,
            None => {
                use chrono::Datelike;
                let years = [Some(p.fields.launch_on), left];
                for y in years.into_iter().flatten().map(|d| d.year()) {
                    self.reconcile_subject(
                        &[],
                        y,
                        zeren_core::obligation::SubjectKind::Event,
                        &p.id,
                        &[],
                    )
                    .await?;
                }
                Ok(())
            }
        }
    }

    /// Registers a project (checked by `check_project`); a major one owes its assessment.
    pub async fn register_project(
        &mut self,
        fields: ProjectFields,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<Project> {
        let now = self.now_ms();
        let p = Project {
            id: new_id(),
            fields,
            state: ProjectState::Planned,
            launched_on: None,
            override_by: None,
            override_reason: None,
            cancel_reason: None,
            version: 1,
            created_by: self.actor_name(),
        };
        let f = &p.fields;
        sqlx::query(
            "INSERT INTO projects (id, org_id, title, description, portfolio, major, launch_on, state, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned', 1, $8, $9, $9)",
        )
        .bind(&p.id)
        .bind(&f.org)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.portfolio)
        .bind(i64::from(f.major))
        .bind(date_text(f.launch_on))
        .bind(&p.created_by)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "project.register",
            "project",
            &p.id,
            None,
            Some(&p.to_json()),
        )
        .await?;
        self.plan_project(&p, None, policies, model).await?;
        Ok(p)
    }

    /// Changes a planned project (its org stays). Unmarking it major withdraws its open
    /// obligation; a new launch day replans it.
    pub async fn edit_project(
        &mut self,
        id: &str,
        expected_version: i64,
        fields: ProjectFields,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<Project> {
        let before = self.project_for_update(id, expected_version).await?;
        if before.state != ProjectState::Planned {
            return Err(StorageError::Invalid(format!(
                "project `{id}` is {}; it is not edited",
                before.state.as_str()
            )));
        }
        let mut after = before.clone();
        after.fields = fields;
        after.fields.org = before.fields.org.clone();
        after.version += 1;
        let f = &after.fields;
        let done = sqlx::query(
            "UPDATE projects SET title = $1, description = $2, portfolio = $3, major = $4, launch_on = $5, version = version + 1, updated_at = $6 \
             WHERE id = $7 AND version = $8",
        )
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.portfolio)
        .bind(i64::from(f.major))
        .bind(date_text(f.launch_on))
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "project", id, expected_version)?;
        self.audit(
            "project.edit",
            "project",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        let left =
            (before.fields.launch_on != after.fields.launch_on).then_some(before.fields.launch_on);
        self.plan_project(&after, left, policies, model).await?;
        Ok(after)
    }

    /// Adds an assessment (checked by `check_assessment`) to a project not cancelled (one
    /// launched past the gate still owes it, late).
    pub async fn submit_assessment(
        &mut self,
        project: &str,
        fields: AssessmentFields,
    ) -> Result<RiskAssessment> {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM projects WHERE id = $1")
            .bind(project)
            .fetch_optional(&mut *self.tx)
            .await?;
        match state.as_deref() {
            None => return Err(not_found("project", project)),
            Some("cancelled") => {
                return Err(StorageError::Invalid(format!(
                    "project `{project}` is cancelled; it is not assessed"
                )));
            }
            // Planned, or launched past the gate: a late assessment is still owed.
            Some(_) => {}
        }
        let a = RiskAssessment {
            id: new_id(),
            project: project.to_string(),
            fields,
            state: AssessmentState::Submitted,
            decided_by: None,
            decided_on: None,
            decision_note: None,
            created_by: self.actor_name(),
        };
        let f = &a.fields;
        sqlx::query(
            "INSERT INTO risk_assessments (id, project_id, planned, affected, risks, level, measures, assessors, assessed_on, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', $10, $11)",
        )
        .bind(&a.id)
        .bind(project)
        .bind(&f.planned)
        .bind(&f.affected)
        .bind(&f.risks)
        .bind(&f.level)
        .bind(&f.measures)
        .bind(serde_json::to_string(&f.assessors).unwrap_or_else(|_| "[]".into()))
        .bind(date_text(f.assessed_on))
        .bind(&a.created_by)
        .bind(self.now_ms())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "risk_assessment.submit",
            "risk_assessment",
            &a.id,
            None,
            Some(&a.to_json()),
        )
        .await?;
        Ok(a)
    }

    /// Approves or rejects a submitted assessment (`person` checked by `check_decision`); an
    /// approval discharges the project's open obligation on `day`.
    pub async fn decide_assessment(
        &mut self,
        id: &str,
        approve: bool,
        person: &str,
        day: NaiveDate,
        note: &str,
    ) -> Result<RiskAssessment> {
        let before = ASSESSMENTS.by_id(&mut *self.tx, id).await?;
        let mut after = before.clone();
        after.state = if approve {
            AssessmentState::Approved
        } else {
            AssessmentState::Rejected
        };
        after.decided_by = Some(person.to_string());
        after.decided_on = Some(day);
        after.decision_note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
        let done = sqlx::query(
            "UPDATE risk_assessments SET state = $1, decided_by = $2, decided_on = $3, decision_note = $4 WHERE id = $5 AND state = 'submitted'",
        )
        .bind(after.state.as_str())
        .bind(person)
        .bind(date_text(day))
        .bind(&after.decision_note)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::Invalid(format!(
                "risk assessment `{id}` is decided already"
            )));
        }
        self.audit(
            if approve {
                "risk_assessment.approve"
            } else {
                "risk_assessment.reject"
            },
            "risk_assessment",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        if approve {
            let note = format!("舆情风险评估已批准（{}）", date_text(day));
            self.discharge_event(&before.project, day, &note).await?;
        }
        Ok(after)
    }

    /// Records a project as launched (checked by `check_launch` against its approved
    /// assessments). A launch past the gate keeps who did it and why, and is audited apart.
    pub async fn launch_project(
        &mut self,
        id: &str,
        expected_version: i64,
        launch: &Launch,
        person: Option<&str>,
    ) -> Result<Project> {
        let before = self.project_for_update(id, expected_version).await?;
        let mut after = before.clone();
        after.state = ProjectState::Launched;
        after.launched_on = Some(launch.launched_on);
        after.override_reason = launch.override_reason.clone();
        after.override_by = launch
            .override_reason
            .as_ref()
            .and(person.map(str::to_string));
        after.version += 1;
        let done = sqlx::query(
            "UPDATE projects SET state = 'launched', launched_on = $1, override_by = $2, override_reason = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6 AND state = 'planned'",
        )
        .bind(date_text(launch.launched_on))
        .bind(&after.override_by)
        .bind(&after.override_reason)
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "project", id, expected_version)?;
        self.audit(
            if after.override_reason.is_some() {
                "project.launch_override"
            } else {
                "project.launch"
            },
            "project",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        Ok(after)
    }

    /// Cancels a planned project, with the reason (checked by `check_cancel`): its open
    /// obligation is withdrawn.
    pub async fn cancel_project(
        &mut self,
        id: &str,
        expected_version: i64,
        reason: &str,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<Project> {
        let before = self.project_for_update(id, expected_version).await?;
        if before.state != ProjectState::Planned {
            return Err(StorageError::Invalid(format!(
                "project `{id}` is {}; it is not cancelled",
                before.state.as_str()
            )));
        }
        let mut after = before.clone();
        after.state = ProjectState::Cancelled;
        after.cancel_reason = Some(reason.to_string());
        after.version += 1;
        let done = sqlx::query(
            "UPDATE projects SET state = 'cancelled', cancel_reason = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(reason)
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "project", id, expected_version)?;
        self.audit(
            "project.cancel",
            "project",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        self.plan_project(&after, None, policies, model).await?;
        Ok(after)
    }
}

/// The projects of `org` planned to launch between `from` and `to` (`YYYY-MM-DD`), by
/// planned launch, each with its assessments, over `conn`.
pub(crate) async fn projects_of_org(
    conn: &mut sqlx::AnyConnection,
    org: &str,
    from: &str,
    to: &str,
) -> Result<Vec<(Project, Vec<RiskAssessment>)>> {
    let projects: Vec<Project> = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLS} FROM projects WHERE org_id = $1 AND launch_on >= $2 AND launch_on <= $3 ORDER BY launch_on, id"
    )))
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(project_from)
    .collect::<Result<_>>()?;
    let mut by_project: std::collections::HashMap<String, Vec<RiskAssessment>> =
        std::collections::HashMap::new();
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM risk_assessments a JOIN projects p ON p.id = a.project_id \
         WHERE p.org_id = $1 AND p.launch_on >= $2 AND p.launch_on <= $3 ORDER BY a.created_at, a.id",
        super::qualified(ASSESSMENT_COLS, "a")
    )))
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?
    {
        let a = assessment_from(&r)?;
        by_project.entry(a.project.clone()).or_default().push(a);
    }
    Ok(projects
        .into_iter()
        .map(|p| {
            let a = by_project.remove(&p.id).unwrap_or_default();
            (p, a)
        })
        .collect())
}

/// The major projects (not cancelled) planned to launch in `year`, as the events the
/// risk-assessment duty hangs on, over `conn`.
pub(crate) async fn project_events_of_year(
    conn: &mut sqlx::AnyConnection,
    year: i32,
) -> Result<Vec<Event>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLS} FROM projects WHERE major = 1 AND state <> 'cancelled' AND launch_on >= $1 AND launch_on <= $2 ORDER BY id"
    )))
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok(project_from(r)?.event()))
    .filter_map(Result::transpose)
    .collect()
}
