//! Checks shared by pages and the API.

use super::*;

/// 404 for an org that does not exist or lies outside the viewer's scope.
pub(super) fn org_missing(tr: Tr) -> Refusal {
    Refusal::new(
        ErrorCode::NotFound,
        tr.t("notify.error.org_not_found").to_string(),
    )
    .titled("notify.error.not_found_title")
}

/// Business accounts only: the notification centre is business data.
pub(super) fn business(v: &Viewer) -> Result<(), Refusal> {
    if v.principal.admin.is_some() {
        Err(Refusal::forbidden(v.tr))
    } else {
        Ok(())
    }
}

/// The org (code or id) the viewer manages: 404 outside what they may read, 403 when they
/// may read it but not manage it.
pub(super) fn managed_org<'a>(v: &'a Viewer, code: &str) -> Result<&'a Org, Refusal> {
    business(v)?;
    let org = v
        .snap
        .model
        .find_org(code.trim())
        .ok_or_else(|| org_missing(v.tr))?;
    if !v.can(Permission::ReadOrg, Some(&org.id)) {
        return Err(org_missing(v.tr));
    }
    if !v.can(Permission::ManageOrg, Some(&org.id)) {
        return Err(Refusal::forbidden(v.tr));
    }
    Ok(org)
}

/// The system administrator only.
pub(super) fn system_admin(v: &Viewer) -> Result<(), Refusal> {
    if v.can(Permission::ManageSystem, None) {
        Ok(())
    } else {
        Err(Refusal::forbidden(v.tr))
    }
}

/// 422 naming `field` the way this area's forms do (the field in quotes).
pub(super) fn invalid(tr: Tr, field: &str, message: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Validation,
        tr.tf(
            "notify.error.field",
            &[("field", field), ("message", message)],
        ),
    )
}

pub(super) fn storage_api(tr: Tr, err: StorageError) -> ApiError {
    Refusal::storage(tr, err, "notify.error.conflict", || {
        Refusal::new(
            ErrorCode::NotFound,
            generic_message(tr, ErrorCode::NotFound),
        )
    })
    .api()
}

/// Checks an email address (empty means none).
pub(super) fn check_email(tr: Tr, s: &str) -> Result<Option<String>, ApiError> {
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
pub(super) fn check_url(tr: Tr, field: &str, s: &str) -> Result<Option<String>, ApiError> {
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

pub(super) fn check_secret(tr: Tr, s: &str) -> Result<String, ApiError> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(tr, "dingtalk_secret", tr.t("notify.error.secret")));
    }
    Ok(s.to_string())
}

/// SMTP settings, checked.
pub(super) type CheckedSmtp = (String, u16, SmtpTls, String, String);

/// The SMTP settings from a form or JSON body, checked field by field; an error names its field.
pub(super) fn check_smtp(
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

pub(super) fn page_number(s: Option<&str>) -> Option<i64> {
    zeren_core::params::page(s).and_then(|n| i64::try_from(n).ok())
}
