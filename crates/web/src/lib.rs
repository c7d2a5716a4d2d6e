//! Zeren web layer: the HTML pages and the JSON API over one database.
//!
//! Handlers are thin: they read the request, ask storage, and hand domain values to
//! [`views`] and the templates. Every response carries strict security headers; the
//! stylesheet is compiled in, so the server runs with no internet access.

pub mod admin;
pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod feeds;
pub mod home;
pub mod i18n;
pub mod notify;
pub mod obligations;
pub mod orgs;
pub mod pages;
pub mod recent;
pub mod records;
pub mod routes;
pub mod signin;
pub mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue};
use axum::routing::get;
use routes::{Describe, RouteDoc, Routes};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use zeren_core::Clock;
use zeren_storage::Db;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The Content-Security-Policy of every response: nothing but our own origin, no framing.
pub const CSP: &str =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The clock; tests fix it.
    pub clock: Arc<dyn Clock>,
    /// The org model, policy and grants, reloaded when the database's generation moves on.
    pub snapshot: Arc<tokio::sync::RwLock<Option<Arc<auth::Snapshot>>>>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    /// Cookies carry `Secure` (the server or its proxy speaks TLS).
    pub secure_cookies: bool,
    /// A banner shown on every page when the clock is set by `--clock`.
    pub clock_banner: Option<Arc<str>>,
    /// Reads kept for a short time (see [`recent::RecentReads`]).
    pub recent: Arc<recent::RecentReads>,
}

impl AppState {
    /// State over a database and a clock, with no proxies trusted and plain-HTTP cookies.
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> AppState {
        AppState {
            db,
            clock,
            snapshot: Arc::default(),
            trusted_proxies: Arc::new([]),
            secure_cookies: false,
            clock_banner: None,
            recent: Arc::default(),
        }
    }
}

/// The whole application: pages, `/api/v1`, assets, and the layers every response passes.
pub fn router(state: AppState) -> Router {
    let security_headers: [(HeaderName, &'static str); 4] = [
        (CONTENT_SECURITY_POLICY, CSP),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "same-origin"),
        (X_FRAME_OPTIONS, "DENY"),
    ];
    let (pages, _) = page_routes().into_parts();
    let mut app = pages
        .route("/assets/app.css", get(assets::app_css))
        .nest("/api/v1", api::router())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), gate))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    for (name, value) in security_headers {
        app = app.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    app.layer(TraceLayer::new_for_http()).with_state(state)
}

/// What every request passes through, in one layer (each layer costs allocations on every
/// request): the 1 MB body limit (attachment uploads carry their own), the page frame (so error
/// pages keep the navigation), the CSRF check of state-changing requests, and — after a write —
/// forgetting the recent reads, so the next request sees the change at once.
async fn gate(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(refused) = records::oversized(&req) {
        return refused;
    }
    let context = pages::RequestContext::of(&state, req.uri());
    let writes = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    context
        .run(async move {
            if !writes {
                return next.run(req).await;
            }
            let resp = match auth::csrf_checked(&state, req).await {
                Ok(req) => next.run(req).await,
                Err(refused) => refused,
            };
            state.recent.clear();
            resp
        })
        .await
}

/// The page routes.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/",
            Describe::public("home", "Home page when signed in; what Zeren is otherwise"),
            home::home,
        )
        .get(
            "/login",
            Describe::public("identity", "Sign-in form"),
            signin::login_form,
        )
        .post(
            "/login",
            Describe::public("identity", "Sign in"),
            signin::login,
        )
        .get(
            "/login/totp",
            Describe::auth("identity", "Second-factor form"),
            signin::totp_form,
        )
        .post(
            "/login/totp",
            Describe::auth("identity", "Second factor"),
            signin::totp,
        )
        .post(
            "/logout",
            Describe::auth("identity", "Sign out"),
            signin::logout,
        )
        .get(
            "/account",
            Describe::auth("identity", "My account"),
            signin::account,
        )
        .get(
            "/account/password",
            Describe::auth("identity", "Password form"),
            signin::password_form,
        )
        .post(
            "/account/password",
            Describe::auth("identity", "Change password"),
            signin::change_password,
        )
        .post(
            "/account/lang",
            Describe::auth("identity", "UI language"),
            signin::set_lang,
        )
        .post(
            "/account/tokens",
            Describe::auth("identity", "Create an API token"),
            signin::create_token,
        )
        .post(
            "/account/tokens/{id}/revoke",
            Describe::auth("identity", "Revoke an API token"),
            signin::revoke_token,
        )
        .get(
            "/account/totp",
            Describe::auth("identity", "Second-factor setup"),
            signin::totp_setup_form,
        )
        .post(
            "/account/totp",
            Describe::auth("identity", "Turn the second factor on"),
            signin::totp_setup,
        )
        .get(
            "/policies/{id}",
            Describe::auth("policies", "Policy viewer"),
            pages::policy,
        )
        .merge(orgs::page_routes())
        .merge(admin::page_routes())
        .merge(obligations::page_routes())
        .merge(records::page_routes())
        .merge(notify::page_routes())
        .merge(feeds::page_routes())
}

/// Every route, pages and API, as registered.
pub fn route_table() -> Vec<RouteDoc> {
    let (_, mut docs) = page_routes().into_parts();
    docs.extend(api::routes().into_parts().1);
    docs
}

/// Starts the background work of every area (reminders, obligation sync, …). Call once per
/// server process; work that must happen once across instances claims it in the database.
pub fn spawn_jobs(state: &AppState) {
    obligations::spawn_jobs(state);
    notify::spawn_jobs(state);
    records::spawn_jobs(state);
    feeds::spawn_jobs(state);
}

/// Serves the application on `listener` until Ctrl-C (or SIGTERM), then finishes the requests
/// in flight.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_until(state, listener, shutdown_signal()).await
}

/// Serves the application on `listener` until `shutdown` completes, then finishes the
/// requests in flight.
pub async fn serve_until(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        // The peer address is kept for the audit trail's "from where".
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Serves the application over TLS (rustls) on `addr` with the PEM certificate chain and key,
/// until Ctrl-C or SIGTERM. Cookies are marked `Secure` and browsers are told to stay on HTTPS.
pub async fn serve_tls(
    mut state: AppState,
    listener: std::net::TcpListener,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> std::io::Result<()> {
    state.secure_cookies = true;
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    let app = router(state).layer(SetResponseHeaderLayer::overriding(
        axum::http::header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    ));
    listener.set_nonblocking(true)?;
    axum_server::from_tcp_rustls(listener, config)?
        .handle(handle)
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
