//! Server-rendered HTML pages.

use crate::AppState;
use crate::shared::assets::CSS_VERSION;
use crate::shared::error::{ErrorCode, classify, generic_message};
use crate::shared::i18n::Tr;
use askama::Template;
use axum::extract::OriginalUri;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// What every page's frame needs.
pub struct Frame {
    /// Cache-busting token for the stylesheet URL.
    pub css_version: &'static str,
    /// Zeren's version, for the footer.
    pub version: &'static str,
    /// The signed-in user's navigation, if signed in.
    pub nav: Option<Nav>,
    /// The day set by `--clock`, shown as a banner.
    pub banner: Option<String>,
    /// This page's path and query without `lang`, for the language links.
    pub here: String,
}

tokio::task_local! {
    /// What every page of the current request shares: the banner, the signed-in navigation and
    /// the address — so that error pages rendered deep in a handler look like the others.
    static REQUEST_FRAME: std::cell::RefCell<RequestFrame>;
}

#[derive(Clone, Default)]
struct RequestFrame {
    banner: Option<String>,
    nav: Option<Nav>,
    here: String,
}

/// The frame context of one request, made before it runs (see [`RequestContext::run`]).
pub struct RequestContext {
    frame: RequestFrame,
    chosen: Option<zeren_core::Lang>,
}

impl RequestContext {
    /// The context of a request to `uri`.
    pub fn of(state: &AppState, uri: &axum::http::Uri) -> RequestContext {
        RequestContext {
            frame: RequestFrame {
                banner: state.clock_banner.as_deref().map(str::to_string),
                nav: None,
                // The language links point at this page: never at a path a browser would read
                // as another host (a 404 for `//evil.example/`).
                here: without_lang(
                    crate::shared::urls::local_path(uri.path()).unwrap_or("/"),
                    uri.query(),
                ),
            },
            chosen: crate::shared::i18n::query_lang(uri.query()),
        }
    }

    /// Runs the request's handling inside its frame context (so error pages rendered deep in a
    /// handler keep the navigation), and remembers an explicit `?lang=` in a cookie so the
    /// choice holds on the following pages.
    pub async fn run(self, handling: impl Future<Output = Response>) -> Response {
        let mut resp = REQUEST_FRAME
            .scope(std::cell::RefCell::new(self.frame), handling)
            .await;
        if let Some(lang) = self.chosen
            && let Ok(v) = format!(
                "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
                crate::shared::i18n::LANG_COOKIE,
                lang.tag()
            )
            .parse()
        {
            resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
        resp
    }
}

fn without_lang(path: &str, query: Option<&str>) -> String {
    let kept: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// Records the signed-in navigation for the rest of the request (error pages included).
pub fn remember_viewer(state: &AppState, v: &crate::shared::auth::Viewer) {
    let nav = Frame::of(state, Some(v)).nav;
    let _ = REQUEST_FRAME.try_with(|c| c.borrow_mut().nav = nav);
}

/// The navigation of a signed-in user: only what their roles allow.
#[derive(Clone)]
pub struct Nav {
    /// Display name.
    pub name: String,
    /// CSRF token for the sign-out form.
    pub csrf: String,
    /// Links as (href, catalog key).
    pub links: Vec<(String, &'static str)>,
}

impl Frame {
    /// The frame of the current request: its banner, and the navigation when the handler has
    /// resolved a signed-in viewer.
    pub fn new() -> Frame {
        let ctx = REQUEST_FRAME
            .try_with(|c| c.borrow().clone())
            .unwrap_or_default();
        Frame {
            css_version: CSS_VERSION,
            version: env!("CARGO_PKG_VERSION"),
            nav: ctx.nav,
            banner: ctx.banner,
            here: ctx.here,
        }
    }

    /// This page in another language.
    pub fn with_lang(&self, tag: &str) -> String {
        let sep = if self.here.contains('?') { '&' } else { '?' };
        format!("{}{sep}lang={tag}", self.here)
    }

    /// The frame for a request, with navigation by the viewer's permissions.
    pub fn of(state: &AppState, viewer: Option<&crate::shared::auth::Viewer>) -> Frame {
        use zeren_core::access::Permission;
        let nav = viewer.map(|v| {
            let mut links: Vec<(String, &'static str)> = Vec::new();
            if v.principal.can_somewhere(Permission::ReadOrg) {
                links.push(("/".into(), "nav.home"));
                links.push(("/dashboard".into(), "obligations.dashboard.title"));
                links.push(("/obligations".into(), "obligations.title"));
                links.push(("/orgs".into(), "nav.orgs"));
                links.push(("/platforms".into(), "platforms.nav"));
                links.push(("/events".into(), "events.nav"));
                links.push(("/incidents".into(), "incidents.nav"));
                links.push(("/risk-assessments".into(), "risk.nav"));
                links.push(("/indicators".into(), "indicators.nav"));
                links.push(("/cases".into(), "cases.nav"));
                links.push(("/assessments".into(), "assessments.nav"));
                links.push(("/people".into(), "nav.people"));
                links.push(("/who".into(), "nav.who"));
                links.push(("/search".into(), "feeds.nav.search"));
                links.push((format!("/policies/{}", v.snap.pack.meta.id), "nav.policy"));
            }
            if v.principal.can_somewhere(Permission::ReadAudit) {
                links.push(("/audit".into(), "nav.audit"));
            }
            if v.principal.can_somewhere(Permission::ManageAccounts) {
                links.push(("/admin/accounts".into(), "nav.accounts"));
            }
            if v.principal.can_somewhere(Permission::ManageSystem) {
                links.push(("/admin/system".into(), "nav.system"));
                links.push(("/admin/notify".into(), "notify.nav.smtp"));
                links.push(("/admin/directory".into(), "nav.directory"));
            }
            if v.principal.can_somewhere(Permission::LoadPolicy) {
                links.push(("/policies/load".into(), "policy.load.nav"));
            }
            if v.principal.admin.is_none() {
                links.push(("/notifications".into(), "notify.nav"));
            }
            links.push(("/account".into(), "nav.account"));
            Nav {
                name: v.user.display_name.clone(),
                csrf: v.csrf().to_string(),
                links,
            }
        });
        let base = Frame::new();
        Frame {
            nav,
            banner: state
                .clock_banner
                .as_deref()
                .map(str::to_string)
                .or(base.banner),
            ..base
        }
    }
}

impl Default for Frame {
    fn default() -> Self {
        Frame::new()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    frame: Frame,
    tr: Tr,
    title: String,
    message: String,
}

/// The buffer a page is rendered into starts this big (most pages are 4–20 KB).
const PAGE_CAPACITY: usize = 16 * 1024;

/// A page's HTML.
pub(crate) fn render(t: &impl Template) -> askama::Result<String> {
    // Room for a typical page at once, instead of growing (and copying) the buffer as it fills.
    let mut html = String::with_capacity(PAGE_CAPACITY);
    t.render_into(&mut html).map(|()| html)
}

/// A rendered page with the headers every page carries.
pub(crate) fn html_page(status: StatusCode, html: impl Into<axum::body::Body>) -> Response {
    (
        status,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (VARY, HeaderValue::from_static("Accept-Language")),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        html.into(),
    )
        .into_response()
}

/// Renders a page with the headers every page carries.
pub(crate) fn page(status: StatusCode, t: &impl Template) -> Response {
    match render(t) {
        Ok(html) => html_page(status, html),
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
pub(crate) fn error_page(tr: Tr, code: ErrorCode, title_key: &str, message: String) -> Response {
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

/// The 403 page: the viewer's roles do not allow this.
pub fn forbidden_page(tr: Tr) -> Response {
    error_page(
        tr,
        ErrorCode::Forbidden,
        "error.forbidden.title",
        tr.t("error.forbidden").to_string(),
    )
}

/// The page for a storage failure (the cause is logged, never shown).
pub fn storage_page(tr: Tr, err: &zeren_storage::StorageError) -> Response {
    storage_error_page(tr, classify(err, ErrorCode::NotFound))
}

pub(crate) fn storage_error_page(tr: Tr, code: ErrorCode) -> Response {
    let title = match code {
        ErrorCode::DatabaseUnavailable => "error.database_unavailable.title",
        _ => "error.internal.title",
    };
    error_page(tr, code, title, generic_message(tr, code))
}

/// Any other path: a JSON error under `/api/` (clients of any API version expect JSON), an
/// HTML page elsewhere.
pub async fn not_found(tr: Tr, OriginalUri(uri): OriginalUri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return crate::shared::error::route_not_found(tr, OriginalUri(uri))
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

/// A file's content as a response body, read 64 KiB at a time (attachments, the ledger workbook):
/// memory stays flat however large the file.
pub(crate) fn file_body(file: tokio::fs::File) -> axum::body::Body {
    let stream = futures_util::stream::unfold(Some(file), |state| async move {
        use tokio::io::AsyncReadExt;
        let mut f = state?;
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((
                    Ok::<axum::body::Bytes, std::io::Error>(axum::body::Bytes::from(buf)),
                    Some(f),
                ))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    axum::body::Body::from_stream(stream)
}
