//! Matrix entries of the projects and their risk assessments. Writes are tried with bodies that
//! fail validation (or a rule), so the matrix checks who may reach each write without changing
//! the demo. `{project}` is a planned major project of the org with one assessment awaiting
//! approval, `{assessment}`.

use crate::common::matrix::{Caller, Expect, Scope, business_read, is_admin};

/// Accounts that keep the org's records (KeepRecords).
fn keeps(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "leader" | "staff" | "branch"))
}

fn keeper_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if is_admin(c) || !keeps(c) => 403,
        _ if s == Scope::Outside => 404,
        _ => 200,
    }
}

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

/// A change of one project answering `inside` to its keepers.
fn project_write(api: bool, inside: u16, c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous if api => 401,
        Caller::Anonymous => 403,
        c if is_admin(c) => 403,
        _ if s == Scope::Outside => 404,
        c if !keeps(c) => 403,
        _ => inside,
    }
}

macro_rules! change {
    ($api:expr, $inside:expr) => {{
        fn f(c: Caller, s: Scope) -> u16 {
            project_write($api, $inside, c, s)
        }
        f
    }};
}

fn project_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if is_admin(c) => 403,
        _ if s == Scope::Outside => 404,
        c if !keeps(c) => 403,
        _ => 200,
    }
}

/// A decision with a bad value: anyone who may read the project reaches its check.
fn decision(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 422,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 422,
        }
    }
}

pub fn expectations() -> Vec<Expect> {
    vec![
        Expect::plain("GET", "/risk-assessments", business_read(false)),
        Expect::scoped(
            "GET",
            "/risk-assessments/new",
            "/risk-assessments/new?org={org}",
            keeper_form,
        ),
        Expect::scoped(
            "POST",
            "/risk-assessments/new",
            "/risk-assessments/new",
            keeper_write(false),
        )
        .body("org={org}&title=&launch_on=bogus"),
        Expect::scoped(
            "GET",
            "/risk-assessments/{id}",
            "/risk-assessments/{project}",
            business_read(false),
        ),
        Expect::scoped(
            "GET",
            "/risk-assessments/{id}/edit",
            "/risk-assessments/{project}/edit",
            project_form,
        ),
        Expect::scoped(
            "POST",
            "/risk-assessments/{id}/edit",
            "/risk-assessments/{project}/edit",
            change!(false, 422),
        )
        .body("version=0&title=&launch_on=bogus"),
        Expect::scoped(
            "POST",
            "/risk-assessments/{id}/assessments",
            "/risk-assessments/{project}/assessments",
            change!(false, 422),
        )
        .body("level=bogus"),
        Expect::scoped(
            "POST",
            "/risk-assessments/{id}/assessments/{assessment}/decision",
            "/risk-assessments/{project}/assessments/{assessment}/decision",
            decision(false),
        )
        .body("decision=bogus"),
        Expect::scoped(
            "POST",
            "/risk-assessments/{id}/launch",
            "/risk-assessments/{project}/launch",
            change!(false, 409),
        )
        .body("version=0&launched_on="),
        Expect::scoped(
            "POST",
            "/risk-assessments/{id}/cancel",
            "/risk-assessments/{project}/cancel",
            change!(false, 422),
        )
        .body("version=0&reason="),
        Expect::plain("GET", "/api/v1/risk-assessments", business_read(true)),
        Expect::scoped(
            "POST",
            "/api/v1/risk-assessments",
            "/api/v1/risk-assessments",
            keeper_write(true),
        )
        .body(r#"{"org":"{org}","title":"","launch_on":"bogus"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/risk-assessments/{id}",
            "/api/v1/risk-assessments/{project}",
            business_read(true),
        ),
        Expect::scoped(
            "PATCH",
            "/api/v1/risk-assessments/{id}",
            "/api/v1/risk-assessments/{project}",
            change!(true, 422),
        )
        .body(r#"{"version":0,"title":"","launch_on":"bogus"}"#),
        Expect::scoped(
            "POST",
            "/api/v1/risk-assessments/{id}/assessments",
            "/api/v1/risk-assessments/{project}/assessments",
            change!(true, 422),
        )
        .body(r#"{"level":"bogus"}"#),
        Expect::scoped(
            "POST",
            "/api/v1/risk-assessments/{id}/assessments/{assessment}/decision",
            "/api/v1/risk-assessments/{project}/assessments/{assessment}/decision",
            decision(true),
        )
        .body(r#"{"decision":"bogus"}"#),
        Expect::scoped(
            "POST",
            "/api/v1/risk-assessments/{id}/launch",
            "/api/v1/risk-assessments/{project}/launch",
            change!(true, 409),
        )
        .body(r#"{"version":0,"launched_on":""}"#),
        Expect::scoped(
            "POST",
            "/api/v1/risk-assessments/{id}/cancel",
            "/api/v1/risk-assessments/{project}/cancel",
            change!(true, 422),
        )
        .body(r#"{"version":0,"reason":""}"#),
    ]
}
