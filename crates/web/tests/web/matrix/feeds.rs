//! Matrix entries of the feeds area: calendar feed, search, ledger export.

use crate::common::matrix::{Caller, Expect, Scope, business_read, is_admin};

/// Business accounts 200 (or `ok`), administrators 403, visitors per `anon`.
fn business(ok: u16, anon: u16) -> fn(Caller, Scope) -> u16 {
    match (ok, anon) {
        (200, 303) => |c, _| match c {
            Caller::Anonymous => 303,
            c if is_admin(c) => 403,
            _ => 200,
        },
        // POST pages: a visitor has no session token for the CSRF guard.
        (200, 403) => |c, _| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) => 403,
            _ => 200,
        },
        _ => |c, _| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ => 201,
        },
    }
}

pub fn expectations() -> Vec<Expect> {
    vec![
        // Calendar feed page and rotation (rotating changes only the caller's own feed token).
        Expect::plain("GET", "/calendar", business(200, 303)),
        Expect::plain("POST", "/calendar", business(200, 403)),
        // The token is the credential: an unknown one is 404 for everyone, signed in or not.
        Expect::plain("GET", "/calendar/{feed}", |_, _| 404).at("/calendar/{missing}.ics"),
        Expect::plain("GET", "/search", business(200, 303)).at("/search?q=研判"),
        Expect::scoped(
            "GET",
            "/orgs/{code}/ledger.xlsx",
            "/orgs/{org}/ledger.xlsx?year=2026",
            business_read(false),
        ),
        // API.
        Expect::plain("GET", "/api/v1/search", business_read(true))
            .at("/api/v1/search?q=网络意识形态"),
        Expect::plain("POST", "/api/v1/calendar/token", business(201, 401)),
    ]
}
