//! Settings and texts.

use super::*;

/// How to talk to the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or a trusted network).
    None,
    /// STARTTLS on the submission port.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

impl SmtpTls {
    pub(super) fn parse(s: &str) -> Option<SmtpTls> {
        match s {
            "none" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::Starttls),
            "tls" => Some(SmtpTls::Tls),
            _ => None,
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            SmtpTls::None => "none",
            SmtpTls::Starttls => "starttls",
            SmtpTls::Tls => "tls",
        }
    }
}

/// The SMTP server, kept as the setting `smtp` by the system administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SmtpSettings {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// User name; empty for no authentication.
    pub username: String,
    /// Password.
    pub password: String,
    /// Sender, e.g. `Zeren <zeren@example.edu.cn>`.
    pub from: String,
}

/// What a notification's text says, kept with it so it reads the same later in either language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
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
}

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
pub(super) fn days_words(lang: Lang, n: i64) -> String {
    let n = n.abs();
    let key = if n == 1 {
        "notify.days.one"
    } else {
        "notify.days.other"
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
    let key = match ReminderKind::parse(kind) {
        Some(ReminderKind::Before(_)) if a.days <= 0 => "notify.msg.today",
        Some(ReminderKind::Before(_)) => "notify.msg.before",
        Some(ReminderKind::Overdue) => "notify.msg.overdue",
        Some(ReminderKind::Escalate) => "notify.msg.escalate",
        None => "notify.msg.other",
    };
    i18n::tf(lang, key, &args)
}

pub(super) fn kind_label_key(kind: &str) -> &'static str {
    match ReminderKind::parse(kind) {
        Some(ReminderKind::Before(_)) => "notify.kind.before",
        Some(ReminderKind::Overdue) => "notify.kind.overdue",
        Some(ReminderKind::Escalate) => "notify.kind.escalate",
        None => "notify.kind.other",
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
        "notify.mail.subject",
        &[
            ("kind", i18n::t(lang, kind_label_key(kind))),
            ("duty", duty),
            ("due", a.due.as_str()),
        ],
    );
    let body = format!(
        "{}\n\n{}\n\n{}\n",
        i18n::tf(lang, "notify.mail.greeting", &[("name", name)]),
        note_text(lang, kind, a),
        i18n::t(lang, "notify.mail.footer"),
    );
    (subject, body)
}

/// The message a group robot posts (in Chinese: the groups are the offices' own).
pub fn robot_text(kind: &str, a: &NoteArgs, name: &str) -> String {
    i18n::tf(
        Lang::Zh,
        "notify.robot.text",
        &[
            ("kind", i18n::t(Lang::Zh, kind_label_key(kind))),
            ("text", &note_text(Lang::Zh, kind, a)),
            ("name", name),
        ],
    )
}
