//! Remediation of accountability cases, reminded like any obligation: once a minute (after the
//! planner's hour of the Shanghai day) the remediation tasks not verified that have something
//! left to be told are read; a week before its deadline the owner is reminded (unless it is
//! reported done), once it passes the owner is told it is overdue, and once it is overdue by the
//! policy's escalation days whoever set it is told. Each notice is recorded once, on the task,
//! whichever instance finds it. Only in the notification centre of the person concerned: a
//! case is confidential, and is not announced to an org's group robots.

use crate::AppState;
use crate::jobs::reminders::planner::PLAN_HOUR;
use crate::jobs::reminders::texts::NoteArgs;
use chrono::Timelike;
use serde::Serialize;
use zeren_core::cases::{TASK_REMIND_DAYS, TaskNotice, TaskStanding, task_notices};
use zeren_core::clock::shanghai;
use zeren_core::period::add_days;
use zeren_storage::Actor;
use zeren_storage::repo::cases::CaseTask;

/// What one look did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Tasks looked at.
    pub tasks: usize,
    /// Notices recorded now.
    pub notices: usize,
    /// Escalations with nobody to tell (the task was set by no person).
    pub problems: usize,
}

/// Looks at the remediation tasks once, if it is past the planner's hour.
pub async fn run_once(state: &AppState) -> Summary {
    let local = state.clock.now().with_timezone(&shanghai());
    if local.hour() < PLAN_HOUR {
        return Summary::default();
    }
    match look(state, local.date_naive()).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "the look at remediation tasks failed");
            Summary::default()
        }
    }
}

async fn look(state: &AppState, today: chrono::NaiveDate) -> zeren_storage::Result<Summary> {
    let db = &state.db;
    let tasks = db
        .case_tasks_to_tell(add_days(today, TASK_REMIND_DAYS))
        .await?;
    let mut summary = Summary {
        tasks: tasks.len(),
        ..Summary::default()
    };
    if tasks.is_empty() {
        return Ok(summary);
    }
    let snap = state.fresh_snapshot().await?;
    let escalate_after = snap.pack.reminders.escalate_after_days_overdue;
    for t in &tasks {
        let standing = TaskStanding {
            deadline: t.fields.deadline,
            reported: t.reported_on.is_some(),
            verified: t.verified_on.is_some(),
            told: (t.told.0.is_some(), t.told.1.is_some(), t.told.2.is_some()),
        };
        let notices = task_notices(&standing, today, escalate_after);
        if notices.is_empty() {
            continue;
        }
        let case = db.case(&t.case).await?;
        let args = args(&snap, t, &case.fields.org);
        let mut tx = db.begin(&Actor::system(), state.clock.now()).await?;
        for n in notices {
            let person = match n {
                TaskNotice::Due | TaskNotice::Overdue => Some(t.fields.owner.as_str()),
                TaskNotice::Escalate => t.set_by.as_deref(),
            };
            let Some(person) = person else {
                summary.problems += 1;
                tracing::warn!(task = %t.id, "an overdue remediation task has nobody to escalate to");
                continue;
            };
            let json = serde_json::to_value(&args).unwrap_or_default();
            if tx
                .tell_case_task(&t.id, n.kind(), person, today, &json)
                .await?
            {
                summary.notices += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(summary)
}

/// The arguments of a notice about `t`, a task of a case of `org`.
fn args(snap: &crate::shared::snapshot::Snapshot, t: &CaseTask, org: &str) -> NoteArgs {
    NoteArgs {
        org: snap
            .model
            .org(org)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| org.to_string()),
        title: t.fields.title.clone(),
        due: t.fields.deadline.to_string(),
        responsible: snap.model.person(&t.fields.owner).map(|p| p.name.clone()),
        case: Some(t.case.clone()),
        task: Some(t.id.clone()),
        ..NoteArgs::default()
    }
}

/// Looks once a minute.
pub fn spawn(state: &AppState) {
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            let summary = run_once(&s).await;
            if summary.notices > 0 {
                tracing::info!(?summary, "remediation tasks reminded");
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
}
