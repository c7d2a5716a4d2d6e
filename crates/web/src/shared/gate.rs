//! The one request layer every request passes (each layer costs allocations on every request).

use crate::shared::csrf::csrf_checked;
use crate::shared::frame::RequestContext;
use crate::shared::limits::{Uploads, bounded, oversized};
use crate::shared::state::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// The 1 MB body limit (attachment uploads carry their own), the page frame (so error pages keep
/// the navigation), the CSRF check of state-changing requests, the bound on every text value of
/// their bodies (`limits::FIELD_MAX`), and — after a write — forgetting the recent reads and
/// bringing the snapshot and the caches that follow writes up to the change before answering,
/// so the next request sees it at once.
pub async fn gate(
    State((state, uploads)): State<(AppState, Arc<Uploads>)>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(refused) = oversized(&uploads, &req) {
        return refused;
    }
    let context = RequestContext::of(&state, req.uri());
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    context
        .run(async move {
            if !writes {
                return next.run(req).await;
            }
            let takes_multipart = uploads.takes(req.method(), req.uri().path());
            let resp = match csrf_checked(&state, req, takes_multipart).await {
                Ok(req) => match bounded(req).await {
                    Ok(req) => next.run(req).await,
                    Err(refused) => refused,
                },
                Err(refused) => refused,
            };
            state.recent.clear();
            if let Err(e) = state.caught_up().await {
                tracing::warn!(error = %e, "snapshot load after a change failed; the next read retries");
            }
            state.caches_caught_up().await;
            resp
        })
        .await
}
