//! Server-rendered HTML pages.

use crate::AppState;
use crate::assets::CSS_VERSION;
use crate::error::{ErrorCode, classify, generic_message};
use crate::i18n::Tr;
use crate::views::{PolicyRow, PolicyView};
use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// What every page's frame needs.
pub struct Frame {
    /// Cache-busting token for the stylesheet URL.
    pub css_version: &'static str,
    /// Zeren's version, for the footer.
    pub version: &'static str,
}

impl Frame {
    fn new() -> Frame {
        Frame {
            css_version: CSS_VERSION,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    frame: Frame,
    tr: Tr,
    policies: Vec<PolicyRow>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    frame: Frame,
    tr: Tr,
    p: PolicyView,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    frame: Frame,
    tr: Tr,
    title: String,
    message: String,
}

/// Renders a page with the headers every page carries.
fn page(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (
            status,
            [
                (VARY, HeaderValue::from_static("Accept-Language")),
                (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            Html(html),
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "template rendering failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                )],
                "500 Internal Server Error",
            )
                .into_response()
        }
    }
}

/// An error page for `code`.
fn error_page(tr: Tr, code: ErrorCode, title_key: &str, message: String) -> Response {
    page(
        code.status(),
        &ErrorPage {
            frame: Frame::new(),
            tr,
            title: tr.t(title_key).to_string(),
            message,
        },
    )
}

fn storage_error_page(tr: Tr, code: ErrorCode) -> Response {
    let title = match code {
        ErrorCode::DatabaseUnavailable => "error.database_unavailable.title",
        _ => "error.internal.title",
    };
    error_page(tr, code, title, generic_message(tr, code))
}

// Auth: public for now. The next issue adds sign-in; the landing page stays public, and shows
// the policies to everyone because the policy itself is a public document of the organisation.
/// `GET /` — what Zeren is, and the loaded policies.
pub async fn index(State(state): State<AppState>, tr: Tr) -> Response {
    let today = state.clock.today();
    match state.db.policies().await {
        Ok(stored) => page(
            StatusCode::OK,
            &IndexPage {
                frame: Frame::new(),
                tr,
                policies: stored
                    .iter()
                    .map(|p| PolicyRow::new(p, today, tr))
                    .collect(),
            },
        ),
        Err(err) => storage_error_page(tr, classify(&err, ErrorCode::Internal)),
    }
}

// Auth: the next issue puts the sign-in check here (any signed-in role may read the policy).
/// `GET /policies/{id}` — one policy version in full.
pub async fn policy(State(state): State<AppState>, tr: Tr, Path(id): Path<String>) -> Response {
    match state.db.policy(&id).await {
        Ok(stored) => page(
            StatusCode::OK,
            &PolicyPage {
                frame: Frame::new(),
                tr,
                p: PolicyView::new(&stored, state.clock.today(), tr),
            },
        ),
        Err(err) => match classify(&err, ErrorCode::PolicyNotFound) {
            ErrorCode::PolicyNotFound => error_page(
                tr,
                ErrorCode::PolicyNotFound,
                "error.policy_not_found.title",
                tr.tf("error.policy_not_found", &[("id", &id)]),
            ),
            code => storage_error_page(tr, code),
        },
    }
}

/// Any other path: a JSON error under `/api/` (clients of any API version expect JSON), an
/// HTML page elsewhere.
pub async fn not_found(tr: Tr, OriginalUri(uri): OriginalUri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return crate::api::route_not_found(tr, OriginalUri(uri))
            .await
            .into_response();
    }
    error_page(
        tr,
        ErrorCode::PageNotFound,
        "error.not_found.title",
        tr.t("error.not_found.text").to_string(),
    )
}
