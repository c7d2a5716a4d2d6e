//! Matrix entries of directory sign-in (issue 18).
//!
//! The matrix's demo has no directory set up: every way of signing in answers 404 to everyone
//! (it is not there to try), the portal's logout post without a ticket 400; the settings answer
//! the system administrator only. The LDAP form, like the local one, needs the sign-in page's
//! token, which a visitor here does not bring (403).

use crate::common::matrix::{Caller, Expect, Scope};

/// Only the system administrator gets `ok`.
macro_rules! sysadmin {
    ($ok:literal, $anon:literal) => {
        |c: Caller, _: Scope| match c {
            Caller::Anonymous => $anon,
            Caller::Role("sysadmin") => $ok,
            Caller::Role(_) => 403,
        }
    };
}

pub fn expectations() -> Vec<Expect> {
    let mut out = Vec::new();
    for path in [
        "/login/cas",
        "/login/cas/return",
        "/login/oidc",
        "/login/oidc/return",
        "/login/wecom",
        "/login/wecom/return",
        "/login/dingtalk",
        "/login/dingtalk/return",
    ] {
        out.push(Expect::plain("GET", path, |_: Caller, _: Scope| 404));
    }
    out.extend([
        Expect::plain("POST", "/login/cas/return", |_: Caller, _: Scope| 400)
            .body("logoutRequest=%3Cx%2F%3E"),
        Expect::plain("POST", "/login/ldap", |c: Caller, _: Scope| match c {
            Caller::Anonymous => 403,
            Caller::Role(_) => 404,
        })
        .body("username=someone&password=x"),
        Expect::plain("GET", "/admin/directory", sysadmin!(200, 303)),
        Expect::plain("POST", "/admin/directory", sysadmin!(422, 403))
            .body("version=0&link=staff-no&cas.enabled=1&cas.base_url=not-a-url"),
        Expect::plain("POST", "/admin/directory/test", sysadmin!(200, 403)).body("what=cas"),
        Expect::plain("GET", "/api/v1/settings/directory", sysadmin!(200, 401)),
        Expect::plain("PUT", "/api/v1/settings/directory", sysadmin!(422, 401))
            .body(r#"{"settings":{"cas":{"base_url":"not-a-url"}},"version":0}"#),
    ]);
    out
}
