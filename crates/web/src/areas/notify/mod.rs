//! Reminders and escalation: the notification centre, each person's channel settings, each
//! org's group robots (企业微信, 钉钉) with its delivery log for the org's secretary, the SMTP
//! server for the system administrator, and the background planner and sender.
//!
//! Who sees what: every business account reads its own notifications and sets its own email;
//! an org's robots and delivery log belong to whoever manages the org (the secretary role in
//! scope: `ManageOrg`, so the college secretary for the college and its branches, a branch
//! secretary for the branch); the SMTP server is system configuration (`ManageSystem`). Outside
//! the viewer's scope an org answers 404 like a missing one; administrators get 403 on business
//! data. Nothing is sent inside a request: pages and the API only write settings and read logs;
//! the planner queues and the sender sends (see [`planner`] and [`sender`]).

mod http;
pub mod planner;
pub mod sender;

use crate::AppState;
use crate::shared::access::Refusal;
use crate::shared::auth::{ApiViewer, PageViewer, Snapshot, Viewer, redirect};
use crate::shared::error::{ApiError, ErrorCode, generic_message};
use crate::shared::extract::{Input, JsonBody, Path, Query, Rejected};
use crate::shared::format::{minute, rfc3339};
use crate::shared::frame::{Frame, error_page, page, storage_page};
use crate::shared::i18n::{self, Tr};
use crate::shared::routes::{Describe, Routes};
use askama::Template;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use zeren_core::Lang;
use zeren_core::access::Permission;
use zeren_core::org::Org;
use zeren_core::reminders::{Reminder, ReminderKind, days_left};
use zeren_storage::StorageError;
use zeren_storage::repo::notify::{
    Attempt, Delivery, DeliveryFilter, Notification, OrgChannels, SecretUpdate, redact_url,
};

mod access;
mod catalog;
mod centre;
mod channels;
mod robots;
mod settings;
mod smtp;
mod views;

use access::*;
use centre::*;
use channels::*;
use robots::*;
use settings::*;
use smtp::*;
use views::*;

pub use catalog::CATALOG;
pub use settings::{SmtpSettings, SmtpTls};

/// Setting key of the SMTP server.
pub const SMTP_SETTING: &str = "smtp";

/// Notifications and deliveries on one page.
const PER_PAGE: i64 = 30;

// ------------------------------------------------------------------------------------------
// Routes and jobs
// ------------------------------------------------------------------------------------------

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/notifications",
            Describe::auth("notify", "Notification centre"),
            centre_page,
        )
        .post(
            "/notifications/read-all",
            Describe::auth("notify", "Mark all my notifications read"),
            read_all_submit,
        )
        .post(
            "/notifications/{id}/read",
            Describe::auth("notify", "Mark a notification read"),
            read_submit,
        )
        .get(
            "/notifications/settings",
            Describe::auth("notify", "My reminder channels"),
            settings_page,
        )
        .post(
            "/notifications/settings",
            Describe::auth("notify", "Save my reminder channels"),
            settings_submit,
        )
        .get(
            "/orgs/{code}/notify",
            Describe::auth("notify", "An org's robots and delivery log"),
            org_page,
        )
        .post(
            "/orgs/{code}/notify",
            Describe::auth("notify", "Save an org's robots"),
            org_submit,
        )
        .get(
            "/admin/notify",
            Describe::auth("notify", "SMTP server and outbox state"),
            admin_page,
        )
        .post(
            "/admin/notify",
            Describe::auth("notify", "Save the SMTP server"),
            admin_submit,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/notifications",
            Describe::auth("notify", "My notifications, newest first").query(&[
                ("unread", "1: only unread ones"),
                ("page", "Page from 1, 30 a page"),
            ]),
            api_notifications,
        )
        .post(
            "/notifications/read-all",
            Describe::auth("notify", "Mark all my notifications read"),
            api_read_all,
        )
        .post(
            "/notifications/{id}/read",
            Describe::auth("notify", "Mark one of my notifications read"),
            api_read,
        )
        .get(
            "/notifications/settings",
            Describe::auth("notify", "My reminder channels"),
            api_settings,
        )
        .put(
            "/notifications/settings",
            Describe::auth("notify", "Set my reminder channels (version-checked)"),
            api_put_settings,
        )
        .get(
            "/deliveries",
            Describe::auth(
                "notify",
                "Deliveries of reminders about an org's subtree, with every try (org admins)",
            )
            .query(&[
                ("org", "Org code or id (required)"),
                ("status", "pending, sending, sent or failed"),
                ("channel", "email, wecom or dingtalk"),
                ("page", "Page from 1, 30 a page"),
            ]),
            api_deliveries,
        )
        .get(
            "/orgs/{id}/notify",
            Describe::auth(
                "notify",
                "An org's group robots (URLs and secret never shown)",
            ),
            api_org_channels,
        )
        .put(
            "/orgs/{id}/notify",
            Describe::auth("notify", "Set an org's group robots (version-checked)"),
            api_put_org_channels,
        )
        .get(
            "/settings/smtp",
            Describe::auth(
                "notify",
                "The SMTP server (system administrator; password never shown)",
            ),
            api_smtp,
        )
        .put(
            "/settings/smtp",
            Describe::auth(
                "notify",
                "Set the SMTP server (system administrator, version-checked)",
            ),
            api_put_smtp,
        )
}

/// Background work of this area, started once by `zeren serve`: the planner looks every
/// minute whether today's run is due (one instance of several claims it); the sender looks
/// every ten seconds for deliveries due.
pub fn spawn_jobs(state: &AppState) {
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            let summary = planner::run_once(&s).await;
            if summary.ran {
                tracing::debug!(?summary, "planner run");
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            let summary = sender::run_once(&s).await;
            if summary != sender::Summary::default() {
                tracing::debug!(?summary, "sender run");
            }
            tokio::time::sleep(std::time::Duration::from_secs(10)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn args(days: i64) -> NoteArgs {
        NoteArgs {
            obligation: "o".into(),
            duty_id: "annual-dedicated-study".into(),
            duty: "年度专题研究".into(),
            duty_en: "Annual dedicated study".into(),
            citation: "Art.4(2)".into(),
            citation_zh: "第四条第（二）项".into(),
            org: "材料学院".into(),
            due: "2026-12-31".into(),
            days,
            responsible: Some("李明华".into()),
        }
    }

    #[test]
    fn texts_in_both_languages() {
        assert_eq!(
            note_text(Lang::Zh, "before-7", &args(7)),
            "材料学院：「年度专题研究」（第四条第（二）项）将于 2026-12-31 到期，还有 7 天。"
        );
        assert_eq!(
            note_text(Lang::En, "before-1", &args(1)),
            "材料学院: “Annual dedicated study” (Art.4(2)) is due on 2026-12-31, in 1 day."
        );
        assert!(note_text(Lang::Zh, "before-1", &args(0)).contains("今天"));
        assert!(note_text(Lang::Zh, "escalate", &args(-7)).contains("已逾期 7 天"));
        assert!(note_text(Lang::En, "overdue", &args(-1)).contains("was due on 2026-12-31"));
        let (subject, body) = mail_text(Lang::Zh, "overdue", &args(-1), "李明华");
        assert_eq!(subject, "【逾期提醒】年度专题研究（2026-12-31）");
        assert!(body.starts_with("李明华："));
        let robot = robot_text("escalate", &args(-7), "李明华");
        assert!(robot.starts_with("【逾期报告】材料学院"));
        assert!(robot.ends_with("（提醒：李明华）"));
    }

    #[test]
    fn inputs_are_checked() {
        let tr = Tr::new(Lang::En);
        assert_eq!(check_email(tr, " ").unwrap(), None);
        assert!(check_email(tr, "li@cqu.edu.cn").is_ok());
        assert!(check_email(tr, "not-an-address").is_err());
        assert!(check_url(tr, "wecom_url", "http://127.0.0.1:8080/send?key=x").is_ok());
        assert!(check_url(tr, "wecom_url", "ftp://x/y").is_err());
        assert!(check_url(tr, "wecom_url", "https://").is_err());
        assert!(check_secret(tr, "SEC 1").is_err());
        assert!(check_smtp(tr, "127.0.0.1", "25", "none", "", "Zeren <z@example.test>").is_ok());
        assert!(check_smtp(tr, "127.0.0.1", "0", "none", "", "z@example.test").is_err());
        assert!(check_smtp(tr, "127.0.0.1", "25", "ssl", "", "z@example.test").is_err());
        assert!(check_smtp(tr, "127.0.0.1", "25", "tls", "", "zeren").is_err());
    }
}
