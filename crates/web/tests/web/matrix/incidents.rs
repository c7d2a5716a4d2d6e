//! Matrix entries of the incidents. Writes are tried with bodies that fail validation (or a
//! rule), so the matrix checks who may reach each write without changing the demo.
//! `{incident}` is an open incident of the org, of severity 一般, noticed the day before, with
//! one file on its first timeline entry (`{incident_sha}`).

use crate::common::matrix::{Caller, Expect, Scope, business_read, is_admin};

/// An upload whose file's type is refused (read from its content): 422 where it is reached.
const REFUSED_FILE: &str = "MZ\u{90}\u{0}\u{3}\u{0}\u{0}\u{0}matrix";

/// Accounts that keep the org's records (KeepRecords): they handle incidents.
fn keeps(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "leader" | "staff" | "branch"))
}

/// The first responsible person of the org inside their scope.
fn first(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "branch"))
}

/// The form to record an incident: its keepers only.
fn keeper_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if is_admin(c) || !keeps(c) => 403,
        _ if s == Scope::Outside => 404,
        _ => 200,
    }
}

/// A recording with a bad field: 422 where the caller keeps records.
fn keeper_write(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) || !keeps(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 422,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) || !keeps(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 422,
        }
    }
}

/// A change of one incident answering `inside` to its keepers: someone who cannot read it gets
/// 404 first.
fn incident_write(api: bool, inside: u16) -> impl Fn(Caller, Scope) -> u16 {
    move |c, s| match c {
        Caller::Anonymous if api => 401,
        Caller::Anonymous => 403,
        c if is_admin(c) => 403,
        _ if s == Scope::Outside => 404,
        c if !keeps(c) => 403,
        _ => inside,
    }
}

/// The edit form of one incident.
fn incident_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if is_admin(c) => 403,
        _ if s == Scope::Outside => 404,
        c if !keeps(c) => 403,
        _ => 200,
    }
}

macro_rules! change {
    ($api:expr, $inside:expr) => {{
        fn f(c: Caller, s: Scope) -> u16 {
            incident_write($api, $inside)(c, s)
        }
        f
    }};
}

/// The sign-off: the first responsible person reaches the rule (no instruction yet: 409), other
/// keepers are refused (403).
fn sign_off(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            c if first(c) => 409,
            _ => 403,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            c if first(c) => 409,
            _ => 403,
        }
    }
}

pub fn expectations() -> Vec<Expect> {
    vec![
        Expect::plain("GET", "/incidents", business_read(false)),
        Expect::plain("GET", "/incidents/stats", business_read(false)),
        Expect::scoped(
            "GET",
            "/incidents/new",
            "/incidents/new?org={org}",
            keeper_form,
        ),
        Expect::scoped(
            "POST",
            "/incidents/new",
            "/incidents/new",
            keeper_write(false),
        )
        .body("org={org}&title=&severity=bogus"),
        Expect::scoped(
            "GET",
            "/incidents/{id}",
            "/incidents/{incident}",
            business_read(false),
        ),
        Expect::scoped(
            "GET",
            "/incidents/{id}/edit",
            "/incidents/{incident}/edit",
            incident_form,
        ),
        Expect::scoped(
            "POST",
            "/incidents/{id}/edit",
            "/incidents/{incident}/edit",
            change!(false, 422),
        )
        .body("version=0&title=&channel=bogus"),
        Expect::scoped(
            "POST",
            "/incidents/{id}/severity",
            "/incidents/{incident}/severity",
            change!(false, 422),
        )
        .body("version=0&severity=bogus"),
        Expect::scoped(
            "POST",
            "/incidents/{id}/entries",
            "/incidents/{incident}/entries",
            change!(false, 422),
        )
        .body("kind=bogus&at=&detail="),
        Expect::scoped(
            "POST",
            "/incidents/{id}/entries/{seq}/attachments",
            "/incidents/{incident}/entries/1/attachments",
            change!(false, 422),
        )
        .upload(REFUSED_FILE),
        Expect::scoped(
            "GET",
            "/incidents/{id}/attachments/{sha}",
            "/incidents/{incident}/attachments/{incident_sha}",
            business_read(false),
        ),
        Expect::scoped(
            "POST",
            "/incidents/{id}/sign-off",
            "/incidents/{incident}/sign-off",
            sign_off(false),
        )
        .body("detail="),
        Expect::scoped(
            "POST",
            "/incidents/{id}/pause",
            "/incidents/{incident}/pause",
            change!(false, 422),
        )
        .body("version=0&reason=bogus"),
        Expect::scoped(
            "POST",
            "/incidents/{id}/resume",
            "/incidents/{incident}/resume",
            change!(false, 409),
        )
        .body("version=0"),
        Expect::scoped(
            "POST",
            "/incidents/{id}/close",
            "/incidents/{incident}/close",
            change!(false, 409),
        )
        .body("version=0&handled="),
        Expect::plain("GET", "/api/v1/incidents", business_read(true)),
        Expect::plain("GET", "/api/v1/incidents/stats", business_read(true)),
        Expect::scoped(
            "POST",
            "/api/v1/incidents",
            "/api/v1/incidents",
            keeper_write(true),
        )
        .body(r#"{"org":"{org}","title":"","severity":"bogus"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/incidents/{id}",
            "/api/v1/incidents/{incident}",
            business_read(true),
        ),
        Expect::scoped(
            "PATCH",
            "/api/v1/incidents/{id}",
            "/api/v1/incidents/{incident}",
            change!(true, 422),
        )
        .body(r#"{"version":0,"title":"","channel":"bogus"}"#),
        Expect::scoped(
            "POST",
            "/api/v1/incidents/{id}/severity",
            "/api/v1/incidents/{incident}/severity",
            change!(true, 422),
        )
        .body(r#"{"version":0,"severity":"bogus"}"#),
        Expect::scoped(
            "POST",
            "/api/v1/incidents/{id}/entries",
            "/api/v1/incidents/{incident}/entries",
            change!(true, 422),
        )
        .body(r#"{"kind":"bogus"}"#),
        Expect::scoped(
            "POST",
            "/api/v1/incidents/{id}/entries/{seq}/attachments",
            "/api/v1/incidents/{incident}/entries/1/attachments",
            change!(true, 422),
        )
        .upload(REFUSED_FILE),
        Expect::scoped(
            "POST",
            "/api/v1/incidents/{id}/sign-off",
            "/api/v1/incidents/{incident}/sign-off",
            sign_off(true),
        )
        .body(r#"{"detail":""}"#),
        Expect::scoped(
            "POST",
            "/api/v1/incidents/{id}/pause",
            "/api/v1/incidents/{incident}/pause",
            change!(true, 422),
        )
        .body(r#"{"version":0,"reason":"bogus"}"#),
        Expect::scoped(
            "POST",
            "/api/v1/incidents/{id}/resume",
            "/api/v1/incidents/{incident}/resume",
            change!(true, 409),
        )
        .body(r#"{"version":0}"#),
        Expect::scoped(
            "POST",
            "/api/v1/incidents/{id}/close",
            "/api/v1/incidents/{incident}/close",
            change!(true, 409),
        )
        .body(r#"{"version":0,"handled":""}"#),
    ]
}
