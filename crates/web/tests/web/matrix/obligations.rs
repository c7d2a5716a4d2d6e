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

/// Asking for a waiver with an empty reason: 422 for those who keep the college's records.
fn request(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            Caller::Role("branch") => 404,
            Caller::Role("secretary" | "leader" | "staff") => 422,
            _ => 403,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            Caller::Role("branch") => 404,
            Caller::Role("secretary" | "leader" | "staff") => 422,
            _ => 403,
        }
    }
}

/// Deciding with a stale version: 409 for the first responsible person, 403 for everyone else.
fn decide(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            Caller::Role("branch") => 404,
            Caller::Role("secretary") => 409,
            _ => 403,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            Caller::Role("branch") => 404,
            Caller::Role("secretary") => 409,
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
        Expect::scoped("POST", "/obligations/{id}/waiver", WAIVER, request(false))
            .body("version=1&reason="),
        Expect::scoped(
            "POST",
            "/obligations/{id}/waiver/approve",
            APPROVE,
            decide(false),
        )
        .body("version=0"),
        Expect::scoped(
            "POST",
            "/obligations/{id}/waiver/reject",
            REJECT,
            decide(false),
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
            "/api/v1/obligations/{id}/waiver",
            API_WAIVER,
            request(true),
        )
        .body(r#"{"version":1,"reason":""}"#),
        Expect::scoped(
            "POST",
            "/api/v1/obligations/{id}/waiver/approve",
            API_APPROVE,
            decide(true),
        )
        .body(r#"{"version":0}"#),
        Expect::scoped(
            "POST",
            "/api/v1/obligations/{id}/waiver/reject",
            API_REJECT,
            decide(true),
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
