//! Matrix entries of the notify area.
//!
//! Every business account has its own notification centre and channels; an org's robots and
//! delivery log answer the accounts that manage the org (college and branch secretaries), 403 to
//! those who only read it, 404 outside their scope; the SMTP server and the allowed robot hosts
//! answer the system administrator only. Writes carry bodies that fail validation, so the demo
//! stays as it is.

use crate::common::matrix::{Caller, Expect, Scope, is_admin};

/// Accounts that set an org's reminder channels (ManageReminders): the college secretary and the
/// branch secretary — not the org administrator, who keeps only the roster.
fn manages(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "branch"))
}

/// Business accounts get `ok`; administrators 403; visitors `anon`.
macro_rules! business {
    ($ok:literal, $anon:literal) => {
        |c: Caller, _: Scope| match c {
            Caller::Anonymous => $anon,
            c if is_admin(c) => 403,
            _ => $ok,
        }
    };
}

/// The org's managers get `ok` inside; readers 403; outside 404; administrators 403.
macro_rules! managers {
    ($ok:literal, $anon:literal) => {
        |c: Caller, s: Scope| match c {
            Caller::Anonymous => $anon,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            c if manages(c) => $ok,
            _ => 403,
        }
    };
}

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
    vec![
        // Pages: my notifications and channels.
        Expect::plain("GET", "/notifications", business!(200, 303)),
        // Marks my own notifications read (there are none in the matrix's demo).
        Expect::plain("POST", "/notifications/read-all", business!(303, 403)),
        Expect::plain("POST", "/notifications/{id}/read", business!(404, 403))
            .at("/notifications/{missing}/read"),
        Expect::plain("GET", "/notifications/settings", business!(200, 303)),
        Expect::plain("POST", "/notifications/settings", business!(422, 403))
            .body("version=0&email=not-an-address&email_enabled=1"),
        // Pages: an org's robots and delivery log.
        Expect::scoped(
            "GET",
            "/orgs/{code}/notify",
            "/orgs/{org}/notify",
            managers!(200, 303),
        ),
        Expect::scoped(
            "POST",
            "/orgs/{code}/notify",
            "/orgs/{org}/notify",
            managers!(422, 403),
        )
        .body("version=0&wecom_url=not-a-url"),
        // Pages: the SMTP server.
        Expect::plain("GET", "/admin/notify", sysadmin!(200, 303)),
        Expect::plain("POST", "/admin/notify", sysadmin!(422, 403))
            .body("version=0&host=&port=x&tls=none&from=x"),
        // An internal address is no robot host to allow.
        Expect::plain("POST", "/admin/notify/robot-hosts", sysadmin!(422, 403))
            .body("version=0&hosts=127.0.0.1"),
        // API.
        Expect::plain("GET", "/api/v1/notifications", business!(200, 401)),
        Expect::plain(
            "POST",
            "/api/v1/notifications/read-all",
            business!(200, 401),
        ),
        Expect::plain(
            "POST",
            "/api/v1/notifications/{id}/read",
            business!(404, 401),
        )
        .at("/api/v1/notifications/{missing}/read"),
        Expect::plain("GET", "/api/v1/notifications/settings", business!(200, 401)),
        Expect::plain("PUT", "/api/v1/notifications/settings", business!(422, 401))
            .body(r#"{"email":"not-an-address","email_enabled":true,"version":0}"#),
        Expect::scoped(
            "GET",
            "/api/v1/deliveries",
            "/api/v1/deliveries?org={org}",
            managers!(200, 401),
        ),
        Expect::scoped(
            "GET",
            "/api/v1/orgs/{id}/notify",
            "/api/v1/orgs/{org_id}/notify",
            managers!(200, 401),
        ),
        Expect::scoped(
            "PUT",
            "/api/v1/orgs/{id}/notify",
            "/api/v1/orgs/{org_id}/notify",
            managers!(422, 401),
        )
        .body(r#"{"wecom_url":"not-a-url","version":0}"#),
        Expect::plain("GET", "/api/v1/settings/smtp", sysadmin!(200, 401)),
        Expect::plain("PUT", "/api/v1/settings/smtp", sysadmin!(422, 401))
            .body(r#"{"host":"","port":25,"tls":"none","from":"zeren@example.test","version":0}"#),
        Expect::plain("GET", "/api/v1/settings/robot-hosts", sysadmin!(200, 401)),
        Expect::plain("PUT", "/api/v1/settings/robot-hosts", sysadmin!(422, 401))
            .body(r#"{"hosts":["10.0.0.1"],"version":0}"#),
    ]
}
