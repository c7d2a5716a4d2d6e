//! Matrix entries of the online events. Writes are tried with bodies that fail validation, so
//! the matrix checks who may reach each write without changing the demo. `{event}` is an
//! online event of the org, on its college's platform, next month.

use crate::common::matrix::{Caller, Expect, Scope, business_read, is_admin};

/// Accounts that keep the org's events (ManagePlatforms).
fn keeps(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "staff" | "branch" | "keeper"))
}

/// A form of the org's events that only their keepers reach.
fn keeper_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if is_admin(c) => 403,
        c if !keeps(c) => 403,
        _ if s == Scope::Outside => 404,
        _ => 200,
    }
}

/// A registration with a bad field: 422 where the caller keeps events.
fn keeper_write(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            c if !keeps(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 422,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) => 403,
            c if !keeps(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 422,
        }
    }
}

/// A write on one event: someone who cannot read it gets 404 first.
fn event_write(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            c if !keeps(c) => 403,
            _ => 422,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 403,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            c if !keeps(c) => 403,
            _ => 422,
        }
    }
}

/// The edit form of one event.
fn event_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if is_admin(c) => 403,
        _ if s == Scope::Outside => 404,
        c if !keeps(c) => 403,
        _ => 200,
    }
}

/// A decision with a bad value: anyone who may read the event reaches its check (who decides
/// is checked after the fields).
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
        Expect::plain("GET", "/indicators", business_read(false)),
        Expect::plain("GET", "/api/v1/indicators", business_read(true)),
        Expect::plain("GET", "/events", business_read(false)),
        Expect::scoped("GET", "/events/new", "/events/new?org={org}", keeper_form),
        Expect::scoped("POST", "/events/new", "/events/new", keeper_write(false))
            .body("org={org}&title=&form=bogus"),
        Expect::scoped(
            "GET",
            "/events/{id}",
            "/events/{event}",
            business_read(false),
        ),
        Expect::scoped(
            "GET",
            "/events/{id}/edit",
            "/events/{event}/edit",
            event_form,
        ),
        Expect::scoped(
            "POST",
            "/events/{id}/edit",
            "/events/{event}/edit",
            event_write(false),
        )
        .body("version=0&title=&form=bogus"),
        Expect::scoped(
            "POST",
            "/events/{id}/decision",
            "/events/{event}/decision",
            decision(false),
        )
        .body("version=0&decision=bogus"),
        Expect::scoped(
            "POST",
            "/events/{id}/held",
            "/events/{event}/held",
            event_write(false),
        )
        .body("version=0&outcome=bogus"),
        Expect::plain("GET", "/api/v1/events", business_read(true)),
        Expect::scoped(
            "POST",
            "/api/v1/events",
            "/api/v1/events",
            keeper_write(true),
        )
        .body(r#"{"org":"{org}","title":"","form":"bogus"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/events/{id}",
            "/api/v1/events/{event}",
            business_read(true),
        ),
        Expect::scoped(
            "PATCH",
            "/api/v1/events/{id}",
            "/api/v1/events/{event}",
            event_write(true),
        )
        .body(r#"{"version":0,"title":"","form":"bogus"}"#),
        Expect::scoped(
            "POST",
            "/api/v1/events/{id}/decision",
            "/api/v1/events/{event}/decision",
            decision(true),
        )
        .body(r#"{"version":0,"decision":"bogus"}"#),
        Expect::scoped(
            "POST",
            "/api/v1/events/{id}/held",
            "/api/v1/events/{event}/held",
            event_write(true),
        )
        .body(r#"{"version":0,"outcome":"bogus"}"#),
    ]
}
