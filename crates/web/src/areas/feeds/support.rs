//! What feeds, search and the export share: the feed path, the scope filter, statuses.

use super::*;

pub(super) fn not_found_page(tr: Tr) -> Response {
    error_page(
        tr,
        ErrorCode::PageNotFound,
        "error.not_found.title",
        tr.t("error.not_found.text").to_string(),
    )
}

pub(super) fn internal_page(tr: Tr, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "feeds: request failed");
    error_page(
        tr,
        ErrorCode::Internal,
        "error.internal.title",
        tr.t("error.internal").to_string(),
    )
}

pub(super) fn internal_api(tr: Tr, e: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "feeds: request failed");
    ApiError::new(ErrorCode::Internal, tr.t("error.internal").to_string())
}

/// `https://host` (or `http://`) of the request, from its Host header.
pub(super) fn origin_of(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        })
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

pub(super) fn feed_path(secret: &str) -> String {
    format!("/calendar/{secret}.ics")
}

/// Every org the viewer may read: `None` when that is every org (no filter needed).
pub(super) fn readable_orgs(v: &Viewer) -> Option<Vec<String>> {
    let ids = crate::shared::access::readable_orgs(v);
    (ids.len() < v.snap.model.orgs().len()).then_some(ids)
}

pub(super) fn status_key(s: ObligationStatus) -> &'static str {
    match s {
        ObligationStatus::Upcoming => "feeds.status.upcoming",
        ObligationStatus::DueSoon => "feeds.status.due_soon",
        ObligationStatus::Overdue => "feeds.status.overdue",
        ObligationStatus::Done => "feeds.status.done",
        ObligationStatus::Waived => "feeds.status.waived",
    }
}
