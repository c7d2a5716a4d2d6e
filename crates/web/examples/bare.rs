//! The floor for `bench/run`: a bare axum 0.8 server answering `GET /` with the fixed
//! JSON `{"status":"ok"}` — no state, no layers, no database. Every Zeren figure is
//! compared to this one on the same machine in the same run.
//!
//! ```text
//! cargo run --release -p zeren-web --example bare -- 127.0.0.1:8099
//! ```

use axum::Json;
use axum::Router;
use axum::routing::get;
use serde_json::{Value, json};

async fn ok() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8099".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("bare: listening on http://{}/", listener.local_addr()?);
    axum::serve(listener, Router::new().route("/", get(ok))).await
}
