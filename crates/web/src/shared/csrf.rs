//! CSRF protection for every state-changing request made with a cookie: the token must come
//! back in the `X-CSRF-Token` header, in an urlencoded form's `csrf` field, or as the first
//! part of a multipart form (read by [`CsrfMultipart`] in the upload handler itself, with axum's
//! multipart parser). Requests with a bearer token carry no ambient credential and need none.
//! Before sign-in, the sign-in form's token is checked against the `zeren_pre` cookie (double
//! submit).

use crate::shared::auth::{PRE_COOKIE, SESSION_COOKIE, bearer, cookie, tr_for};
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::frame::error_page;
use crate::shared::i18n::Tr;
use crate::shared::state::AppState;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};

/// Header carrying the CSRF token for scripts using the session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The longest CSRF token read from a multipart form.
const TOKEN_MAX: usize = 256;

/// Paths another server posts to, with no browser, cookie or token: the 统一身份认证 portal's
/// single-logout request. Their handlers act only on what the post proves (a ticket's digest
/// ends the session that ticket began) and change nothing else.
pub const SERVER_POSTS: &[&str] = &["/login/cas/return"];

/// Compares two secrets in time that does not depend on where they differ (`subtle`).
fn constant_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Whether a request needs no token: it changes nothing, carries a bearer token, or is an API
/// call without the session cookie (no ambient credential to forge with; it meets the sign-in
/// check like any other).
fn exempt(parts: &Parts) -> bool {
    matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS)
        || (parts.method == Method::POST && SERVER_POSTS.contains(&parts.uri.path()))
        || bearer(&parts.headers).is_some()
        || (parts.uri.path().starts_with("/api/")
            && cookie(&parts.headers, SESSION_COOKIE).is_none())
}

fn content_type(parts: &Parts) -> &str {
    parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The token a request must bring, and whose it is.
enum Expected {
    /// A live session's.
    Session(String),
    /// The sign-in form's, from the pre-session cookie (double submit).
    SignIn(String),
    /// None: nothing to match, so every token is refused.
    Nothing,
}

impl Expected {
    fn token(&self) -> Option<&str> {
        match self {
            Expected::Session(t) | Expected::SignIn(t) => Some(t),
            Expected::Nothing => None,
        }
    }
}

/// The token this request must bring: the session's, or the sign-in form's pre-session cookie.
async fn expected(state: &AppState, parts: &Parts, tr: Tr) -> Result<Expected, Response> {
    let pre = || match cookie(&parts.headers, PRE_COOKIE) {
        Some(t) => Expected::SignIn(t.to_string()),
        None => Expected::Nothing,
    };
    match cookie(&parts.headers, SESSION_COOKIE) {
        Some(value) => match state.db.session(value).await {
            Ok(Some(s)) => Ok(Expected::Session(s.csrf)),
            Ok(None) => Ok(pre()),
            Err(_) => Err(ApiError::new(
                ErrorCode::DatabaseUnavailable,
                tr.t("error.database_unavailable").into(),
            )
            .into_response()),
        },
        None => Ok(pre()),
    }
}

/// The refusal: JSON under `/api/`, a page elsewhere.
fn refused(path: &str, tr: Tr) -> Response {
    tracing::warn!(path = %path, "CSRF check failed");
    let err = ApiError::new(ErrorCode::CsrfFailed, tr.t("auth.error.csrf").to_string());
    if path.starts_with("/api/") {
        err.into_response()
    } else {
        error_page(
            tr,
            ErrorCode::CsrfFailed,
            "auth.error.csrf_title",
            err.message,
        )
    }
}

/// Checks the token of a request before its handler runs, and returns the request to go on with
/// (its body put back together when the token was read from it), or the refusal.
///
/// A multipart body goes on unread only to a route that takes uploads (`takes_multipart`): its
/// handler reads the token with [`CsrfMultipart`]. Anywhere else a multipart body brings no token
/// the gate can see, and is refused — a handler that ignores its body cannot be reached by a
/// cross-site multipart form.
pub async fn csrf_checked(
    state: &AppState,
    req: Request,
    takes_multipart: bool,
) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    if exempt(&parts) {
        return Ok(Request::from_parts(parts, body));
    }
    let tr = tr_for(&parts, None);
    let expected = expected(state, &parts, tr).await?;
    let header = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let kind = content_type(&parts);
    let (provided, body) = if header.is_some() {
        (header, body)
    } else if kind.starts_with("multipart/form-data")
        && takes_multipart
        && matches!(expected, Expected::Session(_))
    {
        // The handler reads the token from the form's first part (`CsrfMultipart`). Uploads
        // need a live session: without one there is nothing to match, so it is refused here.
        return Ok(Request::from_parts(parts, body));
    } else if kind.starts_with("application/x-www-form-urlencoded") {
        let bytes = match axum::body::to_bytes(body, crate::BODY_LIMIT).await {
            Ok(b) => b,
            Err(_) => {
                return Err(
                    (StatusCode::PAYLOAD_TOO_LARGE, tr.t("error.too_large")).into_response()
                );
            }
        };
        let field = crate::shared::urls::form_field(&bytes, "csrf");
        (field, Body::from(bytes))
    } else {
        (None, body)
    };
    match (expected.token(), provided) {
        (Some(e), Some(p)) if constant_eq(e, &p) => Ok(Request::from_parts(parts, body)),
        _ => Err(refused(parts.uri.path(), tr)),
    }
}

/// A multipart form whose CSRF token has been checked: unless the request is exempt (a bearer
/// token, an API call without the cookie) or brought its token in the header (checked by the
/// gate), its first part must be `csrf` with the session's token. The rest of the form is left to the handler (axum's parser, or why it cannot read it).
pub struct CsrfMultipart(pub Result<Multipart, MultipartRejection>);

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let tr = tr_for(&parts, None);
        // A token in the header was checked by the gate already, before any handler ran.
        let expected = if exempt(&parts) || parts.headers.contains_key(CSRF_HEADER) {
            None
        } else {
            match expected(state, &parts, tr).await? {
                Expected::Session(token) => Some(token),
                _ => return Err(refused(parts.uri.path(), tr)),
            }
        };
        let path = parts.uri.path().to_string();
        let multipart = Multipart::from_request(Request::from_parts(parts, body), state).await;
        let Some(expected) = expected else {
            return Ok(CsrfMultipart(multipart));
        };
        let refuse = || refused(&path, tr);
        let Ok(mut form) = multipart else {
            return Err(refuse());
        };
        let first = form.next_field().await;
        // A body over the route's limit can fail before its first part is read (how much
        // arrives in the first read depends on the connection): that is its size, not its token.
        if let Err(e) = &first
            && e.status() == StatusCode::PAYLOAD_TOO_LARGE
        {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, tr.t("error.too_large")).into_response());
        }
        let Ok(Some(mut field)) = first else {
            return Err(refuse());
        };
        if field.name() != Some("csrf") {
            return Err(refuse());
        }
        let mut token = Vec::new();
        while let Ok(Some(chunk)) = field.chunk().await {
            token.extend_from_slice(&chunk);
            if token.len() > TOKEN_MAX {
                return Err(refuse());
            }
        }
        drop(field);
        let token = String::from_utf8_lossy(&token);
        if constant_eq(token.trim(), &expected) {
            Ok(CsrfMultipart(Ok(form)))
        } else {
            Err(refuse())
        }
    }
}
