//! Notifications and deliveries as the pages and the API show them.

use super::*;

/// A notification as shown.
pub struct NoteRow {
    /// Id.
    pub id: String,
    /// Kind, in words.
    pub kind: String,
    /// CSS class of the kind.
    pub class: &'static str,
    /// The text.
    pub text: String,
    /// When.
    pub when: String,
    /// Not read yet.
    pub unread: bool,
    /// What it is about, where it has a page of its own (an incident).
    pub href: Option<String>,
}

pub(super) fn note_row(tr: Tr, n: &Notification) -> NoteRow {
    let args = NoteArgs::from_json(&n.args);
    NoteRow {
        id: n.id.clone(),
        kind: tr.t(kind_label_key(&n.kind)).to_string(),
        class: match (ReminderKind::parse(&n.kind), n.kind.as_str()) {
            (Some(ReminderKind::Overdue), _)
            | (_, "incident-raised" | "incident-clock" | "case-task-overdue") => "overdue",
            (Some(ReminderKind::Escalate), _)
            | (_, "incident-escalate" | "incident-escalate-first" | "case-task-escalate") => {
                "escalate"
            }
            _ => "before",
        },
        text: note_text(tr.lang(), &n.kind, &args),
        when: minute(n.created_at),
        unread: n.read_at.is_none(),
        href: match (&args.incident, &args.case) {
            (Some(id), _) => Some(crate::shared::urls::with_lang(
                &format!("/incidents/{}", crate::shared::urls::encode(id)),
                tr,
            )),
            (None, Some(case)) => Some(format!(
                "{}#task-{}",
                crate::shared::urls::with_lang(
                    &format!("/cases/{}", crate::shared::urls::encode(case)),
                    tr,
                ),
                crate::shared::urls::encode(args.task.as_deref().unwrap_or_default())
            )),
            (None, None) => None,
        },
    }
}

pub(super) fn note_json(tr: Tr, n: &Notification) -> Value {
    let args = NoteArgs::from_json(&n.args);
    json!({
        "id": n.id,
        "kind": n.kind,
        "text": note_text(tr.lang(), &n.kind, &args),
        "obligation": n.obligation,
        "duty": args.duty_id,
        "due": args.due,
        "incident": args.incident,
        "case": args.case,
        "task": args.task,
        "created_at": rfc3339(n.created_at),
        "read_at": n.read_at.and_then(rfc3339),
        "unread": n.read_at.is_none(),
    })
}

/// A delivery as shown in the log.
pub struct DeliveryRow {
    /// Id.
    pub id: String,
    /// Queued at.
    pub created: String,
    /// Channel, in words.
    pub channel: String,
    /// Email address, or the robot's org.
    pub target: String,
    /// The reminder's text (robots) or email subject.
    pub summary: String,
    /// Status key (CSS class).
    pub status: String,
    /// Status, in words.
    pub status_label: String,
    /// Tries so far.
    pub attempts: i64,
    /// The last error.
    pub error: Option<String>,
    /// Next try, when pending after a failure.
    pub next: Option<String>,
    /// Sent at.
    pub sent: Option<String>,
    /// Every try.
    pub tries: Vec<TryRow>,
}

/// One try, as shown.
pub struct TryRow {
    /// Which try.
    pub attempt: i64,
    /// When.
    pub at: String,
    /// Outcome, in words.
    pub outcome: String,
    /// Error.
    pub error: String,
}

pub(super) fn channel_key(channel: &str) -> &'static str {
    match channel {
        "email" => "notify.channel.email",
        "wecom" => "notify.channel.wecom",
        "dingtalk" => "notify.channel.dingtalk",
        "wecom-app" => "notify.channel.wecom-app",
        "dingtalk-app" => "notify.channel.dingtalk-app",
        _ => "reminder.kind.other",
    }
}

pub(super) fn status_key(status: &str) -> &'static str {
    match status {
        "pending" => "notify.status.pending",
        "sending" => "notify.status.sending",
        "sent" => "notify.status.sent",
        "failed" => "notify.status.failed",
        "retry" => "notify.status.retry",
        _ => "reminder.kind.other",
    }
}

pub(super) fn delivery_row(
    tr: Tr,
    snap: &Snapshot,
    d: &Delivery,
    tries: Option<&Vec<Attempt>>,
) -> DeliveryRow {
    let target = match d.channel.as_str() {
        "email" => d.target.clone(),
        _ => snap
            .model
            .org(&d.target)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| d.target.clone()),
    };
    let summary = d.payload["subject"]
        .as_str()
        .or_else(|| d.payload["text"].as_str())
        .unwrap_or_default()
        .to_string();
    DeliveryRow {
        id: d.id.clone(),
        created: minute(d.created_at),
        channel: tr.t(channel_key(&d.channel)).to_string(),
        target,
        summary,
        status: d.status.clone(),
        status_label: tr.t(status_key(&d.status)).to_string(),
        attempts: d.attempts,
        error: d
            .last_error
            .as_deref()
            .map(|e| describe_error(tr.lang(), &d.channel, e)),
        next: (d.status == "pending" && d.attempts > 0).then(|| minute(d.next_attempt_at)),
        sent: d.sent_at.map(minute),
        tries: tries
            .map(|ts| {
                ts.iter()
                    .map(|t| TryRow {
                        attempt: t.attempt,
                        at: minute(t.at),
                        outcome: tr.t(status_key(&t.outcome)).to_string(),
                        error: t
                            .error
                            .as_deref()
                            .map(|e| describe_error(tr.lang(), &d.channel, e))
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A delivery in the API. Errors are in words in the caller's language, as on the page: a
/// robot's reason, never what it answered.
pub(super) fn delivery_json(
    tr: Tr,
    snap: &Snapshot,
    d: &Delivery,
    tries: Option<&Vec<Attempt>>,
) -> Value {
    let org = snap.model.org(&d.org);
    let describe = |e: &str| describe_error(tr.lang(), &d.channel, e);
    json!({
        "id": d.id,
        "reminder": d.reminder_key,
        "org": org.map(|o| o.code.clone()).unwrap_or_else(|| d.org.clone()),
        "channel": d.channel,
        "target": if d.channel == "email" { d.target.clone() } else { snap.model.org(&d.target).map(|o| o.code.clone()).unwrap_or_else(|| d.target.clone()) },
        "status": d.status,
        "attempts": d.attempts,
        "last_error": d.last_error.as_deref().map(describe),
        "next_attempt_at": (d.status == "pending").then(|| rfc3339(d.next_attempt_at)).flatten(),
        "created_at": rfc3339(d.created_at),
        "sent_at": d.sent_at.and_then(rfc3339),
        "subject": d.payload.get("subject"),
        "text": d.payload.get("text"),
        "tries": tries.map(|ts| ts.iter().map(|t| json!({
            "attempt": t.attempt,
            "at": rfc3339(t.at),
            "outcome": t.outcome,
            "error": t.error.as_deref().map(describe),
        })).collect::<Vec<_>>()).unwrap_or_default(),
    })
}

pub(super) fn org_channels_json(c: &OrgChannels, code: &str) -> Value {
    json!({
        "org": code,
        "wecom": c.wecom_url.as_deref().map(redact_url),
        "dingtalk": c.dingtalk_url.as_deref().map(redact_url),
        "dingtalk_signed": c.dingtalk_secret.is_some(),
        "version": c.version,
    })
}
