//! The policy pages: the landing page's list of policies and one policy version in full.

use super::views::{DiffView, PolicyRow, PolicyView};
use super::{DiffQuery, compared};
use crate::AppState;
use crate::shared::auth::PageViewer;
use crate::shared::error::{ErrorCode, classify};
use crate::shared::extract::{Path, Query, Rejected};
use crate::shared::frame::{Frame, error_page, page, storage_error_page};
use crate::shared::i18n::Tr;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    frame: Frame,
    tr: Tr,
    policies: Vec<PolicyRow>,
}

#[derive(Template)]
#[template(path = "policy_diff.html")]
struct DiffPage {
    frame: Frame,
    tr: Tr,
    d: Option<DiffView>,
    title: String,
    id: String,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    frame: Frame,
    tr: Tr,
    p: PolicyView,
}

// The landing page is public and shows the policies to everyone: the policy itself is a
// public document of the organisation.
/// `GET /` — what Zeren is, and the loaded policies.
pub async fn index(State(state): State<AppState>, tr: Tr) -> Response {
    let today = state.clock.today();
    match state.current_snapshot().await {
        Ok(snap) => page(
            StatusCode::OK,
            &IndexPage {
                frame: Frame::new(),
                tr,
                policies: snap
                    .policies
                    .iter()
                    .map(|p| PolicyRow::new(p, &snap.set, today, tr))
                    .collect(),
            },
        ),
        Err(err) => storage_error_page(tr, classify(&err, ErrorCode::Internal)),
    }
}

/// `GET /policies/{id}` — one policy version in full.
pub async fn policy(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
) -> Response {
    let tr = v.tr;
    if !v
        .principal
        .can_somewhere(zeren_core::access::Permission::ReadPolicy)
    {
        return error_page(
            tr,
            ErrorCode::Forbidden,
            "error.forbidden.title",
            tr.t("error.forbidden").to_string(),
        );
    }
    match v.snap.policy(&id) {
        Ok(stored) => page(
            StatusCode::OK,
            &PolicyPage {
                frame: Frame::of(&state, Some(&v)),
                tr,
                p: PolicyView::new(stored, &v.snap.set, state.clock.today(), tr),
            },
        ),
        Err(err) => match classify(&err, ErrorCode::PolicyNotFound) {
            ErrorCode::PolicyNotFound => error_page(
                tr,
                ErrorCode::PolicyNotFound,
                "error.policy_not_found.title",
                tr.tf("error.policy_not_found", &[("id", &id)]),
            ),
            code => storage_error_page(tr, code),
        },
    }
}

/// `GET /policies/{id}/diff?from=…` — what this version says differently from another version
/// of its series (by default the one before it).
pub async fn diff(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    q: Result<Query<DiffQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if !v
        .principal
        .can_somewhere(zeren_core::access::Permission::ReadPolicy)
    {
        return error_page(
            tr,
            ErrorCode::Forbidden,
            "error.forbidden.title",
            tr.t("error.forbidden").to_string(),
        );
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let set = &v.snap.set;
    let Some(to) = set.get(&id) else {
        return error_page(
            tr,
            ErrorCode::PolicyNotFound,
            "error.policy_not_found.title",
            tr.tf("error.policy_not_found", &[("id", &id)]),
        );
    };
    let today = state.clock.today();
    let d = match compared(set, to, q.from.as_deref(), tr) {
        Ok(Some((from, diff))) => Some(DiffView::new(&diff, &from.meta, &to.meta, set, today, tr)),
        Ok(None) => None,
        Err(e) => return error_page(tr, ErrorCode::Validation, "error.input.title", e.message),
    };
    page(
        StatusCode::OK,
        &DiffPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            d,
            title: to.meta.title.clone(),
            id: to.meta.id.clone(),
        },
    )
}
