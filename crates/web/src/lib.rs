//! Zeren web layer: the HTML pages and the JSON API over one database.
//!
//! The crate is a shared layer ([`shared`]: state, extractors, the permission gate, errors,
//! CSRF, the page frame, formatting, the i18n engine) and one folder per area ([`areas`]: the
//! routes, handlers, view models and translation catalogue of one part of the product). This
//! file composes them: the route table, the router with its layers, the catalogues, the jobs.
//! Every response carries strict security headers; the stylesheet is compiled in, so the
//! server runs with no internet access.

pub mod areas;
pub mod jobs;
pub mod shared;

pub use shared::state::AppState;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue};
use axum::routing::get;
use shared::limits::Uploads;
use shared::routes::{RouteDoc, Routes};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The Content-Security-Policy of every response: nothing but our own origin, no framing.
pub const CSP: &str =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The whole application: pages, `/api/v1`, assets, and the layers every response passes.
pub fn router(state: AppState) -> Router {
    let security_headers: [(HeaderName, &'static str); 4] = [
        (CONTENT_SECURITY_POLICY, CSP),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "same-origin"),
        (X_FRAME_OPTIONS, "DENY"),
    ];
    let (pages, _) = page_routes().into_parts();
    let (api, _) = api_routes().into_parts();
    let api = api
        .fallback(shared::error::route_not_found)
        .method_not_allowed_fallback(shared::error::method_not_allowed);
    let mut app = pages
        .route("/assets/app.css", get(shared::assets::app_css))
        .nest("/api/v1", api)
        .fallback(shared::frame::not_found)
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), Arc::new(Uploads::of(&route_table()))),
            shared::gate::gate,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    for (name, value) in security_headers {
        app = app.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    app.layer(TraceLayer::new_for_http()).with_state(state)
}

/// The page routes of every area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .merge(areas::home::page_routes())
        .merge(areas::identity::page_routes())
        .merge(areas::policies::page_routes())
        .merge(areas::orgs::page_routes())
        .merge(areas::platforms::page_routes())
        .merge(areas::events::page_routes())
        .merge(areas::incidents::page_routes())
        .merge(areas::risk::page_routes())
        .merge(areas::cases::page_routes())
        .merge(areas::assessments::page_routes())
        .merge(areas::indicators::page_routes())
        .merge(areas::admin::page_routes())
        .merge(areas::directory::page_routes())
        .merge(areas::obligations::page_routes())
        .merge(areas::records::page_routes())
        .merge(areas::roster::page_routes())
        .merge(areas::setup::page_routes())
        .merge(areas::notify::page_routes())
        .merge(areas::feeds::page_routes())
}

/// The API routes of every area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .merge(areas::system::api_routes())
        .merge(areas::identity::api_routes())
        .merge(areas::directory::api_routes())
        .merge(areas::policies::api_routes())
        .merge(areas::orgs::api_routes())
        .merge(areas::platforms::api_routes())
        .merge(areas::events::api_routes())
        .merge(areas::incidents::api_routes())
        .merge(areas::risk::api_routes())
        .merge(areas::cases::api_routes())
        .merge(areas::assessments::api_routes())
        .merge(areas::indicators::api_routes())
        .merge(areas::admin::api_routes())
        .merge(areas::obligations::api_routes())
        .merge(areas::records::api_routes())
        .merge(areas::roster::api_routes())
        .merge(areas::notify::api_routes())
        .merge(areas::feeds::api_routes())
}

/// Every route, pages and API, as registered.
pub fn route_table() -> Vec<RouteDoc> {
    let (_, mut docs) = page_routes().into_parts();
    docs.extend(api_routes().into_parts().1);
    docs
}

/// The translation catalogues: the shared layer's and each area's, Chinese and English. The
/// i18n engine reads them from here, so the shared layer never names an area.
pub(crate) const CATALOGS: &[shared::i18n::Catalog] = &[
    shared::i18n::SHARED,
    areas::identity::CATALOG,
    areas::directory::CATALOG,
    areas::orgs::CATALOG,
    areas::platforms::CATALOG,
    areas::events::CATALOG,
    areas::incidents::CATALOG,
    areas::risk::CATALOG,
    areas::cases::CATALOG,
    areas::assessments::CATALOG,
    areas::indicators::CATALOG,
    areas::roster::CATALOG,
    areas::setup::CATALOG,
    areas::admin::CATALOG,
    areas::obligations::CATALOG,
    areas::records::CATALOG,
    areas::notify::CATALOG,
    areas::feeds::CATALOG,
    jobs::reminders::CATALOG,
];

/// Starts the background work of every area (reminders, obligation sync, …). Call once per
/// server process; work that must happen once across instances claims it in the database.
pub fn spawn_jobs(state: &AppState) {
    jobs::spawn_all(state);
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
