//! Directives from higher levels (上级部署), their supervised tasks (督办) and the reports on
//! those tasks: the values and the rules a draft of each must pass.

use super::validate::{Errors, REPORT_DATE};
use super::{FieldErrors, TEXT_MAX, TITLE_MAX};
use crate::Lang;
use crate::org::OrgModel;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A directive from a higher level, registered by the org that received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Storage id (also the id of the event its obligation hangs on).
    pub id: String,
    /// The org that received it.
    pub org: String,
    /// 发文单位.
    pub issuer: String,
    /// 文号.
    pub document_number: String,
    /// Day received.
    pub received_on: NaiveDate,
    /// Title.
    pub title: String,
    /// What it asks for.
    pub content: String,
    /// Edit version.
    pub version: i64,
    /// Who registered it.
    pub created_by: String,
    /// When, epoch ms.
    pub created_at: i64,
}

/// A directive as typed in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirectiveDraft {
    /// Org code or id.
    pub org: String,
    /// 发文单位.
    pub issuer: String,
    /// 文号.
    pub document_number: String,
    /// `YYYY-MM-DD`.
    pub received_on: String,
    /// Title.
    pub title: String,
    /// Content.
    pub content: String,
}

/// A supervised task of a directive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    /// Storage id.
    pub id: String,
    /// The directive.
    pub directive: String,
    /// What is to be done.
    pub title: String,
    /// Person id of the owner.
    pub owner: String,
    /// Deadline.
    pub deadline: NaiveDate,
    /// `open` or `done`.
    pub status: String,
    /// Day of the completion report.
    pub completed_on: Option<NaiveDate>,
    /// Edit version.
    pub version: i64,
}

/// A task as typed in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskDraft {
    /// What is to be done.
    pub title: String,
    /// Person id.
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
}

/// A progress or completion report on a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskReport {
    /// Storage id.
    pub id: String,
    /// The task.
    pub task: String,
    /// `progress` or `completion`.
    pub kind: String,
    /// Day of the report.
    pub date: NaiveDate,
    /// The report.
    pub content: String,
    /// Who wrote it.
    pub created_by: String,
    /// When, epoch ms.
    pub created_at: i64,
}

/// A report as typed in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportDraft {
    /// `progress` or `completion`.
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The report.
    pub content: String,
}

/// Checks a directive draft against the model; returns (org id, received on) or the problems.
pub fn validate_directive(
    d: &DirectiveDraft,
    model: &OrgModel,
    today: NaiveDate,
    lang: Lang,
) -> Result<(String, NaiveDate), FieldErrors> {
    let mut e = Errors::new(lang);
    let org = e.org("org", &d.org, model);
    e.text("issuer", &d.issuer, true, TITLE_MAX);
    e.text("document_number", &d.document_number, true, TITLE_MAX);
    e.text("title", &d.title, true, TITLE_MAX);
    e.text("content", &d.content, true, TEXT_MAX);
    let received = e.past_date("received_on", &d.received_on, today);
    e.result(org.zip(received))
}

/// Checks a task draft: the owner must be a person of the directive's org (or its subtree).
pub fn validate_task(
    d: &TaskDraft,
    directive: &Directive,
    model: &OrgModel,
    lang: Lang,
) -> Result<NaiveDate, FieldErrors> {
    let mut e = Errors::new(lang);
    e.text("title", &d.title, true, TITLE_MAX);
    e.one_person("owner", &d.owner, model, Some(&directive.org));
    let deadline = e.date("deadline", &d.deadline);
    if let Some(day) = deadline {
        e.not_before_receipt(
            "deadline",
            ("完成时限", "the deadline"),
            day,
            directive.received_on,
        );
    }
    e.result(deadline)
}

/// Checks a report draft: a task reported complete takes no second completion report.
pub fn validate_report(
    d: &ReportDraft,
    task: &Task,
    directive: &Directive,
    today: NaiveDate,
    lang: Lang,
) -> Result<NaiveDate, FieldErrors> {
    let mut e = Errors::new(lang);
    match d.kind.trim() {
        "progress" => {}
        "completion" if task.status == "done" => e.push(
            "kind",
            "该任务已报告完成".to_string(),
            "the task has already been reported complete".to_string(),
        ),
        "completion" => {}
        other => e.push(
            "kind",
            format!("报告类型「{other}」无效，可选：progress（进展）、completion（完成）"),
            format!("report kind `{other}` is not valid; use progress or completion"),
        ),
    }
    let date = e.past_date("date", &d.date, today);
    if let Some(day) = date {
        e.not_before_receipt("date", REPORT_DATE, day, directive.received_on);
    }
    e.text("content", &d.content, true, TEXT_MAX);
    e.result(date)
}
