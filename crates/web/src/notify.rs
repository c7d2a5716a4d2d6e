//! Reminders and escalation: the notification centre, each person's channel settings, each
//! org's group robots (企业微信, 钉钉) with its delivery log for the org's secretary, the SMTP
//! server for the system administrator, and the background planner and sender.
//!
//! Who sees what: every business account reads its own notifications and sets its own email;
//! an org's robots and delivery log belong to whoever manages the org (the secretary role in
//! scope: `ManageOrg`, so the college secretary for the college and its branches, a branch
//! secretary for the branch); the SMTP server is system configuration (`ManageSystem`). Outside
//! the viewer's scope an org answers 404 like a missing one; administrators get 403 on business
//! data. Nothing is sent inside a request: pages and the API only write settings and read logs;
//! the planner queues and the sender sends (see [`planner`] and [`sender`]).

mod http;
pub mod planner;
pub mod sender;

use crate::AppState;
use crate::auth::{ApiViewer, PageViewer, Snapshot, Viewer, redirect};
use crate::error::{ApiError, ErrorCode, classify, generic_message};
use crate::i18n::{self, Tr};
use crate::pages::{Frame, error_page, page};
use crate::routes::{Describe, Routes};
use askama::Template;
use axum::Json;
use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use zeren_core::Lang;
use zeren_core::access::Permission;
use zeren_core::clock::shanghai;
use zeren_core::org::Org;
use zeren_core::reminders::{Reminder, ReminderKind, days_left};
use zeren_storage::StorageError;
use zeren_storage::repo::notify::{
    Attempt, Delivery, DeliveryFilter, Notification, OrgChannels, SecretUpdate, redact_url,
};

/// Setting key of the SMTP server.
pub const SMTP_SETTING: &str = "smtp";

/// Notifications and deliveries on one page.
const PER_PAGE: i64 = 30;

// ------------------------------------------------------------------------------------------
// Routes and jobs
// ------------------------------------------------------------------------------------------

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/notifications",
            Describe::auth("notify", "Notification centre"),
            centre_page,
        )
        .post(
            "/notifications/read-all",
            Describe::auth("notify", "Mark all my notifications read"),
            read_all_submit,
        )
        .post(
            "/notifications/{id}/read",
            Describe::auth("notify", "Mark a notification read"),
            read_submit,
        )
        .get(
            "/notifications/settings",
            Describe::auth("notify", "My reminder channels"),
            settings_page,
        )
        .post(
            "/notifications/settings",
            Describe::auth("notify", "Save my reminder channels"),
            settings_submit,
        )
        .get(
            "/orgs/{code}/notify",
            Describe::auth("notify", "An org's robots and delivery log"),
            org_page,
        )
        .post(
            "/orgs/{code}/notify",
            Describe::auth("notify", "Save an org's robots"),
            org_submit,
        )
        .get(
            "/admin/notify",
            Describe::auth("notify", "SMTP server and outbox state"),
            admin_page,
        )
        .post(
            "/admin/notify",
            Describe::auth("notify", "Save the SMTP server"),
            admin_submit,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/notifications",
            Describe::auth("notify", "My notifications, newest first").query(&[
                ("unread", "1: only unread ones"),
                ("page", "Page from 1, 30 a page"),
            ]),
            api_notifications,
        )
        .post(
            "/notifications/read-all",
            Describe::auth("notify", "Mark all my notifications read"),
            api_read_all,
        )
        .post(
            "/notifications/{id}/read",
            Describe::auth("notify", "Mark one of my notifications read"),
            api_read,
        )
        .get(
            "/notifications/settings",
            Describe::auth("notify", "My reminder channels"),
            api_settings,
        )
        .put(
            "/notifications/settings",
            Describe::auth("notify", "Set my reminder channels (version-checked)"),
            api_put_settings,
        )
        .get(
            "/deliveries",
            Describe::auth(
                "notify",
                "Deliveries of reminders about an org's subtree, with every try (org admins)",
            )
            .query(&[
                ("org", "Org code or id (required)"),
                ("status", "pending, sending, sent or failed"),
                ("channel", "email, wecom or dingtalk"),
                ("page", "Page from 1, 30 a page"),
            ]),
            api_deliveries,
        )
        .get(
            "/orgs/{id}/notify",
            Describe::auth(
                "notify",
                "An org's group robots (URLs and secret never shown)",
            ),
            api_org_channels,
        )
        .put(
            "/orgs/{id}/notify",
            Describe::auth("notify", "Set an org's group robots (version-checked)"),
            api_put_org_channels,
        )
        .get(
            "/settings/smtp",
            Describe::auth(
                "notify",
                "The SMTP server (system administrator; password never shown)",
            ),
            api_smtp,
        )
        .put(
            "/settings/smtp",
            Describe::auth(
                "notify",
                "Set the SMTP server (system administrator, version-checked)",
            ),
            api_put_smtp,
        )
}

/// Background work of this area, started once by `zeren serve`: the planner looks every
/// minute whether today's run is due (one instance of several claims it); the sender looks
/// every ten seconds for deliveries due.
pub fn spawn_jobs(state: &AppState) {
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            let summary = planner::run_once(&s).await;
            if summary.ran {
                tracing::debug!(?summary, "planner run");
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            let summary = sender::run_once(&s).await;
            if summary != sender::Summary::default() {
                tracing::debug!(?summary, "sender run");
            }
            tokio::time::sleep(std::time::Duration::from_secs(10)).await;
        }
    });
}

// ------------------------------------------------------------------------------------------
// Settings and texts
// ------------------------------------------------------------------------------------------

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
    fn parse(s: &str) -> Option<SmtpTls> {
        match s {
            "none" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::Starttls),
            "tls" => Some(SmtpTls::Tls),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
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
fn days_words(lang: Lang, n: i64) -> String {
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

fn kind_label_key(kind: &str) -> &'static str {
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

/// An instant as the ledger shows it: `YYYY-MM-DD HH:MM` in Asia/Shanghai.
fn when(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t
            .with_timezone(&shanghai())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => String::new(),
    }
}

/// An instant for the API: RFC 3339 in Asia/Shanghai.
fn rfc3339(ms: i64) -> Option<String> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.with_timezone(&shanghai()).to_rfc3339())
}

// ------------------------------------------------------------------------------------------
// Checks shared by pages and the API
// ------------------------------------------------------------------------------------------

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// Not allowed (an administrator on business data, or not the org's manager).
    Forbidden,
    /// No such org, or outside the viewer's scope.
    NotFound,
}

impl Refusal {
    fn api(self, tr: Tr) -> ApiError {
        match self {
            Refusal::Forbidden => {
                ApiError::new(ErrorCode::Forbidden, tr.t("error.forbidden").into())
            }
            Refusal::NotFound => ApiError::new(
                ErrorCode::NotFound,
                tr.t("notify.error.org_not_found").into(),
            ),
        }
    }

    fn page(self, tr: Tr) -> Response {
        match self {
            Refusal::Forbidden => error_page(
                tr,
                ErrorCode::Forbidden,
                "error.forbidden.title",
                tr.t("error.forbidden").to_string(),
            ),
            Refusal::NotFound => error_page(
                tr,
                ErrorCode::NotFound,
                "notify.error.not_found_title",
                tr.t("notify.error.org_not_found").to_string(),
            ),
        }
    }
}

/// Business accounts only: the notification centre is business data.
fn business(v: &Viewer) -> Result<(), Refusal> {
    if v.principal.admin.is_some() {
        Err(Refusal::Forbidden)
    } else {
        Ok(())
    }
}

/// The org (code or id) the viewer manages: 404 outside what they may read, 403 when they
/// may read it but not manage it.
fn managed_org<'a>(v: &'a Viewer, code: &str) -> Result<&'a Org, Refusal> {
    business(v)?;
    let org = v
        .snap
        .model
        .find_org(code.trim())
        .ok_or(Refusal::NotFound)?;
    if !v.can(Permission::ReadOrg, Some(&org.id)) {
        return Err(Refusal::NotFound);
    }
    if !v.can(Permission::ManageOrg, Some(&org.id)) {
        return Err(Refusal::Forbidden);
    }
    Ok(org)
}

/// The system administrator only.
fn system_admin(v: &Viewer) -> Result<(), Refusal> {
    if v.can(Permission::ManageSystem, None) {
        Ok(())
    } else {
        Err(Refusal::Forbidden)
    }
}

fn invalid(tr: Tr, field: &str, message: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Validation,
        tr.tf(
            "notify.error.field",
            &[("field", field), ("message", message)],
        ),
    )
}

fn storage_api(tr: Tr, err: StorageError) -> ApiError {
    match err {
        StorageError::Conflict {
            expected, actual, ..
        } => ApiError::new(
            ErrorCode::Conflict,
            tr.tf(
                "notify.error.conflict",
                &[
                    ("expected", &expected.to_string()),
                    ("actual", &actual.to_string()),
                ],
            ),
        ),
        err => ApiError::from_storage(err, tr, ErrorCode::NotFound, ""),
    }
}

fn storage_page(tr: Tr, err: &StorageError) -> Response {
    let code = classify(err, ErrorCode::NotFound);
    let title = match code {
        ErrorCode::DatabaseUnavailable => "error.database_unavailable.title",
        _ => "error.internal.title",
    };
    error_page(tr, code, title, generic_message(tr, code))
}

fn json_body<T>(tr: Tr, body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| {
        let text = e.body_text();
        let field = text
            .split("field `")
            .nth(1)
            .and_then(|r| r.split('`').next())
            .unwrap_or("body")
            .to_string();
        ApiError::new(
            ErrorCode::Validation,
            tr.tf("notify.error.body", &[("field", &field), ("detail", &text)]),
        )
    })
}

/// Checks an email address (empty means none).
fn check_email(tr: Tr, s: &str) -> Result<Option<String>, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() > 254 || s.parse::<lettre::Address>().is_err() {
        return Err(invalid(tr, "email", tr.t("notify.error.email")));
    }
    Ok(Some(s.to_string()))
}

/// Checks a robot webhook URL (empty means none): http(s), a host, no spaces.
fn check_url(tr: Tr, field: &str, s: &str) -> Result<Option<String>, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let ok = s.len() <= 1000
        && (s.starts_with("https://") || s.starts_with("http://"))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.parse::<axum::http::Uri>().is_ok_and(|u| {
            matches!(u.scheme_str(), Some("http" | "https"))
                && u.host().is_some_and(|h| !h.is_empty())
        });
    if !ok {
        return Err(invalid(tr, field, tr.t("notify.error.url")));
    }
    Ok(Some(s.to_string()))
}

fn check_secret(tr: Tr, s: &str) -> Result<String, ApiError> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(tr, "dingtalk_secret", tr.t("notify.error.secret")));
    }
    Ok(s.to_string())
}

/// SMTP settings, checked.
type CheckedSmtp = (String, u16, SmtpTls, String, String);

/// The SMTP settings from a form or JSON body, checked field by field; an error names its field.
fn check_smtp(
    tr: Tr,
    host: &str,
    port: &str,
    tls: &str,
    username: &str,
    from: &str,
) -> Result<CheckedSmtp, (&'static str, ApiError)> {
    let bad = |field: &'static str, key: &str| (field, invalid(tr, field, tr.t(key)));
    let host = host.trim();
    if host.is_empty()
        || host.len() > 253
        || host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        return Err(bad("host", "notify.error.host"));
    }
    let port = port
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| bad("port", "notify.error.port"))?;
    let tls = SmtpTls::parse(tls.trim()).ok_or_else(|| bad("tls", "notify.error.tls"))?;
    let username = username.trim();
    if username.len() > 254 || username.chars().any(|c| c.is_control()) {
        return Err(bad("username", "notify.error.username"));
    }
    let from = from.trim();
    if from.is_empty() || from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(bad("from", "notify.error.from"));
    }
    Ok((
        host.to_string(),
        port,
        tls,
        username.to_string(),
        from.to_string(),
    ))
}

fn page_number(s: Option<&str>) -> Option<i64> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(1),
        Some(s) => s.parse::<i64>().ok().filter(|n| (1..=100_000).contains(n)),
    }
}

// ------------------------------------------------------------------------------------------
// Views
// ------------------------------------------------------------------------------------------

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
}

fn note_row(tr: Tr, n: &Notification) -> NoteRow {
    let args = NoteArgs::from_json(&n.args);
    NoteRow {
        id: n.id.clone(),
        kind: tr.t(kind_label_key(&n.kind)).to_string(),
        class: match ReminderKind::parse(&n.kind) {
            Some(ReminderKind::Overdue) => "overdue",
            Some(ReminderKind::Escalate) => "escalate",
            _ => "before",
        },
        text: note_text(tr.lang(), &n.kind, &args),
        when: when(n.created_at),
        unread: n.read_at.is_none(),
    }
}

fn note_json(tr: Tr, n: &Notification) -> Value {
    let args = NoteArgs::from_json(&n.args);
    json!({
        "id": n.id,
        "kind": n.kind,
        "text": note_text(tr.lang(), &n.kind, &args),
        "obligation": n.obligation,
        "duty": args.duty_id,
        "due": args.due,
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

fn channel_key(channel: &str) -> &'static str {
    match channel {
        "email" => "notify.channel.email",
        "wecom" => "notify.channel.wecom",
        "dingtalk" => "notify.channel.dingtalk",
        _ => "notify.kind.other",
    }
}

fn status_key(status: &str) -> &'static str {
    match status {
        "pending" => "notify.status.pending",
        "sending" => "notify.status.sending",
        "sent" => "notify.status.sent",
        "failed" => "notify.status.failed",
        "retry" => "notify.status.retry",
        _ => "notify.kind.other",
    }
}

fn delivery_row(
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
        created: when(d.created_at),
        channel: tr.t(channel_key(&d.channel)).to_string(),
        target,
        summary,
        status: d.status.clone(),
        status_label: tr.t(status_key(&d.status)).to_string(),
        attempts: d.attempts,
        error: d.last_error.clone(),
        next: (d.status == "pending" && d.attempts > 0).then(|| when(d.next_attempt_at)),
        sent: d.sent_at.map(when),
        tries: tries
            .map(|ts| {
                ts.iter()
                    .map(|t| TryRow {
                        attempt: t.attempt,
                        at: when(t.at),
                        outcome: tr.t(status_key(&t.outcome)).to_string(),
                        error: t.error.clone().unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn delivery_json(snap: &Snapshot, d: &Delivery, tries: Option<&Vec<Attempt>>) -> Value {
    let org = snap.model.org(&d.org);
    json!({
        "id": d.id,
        "reminder": d.reminder_key,
        "org": org.map(|o| o.code.clone()).unwrap_or_else(|| d.org.clone()),
        "channel": d.channel,
        "target": if d.channel == "email" { d.target.clone() } else { snap.model.org(&d.target).map(|o| o.code.clone()).unwrap_or_else(|| d.target.clone()) },
        "status": d.status,
        "attempts": d.attempts,
        "last_error": d.last_error,
        "next_attempt_at": (d.status == "pending").then(|| rfc3339(d.next_attempt_at)).flatten(),
        "created_at": rfc3339(d.created_at),
        "sent_at": d.sent_at.and_then(rfc3339),
        "subject": d.payload.get("subject"),
        "text": d.payload.get("text"),
        "tries": tries.map(|ts| ts.iter().map(|t| json!({
            "attempt": t.attempt,
            "at": rfc3339(t.at),
            "outcome": t.outcome,
            "error": t.error,
        })).collect::<Vec<_>>()).unwrap_or_default(),
    })
}

fn org_channels_json(c: &OrgChannels, code: &str) -> Value {
    json!({
        "org": code,
        "wecom": c.wecom_url.as_deref().map(redact_url),
        "dingtalk": c.dingtalk_url.as_deref().map(redact_url),
        "dingtalk_signed": c.dingtalk_secret.is_some(),
        "version": c.version,
    })
}

// ------------------------------------------------------------------------------------------
// The notification centre
// ------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "notify.html")]
struct CentrePage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    linked: bool,
    rows: Vec<NoteRow>,
    unread: i64,
    only_unread: bool,
    prev: Option<String>,
    next: Option<String>,
    manage: Vec<(String, String)>,
}

/// Query of the centre.
#[derive(Deserialize, Default)]
pub struct CentreQuery {
    unread: Option<String>,
    page: Option<String>,
}

fn pager_href(base: &str, only_unread: bool, page: i64, tr: Tr) -> String {
    let mut q = vec![format!("page={page}")];
    if only_unread {
        q.push("unread=1".into());
    }
    if tr.is_explicit() {
        q.push(format!("lang={}", if tr.is_en() { "en" } else { "zh" }));
    }
    format!("{base}?{}", q.join("&"))
}

/// The orgs whose robots and delivery log the viewer manages (the roots of their scopes).
fn managed_roots(v: &Viewer) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v
        .principal
        .scopes(Permission::ManageOrg)
        .into_iter()
        .filter_map(|id| v.snap.model.org(id))
        .map(|o| (format!("/orgs/{}/notify", o.code), o.name.clone()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `GET /notifications` — my notifications.
async fn centre_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Query(q): Query<CentreQuery>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = business(&v) {
        return r.page(tr);
    }
    let only_unread = q.unread.as_deref() == Some("1");
    let page_no = page_number(q.page.as_deref()).unwrap_or(1);
    let (rows, unread, total) = match &v.user.person {
        Some(person) => {
            let db = &state.db;
            let list = db
                .notifications(person, only_unread, PER_PAGE, (page_no - 1) * PER_PAGE)
                .await;
            let unread = db.notification_count(person, true).await;
            let total = db.notification_count(person, only_unread).await;
            match (list, unread, total) {
                (Ok(l), Ok(u), Ok(t)) => (l.iter().map(|n| note_row(tr, n)).collect(), u, t),
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return storage_page(tr, &e),
            }
        }
        None => (Vec::new(), 0, 0),
    };
    let prev = (page_no > 1).then(|| pager_href("/notifications", only_unread, page_no - 1, tr));
    let next = (page_no * PER_PAGE < total)
        .then(|| pager_href("/notifications", only_unread, page_no + 1, tr));
    page(
        StatusCode::OK,
        &CentrePage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            csrf: v.csrf().to_string(),
            linked: v.user.person.is_some(),
            rows,
            unread,
            only_unread,
            prev,
            next,
            manage: managed_roots(&v),
        },
    )
}

/// `POST /notifications/{id}/read`.
async fn read_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = business(&v) {
        return r.page(tr);
    }
    match mark_read(&state, &v, &id).await {
        Ok(()) => redirect("/notifications"),
        Err(e) if e.code == ErrorCode::NotFound => error_page(
            tr,
            ErrorCode::NotFound,
            "notify.error.not_found_title",
            e.message,
        ),
        Err(e) => error_page(tr, e.code, "error.internal.title", e.message),
    }
}

/// `POST /notifications/read-all`.
async fn read_all_submit(State(state): State<AppState>, PageViewer(v): PageViewer) -> Response {
    let tr = v.tr;
    if let Err(r) = business(&v) {
        return r.page(tr);
    }
    match mark_all(&state, &v).await {
        Ok(_) => redirect("/notifications"),
        Err(e) => error_page(tr, e.code, "error.internal.title", e.message),
    }
}

async fn mark_read(state: &AppState, v: &Viewer, id: &str) -> Result<(), ApiError> {
    let tr = v.tr;
    let not_found = || {
        ApiError::new(
            ErrorCode::NotFound,
            tr.t("notify.error.note_not_found").into(),
        )
    };
    let Some(person) = &v.user.person else {
        return Err(not_found());
    };
    let note = state
        .db
        .notification(person, id)
        .await
        .map_err(|e| storage_api(tr, e))?
        .ok_or_else(not_found)?;
    if note.read_at.is_some() {
        return Ok(());
    }
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.mark_read(person, id)
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.commit().await.map_err(|e| storage_api(tr, e))
}

async fn mark_all(state: &AppState, v: &Viewer) -> Result<u64, ApiError> {
    let tr = v.tr;
    let Some(person) = &v.user.person else {
        return Ok(0);
    };
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_api(tr, e))?;
    let n = tx
        .mark_all_read(person)
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.commit().await.map_err(|e| storage_api(tr, e))?;
    Ok(n)
}

/// `GET /api/v1/notifications`.
async fn api_notifications(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Query(q): Query<CentreQuery>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    business(&v).map_err(|r| r.api(tr))?;
    let only_unread = match q.unread.as_deref().map(str::trim) {
        None | Some("") | Some("0") => false,
        Some("1") => true,
        Some(_) => return Err(invalid(tr, "unread", tr.t("notify.error.unread"))),
    };
    let page_no = page_number(q.page.as_deref())
        .ok_or_else(|| invalid(tr, "page", tr.t("notify.error.page")))?;
    let Some(person) = &v.user.person else {
        return Ok(Json(
            json!({"unread": 0, "total": 0, "page": page_no, "items": []}),
        ));
    };
    let db = &state.db;
    let list = db
        .notifications(person, only_unread, PER_PAGE, (page_no - 1) * PER_PAGE)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let unread = db
        .notification_count(person, true)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let total = db
        .notification_count(person, only_unread)
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok(Json(json!({
        "unread": unread,
        "total": total,
        "page": page_no,
        "items": list.iter().map(|n| note_json(tr, n)).collect::<Vec<_>>(),
    })))
}

/// `POST /api/v1/notifications/{id}/read`.
async fn api_read(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    business(&v).map_err(|r| r.api(v.tr))?;
    mark_read(&state, &v, &id).await?;
    Ok(Json(json!({"id": id, "unread": false})))
}

/// `POST /api/v1/notifications/read-all`.
async fn api_read_all(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Value>, ApiError> {
    business(&v).map_err(|r| r.api(v.tr))?;
    let n = mark_all(&state, &v).await?;
    Ok(Json(json!({"read": n})))
}

// ------------------------------------------------------------------------------------------
// My channels
// ------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "notify_settings.html")]
struct SettingsPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    linked: bool,
    email: String,
    email_enabled: bool,
    version: i64,
    saved: bool,
    errors: Vec<(String, String)>,
}

impl SettingsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::views::field_error(&self.errors, field)
    }

    fn general_errors(&self) -> Vec<&str> {
        crate::views::field_errors(&self.errors, "form")
    }
}

/// The settings form.
#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    email: String,
    email_enabled: Option<String>,
    #[serde(default)]
    version: String,
}

/// Query of the settings page.
#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /notifications/settings`.
async fn settings_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Query(q): Query<SavedQuery>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = business(&v) {
        return r.page(tr);
    }
    let current = match &v.user.person {
        Some(p) => match state.db.person_channels(p).await {
            Ok(c) => Some(c),
            Err(e) => return storage_page(tr, &e),
        },
        None => None,
    };
    page(
        StatusCode::OK,
        &SettingsPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            csrf: v.csrf().to_string(),
            linked: current.is_some(),
            email: current
                .as_ref()
                .and_then(|c| c.email.clone())
                .unwrap_or_default(),
            email_enabled: current.as_ref().is_none_or(|c| c.email_enabled),
            version: current.as_ref().map(|c| c.version).unwrap_or(0),
            saved: q.saved.is_some(),
            errors: Vec::new(),
        },
    )
}

/// Saves a person's channels; the error names the field.
async fn save_settings(
    state: &AppState,
    v: &Viewer,
    email: &str,
    enabled: bool,
    version: i64,
) -> Result<zeren_storage::repo::notify::PersonChannels, (String, ApiError)> {
    let tr = v.tr;
    let Some(person) = &v.user.person else {
        return Err((
            "form".into(),
            ApiError::new(ErrorCode::Validation, tr.t("notify.error.no_person").into()),
        ));
    };
    let email = check_email(tr, email).map_err(|e| ("email".to_string(), e))?;
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| ("form".to_string(), storage_api(tr, e)))?;
    let saved = tx
        .put_person_channels(person, email.as_deref(), enabled, version)
        .await
        .map_err(|e| ("form".to_string(), storage_api(tr, e)))?;
    tx.commit()
        .await
        .map_err(|e| ("form".to_string(), storage_api(tr, e)))?;
    Ok(saved)
}

/// `POST /notifications/settings`.
async fn settings_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<SettingsForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = business(&v) {
        return r.page(tr);
    }
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let enabled = f.email_enabled.is_some();
    let render = |status: StatusCode, errors: Vec<(String, String)>, f: &SettingsForm| {
        page(
            status,
            &SettingsPage {
                frame: Frame::of(&state, Some(&v)),
                tr,
                csrf: v.csrf().to_string(),
                linked: v.user.person.is_some(),
                email: f.email.clone(),
                email_enabled: enabled,
                version: f.version.trim().parse().unwrap_or(0),
                saved: false,
                errors,
            },
        )
    };
    let Ok(version) = f.version.trim().parse::<i64>() else {
        let msg = tr.tf(
            "notify.error.field",
            &[
                ("field", "version"),
                ("message", tr.t("notify.error.version")),
            ],
        );
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("form".into(), msg)],
            &f,
        );
    };
    match save_settings(&state, &v, &f.email, enabled, version).await {
        Ok(_) => redirect("/notifications/settings?saved=1"),
        Err((field, e)) => render(e.code.status(), vec![(field, e.message)], &f),
    }
}

/// `GET /api/v1/notifications/settings`.
async fn api_settings(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    business(&v).map_err(|r| r.api(tr))?;
    let Some(person) = &v.user.person else {
        return Ok(Json(
            json!({"email": null, "email_enabled": false, "version": 0, "linked": false}),
        ));
    };
    let c = state
        .db
        .person_channels(person)
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok(Json(
        json!({"email": c.email, "email_enabled": c.email_enabled, "version": c.version, "linked": true}),
    ))
}

/// Body of `PUT /api/v1/notifications/settings`.
#[derive(Deserialize)]
pub struct SettingsBody {
    email: Option<String>,
    email_enabled: bool,
    version: i64,
}

/// `PUT /api/v1/notifications/settings`.
async fn api_put_settings(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<Json<SettingsBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    business(&v).map_err(|r| r.api(tr))?;
    let b = json_body(tr, body)?;
    let c = save_settings(
        &state,
        &v,
        b.email.as_deref().unwrap_or(""),
        b.email_enabled,
        b.version,
    )
    .await
    .map_err(|(_, e)| e)?;
    Ok(Json(
        json!({"email": c.email, "email_enabled": c.email_enabled, "version": c.version, "linked": true}),
    ))
}

// ------------------------------------------------------------------------------------------
// An org's robots and delivery log
// ------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "notify_org.html")]
struct OrgPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    org_name: String,
    org_href: String,
    action: String,
    wecom: Option<String>,
    dingtalk: Option<String>,
    dingtalk_signed: bool,
    version: i64,
    saved: bool,
    errors: Vec<(String, String)>,
    form: OrgForm,
    counts: Vec<(String, String, i64, String)>,
    status: String,
    rows: Vec<DeliveryRow>,
    prev: Option<String>,
    next: Option<String>,
}

impl OrgPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::views::field_error(&self.errors, field)
    }

    fn general_errors(&self) -> Vec<&str> {
        crate::views::field_errors(&self.errors, "form")
    }
}

/// The robots form: a URL or secret left empty keeps what is stored; the boxes remove it.
#[derive(Deserialize, Default, Clone)]
pub struct OrgForm {
    #[serde(default)]
    wecom_url: String,
    wecom_clear: Option<String>,
    #[serde(default)]
    dingtalk_url: String,
    dingtalk_clear: Option<String>,
    #[serde(default)]
    dingtalk_secret: String,
    dingtalk_secret_clear: Option<String>,
    #[serde(default)]
    version: String,
}

/// Query of the org page and the deliveries API.
#[derive(Deserialize, Default)]
pub struct LogQuery {
    org: Option<String>,
    status: Option<String>,
    channel: Option<String>,
    page: Option<String>,
    saved: Option<String>,
}

/// The subtree of `org` as a delivery filter.
fn subtree_filter(
    v: &Viewer,
    org: &Org,
    status: Option<&str>,
    channel: Option<&str>,
) -> DeliveryFilter {
    DeliveryFilter {
        orgs: v
            .snap
            .model
            .subtree(&org.id)
            .into_iter()
            .map(|o| o.id.clone())
            .collect(),
        status: status.map(str::to_string),
        channel: channel.map(str::to_string),
    }
}

fn check_status(tr: Tr, s: Option<&str>) -> Result<Option<String>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if zeren_storage::repo::notify::DELIVERY_STATUSES.contains(&s) => {
            Ok(Some(s.into()))
        }
        Some(_) => Err(invalid(tr, "status", tr.t("notify.error.status"))),
    }
}

fn check_channel(tr: Tr, s: Option<&str>) -> Result<Option<String>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if zeren_storage::repo::notify::CHANNELS.contains(&s) => Ok(Some(s.into())),
        Some(_) => Err(invalid(tr, "channel", tr.t("notify.error.channel"))),
    }
}

async fn render_org_page(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    q: &LogQuery,
    status_code: StatusCode,
    form: OrgForm,
    errors: Vec<(String, String)>,
) -> Response {
    let tr = v.tr;
    let status = check_status(tr, q.status.as_deref()).ok().flatten();
    let page_no = page_number(q.page.as_deref()).unwrap_or(1);
    let filter = subtree_filter(v, org, status.as_deref(), None);
    let all = subtree_filter(v, org, None, None);
    let db = &state.db;
    let (channels, list, counts) = match (
        db.org_channels(&org.id).await,
        db.deliveries(&filter, PER_PAGE, (page_no - 1) * PER_PAGE)
            .await,
        db.delivery_counts(&all).await,
    ) {
        (Ok(c), Ok(l), Ok(n)) => (c, l, n),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return storage_page(tr, &e),
    };
    let ids: Vec<String> = list.iter().map(|d| d.id.clone()).collect();
    let tries = match db.attempts(&ids).await {
        Ok(t) => t,
        Err(e) => return storage_page(tr, &e),
    };
    let base = format!("/orgs/{}/notify", org.code);
    let shown = match &status {
        Some(s) => counts.get(s).copied().unwrap_or(0),
        None => counts.values().sum(),
    };
    let href = |p: i64| {
        let mut q = vec![format!("page={p}")];
        if let Some(s) = &status {
            q.push(format!("status={s}"));
        }
        if tr.is_explicit() {
            q.push(format!("lang={}", if tr.is_en() { "en" } else { "zh" }));
        }
        format!("{base}?{}#log", q.join("&"))
    };
    let mut count_rows = vec![(
        String::new(),
        tr.t("notify.status.all").to_string(),
        counts.values().sum(),
        format!("{base}{}#log", tr.qs()),
    )];
    for s in zeren_storage::repo::notify::DELIVERY_STATUSES {
        let sep = if tr.qs().is_empty() { "?" } else { "&" };
        count_rows.push((
            s.to_string(),
            tr.t(status_key(s)).to_string(),
            counts.get(s).copied().unwrap_or(0),
            format!("{base}{}{sep}status={s}#log", tr.qs()),
        ));
    }
    page(
        status_code,
        &OrgPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            org_name: org.name.clone(),
            org_href: format!("/orgs/{}{}", org.code, tr.qs()),
            action: base.clone(),
            wecom: channels.wecom_url.as_deref().map(redact_url),
            dingtalk: channels.dingtalk_url.as_deref().map(redact_url),
            dingtalk_signed: channels.dingtalk_secret.is_some(),
            version: channels.version,
            saved: q.saved.is_some(),
            errors,
            form,
            counts: count_rows,
            status: status.clone().unwrap_or_default(),
            rows: list
                .iter()
                .map(|d| delivery_row(tr, &v.snap, d, tries.get(&d.id)))
                .collect(),
            prev: (page_no > 1).then(|| href(page_no - 1)),
            next: (page_no * PER_PAGE < shown).then(|| href(page_no + 1)),
        },
    )
}

/// `GET /orgs/{code}/notify` — the org's robots and every delivery about its subtree.
async fn org_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
    Query(q): Query<LogQuery>,
) -> Response {
    let org = match managed_org(&v, &code) {
        Ok(o) => o.clone(),
        Err(r) => return r.page(v.tr),
    };
    render_org_page(
        &state,
        &v,
        &org,
        &q,
        StatusCode::OK,
        OrgForm::default(),
        Vec::new(),
    )
    .await
}

/// Saves an org's robots from the form's or the API's fields.
async fn save_org(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    wecom: Option<String>,
    dingtalk: Option<String>,
    secret: SecretUpdate,
    version: i64,
) -> Result<OrgChannels, ApiError> {
    let tr = v.tr;
    if dingtalk.is_none() && matches!(secret, SecretUpdate::Set(_)) {
        return Err(invalid(
            tr,
            "dingtalk_url",
            tr.t("notify.error.secret_without_url"),
        ));
    }
    let secret = if dingtalk.is_none() {
        SecretUpdate::Clear
    } else {
        secret
    };
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_api(tr, e))?;
    let saved = tx
        .put_org_channels(
            &org.id,
            wecom.as_deref(),
            dingtalk.as_deref(),
            secret,
            version,
        )
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.commit().await.map_err(|e| storage_api(tr, e))?;
    Ok(saved)
}

/// `POST /orgs/{code}/notify`.
async fn org_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
    form: Result<Form<OrgForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let org = match managed_org(&v, &code) {
        Ok(o) => o.clone(),
        Err(r) => return r.page(tr),
    };
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let q = LogQuery::default();
    let fail = |field: &str, e: ApiError| (field.to_string(), e);
    let result: Result<(), (String, ApiError)> = async {
        let version = f
            .version
            .trim()
            .parse::<i64>()
            .map_err(|_| fail("form", invalid(tr, "version", tr.t("notify.error.version"))))?;
        let current = state
            .db
            .org_channels(&org.id)
            .await
            .map_err(|e| fail("form", storage_api(tr, e)))?;
        let wecom = if f.wecom_clear.is_some() {
            None
        } else {
            match check_url(tr, "wecom_url", &f.wecom_url).map_err(|e| fail("wecom_url", e))? {
                Some(u) => Some(u),
                None => current.wecom_url.clone(),
            }
        };
        let dingtalk = if f.dingtalk_clear.is_some() {
            None
        } else {
            match check_url(tr, "dingtalk_url", &f.dingtalk_url)
                .map_err(|e| fail("dingtalk_url", e))?
            {
                Some(u) => Some(u),
                None => current.dingtalk_url.clone(),
            }
        };
        let secret = if f.dingtalk_secret_clear.is_some() {
            SecretUpdate::Clear
        } else if f.dingtalk_secret.trim().is_empty() {
            SecretUpdate::Keep
        } else {
            SecretUpdate::Set(
                check_secret(tr, &f.dingtalk_secret).map_err(|e| fail("dingtalk_secret", e))?,
            )
        };
        save_org(&state, &v, &org, wecom, dingtalk, secret, version)
            .await
            .map_err(|e| {
                let field = if e.code == ErrorCode::Validation {
                    "dingtalk_url"
                } else {
                    "form"
                };
                fail(field, e)
            })?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => redirect(&format!("/orgs/{}/notify?saved=1", org.code)),
        Err((field, e)) => {
            let mut kept = f.clone();
            kept.dingtalk_secret.clear();
            render_org_page(
                &state,
                &v,
                &org,
                &q,
                e.code.status(),
                kept,
                vec![(field, e.message)],
            )
            .await
        }
    }
}

/// `GET /api/v1/deliveries?org=…`.
async fn api_deliveries(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Query(q): Query<LogQuery>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    business(&v).map_err(|r| r.api(tr))?;
    let Some(code) = q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(invalid(tr, "org", tr.t("notify.error.org_required")));
    };
    let org = managed_org(&v, code).map_err(|r| r.api(tr))?.clone();
    let status = check_status(tr, q.status.as_deref())?;
    let channel = check_channel(tr, q.channel.as_deref())?;
    let page_no = page_number(q.page.as_deref())
        .ok_or_else(|| invalid(tr, "page", tr.t("notify.error.page")))?;
    let filter = subtree_filter(&v, &org, status.as_deref(), channel.as_deref());
    let db = &state.db;
    let list = db
        .deliveries(&filter, PER_PAGE, (page_no - 1) * PER_PAGE)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let counts = db
        .delivery_counts(&filter)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let ids: Vec<String> = list.iter().map(|d| d.id.clone()).collect();
    let tries = db.attempts(&ids).await.map_err(|e| storage_api(tr, e))?;
    let counts: HashMap<&str, i64> = zeren_storage::repo::notify::DELIVERY_STATUSES
        .iter()
        .map(|s| (*s, counts.get(*s).copied().unwrap_or(0)))
        .collect();
    Ok(Json(json!({
        "org": org.code,
        "page": page_no,
        "total": counts.values().sum::<i64>(),
        "counts": counts,
        "items": list.iter().map(|d| delivery_json(&v.snap, d, tries.get(&d.id))).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/orgs/{id}/notify`.
async fn api_org_channels(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    let org = managed_org(&v, &id).map_err(|r| r.api(tr))?.clone();
    let c = state
        .db
        .org_channels(&org.id)
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok(Json(org_channels_json(&c, &org.code)))
}

/// `null` stays distinguishable from a missing field.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Body of `PUT /api/v1/orgs/{id}/notify`: the URLs replace what is stored (`null` or absent:
/// none); the secret is kept when absent, removed when `null`.
#[derive(Deserialize)]
pub struct OrgBody {
    wecom_url: Option<String>,
    dingtalk_url: Option<String>,
    #[serde(default, deserialize_with = "present")]
    dingtalk_secret: Option<Value>,
    version: i64,
}

/// `PUT /api/v1/orgs/{id}/notify`.
async fn api_put_org_channels(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<String>,
    body: Result<Json<OrgBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    let org = managed_org(&v, &id).map_err(|r| r.api(tr))?.clone();
    let b = json_body(tr, body)?;
    let wecom = check_url(tr, "wecom_url", b.wecom_url.as_deref().unwrap_or(""))?;
    let dingtalk = check_url(tr, "dingtalk_url", b.dingtalk_url.as_deref().unwrap_or(""))?;
    let secret = match b.dingtalk_secret {
        None => SecretUpdate::Keep,
        Some(Value::Null) => SecretUpdate::Clear,
        Some(Value::String(s)) => SecretUpdate::Set(check_secret(tr, &s)?),
        Some(_) => return Err(invalid(tr, "dingtalk_secret", tr.t("notify.error.secret"))),
    };
    let c = save_org(&state, &v, &org, wecom, dingtalk, secret, b.version).await?;
    Ok(Json(org_channels_json(&c, &org.code)))
}

// ------------------------------------------------------------------------------------------
// The SMTP server (system administrator)
// ------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "notify_admin.html")]
struct AdminPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    host: String,
    port: String,
    tls: String,
    username: String,
    password_set: bool,
    from: String,
    version: i64,
    saved: bool,
    errors: Vec<(String, String)>,
    counts: Vec<(String, i64)>,
    last_run: Option<String>,
}

impl AdminPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::views::field_error(&self.errors, field)
    }

    fn general_errors(&self) -> Vec<&str> {
        crate::views::field_errors(&self.errors, "form")
    }
}

/// The SMTP form.
#[derive(Deserialize, Default, Clone)]
pub struct SmtpForm {
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    tls: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    password_clear: Option<String>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    version: String,
}

async fn render_admin(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    form: Option<SmtpForm>,
    errors: Vec<(String, String)>,
    saved: bool,
) -> Response {
    let tr = v.tr;
    let db = &state.db;
    let (current, counts) = match (
        db.setting::<SmtpSettings>(SMTP_SETTING).await,
        db.outbox_counts().await,
    ) {
        (Ok(c), Ok(n)) => (c, n),
        (Err(e), _) | (_, Err(e)) => return storage_page(tr, &e),
    };
    let today = state.today();
    let last_run = match db
        .job_run(zeren_storage::repo::notify::PLAN_JOB, &today.to_string())
        .await
    {
        Ok(r) => r.and_then(|r| r.finished_at).map(when),
        Err(e) => return storage_page(tr, &e),
    };
    let (s, version) = current.unwrap_or_default();
    let password_set = !s.password.is_empty();
    let (host, port, tls, username, from) = match form {
        Some(f) => (f.host, f.port, f.tls, f.username, f.from),
        None => (
            s.host,
            if s.port == 0 {
                "587".into()
            } else {
                s.port.to_string()
            },
            s.tls.as_str().to_string(),
            s.username,
            s.from,
        ),
    };
    page(
        status,
        &AdminPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            host,
            port,
            tls,
            username,
            password_set,
            from,
            version,
            saved,
            errors,
            counts: zeren_storage::repo::notify::DELIVERY_STATUSES
                .iter()
                .map(|s| {
                    (
                        tr.t(status_key(s)).to_string(),
                        counts.get(*s).copied().unwrap_or(0),
                    )
                })
                .collect(),
            last_run,
        },
    )
}

/// `GET /admin/notify`.
async fn admin_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Query(q): Query<SavedQuery>,
) -> Response {
    if let Err(r) = system_admin(&v) {
        return r.page(v.tr);
    }
    render_admin(
        &state,
        &v,
        StatusCode::OK,
        None,
        Vec::new(),
        q.saved.is_some(),
    )
    .await
}

/// Saves the SMTP server; a password left out keeps the stored one.
async fn save_smtp(
    state: &AppState,
    v: &Viewer,
    checked: CheckedSmtp,
    password: Option<String>,
    version: i64,
) -> Result<(SmtpSettings, i64), ApiError> {
    let tr = v.tr;
    let (host, port, tls, username, from) = checked;
    let stored = state
        .db
        .setting::<SmtpSettings>(SMTP_SETTING)
        .await
        .map_err(|e| storage_api(tr, e))?
        .map(|(s, _)| s.password)
        .unwrap_or_default();
    let settings = SmtpSettings {
        host,
        port,
        tls,
        password: password.unwrap_or(stored),
        username,
        from,
    };
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_api(tr, e))?;
    let version = tx
        .put_secret_setting(SMTP_SETTING, &settings, &["password"], version)
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.commit().await.map_err(|e| storage_api(tr, e))?;
    Ok((settings, version))
}

/// `POST /admin/notify`.
async fn admin_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<SmtpForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = system_admin(&v) {
        return r.page(tr);
    }
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let result: Result<(), (String, ApiError)> = async {
        let version = f.version.trim().parse::<i64>().map_err(|_| {
            (
                "form".to_string(),
                invalid(tr, "version", tr.t("notify.error.version")),
            )
        })?;
        let checked = check_smtp(tr, &f.host, &f.port, &f.tls, &f.username, &f.from)
            .map_err(|(field, e)| (field.to_string(), e))?;
        let password = if f.password_clear.is_some() {
            Some(String::new())
        } else if f.password.is_empty() {
            None
        } else {
            Some(f.password.clone())
        };
        save_smtp(&state, &v, checked, password, version)
            .await
            .map_err(|e| ("form".to_string(), e))?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => redirect("/admin/notify?saved=1"),
        Err((field, e)) => {
            let mut kept = f.clone();
            kept.password.clear();
            render_admin(
                &state,
                &v,
                e.code.status(),
                Some(kept),
                vec![(field, e.message)],
                false,
            )
            .await
        }
    }
}

fn smtp_json(s: &SmtpSettings, version: i64) -> Value {
    json!({
        "host": s.host,
        "port": s.port,
        "tls": s.tls.as_str(),
        "username": s.username,
        "password_set": !s.password.is_empty(),
        "from": s.from,
        "version": version,
    })
}

/// `GET /api/v1/settings/smtp`.
async fn api_smtp(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    system_admin(&v).map_err(|r| r.api(tr))?;
    let (s, version) = state
        .db
        .setting::<SmtpSettings>(SMTP_SETTING)
        .await
        .map_err(|e| storage_api(tr, e))?
        .unwrap_or_default();
    Ok(Json(smtp_json(&s, version)))
}

/// Body of `PUT /api/v1/settings/smtp`; `password` absent keeps the stored one.
#[derive(Deserialize)]
pub struct SmtpBody {
    host: String,
    port: u16,
    tls: String,
    #[serde(default)]
    username: String,
    password: Option<String>,
    from: String,
    version: i64,
}

/// `PUT /api/v1/settings/smtp`.
async fn api_put_smtp(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<Json<SmtpBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    system_admin(&v).map_err(|r| r.api(tr))?;
    let b = json_body(tr, body)?;
    let checked = check_smtp(
        tr,
        &b.host,
        &b.port.to_string(),
        &b.tls,
        &b.username,
        &b.from,
    )
    .map_err(|(_, e)| e)?;
    let (s, version) = save_smtp(&state, &v, checked, b.password, b.version).await?;
    Ok(Json(smtp_json(&s, version)))
}

// ------------------------------------------------------------------------------------------
// Catalogs
// ------------------------------------------------------------------------------------------

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[
    ("notify.nav", "消息通知"),
    ("notify.nav.smtp", "邮件服务器"),
    ("notify.title", "消息通知"),
    (
        "notify.lead",
        "规定动作到期前 30 天、7 天、1 天各提醒一次，逾期当天提醒责任人，逾期 7 天报告第一责任人（天数以责任制为准）。",
    ),
    ("notify.unread", "未读 {n} 条"),
    ("notify.filter.all", "全部"),
    ("notify.filter.unread", "只看未读"),
    ("notify.read_all", "全部标为已读"),
    ("notify.read", "标为已读"),
    ("notify.empty", "暂无通知。"),
    ("notify.unlinked", "您的账号未关联人员，没有提醒。"),
    ("notify.settings_link", "通知设置"),
    ("notify.manage", "本单位机器人与发送记录"),
    ("notify.prev", "上一页"),
    ("notify.next", "下一页"),
    ("notify.days.one", "{n} 天"),
    ("notify.days.other", "{n} 天"),
    ("notify.kind.before", "到期提醒"),
    ("notify.kind.overdue", "逾期提醒"),
    ("notify.kind.escalate", "逾期报告"),
    ("notify.kind.other", "通知"),
    (
        "notify.msg.before",
        "{org}：「{duty}」（{citation}）将于 {due} 到期，还有 {left}。",
    ),
    (
        "notify.msg.today",
        "{org}：「{duty}」（{citation}）今天（{due}）到期。",
    ),
    (
        "notify.msg.overdue",
        "{org}：「{duty}」（{citation}）已于 {due} 到期，尚未完成。",
    ),
    (
        "notify.msg.escalate",
        "{org}：「{duty}」（{citation}）已逾期 {left}（{due} 到期），责任人 {responsible} 尚未完成，请第一责任人督促落实。",
    ),
    (
        "notify.msg.other",
        "{org}：「{duty}」（{citation}），{due}。",
    ),
    ("notify.mail.subject", "【{kind}】{duty}（{due}）"),
    ("notify.mail.greeting", "{name}："),
    (
        "notify.mail.footer",
        "此邮件由 Zeren 责任制台账自动发送，请勿回复。可在“消息通知 › 通知设置”中关闭邮件提醒。",
    ),
    ("notify.robot.text", "【{kind}】{text}（提醒：{name}）"),
    ("notify.settings.title", "通知设置"),
    (
        "notify.settings.lead",
        "站内通知始终保留。填写邮箱后，提醒也会发到邮箱。",
    ),
    ("notify.settings.email", "邮箱"),
    (
        "notify.settings.email_hint",
        "例如 name@cqu.edu.cn；留空则不发邮件。",
    ),
    ("notify.settings.email_enabled", "通过邮件接收提醒"),
    ("notify.settings.submit", "保存"),
    ("notify.settings.saved", "已保存。"),
    ("notify.org.title", "机器人与发送记录"),
    (
        "notify.org.lead",
        "本单位规定动作的提醒可以同时发到企业微信群和钉钉群。每个机器人每分钟最多发送 20 条，超出的自动顺延。",
    ),
    ("notify.org.robots", "群机器人"),
    ("notify.org.wecom_url", "企业微信群机器人 Webhook 地址"),
    ("notify.org.dingtalk_url", "钉钉自定义机器人 Webhook 地址"),
    ("notify.org.dingtalk_secret", "钉钉加签密钥（SEC 开头）"),
    ("notify.org.configured", "已配置：{value}"),
    ("notify.org.not_configured", "未配置"),
    ("notify.org.signed", "已设置加签密钥"),
    ("notify.org.keep_hint", "留空则保持现有设置。"),
    ("notify.org.clear", "删除"),
    ("notify.org.submit", "保存"),
    ("notify.org.saved", "已保存。"),
    ("notify.org.log", "发送记录"),
    (
        "notify.org.log_lead",
        "本单位及下级单位的每一次发送、重试和失败。发送失败不影响台账数据。",
    ),
    ("notify.org.empty", "暂无发送记录。"),
    ("notify.col.created", "生成时间"),
    ("notify.col.channel", "渠道"),
    ("notify.col.target", "发送对象"),
    ("notify.col.content", "内容"),
    ("notify.col.status", "状态"),
    ("notify.col.attempts", "尝试次数"),
    ("notify.col.detail", "详情"),
    ("notify.col.tries", "各次尝试"),
    ("notify.next_try", "下次重试：{at}"),
    ("notify.sent_at", "发送于 {at}"),
    ("notify.channel.email", "邮件"),
    ("notify.channel.wecom", "企业微信"),
    ("notify.channel.dingtalk", "钉钉"),
    ("notify.status.all", "全部"),
    ("notify.status.pending", "待发送"),
    ("notify.status.sending", "发送中"),
    ("notify.status.sent", "已发送"),
    ("notify.status.failed", "失败"),
    ("notify.status.retry", "失败待重试"),
    ("notify.admin.title", "邮件服务器"),
    (
        "notify.admin.lead",
        "提醒邮件通过这里设置的 SMTP 服务器发送。邮件由后台任务发送，不在页面请求中发送；失败后按 1 分钟、5 分钟、30 分钟、2 小时重试，仍失败则记为失败。",
    ),
    ("notify.admin.host", "服务器地址"),
    ("notify.admin.port", "端口"),
    ("notify.admin.tls", "加密方式"),
    ("notify.admin.tls.none", "不加密（仅限本机或可信网络）"),
    ("notify.admin.tls.starttls", "STARTTLS（通常为 587 端口）"),
    ("notify.admin.tls.tls", "SSL/TLS（通常为 465 端口）"),
    ("notify.admin.username", "用户名"),
    ("notify.admin.username_hint", "留空表示无需认证。"),
    ("notify.admin.password", "密码"),
    ("notify.admin.password_hint", "留空则保持原密码。"),
    ("notify.admin.password_set", "已设置密码"),
    ("notify.admin.password_clear", "清除密码"),
    ("notify.admin.from", "发件人"),
    ("notify.admin.from_hint", "例如 Zeren <zeren@cqu.edu.cn>"),
    ("notify.admin.submit", "保存"),
    ("notify.admin.saved", "已保存。"),
    ("notify.admin.outbox", "发送队列"),
    ("notify.admin.last_run", "今日提醒计划"),
    ("notify.admin.last_run_done", "已于 {at} 完成"),
    (
        "notify.admin.last_run_none",
        "今日尚未运行（每天 8:00 后运行）",
    ),
    ("notify.error.field", "“{field}”：{message}"),
    (
        "notify.error.body",
        "请求内容无法读取（“{field}”）：{detail}",
    ),
    (
        "notify.error.conflict",
        "设置已被他人修改（您编辑的是第 {expected} 版，现在是第 {actual} 版），请刷新后重试。",
    ),
    ("notify.error.email", "不是有效的邮箱地址"),
    (
        "notify.error.url",
        "须为 http:// 或 https:// 开头的完整地址",
    ),
    ("notify.error.secret", "加签密钥不能为空，也不能含空格"),
    (
        "notify.error.secret_without_url",
        "设置加签密钥前请先填写钉钉 Webhook 地址",
    ),
    ("notify.error.host", "请填写服务器地址（不含空格和斜杠）"),
    ("notify.error.port", "端口须为 1–65535 之间的整数"),
    ("notify.error.tls", "加密方式须为 none、starttls 或 tls"),
    ("notify.error.username", "用户名过长或含控制字符"),
    (
        "notify.error.from",
        "发件人须为有效的邮箱地址，例如 Zeren <zeren@cqu.edu.cn>",
    ),
    ("notify.error.version", "版本号须为整数"),
    ("notify.error.page", "页码须为正整数"),
    ("notify.error.unread", "unread 只能是 1 或 0"),
    (
        "notify.error.status",
        "状态须为 pending、sending、sent 或 failed",
    ),
    ("notify.error.channel", "渠道须为 email、wecom 或 dingtalk"),
    ("notify.error.org_required", "请用 org 参数指定单位"),
    (
        "notify.error.org_not_found",
        "没有这个单位，或不在您的管理范围内。",
    ),
    ("notify.error.note_not_found", "没有这条通知。"),
    ("notify.error.not_found_title", "未找到"),
    (
        "notify.error.no_person",
        "您的账号未关联人员，无法设置提醒渠道。",
    ),
];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[
    ("notify.nav", "Notifications"),
    ("notify.nav.smtp", "Mail server"),
    ("notify.title", "Notifications"),
    (
        "notify.lead",
        "Reminders go out 30, 7 and 1 days before a duty falls due and on the day it falls overdue; after 7 days overdue the first responsible person is told (the days are set by the policy).",
    ),
    ("notify.unread", "{n} unread"),
    ("notify.filter.all", "All"),
    ("notify.filter.unread", "Unread only"),
    ("notify.read_all", "Mark all read"),
    ("notify.read", "Mark read"),
    ("notify.empty", "No notifications."),
    (
        "notify.unlinked",
        "Your account is not linked to a person: there are no reminders for it.",
    ),
    ("notify.settings_link", "Notification settings"),
    ("notify.manage", "Robots and delivery log of my org"),
    ("notify.prev", "Previous"),
    ("notify.next", "Next"),
    ("notify.days.one", "{n} day"),
    ("notify.days.other", "{n} days"),
    ("notify.kind.before", "Reminder"),
    ("notify.kind.overdue", "Overdue"),
    ("notify.kind.escalate", "Escalation"),
    ("notify.kind.other", "Notice"),
    (
        "notify.msg.before",
        "{org}: “{duty}” ({citation}) is due on {due}, in {left}.",
    ),
    (
        "notify.msg.today",
        "{org}: “{duty}” ({citation}) is due today ({due}).",
    ),
    (
        "notify.msg.overdue",
        "{org}: “{duty}” ({citation}) was due on {due} and is not done.",
    ),
    (
        "notify.msg.escalate",
        "{org}: “{duty}” ({citation}) has been overdue for {left} (due {due}); {responsible} is responsible. Please see that it is done.",
    ),
    ("notify.msg.other", "{org}: “{duty}” ({citation}), {due}."),
    ("notify.mail.subject", "[{kind}] {duty} ({due})"),
    ("notify.mail.greeting", "Dear {name},"),
    (
        "notify.mail.footer",
        "Sent by the Zeren ledger; please do not reply. Email reminders can be turned off under Notifications › Notification settings.",
    ),
    ("notify.robot.text", "[{kind}] {text} (for: {name})"),
    ("notify.settings.title", "Notification settings"),
    (
        "notify.settings.lead",
        "Notifications in Zeren are always kept. With an email address, reminders are also emailed.",
    ),
    ("notify.settings.email", "Email"),
    (
        "notify.settings.email_hint",
        "For example name@cqu.edu.cn; leave empty for no email.",
    ),
    ("notify.settings.email_enabled", "Email me reminders"),
    ("notify.settings.submit", "Save"),
    ("notify.settings.saved", "Saved."),
    ("notify.org.title", "Robots and delivery log"),
    (
        "notify.org.lead",
        "Reminders about this org's duties can also go to a 企业微信 (WeCom) group and a 钉钉 (DingTalk) group. Each robot takes at most 20 messages a minute; the rest wait.",
    ),
    ("notify.org.robots", "Group robots"),
    ("notify.org.wecom_url", "WeCom group robot webhook URL"),
    (
        "notify.org.dingtalk_url",
        "DingTalk custom robot webhook URL",
    ),
    (
        "notify.org.dingtalk_secret",
        "DingTalk signing secret (starts with SEC)",
    ),
    ("notify.org.configured", "Set: {value}"),
    ("notify.org.not_configured", "Not set"),
    ("notify.org.signed", "Signing secret set"),
    ("notify.org.keep_hint", "Leave empty to keep what is set."),
    ("notify.org.clear", "Remove"),
    ("notify.org.submit", "Save"),
    ("notify.org.saved", "Saved."),
    ("notify.org.log", "Delivery log"),
    (
        "notify.org.log_lead",
        "Every delivery, retry and failure for this org and the orgs below it. A failed delivery never changes the ledger.",
    ),
    ("notify.org.empty", "Nothing delivered yet."),
    ("notify.col.created", "Queued"),
    ("notify.col.channel", "Channel"),
    ("notify.col.target", "To"),
    ("notify.col.content", "Content"),
    ("notify.col.status", "Status"),
    ("notify.col.attempts", "Tries"),
    ("notify.col.detail", "Details"),
    ("notify.col.tries", "Tries"),
    ("notify.next_try", "Next try: {at}"),
    ("notify.sent_at", "Sent {at}"),
    ("notify.channel.email", "Email"),
    ("notify.channel.wecom", "WeCom"),
    ("notify.channel.dingtalk", "DingTalk"),
    ("notify.status.all", "All"),
    ("notify.status.pending", "Pending"),
    ("notify.status.sending", "Sending"),
    ("notify.status.sent", "Sent"),
    ("notify.status.failed", "Failed"),
    ("notify.status.retry", "Failed, will retry"),
    ("notify.admin.title", "Mail server"),
    (
        "notify.admin.lead",
        "Reminder emails go through the SMTP server set here. A background task sends them, never a page request; a failed email is tried again after 1 minute, 5 minutes, 30 minutes and 2 hours, then shown as failed.",
    ),
    ("notify.admin.host", "Host"),
    ("notify.admin.port", "Port"),
    ("notify.admin.tls", "Security"),
    (
        "notify.admin.tls.none",
        "None (this host or a trusted network only)",
    ),
    ("notify.admin.tls.starttls", "STARTTLS (usually port 587)"),
    ("notify.admin.tls.tls", "SSL/TLS (usually port 465)"),
    ("notify.admin.username", "User name"),
    (
        "notify.admin.username_hint",
        "Leave empty for no authentication.",
    ),
    ("notify.admin.password", "Password"),
    (
        "notify.admin.password_hint",
        "Leave empty to keep the password.",
    ),
    ("notify.admin.password_set", "A password is set"),
    ("notify.admin.password_clear", "Remove the password"),
    ("notify.admin.from", "Sender"),
    (
        "notify.admin.from_hint",
        "For example Zeren <zeren@cqu.edu.cn>",
    ),
    ("notify.admin.submit", "Save"),
    ("notify.admin.saved", "Saved."),
    ("notify.admin.outbox", "Outbox"),
    ("notify.admin.last_run", "Today's reminder plan"),
    ("notify.admin.last_run_done", "done at {at}"),
    (
        "notify.admin.last_run_none",
        "not run yet today (it runs after 8:00)",
    ),
    ("notify.error.field", "“{field}”: {message}"),
    (
        "notify.error.body",
        "The request could not be read (“{field}”): {detail}",
    ),
    (
        "notify.error.conflict",
        "The settings were changed by someone else (you edited version {expected}, it is now version {actual}); reload and try again.",
    ),
    ("notify.error.email", "not a valid email address"),
    (
        "notify.error.url",
        "must be a full address starting with http:// or https://",
    ),
    (
        "notify.error.secret",
        "the signing secret must not be empty or contain spaces",
    ),
    (
        "notify.error.secret_without_url",
        "enter the DingTalk webhook URL before its signing secret",
    ),
    (
        "notify.error.host",
        "enter the server's host name (no spaces or slashes)",
    ),
    (
        "notify.error.port",
        "the port must be a whole number from 1 to 65535",
    ),
    ("notify.error.tls", "security must be none, starttls or tls"),
    (
        "notify.error.username",
        "the user name is too long or has control characters",
    ),
    (
        "notify.error.from",
        "the sender must be a valid address, e.g. Zeren <zeren@cqu.edu.cn>",
    ),
    ("notify.error.version", "the version must be a whole number"),
    (
        "notify.error.page",
        "the page must be a positive whole number",
    ),
    ("notify.error.unread", "unread must be 1 or 0"),
    (
        "notify.error.status",
        "the status must be pending, sending, sent or failed",
    ),
    (
        "notify.error.channel",
        "the channel must be email, wecom or dingtalk",
    ),
    (
        "notify.error.org_required",
        "name the org with the org parameter",
    ),
    (
        "notify.error.org_not_found",
        "There is no such org, or it is outside what you manage.",
    ),
    (
        "notify.error.note_not_found",
        "There is no such notification.",
    ),
    ("notify.error.not_found_title", "Not found"),
    (
        "notify.error.no_person",
        "Your account is not linked to a person, so it has no reminder channels.",
    ),
];

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

    #[test]
    fn inputs_are_checked() {
        let tr = Tr::new(Lang::En);
        assert_eq!(check_email(tr, " ").unwrap(), None);
        assert!(check_email(tr, "li@cqu.edu.cn").is_ok());
        assert!(check_email(tr, "not-an-address").is_err());
        assert!(check_url(tr, "wecom_url", "http://127.0.0.1:8080/send?key=x").is_ok());
        assert!(check_url(tr, "wecom_url", "ftp://x/y").is_err());
        assert!(check_url(tr, "wecom_url", "https://").is_err());
        assert!(check_secret(tr, "SEC 1").is_err());
        assert!(check_smtp(tr, "127.0.0.1", "25", "none", "", "Zeren <z@example.test>").is_ok());
        assert!(check_smtp(tr, "127.0.0.1", "0", "none", "", "z@example.test").is_err());
        assert!(check_smtp(tr, "127.0.0.1", "25", "ssl", "", "z@example.test").is_err());
        assert!(check_smtp(tr, "127.0.0.1", "25", "tls", "", "zeren").is_err());
    }
}
