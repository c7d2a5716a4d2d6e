//! Reminders and escalation: the notification centre, each person's channel settings, each
//! org's group robots (企业微信, 钉钉) with its delivery log for the org's secretary, the SMTP
//! server for the system administrator, and the background planner and sender.
//!
//! Who sees what: every business account reads its own notifications and sets its own email;
//! an org's robots and delivery log belong to its first responsible person (`ManageReminders`:
//! the college secretary for the college and its branches, a branch secretary for the branch —
//! not the org administrator who keeps the roster); the SMTP server is system configuration (`ManageSystem`). Outside
//! the viewer's scope an org answers 404 like a missing one; administrators get 403 on business
//! data. Nothing is sent inside a request: pages and the API only write settings and read logs;
//! the planner queues and the sender sends (see [`planner`] and [`sender`]).

use crate::AppState;
use crate::jobs::reminders::failure::describe_error;
use crate::jobs::reminders::texts::{NoteArgs, kind_label_key, note_text};
use crate::jobs::reminders::{
    ROBOT_HOSTS_SETTING, RobotHosts, SMTP_SETTING, SmtpSettings, SmtpTls, robot_hosts,
};
use crate::shared::access::Refusal;
use crate::shared::auth::{ApiViewer, PageViewer, Snapshot, Viewer, redirect};
use crate::shared::error::{ApiError, ErrorCode, generic_message};
use crate::shared::extract::{Input, JsonBody, Path, Query, Rejected};
use crate::shared::format::{minute, rfc3339};
use crate::shared::frame::{Frame, error_page, page, storage_page};
use crate::shared::i18n::Tr;
use crate::shared::routes::{Describe, Routes};
use askama::Template;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use std::collections::HashMap;
use zeren_core::access::Permission;
use zeren_core::org::Org;
use zeren_core::reminders::ReminderKind;
use zeren_core::reminders::robots::{AllowedHost, Robot, check_robot_url};
use zeren_storage::StorageError;
use zeren_storage::repo::notify::{
    Attempt, Delivery, DeliveryFilter, Notification, OrgChannels, SecretUpdate, redact_url,
};

mod access;
mod catalog;
mod centre;
mod channels;
mod hosts;
mod robots;
mod smtp;
mod views;

use access::*;
use centre::*;
use channels::*;
use hosts::*;
use robots::*;
use smtp::*;
use views::*;

pub use catalog::CATALOG;

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
        .post(
            "/admin/notify/robot-hosts",
            Describe::auth(
                "notify",
                "Save the hosts robot addresses may use besides 企业微信's and 钉钉's",
            ),
            hosts_submit,
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
                ("channel", "email, wecom, dingtalk, wecom-app or dingtalk-app"),
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
        .get(
            "/settings/robot-hosts",
            Describe::auth(
                "notify",
                "Hosts robot addresses may use besides 企业微信's and 钉钉's (system administrator)",
            ),
            api_robot_hosts,
        )
        .put(
            "/settings/robot-hosts",
            Describe::auth(
                "notify",
                "Set the hosts robot addresses may use (system administrator, version-checked)",
            ),
            api_put_robot_hosts,
        )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use zeren_core::Lang;

    #[test]
    fn inputs_are_checked() {
        let tr = Tr::new(Lang::En);
        assert_eq!(check_email(tr, " ").unwrap(), None);
        assert!(check_email(tr, "li@cqu.edu.cn").is_ok());
        assert!(check_email(tr, "not-an-address").is_err());
        let wecom = |s: &str| check_robot(tr, "wecom_url", Robot::Wecom, s, &[]);
        assert_eq!(wecom(" ").unwrap(), None);
        assert!(wecom("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x").is_ok());
        for bad in [
            "http://127.0.0.1:8080/cgi-bin/webhook/send?key=x",
            "https://10.0.0.1/cgi-bin/webhook/send?key=x",
            "https://evil.example/cgi-bin/webhook/send?key=x",
            "ftp://x/y",
            "https://",
        ] {
            let e = wecom(bad).unwrap_err();
            assert!(e.message.contains("wecom_url"), "{bad}: {}", e.message);
        }
        let allowed = [AllowedHost::parse("robots.example.edu.cn").unwrap()];
        assert!(
            check_robot(
                tr,
                "dingtalk_url",
                Robot::Dingtalk,
                "https://robots.example.edu.cn/hook",
                &allowed
            )
            .is_ok()
        );
        assert_eq!(
            check_hosts(tr, ["Robots.Example.EDU.cn", "", "gw.example.test:8443"]).unwrap(),
            ["robots.example.edu.cn", "gw.example.test:8443"]
        );
        assert!(check_hosts(tr, ["127.0.0.1"]).is_err());
        assert!(check_secret(tr, "SEC 1").is_err());
        assert!(check_smtp(tr, "127.0.0.1", "25", "none", "", "Zeren <z@example.test>").is_ok());
        assert!(check_smtp(tr, "127.0.0.1", "0", "none", "", "z@example.test").is_err());
        assert!(check_smtp(tr, "127.0.0.1", "25", "ssl", "", "z@example.test").is_err());
        assert!(check_smtp(tr, "127.0.0.1", "25", "tls", "", "zeren").is_err());
    }
}
