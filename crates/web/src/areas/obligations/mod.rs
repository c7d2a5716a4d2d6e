//! The duties ledger: obligations with their status and the person responsible on the due date,
//! waivers decided by the first responsible person, the dashboard of an org subtree (charts drawn
//! as SVG here, no chart library), and the background sync that keeps the obligations in step
//! with the policy and the org model.
//!
//! Statuses are computed, never stored: the database filters and counts by state and due date
//! with the same day bounds as `zeren_core::obligation::status_on`, so lists filter before they
//! page and the dashboard counts with one grouped query instead of row by row. The person
//! responsible is resolved in memory from the viewer's snapshot of the org model. An obligation
//! of an org outside the viewer's scope answers 404 like a missing one; administrators get 403.

use crate::AppState;
use crate::shared::access::{Refusal, acts_on, names_handler, read_gate, scope_roots};
use crate::shared::auth::{ApiViewer, PageViewer, Snapshot, Viewer, redirect};
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::extract::{Input, JsonBody, Path, Query, Rejected};
use crate::shared::format::{article_href, date, evidence_name};
use crate::shared::format::{minute, person_name};
use crate::shared::frame::{Frame, page};
use crate::shared::i18n::Tr;
use crate::shared::pager::Pager;
use crate::shared::routes::{Describe, Routes};
use crate::shared::state::FollowsWrites;
use crate::shared::urls::{encode, href_with, with_lang};
use askama::Template;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use zeren_core::Citation;
use zeren_core::access::{Permission, handler_choices};
use zeren_core::obligation::ObligationStatus;
use zeren_core::org::{Org, OrgModel};
use zeren_core::policy::{Policies, PolicyPack};
use zeren_core::records::RECORD_KINDS;
use zeren_core::responsibility::{Answer, NamedRef, Target, resolve};
use zeren_storage::repo::obligations::{
    ObligationFilter, ObligationSort, OrgAggregate, Rollup, STATUSES, StatusClock, StatusCounts,
    Waiver, WaiverState, YearRows, parse_status,
};
use zeren_storage::{StorageError, StoredObligation};

mod access;
mod api;
mod catalog;
mod charts;
mod dashboard;
mod figures;
mod handlers;
mod pages;
mod views;
mod waivers;

use access::*;
use api::*;
use charts::*;
use dashboard::*;
use figures::*;
use handlers::*;
use pages::*;
use views::*;
use waivers::*;

pub(crate) use api::obligations_of;
pub use catalog::CATALOG;

/// Rows per page of the obligation lists, on pages and in the API.
pub const PER_PAGE: usize = 50;
/// Overdue obligations listed on the dashboard (the rest are a click away).
const OVERDUE_LIST: usize = 20;

// ------------------------------------------------------------------------------------------
// Routes
// ------------------------------------------------------------------------------------------

const LIST_QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: obligations of its subtree (default: every org in the caller's scope)",
    ),
    (
        "own",
        "1: only the org's own obligations, not those below it",
    ),
    ("year", "Year (default: this year in Asia/Shanghai)"),
    (
        "status",
        "upcoming | due_soon | overdue | done | waived (several separated by commas)",
    ),
    ("duty", "Duty id (of any loaded policy series)"),
    (
        "series",
        "Policy series: only that responsibility system's duties",
    ),
    ("month", "Due in this month, YYYY-MM"),
    ("done_month", "Done in this month, YYYY-MM"),
    ("sort", "due (default) | -due | org | duty | status"),
    ("page", "Page number, from 1; 50 rows a page"),
];

const DASHBOARD_QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id (default: the widest org of the caller's scope)",
    ),
    ("year", "Year (default: this year in Asia/Shanghai)"),
    (
        "series",
        "Policy series: count only that responsibility system (default: all systems)",
    ),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/obligations",
            Describe::auth(
                "obligations",
                "Obligations of an org subtree: filters, sorting, pages",
            )
            .query(LIST_QUERY),
            list_page,
        )
        .get(
            "/obligations/{id}",
            Describe::auth(
                "obligations",
                "One obligation: duty, article, due date, status, who is responsible and why, evidence, waiver",
            ),
            item_page,
        )
        .post(
            "/obligations/{id}/handler",
            Describe::auth(
                "obligations",
                "Name, change or remove the handler (经办人): its first responsible person or the person responsible for it",
            ),
            handler_form,
        )
        .post(
            "/obligations/{id}/waiver",
            Describe::auth(
                "obligations",
                "Ask for a waiver (the first responsible person's request takes effect at once)",
            ),
            waiver_form,
        )
        .post(
            "/obligations/{id}/waiver/approve",
            Describe::auth(
                "obligations",
                "Approve the pending waiver (first responsible person)",
            ),
            approve_form,
        )
        .post(
            "/obligations/{id}/waiver/reject",
            Describe::auth(
                "obligations",
                "Reject the pending waiver (first responsible person)",
            ),
            reject_form,
        )
        .get(
            "/dashboard",
            Describe::auth(
                "dashboard",
                "Dashboard of an org subtree: completion, overdue, org x duty heat map, monthly trend",
            )
            .query(DASHBOARD_QUERY),
            dashboard_page,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/obligations",
            Describe::auth(
                "obligations",
                "Obligations of an org subtree with status, due date, citation and the person responsible on the due date",
            )
            .query(LIST_QUERY),
            api_list,
        )
        .get(
            "/obligations/{id}",
            Describe::auth(
                "obligations",
                "One obligation (id or key) with the chain of reasons, waivers and evidence",
            ),
            api_item,
        )
        .post(
            "/obligations/{id}/handler",
            Describe::auth(
                "obligations",
                "Name the handler (经办人) who keeps its records: {version, handler: person id | null}; by its first responsible person or the person responsible for it; the person must hold a post in its org or above it today; 409 on a stale version",
            ),
            api_handler,
        )
        .post(
            "/obligations/{id}/waiver",
            Describe::auth(
                "obligations",
                "Ask for a waiver: {version, reason}; by the first responsible person it is approved at once; 409 on a stale version",
            ),
            api_waiver,
        )
        .post(
            "/obligations/{id}/waiver/approve",
            Describe::auth(
                "obligations",
                "Approve the pending waiver: {version, note?}; first responsible person only",
            ),
            api_approve,
        )
        .post(
            "/obligations/{id}/waiver/reject",
            Describe::auth(
                "obligations",
                "Reject the pending waiver: {version, note?}; first responsible person only",
            ),
            api_reject,
        )
        .get(
            "/dashboard",
            Describe::auth(
                "dashboard",
                "Roll-up of an org subtree for a year: counts by status, completion rate, overdue list, org x duty matrix, monthly trend",
            )
            .query(DASHBOARD_QUERY),
            api_dashboard,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_cut_with_the_full_text_kept() {
        assert_eq!(short("短", 5), ("短".to_string(), None));
        let (s, full) = short("党员领导干部网络意识形态工作教育培训", 6);
        assert_eq!(s, "党员领导干…");
        assert_eq!(
            full.as_deref(),
            Some("党员领导干部网络意识形态工作教育培训")
        );
    }

    #[test]
    fn heat_classes() {
        let mut c = StatusCounts::default();
        assert_eq!(heat_class(&c), "hm hm-none");
        c.add(ObligationStatus::Done, 4);
        assert_eq!(heat_class(&c), "hm hm-ok4");
        c.add(ObligationStatus::Overdue, 1);
        assert_eq!(heat_class(&c), "hm hm-bad1");
        c.add(ObligationStatus::Overdue, 5);
        assert_eq!(heat_class(&c), "hm hm-bad3");
    }

    #[test]
    fn links_keep_the_language() {
        let tr = Tr::new(zeren_core::Lang::En);
        assert_eq!(
            href_with(
                "/obligations",
                &[("org", "cqu-mse".into()), ("duty", String::new())],
                tr
            ),
            "/obligations?org=cqu-mse&lang=en"
        );
    }
}
