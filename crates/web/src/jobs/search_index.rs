//! The search index is made (or brought up to date) once at start.

use crate::shared::state::AppState;

/// Builds the search index at start (and brings it up to date after an upgrade).
pub fn spawn(state: &AppState) {
    let db = state.db.clone();
    tokio::spawn(async move {
        if let Err(e) = db.ensure_search_index().await {
            tracing::error!(error = %e, "cannot build the search index");
        }
    });
}
