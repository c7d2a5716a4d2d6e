//! The API's own endpoints: liveness and the OpenAPI document generated from the route table.

use crate::AppState;
use crate::shared::routes::{Describe, Routes};
use axum::Json;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// API routes of this area.
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/health",
            Describe::public("system", "Liveness and database engine"),
            health,
        )
        .get(
            "/openapi.json",
            Describe::public("system", "This OpenAPI document"),
            openapi_doc,
        )
}

/// `GET /api/v1/openapi.json` — generated from the route table.
async fn openapi_doc() -> Response {
    static DOC: std::sync::LazyLock<serde_json::Value> =
        std::sync::LazyLock::new(|| crate::shared::routes::openapi(&crate::route_table()));
    Json(&*DOC).into_response()
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
    database: &'static str,
}

/// `GET /api/v1/health` — no auth: load balancers and monitors call it.
async fn health(State(state): State<AppState>) -> Response {
    let database = state.db.backend().as_str();
    let (status, code) = match state.db.ping().await {
        Ok(_) => ("ok", StatusCode::OK),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database query failed");
            ("unavailable", StatusCode::SERVICE_UNAVAILABLE)
        }
    };
    let body = Health {
        status,
        version: env!("CARGO_PKG_VERSION"),
        database,
    };
    (
        code,
        [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(body),
    )
        .into_response()
}
