//! The duties ledger: obligations, waivers, the dashboard (filled in by its area's change).

use crate::AppState;
use crate::routes::Routes;

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
}

/// Background work of this area, started once by `zeren serve`.
pub fn spawn_jobs(_state: &AppState) {}

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[];
