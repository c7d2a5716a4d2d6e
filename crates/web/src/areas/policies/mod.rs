//! Policies: the landing page's list of loaded policies, one policy version in full (page and
//! API). The policy text is data from the pack, never translated here.

mod adopt;
mod api;
mod pages;
mod views;

pub use pages::index;

use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::i18n::Tr;
use crate::shared::routes::{Describe, Routes};
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use zeren_core::policy::{PackDiff, Policies, PolicyPack};

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/policies/load",
            Describe::auth(
                "policies",
                "Upload a new policy version to see what it would change before adopting it",
            )
            .query(&[("loaded", "A version just loaded, to confirm")]),
            adopt::load_form,
        )
        .post(
            "/policies/load",
            Describe::auth(
                "policies",
                "What an uploaded version (multipart, field `file`) would change: its text against the version it supersedes and the ledger's obligations per org and duty; stores nothing",
            )
            .multipart(),
            adopt::preview.layer(DefaultBodyLimit::max(adopt::PACK_MAX + 64 * 1024)),
        )
        .post(
            "/policies/adopt",
            Describe::auth(
                "policies",
                "Adopt a previewed version (form: `source` and its `sha256`), parsed and checked again; 303 to the upload page confirming it",
            ),
            adopt::adopt,
        )
        .get(
            "/policies/{id}",
            Describe::auth("policies", "Policy viewer"),
            pages::policy,
        )
        .get(
            "/policies/{id}/diff",
            Describe::auth(
                "policies",
                "What a version says differently from another version of its series",
            )
            .query(DIFF_QUERY),
            pages::diff,
        )
}

const DIFF_QUERY: &[(&str, &str)] = &[(
    "from",
    "The version compared with (same series; default: the one before)",
)];

/// `?from=`: the version to compare with.
#[derive(serde::Deserialize, Default, Debug)]
pub struct DiffQuery {
    from: Option<String>,
}

/// The version `to` is compared with and what it says differently: `from` when given (of the
/// same series, not `to` itself), else the version before `to`; `None` when `to` is the first
/// and nothing was asked.
fn compared<'a>(
    set: &'a Policies,
    to: &'a PolicyPack,
    from: Option<&str>,
    tr: Tr,
) -> Result<Option<(&'a PolicyPack, PackDiff)>, ApiError> {
    let from = match from.map(str::trim).filter(|s| !s.is_empty()) {
        Some(f) => Some(set.other_version(&to.meta, f).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Validation,
                format!("from：{}", tr.tf("policy.diff.bad_from", &[("id", f)])),
            )
        })?),
        None => set.previous(&to.meta),
    };
    Ok(from.map(|f| (f, PackDiff::between(f, to))))
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
        .get(
            "/policies/{id}/diff",
            Describe::auth(
                "policies",
                "What a version says differently from another of its series: {id, from, diff} with articles (character diff), duties, post kinds, portfolios, grounds; from and diff are null for a first version asked without from",
            )
            .query(DIFF_QUERY),
            api::get_diff,
        )
}
