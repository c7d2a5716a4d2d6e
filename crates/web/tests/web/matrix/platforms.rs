//! Matrix entries of the platform registry.
//!
//! Writes are tried with bodies that fail validation, so the matrix checks who may reach each
//! write without changing the demo under the other entries. `{platform}` is a platform of the
//! org itself (for the branch, one the fixture enters for it).

use crate::common::matrix::{Caller, Expect, Scope, business_read, is_admin};

/// Accounts that keep the registry of their subtree (ManagePlatforms): the college secretary,
/// its office staff, its roster keeper and the branch secretary.
fn manages(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "staff" | "branch" | "keeper"))
}

/// A form or page of a platform (or for an org) that only keepers of the registry reach.
fn keeper_page(ok: u16) -> fn(Caller, Scope) -> u16 {
    match ok {
        200 => |c, s| match c {
            Caller::Anonymous => 303,
            c if is_admin(c) => 403,
            c if !manages(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 200,
        },
        _ => |c, s| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) => 403,
            c if !manages(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 422,
        },
    }
}

/// An API write with a bad field: 422 where the caller keeps the registry.
fn keeper_api(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 401,
        c if is_admin(c) => 403,
        c if !manages(c) => 403,
        _ if s == Scope::Outside => 404,
        _ => 422,
    }
}

/// A write on one platform: someone who cannot read it gets 404 before anything else.
fn platform_write(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            c if !manages(c) => 403,
            _ => 422,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            c if !manages(c) => 403,
            _ => 422,
        }
    }
}

/// The edit form of one platform.
fn platform_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if is_admin(c) => 403,
        _ if s == Scope::Outside => 404,
        c if !manages(c) => 403,
        _ => 200,
    }
}

pub fn expectations() -> Vec<Expect> {
    vec![
        Expect::plain("GET", "/platforms", business_read(false)),
        Expect::scoped(
            "GET",
            "/platforms/new",
            "/platforms/new?org={org}",
            keeper_page(200),
        ),
        Expect::scoped("POST", "/platforms/new", "/platforms/new", keeper_page(422))
            .body("org={org}&name=&kind=tiktok"),
        Expect::scoped(
            "GET",
            "/platforms/{id}",
            "/platforms/{platform}",
            business_read(false),
        ),
        Expect::scoped(
            "GET",
            "/platforms/{id}/edit",
            "/platforms/{platform}/edit",
            platform_form,
        ),
        Expect::scoped(
            "POST",
            "/platforms/{id}/edit",
            "/platforms/{platform}/edit",
            platform_write(false),
        )
        .body("version=0&name="),
        Expect::scoped(
            "POST",
            "/platforms/{id}/steps",
            "/platforms/{platform}/steps",
            platform_write(false),
        )
        .body("version=0&to=bogus&on=x&reason="),
        Expect::scoped(
            "POST",
            "/platforms/{id}/registration",
            "/platforms/{platform}/registration",
            platform_write(false),
        )
        .body("version=0&icp=bad&registered_on=bad"),
        Expect::scoped(
            "GET",
            "/platforms/{id}/review",
            "/platforms/{platform}/review",
            platform_form,
        ),
        Expect::scoped(
            "POST",
            "/platforms/{id}/review",
            "/platforms/{platform}/review",
            platform_write(false),
        )
        .body("date=x&outcome=bogus"),
        Expect::scoped(
            "POST",
            "/platforms/{id}/content",
            "/platforms/{platform}/content",
            platform_write(false),
        )
        .body("version=0&approver=nobody"),
        Expect::scoped(
            "POST",
            "/platforms/{id}/maintenance",
            "/platforms/{platform}/maintenance",
            platform_write(false),
        )
        .body("date=x&kind=bogus"),
        Expect::plain("GET", "/api/v1/platforms", business_read(true)),
        Expect::scoped("POST", "/api/v1/platforms", "/api/v1/platforms", keeper_api)
            .body(r#"{"org":"{org}","name":"","kind":"tiktok"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/platforms/{id}",
            "/api/v1/platforms/{platform}",
            business_read(true),
        ),
        Expect::scoped(
            "PATCH",
            "/api/v1/platforms/{id}",
            "/api/v1/platforms/{platform}",
            platform_write(true),
        )
        .body(r#"{"version":0,"name":""}"#),
        Expect::scoped(
            "POST",
            "/api/v1/platforms/{id}/steps",
            "/api/v1/platforms/{platform}/steps",
            platform_write(true),
        )
        .body(r#"{"version":0,"to":"bogus","on":"","reason":""}"#),
        Expect::scoped(
            "PUT",
            "/api/v1/platforms/{id}/registration",
            "/api/v1/platforms/{platform}/registration",
            platform_write(true),
        )
        .body(r#"{"version":0,"icp":"bad","registered_on":"bad"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/platforms/{id}/reviews",
            "/api/v1/platforms/{platform}/reviews",
            business_read(true),
        ),
        Expect::scoped(
            "POST",
            "/api/v1/platforms/{id}/reviews",
            "/api/v1/platforms/{platform}/reviews",
            platform_write(true),
        )
        .body(r#"{"date":"x","outcome":"bogus"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/platforms/{id}/maintenance",
            "/api/v1/platforms/{platform}/maintenance",
            business_read(true),
        ),
        Expect::scoped(
            "POST",
            "/api/v1/platforms/{id}/maintenance",
            "/api/v1/platforms/{platform}/maintenance",
            platform_write(true),
        )
        .body(r#"{"date":"x","kind":"bogus"}"#),
        Expect::scoped(
            "PUT",
            "/api/v1/platforms/{id}/content",
            "/api/v1/platforms/{platform}/content",
            platform_write(true),
        )
        .body(r#"{"version":0,"approver":"nobody"}"#),
    ]
}
