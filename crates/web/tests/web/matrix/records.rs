//! Matrix entries of the records area.
//!
//! Every route that names one record, attachment, directive, task or obligation is tried with
//! the real one the fixture made in the org in question (`{record}`, `{sha}`, `{directive}`,
//! `{task}`, `{obligation}`: see `Expect::path`), inside the caller's subtree and outside it.
//! So the entries prove, route by route, that:
//! - business roles read a record, its attachment and a directive of their subtree (200), and
//!   those outside it answer 404 exactly like a missing one, never 403 — for the roles that keep
//!   records and for the read-only ones alike;
//! - who keeps the thing (the first responsible person of its org; for the education activity
//!   also the leader whose portfolio its duty belongs to) reaches every write on it up to the
//!   check of its body or version; the other roles that keep records (the leader outside their
//!   portfolio, staff not named to handle it) are refused (403); all get 404 outside their
//!   subtree;
//! - the read-only roles (supervisor, discipline commission) are refused every write (403)
//!   before anything is looked up, administrators are refused everything (403), and visitors
//!   are sent to sign in (pages), refused by the CSRF guard (page writes) or answered 401 (API).
//!
//! Writes carry bodies that fail validation (422: a file of a refused type, a task without owner
//! or deadline, a report without date or content, a malformed date) or a stale version (409:
//! amending the record, linking it as evidence of the directive's obligation), so the matrix
//! checks who may reach each write without changing the demo under the other entries.

use crate::common::matrix::{Caller, Expect, Scope, business_read};

/// Who keeps what an entry writes (PRODUCT.md §5), for the fixture's things in the demo:
/// [`FIRST`] — what only the first responsible person keeps unless they name a handler (a
/// committee meeting, a directive with its tasks and reports, evidence of its implementation):
/// the secretary, a branch secretary in their branch; [`PORTFOLIO`] — the fixture's education
/// activity, which discharges youth education of the 学生工作 portfolio the demo leader holds:
/// the leader too. Staff keep only what they are named to handle (none here; see
/// `matrix/acting.rs` for handlers and for portfolios held or not).
const FIRST: u8 = 0;
const PORTFOLIO: u8 = 1;

fn keeps<const K: u8>(c: Caller) -> bool {
    match K {
        FIRST => matches!(c, Caller::Role("secretary" | "branch")),
        _ => matches!(c, Caller::Role("secretary" | "branch" | "leader")),
    }
}

/// Whether the role keeps records at all (KeepRecords): the others are refused before anything
/// is looked up, so outside their scope too.
fn keeps_any(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "leader" | "staff" | "branch"))
}

/// A form to write in scope: 200 for those who keep it there, 404 outside, 403 for the others
/// and administrators, visitors sent to sign in.
fn page_form<const K: u8>(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if !keeps_any(c) => 403,
        _ if s == Scope::Outside => 404,
        c if !keeps::<K>(c) => 403,
        _ => 200,
    }
}

/// A page write that answers `OK` (422 or 409: nothing is stored) to those who keep it in
/// scope, 404 outside it, 403 to everyone else; a visitor has no CSRF token (403).
fn page_write<const K: u8, const OK: u16>(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 403,
        c if !keeps_any(c) => 403,
        _ if s == Scope::Outside => 404,
        c if !keeps::<K>(c) => 403,
        _ => OK,
    }
}

/// An API write that answers `OK` (422 or 409) to those who keep it in scope, 404 outside it,
/// 403 to everyone else, 401 without a token.
fn api_write<const K: u8, const OK: u16>(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 401,
        c if !keeps_any(c) => 403,
        _ if s == Scope::Outside => 404,
        c if !keeps::<K>(c) => 403,
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
            page_form::<FIRST>,
        ),
        // A malformed date: the form comes back with the field's error; nothing is stored.
        Expect::scoped(
            "POST",
            "/records/new",
            "/records/new",
            page_write::<FIRST, 422>,
        )
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
            page_form::<FIRST>,
        ),
        Expect::scoped(
            "POST",
            "/records/directives/new",
            "/records/directives/new",
            page_write::<FIRST, 422>,
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
            page_write::<FIRST, 422>,
        )
        .body("title=x"),
        // A report without date or content.
        Expect::scoped(
            "POST",
            "/records/tasks/{id}/reports",
            "/records/tasks/{task}/reports",
            page_write::<FIRST, 422>,
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
            page_form::<PORTFOLIO>,
        ),
        Expect::scoped(
            "POST",
            "/records/{id}/edit",
            "/records/{record}/edit",
            page_write::<PORTFOLIO, 409>,
        )
        .body(STALE_AMENDMENT),
        Expect::scoped(
            "POST",
            "/records/{id}/attachments",
            "/records/{record}/attachments",
            page_write::<PORTFOLIO, 422>,
        )
        .upload(REFUSED_FILE),
        Expect::scoped(
            "POST",
            "/records/{id}/evidence",
            "/records/{record}/evidence",
            page_write::<FIRST, 409>,
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
            api_write::<FIRST, 422>,
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
            api_write::<PORTFOLIO, 409>,
        )
        .body(r#"{"version":0}"#),
        Expect::scoped(
            "POST",
            "/api/v1/records/{id}/attachments",
            "/api/v1/records/{record}/attachments",
            api_write::<PORTFOLIO, 422>,
        )
        .upload(REFUSED_FILE),
        Expect::scoped(
            "POST",
            "/api/v1/obligations/{id}/evidence",
            "/api/v1/obligations/{obligation}/evidence",
            api_write::<FIRST, 409>,
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
            api_write::<FIRST, 422>,
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
            api_write::<FIRST, 422>,
        )
        .body("{}"),
        Expect::scoped(
            "POST",
            "/api/v1/tasks/{id}/reports",
            "/api/v1/tasks/{task}/reports",
            api_write::<FIRST, 422>,
        )
        .body("{}"),
    ]
}
