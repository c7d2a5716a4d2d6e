//! Matrix entries of the obligations area.
//!
//! An obligation is named by its key (`duty/subject kind/subject/period`, percent-encoded into
//! one path segment): the college's annual dedicated study of 2026. A branch owes no such thing,
//! so inside a branch's scope it answers 404 like any missing obligation. Writes carry bodies
//! that fail validation or stale versions, so the demo is not changed for the other entries.

use crate::common::matrix::{Caller, Expect, Scope, business_read, is_admin};

const ITEM: &str = "/obligations/annual-dedicated-study%2Forg%2F{org_id}%2F2026";
const API_ITEM: &str = "/api/v1/obligations/annual-dedicated-study%2Forg%2F{org_id}%2F2026";
const API_WAIVER: &str =
    "/api/v1/obligations/annual-dedicated-study%2Forg%2F{org_id}%2F2026/waiver";
const API_APPROVE: &str =
    "/api/v1/obligations/annual-dedicated-study%2Forg%2F{org_id}%2F2026/waiver/approve";
const API_REJECT: &str =
    "/api/v1/obligations/annual-dedicated-study%2Forg%2F{org_id}%2F2026/waiver/reject";
const API_HANDLER: &str =
    "/api/v1/obligations/annual-dedicated-study%2Forg%2F{org_id}%2F2026/handler";
const HANDLER: &str = "/obligations/annual-dedicated-study%2Forg%2F{org_id}%2F2026/handler";
const WAIVER: &str = "/obligations/annual-dedicated-study%2Forg%2F{org_id}%2F2026/waiver";
const APPROVE: &str = "/obligations/annual-dedicated-study%2Forg%2F{org_id}%2F2026/waiver/approve";
const REJECT: &str = "/obligations/annual-dedicated-study%2Forg%2F{org_id}%2F2026/waiver/reject";

/// Reading one obligation: as a business read, except that a branch owes no annual study.
fn read_item(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            Caller::Role("branch") => 404,
            _ => 200,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 303,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            Caller::Role("branch") => 404,
            _ => 200,
        }
    }
}

/// A write only the first responsible person may make on the college's annual study (it is
/// their own duty: no leader's portfolio holds it and nobody is named its handler in the demo):
/// `OK` (422 for a bad body, 409 for a stale version) for the secretary, 403 for everyone else
/// who reads it. Who acts within a portfolio or as a named handler: `matrix/acting.rs`.
fn first_responsible_only<const OK: u16>(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            Caller::Role("branch") => 404,
            Caller::Role("secretary") => OK,
            _ => 403,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            Caller::Role("branch") => 404,
            Caller::Role("secretary") => OK,
            _ => 403,
        }
    }
}

pub fn expectations() -> Vec<Expect> {
    vec![
        // Pages.
        Expect::scoped(
            "GET",
            "/obligations",
            "/obligations?org={org}",
            business_read(false),
        ),
        Expect::scoped("GET", "/obligations/{id}", ITEM, read_item(false)),
        Expect::scoped(
            "POST",
            "/obligations/{id}/handler",
            HANDLER,
            first_responsible_only::<409>(false),
        )
        .body("version=0&handler="),
        Expect::scoped(
            "POST",
            "/obligations/{id}/waiver",
            WAIVER,
            first_responsible_only::<422>(false),
        )
        .body("version=1&reason="),
        Expect::scoped(
            "POST",
            "/obligations/{id}/waiver/approve",
            APPROVE,
            first_responsible_only::<409>(false),
        )
        .body("version=0"),
        Expect::scoped(
            "POST",
            "/obligations/{id}/waiver/reject",
            REJECT,
            first_responsible_only::<409>(false),
        )
        .body("version=0"),
        Expect::scoped(
            "GET",
            "/dashboard",
            "/dashboard?org={org}",
            business_read(false),
        ),
        // API.
        Expect::scoped(
            "GET",
            "/api/v1/obligations",
            "/api/v1/obligations?org={org}",
            business_read(true),
        ),
        Expect::scoped("GET", "/api/v1/obligations/{id}", API_ITEM, read_item(true)),
        Expect::scoped(
            "POST",
            "/api/v1/obligations/{id}/handler",
            API_HANDLER,
            first_responsible_only::<409>(true),
        )
        .body(r#"{"version":0,"handler":null}"#),
        Expect::scoped(
            "POST",
            "/api/v1/obligations/{id}/waiver",
            API_WAIVER,
            first_responsible_only::<422>(true),
        )
        .body(r#"{"version":1,"reason":""}"#),
        Expect::scoped(
            "POST",
            "/api/v1/obligations/{id}/waiver/approve",
            API_APPROVE,
            first_responsible_only::<409>(true),
        )
        .body(r#"{"version":0}"#),
        Expect::scoped(
            "POST",
            "/api/v1/obligations/{id}/waiver/reject",
            API_REJECT,
            first_responsible_only::<409>(true),
        )
        .body(r#"{"version":0}"#),
        Expect::scoped(
            "GET",
            "/api/v1/dashboard",
            "/api/v1/dashboard?org={org}",
            business_read(true),
        ),
    ]
}
