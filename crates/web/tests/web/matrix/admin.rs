//! Matrix entries of the admin area: each administrator's routes answer that administrator
//! only; every other account gets 403, visitors are sent to sign in (pages), refused by the
//! CSRF guard (page posts) or answered 401 (API).
//!
//! Writes are tried with bodies that fail validation or carry a stale version, so nothing in
//! the demo changes under the other entries. The backup download changes nothing but the log.

use crate::common::matrix::{Caller, Expect, Scope};

/// Only `$who` gets `$ok`; visitors get `$anon`; everyone else 403.
macro_rules! only {
    ($who:literal, $ok:literal, $anon:literal) => {
        |c: Caller, _: Scope| match c {
            Caller::Anonymous => $anon,
            Caller::Role($who) => $ok,
            Caller::Role(_) => 403,
        }
    };
}

pub fn expectations() -> Vec<Expect> {
    vec![
        // The security auditor.
        Expect::plain("GET", "/audit", only!("auditor", 200, 303)),
        Expect::plain("GET", "/api/v1/audit", only!("auditor", 200, 401)),
        // The security administrator: pages.
        Expect::plain("GET", "/admin/accounts", only!("secadmin", 200, 303)),
        Expect::plain("POST", "/admin/accounts", only!("secadmin", 422, 403))
            .body("username=&display_name="),
        Expect::plain("GET", "/admin/accounts/{id}", only!("secadmin", 200, 303))
            .at("/admin/accounts/{other_user}"),
        Expect::plain("POST", "/admin/accounts/{id}/state", only!("secadmin", 409, 403))
            .at("/admin/accounts/{other_user}/state")
            .body("version=0&disabled=1"),
        Expect::plain("POST", "/admin/accounts/{id}/unlock", only!("secadmin", 409, 403))
            .at("/admin/accounts/{other_user}/unlock")
            .body("version=0"),
        Expect::plain("POST", "/admin/accounts/{id}/totp/reset", only!("secadmin", 409, 403))
            .at("/admin/accounts/{other_user}/totp/reset")
            .body("version=0"),
        Expect::plain("POST", "/admin/accounts/{id}/password", only!("secadmin", 409, 403))
            .at("/admin/accounts/{other_user}/password")
            .body("version=0"),
        Expect::plain("POST", "/admin/accounts/{id}/grants", only!("secadmin", 422, 403))
            .at("/admin/accounts/{other_user}/grants")
            .body("role=nonsense&org={org}"),
        Expect::plain(
            "POST",
            "/admin/accounts/{id}/grants/{grant}/revoke",
            only!("secadmin", 404, 403),
        )
        .at("/admin/accounts/{other_user}/grants/{missing}/revoke"),
        Expect::plain("POST", "/admin/security", only!("secadmin", 422, 403))
            .body("version=0&min_length=1"),
        // The security administrator: API.
        Expect::plain("GET", "/api/v1/accounts", only!("secadmin", 200, 401)),
        Expect::plain("POST", "/api/v1/accounts", only!("secadmin", 422, 401))
            .body(r#"{"username":"","display_name":""}"#),
        Expect::plain("POST", "/api/v1/accounts/{id}/grants", only!("secadmin", 422, 401))
            .at("/api/v1/accounts/{other_user}/grants")
            .body(r#"{"role":"nonsense","org":"{org}"}"#),
        Expect::plain("GET", "/api/v1/settings/security", only!("secadmin", 200, 401)),
        Expect::plain("PUT", "/api/v1/settings/security", only!("secadmin", 409, 401)).body(
            r#"{"password":{"min_length":8,"min_classes":3},"login":{"max_failures":5,"lockout_minutes":30,"idle_minutes":30},"totp_required":[],"version":999}"#,
        ),
        // The system administrator.
        Expect::plain("GET", "/admin/system", only!("sysadmin", 200, 303)),
        Expect::plain("POST", "/admin/system/backup", only!("sysadmin", 200, 403)),
        // Loading a policy version (LoadPolicy): the system administrator only. The upload is
        // not a pack (422, located problems) and the adoption's sha256 is not the source's
        // (422): nothing is loaded.
        Expect::plain("GET", "/policies/load", only!("sysadmin", 200, 303)),
        Expect::plain("POST", "/policies/load", only!("sysadmin", 422, 403))
            .upload("not a policy pack = ["),
        Expect::plain("POST", "/policies/adopt", only!("sysadmin", 422, 403))
            .body("source=format%20%3D%201&sha256=0000"),
    ]
}
