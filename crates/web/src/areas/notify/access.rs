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
    if !v.can(Permission::ManageReminders, Some(&org.id)) {
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

/// Checks a robot's webhook address (empty means none): `https` on the provider's host and
/// path, or on a host the system administrator allows (see [`zeren_core::reminders::robots`]).
/// The address as it will be stored.
pub(super) fn check_robot(
    tr: Tr,
    field: &str,
    robot: Robot,
    s: &str,
    allowed: &[AllowedHost],
) -> Result<Option<String>, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    check_robot_url(robot, s, allowed)
        .map(|u| Some(u.to_string()))
        .map_err(|p| invalid(tr, field, &p.message(tr.lang())))
}

/// A robot field of the form, `(typed, removal box ticked)`: removed when ticked; left empty,
/// the stored address, which must qualify too; otherwise what was typed, checked.
pub(super) fn form_robot(
    tr: Tr,
    field: &str,
    robot: Robot,
    (typed, clear): (&str, bool),
    stored: Option<&str>,
    allowed: &[AllowedHost],
) -> Result<Option<String>, ApiError> {
    if clear {
        return Ok(None);
    }
    if !typed.trim().is_empty() {
        return check_robot(tr, field, robot, typed, allowed);
    }
    match stored_problem(tr, robot, stored, allowed) {
        None => Ok(stored.map(str::to_string)),
        Some(why) => Err(invalid(tr, field, &why)),
    }
}

/// A stored robot address that no longer qualifies: why, in words (`None` when it qualifies).
pub(super) fn stored_problem(
    tr: Tr,
    robot: Robot,
    stored: Option<&str>,
    allowed: &[AllowedHost],
) -> Option<String> {
    let problem = check_robot_url(robot, stored?, allowed).err()?;
    Some(tr.tf(
        "notify.org.refused",
        &[("message", &problem.message(tr.lang()))],
    ))
}

/// The hosts robot addresses may use besides the providers' own, as stored.
pub(super) async fn allowed_hosts(state: &AppState, tr: Tr) -> Result<Vec<AllowedHost>, ApiError> {
    Ok(robot_hosts(&state.db)
        .await
        .map_err(|e| storage_api(tr, e))?
        .0
        .allowed())
}

/// Checks the list of allowed robot hosts (blank entries skipped); the entries as stored.
pub(super) fn check_hosts<'a>(
    tr: Tr,
    entries: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, ApiError> {
    AllowedHost::parse_all(entries)
        .map(|hosts| hosts.iter().map(ToString::to_string).collect())
        .map_err(|p| invalid(tr, "hosts", &p.message(tr.lang())))
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
