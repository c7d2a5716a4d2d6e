//! Matrix entries of the records area.
//!
//! Every route that names one record, attachment, directive, task or obligation is tried with
//! the real one the fixture made in the org in question (`{record}`, `{sha}`, `{directive}`,
//! `{task}`, `{obligation}`: see `Expect::path`), inside the caller's subtree and outside it.
//! So the entries prove, route by route, that:
//! - business roles read a record, its attachment and a directive of their subtree (200), and
//!   those outside it answer 404 exactly like a missing one, never 403 — for the roles that keep
//!   records and for the read-only ones alike;
//! - the roles that keep records (secretary, leader, staff, branch) reach every write on a
//!   record, directive or task of their subtree, up to the check of its body or version, and
//!   get 404 outside it;
//! - the read-only roles (supervisor, discipline commission) are refused every write (403)
//!   before anything is looked up, administrators are refused everything (403), and visitors
//!   are sent to sign in (pages), refused by the CSRF guard (page writes) or answered 401 (API).
//!
//! Writes carry bodies that fail validation (422: a file of a refused type, a task without owner
//! or deadline, a report without date or content, a malformed date) or a stale version (409:
//! amending the record, linking it as evidence of the directive's obligation), so the matrix
//! checks who may reach each write without changing the demo under the other entries.

use crate::common::matrix::{Caller, Expect, Scope, business_read};

/// The roles that keep records (KeepRecords): secretary, leader, staff, branch.
fn keeps(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "leader" | "staff" | "branch"))
}

/// A form to write in scope: 200 for those who keep records there, 404 outside, 403 for the
/// read-only roles and administrators, visitors sent to sign in.
fn page_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if !keeps(c) => 403,
        _ if s == Scope::Outside => 404,
        _ => 200,
    }
}

/// A page write that answers `OK` (422 or 409: nothing is stored) to those who keep records in
/// scope, 404 outside it, 403 to everyone else; a visitor has no CSRF token (403).
fn page_write<const OK: u16>(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 403,
        c if !keeps(c) => 403,
        _ if s == Scope::Outside => 404,
        _ => OK,
    }
}

/// An API write that answers `OK` (422 or 409) to those who keep records in scope, 404 outside
/// it, 403 to everyone else, 401 without a token.
fn api_write<const OK: u16>(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 401,
        c if !keeps(c) => 403,
        _ if s == Scope::Outside => 404,
        _ => OK,
    }
}

/// A file no sniffing accepts (an executable's header with NUL bytes): the upload is refused
/// with 422 and nothing is stored.
const REFUSED_FILE: &str = "MZ\u{90}\u{0}\u{3}\u{0}\u{0}\u{0}matrix";

/// The record's fields, valid for an education activity, with version 0 (it is at 1): 409.
const STALE_AMENDMENT: &str =
    "version=0&date=2026-11-21&title=matrix&audience=matrix&count=1&content=matrix";

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
        Expect::scoped("POST", "/records/new", "/records/new", page_write::<422>)
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
            page_write::<422>,
        )
        .body("org={org_id}&received_on=not-a-date"),
        Expect::scoped(
            "GET",
            "/records/directives/{id}",
            "/records/directives/{directive}",
            business_read(false),
        ),
        // A task without owner or deadline.
        Expect::scoped(
            "POST",
            "/records/directives/{id}/tasks",
            "/records/directives/{directive}/tasks",
            page_write::<422>,
        )
        .body("title=x"),
        // A report without date or content.
        Expect::scoped(
            "POST",
            "/records/tasks/{id}/reports",
            "/records/tasks/{task}/reports",
            page_write::<422>,
        )
        .body("kind=progress"),
        Expect::scoped(
            "GET",
            "/records/{id}",
            "/records/{record}",
            business_read(false),
        ),
        Expect::scoped(
            "GET",
            "/records/{id}/edit",
            "/records/{record}/edit",
            page_form,
        ),
        Expect::scoped(
            "POST",
            "/records/{id}/edit",
            "/records/{record}/edit",
            page_write::<409>,
        )
        .body(STALE_AMENDMENT),
        Expect::scoped(
            "POST",
            "/records/{id}/attachments",
            "/records/{record}/attachments",
            page_write::<422>,
        )
        .upload(REFUSED_FILE),
        Expect::scoped(
            "POST",
            "/records/{id}/evidence",
            "/records/{record}/evidence",
            page_write::<409>,
        )
        .body("obligation={obligation}&version=0"),
        Expect::scoped(
            "GET",
            "/attachments/{sha}",
            "/attachments/{sha}?record={record}",
            business_read(false),
        ),
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
            api_write::<422>,
        )
        .body(r#"{"kind":"committee-meeting","org":"{org}","date":"not-a-date"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/records/training",
            "/api/v1/records/training?org={org}",
            business_read(true),
        ),
        Expect::scoped(
            "GET",
            "/api/v1/records/{id}",
            "/api/v1/records/{record}",
            business_read(true),
        ),
        // No change but a stale version.
        Expect::scoped(
            "PATCH",
            "/api/v1/records/{id}",
            "/api/v1/records/{record}",
            api_write::<409>,
        )
        .body(r#"{"version":0}"#),
        Expect::scoped(
            "POST",
            "/api/v1/records/{id}/attachments",
            "/api/v1/records/{record}/attachments",
            api_write::<422>,
        )
        .upload(REFUSED_FILE),
        Expect::scoped(
            "POST",
            "/api/v1/obligations/{id}/evidence",
            "/api/v1/obligations/{obligation}/evidence",
            api_write::<409>,
        )
        .body(r#"{"record":"{record}","version":0}"#),
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
            api_write::<422>,
        )
        .body(r#"{"org":"{org}","received_on":"not-a-date"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/directives/{id}",
            "/api/v1/directives/{directive}",
            business_read(true),
        ),
        Expect::scoped(
            "POST",
            "/api/v1/directives/{id}/tasks",
            "/api/v1/directives/{directive}/tasks",
            api_write::<422>,
        )
        .body("{}"),
        Expect::scoped(
            "POST",
            "/api/v1/tasks/{id}/reports",
            "/api/v1/tasks/{task}/reports",
            api_write::<422>,
        )
        .body("{}"),
    ]
}
