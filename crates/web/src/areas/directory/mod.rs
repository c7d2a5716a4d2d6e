//! Signing in the way universities do it: through the 统一身份认证 portal (CAS), an LDAP
//! directory, an OpenID Connect provider, and from the 企业微信 and 钉钉 workbenches; and the
//! system administrator's settings for them, with a "test connection" button.
//!
//! Every way ends in [`signin::finish`]: the identity the directory vouches for is linked to a
//! person by the configured key (`zeren_core::directory::link`), and to that person's account;
//! roles still come from posts and grants (and from the LDAP groups the administrator mapped).
//! Every failure answers with its message, opens no session and leaves an audit entry. The
//! local password form stays, so a portal outage never locks the administrators out.

mod catalog;
mod settings;
mod signin;

pub use catalog::CATALOG;

use crate::AppState;
use crate::shared::auth::{ApiViewer, ClientIp, PageViewer, Viewer, cookie, redirect};
use crate::shared::frame::{Frame, forbidden_page, page, storage_page};
use crate::shared::i18n::Tr;
use crate::shared::routes::{Describe, Routes};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::time::Duration;
use zeren_core::access::Permission;
use zeren_core::directory::{DIRECTORY_SETTING, DirectorySettings, Method, SignInFailure};
use zeren_core::reminders::robots::OutboundPolicy;

/// How long a portal or provider is waited for.
const WAIT: Duration = Duration::from_secs(10);

/// How long a sign-in begun here may take at the portal before it is refused.
const ATTEMPT_MS: i64 = 10 * 60 * 1000;

/// The cookie that binds a sign-in begun here to the browser that began it.
const BINDING_COOKIE: &str = "zeren_sso";

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/login/cas",
            Describe::public("directory", "Sign in through the 统一身份认证 portal (CAS)"),
            signin::cas_start,
        )
        .get(
            "/login/cas/return",
            Describe::public(
                "directory",
                "The portal sends the browser back with a ticket",
            ),
            signin::cas_return,
        )
        .post(
            "/login/cas/return",
            Describe::public(
                "directory",
                "The portal's single logout (a SAML LogoutRequest naming the ticket)",
            ),
            signin::cas_logout,
        )
        .get(
            "/login/oidc",
            Describe::public("directory", "Sign in through the OpenID Connect provider"),
            signin::oidc_start,
        )
        .get(
            "/login/oidc/return",
            Describe::public(
                "directory",
                "The provider sends the browser back with a code",
            ),
            signin::oidc_return,
        )
        .post(
            "/login/ldap",
            Describe::public(
                "directory",
                "Sign in with the LDAP directory's name and password",
            ),
            signin::ldap,
        )
        .get(
            "/login/wecom",
            Describe::public("directory", "Sign in from the 企业微信 workbench"),
            signin::wecom_start,
        )
        .get(
            "/login/wecom/return",
            Describe::public("directory", "企业微信 sends the browser back with a code"),
            signin::wecom_return,
        )
        .get(
            "/login/dingtalk",
            Describe::public("directory", "Sign in from the 钉钉 workbench"),
            signin::dingtalk_start,
        )
        .get(
            "/login/dingtalk/return",
            Describe::public("directory", "钉钉 sends the browser back with a code"),
            signin::dingtalk_return,
        )
        .get(
            "/admin/directory",
            Describe::auth(
                "directory",
                "Directory sign-in settings (system administrator)",
            ),
            settings::settings_page,
        )
        .post(
            "/admin/directory",
            Describe::auth("directory", "Save the directory sign-in settings"),
            settings::settings_submit,
        )
        .post(
            "/admin/directory/test",
            Describe::auth("directory", "Test the connection to a directory or app"),
            settings::test_connection,
        )
}

/// API routes of this area.
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/settings/directory",
            Describe::auth(
                "directory",
                "Directory sign-in settings (system administrator; secrets never shown)",
            ),
            settings::api_settings,
        )
        .put(
            "/settings/directory",
            Describe::auth(
                "directory",
                "Set the directory sign-in settings (system administrator, version-checked; an empty secret keeps the one saved)",
            ),
            settings::api_put_settings,
        )
}

/// The ways of signing in the login page offers besides the local password: (words, address)
/// of each portal or provider, and whether the LDAP form is shown. Read by the identity area
/// through its seam; nothing when the settings cannot be read (the local form always stays).
pub async fn sign_in_ways(state: &AppState, tr: Tr, next: &str) -> (Vec<(String, String)>, bool) {
    let Some(s) = without_secrets(state).await else {
        return (Vec::new(), false);
    };
    let next = if next.is_empty() {
        String::new()
    } else {
        format!("?next={}", crate::shared::urls::encode(next))
    };
    let mut ways = Vec::new();
    if let Some(c) = &s.cas {
        let words = if c.label.trim().is_empty() {
            tr.t("directory.login.cas").to_string()
        } else {
            c.label.trim().to_string()
        };
        ways.push((words, format!("/login/cas{next}")));
    }
    if let Some(o) = &s.oidc {
        let words = if o.label.trim().is_empty() {
            tr.t("directory.login.oidc").to_string()
        } else {
            o.label.trim().to_string()
        };
        ways.push((words, format!("/login/oidc{next}")));
    }
    if s.wecom.as_ref().is_some_and(|w| w.sign_in) {
        ways.push((
            tr.t("directory.login.wecom").into(),
            format!("/login/wecom{next}"),
        ));
    }
    if s.dingtalk.as_ref().is_some_and(|d| d.sign_in) {
        ways.push((
            tr.t("directory.login.dingtalk").into(),
            format!("/login/dingtalk{next}"),
        ));
    }
    (ways, s.ldap.is_some())
}

/// Where the browser goes after signing out of a session the portal began (`method`): the
/// portal's own logout, so its single sign-on ends too, coming back to the sign-in page; `None`
/// for any other session, or when the portal is no longer set up.
pub async fn after_sign_out(state: &AppState, method: &str) -> Option<String> {
    if method != Method::Cas.as_str() {
        return None;
    }
    let s = without_secrets(state).await?;
    let cas = s.cas.as_ref()?;
    zeren_directory::cas::logout_url(cas, &s.address("/login"))
        .ok()
        .map(|u| u.to_string())
}

/// The settings as stored, their secrets left sealed: for the sign-in page and sign-out, which
/// need none of them (nothing is opened on every render of the sign-in page).
async fn without_secrets(state: &AppState) -> Option<DirectorySettings> {
    match state
        .db
        .setting::<DirectorySettings>(DIRECTORY_SETTING)
        .await
    {
        Ok(found) => Some(found.map(|(s, _)| s).unwrap_or_default()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the directory settings");
            None
        }
    }
}

/// The outbound policy for directories: the server's own, with the intranet's ranges.
fn policy(state: &AppState) -> OutboundPolicy {
    state.outbound.for_directories()
}

#[derive(Template)]
#[template(path = "directory_failed.html")]
struct FailedPage {
    frame: Frame,
    tr: Tr,
    message: String,
    /// Where trying again starts (the same way), if it is a portal.
    again: Option<String>,
}

/// The page of a sign-in that ended in no session.
fn failed_page(
    state: &AppState,
    tr: Tr,
    method: Method,
    status: StatusCode,
    message: String,
) -> Response {
    let again = match method {
        Method::Cas | Method::Oidc | Method::Wecom | Method::Dingtalk => {
            Some(format!("/login/{}", method.as_str()))
        }
        Method::Password | Method::Ldap => None,
    };
    page(
        status,
        &FailedPage {
            frame: Frame::of(state, None),
            tr,
            message,
            again,
        },
    )
}

/// The status a failure answers with.
fn status_of(f: &SignInFailure) -> StatusCode {
    match f {
        SignInFailure::NotConfigured => StatusCode::NOT_FOUND,
        SignInFailure::Unreachable => StatusCode::BAD_GATEWAY,
        SignInFailure::Protocol => StatusCode::BAD_GATEWAY,
        SignInFailure::Refused { .. }
        | SignInFailure::Replayed
        | SignInFailure::Forged
        | SignInFailure::WrongPassword => StatusCode::UNAUTHORIZED,
    }
}

/// The settings and the part of them way `m` needs; the page saying `m` is not set up when the
/// part is missing (not recorded: nothing was tried), or the failure page when the settings
/// cannot be read.
async fn configured<T>(
    state: &AppState,
    tr: Tr,
    m: Method,
    part: impl FnOnce(&DirectorySettings) -> Option<T>,
) -> Result<(DirectorySettings, T), Response> {
    let settings = match state.db.directory_settings().await {
        Ok((s, _)) => s,
        Err(e) => return Err(storage_page(tr, &e)),
    };
    match part(&settings) {
        Some(p) => Ok((settings, p)),
        None => {
            let f = SignInFailure::NotConfigured;
            Err(failed_page(
                state,
                tr,
                m,
                status_of(&f),
                f.message(m, tr.lang()),
            ))
        }
    }
}

/// Whether the viewer is the system administrator.
fn is_system_admin(v: &Viewer) -> bool {
    v.principal.can_somewhere(Permission::ManageSystem)
}
