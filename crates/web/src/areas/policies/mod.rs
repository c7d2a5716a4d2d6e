//! Policies: the landing page's list of loaded policies, one policy version in full (page and
//! API). The policy text is data from the pack, never translated here.

mod api;
mod pages;
mod views;

pub use pages::index;

use crate::shared::routes::{Describe, Routes};

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages().get(
        "/policies/{id}",
        Describe::auth("policies", "Policy viewer"),
        pages::policy,
    )
}

/// API routes of this area.
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/policies",
            Describe::auth("policies", "Loaded policy versions"),
            api::list_policies,
        )
        .get(
            "/policies/{id}",
            Describe::auth(
                "policies",
                "One policy version: articles, duties, grounds, indicators",
            ),
            api::get_policy,
        )
}
