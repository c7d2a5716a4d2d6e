//! The one request layer every request passes (each layer costs allocations on every request).

use crate::shared::frame::RequestContext;
use crate::shared::state::AppState;
use crate::shared::{auth, upload_guard};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

/// The 1 MB body limit (attachment uploads carry their own), the page frame (so error pages keep
/// the navigation), the CSRF check of state-changing requests, and — after a write — forgetting
/// the recent reads, so the next request sees the change at once.
pub async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(refused) = upload_guard::oversized(&req) {
        return refused;
    }
    let context = RequestContext::of(&state, req.uri());
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
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
