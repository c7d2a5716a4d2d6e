//! The administrators' area (三员分立, PRODUCT.md §5): the audit log for the security auditor;
//! accounts, roles and the security policy for the security administrator; settings and backups
//! for the system administrator. Each page answers only its own administrator; none shows
//! business records; the security administrator never changes its own account, so no
//! administrator can give itself more than it has.

use crate::AppState;
use crate::shared::access::{Refusal, require};
use crate::shared::auth::{
    ApiViewer, FOUNDER_SETTING, Founder, PageViewer, SECURITY_SETTING, Snapshot, Viewer, redirect,
};
use crate::shared::error::{ApiError, ErrorCode, classify, generic_message};
use crate::shared::extract::{Input, JsonBody, Path, Query, Rejected};
use crate::shared::format::{rfc3339, second};
use crate::shared::frame::{Frame, error_page, forbidden_page, page};
use crate::shared::i18n::Tr;
use crate::shared::routes::{Describe, Routes};
use crate::shared::urls::encode;
use askama::Template;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashSet;
use zeren_core::access::{
    AdminRole, LoginPolicy, PasswordPolicy, Permission, Role, SecurityPolicy,
};
use zeren_core::audit::{AuditEntry, ChainError, ChangeDigest, ShownChange};
use zeren_core::clock::shanghai;
use zeren_storage::repo::audit_query::{AuditFilter, RecordCounts};
use zeren_storage::secrets::{hash_password, random_bytes};
use zeren_storage::{Grant, NewUser, StorageError, User};

mod account;
mod accounts;
mod accounts_api;
mod audit;
mod catalog;
mod support;
mod system;

use account::*;
use accounts::*;
use accounts_api::*;
use audit::*;
use support::*;
use system::*;

pub use catalog::CATALOG;

/// Audit entries on one page.
const PER_PAGE: i64 = 50;

/// Query parameters of the audit log (page and API).
const AUDIT_QUERY: &[(&str, &str)] = &[
    ("actor", "Only entries by this user name"),
    (
        "object_type",
        "Only entries about this kind of object (user, org, holding, …)",
    ),
    ("object_id", "Only entries about this object id"),
    (
        "action",
        "Only actions starting with this (login matches login.success)",
    ),
    ("from", "First day, YYYY-MM-DD in Asia/Shanghai"),
    ("to", "Last day, YYYY-MM-DD in Asia/Shanghai"),
    ("page", "Page number from 1, 50 entries a page"),
    (
        "before",
        "Cursor: only entries older than this sequence number",
    ),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/audit",
            Describe::auth(
                "audit",
                "Audit log, newest first, with filters and the chain status",
            )
            .query(AUDIT_QUERY),
            audit_page,
        )
        .get(
            "/admin/accounts",
            Describe::auth(
                "admin",
                "Accounts, the new-account form and the security policy",
            )
            .query(&[("q", "Narrows the people offered for a new account")]),
            accounts_page,
        )
        .post(
            "/admin/accounts",
            Describe::auth("admin", "Create an account with a temporary password"),
            create_account,
        )
        .get(
            "/admin/accounts/{id}",
            Describe::auth("admin", "One account: state, password, roles and grants"),
            account_page,
        )
        .post(
            "/admin/accounts/{id}/state",
            Describe::auth("admin", "Disable or enable an account"),
            set_state,
        )
        .post(
            "/admin/accounts/{id}/unlock",
            Describe::auth("admin", "Unlock an account locked by failed sign-ins"),
            unlock,
        )
        .post(
            "/admin/accounts/{id}/totp/reset",
            Describe::auth(
                "admin",
                "Turn off a lost second factor of a business account (its sessions end)",
            ),
            reset_totp,
        )
        .post(
            "/admin/accounts/{id}/password",
            Describe::auth("admin", "Reset an account's password to a temporary one"),
            reset_password,
        )
        .post(
            "/admin/accounts/{id}/grants",
            Describe::auth("admin", "Grant a business role over an org subtree"),
            add_grant,
        )
        .post(
            "/admin/accounts/{id}/grants/{grant}/revoke",
            Describe::auth("admin", "Revoke a grant"),
            revoke_grant,
        )
        .post(
            "/admin/security",
            Describe::auth("admin", "Save the security policy"),
            save_security,
        )
        .get(
            "/admin/system",
            Describe::auth(
                "system",
                "System settings: version, engine, counts, reminders",
            ),
            system_page,
        )
        .post(
            "/admin/system/backup",
            Describe::auth("system", "Download a backup of the whole database"),
            download_backup,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/audit",
            Describe::auth(
                "audit",
                "Audit entries, newest first, filtered, with the chain status",
            )
            .query(AUDIT_QUERY),
            api_audit,
        )
        .get(
            "/accounts",
            Describe::auth("admin", "Every account with its state and grants"),
            api_accounts,
        )
        .post(
            "/accounts",
            Describe::auth(
                "admin",
                "Create an account; answers with a temporary password, shown once",
            ),
            api_create_account,
        )
        .post(
            "/accounts/{id}/grants",
            Describe::auth("admin", "Grant a business role over an org subtree"),
            api_grant,
        )
        .get(
            "/settings/security",
            Describe::auth("admin", "The security policy with its version"),
            api_security,
        )
        .put(
            "/settings/security",
            Describe::auth("admin", "Replace the security policy (version-checked)"),
            api_put_security,
        )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use zeren_core::Lang;

    #[test]
    fn temporary_passwords_pass_the_policy_with_every_class() {
        for policy in [
            PasswordPolicy::default(),
            PasswordPolicy {
                min_length: 24,
                min_classes: 4,
            },
        ] {
            for _ in 0..50 {
                let pw = temporary_password(&policy, "ab").unwrap();
                assert!(pw.len() >= policy.min_length.max(16), "{pw}");
                assert!(policy.check(&pw, "ab").is_ok(), "{pw}");
                assert!(pw.chars().all(|c| !"0O1lI".contains(c)), "{pw}");
            }
        }
        let a = temporary_password(&PasswordPolicy::default(), "x").unwrap();
        let b = temporary_password(&PasswordPolicy::default(), "x").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn the_security_policy_stays_within_bounds() {
        let tr = Tr::new(Lang::En);
        assert!(check_policy(&SecurityPolicy::default(), tr).is_empty());
        let weak = SecurityPolicy {
            password: PasswordPolicy {
                min_length: 4,
                min_classes: 1,
            },
            login: LoginPolicy {
                max_failures: 100,
                lockout_minutes: 0,
                idle_minutes: 10_000,
            },
            totp_required: vec!["root".into()],
        };
        let fields: Vec<&str> = check_policy(&weak, tr).iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "min_length",
                "min_classes",
                "max_failures",
                "lockout_minutes",
                "idle_minutes",
                "totp"
            ]
        );
        assert_eq!(
            canonical_totp(&["audit".into(), "leader".into(), "audit".into()]),
            ["leader", "audit"]
        );
    }

    #[test]
    fn audit_filters_are_read_field_by_field() {
        let tr = Tr::new(Lang::Zh);
        let req = parse_audit(
            AuditQuery {
                actor: Some(" secadmin ".into()),
                from: Some("2026-07-01".into()),
                to: Some("2026-07-01".into()),
                page: Some("3".into()),
                ..AuditQuery::default()
            },
            tr,
        );
        assert!(req.errors.is_empty());
        assert_eq!(req.filter.actor.as_deref(), Some("secadmin"));
        // One Shanghai day: 2026-06-30T16:00Z to 2026-07-01T16:00Z.
        assert_eq!(req.filter.from_ms, Some(1_782_835_200_000));
        assert_eq!(req.filter.to_ms, Some(1_782_921_600_000));
        assert_eq!(req.page, 3);
        let req = parse_audit(
            AuditQuery {
                from: Some("2026-07-02".into()),
                to: Some("2026-07-01".into()),
                page: Some("0".into()),
                before: Some("x".into()),
                ..AuditQuery::default()
            },
            tr,
        );
        let fields: Vec<&str> = req.errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["to", "page", "before"]);
    }
}
