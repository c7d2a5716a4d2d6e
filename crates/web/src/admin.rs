//! The administrators' area (三员分立, PRODUCT.md §5): the audit log for the security auditor;
//! accounts, roles and the security policy for the security administrator; settings and backups
//! for the system administrator. Each page answers only its own administrator; none shows
//! business records; the security administrator never changes its own account, so no
//! administrator can give itself more than it has.

use crate::AppState;
use crate::api::require;
use crate::auth::{ApiViewer, PageViewer, SECURITY_SETTING, Snapshot, Viewer, encode, redirect};
use crate::error::{ApiError, ErrorCode, classify, generic_message};
use crate::i18n::Tr;
use crate::pages::{Frame, error_page, page};
use crate::routes::{Describe, Routes};
use askama::Template;
use axum::Json;
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashSet;
use zeren_core::access::{
    AdminRole, LoginPolicy, PasswordPolicy, Permission, Role, SecurityPolicy,
};
use zeren_core::audit::{AuditEntry, ChainError};
use zeren_core::clock::shanghai;
use zeren_storage::repo::audit_query::{AuditFilter, RecordCounts};
use zeren_storage::secrets::{hash_password, random_bytes};
use zeren_storage::{Grant, NewUser, StorageError, User};

/// Audit entries on one page.
const PER_PAGE: i64 = 50;

/// Query parameters of the audit log (page and API).
const AUDIT_QUERY: &[(&str, &str)] = &[
    ("actor", "Only entries by this user name"),
    (
        "object_type",
        "Only entries about this kind of object (user, org, holding, …)",
    ),
    ("object_id", "Only entries about this object id"),
    (
        "action",
        "Only actions starting with this (login matches login.success)",
    ),
    ("from", "First day, YYYY-MM-DD in Asia/Shanghai"),
    ("to", "Last day, YYYY-MM-DD in Asia/Shanghai"),
    ("page", "Page number from 1, 50 entries a page"),
    (
        "before",
        "Cursor: only entries older than this sequence number",
    ),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/audit",
            Describe::auth(
                "audit",
                "Audit log, newest first, with filters and the chain status",
            )
            .query(AUDIT_QUERY),
            audit_page,
        )
        .get(
            "/admin/accounts",
            Describe::auth(
                "admin",
                "Accounts, the new-account form and the security policy",
            )
            .query(&[("q", "Narrows the people offered for a new account")]),
            accounts_page,
        )
        .post(
            "/admin/accounts",
            Describe::auth("admin", "Create an account with a temporary password"),
            create_account,
        )
        .get(
            "/admin/accounts/{id}",
            Describe::auth("admin", "One account: state, password, roles and grants"),
            account_page,
        )
        .post(
            "/admin/accounts/{id}/state",
            Describe::auth("admin", "Disable or enable an account"),
            set_state,
        )
        .post(
            "/admin/accounts/{id}/unlock",
            Describe::auth("admin", "Unlock an account locked by failed sign-ins"),
            unlock,
        )
        .post(
            "/admin/accounts/{id}/password",
            Describe::auth("admin", "Reset an account's password to a temporary one"),
            reset_password,
        )
        .post(
            "/admin/accounts/{id}/grants",
            Describe::auth("admin", "Grant a business role over an org subtree"),
            add_grant,
        )
        .post(
            "/admin/accounts/{id}/grants/{grant}/revoke",
            Describe::auth("admin", "Revoke a grant"),
            revoke_grant,
        )
        .post(
            "/admin/security",
            Describe::auth("admin", "Save the security policy"),
            save_security,
        )
        .get(
            "/admin/system",
            Describe::auth(
                "system",
                "System settings: version, engine, counts, reminders",
            ),
            system_page,
        )
        .post(
            "/admin/system/backup",
            Describe::auth("system", "Download a backup of the whole database"),
            download_backup,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/audit",
            Describe::auth(
                "audit",
                "Audit entries, newest first, filtered, with the chain status",
            )
            .query(AUDIT_QUERY),
            api_audit,
        )
        .get(
            "/accounts",
            Describe::auth("admin", "Every account with its state and grants"),
            api_accounts,
        )
        .post(
            "/accounts",
            Describe::auth(
                "admin",
                "Create an account; answers with a temporary password, shown once",
            ),
            api_create_account,
        )
        .post(
            "/accounts/{id}/grants",
            Describe::auth("admin", "Grant a business role over an org subtree"),
            api_grant,
        )
        .get(
            "/settings/security",
            Describe::auth("admin", "The security policy with its version"),
            api_security,
        )
        .put(
            "/settings/security",
            Describe::auth("admin", "Replace the security policy (version-checked)"),
            api_put_security,
        )
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// Field-level problems: (field, message in the user's language).
type FieldErrors = Vec<(&'static str, String)>;

fn error_for<'a>(errors: &'a FieldErrors, field: &str) -> Option<&'a str> {
    crate::views::field_error(errors, field)
}

fn refuse(tr: Tr) -> Response {
    error_page(
        tr,
        ErrorCode::Forbidden,
        "error.forbidden.title",
        tr.t("error.forbidden").to_string(),
    )
}

fn refuse_with(tr: Tr, message: String) -> Response {
    error_page(tr, ErrorCode::Forbidden, "error.forbidden.title", message)
}

fn bad_form(tr: Tr, detail: String) -> Response {
    error_page(
        tr,
        ErrorCode::BadRequest,
        "admin.error.bad_form_title",
        tr.tf("error.bad_request", &[("detail", &detail)]),
    )
}

/// A storage failure as a page; the cause is logged by `classify`, never shown.
fn failure_page(tr: Tr, err: &StorageError) -> Response {
    match classify(err, ErrorCode::NotFound) {
        ErrorCode::NotFound => error_page(
            tr,
            ErrorCode::NotFound,
            "error.not_found.title",
            tr.t("admin.error.no_account").to_string(),
        ),
        ErrorCode::Conflict => error_page(
            tr,
            ErrorCode::Conflict,
            "admin.error.stale_title",
            tr.t("admin.error.stale").to_string(),
        ),
        code @ ErrorCode::DatabaseUnavailable => error_page(
            tr,
            code,
            "error.database_unavailable.title",
            generic_message(tr, code),
        ),
        code => error_page(tr, code, "error.internal.title", generic_message(tr, code)),
    }
}

fn api_storage(tr: Tr, err: StorageError) -> ApiError {
    match classify(&err, ErrorCode::NotFound) {
        ErrorCode::NotFound => ApiError::new(
            ErrorCode::NotFound,
            tr.t("admin.error.no_account").to_string(),
        ),
        ErrorCode::Conflict => ApiError::new(ErrorCode::Conflict, tr.t("admin.error.stale").into()),
        code => ApiError::new(code, generic_message(tr, code)),
    }
}

fn json_rejection(tr: Tr, e: JsonRejection) -> ApiError {
    ApiError::new(
        ErrorCode::Validation,
        tr.tf("error.bad_request", &[("detail", &e.body_text())]),
    )
}

/// Field errors as one API message: "User name: …; Name: …".
fn api_fields(tr: Tr, errors: &FieldErrors) -> ApiError {
    let message = errors
        .iter()
        .map(|(f, m)| format!("{}: {m}", field_label(tr, f)))
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::new(ErrorCode::Validation, message)
}

fn field_label(tr: Tr, field: &str) -> String {
    let label = match field {
        "username" => tr.t("admin.field.username"),
        "display_name" => tr.t("admin.field.display_name"),
        "person" => tr.t("admin.field.person"),
        "admin_role" => tr.t("admin.field.admin_role"),
        "role" => tr.t("admin.field.role"),
        "org" => tr.t("admin.field.org"),
        "version" => tr.t("admin.field.version"),
        "min_length" => tr.t("admin.security.min_length"),
        "min_classes" => tr.t("admin.security.min_classes"),
        "max_failures" => tr.t("admin.security.max_failures"),
        "lockout_minutes" => tr.t("admin.security.lockout_minutes"),
        "idle_minutes" => tr.t("admin.security.idle_minutes"),
        "totp" => tr.t("admin.security.totp"),
        "actor" => tr.t("audit.filter.actor"),
        "object_type" => tr.t("audit.filter.object_type"),
        "object_id" => tr.t("audit.filter.object_id"),
        "action" => tr.t("audit.filter.action"),
        "from" => tr.t("audit.filter.from"),
        "to" => tr.t("audit.filter.to"),
        "page" => tr.t("audit.filter.page"),
        "before" => tr.t("audit.filter.before"),
        other => other,
    };
    label.to_string()
}

/// An instant as shown: Asia/Shanghai, to the second.
fn shanghai_time(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| {
            t.with_timezone(&shanghai())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// An instant for the API: RFC 3339 with the +08:00 offset.
fn shanghai_rfc3339(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.with_timezone(&shanghai()).to_rfc3339())
        .unwrap_or_default()
}

/// Midnight of a day in Asia/Shanghai, epoch ms.
fn day_start_ms(d: NaiveDate) -> Option<i64> {
    d.and_time(NaiveTime::MIN)
        .and_local_timezone(shanghai())
        .single()
        .map(|t| t.timestamp_millis())
}

fn role_label(tr: Tr, role: &str) -> String {
    tr.t(&format!("role.{role}")).to_string()
}

fn org_label(snap: &Snapshot, id: &str) -> String {
    snap.model
        .org(id)
        .map(|o| format!("{}（{}）", o.name, o.code))
        .unwrap_or_else(|| id.to_string())
}

fn person_label(snap: &Snapshot, id: &str) -> String {
    match snap.model.person(id) {
        Some(p) => {
            let code = snap
                .model
                .org(&p.org)
                .map(|o| o.code.as_str())
                .unwrap_or("");
            format!("{}（{code}）", p.name)
        }
        None => id.to_string(),
    }
}

/// One option of a select or checkbox group.
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
    /// Selected or checked.
    pub selected: bool,
}

fn lang_param(tr: Tr) -> Option<&'static str> {
    tr.is_explicit()
        .then(|| if tr.is_en() { "lang=en" } else { "lang=zh" })
}

// ---------------------------------------------------------------------------------------------
// The audit log

/// Query of the audit log. Everything arrives as text and is checked here, so a bad value is
/// answered field by field rather than with a bare 400.
#[derive(Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    object_type: Option<String>,
    object_id: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    before: Option<String>,
}

/// The filter form's values, as typed.
#[derive(Default, Clone)]
pub struct AuditValues {
    /// User name.
    pub actor: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// Action prefix.
    pub action: String,
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
}

struct AuditRequest {
    values: AuditValues,
    filter: AuditFilter,
    page: i64,
    before: Option<i64>,
    errors: FieldErrors,
}

fn parse_day(s: &str) -> Result<Option<NaiveDate>, ()> {
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ())
}

fn parse_positive(s: Option<&str>, max: i64) -> Result<Option<i64>, String> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
            _ => Err(s.to_string()),
        },
    }
}

fn parse_audit(q: AuditQuery, tr: Tr) -> AuditRequest {
    let clean = |s: Option<String>| -> String {
        s.map(|s| s.trim().chars().take(200).collect())
            .unwrap_or_default()
    };
    let values = AuditValues {
        actor: clean(q.actor),
        object_type: clean(q.object_type),
        object_id: clean(q.object_id),
        action: clean(q.action),
        from: clean(q.from),
        to: clean(q.to),
    };
    let mut errors = FieldErrors::new();
    let from = parse_day(&values.from).unwrap_or_else(|()| {
        errors.push((
            "from",
            tr.tf("audit.error.date", &[("value", &values.from)]),
        ));
        None
    });
    let to = parse_day(&values.to).unwrap_or_else(|()| {
        errors.push(("to", tr.tf("audit.error.date", &[("value", &values.to)])));
        None
    });
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errors.push(("to", tr.t("audit.error.range").to_string()));
    }
    let page = parse_positive(q.page.as_deref(), 1_000_000).unwrap_or_else(|v| {
        errors.push(("page", tr.tf("audit.error.number", &[("value", &v)])));
        None
    });
    let before = parse_positive(q.before.as_deref(), i64::MAX).unwrap_or_else(|v| {
        errors.push(("before", tr.tf("audit.error.number", &[("value", &v)])));
        None
    });
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let filter = AuditFilter {
        actor: opt(&values.actor),
        object_type: opt(&values.object_type),
        object_id: opt(&values.object_id),
        action_prefix: opt(&values.action),
        from_ms: from.and_then(day_start_ms),
        to_ms: to.and_then(|d| d.succ_opt()).and_then(day_start_ms),
        before_seq: None,
    };
    AuditRequest {
        values,
        filter,
        page: page.unwrap_or(1),
        before,
        errors,
    }
}

struct AuditResult {
    entries: Vec<AuditEntry>,
    total: i64,
    more: bool,
}

async fn search_audit(state: &AppState, req: &AuditRequest) -> Result<AuditResult, StorageError> {
    let mut filter = req.filter.clone();
    filter.before_seq = req.before;
    let offset = match req.before {
        Some(_) => 0,
        None => (req.page - 1) * PER_PAGE,
    };
    let mut entries = state.db.audit_search(&filter, offset, PER_PAGE + 1).await?;
    let more = entries.len() as i64 > PER_PAGE;
    entries.truncate(PER_PAGE as usize);
    let total = state.db.audit_count(&req.filter).await?;
    Ok(AuditResult {
        entries,
        total,
        more,
    })
}

/// The chain's state: intact with its length, or where it first breaks.
pub struct ChainView {
    /// Every entry checked out.
    pub intact: bool,
    /// Entries checked (when intact).
    pub entries: u64,
    /// The first broken entry.
    pub broken_at: Option<i64>,
    /// What to tell the auditor.
    pub text: String,
}

async fn chain_view(state: &AppState, tr: Tr) -> Result<ChainView, StorageError> {
    Ok(match state.db.verify_audit().await? {
        Ok(n) => ChainView {
            intact: true,
            entries: n,
            broken_at: None,
            text: tr.tf("audit.chain.intact", &[("count", &n.to_string())]),
        },
        Err(e) => {
            let (seq, text) = match e {
                ChainError::Altered { seq } => (
                    seq,
                    tr.tf("audit.chain.altered", &[("seq", &seq.to_string())]),
                ),
                ChainError::Broken { seq, prev } => (
                    seq,
                    tr.tf(
                        "audit.chain.broken",
                        &[("seq", &seq.to_string()), ("prev", &prev.to_string())],
                    ),
                ),
                ChainError::Truncated { last, head } => (
                    last + 1,
                    tr.tf(
                        "audit.chain.truncated",
                        &[("last", &last.to_string()), ("head", &head.to_string())],
                    ),
                ),
            };
            ChainView {
                intact: false,
                entries: 0,
                broken_at: Some(seq),
                text,
            }
        }
    })
}

/// One audit entry as shown.
pub struct EntryRow {
    /// Sequence number.
    pub seq: i64,
    /// When, Asia/Shanghai.
    pub at: String,
    /// Who.
    pub actor: String,
    /// From where.
    pub origin: String,
    /// What.
    pub action: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// State before, pretty JSON.
    pub before: Option<String>,
    /// State after, pretty JSON.
    pub after: Option<String>,
    /// The entry where the chain breaks.
    pub broken: bool,
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<Value>(json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| json.to_string())
}

impl EntryRow {
    fn new(e: &AuditEntry, broken_at: Option<i64>) -> EntryRow {
        EntryRow {
            seq: e.seq,
            at: shanghai_time(e.at_ms),
            actor: e.actor.clone(),
            origin: e.origin.clone(),
            action: e.action.clone(),
            object_type: e.object_type.clone(),
            object_id: e.object_id.clone(),
            before: e.before.as_deref().map(pretty),
            after: e.after.as_deref().map(pretty),
            broken: broken_at == Some(e.seq),
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    tr: Tr,
    chain: ChainView,
    f: AuditValues,
    errors: FieldErrors,
    rows: Vec<EntryRow>,
    total: i64,
    page: i64,
    pages: i64,
    cursor: bool,
    newer_href: Option<String>,
    older_href: Option<String>,
    newest_href: Option<String>,
}

impl AuditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn audit_href(values: &AuditValues, tr: Tr, extra: Option<(&str, i64)>) -> String {
    let mut parts: Vec<String> = [
        ("actor", &values.actor),
        ("object_type", &values.object_type),
        ("object_id", &values.object_id),
        ("action", &values.action),
        ("from", &values.from),
        ("to", &values.to),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect();
    if let Some((k, n)) = extra {
        parts.push(format!("{k}={n}"));
    }
    if let Some(l) = lang_param(tr) {
        parts.push(l.to_string());
    }
    if parts.is_empty() {
        "/audit".to_string()
    } else {
        format!("/audit?{}", parts.join("&"))
    }
}

/// `GET /audit` — the audit log for the security auditor. Reading it changes nothing, so it
/// is not itself recorded.
pub async fn audit_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ReadAudit) {
        return refuse(tr);
    }
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return bad_form(tr, e.body_text()),
    };
    let req = parse_audit(q, tr);
    let chain = match chain_view(&state, tr).await {
        Ok(c) => c,
        Err(e) => return failure_page(tr, &e),
    };
    let mut view = AuditPage {
        frame: Frame::of(&state, Some(&v)),
        tr,
        chain,
        f: req.values.clone(),
        errors: Vec::new(),
        rows: Vec::new(),
        total: 0,
        page: req.page,
        pages: 1,
        cursor: req.before.is_some(),
        newer_href: None,
        older_href: None,
        newest_href: None,
    };
    if !req.errors.is_empty() {
        view.errors = req.errors;
        return page(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let found = match search_audit(&state, &req).await {
        Ok(r) => r,
        Err(e) => return failure_page(tr, &e),
    };
    view.rows = found
        .entries
        .iter()
        .map(|e| EntryRow::new(e, view.chain.broken_at))
        .collect();
    view.total = found.total;
    view.pages = ((found.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let last = found.entries.last().map(|e| e.seq);
    match req.before {
        Some(_) => {
            view.newest_href = Some(audit_href(&req.values, tr, None));
            if found.more
                && let Some(seq) = last
            {
                view.older_href = Some(audit_href(&req.values, tr, Some(("before", seq))));
            }
        }
        None => {
            if req.page > 1 {
                view.newer_href = Some(audit_href(&req.values, tr, Some(("page", req.page - 1))));
            }
            if found.more {
                view.older_href = Some(audit_href(&req.values, tr, Some(("page", req.page + 1))));
            }
        }
    }
    page(StatusCode::OK, &view)
}

#[derive(Serialize)]
struct EntryJson<'a> {
    seq: i64,
    at: String,
    at_ms: i64,
    actor: &'a str,
    origin: &'a str,
    action: &'a str,
    object_type: &'a str,
    object_id: &'a str,
    before: Option<Value>,
    after: Option<Value>,
    hash: &'a str,
}

fn parse_json(s: Option<&str>) -> Option<Value> {
    s.map(|s| serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string())))
}

/// `GET /api/v1/audit` — the same entries as the page, as JSON.
pub async fn api_audit(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ReadAudit, None)?;
    let Query(q) = q.map_err(|e| {
        ApiError::new(
            ErrorCode::BadRequest,
            tr.tf("error.bad_request", &[("detail", &e.body_text())]),
        )
    })?;
    let req = parse_audit(q, tr);
    if !req.errors.is_empty() {
        return Err(api_fields(tr, &req.errors));
    }
    let chain = chain_view(&state, tr)
        .await
        .map_err(|e| api_storage(tr, e))?;
    let found = search_audit(&state, &req)
        .await
        .map_err(|e| api_storage(tr, e))?;
    let entries: Vec<EntryJson> = found
        .entries
        .iter()
        .map(|e| EntryJson {
            seq: e.seq,
            at: shanghai_rfc3339(e.at_ms),
            at_ms: e.at_ms,
            actor: &e.actor,
            origin: &e.origin,
            action: &e.action,
            object_type: &e.object_type,
            object_id: &e.object_id,
            before: parse_json(e.before.as_deref()),
            after: parse_json(e.after.as_deref()),
            hash: &e.hash,
        })
        .collect();
    let next_before = found
        .more
        .then(|| found.entries.last().map(|e| e.seq))
        .flatten();
    Ok(Json(json!({
        "chain": {
            "intact": chain.intact,
            "entries": chain.intact.then_some(chain.entries),
            "broken_at": chain.broken_at,
            "message": chain.text,
        },
        "total": found.total,
        "page": if req.before.is_some() { None } else { Some(req.page) },
        "per_page": PER_PAGE,
        "next_before": next_before,
        "entries": entries,
    }))
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// Accounts

/// An account's state.
fn account_state(u: &User, now_ms: i64) -> &'static str {
    if u.disabled {
        "disabled"
    } else if u.locked_until.is_some_and(|t| t > now_ms) {
        "locked"
    } else {
        "active"
    }
}

fn state_label(tr: Tr, state: &str) -> String {
    match state {
        "disabled" => tr.t("admin.state.disabled"),
        "locked" => tr.t("admin.state.locked"),
        _ => tr.t("admin.state.active"),
    }
    .to_string()
}

/// One account as listed.
pub struct AccountRow {
    /// Id.
    pub id: String,
    /// Sign-in name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Administrator role, or "business account".
    pub kind: String,
    /// Administrator account.
    pub is_admin: bool,
    /// Linked person, "name（org code）".
    pub person: String,
    /// `active`, `disabled` or `locked`.
    pub state: &'static str,
    /// The state in words.
    pub state_label: String,
    /// Locked until, Asia/Shanghai.
    pub locked_until: Option<String>,
    /// Second factor on.
    pub totp: bool,
    /// Must change the password at next sign-in.
    pub must_change: bool,
    /// Edit version.
    pub version: i64,
}

impl AccountRow {
    fn new(u: &User, snap: &Snapshot, tr: Tr, now_ms: i64) -> AccountRow {
        let state = account_state(u, now_ms);
        AccountRow {
            id: u.id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            kind: match u.admin_role {
                Some(a) => role_label(tr, a.as_str()),
                None => tr.t("admin.kind.business").to_string(),
            },
            is_admin: u.admin_role.is_some(),
            person: u
                .person
                .as_deref()
                .map(|p| person_label(snap, p))
                .unwrap_or_default(),
            state,
            state_label: state_label(tr, state),
            locked_until: u.locked_until.filter(|t| *t > now_ms).map(shanghai_time),
            totp: u.totp_enabled,
            must_change: u.must_change_password,
            version: u.version,
        }
    }
}

/// The new-account form, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct NewAccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    admin_role: String,
}

struct NewAccount {
    username: String,
    display_name: String,
    person: Option<String>,
    admin_role: Option<AdminRole>,
}

fn is_username(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        })
}

/// Checks a new account against the rules: a valid, free user name; a name; an administrator
/// account is never linked to a person (so no person can be two administrators, or an
/// administrator and a business user); a person has at most one account.
fn check_new_account(
    form: &NewAccountForm,
    snap: &Snapshot,
    users: &[User],
    tr: Tr,
) -> Result<NewAccount, FieldErrors> {
    let mut errors = FieldErrors::new();
    let username = form.username.trim().to_lowercase();
    if username.is_empty() {
        errors.push(("username", tr.t("admin.error.required").to_string()));
    } else if !is_username(&username) {
        errors.push(("username", tr.t("admin.error.username").to_string()));
    } else if users.iter().any(|u| u.username == username) {
        errors.push((
            "username",
            tr.tf("admin.error.username_taken", &[("username", &username)]),
        ));
    }
    let display_name = form.display_name.trim().to_string();
    if display_name.is_empty() {
        errors.push(("display_name", tr.t("admin.error.required").to_string()));
    } else if display_name.chars().count() > 80 {
        errors.push((
            "display_name",
            tr.tf("admin.error.too_long", &[("max", "80")]),
        ));
    }
    let admin_role = match form.admin_role.trim() {
        "" => None,
        s => match AdminRole::parse(s) {
            Some(a) => Some(a),
            None => {
                errors.push(("admin_role", tr.t("admin.error.admin_role").to_string()));
                None
            }
        },
    };
    let person = match form.person.trim() {
        "" => None,
        id => {
            if snap.model.person(id).is_none() {
                errors.push(("person", tr.t("admin.error.person").to_string()));
            } else if admin_role.is_some() {
                errors.push(("person", tr.t("admin.error.admin_person").to_string()));
            } else if let Some(u) = users.iter().find(|u| u.person.as_deref() == Some(id)) {
                errors.push((
                    "person",
                    tr.tf("admin.error.person_taken", &[("username", &u.username)]),
                ));
            }
            Some(id.to_string())
        }
    };
    if errors.is_empty() {
        Ok(NewAccount {
            username,
            display_name,
            person,
            admin_role,
        })
    } else {
        Err(errors)
    }
}

/// A temporary password that the policy accepts, with every character class: shown once,
/// changed at the first sign-in. Unambiguous characters only (no 0/O, 1/l/I).
fn temporary_password(policy: &PasswordPolicy, username: &str) -> Result<String, StorageError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.!@#%+=";
    let len = policy.min_length.clamp(16, 128);
    // Bytes at or above `limit` are dropped, so every character is equally likely.
    let limit = 256 - 256 % ALPHABET.len();
    for _ in 0..64 {
        let pw: String = random_bytes(len * 2)?
            .into_iter()
            .map(usize::from)
            .filter(|b| *b < limit)
            .take(len)
            .map(|b| char::from(ALPHABET[b % ALPHABET.len()]))
            .collect();
        let classes = [
            pw.chars().any(|c| c.is_ascii_lowercase()),
            pw.chars().any(|c| c.is_ascii_uppercase()),
            pw.chars().any(|c| c.is_ascii_digit()),
            pw.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if pw.len() == len && classes.iter().all(|c| *c) && policy.check(&pw, username).is_ok() {
            return Ok(pw);
        }
    }
    Err(StorageError::Invalid(
        "could not generate a temporary password".into(),
    ))
}

enum CreateError {
    Fields(FieldErrors),
    Storage(StorageError),
}

/// Creates an account with a temporary password it must change at first sign-in.
async fn create(
    state: &AppState,
    v: &Viewer,
    form: &NewAccountForm,
    users: &[User],
) -> Result<(User, String), CreateError> {
    let new = check_new_account(form, &v.snap, users, v.tr).map_err(CreateError::Fields)?;
    let password = temporary_password(&v.snap.security.password, &new.username)
        .map_err(CreateError::Storage)?;
    let made = async {
        let hash = hash_password(password.clone()).await?;
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let user = tx
            .create_user(NewUser {
                username: new.username.clone(),
                display_name: new.display_name.clone(),
                person: new.person.clone(),
                admin_role: new.admin_role,
                password_hash: hash,
                must_change_password: true,
            })
            .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(user)
    }
    .await;
    match made {
        Ok(user) => Ok((user, password)),
        Err(StorageError::Duplicate { .. }) => Err(CreateError::Fields(vec![(
            "username",
            v.tr.tf("admin.error.username_taken", &[("username", &new.username)]),
        )])),
        Err(e) => Err(CreateError::Storage(e)),
    }
}

/// The security policy form, as typed.
#[derive(Clone)]
pub struct SecurityValues {
    /// Minimum password length.
    pub min_length: String,
    /// Minimum character classes.
    pub min_classes: String,
    /// Failures before lockout.
    pub max_failures: String,
    /// Lockout minutes.
    pub lockout_minutes: String,
    /// Idle minutes.
    pub idle_minutes: String,
    /// Roles that must use TOTP.
    pub totp: Vec<String>,
    /// Version edited.
    pub version: i64,
}

impl SecurityValues {
    fn of(p: &SecurityPolicy, version: i64) -> SecurityValues {
        SecurityValues {
            min_length: p.password.min_length.to_string(),
            min_classes: p.password.min_classes.to_string(),
            max_failures: p.login.max_failures.to_string(),
            lockout_minutes: p.login.lockout_minutes.to_string(),
            idle_minutes: p.login.idle_minutes.to_string(),
            totp: p.totp_required.clone(),
            version,
        }
    }
}

/// Every role name the TOTP rule may name: the six business roles, then the three administrators.
fn totp_role_names() -> Vec<&'static str> {
    Role::ALL
        .iter()
        .map(|r| r.as_str())
        .chain(AdminRole::ALL.iter().map(|a| a.as_str()))
        .collect()
}

fn totp_choices(tr: Tr, checked: &[String]) -> Vec<Choice> {
    totp_role_names()
        .into_iter()
        .map(|name| Choice {
            value: name.to_string(),
            label: role_label(tr, name),
            selected: checked.iter().any(|c| c == name),
        })
        .collect()
}

const MIN_LENGTH: (i64, i64) = (8, 64);
const MIN_CLASSES: (i64, i64) = (2, 4);
const MAX_FAILURES: (i64, i64) = (3, 10);
const LOCKOUT_MINUTES: (i64, i64) = (1, 1440);
const IDLE_MINUTES: (i64, i64) = (5, 480);

fn range_error(tr: Tr, (lo, hi): (i64, i64)) -> String {
    tr.tf(
        "admin.error.range",
        &[("min", &lo.to_string()), ("max", &hi.to_string())],
    )
}

/// Checks a security policy: every number within its bounds, only known roles.
fn check_policy(p: &SecurityPolicy, tr: Tr) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let mut within = |field: &'static str, value: i64, bounds: (i64, i64)| {
        if value < bounds.0 || value > bounds.1 {
            errors.push((field, range_error(tr, bounds)));
        }
    };
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    within("min_length", as_i64(p.password.min_length), MIN_LENGTH);
    within("min_classes", as_i64(p.password.min_classes), MIN_CLASSES);
    within(
        "max_failures",
        i64::from(p.login.max_failures),
        MAX_FAILURES,
    );
    within(
        "lockout_minutes",
        i64::from(p.login.lockout_minutes),
        LOCKOUT_MINUTES,
    );
    within(
        "idle_minutes",
        i64::from(p.login.idle_minutes),
        IDLE_MINUTES,
    );
    let known = totp_role_names();
    if let Some(bad) = p
        .totp_required
        .iter()
        .find(|r| !known.contains(&r.as_str()))
    {
        errors.push(("totp", tr.tf("admin.error.role_unknown", &[("role", bad)])));
    }
    errors
}

/// The TOTP list in canonical order, without repeats.
fn canonical_totp(list: &[String]) -> Vec<String> {
    totp_role_names()
        .into_iter()
        .filter(|n| list.iter().any(|r| r == n))
        .map(String::from)
        .collect()
}

/// Reads the security form's pairs (checkboxes repeat `totp`).
fn security_from_pairs(
    pairs: &[(String, String)],
    tr: Tr,
) -> (SecurityValues, Result<(SecurityPolicy, i64), FieldErrors>) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let totp: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "totp")
        .map(|(_, v)| v.clone())
        .collect();
    let version_text = get("version");
    let values = SecurityValues {
        min_length: get("min_length"),
        min_classes: get("min_classes"),
        max_failures: get("max_failures"),
        lockout_minutes: get("lockout_minutes"),
        idle_minutes: get("idle_minutes"),
        totp: totp.clone(),
        version: version_text.parse().unwrap_or(-1),
    };
    let mut errors = FieldErrors::new();
    let mut number = |field: &'static str, text: &str, bounds: (i64, i64)| -> i64 {
        match text.parse::<i64>() {
            Ok(n) if n >= bounds.0 && n <= bounds.1 => n,
            _ => {
                errors.push((field, range_error(tr, bounds)));
                0
            }
        }
    };
    let min_length = number("min_length", &values.min_length, MIN_LENGTH);
    let min_classes = number("min_classes", &values.min_classes, MIN_CLASSES);
    let max_failures = number("max_failures", &values.max_failures, MAX_FAILURES);
    let lockout = number("lockout_minutes", &values.lockout_minutes, LOCKOUT_MINUTES);
    let idle = number("idle_minutes", &values.idle_minutes, IDLE_MINUTES);
    let version = match version_text.parse::<i64>() {
        Ok(n) if n >= 0 => n,
        _ => {
            errors.push(("version", tr.t("admin.error.version").to_string()));
            0
        }
    };
    let policy = SecurityPolicy {
        password: PasswordPolicy {
            min_length: usize::try_from(min_length).unwrap_or(0),
            min_classes: usize::try_from(min_classes).unwrap_or(0),
        },
        login: LoginPolicy {
            max_failures: u32::try_from(max_failures).unwrap_or(0),
            lockout_minutes: u32::try_from(lockout).unwrap_or(0),
            idle_minutes: u32::try_from(idle).unwrap_or(0),
        },
        totp_required: canonical_totp(&totp),
    };
    if errors.is_empty() {
        errors = check_policy(&policy, tr);
    }
    if errors.is_empty() {
        (values, Ok((policy, version)))
    } else {
        (values, Err(errors))
    }
}

async fn security_setting(state: &AppState) -> Result<(SecurityPolicy, i64), StorageError> {
    Ok(state
        .db
        .setting::<SecurityPolicy>(SECURITY_SETTING)
        .await?
        .unwrap_or_default())
}

/// Writes the security policy if `version` is still current.
async fn store_policy(
    state: &AppState,
    v: &Viewer,
    policy: &SecurityPolicy,
    version: i64,
) -> Result<i64, StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let new_version = tx.put_setting(SECURITY_SETTING, policy, version).await?;
    tx.commit().await?;
    Ok(new_version)
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct AccountsPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    accounts: Vec<AccountRow>,
    q: String,
    people: Vec<Choice>,
    people_more: bool,
    form: NewAccountForm,
    admin_roles: Vec<Choice>,
    errors: FieldErrors,
    sec: SecurityValues,
    totp: Vec<Choice>,
    sec_errors: FieldErrors,
    sec_error: Option<String>,
    notice: Option<String>,
}

impl AccountsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn sec_error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.sec_errors, field)
    }
}

/// People offered for a new account: not linked to an account yet, matching `q` (name or org
/// code), at most 200; the one already picked always stays.
fn person_choices(snap: &Snapshot, users: &[User], q: &str, selected: &str) -> (Vec<Choice>, bool) {
    const MAX: usize = 200;
    let linked: HashSet<&str> = users.iter().filter_map(|u| u.person.as_deref()).collect();
    let q = q.trim().to_lowercase();
    let mut found: Vec<(String, String, String)> = snap
        .model
        .people()
        .iter()
        .filter(|p| !linked.contains(p.id.as_str()) || p.id == selected)
        .filter_map(|p| {
            let code = snap
                .model
                .org(&p.org)
                .map(|o| o.code.clone())
                .unwrap_or_default();
            let hit = q.is_empty()
                || p.name.to_lowercase().contains(&q)
                || code.to_lowercase().contains(&q)
                || p.id == selected;
            hit.then(|| (code, p.name.clone(), p.id.clone()))
        })
        .collect();
    found.sort();
    let more = found.len() > MAX;
    let mut choices: Vec<Choice> = found
        .iter()
        .take(MAX)
        .map(|(code, name, id)| Choice {
            value: id.clone(),
            label: format!("{name}（{code}）"),
            selected: id == selected,
        })
        .collect();
    if !selected.is_empty()
        && !choices.iter().any(|c| c.selected)
        && let Some((code, name, id)) = found.iter().find(|(_, _, id)| id == selected)
    {
        choices.insert(
            0,
            Choice {
                value: id.clone(),
                label: format!("{name}（{code}）"),
                selected: true,
            },
        );
    }
    (choices, more)
}

struct AccountsView {
    q: String,
    form: NewAccountForm,
    errors: FieldErrors,
    sec: Option<SecurityValues>,
    sec_errors: FieldErrors,
    sec_error: Option<String>,
    notice: Option<String>,
}

impl AccountsView {
    fn plain() -> AccountsView {
        AccountsView {
            q: String::new(),
            form: NewAccountForm::default(),
            errors: Vec::new(),
            sec: None,
            sec_errors: Vec::new(),
            sec_error: None,
            notice: None,
        }
    }
}

async fn render_accounts(
    state: &AppState,
    v: &Viewer,
    view: AccountsView,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let users = match state.db.users().await {
        Ok(u) => u,
        Err(e) => return failure_page(tr, &e),
    };
    let sec = match view.sec {
        Some(s) => s,
        None => match security_setting(state).await {
            Ok((p, version)) => SecurityValues::of(&p, version),
            Err(e) => return failure_page(tr, &e),
        },
    };
    let now_ms = state.now_ms();
    let (people, people_more) = person_choices(&v.snap, &users, &view.q, &view.form.person);
    let admin_roles = AdminRole::ALL
        .iter()
        .map(|a| Choice {
            value: a.as_str().to_string(),
            label: role_label(tr, a.as_str()),
            selected: view.form.admin_role == a.as_str(),
        })
        .collect();
    page(
        status,
        &AccountsPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            accounts: users
                .iter()
                .map(|u| AccountRow::new(u, &v.snap, tr, now_ms))
                .collect(),
            q: view.q,
            people,
            people_more,
            form: view.form,
            admin_roles,
            errors: view.errors,
            totp: totp_choices(tr, &sec.totp),
            sec,
            sec_errors: view.sec_errors,
            sec_error: view.sec_error,
            notice: view.notice,
        },
    )
}

/// Query of the accounts page.
#[derive(Deserialize, Default)]
pub struct AccountsQuery {
    q: Option<String>,
    saved: Option<String>,
}

/// `GET /admin/accounts` — every account, the new-account form, the security policy.
pub async fn accounts_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<AccountsQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageAccounts) {
        return refuse(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let mut view = AccountsView::plain();
    view.q = q.q.unwrap_or_default().trim().chars().take(80).collect();
    view.notice = q
        .saved
        .is_some()
        .then(|| tr.t("admin.security.saved").to_string());
    render_accounts(&state, &v, view, StatusCode::OK).await
}

/// `POST /admin/accounts` — creates the account and shows its temporary password once.
pub async fn create_account(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<NewAccountForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageAccounts) {
        return refuse(tr);
    }
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return bad_form(tr, e.body_text()),
    };
    let users = match state.db.users().await {
        Ok(u) => u,
        Err(e) => return failure_page(tr, &e),
    };
    match create(&state, &v, &form, &users).await {
        Ok((user, password)) => {
            let mut view = DetailView::plain();
            view.temporary = Some(password);
            view.notice = Some(tr.t("admin.account.created").to_string());
            render_account(&state, &v, &user.id, view, StatusCode::OK).await
        }
        Err(CreateError::Fields(errors)) => {
            let mut view = AccountsView::plain();
            view.form = form;
            view.errors = errors;
            render_accounts(&state, &v, view, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(CreateError::Storage(e)) => failure_page(tr, &e),
    }
}

/// `POST /admin/security` — the security policy, version-checked.
pub async fn save_security(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageAccounts) {
        return refuse(tr);
    }
    let Form(pairs) = match form {
        Ok(f) => f,
        Err(e) => return bad_form(tr, e.body_text()),
    };
    let (values, parsed) = security_from_pairs(&pairs, tr);
    let (policy, version) = match parsed {
        Ok(p) => p,
        Err(errors) => {
            let mut view = AccountsView::plain();
            view.sec = Some(values);
            view.sec_errors = errors;
            view.sec_error = Some(tr.t("admin.error.fix_fields").to_string());
            return render_accounts(&state, &v, view, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match store_policy(&state, &v, &policy, version).await {
        Ok(_) => redirect("/admin/accounts?saved=security#security"),
        Err(StorageError::Conflict { .. }) => {
            // Show what is stored now; the edit has to be made again on top of it.
            let mut view = AccountsView::plain();
            view.sec_error = Some(tr.t("admin.error.stale").to_string());
            render_accounts(&state, &v, view, StatusCode::CONFLICT).await
        }
        Err(e) => failure_page(tr, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// One account

/// One explicit grant as listed.
pub struct GrantRow {
    /// Id.
    pub id: String,
    /// Role name.
    pub role: String,
    /// Org "name（code）".
    pub org: String,
    /// Who granted it.
    pub granted_by: String,
}

#[derive(Template)]
#[template(path = "admin_account.html")]
struct AccountPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    a: AccountRow,
    is_self: bool,
    derived: Vec<(String, String)>,
    grants: Vec<GrantRow>,
    roles: Vec<Choice>,
    orgs: Vec<(String, String)>,
    grant_org: String,
    errors: FieldErrors,
    error: Option<String>,
    notice: Option<String>,
    temporary: Option<String>,
}

impl AccountPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

struct DetailView {
    grant_role: String,
    grant_org: String,
    errors: FieldErrors,
    error: Option<String>,
    notice: Option<String>,
    temporary: Option<String>,
}

impl DetailView {
    fn plain() -> DetailView {
        DetailView {
            grant_role: String::new(),
            grant_org: String::new(),
            errors: Vec::new(),
            error: None,
            notice: None,
            temporary: None,
        }
    }
}

/// Orgs offered in the grant form's list (a province has too many to list: then the code is typed).
const ORG_LIST_MAX: usize = 500;

async fn render_account(
    state: &AppState,
    v: &Viewer,
    id: &str,
    view: DetailView,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let user = match state.db.user(id).await {
        Ok(u) => u,
        Err(e) => return failure_page(tr, &e),
    };
    // The snapshot of the request may predate a change just made; read the current one.
    let snap = match state.current_snapshot().await {
        Ok(s) => s,
        Err(e) => return failure_page(tr, &e),
    };
    let today = state.today();
    let principal = snap.principal(&user, today);
    let derived = principal
        .roles
        .iter()
        .filter(|g| g.source.starts_with("post:"))
        .map(|g| (role_label(tr, g.role.as_str()), org_label(&snap, &g.org)))
        .collect();
    let grants = snap
        .grants
        .iter()
        .filter(|g| g.user == user.id)
        .map(|g| GrantRow {
            id: g.id.clone(),
            role: role_label(tr, g.role.as_str()),
            org: org_label(&snap, &g.org),
            granted_by: g.granted_by.clone(),
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().to_string(),
            label: role_label(tr, r.as_str()),
            selected: view.grant_role == r.as_str(),
        })
        .collect();
    let mut orgs: Vec<(String, String)> = snap
        .model
        .orgs()
        .iter()
        .map(|o| (o.code.clone(), o.name.clone()))
        .collect();
    orgs.sort();
    if orgs.len() > ORG_LIST_MAX {
        orgs.clear();
    }
    let shows_secret = view.temporary.is_some();
    let mut resp = page(
        status,
        &AccountPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            a: AccountRow::new(&user, &snap, tr, state.now_ms()),
            is_self: user.id == v.user.id,
            derived,
            grants,
            roles,
            orgs,
            grant_org: view.grant_org,
            errors: view.errors,
            error: view.error,
            notice: view.notice,
            temporary: view.temporary,
        },
    );
    if shows_secret {
        // A temporary password stays out of every cache, the browser's included.
        resp.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Query of the account page.
#[derive(Deserialize, Default)]
pub struct AccountQuery {
    done: Option<String>,
}

/// `GET /admin/accounts/{id}`.
pub async fn account_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    q: Result<Query<AccountQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageAccounts) {
        return refuse(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let mut view = DetailView::plain();
    view.notice = match q.done.as_deref() {
        Some("state") => Some(tr.t("admin.done.state")),
        Some("unlock") => Some(tr.t("admin.done.unlock")),
        Some("grant") => Some(tr.t("admin.done.grant")),
        Some("revoke") => Some(tr.t("admin.done.revoke")),
        _ => None,
    }
    .map(String::from);
    render_account(&state, &v, &id, view, StatusCode::OK).await
}

/// The security administrator may change any account but its own: its role, grants, state
/// and password stay as another administrator (or the command line) set them.
fn refusal(v: &Viewer, target: &str) -> Option<Response> {
    if !v.principal.can_somewhere(Permission::ManageAccounts) {
        return Some(refuse(v.tr));
    }
    if target == v.user.id {
        return Some(refuse_with(v.tr, v.tr.t("admin.error.self").to_string()));
    }
    None
}

fn may_change_api(v: &Viewer, target: &str) -> Result<(), ApiError> {
    require(v, Permission::ManageAccounts, None)?;
    if target == v.user.id {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            v.tr.t("admin.error.self").to_string(),
        ));
    }
    Ok(())
}

fn account_href(id: &str, done: &str) -> String {
    format!("/admin/accounts/{}?done={done}", encode(id))
}

/// A form carrying the version of the account it was read at.
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: String,
}

/// The disable/enable form.
#[derive(Deserialize)]
pub struct StateForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    disabled: String,
}

async fn stale(state: &AppState, v: &Viewer, id: &str) -> Response {
    let mut view = DetailView::plain();
    view.error = Some(v.tr.t("admin.error.stale").to_string());
    render_account(state, v, id, view, StatusCode::CONFLICT).await
}

async fn bad_version(state: &AppState, v: &Viewer, id: &str) -> Response {
    let mut view = DetailView::plain();
    view.error = Some(v.tr.t("admin.error.version").to_string());
    render_account(state, v, id, view, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// A form that carries the version of the account it was read at.
trait Versioned {
    fn version(&self) -> &str;
}

impl Versioned for VersionForm {
    fn version(&self) -> &str {
        &self.version
    }
}

impl Versioned for StateForm {
    fn version(&self) -> &str {
        &self.version
    }
}

/// What every version-checked change to an account checks first, in this order: the security
/// role and not one's own account; the form; the account; the version the form was read at.
async fn account_change<F: Versioned>(
    state: &AppState,
    v: &Viewer,
    id: &str,
    form: Result<Form<F>, FormRejection>,
) -> Result<(F, User, i64), Response> {
    if let Some(r) = refusal(v, id) {
        return Err(r);
    }
    let Form(form) = form.map_err(|e| bad_form(v.tr, e.body_text()))?;
    let user = state
        .db
        .user(id)
        .await
        .map_err(|e| failure_page(v.tr, &e))?;
    let Ok(version) = form.version().trim().parse::<i64>() else {
        return Err(bad_version(state, v, id).await);
    };
    Ok((form, user, version))
}

/// `POST /admin/accounts/{id}/state` — disable or enable (version-checked).
pub async fn set_state(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<StateForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (form, user, version) = match account_change(&state, &v, &id, form).await {
        Ok(parts) => parts,
        Err(r) => return r,
    };
    let disabled = form.disabled == "1";
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.set_user_state(&user, version, disabled).await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect(&account_href(&id, "state")),
        Err(StorageError::Conflict { .. }) => stale(&state, &v, &id).await,
        Err(e) => failure_page(tr, &e),
    }
}

/// `POST /admin/accounts/{id}/unlock` — clears a lockout (version-checked).
pub async fn unlock(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<VersionForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (_, user, version) = match account_change(&state, &v, &id, form).await {
        Ok(parts) => parts,
        Err(r) => return r,
    };
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        // Setting the state as it is clears the failures and the lock, version-checked.
        tx.set_user_state(&user, version, user.disabled).await?;
        tx.audit(
            "user.unlock",
            "user",
            &user.id,
            Some(&json!({"failed_logins": user.failed_logins, "locked_until": user.locked_until})),
            Some(&json!({"failed_logins": 0, "locked_until": null})),
        )
        .await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect(&account_href(&id, "unlock")),
        Err(StorageError::Conflict { .. }) => stale(&state, &v, &id).await,
        Err(e) => failure_page(tr, &e),
    }
}

/// `POST /admin/accounts/{id}/password` — a new temporary password, shown once; the account's
/// sessions end and it must choose a new password at the next sign-in.
pub async fn reset_password(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<VersionForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (_, user, version) = match account_change(&state, &v, &id, form).await {
        Ok(parts) => parts,
        Err(r) => return r,
    };
    if version != user.version {
        return stale(&state, &v, &id).await;
    }
    // 三员分立: the security administrator cannot take over another administrator's account by
    // resetting its password; an administrator's password is recovered with `zeren user passwd`
    // by whoever runs the server.
    if user.admin_role.is_some() {
        return refuse_with(tr, tr.t("admin.error.admin_password").to_string());
    }
    let password = match temporary_password(&v.snap.security.password, &user.username) {
        Ok(p) => p,
        Err(e) => return failure_page(tr, &e),
    };
    let done = async {
        let hash = hash_password(password.clone()).await?;
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.set_password(&user, &hash, true, None).await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => {
            let mut view = DetailView::plain();
            view.temporary = Some(password);
            view.notice = Some(tr.t("admin.done.password").to_string());
            render_account(&state, &v, &id, view, StatusCode::OK).await
        }
        Err(e) => failure_page(tr, &e),
    }
}

/// The add-grant form.
#[derive(Deserialize, Default)]
pub struct GrantForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    org: String,
}

enum GrantError {
    Forbidden(String),
    Fields(FieldErrors),
    Storage(StorageError),
}

/// Grants a business role: never to an administrator account, never to oneself, never twice.
async fn grant(
    state: &AppState,
    v: &Viewer,
    user: &User,
    form: &GrantForm,
) -> Result<Grant, GrantError> {
    let tr = v.tr;
    if user.admin_role.is_some() {
        return Err(GrantError::Forbidden(
            tr.t("admin.error.admin_no_business").to_string(),
        ));
    }
    let snap = state
        .current_snapshot()
        .await
        .map_err(GrantError::Storage)?;
    let mut errors = FieldErrors::new();
    let role = Role::parse(form.role.trim());
    if role.is_none() {
        errors.push(("role", tr.t("admin.error.role").to_string()));
    }
    let org = snap.model.find_org(form.org.trim());
    if org.is_none() {
        errors.push(("org", tr.tf("admin.error.org", &[("org", form.org.trim())])));
    }
    let (Some(role), Some(org)) = (role, org) else {
        return Err(GrantError::Fields(errors));
    };
    if snap
        .grants
        .iter()
        .any(|g| g.user == user.id && g.role == role && g.org == org.id)
    {
        return Err(GrantError::Fields(vec![(
            "org",
            tr.t("admin.error.grant_exists").to_string(),
        )]));
    }
    let made = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let g = tx.grant(user, role, &org.id, &v.user.username).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(g)
    }
    .await;
    made.map_err(GrantError::Storage)
}

/// `POST /admin/accounts/{id}/grants`.
pub async fn add_grant(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<GrantForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if let Some(r) = refusal(&v, &id) {
        return r;
    }
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return bad_form(tr, e.body_text()),
    };
    let user = match state.db.user(&id).await {
        Ok(u) => u,
        Err(e) => return failure_page(tr, &e),
    };
    match grant(&state, &v, &user, &form).await {
        Ok(_) => redirect(&account_href(&id, "grant")),
        Err(GrantError::Forbidden(m)) => refuse_with(tr, m),
        Err(GrantError::Fields(errors)) => {
            let mut view = DetailView::plain();
            view.grant_role = form.role;
            view.grant_org = form.org;
            view.errors = errors;
            render_account(&state, &v, &id, view, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(GrantError::Storage(e)) => failure_page(tr, &e),
    }
}

/// `POST /admin/accounts/{id}/grants/{grant}/revoke`.
pub async fn revoke_grant(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((id, grant_id)): Path<(String, String)>,
) -> Response {
    let tr = v.tr;
    if let Some(r) = refusal(&v, &id) {
        return r;
    }
    let snap = match state.current_snapshot().await {
        Ok(s) => s,
        Err(e) => return failure_page(tr, &e),
    };
    if !snap.grants.iter().any(|g| g.id == grant_id && g.user == id) {
        return error_page(
            tr,
            ErrorCode::NotFound,
            "error.not_found.title",
            tr.t("admin.error.no_grant").to_string(),
        );
    }
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.revoke_grant(&grant_id).await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect(&account_href(&id, "revoke")),
        Err(e) => failure_page(tr, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts API

#[derive(Serialize)]
struct GrantJson<'a> {
    id: &'a str,
    role: &'static str,
    org: &'a str,
    org_code: &'a str,
    granted_by: &'a str,
}

#[derive(Serialize)]
struct AccountJson<'a> {
    id: &'a str,
    username: &'a str,
    display_name: &'a str,
    person: Option<&'a str>,
    person_name: Option<&'a str>,
    admin_role: Option<&'static str>,
    state: &'static str,
    locked_until: Option<String>,
    totp_enabled: bool,
    must_change_password: bool,
    version: i64,
    grants: Vec<GrantJson<'a>>,
}

fn account_json<'a>(
    u: &'a User,
    snap: &'a Snapshot,
    grants: &'a [Grant],
    now_ms: i64,
) -> AccountJson<'a> {
    AccountJson {
        id: &u.id,
        username: &u.username,
        display_name: &u.display_name,
        person: u.person.as_deref(),
        person_name: u
            .person
            .as_deref()
            .and_then(|p| snap.model.person(p))
            .map(|p| p.name.as_str()),
        admin_role: u.admin_role.map(|a| a.as_str()),
        state: account_state(u, now_ms),
        locked_until: u.locked_until.filter(|t| *t > now_ms).map(shanghai_rfc3339),
        totp_enabled: u.totp_enabled,
        must_change_password: u.must_change_password,
        version: u.version,
        grants: grants
            .iter()
            .filter(|g| g.user == u.id)
            .map(|g| GrantJson {
                id: &g.id,
                role: g.role.as_str(),
                org: &g.org,
                org_code: snap
                    .model
                    .org(&g.org)
                    .map(|o| o.code.as_str())
                    .unwrap_or(""),
                granted_by: &g.granted_by,
            })
            .collect(),
    }
}

/// `GET /api/v1/accounts`.
pub async fn api_accounts(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageAccounts, None)?;
    let users = state.db.users().await.map_err(|e| api_storage(tr, e))?;
    let snap = state
        .current_snapshot()
        .await
        .map_err(|e| api_storage(tr, e))?;
    let now_ms = state.now_ms();
    let accounts: Vec<AccountJson> = users
        .iter()
        .map(|u| account_json(u, &snap, &snap.grants, now_ms))
        .collect();
    Ok(Json(json!({ "accounts": accounts })).into_response())
}

/// Body of `POST /api/v1/accounts`.
#[derive(Deserialize)]
pub struct NewAccountBody {
    username: String,
    display_name: String,
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    admin_role: Option<String>,
}

/// `POST /api/v1/accounts` — 201 with the account and its temporary password (shown once).
pub async fn api_create_account(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<Json<NewAccountBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageAccounts, None)?;
    let Json(body) = body.map_err(|e| json_rejection(tr, e))?;
    let form = NewAccountForm {
        username: body.username,
        display_name: body.display_name,
        person: body.person.unwrap_or_default(),
        admin_role: body.admin_role.unwrap_or_default(),
    };
    let users = state.db.users().await.map_err(|e| api_storage(tr, e))?;
    let (user, password) = match create(&state, &v, &form, &users).await {
        Ok(made) => made,
        Err(CreateError::Fields(errors)) => return Err(api_fields(tr, &errors)),
        Err(CreateError::Storage(e)) => return Err(api_storage(tr, e)),
    };
    let snap = state
        .current_snapshot()
        .await
        .map_err(|e| api_storage(tr, e))?;
    Ok((
        StatusCode::CREATED,
        [(CACHE_CONTROL, "no-store")],
        Json(json!({
            "account": account_json(&user, &snap, &snap.grants, state.now_ms()),
            "temporary_password": password,
        })),
    )
        .into_response())
}

/// Body of `POST /api/v1/accounts/{id}/grants`.
#[derive(Deserialize)]
pub struct GrantBody {
    role: String,
    org: String,
}

/// `POST /api/v1/accounts/{id}/grants` — 201 with the grant.
pub async fn api_grant(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<String>,
    body: Result<Json<GrantBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    may_change_api(&v, &id)?;
    let Json(body) = body.map_err(|e| json_rejection(tr, e))?;
    let user = state.db.user(&id).await.map_err(|e| api_storage(tr, e))?;
    let form = GrantForm {
        role: body.role,
        org: body.org,
    };
    match grant(&state, &v, &user, &form).await {
        Ok(g) => {
            let snap = state
                .current_snapshot()
                .await
                .map_err(|e| api_storage(tr, e))?;
            Ok((
                StatusCode::CREATED,
                Json(json!({
                    "grant": GrantJson {
                        id: &g.id,
                        role: g.role.as_str(),
                        org: &g.org,
                        org_code: snap.model.org(&g.org).map(|o| o.code.as_str()).unwrap_or(""),
                        granted_by: &g.granted_by,
                    }
                })),
            )
                .into_response())
        }
        Err(GrantError::Forbidden(m)) => Err(ApiError::new(ErrorCode::Forbidden, m)),
        Err(GrantError::Fields(errors)) => Err(api_fields(tr, &errors)),
        Err(GrantError::Storage(e)) => Err(api_storage(tr, e)),
    }
}

fn security_json(p: &SecurityPolicy, version: i64) -> Value {
    json!({
        "password": p.password,
        "login": p.login,
        "totp_required": p.totp_required,
        "version": version,
    })
}

/// `GET /api/v1/settings/security`.
pub async fn api_security(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageAccounts, None)?;
    let (p, version) = security_setting(&state)
        .await
        .map_err(|e| api_storage(tr, e))?;
    Ok(Json(security_json(&p, version)).into_response())
}

/// Body of `PUT /api/v1/settings/security`: the whole policy and the version it was read at
/// (0 when never saved).
#[derive(Deserialize)]
pub struct SecurityBody {
    password: PasswordPolicy,
    login: LoginPolicy,
    #[serde(default)]
    totp_required: Vec<String>,
    version: i64,
}

/// `PUT /api/v1/settings/security` — 409 when the version is stale.
pub async fn api_put_security(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<Json<SecurityBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageAccounts, None)?;
    let Json(body) = body.map_err(|e| json_rejection(tr, e))?;
    let policy = SecurityPolicy {
        password: body.password,
        login: body.login,
        totp_required: body.totp_required,
    };
    let errors = check_policy(&policy, tr);
    if !errors.is_empty() {
        return Err(api_fields(tr, &errors));
    }
    let policy = SecurityPolicy {
        totp_required: canonical_totp(&policy.totp_required),
        ..policy
    };
    let version = store_policy(&state, &v, &policy, body.version)
        .await
        .map_err(|e| api_storage(tr, e))?;
    Ok(Json(security_json(&policy, version)).into_response())
}

// ---------------------------------------------------------------------------------------------
// System

#[derive(Template)]
#[template(path = "admin_system.html")]
struct SystemPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    version: &'static str,
    engine: &'static str,
    counts: RecordCounts,
    pack_id: String,
    pack_title: String,
    due_soon_days: u32,
    days_before: String,
    escalate_after: u32,
    error: Option<String>,
}

/// `GET /admin/system`.
pub async fn system_page(State(state): State<AppState>, PageViewer(v): PageViewer) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageSystem) {
        return refuse(tr);
    }
    system_view(&state, &v, None, StatusCode::OK).await
}

async fn system_view(
    state: &AppState,
    v: &Viewer,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let counts = match state.db.record_counts().await {
        Ok(c) => c,
        Err(e) => return failure_page(tr, &e),
    };
    let pack = &v.snap.pack;
    let r = &pack.reminders;
    page(
        status,
        &SystemPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            version: env!("CARGO_PKG_VERSION"),
            engine: state.db.backend().as_str(),
            counts,
            pack_id: pack.meta.id.clone(),
            pack_title: if tr.is_en() && !pack.meta.title_en.is_empty() {
                pack.meta.title_en.clone()
            } else {
                pack.meta.title.clone()
            },
            due_soon_days: r.due_soon_days,
            days_before: r
                .days_before
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(" / "),
            escalate_after: r.escalate_after_days_overdue,
            error,
        },
    )
}

/// A directory only this process's user can read, for the backup on its way out.
fn private_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("zeren-backup-{}", zeren_storage::new_id()));
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(&dir)?;
    Ok(dir)
}

/// `POST /admin/system/backup` — the whole database as a `.zbak` download. The download is
/// recorded in the audit log before it is handed out.
pub async fn download_backup(State(state): State<AppState>, PageViewer(v): PageViewer) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageSystem) {
        return refuse(tr);
    }
    let now = state.clock.now();
    let name = format!(
        "zeren-{}.zbak",
        now.with_timezone(&shanghai()).format("%Y%m%d-%H%M")
    );
    let dir = match private_dir() {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "cannot create a directory for the backup");
            return system_view(
                &state,
                &v,
                Some(tr.t("system.backup.failed").to_string()),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
            .await;
        }
    };
    let path = dir.join(&name);
    let made = async {
        let summary = state.db.backup(&path, now).await?;
        let bytes = std::fs::read(&path).map_err(|e| StorageError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        let mut tx = state.db.begin(&v.actor(), now).await?;
        tx.audit(
            "system.backup",
            "system",
            "backup",
            None,
            Some(&json!({"file": name, "rows": summary.rows, "bytes": bytes.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(bytes)
    }
    .await;
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        tracing::warn!(error = %e, dir = %dir.display(), "cannot remove the backup's temporary directory");
    }
    match made {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (CONTENT_TYPE, "application/gzip".to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, code = e.code(), "backup failed");
            system_view(
                &state,
                &v,
                Some(tr.t("system.backup.failed").to_string()),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// UI strings

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[
    ("audit.title", "审计日志"),
    ("audit.filter.title", "筛选审计记录"),
    ("audit.filter.actor", "操作人（用户名）"),
    ("audit.filter.object_type", "对象类型"),
    ("audit.filter.object_id", "对象编号"),
    ("audit.filter.action", "操作（前缀）"),
    ("audit.filter.from", "起始日期"),
    ("audit.filter.to", "截止日期"),
    ("audit.filter.page", "页码"),
    ("audit.filter.before", "游标"),
    ("audit.filter.submit", "筛选"),
    ("audit.filter.clear", "清除筛选"),
    (
        "audit.error.date",
        "“{value}”不是有效日期，请按 年-月-日 填写，例如 2026-07-01",
    ),
    ("audit.error.range", "截止日期不能早于起始日期"),
    ("audit.error.number", "“{value}”不是有效的正整数"),
    (
        "audit.chain.intact",
        "审计链完整：已校验 {count} 条记录，未发现篡改",
    ),
    (
        "audit.chain.altered",
        "审计链已损坏：第 {seq} 条记录的内容与其哈希不符（被修改）",
    ),
    (
        "audit.chain.broken",
        "审计链已损坏：第 {seq} 条记录未接续第 {prev} 条（记录被删除或调换）",
    ),
    (
        "audit.chain.truncated",
        "审计链已损坏：日志止于第 {last} 条，但曾记录 {head} 条（末尾记录被删除）",
    ),
    ("audit.count", "共 {total} 条 · 第 {page} / {pages} 页"),
    ("audit.count_cursor", "共 {total} 条，以下为更早的记录"),
    ("audit.empty", "没有符合条件的审计记录。"),
    ("audit.col.seq", "序号"),
    ("audit.col.time", "时间（北京时间）"),
    ("audit.col.actor", "操作人"),
    ("audit.col.origin", "来源"),
    ("audit.col.action", "操作"),
    ("audit.col.object", "对象"),
    ("audit.col.change", "变更内容"),
    ("audit.details", "查看变更前后"),
    ("audit.before", "变更前"),
    ("audit.after", "变更后"),
    ("audit.pages", "翻页"),
    ("audit.newest", "最新记录"),
    ("audit.newer", "较新"),
    ("audit.older", "较早"),
    ("admin.accounts.title", "账号与角色"),
    ("admin.field.username", "用户名"),
    ("admin.field.display_name", "姓名"),
    ("admin.field.person", "关联人员"),
    ("admin.field.admin_role", "管理员角色"),
    ("admin.field.role", "角色"),
    ("admin.field.org", "组织"),
    ("admin.field.version", "版本"),
    ("admin.col.kind", "账号类别"),
    ("admin.col.state", "状态"),
    ("admin.col.totp", "双因素认证"),
    ("admin.col.must_change", "须改密码"),
    ("admin.col.granted_by", "授权人"),
    ("admin.kind.business", "业务账号"),
    ("admin.state.active", "正常"),
    ("admin.state.disabled", "已停用"),
    ("admin.state.locked", "已锁定"),
    ("admin.locked_until", "锁定至 {time}"),
    ("admin.on", "已开启"),
    ("admin.off", "未开启"),
    ("admin.yes", "是"),
    ("admin.no", "否"),
    ("admin.create.title", "新建账号"),
    (
        "admin.create.lead",
        "系统生成临时密码，仅显示一次；用户首次登录时须修改密码。",
    ),
    ("admin.create.find_person", "查找人员（姓名或组织代码）"),
    ("admin.create.find", "查找"),
    (
        "admin.create.username_hint",
        "2–64 个字符：小写字母、数字、- _ .",
    ),
    ("admin.create.no_person", "不关联人员"),
    (
        "admin.create.people_more",
        "人员较多，仅列出前 200 名；请先用上方查找缩小范围。",
    ),
    ("admin.create.no_admin_role", "无（业务账号）"),
    (
        "admin.create.admin_hint",
        "管理员账号不关联人员、不持有业务角色，三员相互分离。",
    ),
    ("admin.create.submit", "创建账号"),
    ("admin.account.created", "账号已创建。"),
    (
        "admin.account.self_note",
        "这是您本人的账号。安全管理员不能更改自己的角色、授权、状态或密码；如需更改，请由另一名安全管理员或通过命令行办理。修改本人密码请到“我的账号”。",
    ),
    ("admin.account.actions", "账号操作"),
    ("admin.account.enable", "启用账号"),
    ("admin.account.disable", "停用账号"),
    ("admin.account.unlock", "解除锁定"),
    ("admin.account.reset", "重置密码"),
    (
        "admin.account.reset_hint",
        "重置后生成新的临时密码（仅显示一次），该账号的所有会话随即结束。",
    ),
    (
        "admin.temporary.once",
        "临时密码仅显示这一次，请通过安全渠道交给用户；用户首次登录时须修改：",
    ),
    ("admin.done.state", "账号状态已更新。"),
    ("admin.done.unlock", "账号已解除锁定。"),
    ("admin.done.grant", "授权已添加。"),
    ("admin.done.revoke", "授权已撤销。"),
    ("admin.done.password", "密码已重置，该账号的会话均已结束。"),
    ("admin.roles.title", "角色"),
    ("admin.roles.admin_note", "管理员账号不持有业务角色。"),
    ("admin.roles.from_posts", "由任职产生的角色"),
    ("admin.roles.grants", "单独授权"),
    ("admin.roles.none", "无"),
    ("admin.roles.revoke", "撤销"),
    ("admin.roles.org_code", "组织代码"),
    ("admin.roles.add", "添加授权"),
    ("admin.security.title", "安全策略"),
    ("admin.security.password", "密码规则"),
    ("admin.security.min_length", "最短长度（字符）"),
    (
        "admin.security.min_classes",
        "至少包含的字符类别数（小写、大写、数字、符号）",
    ),
    ("admin.security.login", "登录"),
    ("admin.security.max_failures", "连续失败次数达到后锁定"),
    ("admin.security.lockout_minutes", "锁定时长（分钟）"),
    ("admin.security.idle_minutes", "无操作自动退出（分钟）"),
    ("admin.security.totp", "必须使用双因素认证的角色"),
    ("admin.security.submit", "保存安全策略"),
    ("admin.security.saved", "安全策略已保存。"),
    ("admin.error.required", "此项必填"),
    (
        "admin.error.username",
        "用户名须为 2–64 个字符，只能包含小写字母、数字、- _ .",
    ),
    ("admin.error.username_taken", "用户名“{username}”已被使用"),
    ("admin.error.too_long", "不能超过 {max} 个字符"),
    ("admin.error.admin_role", "未知的管理员角色"),
    ("admin.error.person", "未找到该人员"),
    (
        "admin.error.admin_person",
        "管理员账号不能关联人员：三员分立，任何人不得兼任管理员与业务角色或两种管理员",
    ),
    ("admin.error.person_taken", "该人员已有账号“{username}”"),
    ("admin.error.range", "须为 {min} 至 {max} 之间的整数"),
    ("admin.error.role_unknown", "未知角色“{role}”"),
    (
        "admin.error.version",
        "表单缺少有效的版本号，请刷新页面后重试",
    ),
    ("admin.error.fix_fields", "请修正标出的各项后重新提交。"),
    (
        "admin.error.stale",
        "该记录已被他人修改，页面显示的是最新内容；请核对后重新操作。",
    ),
    ("admin.error.stale_title", "记录已变更"),
    ("admin.error.bad_form_title", "表单无效"),
    ("admin.error.no_account", "未找到该账号"),
    ("admin.error.no_grant", "该账号没有这项授权"),
    (
        "admin.error.self",
        "安全管理员不能更改自己账号的角色、授权、状态或密码；请由另一名安全管理员或通过命令行办理。",
    ),
    (
        "admin.error.admin_password",
        "管理员账号的密码须在服务器上用命令行（zeren user passwd）重置，不能由其他管理员重置。",
    ),
    (
        "admin.error.admin_no_business",
        "不能给管理员账号授予业务角色：三员不接触业务数据。",
    ),
    ("admin.error.role", "请选择一个业务角色"),
    ("admin.error.org", "没有代码为“{org}”的组织"),
    ("admin.error.grant_exists", "该账号已在此组织持有这一角色"),
    ("system.title", "系统设置"),
    ("system.about", "系统"),
    ("system.version", "版本"),
    ("system.engine", "数据库"),
    ("system.counts", "数据量"),
    ("system.count.orgs", "组织"),
    ("system.count.people", "人员"),
    ("system.count.obligations", "责任事项"),
    ("system.count.audit", "审计记录"),
    ("system.backup.title", "备份"),
    (
        "system.backup.lead",
        "下载整个数据库的备份文件（.zbak）。备份含全部数据，请妥善保管；每次下载都记入审计日志。用 zeren restore 恢复。",
    ),
    ("system.backup.submit", "下载备份"),
    (
        "system.backup.failed",
        "备份未能生成，原因已记入服务器日志。",
    ),
    ("system.reminders.title", "提醒默认设置"),
    (
        "system.reminders.lead",
        "来自现行实施细则 {pack}（{id}），只读；随细则版本更新。",
    ),
    ("system.reminders.due_soon", "到期前多少天标为“即将到期”"),
    ("system.reminders.before", "到期前提醒"),
    ("system.reminders.escalate", "逾期多少天后告知第一责任人"),
    ("system.reminders.days", "{n} 天"),
];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[
    ("audit.title", "Audit log"),
    ("audit.filter.title", "Filter the audit log"),
    ("audit.filter.actor", "Actor (user name)"),
    ("audit.filter.object_type", "Object type"),
    ("audit.filter.object_id", "Object id"),
    ("audit.filter.action", "Action (prefix)"),
    ("audit.filter.from", "From"),
    ("audit.filter.to", "To"),
    ("audit.filter.page", "Page"),
    ("audit.filter.before", "Cursor"),
    ("audit.filter.submit", "Filter"),
    ("audit.filter.clear", "Clear filters"),
    (
        "audit.error.date",
        "“{value}” is not a date; use YYYY-MM-DD, e.g. 2026-07-01",
    ),
    ("audit.error.range", "The end date is before the start date"),
    (
        "audit.error.number",
        "“{value}” is not a positive whole number",
    ),
    (
        "audit.chain.intact",
        "The audit chain is intact: {count} entries checked, none altered",
    ),
    (
        "audit.chain.altered",
        "The audit chain is broken: entry {seq} does not match its hash (it was altered)",
    ),
    (
        "audit.chain.broken",
        "The audit chain is broken: entry {seq} does not follow entry {prev} (entries were removed or reordered)",
    ),
    (
        "audit.chain.truncated",
        "The audit chain is broken: the log ends at entry {last} but {head} were recorded (entries were removed at the end)",
    ),
    ("audit.count", "{total} entries · page {page} of {pages}"),
    ("audit.count_cursor", "{total} entries; older entries below"),
    ("audit.empty", "No audit entry matches."),
    ("audit.col.seq", "Seq"),
    ("audit.col.time", "Time (Beijing)"),
    ("audit.col.actor", "Actor"),
    ("audit.col.origin", "From"),
    ("audit.col.action", "Action"),
    ("audit.col.object", "Object"),
    ("audit.col.change", "Change"),
    ("audit.details", "Before and after"),
    ("audit.before", "Before"),
    ("audit.after", "After"),
    ("audit.pages", "Pages"),
    ("audit.newest", "Newest"),
    ("audit.newer", "Newer"),
    ("audit.older", "Older"),
    ("admin.accounts.title", "Accounts and roles"),
    ("admin.field.username", "User name"),
    ("admin.field.display_name", "Name"),
    ("admin.field.person", "Person"),
    ("admin.field.admin_role", "Administrator role"),
    ("admin.field.role", "Role"),
    ("admin.field.org", "Organisation"),
    ("admin.field.version", "Version"),
    ("admin.col.kind", "Kind"),
    ("admin.col.state", "State"),
    ("admin.col.totp", "Second factor"),
    ("admin.col.must_change", "Must change password"),
    ("admin.col.granted_by", "Granted by"),
    ("admin.kind.business", "Business account"),
    ("admin.state.active", "Active"),
    ("admin.state.disabled", "Disabled"),
    ("admin.state.locked", "Locked"),
    ("admin.locked_until", "locked until {time}"),
    ("admin.on", "On"),
    ("admin.off", "Off"),
    ("admin.yes", "Yes"),
    ("admin.no", "No"),
    ("admin.create.title", "New account"),
    (
        "admin.create.lead",
        "A temporary password is generated and shown once; the user must change it at the first sign-in.",
    ),
    (
        "admin.create.find_person",
        "Find a person (name or org code)",
    ),
    ("admin.create.find", "Find"),
    (
        "admin.create.username_hint",
        "2–64 characters: a–z, 0–9, - _ .",
    ),
    ("admin.create.no_person", "No person"),
    (
        "admin.create.people_more",
        "Only the first 200 people are listed; narrow the list with the search above.",
    ),
    ("admin.create.no_admin_role", "None (business account)"),
    (
        "admin.create.admin_hint",
        "Administrator accounts are linked to no person and hold no business role; the three administrators are kept apart.",
    ),
    ("admin.create.submit", "Create account"),
    ("admin.account.created", "The account has been created."),
    (
        "admin.account.self_note",
        "This is your own account. A security administrator cannot change its own role, grants, state or password; another security administrator or the command line can. Change your own password under “My account”.",
    ),
    ("admin.account.actions", "Account actions"),
    ("admin.account.enable", "Enable account"),
    ("admin.account.disable", "Disable account"),
    ("admin.account.unlock", "Unlock"),
    ("admin.account.reset", "Reset password"),
    (
        "admin.account.reset_hint",
        "Resetting generates a new temporary password (shown once) and ends all of the account's sessions.",
    ),
    (
        "admin.temporary.once",
        "The temporary password is shown only this once; hand it to the user over a safe channel. It must be changed at the first sign-in:",
    ),
    ("admin.done.state", "The account's state has been changed."),
    ("admin.done.unlock", "The account has been unlocked."),
    ("admin.done.grant", "The grant has been added."),
    ("admin.done.revoke", "The grant has been revoked."),
    (
        "admin.done.password",
        "The password has been reset and the account's sessions have ended.",
    ),
    ("admin.roles.title", "Roles"),
    (
        "admin.roles.admin_note",
        "Administrator accounts hold no business roles.",
    ),
    ("admin.roles.from_posts", "Roles from posts held"),
    ("admin.roles.grants", "Explicit grants"),
    ("admin.roles.none", "None"),
    ("admin.roles.revoke", "Revoke"),
    ("admin.roles.org_code", "Org code"),
    ("admin.roles.add", "Add grant"),
    ("admin.security.title", "Security policy"),
    ("admin.security.password", "Passwords"),
    ("admin.security.min_length", "Minimum length (characters)"),
    (
        "admin.security.min_classes",
        "Character classes required (lower, upper, digits, symbols)",
    ),
    ("admin.security.login", "Sign-in"),
    (
        "admin.security.max_failures",
        "Failed attempts before lockout",
    ),
    ("admin.security.lockout_minutes", "Lockout (minutes)"),
    (
        "admin.security.idle_minutes",
        "Sign out after inactivity (minutes)",
    ),
    ("admin.security.totp", "Roles that must use a second factor"),
    ("admin.security.submit", "Save the security policy"),
    (
        "admin.security.saved",
        "The security policy has been saved.",
    ),
    ("admin.error.required", "Required"),
    (
        "admin.error.username",
        "A user name has 2–64 characters: a–z, 0–9, - _ .",
    ),
    (
        "admin.error.username_taken",
        "The user name “{username}” is taken",
    ),
    ("admin.error.too_long", "At most {max} characters"),
    ("admin.error.admin_role", "Unknown administrator role"),
    ("admin.error.person", "No such person"),
    (
        "admin.error.admin_person",
        "An administrator account cannot be linked to a person: the administrators are kept apart, so no one is both an administrator and a business user, or two administrators",
    ),
    (
        "admin.error.person_taken",
        "This person already has the account “{username}”",
    ),
    ("admin.error.range", "A whole number from {min} to {max}"),
    ("admin.error.role_unknown", "Unknown role “{role}”"),
    (
        "admin.error.version",
        "The form carries no valid version; reload the page and try again",
    ),
    (
        "admin.error.fix_fields",
        "Please correct the fields marked below.",
    ),
    (
        "admin.error.stale",
        "Someone else changed this record; the page now shows the current version. Check it and try again.",
    ),
    ("admin.error.stale_title", "Changed meanwhile"),
    ("admin.error.bad_form_title", "Invalid form"),
    ("admin.error.no_account", "There is no such account"),
    ("admin.error.no_grant", "This account has no such grant"),
    (
        "admin.error.self",
        "A security administrator cannot change its own account's role, grants, state or password; another security administrator or the command line can.",
    ),
    (
        "admin.error.admin_password",
        "The password of an administrator is reset from the command line (zeren user passwd), not by another administrator.",
    ),
    (
        "admin.error.admin_no_business",
        "Business roles cannot be granted to an administrator account: administrators never reach business data.",
    ),
    ("admin.error.role", "Choose a business role"),
    (
        "admin.error.org",
        "There is no organisation with the code “{org}”",
    ),
    (
        "admin.error.grant_exists",
        "The account already holds this role over this organisation",
    ),
    ("system.title", "System settings"),
    ("system.about", "System"),
    ("system.version", "Version"),
    ("system.engine", "Database"),
    ("system.counts", "Records"),
    ("system.count.orgs", "Organisations"),
    ("system.count.people", "People"),
    ("system.count.obligations", "Obligations"),
    ("system.count.audit", "Audit entries"),
    ("system.backup.title", "Backup"),
    (
        "system.backup.lead",
        "Download a backup of the whole database (.zbak). It holds all data: keep it safe. Every download is recorded in the audit log. Restore it with zeren restore.",
    ),
    ("system.backup.submit", "Download backup"),
    (
        "system.backup.failed",
        "The backup could not be made; the cause has been logged on the server.",
    ),
    ("system.reminders.title", "Reminder defaults"),
    (
        "system.reminders.lead",
        "From the policy in force, {pack} ({id}); read-only, they change with the policy version.",
    ),
    ("system.reminders.due_soon", "Marked “due soon” within"),
    ("system.reminders.before", "Reminders before the due date"),
    (
        "system.reminders.escalate",
        "First responsible person told after overdue by",
    ),
    ("system.reminders.days", "{n} days"),
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use zeren_core::Lang;

    #[test]
    fn temporary_passwords_pass_the_policy_with_every_class() {
        for policy in [
            PasswordPolicy::default(),
            PasswordPolicy {
                min_length: 24,
                min_classes: 4,
            },
        ] {
            for _ in 0..50 {
                let pw = temporary_password(&policy, "ab").unwrap();
                assert!(pw.len() >= policy.min_length.max(16), "{pw}");
                assert!(policy.check(&pw, "ab").is_ok(), "{pw}");
                assert!(pw.chars().all(|c| !"0O1lI".contains(c)), "{pw}");
            }
        }
        let a = temporary_password(&PasswordPolicy::default(), "x").unwrap();
        let b = temporary_password(&PasswordPolicy::default(), "x").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn the_security_policy_stays_within_bounds() {
        let tr = Tr::new(Lang::En);
        assert!(check_policy(&SecurityPolicy::default(), tr).is_empty());
        let weak = SecurityPolicy {
            password: PasswordPolicy {
                min_length: 4,
                min_classes: 1,
            },
            login: LoginPolicy {
                max_failures: 100,
                lockout_minutes: 0,
                idle_minutes: 10_000,
            },
            totp_required: vec!["root".into()],
        };
        let fields: Vec<&str> = check_policy(&weak, tr).iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "min_length",
                "min_classes",
                "max_failures",
                "lockout_minutes",
                "idle_minutes",
                "totp"
            ]
        );
        assert_eq!(
            canonical_totp(&["audit".into(), "leader".into(), "audit".into()]),
            ["leader", "audit"]
        );
    }

    #[test]
    fn audit_filters_are_read_field_by_field() {
        let tr = Tr::new(Lang::Zh);
        let req = parse_audit(
            AuditQuery {
                actor: Some(" secadmin ".into()),
                from: Some("2026-07-01".into()),
                to: Some("2026-07-01".into()),
                page: Some("3".into()),
                ..AuditQuery::default()
            },
            tr,
        );
        assert!(req.errors.is_empty());
        assert_eq!(req.filter.actor.as_deref(), Some("secadmin"));
        // One Shanghai day: 2026-06-30T16:00Z to 2026-07-01T16:00Z.
        assert_eq!(req.filter.from_ms, Some(1_782_835_200_000));
        assert_eq!(req.filter.to_ms, Some(1_782_921_600_000));
        assert_eq!(req.page, 3);
        let req = parse_audit(
            AuditQuery {
                from: Some("2026-07-02".into()),
                to: Some("2026-07-01".into()),
                page: Some("0".into()),
                before: Some("x".into()),
                ..AuditQuery::default()
            },
            tr,
        );
        let fields: Vec<&str> = req.errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["to", "page", "before"]);
    }
}
