//! Matrix entries of the records area.
//!
//! Writes carry bodies that fail validation (or name records that do not exist), so the matrix
//! checks who may reach each write without changing the demo under the other entries. Routes
//! naming one record, directive, task, obligation or attachment are tried with an id that does
//! not exist (the harness has no placeholder for them): business roles get 404, the read-only
//! roles 403 on writes, administrators 403. Scope on those routes is covered by the area's
//! stories (tests/records.rs).

use crate::common::matrix::{Caller, Expect, Scope, business_read, is_admin};

/// The roles that keep records (KeepRecords): secretary, leader, staff, branch.
fn keeps(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "leader" | "staff" | "branch"))
}

fn page_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if !keeps(c) => 403,
        _ if s == Scope::Outside => 404,
        _ => 200,
    }
}

fn page_form_missing(c: Caller, _: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if !keeps(c) => 403,
        _ => 404,
    }
}

fn page_write_invalid(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 403,
        c if !keeps(c) => 403,
        _ if s == Scope::Outside => 404,
        _ => 422,
    }
}

fn page_write_missing(c: Caller, _: Scope) -> u16 {
    match c {
        Caller::Anonymous => 403,
        c if !keeps(c) => 403,
        _ => 404,
    }
}

fn page_read_missing(c: Caller, _: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if is_admin(c) => 403,
        _ => 404,
    }
}

fn api_write_invalid(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 401,
        c if !keeps(c) => 403,
        _ if s == Scope::Outside => 404,
        _ => 422,
    }
}

fn api_write_missing(c: Caller, _: Scope) -> u16 {
    match c {
        Caller::Anonymous => 401,
        c if !keeps(c) => 403,
        _ => 404,
    }
}

fn api_read_missing(c: Caller, _: Scope) -> u16 {
    match c {
        Caller::Anonymous => 401,
        c if is_admin(c) => 403,
        _ => 404,
    }
}

pub fn expectations() -> Vec<Expect> {
    vec![
        // Pages.
        Expect::scoped(
            "GET",
            "/records",
            "/records?org={org}",
            business_read(false),
        ),
        Expect::scoped(
            "GET",
            "/records/new",
            "/records/new?kind=committee-meeting&org={org}",
            page_form,
        ),
        // A malformed date: the form comes back with the field's error; nothing is stored.
        Expect::scoped("POST", "/records/new", "/records/new", page_write_invalid)
            .body("kind=committee-meeting&org={org_id}&date=not-a-date"),
        Expect::scoped(
            "GET",
            "/records/training",
            "/records/training?org={org}",
            business_read(false),
        ),
        Expect::scoped(
            "GET",
            "/records/directives",
            "/records/directives?org={org}",
            business_read(false),
        ),
        Expect::scoped(
            "GET",
            "/records/directives/new",
            "/records/directives/new?org={org}",
            page_form,
        ),
        Expect::scoped(
            "POST",
            "/records/directives/new",
            "/records/directives/new",
            page_write_invalid,
        )
        .body("org={org_id}&received_on=not-a-date"),
        Expect::plain("GET", "/records/directives/{id}", page_read_missing)
            .at("/records/directives/{missing}"),
        Expect::plain("POST", "/records/directives/{id}/tasks", page_write_missing)
            .at("/records/directives/{missing}/tasks")
            .body("title=x"),
        Expect::plain("POST", "/records/tasks/{id}/reports", page_write_missing)
            .at("/records/tasks/{missing}/reports")
            .body("kind=progress"),
        Expect::plain("GET", "/records/{id}", page_read_missing).at("/records/{missing}"),
        Expect::plain("GET", "/records/{id}/edit", page_form_missing).at("/records/{missing}/edit"),
        Expect::plain("POST", "/records/{id}/edit", page_write_missing)
            .at("/records/{missing}/edit")
            .body("version=1"),
        Expect::plain("POST", "/records/{id}/attachments", page_write_missing)
            .at("/records/{missing}/attachments"),
        Expect::plain("POST", "/records/{id}/evidence", page_write_missing)
            .at("/records/{missing}/evidence")
            .body("obligation={missing}&version=1"),
        Expect::plain("GET", "/attachments/{sha}", page_read_missing)
            .at("/attachments/{missing}?record={missing}"),
        // API.
        Expect::scoped(
            "GET",
            "/api/v1/records",
            "/api/v1/records?org={org}",
            business_read(true),
        ),
        Expect::scoped(
            "POST",
            "/api/v1/records",
            "/api/v1/records",
            api_write_invalid,
        )
        .body(r#"{"kind":"committee-meeting","org":"{org}","date":"not-a-date"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/records/training",
            "/api/v1/records/training?org={org}",
            business_read(true),
        ),
        Expect::plain("GET", "/api/v1/records/{id}", api_read_missing)
            .at("/api/v1/records/{missing}"),
        Expect::plain("PATCH", "/api/v1/records/{id}", api_write_missing)
            .at("/api/v1/records/{missing}")
            .body(r#"{"version":0}"#),
        Expect::plain(
            "POST",
            "/api/v1/records/{id}/attachments",
            api_write_missing,
        )
        .at("/api/v1/records/{missing}/attachments")
        .body("{}"),
        Expect::plain(
            "POST",
            "/api/v1/obligations/{id}/evidence",
            api_write_missing,
        )
        .at("/api/v1/obligations/{missing}/evidence")
        .body(r#"{"record":"{missing}","version":0}"#),
        Expect::scoped(
            "GET",
            "/api/v1/directives",
            "/api/v1/directives?org={org}",
            business_read(true),
        ),
        Expect::scoped(
            "POST",
            "/api/v1/directives",
            "/api/v1/directives",
            api_write_invalid,
        )
        .body(r#"{"org":"{org}","received_on":"not-a-date"}"#),
        Expect::plain("GET", "/api/v1/directives/{id}", api_read_missing)
            .at("/api/v1/directives/{missing}"),
        Expect::plain("POST", "/api/v1/directives/{id}/tasks", api_write_missing)
            .at("/api/v1/directives/{missing}/tasks")
            .body("{}"),
        Expect::plain("POST", "/api/v1/tasks/{id}/reports", api_write_missing)
            .at("/api/v1/tasks/{missing}/reports")
            .body("{}"),
    ]
}
