//! Matrix entries of the orgs area (owned by the orgs change).
//!
//! Writes are tried with bodies that fail validation (or carry a stale version), so the matrix
//! checks who may reach each write without changing the demo under the other entries.

use crate::common::matrix::{Caller, Expect, Scope, business_read, is_admin};

/// Accounts that manage their subtree (ManageOrg): the college secretary, the branch secretary
/// and the college's org administrator (keeper of its roster).
fn manages(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "branch" | "keeper"))
}

/// A form of the org itself: managers see it (200), other business accounts are refused.
fn own_org_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if is_admin(c) => 403,
        _ if s == Scope::Outside => 404,
        c if manages(c) => 200,
        _ => 403,
    }
}

/// The new-child form: as [`own_org_form`], but nothing can sit under the branch secretary's
/// branch (422, told why).
fn new_child_form(c: Caller, s: Scope) -> u16 {
    match (c, s) {
        (Caller::Role("branch"), Scope::Inside) => 422,
        _ => own_org_form(c, s),
    }
}

/// Its submission with bad fields: 422 for managers, nothing stored.
fn own_org_post(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 403,
        c if is_admin(c) => 403,
        _ if s == Scope::Outside => 404,
        c if manages(c) => 422,
        _ => 403,
    }
}

/// An API write with a bad field: 422 where the caller manages the org.
fn api_manage_422(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 401,
        c if is_admin(c) => 403,
        _ if s == Scope::Outside => 404,
        c if manages(c) => 422,
        _ => 403,
    }
}

/// A form that takes managing the org's parent: no demo account manages its own org's parent.
fn parent_form(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        _ if s == Scope::Outside && !is_admin(c) => 404,
        _ => 403,
    }
}

fn parent_post(c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous => 403,
        _ if s == Scope::Outside && !is_admin(c) => 404,
        _ => 403,
    }
}

pub fn expectations() -> Vec<Expect> {
    vec![
        // Pages.
        Expect::plain("GET", "/orgs", business_read(false)),
        Expect::scoped("GET", "/orgs/{code}", "/orgs/{org}", business_read(false)),
        Expect::scoped(
            "GET",
            "/orgs/{code}/posts/{post_id}/handover",
            "/orgs/{org}/posts/{post}/handover",
            |c, s| match c {
                Caller::Anonymous => 303,
                c if is_admin(c) => 403,
                _ if s == Scope::Outside => 404,
                c if manages(c) => 200,
                _ => 403,
            },
        ),
        // A malformed date: the form comes back with the error; nothing is stored.
        Expect::scoped(
            "POST",
            "/orgs/{code}/posts/{post_id}/handover",
            "/orgs/{org}/posts/{post}/handover",
            |c, s| match c {
                Caller::Anonymous => 403,
                c if is_admin(c) => 403,
                _ if s == Scope::Outside => 404,
                c if manages(c) => 422,
                _ => 403,
            },
        )
        .body("person={person}&on=not-a-date"),
        // The org tree's forms: creating under an org and renaming it take managing the org;
        // closing, reopening (and moving) take managing its parent, which no demo account
        // does for its own org (the college secretary's parent is the university).
        Expect::scoped(
            "GET",
            "/orgs/{code}/children/new",
            "/orgs/{org}/children/new",
            new_child_form,
        ),
        Expect::scoped(
            "POST",
            "/orgs/{code}/children/new",
            "/orgs/{org}/children/new",
            own_org_post,
        )
        .body("code=Not+A+Code&name=&kind=branch"),
        Expect::scoped(
            "GET",
            "/orgs/{code}/posts/new",
            "/orgs/{org}/posts/new",
            own_org_form,
        ),
        // An unknown post kind: 422 where the caller manages the org.
        Expect::scoped(
            "POST",
            "/orgs/{code}/posts/new",
            "/orgs/{org}/posts/new",
            own_org_post,
        )
        .body("kind=pope&title=x"),
        Expect::scoped(
            "GET",
            "/orgs/{code}/posts/{post_id}/appoint",
            "/orgs/{org}/posts/{post}/appoint",
            own_org_form,
        ),
        Expect::scoped(
            "POST",
            "/orgs/{code}/posts/{post_id}/appoint",
            "/orgs/{org}/posts/{post}/appoint",
            own_org_post,
        )
        .body("person={person}&start=not-a-day"),
        // A leadership post's portfolios: the branch secretary's post holds none (422).
        Expect::scoped(
            "GET",
            "/orgs/{code}/posts/{post_id}/portfolios",
            "/orgs/{org}/posts/{post}/portfolios",
            new_child_form,
        ),
        Expect::scoped(
            "POST",
            "/orgs/{code}/posts/{post_id}/portfolios",
            "/orgs/{org}/posts/{post}/portfolios",
            own_org_post,
        )
        .body("holding=&portfolio=&start=not-a-day"),
        Expect::scoped(
            "POST",
            "/orgs/{code}/posts/{post_id}/portfolios/end",
            "/orgs/{org}/posts/{post}/portfolios/end",
            own_org_post,
        )
        .body("assignment=&end=not-a-day"),
        // A post closed or reopened: the demo's posts are open, so the page shows managers the
        // closing form (a malformed day: 422) and reopening is refused to them (422, told why).
        Expect::scoped(
            "GET",
            "/orgs/{code}/posts/{post_id}/close",
            "/orgs/{org}/posts/{post}/close",
            own_org_form,
        ),
        Expect::scoped(
            "POST",
            "/orgs/{code}/posts/{post_id}/close",
            "/orgs/{org}/posts/{post}/close",
            own_org_post,
        )
        .body("version=1&closed_on=not-a-day"),
        Expect::scoped(
            "POST",
            "/orgs/{code}/posts/{post_id}/reopen",
            "/orgs/{org}/posts/{post}/reopen",
            own_org_post,
        )
        .body("version=1"),
        // A holding's form: managers are told there is no such holding (404) only after the
        // right to manage the org is checked (403 for the others).
        Expect::scoped(
            "GET",
            "/orgs/{code}/posts/{post_id}/holdings/{holding_id}",
            "/orgs/{org}/posts/{post}/holdings/{missing}",
            |c, s| match c {
                Caller::Anonymous => 303,
                c if manages(c) && s == Scope::Inside => 404,
                _ => own_org_post(c, s),
            },
        ),
        Expect::scoped(
            "POST",
            "/orgs/{code}/posts/{post_id}/holdings/{holding_id}",
            "/orgs/{org}/posts/{post}/holdings/{missing}",
            |c, s| match c {
                c if manages(c) && s == Scope::Inside => 404,
                _ => own_org_post(c, s),
            },
        )
        .body("version=1&end=not-a-day"),
        // A malformed closing day: 422 where the caller manages the post's org.
        Expect::scoped(
            "PATCH",
            "/api/v1/posts/{id}",
            "/api/v1/posts/{post}",
            api_manage_422,
        )
        .body(r#"{"version":1,"closed_on":"not-a-day"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/portfolio-assignments",
            "/api/v1/portfolio-assignments?org={org}",
            business_read(true),
        ),
        // No such holding or assignment: what anyone with a business role is told.
        Expect::plain("POST", "/api/v1/portfolio-assignments", |c, _| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ => 404,
        })
        .body(r#"{"holding":"no-such-holding","portfolio":"publicity","start":"2026-01-01"}"#),
        Expect::plain("PATCH", "/api/v1/holdings/{id}", |c, _| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ => 404,
        })
        .at("/api/v1/holdings/no-such")
        .body(r#"{"version":1,"end":"2026-01-01"}"#),
        Expect::plain(
            "PATCH",
            "/api/v1/portfolio-assignments/{id}",
            |c, _| match c {
                Caller::Anonymous => 401,
                c if is_admin(c) => 403,
                _ => 404,
            },
        )
        .at("/api/v1/portfolio-assignments/no-such")
        .body(r#"{"version":1,"end":"2026-01-01"}"#),
        Expect::scoped("POST", "/api/v1/posts", "/api/v1/posts", api_manage_422)
            .body(r#"{"org":"{org}","kind":"pope"}"#),
        Expect::scoped(
            "POST",
            "/api/v1/holdings",
            "/api/v1/holdings",
            api_manage_422,
        )
        .body(r#"{"post":"{post}","person":"{person}","start":"not-a-day"}"#),
        Expect::scoped("GET", "/orgs/{code}/edit", "/orgs/{org}/edit", own_org_form),
        Expect::scoped(
            "GET",
            "/orgs/{code}/start",
            "/orgs/{org}/start",
            own_org_form,
        ),
        Expect::scoped(
            "POST",
            "/orgs/{code}/edit",
            "/orgs/{org}/edit",
            own_org_post,
        )
        .body("version=1&name="),
        Expect::scoped(
            "GET",
            "/orgs/{code}/close",
            "/orgs/{org}/close",
            parent_form,
        ),
        Expect::scoped(
            "POST",
            "/orgs/{code}/close",
            "/orgs/{org}/close",
            parent_post,
        )
        .body("version=1&closed_on=not-a-day"),
        Expect::scoped(
            "GET",
            "/orgs/{code}/reopen",
            "/orgs/{org}/reopen",
            parent_form,
        ),
        Expect::scoped(
            "POST",
            "/orgs/{code}/reopen",
            "/orgs/{org}/reopen",
            parent_post,
        )
        .body("version=x"),
        Expect::plain("GET", "/people", business_read(false)),
        // People: whoever reads the org sees a person; managers edit them and record leaving.
        Expect::scoped(
            "GET",
            "/people/{id}",
            "/people/{person}",
            business_read(false),
        ),
        Expect::scoped(
            "GET",
            "/people/{id}/edit",
            "/people/{person}/edit",
            own_org_form,
        ),
        // An empty name: 422 where the caller manages the person's org; nothing stored.
        Expect::scoped(
            "POST",
            "/people/{id}/edit",
            "/people/{person}/edit",
            own_org_post,
        )
        .body("version=1&name=&staff_no=T1"),
        Expect::scoped(
            "GET",
            "/people/{id}/leave",
            "/people/{person}/leave",
            own_org_form,
        ),
        Expect::scoped(
            "POST",
            "/people/{id}/leave",
            "/people/{person}/leave",
            own_org_post,
        )
        .body("version=1&left_on=not-a-day"),
        Expect::scoped(
            "GET",
            "/orgs/{code}/people/new",
            "/orgs/{org}/people/new",
            own_org_form,
        ),
        Expect::scoped(
            "POST",
            "/orgs/{code}/people/new",
            "/orgs/{org}/people/new",
            own_org_post,
        )
        .body("name=&email=not-an-address"),
        Expect::scoped(
            "GET",
            "/who",
            "/who?org={org}&portfolio=publicity&at=2026-07-01",
            business_read(false),
        ),
        // API.
        Expect::plain("GET", "/api/v1/orgs", business_read(true)),
        // An unknown kind: 422 where the caller manages the parent.
        Expect::scoped("POST", "/api/v1/orgs", "/api/v1/orgs", |c, s| match c {
            Caller::Anonymous => 401,
            c if !manages(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 422,
        })
        .body(r#"{"code":"matrix-org","name":"矩阵","kind":"nonsense","parent":"{org}"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/orgs/{id}",
            "/api/v1/orgs/{org_id}",
            business_read(true),
        ),
        // A stale version: 409 where the caller manages the org.
        Expect::scoped(
            "PATCH",
            "/api/v1/orgs/{id}",
            "/api/v1/orgs/{org_id}",
            |c, s| match c {
                Caller::Anonymous => 401,
                c if is_admin(c) => 403,
                _ if s == Scope::Outside => 404,
                c if manages(c) => 409,
                _ => 403,
            },
        )
        .body(r#"{"version":0,"name":"矩阵"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/people",
            "/api/v1/people?org={org}",
            business_read(true),
        ),
        // An empty name: 422 where the caller manages the org.
        Expect::scoped("POST", "/api/v1/people", "/api/v1/people", |c, s| match c {
            Caller::Anonymous => 401,
            c if !manages(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 422,
        })
        .body(r#"{"name":" ","org":"{org}"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/people/{id}",
            "/api/v1/people/{person}",
            business_read(true),
        ),
        // A stale version: 409 where the caller manages the person's org.
        Expect::scoped(
            "PATCH",
            "/api/v1/people/{id}",
            "/api/v1/people/{person}",
            |c, s| match c {
                Caller::Anonymous => 401,
                c if is_admin(c) => 403,
                _ if s == Scope::Outside => 404,
                c if manages(c) => 409,
                _ => 403,
            },
        )
        .body(r#"{"version":0,"name":"矩阵"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/posts",
            "/api/v1/posts?org={org}",
            business_read(true),
        ),
        Expect::scoped(
            "GET",
            "/api/v1/holdings",
            "/api/v1/holdings?post={post}",
            business_read(true),
        ),
        // A malformed date: 422 where the caller manages the post's org.
        Expect::scoped(
            "POST",
            "/api/v1/posts/{id}/handover",
            "/api/v1/posts/{post}/handover",
            |c, s| match c {
                Caller::Anonymous => 401,
                c if is_admin(c) => 403,
                _ if s == Scope::Outside => 404,
                c if manages(c) => 422,
                _ => 403,
            },
        )
        .body(r#"{"person":"{person}","on":"not-a-date"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/responsibility",
            "/api/v1/responsibility?org={org}&portfolio=publicity&at=2026-07-01",
            business_read(true),
        ),
    ]
}
