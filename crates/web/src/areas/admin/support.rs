//! What the administration pages share: form errors, field labels, storage failures.

use super::*;

/// Field-level problems: (field, message in the user's language).
pub(super) type FieldErrors = Vec<(&'static str, String)>;

pub(super) fn error_for<'a>(errors: &'a FieldErrors, field: &str) -> Option<&'a str> {
    crate::shared::format::field_error(errors, field)
}

pub(super) fn refuse_with(tr: Tr, message: String) -> Response {
    error_page(tr, ErrorCode::Forbidden, "error.forbidden.title", message)
}

pub(super) fn bad_form(tr: Tr, detail: String) -> Response {
    error_page(
        tr,
        ErrorCode::BadRequest,
        "admin.error.bad_form_title",
        tr.tf("error.bad_request", &[("detail", &detail)]),
    )
}

/// A storage failure as a page; the cause is logged by `classify`, never shown.
pub(super) fn failure_page(tr: Tr, err: &StorageError) -> Response {
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

pub(super) fn api_storage(tr: Tr, err: StorageError) -> ApiError {
    match classify(&err, ErrorCode::NotFound) {
        ErrorCode::NotFound => ApiError::new(
            ErrorCode::NotFound,
            tr.t("admin.error.no_account").to_string(),
        ),
        ErrorCode::Conflict => ApiError::new(ErrorCode::Conflict, tr.t("admin.error.stale").into()),
        code => ApiError::new(code, generic_message(tr, code)),
    }
}

/// Field errors as one API message: "User name: …; Name: …".
pub(super) fn api_fields(tr: Tr, errors: &FieldErrors) -> ApiError {
    let message = errors
        .iter()
        .map(|(f, m)| format!("{}: {m}", field_label(tr, f)))
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::new(ErrorCode::Validation, message)
}

pub(super) fn field_label(tr: Tr, field: &str) -> String {
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

/// Midnight of a day in Asia/Shanghai, epoch ms.
pub(super) fn day_start_ms(d: NaiveDate) -> Option<i64> {
    d.and_time(NaiveTime::MIN)
        .and_local_timezone(shanghai())
        .single()
        .map(|t| t.timestamp_millis())
}

pub(super) fn role_label(tr: Tr, role: &str) -> String {
    tr.t(&format!("role.{role}")).to_string()
}

pub(super) fn org_label(snap: &Snapshot, id: &str) -> String {
    snap.model
        .org(id)
        .map(|o| format!("{}（{}）", o.name, o.code))
        .unwrap_or_else(|| id.to_string())
}

pub(super) fn person_label(snap: &Snapshot, id: &str) -> String {
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

pub(super) fn lang_param(tr: Tr) -> Option<&'static str> {
    tr.is_explicit()
        .then(|| if tr.is_en() { "lang=en" } else { "lang=zh" })
}
