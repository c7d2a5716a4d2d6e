//! Orgs, people, posts and handovers, and "who was responsible" (Art.3): the pages and the
//! JSON API.
//!
//! Reads come from the viewer's in-memory snapshot of the org model, so scope checks are
//! nearly free; writes go through storage, which audits them. Every org, post or person that
//! lies outside the viewer's scope answers exactly like one that does not exist (404), so
//! nothing leaks about other orgs; administrators hold no business permission (403).

use crate::AppState;
use crate::shared::access::require;
use crate::shared::access::{Refusal, scope_roots};
use crate::shared::auth::{ApiViewer, PageViewer, Viewer, redirect};
use crate::shared::error::{ApiError, ErrorCode, generic_message};
use crate::shared::extract::{Input, JsonBody, Path, Query, Rejected};
use crate::shared::format::{anchor, date, person_name, platform_kind_name};
use crate::shared::frame::{Frame, error_page, forbidden_page, page, storage_page};
use crate::shared::i18n::Tr;
use crate::shared::pager::Pager;
use crate::shared::routes::{Describe, Routes};
use crate::shared::urls::{encode, href_with, with_lang};
use askama::Template;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use zeren_core::Citation;
use zeren_core::access::Permission;
use zeren_core::org::{
    Holding, HoldingError, Org, OrgModel, Person, Platform, Post, PostError, TreeError, is_code,
    plan_handover,
};
use zeren_core::period::sub_days;
use zeren_core::policy::PolicyPack;
use zeren_core::responsibility::{Answer, Reason, ResolveError, Target, resolve};
use zeren_core::vocab::{OrgKind, PlatformKind};
use zeren_storage::{NewOrg, OrgEdit, StorageError};

mod access;
mod api;
mod appoint;
mod assignments;
mod catalog;
mod dates;
mod errors;
mod handover;
mod holding_form;
mod names;
mod org;
mod people;
mod person_forms;
mod post_close;
mod shapes;
mod start;
mod tree;
mod tree_forms;
mod who;

use access::*;
use api::*;
use appoint::*;
use assignments::*;
use dates::*;
use errors::*;
use handover::*;
use holding_form::*;
use names::*;
use org::*;
use people::*;
use person_forms::*;
use post_close::*;
use shapes::*;
use start::*;
use tree::*;
use tree_forms::*;
use who::*;

pub use catalog::CATALOG;
pub use person_forms::{person_message, staff_no_taken_message};

/// A post the policy does not allow there, told in `lang` (for the command line).
pub fn post_message(lang: zeren_core::Lang, pack: &PolicyPack, e: &PostError) -> String {
    let (field, message) = post_error(Tr::preferred(lang), pack, e);
    format!("{field}: {message}")
}

/// A holding that breaks the rules of holdings, told in `lang` (for the command line).
pub fn holding_message(lang: zeren_core::Lang, e: &HoldingError) -> String {
    let (field, message) = appointment_error(Tr::preferred(lang), e);
    format!("{field}: {message}")
}

/// A broken rule of the org tree told in `lang`, from the same catalogue the pages use (for the
/// command line).
pub fn tree_message(lang: zeren_core::Lang, e: &TreeError) -> String {
    let (field, message) = tree_error(Tr::preferred(lang), e, false);
    format!("{field}: {message}")
}

/// Rows per page of every list, on pages and in the API.
pub const PER_PAGE: usize = 50;

// ------------------------------------------------------------------------------------------
// Routes
// ------------------------------------------------------------------------------------------

const LIST_QUERY: &[(&str, &str)] = &[
    ("sort", "name | code (default code)"),
    ("page", "Page number, from 1; 50 rows a page"),
];

const PEOPLE_QUERY: &[(&str, &str)] = &[
    ("org", "Org code or id: people of its subtree"),
    ("q", "Part of the name"),
    ("sort", "name (default) | code (org code)"),
    ("page", "Page number, from 1; 50 rows a page"),
];

const WHO_QUERY: &[(&str, &str)] = &[
    ("org", "Org code or id"),
    ("duty", "Duty id of the policy pack"),
    ("portfolio", "Portfolio id (instead of a duty)"),
    ("platform", "Platform code, for duties owed per platform"),
    ("at", "Day, YYYY-MM-DD (default today)"),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/orgs",
            Describe::auth("orgs", "The org tree within the caller's scope").query(LIST_QUERY),
            orgs_page,
        )
        .get(
            "/orgs/{code}",
            Describe::auth(
                "orgs",
                "One org: posts, holders past and present, platforms",
            )
            .query(LIST_QUERY),
            org_page,
        )
        .get(
            "/orgs/{code}/children/new",
            Describe::auth("orgs", "Form: a new org under this one"),
            new_child_form,
        )
        .post(
            "/orgs/{code}/children/new",
            Describe::auth("orgs", "Create an org under this one"),
            new_child_submit,
        )
        .get(
            "/orgs/{code}/edit",
            Describe::auth(
                "orgs",
                "Form: rename the org or move it under another parent",
            ),
            edit_form,
        )
        .post(
            "/orgs/{code}/edit",
            Describe::auth("orgs", "Rename the org or move it"),
            edit_submit,
        )
        .get(
            "/orgs/{code}/close",
            Describe::auth("orgs", "Form: close the org on a day"),
            close_form,
        )
        .post(
            "/orgs/{code}/close",
            Describe::auth("orgs", "Close the org on a day"),
            close_submit,
        )
        .get(
            "/orgs/{code}/reopen",
            Describe::auth("orgs", "Form: reopen a closed org"),
            reopen_form,
        )
        .post(
            "/orgs/{code}/reopen",
            Describe::auth("orgs", "Reopen a closed org"),
            reopen_submit,
        )
        .get(
            "/orgs/{code}/start",
            Describe::auth(
                "orgs",
                "Getting started: what the org's subtree still lacks (colleges, holders, portfolio leaders, duties passing up)",
            ),
            start_page,
        )
        .get(
            "/orgs/{code}/posts/new",
            Describe::auth("orgs", "Form: set up a post in the org"),
            new_post_form,
        )
        .post(
            "/orgs/{code}/posts/new",
            Describe::auth("orgs", "Set up a post in the org"),
            new_post_submit,
        )
        .get(
            "/orgs/{code}/posts/{post_id}/appoint",
            Describe::auth("orgs", "Form: appoint a holder to a post"),
            appoint_form,
        )
        .post(
            "/orgs/{code}/posts/{post_id}/appoint",
            Describe::auth("orgs", "Appoint a holder to a post"),
            appoint_submit,
        )
        .get(
            "/orgs/{code}/posts/{post_id}/portfolios",
            Describe::auth(
                "orgs",
                "A leadership post's portfolio assignments, with forms",
            ),
            portfolios_form,
        )
        .post(
            "/orgs/{code}/posts/{post_id}/portfolios",
            Describe::auth(
                "orgs",
                "Assign a portfolio to a holder of a leadership post",
            ),
            portfolios_submit,
        )
        .post(
            "/orgs/{code}/posts/{post_id}/portfolios/end",
            Describe::auth(
                "orgs",
                "End a portfolio assignment, or correct its end with a reason",
            ),
            portfolios_end_submit,
        )
        .get(
            "/orgs/{code}/posts/{post_id}/close",
            Describe::auth(
                "orgs",
                "Form: close an open post on a day (its last day), or reopen a closed one, with the version shown",
            ),
            post_close_form,
        )
        .post(
            "/orgs/{code}/posts/{post_id}/close",
            Describe::auth(
                "orgs",
                "Close a post on a day; refused while someone holds it after that day (end the holding first); 409 on a stale version",
            ),
            post_close_submit_page,
        )
        .post(
            "/orgs/{code}/posts/{post_id}/reopen",
            Describe::auth(
                "orgs",
                "Reopen a closed post (in an open org); 409 on a stale version",
            ),
            post_reopen_submit_page,
        )
        .get(
            "/orgs/{code}/posts/{post_id}/holdings/{holding_id}",
            Describe::auth(
                "orgs",
                "Form: end a holding, or correct its days with a reason, with the version shown",
            ),
            holding_form,
        )
        .post(
            "/orgs/{code}/posts/{post_id}/holdings/{holding_id}",
            Describe::auth(
                "orgs",
                "End a holding (its last day), or correct its days with a reason kept in the audit log; 409 on a stale version",
            ),
            holding_submit,
        )
        .get(
            "/orgs/{code}/posts/{post_id}/handover",
            Describe::auth("orgs", "Handover form of a single-holder post"),
            handover_form,
        )
        .post(
            "/orgs/{code}/posts/{post_id}/handover",
            Describe::auth("orgs", "Hand a post over"),
            handover_submit,
        )
        .get(
            "/people",
            Describe::auth("people", "People within the caller's scope").query(PEOPLE_QUERY),
            people_page,
        )
        .get(
            "/people/{id}",
            Describe::auth(
                "people",
                "One person: org, staff number, contact, posts held with their days, leaving",
            ),
            person_page,
        )
        .get(
            "/people/{id}/edit",
            Describe::auth(
                "people",
                "Form: a person's name, staff number, email and WeCom/DingTalk user ids",
            ),
            person_edit_form,
        )
        .post(
            "/people/{id}/edit",
            Describe::auth(
                "people",
                "Edit a person's name, staff number, email and WeCom/DingTalk user ids",
            ),
            person_edit_submit,
        )
        .get(
            "/people/{id}/leave",
            Describe::auth(
                "people",
                "Form: the day a person leaves, with the holdings it ends",
            ),
            person_leave_form,
        )
        .post(
            "/people/{id}/leave",
            Describe::auth(
                "people",
                "A person leaves on a day: their posts and portfolios still held after it end that day",
            ),
            person_leave_submit,
        )
        .get(
            "/orgs/{code}/people/new",
            Describe::auth("people", "Form: add a person to the org"),
            new_person_form,
        )
        .post(
            "/orgs/{code}/people/new",
            Describe::auth("people", "Add a person to the org"),
            new_person_submit,
        )
        .get(
            "/who",
            Describe::auth("responsibility", "Who was responsible: form and answer")
                .query(WHO_QUERY),
            who_page,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/orgs",
            Describe::auth("orgs", "Orgs within the caller's scope, parents before children")
                .query(&[
                    ("q", "Part of the name or code"),
                    ("sort", "name | code (default code)"),
                    ("page", "Page number, from 1; 50 rows a page"),
                ]),
            api_orgs,
        )
        .post(
            "/orgs",
            Describe::auth(
                "orgs",
                "Create an org under a parent the caller manages: {code, name, kind, parent}",
            ),
            api_create_org,
        )
        .get(
            "/orgs/{id}",
            Describe::auth(
                "orgs",
                "One org (id or code) with its version, children, posts and current holders",
            ),
            api_org,
        )
        .patch(
            "/orgs/{id}",
            Describe::auth(
                "orgs",
                "Rename, move, close or reopen an org: {version, name?, parent?, closed_on? (a day closes it, null reopens it)}; 409 on a stale version",
            ),
            api_update_org,
        )
        .get(
            "/people",
            Describe::auth("people", "People within the caller's scope").query(PEOPLE_QUERY),
            api_people,
        )
        .post(
            "/people",
            Describe::auth(
                "people",
                "Add a person to an org the caller manages: {name, org, staff_no?, email?, wecom_id?, dingtalk_id?}; a staff number (工号) is 1–32 ASCII letters, digits, - or _, unique (409 when taken)",
            ),
            api_create_person,
        )
        .get(
            "/people/{id}",
            Describe::auth(
                "people",
                "One person with their version: org, staff_no, email, wecom_id, dingtalk_id, left_on, and every holding with its days",
            ),
            api_person,
        )
        .patch(
            "/people/{id}",
            Describe::auth(
                "people",
                "Edit a person the caller manages: {version, name?, org? (the caller must manage it too), staff_no? (null clears), email?, wecom_id?, dingtalk_id?, left_on? (a day: the person leaves, their posts and portfolios still held after it end that day; null: back, nothing reopens)}; 409 on a stale version or a taken staff number, 422 naming the field",
            ),
            api_update_person,
        )
        .get(
            "/posts",
            Describe::auth("orgs", "Posts with their current holders").query(&[
                ("org", "Org code or id (default: every org in scope)"),
                ("page", "Page number, from 1; 50 rows a page"),
            ]),
            api_posts,
        )
        .get(
            "/holdings",
            Describe::auth("orgs", "The holding history of a post, oldest first").query(&[
                ("post", "Post id (required)"),
                ("page", "Page number, from 1; 50 rows a page"),
            ]),
            api_holdings,
        )
        .post(
            "/posts",
            Describe::auth(
                "orgs",
                "Set up a post in an org the caller manages: {org, kind (a post kind of the policy for the org's kind), title?, portfolios? (leadership posts)}",
            ),
            api_create_post,
        )
        .patch(
            "/posts/{id}",
            Describe::auth(
                "orgs",
                "Close or reopen a post: {version, closed_on? (a day closes it: its last day, today or before; null reopens it, and leaves an open one open)}; closing is refused (422) while someone holds the post after that day — end the holding first; a closed post takes no holder after its closing day; 409 on a stale version",
            ),
            api_update_post,
        )
        .patch(
            "/holdings/{id}",
            Describe::auth(
                "orgs",
                "End a holding or correct its dates: {version, start?, end? (null: open again), reason? (required for a correction, kept in the audit log)}; 409 on a stale version; the holder's portfolio assignments end with it",
            ),
            api_update_holding,
        )
        .post(
            "/holdings",
            Describe::auth(
                "orgs",
                "Appoint a holder to a post: {post, person, start, end?}; a single-holder post takes one holder a day",
            ),
            api_appoint,
        )
        .get(
            "/portfolio-assignments",
            Describe::auth(
                "orgs",
                "An org's portfolio assignments (分管 with dates), by post and start",
            )
            .query(&[
                ("org", "Org code or id (required)"),
                ("at", "Day, YYYY-MM-DD: only those in force that day"),
                ("page", "Page number, from 1; 50 rows a page"),
            ]),
            api_assignments,
        )
        .post(
            "/portfolio-assignments",
            Describe::auth(
                "orgs",
                "Assign a portfolio to a holding of a leadership post: {holding, portfolio, start, end?}; one leader of an org holds a portfolio on a day",
            ),
            api_assign,
        )
        .patch(
            "/portfolio-assignments/{id}",
            Describe::auth(
                "orgs",
                "End or correct a portfolio assignment: {version, start?, end? (null: open again), reason? (required for a correction)}; 409 on a stale version",
            ),
            api_update_assignment,
        )
        .post(
            "/posts/{id}/handover",
            Describe::auth(
                "orgs",
                "Hand a single-holder post over: {person, on}; answers both holdings",
            ),
            api_handover,
        )
        .get(
            "/responsibility",
            Describe::auth(
                "responsibility",
                "Who was responsible for a duty or portfolio in an org on a day, with the chain of reasons",
            )
            .query(WHO_QUERY),
            api_responsibility,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_opens_and_closes_lists() {
        // 0, 1, 2, 1, 0: open twice, close one level, then another.
        let (marks, tail) = nesting(&[0, 1, 2, 1, 0]);
        assert_eq!(
            marks,
            vec![
                (false, 0, false, 0),
                (false, 0, true, 0),
                (false, 0, true, 0),
                (true, 1, false, 0),
                (true, 1, false, 0),
            ]
        );
        assert_eq!(tail, 0);
        // A page starting deep in the tree opens container items.
        let (marks, tail) = nesting(&[2, 3, 1]);
        assert_eq!(
            marks,
            vec![
                (false, 0, false, 1),
                (false, 0, true, 0),
                (true, 2, false, 0)
            ]
        );
        assert_eq!(tail, 0);
        let (_, tail) = nesting(&[0, 1, 2]);
        assert_eq!(tail, 2);
    }

    #[test]
    fn pages_and_links() {
        let rows: Vec<usize> = (0..120).collect();
        assert_eq!(page_of(&rows, 1).len(), 50);
        assert_eq!(page_of(&rows, 3), &rows[100..]);
        assert!(page_of(&rows, 9).is_empty());
        assert_eq!(parse_page(None), Some(1));
        assert_eq!(parse_page(Some("0")), None);
        assert_eq!(parse_page(Some("x")), None);
        let tr = Tr::preferred(zeren_core::Lang::Zh);
        let p = Pager::new(
            "/people",
            &[("q", "王"), ("sort", "name")],
            2,
            120,
            PER_PAGE,
            tr,
        );
        assert_eq!(p.pages, 3);
        assert_eq!(
            p.prev.as_deref(),
            Some("/people?q=%E7%8E%8B&sort=name&page=1")
        );
        assert_eq!(
            p.next.as_deref(),
            Some("/people?q=%E7%8E%8B&sort=name&page=3")
        );
    }

    #[test]
    fn vocabulary_keys_exist() {
        let zh: std::collections::HashSet<&str> = catalog::ZH.iter().map(|(k, _)| *k).collect();
        for k in OrgKind::ALL {
            assert!(
                zh.contains(format!("orgs.kind.{}", k.as_str()).as_str()),
                "{k}"
            );
        }
    }

    #[test]
    fn days_are_strict() {
        assert!(parse_day("2026-07-01").is_some());
        assert!(parse_day("2026-7-1").is_none());
        assert!(parse_day("2026-13-01").is_none());
        assert!(parse_day("").is_none());
    }
}
