//! What a reminder says: in the notification centre, in a mail, in a group robot's message.

use crate::shared::auth::Snapshot;
use crate::shared::i18n;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeren_core::Lang;
use zeren_core::reminders::{Reminder, ReminderKind, days_left};

/// What a notification's text says, kept with it so it reads the same later in either language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct NoteArgs {
    /// Obligation id.
    pub obligation: String,
    /// Duty id.
    pub duty_id: String,
    /// Duty title (Chinese).
    pub duty: String,
    /// Duty title (English).
    pub duty_en: String,
    /// Citation, `Art.4(2)`.
    pub citation: String,
    /// Citation in Chinese, 第四条第（二）项.
    pub citation_zh: String,
    /// Org name.
    pub org: String,
    /// Due date.
    pub due: String,
    /// Days left (negative: days overdue) on the day it was planned.
    pub days: i64,
    /// The person responsible on the due date.
    pub responsible: Option<String>,
    /// The incident a notice is about (its page is linked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// The incident's title.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Its severity (Chinese, English).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub severity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub severity_en: String,
    /// The clock run out (Chinese, English).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub clock: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub clock_en: String,
    /// When it ran out, `YYYY-MM-DD HH:MM`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub due_at: String,
    /// The accountability case a remediation notice is about, and its task (the task's page
    /// is linked; the case's title is not told).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
}

/// The kinds of notice about an incident: raised to a level handled personally, a clock run
/// out (to the handler), escalated to the portfolio's leader, escalated to the first
/// responsible person.
pub const INCIDENT_KINDS: &[&str] = &[
    "incident-raised",
    "incident-clock",
    "incident-escalate",
    "incident-escalate-first",
];

/// The kinds of notice about a remediation task of an accountability case: its deadline near
/// (to its owner), passed (to its owner), long passed (to whoever set it).
pub const CASE_TASK_KINDS: &[&str] = &["case-task-due", "case-task-overdue", "case-task-escalate"];

impl NoteArgs {
    /// The arguments of a planned reminder.
    pub fn of(snap: &Snapshot, r: &Reminder, day: NaiveDate) -> NoteArgs {
        let duty = snap.pack.duty(&r.duty);
        let citation = duty.map(|d| d.citation());
        NoteArgs {
            obligation: r.obligation.clone(),
            duty_id: r.duty.clone(),
            duty: duty
                .map(|d| d.title.clone())
                .unwrap_or_else(|| r.duty.clone()),
            duty_en: duty
                .map(|d| d.title_en.clone())
                .unwrap_or_else(|| r.duty.clone()),
            citation: citation.map(|c| c.to_string()).unwrap_or_default(),
            citation_zh: citation.map(|c| c.to_zh()).unwrap_or_default(),
            org: snap
                .model
                .org(&r.org)
                .map(|o| o.name.clone())
                .unwrap_or_else(|| r.org.clone()),
            due: r.due.to_string(),
            days: days_left(r.due, day),
            responsible: r.responsible.as_ref().map(|p| p.name.clone()),
            ..NoteArgs::default()
        }
    }

    /// As stored.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// From storage (missing fields are empty).
    pub fn from_json(v: &Value) -> NoteArgs {
        serde_json::from_value(v.clone()).unwrap_or_default()
    }
}

/// `7 天` / `7 days`.
pub fn days_words(lang: Lang, n: i64) -> String {
    let n = n.abs();
    let key = if n == 1 {
        "reminder.days.one"
    } else {
        "reminder.days.other"
    };
    i18n::tf(lang, key, &[("n", &n.to_string())])
}

/// The text of a reminder in `lang`.
pub fn note_text(lang: Lang, kind: &str, a: &NoteArgs) -> String {
    let (duty, citation) = match lang {
        Lang::Zh => (a.duty.as_str(), a.citation_zh.as_str()),
        Lang::En => (a.duty_en.as_str(), a.citation.as_str()),
    };
    let left = days_words(lang, a.days);
    let responsible = a.responsible.clone().unwrap_or_else(|| "—".into());
    let args = [
        ("org", a.org.as_str()),
        ("duty", duty),
        ("citation", citation),
        ("due", a.due.as_str()),
        ("left", left.as_str()),
        ("responsible", responsible.as_str()),
    ];
    if CASE_TASK_KINDS.contains(&kind) {
        return i18n::tf(
            lang,
            &format!("reminder.msg.{kind}"),
            &[
                ("org", a.org.as_str()),
                ("title", a.title.as_str()),
                ("due", a.due.as_str()),
                ("responsible", responsible.as_str()),
            ],
        );
    }
    if INCIDENT_KINDS.contains(&kind) {
        let (severity, clock) = match lang {
            Lang::Zh => (a.severity.as_str(), a.clock.as_str()),
            Lang::En => (a.severity_en.as_str(), a.clock_en.as_str()),
        };
        return i18n::tf(
            lang,
            &format!("reminder.msg.{kind}"),
            &[
                ("org", a.org.as_str()),
                ("title", a.title.as_str()),
                ("severity", severity),
                ("clock", clock),
                ("due", a.due_at.as_str()),
                ("responsible", responsible.as_str()),
            ],
        );
    }
    let key = match ReminderKind::parse(kind) {
        Some(ReminderKind::Before(_)) if a.days <= 0 => "reminder.msg.today",
        Some(ReminderKind::Before(_)) => "reminder.msg.before",
        Some(ReminderKind::Overdue) => "reminder.msg.overdue",
        Some(ReminderKind::Escalate) => "reminder.msg.escalate",
        None => "reminder.msg.other",
    };
    i18n::tf(lang, key, &args)
}

pub fn kind_label_key(kind: &str) -> &'static str {
    match kind {
        "incident-raised" => return "reminder.kind.incident-raised",
        "incident-clock" => return "reminder.kind.incident-clock",
        "incident-escalate" | "incident-escalate-first" => {
            return "reminder.kind.incident-escalate";
        }
        "case-task-due" => return "reminder.kind.case-task-due",
        "case-task-overdue" => return "reminder.kind.case-task-overdue",
        "case-task-escalate" => return "reminder.kind.case-task-escalate",
        _ => {}
    }
    match ReminderKind::parse(kind) {
        Some(ReminderKind::Before(_)) => "reminder.kind.before",
        Some(ReminderKind::Overdue) => "reminder.kind.overdue",
        Some(ReminderKind::Escalate) => "reminder.kind.escalate",
        None => "reminder.kind.other",
    }
}

/// Subject and body of a reminder email to `name`.
pub fn mail_text(lang: Lang, kind: &str, a: &NoteArgs, name: &str) -> (String, String) {
    let duty = match lang {
        Lang::Zh => a.duty.as_str(),
        Lang::En => a.duty_en.as_str(),
    };
    let subject = i18n::tf(
        lang,
        "reminder.mail.subject",
        &[
            ("kind", i18n::t(lang, kind_label_key(kind))),
            ("duty", duty),
            ("due", a.due.as_str()),
        ],
    );
    let body = format!(
        "{}\n\n{}\n\n{}\n",
        i18n::tf(lang, "reminder.mail.greeting", &[("name", name)]),
        note_text(lang, kind, a),
        i18n::t(lang, "reminder.mail.footer"),
    );
    (subject, body)
}

/// The message a group robot posts (in Chinese: the groups are the offices' own).
pub fn robot_text(kind: &str, a: &NoteArgs, name: &str) -> String {
    i18n::tf(
        Lang::Zh,
        "reminder.robot.text",
        &[
            ("kind", i18n::t(Lang::Zh, kind_label_key(kind))),
            ("text", &note_text(Lang::Zh, kind, a)),
            ("name", name),
        ],
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn args(days: i64) -> NoteArgs {
        NoteArgs {
            obligation: "o".into(),
            duty_id: "annual-dedicated-study".into(),
            duty: "年度专题研究".into(),
            duty_en: "Annual dedicated study".into(),
            citation: "Art.4(2)".into(),
            citation_zh: "第四条第（二）项".into(),
            org: "材料学院".into(),
            due: "2026-12-31".into(),
            days,
            responsible: Some("李明华".into()),
            ..NoteArgs::default()
        }
    }

    #[test]
    fn texts_in_both_languages() {
        assert_eq!(
            note_text(Lang::Zh, "before-7", &args(7)),
            "材料学院：「年度专题研究」（第四条第（二）项）将于 2026-12-31 到期，还有 7 天。"
        );
        assert_eq!(
            note_text(Lang::En, "before-1", &args(1)),
            "材料学院: “Annual dedicated study” (Art.4(2)) is due on 2026-12-31, in 1 day."
        );
        assert!(note_text(Lang::Zh, "before-1", &args(0)).contains("今天"));
        assert!(note_text(Lang::Zh, "escalate", &args(-7)).contains("已逾期 7 天"));
        assert!(note_text(Lang::En, "overdue", &args(-1)).contains("was due on 2026-12-31"));
        let (subject, body) = mail_text(Lang::Zh, "overdue", &args(-1), "李明华");
        assert_eq!(subject, "【逾期提醒】年度专题研究（2026-12-31）");
        assert!(body.starts_with("李明华："));
        let robot = robot_text("escalate", &args(-7), "李明华");
        assert!(robot.starts_with("【逾期报告】材料学院"));
        assert!(robot.ends_with("（提醒：李明华）"));
    }
}
