//! Calendar feeds, search and the ledger export: the ways the ledger leaves Zeren.
//!
//! - `GET /calendar/{token}.ics` — a person's obligations (those they are responsible for on the
//!   due date, this year and next) as all-day events with alarms. No session: the secret token
//!   in the URL is the credential; only its hash is stored, so the address is shown once, when
//!   it is made (`/calendar`, or `POST /api/v1/calendar/token`). Rotating revokes the old one.
//! - `GET /search` and `GET /api/v1/search` — records and obligations within the viewer's read
//!   scope (trigram index; LIKE for one- and two-character words).
//! - `GET /orgs/{code}/ledger.xlsx?year=` — the ledger (台账) of an org subtree.

use crate::AppState;
use crate::shared::auth::{ApiViewer, PageViewer, Viewer};
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::extract::{Path, Query, Rejected};
use crate::shared::format::minute;
use crate::shared::frame::{Frame, error_page, forbidden_page, page};
use crate::shared::i18n::Tr;
use crate::shared::routes::{Describe, Routes};
use crate::shared::snapshot::Snapshot;
use crate::shared::urls::encode;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use zeren_core::Lang;
use zeren_core::access::Permission;
use zeren_core::access::{Act, is_theirs};
use zeren_core::obligation::{ObligationStatus, status_on};
use zeren_exports::ics;
use zeren_storage::User;
use zeren_storage::repo::feeds::{SearchHit, SearchQuery, search_terms};

mod calendar;
mod catalog;
mod ledger;
mod search;
mod support;

use calendar::*;
use ledger::*;
use search::*;
use support::*;

pub use calendar::{FeedStatus, feed_status};
pub use catalog::CATALOG;

/// Results per page of a search.
pub const SEARCH_PER_PAGE: i64 = 20;
/// Alarms of every feed event, in days before the due date.
pub const ALARM_DAYS: [u32; 2] = [7, 1];

const SEARCH_QUERY: &[(&str, &str)] = &[
    (
        "q",
        "Words to find (all must match; 1–2 characters use LIKE, 3+ the trigram index)",
    ),
    ("page", "Page number, from 1; 20 results a page"),
];

// ------------------------------------------------------------------------------------------
// Routes
// ------------------------------------------------------------------------------------------

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/calendar",
            Describe::auth("feeds", "My calendar feed: whether it is on, how to subscribe"),
            calendar_page,
        )
        .post(
            "/calendar",
            Describe::auth(
                "feeds",
                "Make a new calendar feed address (shown once; the old one stops working)",
            ),
            calendar_rotate,
        )
        .get(
            "/calendar/{feed}",
            Describe::public(
                "feeds",
                "A person's obligations as iCalendar: /calendar/{token}.ics (the token is the credential)",
            ),
            calendar_feed,
        )
        .get(
            "/search",
            Describe::auth("search", "Search records and obligations within the caller's scope")
                .query(SEARCH_QUERY),
            search_page,
        )
        .get(
            "/orgs/{code}/ledger.xlsx",
            Describe::auth("ledger", "The ledger (台账) of an org subtree for a year, as xlsx")
                .query(&[("year", "Year (default: this year)")]),
            ledger_download,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/search",
            Describe::auth(
                "search",
                "Search records and obligations within the caller's scope",
            )
            .query(SEARCH_QUERY),
            api_search,
        )
        .post(
            "/calendar/token",
            Describe::auth(
                "feeds",
                "Make a new calendar feed address for the caller (returned once; the old one stops working)",
            ),
            api_rotate,
        )
}
