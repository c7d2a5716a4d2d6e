//! Who is asking: sessions (cookie) and API tokens (bearer).
//!
//! Every request that needs a user goes through [`resolve`]: one database read (the session or
//! token, joined with the model generation), then roles and scopes from the snapshot
//! ([`crate::shared::snapshot`]).

use crate::AppState;
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::i18n::Tr;
pub use crate::shared::snapshot::{FOUNDER_SETTING, Founder, SECURITY_SETTING, Snapshot};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, COOKIE, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use zeren_core::Lang;
use zeren_core::access::{Permission, Principal};
use zeren_storage::User;

/// Cookie holding the session secret.
pub const SESSION_COOKIE: &str = "zeren_session";
/// Cookie holding the pre-session CSRF secret of the sign-in form (double submit).
pub const PRE_COOKIE: &str = "zeren_pre";

/// What a request's cookie or bearer token stands for.
#[derive(Clone)]
pub enum Credential {
    /// An API token's account, and the model generation when it was read.
    Token {
        /// The account.
        user: User,
        /// Model generation.
        generation: i64,
    },
    /// A browser session.
    Session(zeren_storage::Session),
}

async fn lookup_credential(parts: &Parts, state: &AppState) -> Result<Credential, AuthFailure> {
    let (key, is_token) = match bearer(&parts.headers) {
        Some(token) => (format!("t:{token}"), true),
        None => match cookie(&parts.headers, SESSION_COOKIE) {
            Some(value) => (format!("s:{value}"), false),
            None => return Err(AuthFailure::NotSignedIn),
        },
    };
    let secret = &key[2..];
    let recent = &state.recent;
    let found = recent
        .get_or_read(&recent.credentials, &key, Option::is_some, || async {
            if is_token {
                state
                    .db
                    .token_user(secret)
                    .await
                    .map(|o| o.map(|(user, generation)| Credential::Token { user, generation }))
            } else {
                state
                    .db
                    .session(secret)
                    .await
                    .map(|o| o.map(Credential::Session))
            }
        })
        .await;
    match found {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(AuthFailure::NotSignedIn),
        Err(e) => {
            tracing::error!(error = %e, "credential lookup failed");
            Err(AuthFailure::Unavailable)
        }
    }
}

/// The signed-in user of a request.
#[derive(Clone)]
pub struct Viewer {
    /// The account.
    pub user: User,
    /// Roles and scopes today.
    pub principal: Arc<Principal>,
    /// The snapshot the roles were computed from.
    pub snap: Arc<Snapshot>,
    /// The session, when signed in with the cookie (not with a token).
    pub session: Option<SessionRef>,
    /// UI language.
    pub tr: Tr,
    /// Client address, for the audit trail.
    pub origin: String,
}

/// The session part of a viewer.
#[derive(Clone, Debug)]
pub struct SessionRef {
    /// Session id (hash of the cookie).
    pub id: String,
    /// CSRF token for forms.
    pub csrf: String,
    /// Signed in with the password while the second factor is still due.
    pub second_factor_pending: bool,
    /// How the session began (`password`, `cas`, `ldap`, …).
    pub method: String,
}

impl Viewer {
    /// Whether the viewer may do `p` on `org`.
    pub fn can(&self, p: Permission, org: Option<&str>) -> bool {
        self.principal.can(p, org, &self.snap.model)
    }

    /// The audit actor for changes made by this viewer.
    pub fn actor(&self) -> zeren_storage::Actor {
        zeren_storage::Actor {
            name: self.user.username.clone(),
            origin: self.origin.clone(),
        }
    }

    /// The operator at the server's command line acting as the supervising office of `org` (an
    /// id): for exports made there (`zeren export report`), which, like the ledger's, are the
    /// operator's to make. Never a request's viewer.
    pub async fn operator(state: &AppState, org: &str, tr: Tr) -> zeren_storage::Result<Viewer> {
        use zeren_core::access::{Role, RoleGrant};
        let snap = state.fresh_snapshot().await?;
        let name = tr.t("operator.name").to_string();
        Ok(Viewer {
            user: User {
                id: String::new(),
                username: name.clone(),
                display_name: name,
                person: None,
                admin_role: None,
                password_hash: String::new(),
                must_change_password: false,
                totp_secret: None,
                totp_enabled: false,
                totp_last_step: None,
                failed_logins: 0,
                locked_until: None,
                disabled: false,
                lang: Some(tr.tag().to_string()),
                version: 0,
            },
            principal: Arc::new(Principal {
                user: String::new(),
                roles: vec![RoleGrant {
                    role: Role::Supervisor,
                    org: org.to_string(),
                    source: "command-line".into(),
                }],
                admin: None,
            }),
            snap,
            session: None,
            tr,
            origin: "command-line".into(),
        })
    }

    /// The CSRF token for forms ("" for token clients, which need none).
    pub fn csrf(&self) -> &str {
        self.session.as_ref().map(|s| s.csrf.as_str()).unwrap_or("")
    }
}

/// Why a request has no usable viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// No session or token.
    NotSignedIn,
    /// The session timed out.
    Expired,
    /// The password must be changed first.
    MustChangePassword,
    /// The second factor is due.
    SecondFactorDue,
    /// The security policy requires a second factor that is not set up yet.
    TotpSetupDue,
    /// The database failed.
    Unavailable,
}

/// Reads a cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// The bearer token of a request, if it carries one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The client's address: the peer, or the forwarded address when the peer is a trusted proxy.
pub fn client_ip(parts: &Parts, state: &AppState) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match peer {
        Some(ip) if state.trusted_proxies.contains(&ip) => parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next_back())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
            .unwrap_or(ip)
            .to_string(),
        Some(ip) => ip.to_string(),
        None => "unknown".into(),
    }
}

/// The UI language for a request by a user: `?lang=`, then the account's setting, then the browser.
pub fn tr_for(parts: &Parts, user: Option<&User>) -> Tr {
    let accept = parts
        .headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let tr = Tr::from_parts(parts.uri.query(), accept);
    if tr.is_explicit() {
        return tr;
    }
    // The choice made last (a language link, the account page) wins over the account's
    // setting, which wins over the browser.
    if let Some(lang) = cookie(&parts.headers, crate::shared::i18n::LANG_COOKIE) {
        return Tr::preferred(Lang::from_tag(lang));
    }
    match user.and_then(|u| u.lang.as_deref()) {
        Some(lang) => Tr::preferred(Lang::from_tag(lang)),
        None => tr,
    }
}

/// What a request may still owe and be let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owing {
    /// Nothing: a complete sign-in (every page and API route).
    Nothing,
    /// The second factor of this sign-in: only the code form and sign-out take such a session.
    SecondFactor,
    /// A password change or a second-factor setup the policy requires (the pages that settle
    /// them); the second factor of the sign-in itself must be done.
    Settlement,
}

/// Resolves the viewer of a request; `owing` says which unfinished sign-ins are let through.
pub async fn resolve(parts: &Parts, state: &AppState, owing: Owing) -> Result<Viewer, AuthFailure> {
    let now = state.now_ms();
    let origin = client_ip(parts, state);
    let (user, generation, session) = match lookup_credential(parts, state).await? {
        Credential::Token { user, generation } => (user, generation, None),
        Credential::Session(s) => (s.user.clone(), s.generation, Some(s)),
    };
    if user.disabled {
        return Err(AuthFailure::NotSignedIn);
    }
    let snap = state.snapshot(generation).await.map_err(|e| {
        tracing::error!(error = %e, "snapshot load failed");
        AuthFailure::Unavailable
    })?;
    let mut session_ref = None;
    if let Some(s) = &session {
        let idle_ms = i64::from(snap.security.login.idle_minutes) * 60_000;
        if now - s.last_seen_at > idle_ms {
            if let Ok(mut tx) = state
                .db
                .begin(
                    &zeren_storage::Actor {
                        name: user.username.clone(),
                        origin: origin.clone(),
                    },
                    state.clock.now(),
                )
                .await
                && tx
                    .end_session(&s.id, &user.id, "idle timeout")
                    .await
                    .is_ok()
            {
                let _ = tx.commit().await;
            }
            state.recent.clear();
            return Err(AuthFailure::Expired);
        }
        // One write a minute at most: enough for a 30-minute idle timeout.
        if now - s.last_seen_at > 60_000 {
            let _ = state.db.touch_session(&s.id, now).await;
            state.recent.touch_session(&s.id, now);
        }
        if s.second_factor_pending && owing != Owing::SecondFactor {
            return Err(AuthFailure::SecondFactorDue);
        }
        session_ref = Some(SessionRef {
            id: s.id.clone(),
            csrf: s.csrf.clone(),
            second_factor_pending: s.second_factor_pending,
            method: s.method.clone(),
        });
    }
    let principal = snap.principal_of(&user, state.today());
    // A session a directory began owes nothing of the local sign-in: its password is the
    // directory's, and so is its second factor (unless the settings ask for the account's own,
    // which the session then owed before it began).
    let via_directory = session.as_ref().is_some_and(|s| s.method != "password");
    if owing == Owing::Nothing && user.must_change_password && !via_directory {
        return Err(AuthFailure::MustChangePassword);
    }
    if owing == Owing::Nothing
        && !via_directory
        && !user.totp_enabled
        && snap.security.requires_totp(&principal)
    {
        return Err(AuthFailure::TotpSetupDue);
    }
    let tr = tr_for(parts, Some(&user));
    Ok(Viewer {
        user,
        principal,
        snap,
        session: session_ref,
        tr,
        origin,
    })
}

impl AuthFailure {
    fn api_error(&self, tr: Tr) -> ApiError {
        let (code, key) = match self {
            AuthFailure::NotSignedIn => (ErrorCode::Unauthenticated, "auth.error.unauthenticated"),
            AuthFailure::Expired => (ErrorCode::SessionExpired, "auth.error.expired"),
            AuthFailure::MustChangePassword => (
                ErrorCode::PasswordChangeRequired,
                "auth.error.password_change",
            ),
            AuthFailure::SecondFactorDue | AuthFailure::TotpSetupDue => {
                (ErrorCode::SecondFactorRequired, "auth.error.second_factor")
            }
            AuthFailure::Unavailable => {
                (ErrorCode::DatabaseUnavailable, "error.database_unavailable")
            }
        };
        ApiError::new(code, tr.t(key).to_string())
    }

    fn page_response(&self, parts: &Parts, tr: Tr) -> Response {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let to = match self {
            AuthFailure::NotSignedIn => {
                format!("/login?next={}", crate::shared::urls::encode(next))
            }
            AuthFailure::Expired => format!(
                "/login?expired=1&next={}",
                crate::shared::urls::encode(next)
            ),
            AuthFailure::MustChangePassword => "/account/password".to_string(),
            AuthFailure::SecondFactorDue => "/login/totp".to_string(),
            AuthFailure::TotpSetupDue => "/account/totp".to_string(),
            AuthFailure::Unavailable => return self.api_error(tr).into_response(),
        };
        redirect(&to)
    }
}

/// A 303 redirect.
pub fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_string())]).into_response()
}

/// A viewer for the JSON API: 401 with the JSON error shape when there is none.
pub struct ApiViewer(pub Viewer);

impl FromRequestParts<AppState> for ApiViewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match resolve(parts, state, Owing::Nothing).await {
            Ok(v) => {
                parts.extensions.insert(v.tr);
                Ok(ApiViewer(v))
            }
            Err(f) => Err(f.api_error(tr_for(parts, None)).into_response()),
        }
    }
}

/// A viewer for pages: a redirect to sign-in (or to the password/second-factor page) when there is none.
pub struct PageViewer(pub Viewer);

impl FromRequestParts<AppState> for PageViewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match resolve(parts, state, Owing::Nothing).await {
            Ok(v) => {
                crate::shared::frame::remember_viewer(state, &v);
                parts.extensions.insert(v.tr);
                Ok(PageViewer(v))
            }
            Err(f) => Err(f.page_response(parts, tr_for(parts, None))),
        }
    }
}

/// A session whose second factor may still be due: for the code form and sign-out only.
pub struct SecondFactorViewer(pub Viewer);

impl FromRequestParts<AppState> for SecondFactorViewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match resolve(parts, state, Owing::SecondFactor).await {
            Ok(v) => {
                parts.extensions.insert(v.tr);
                Ok(SecondFactorViewer(v))
            }
            Err(f) => Err(f.page_response(parts, tr_for(parts, None))),
        }
    }
}

/// A viewer who may still owe a password change or a second-factor setup the policy requires
/// (for the pages that settle them). The second factor of the sign-in itself is done.
pub struct SettlingViewer(pub Viewer);

impl FromRequestParts<AppState> for SettlingViewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match resolve(parts, state, Owing::Settlement).await {
            Ok(v) => {
                parts.extensions.insert(v.tr);
                Ok(SettlingViewer(v))
            }
            Err(f) => Err(f.page_response(parts, tr_for(parts, None))),
        }
    }
}

/// The client's address (see [`client_ip`]).
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, state)))
    }
}

/// The viewer if signed in, for pages that also serve visitors (the landing page). An account
/// that still owes a password change or a second factor is sent to settle it.
pub struct MaybeViewer(pub Option<Viewer>);

impl FromRequestParts<AppState> for MaybeViewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match resolve(parts, state, Owing::Nothing).await {
            Ok(v) => {
                parts.extensions.insert(v.tr);
                Ok(MaybeViewer(Some(v)))
            }
            Err(AuthFailure::NotSignedIn | AuthFailure::Expired) => Ok(MaybeViewer(None)),
            Err(f) => Err(f.page_response(parts, tr_for(parts, None))),
        }
    }
}

/// `Set-Cookie` for the session: HttpOnly, SameSite=Lax, Secure under TLS.
pub fn session_cookie(value: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` that removes a cookie.
pub fn clear_cookie(name: &str, secure: bool) -> String {
    format!(
        "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// `resp` with each of `cookies` set (`Set-Cookie` headers added).
pub fn with_cookies(mut resp: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = c.parse() {
            resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    resp
}
