//! Reminders and escalation (Art.4, the duties' due dates): the planner works out, once a
//! minute and once across instances, which reminders are due and queues them; the sender
//! delivers the queue by email, to the orgs' 企业微信/钉钉 robots (paced) and, where the
//! system administrator turned the office apps' messages on, to the person as a 企业微信 app
//! message or a 钉钉 work notification — each retried. Nothing is sent inside a request. The texts are here too, so a notification reads the same in the
//! notification centre, in a mail and in a group.

mod catalog;
pub mod failure;
use zeren_directory::http;
pub mod planner;
pub mod sender;
pub mod texts;

pub use catalog::CATALOG;

use crate::shared::state::AppState;
use serde::{Deserialize, Serialize};
use zeren_core::reminders::robots::AllowedHost;

/// Setting key of the SMTP server.
pub const SMTP_SETTING: &str = "smtp";

/// How to talk to the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or a trusted network).
    None,
    /// STARTTLS on the submission port.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

impl SmtpTls {
    /// The setting's word for a mode (`none`, `starttls`, `tls`).
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s {
            "none" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::Starttls),
            "tls" => Some(SmtpTls::Tls),
            _ => None,
        }
    }

    /// The word of this mode.
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpTls::None => "none",
            SmtpTls::Starttls => "starttls",
            SmtpTls::Tls => "tls",
        }
    }
}

/// The SMTP server, kept as the setting `smtp` by the system administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SmtpSettings {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// User name; empty for no authentication.
    pub username: String,
    /// Password.
    pub password: String,
    /// Sender, e.g. `Zeren <zeren@example.edu.cn>`.
    pub from: String,
}

/// Setting key of the hosts robot addresses may use besides the providers' own.
pub const ROBOT_HOSTS_SETTING: &str = "robot_hosts";

/// The hosts the system administrator allows robot addresses on besides `qyapi.weixin.qq.com`
/// and `oapi.dingtalk.com` (a private deployment, a gateway): `host` or `host:port`, each as
/// [`AllowedHost`] reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RobotHosts {
    /// The entries, as saved.
    pub hosts: Vec<String>,
}

impl RobotHosts {
    /// The entries that read as hosts (all of them, as saved through the checks).
    pub fn allowed(&self) -> Vec<AllowedHost> {
        self.hosts
            .iter()
            .filter_map(|h| AllowedHost::parse(h).ok())
            .collect()
    }
}

/// The allowed robot hosts and the setting's version (0 when never set).
pub async fn robot_hosts(db: &zeren_storage::Db) -> zeren_storage::Result<(RobotHosts, i64)> {
    Ok(db
        .setting::<RobotHosts>(ROBOT_HOSTS_SETTING)
        .await?
        .unwrap_or_default())
}

/// Starts the planner and the sender. The planner looks every
/// minute whether today's run is due (one instance of several claims it); the sender looks
/// every ten seconds for deliveries due.
pub fn spawn(state: &AppState) {
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
