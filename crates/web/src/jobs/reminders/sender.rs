//! The sender: claims due outbox rows one at a time with a lease, sends each (email over SMTP,
//! 企业微信 group robot, 钉钉 custom robot with its timestamp + HMAC-SHA256 signature, 企业微信
//! app message and 钉钉 work notification to a person), and records the outcome in the
//! transaction that marks it sent — or schedules the next try with backoff (1 min, 5 min,
//! 30 min, 2 h), then shows it failed. A delivery never touches obligation data. Robots are
//! paced at 20 messages a minute per robot, across instances; app messages are not paced (see
//! [`send_app`]).
//!
//! A send that succeeded just before its instance died is sent again after the lease (nothing
//! can make SMTP or a webhook and a database commit one act); the email carries the same
//! Message-ID on every try so mail systems can recognise the duplicate.
//!
//! A robot's stored address is checked again before each send (a setting may have changed, an
//! address may predate the rules): one that does not qualify is not sent to, and the delivery
//! fails at once with the reason. The log keeps a reason code, never the robot's answer.

use super::failure::{AppDeliveryFailure, RobotFailure};
use super::{SMTP_SETTING, SmtpSettings, SmtpTls};
use crate::AppState;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;
use url::Url;
use zeren_core::directory::DirectorySettings;
use zeren_core::reminders::retry_delay_secs;
use zeren_core::reminders::robots::{AllowedHost, OutboundPolicy, Robot, check_robot_url};
use zeren_directory::{dingtalk, wecom};
use zeren_storage::Actor;
use zeren_storage::repo::notify::{DINGTALK_APP, Delivery, OrgChannels, WECOM_APP};

/// How long a claimed delivery is held before another instance may take it over.
pub const LEASE_MS: i64 = 5 * 60 * 1000;

/// Deliveries looked at per call.
pub const BATCH: i64 = 100;

/// Time allowed for one send.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// What one call did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Sent.
    pub sent: usize,
    /// Failed and scheduled again.
    pub retried: usize,
    /// Failed for good.
    pub failed: usize,
    /// Put back because the robot's minute was full.
    pub deferred: usize,
    /// Claimed by another instance first, or taken over while sending.
    pub lost: usize,
}

/// Why a send failed, as the delivery log keeps it.
#[derive(Debug)]
pub struct SendError {
    /// An email's error in words, or a robot's reason code (see [`RobotFailure`]).
    pub reason: String,
    /// Whether another try may help.
    pub retried: bool,
}

impl SendError {
    /// A failure worth another try.
    fn retry(reason: String) -> SendError {
        SendError {
            reason,
            retried: true,
        }
    }
}

impl From<AppDeliveryFailure> for SendError {
    fn from(f: AppDeliveryFailure) -> SendError {
        SendError {
            reason: f.code(),
            retried: f.retried(),
        }
    }
}

impl From<RobotFailure> for SendError {
    fn from(f: RobotFailure) -> SendError {
        SendError {
            reason: f.code(),
            retried: f.retried(),
        }
    }
}

/// What one call reads once: the SMTP server, the allowed robot hosts, the office apps.
#[derive(Default)]
struct Settings {
    smtp: Option<Option<SmtpSettings>>,
    robot_hosts: Option<Vec<AllowedHost>>,
    directory: Option<DirectorySettings>,
}

/// Sends what is due now, once each.
pub async fn run_once(state: &AppState) -> Summary {
    let mut summary = Summary::default();
    let now_ms = state.now_ms();
    let ids = match state.db.due_deliveries(now_ms, BATCH).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the outbox");
            return summary;
        }
    };
    let mut settings = Settings::default();
    for id in ids {
        if let Err(e) = send_one(state, &id, &mut settings, &mut summary).await {
            tracing::error!(error = %e, delivery = %id, "delivery bookkeeping failed");
        }
    }
    summary
}

async fn send_one(
    state: &AppState,
    id: &str,
    settings: &mut Settings,
    summary: &mut Summary,
) -> zeren_storage::Result<()> {
    let db = &state.db;
    let holder = super::planner::claim_token("send");
    let now_ms = state.now_ms();
    let Some(d) = db
        .claim_delivery(id, &holder, now_ms, now_ms + LEASE_MS)
        .await?
    else {
        summary.lost += 1;
        return Ok(());
    };
    let outcome = match d.channel.as_str() {
        "email" => {
            if settings.smtp.is_none() {
                settings.smtp = Some(
                    db.setting::<SmtpSettings>(SMTP_SETTING)
                        .await?
                        .map(|(s, _)| s),
                );
            }
            match settings.smtp.as_ref().and_then(|s| s.as_ref()) {
                Some(s) => send_email(s, &d).await,
                None => Err(SendError::retry(
                    "SMTP is not configured (系统管理员尚未配置邮件服务器)".into(),
                )),
            }
        }
        channel @ (WECOM_APP | DINGTALK_APP) => {
            if settings.directory.is_none() {
                settings.directory = Some(db.directory_settings().await?.0);
            }
            let text = d.payload["text"].as_str().unwrap_or_default();
            // The apps' APIs are the university's own configuration, like its directories:
            // a private deployment may live on the intranet.
            let policy = state.outbound.for_directories();
            send_app(
                channel,
                settings.directory.as_ref(),
                &d.target,
                text,
                &policy,
            )
            .await
            .map_err(SendError::from)
        }
        channel => match Robot::from_channel(channel) {
            Some(robot) => {
                let robots = db.org_channels(&d.target).await?;
                let Some(stored) = robot_url(&robots, robot) else {
                    let outcome = Err(RobotFailure::NotConfigured.into());
                    return record(state, &d, &holder, outcome, summary).await;
                };
                if settings.robot_hosts.is_none() {
                    settings.robot_hosts = Some(super::robot_hosts(db).await?.0.allowed());
                }
                let allowed = settings.robot_hosts.as_deref().unwrap_or_default();
                // An address saved before the rules, or on a host no longer allowed.
                let Ok(url) = check_robot_url(robot, stored, allowed) else {
                    let outcome = Err(RobotFailure::Address.into());
                    return record(state, &d, &holder, outcome, summary).await;
                };
                if let Some(free_at) = db.take_robot_slot(&pace_key(stored), now_ms).await? {
                    if db.defer_delivery(&d.id, &holder, free_at).await? {
                        summary.deferred += 1;
                    } else {
                        summary.lost += 1;
                    }
                    return Ok(());
                }
                let text = d.payload["text"].as_str().unwrap_or_default();
                let url = match robot {
                    Robot::Wecom => url,
                    Robot::Dingtalk => dingtalk_url(url, robots.dingtalk_secret.as_deref(), now_ms),
                };
                post_robot(&url, text, &state.outbound)
                    .await
                    .map_err(SendError::from)
            }
            None => Err(SendError::retry(format!("unknown channel `{channel}`"))),
        },
    };
    record(state, &d, &holder, outcome, summary).await
}

async fn record(
    state: &AppState,
    d: &Delivery,
    holder: &str,
    outcome: Result<(), SendError>,
    summary: &mut Summary,
) -> zeren_storage::Result<()> {
    let mut tx = state.db.begin(&Actor::system(), state.clock.now()).await?;
    let attempts = u32::try_from(d.attempts).unwrap_or(u32::MAX);
    let retry_at = match &outcome {
        Err(e) if e.retried => retry_delay_secs(attempts).map(|s| state.now_ms() + s * 1000),
        _ => None,
    };
    let kept = match &outcome {
        Ok(()) => tx.delivery_sent(d, holder).await?,
        Err(e) => tx.delivery_failed(d, holder, &e.reason, retry_at).await?,
    };
    if !kept {
        summary.lost += 1;
        return Ok(());
    }
    tx.commit().await?;
    match outcome {
        Ok(()) => summary.sent += 1,
        Err(e) => {
            tracing::warn!(delivery = %d.id, channel = %d.channel, attempt = d.attempts, error = %e.reason, "delivery failed");
            if retry_at.is_some() {
                summary.retried += 1;
            } else {
                summary.failed += 1;
            }
        }
    }
    Ok(())
}

fn robot_url(robots: &OrgChannels, robot: Robot) -> Option<&str> {
    match robot {
        Robot::Wecom => robots.wecom_url.as_deref(),
        Robot::Dingtalk => robots.dingtalk_url.as_deref(),
    }
}

/// The pacing key of a robot: a hash of its URL (the URL itself carries its access token).
pub fn pace_key(url: &str) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(url.as_bytes()))
}

/// 钉钉's signature: base64(HMAC-SHA256(secret, "<timestamp ms>\n<secret>")).
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    data_encoding::BASE64.encode(&mac.finalize().into_bytes())
}

/// The URL a 钉钉 message is posted to: with `&timestamp=…&sign=…` when the robot is signed.
pub fn dingtalk_url(mut url: Url, secret: Option<&str>, timestamp_ms: i64) -> Url {
    if let Some(secret) = secret.filter(|s| !s.is_empty()) {
        url.query_pairs_mut()
            .append_pair("timestamp", &timestamp_ms.to_string())
            .append_pair("sign", &dingtalk_sign(secret, timestamp_ms));
    }
    url
}

/// Posts a text message to a 企业微信 or 钉钉 robot (both take the same JSON) through
/// `policy`, and reads their `errcode` answer. What the robot said goes no further: a failure
/// is its status or its `errcode`.
pub async fn post_robot(
    url: &Url,
    text: &str,
    policy: &OutboundPolicy,
) -> Result<(), RobotFailure> {
    let body = json!({"msgtype": "text", "text": {"content": text}});
    let (status, answer) = super::http::post_json(url, &body, SEND_TIMEOUT, policy).await?;
    if !(200..300).contains(&status) {
        return Err(RobotFailure::Status(status));
    }
    match serde_json::from_slice::<Value>(&answer) {
        Ok(v) => match v.get("errcode").and_then(Value::as_i64) {
            Some(0) | None => Ok(()),
            Some(code) => Err(RobotFailure::Errcode(code)),
        },
        // A gateway in front of the robot that answers 2xx without JSON: delivered.
        Err(_) => Ok(()),
    }
}

/// Sends a reminder's `text` to the person `user` through an office app: on `wecom-app` an app
/// message of the 企业微信 app, on `dingtalk-app` a work notification of the 钉钉 app — while the
/// app's `messages` are on and its secret is set; otherwise nothing is sent and the delivery
/// fails at once ([`AppDeliveryFailure::NotConfigured`]).
///
/// Not paced, unlike the robots (20 a minute per group): the apps allow far more — 企业微信 30
/// messages a minute and 1 000 an hour to one member, 钉钉 500 work notifications a day to one
/// person — and a day's reminders to one person are a handful. The app token is fetched once
/// and kept across runs (see `zeren_directory::wecom`).
pub async fn send_app(
    channel: &str,
    settings: Option<&DirectorySettings>,
    user: &str,
    text: &str,
    policy: &OutboundPolicy,
) -> Result<(), AppDeliveryFailure> {
    let result = match channel {
        WECOM_APP => {
            let Some(w) = settings
                .and_then(|s| s.wecom.as_ref())
                .filter(|w| w.messages && w.secret.is_set())
            else {
                return Err(AppDeliveryFailure::NotConfigured);
            };
            wecom::Client::new(w, policy).send_text(user, text).await
        }
        DINGTALK_APP => {
            let Some(d) = settings
                .and_then(|s| s.dingtalk.as_ref())
                .filter(|d| d.messages && d.app_secret.is_set())
            else {
                return Err(AppDeliveryFailure::NotConfigured);
            };
            dingtalk::Client::new(d, policy)
                .send_work_notice(user, text)
                .await
        }
        _ => return Err(AppDeliveryFailure::NotConfigured),
    };
    result.map_err(AppDeliveryFailure::from)
}

/// Sends one email through the configured SMTP server.
pub async fn send_email(s: &SmtpSettings, d: &Delivery) -> Result<(), SendError> {
    use lettre::message::Mailbox;
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    let err = |what: &str, e: &dyn std::fmt::Display| SendError::retry(format!("{what}: {e}"));
    let from: Mailbox = s.from.parse().map_err(|e| err("sender address", &e))?;
    let to: Mailbox = d.target.parse().map_err(|e| err("recipient address", &e))?;
    let subject = d.payload["subject"].as_str().unwrap_or_default();
    let text = d.payload["text"].as_str().unwrap_or_default().to_string();
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{}@zeren>", d.id)))
        .header(ContentType::TEXT_PLAIN)
        .body(text)
        .map_err(|e| err("message", &e))?;
    let builder = match s.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.as_str()),
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
            .map_err(|e| err("SMTP server", &e))?,
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)
            .map_err(|e| err("SMTP server", &e))?,
    };
    let mut builder = builder.port(s.port).timeout(Some(SEND_TIMEOUT));
    if !s.username.is_empty() {
        builder = builder.credentials(Credentials::new(s.username.clone(), s.password.clone()));
    }
    builder
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| err("SMTP", &e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dingtalk_signature_matches_the_documented_recipe() {
        // base64(HMAC-SHA256("SECxyz", "1700000000000\nSECxyz")), computed independently
        // (Python's hmac and base64 modules).
        let sign = dingtalk_sign("SECxyz", 1_700_000_000_000);
        assert_eq!(sign, "0PUR1j8g85Xg3vlFV/UrEcxXfF5HpCAGzcjrNfyJoyg=");
        let u = |s: &str| Url::parse(s).unwrap();
        let url = dingtalk_url(
            u("https://oapi.dingtalk.com/robot/send?access_token=t"),
            Some("SECxyz"),
            1_700_000_000_000,
        );
        let url = url.as_str();
        assert!(url.starts_with(
            "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign="
        ));
        assert!(!url.contains('+') && !url["https://".len()..].contains("//"));
        assert_eq!(
            dingtalk_url(u("https://oapi.dingtalk.com/robot/send"), None, 1).as_str(),
            "https://oapi.dingtalk.com/robot/send"
        );
        assert_eq!(
            dingtalk_url(u("https://oapi.dingtalk.com/r"), Some("s"), 5).as_str(),
            format!(
                "https://oapi.dingtalk.com/r?timestamp=5&sign={}",
                crate::shared::urls::encode_component(&dingtalk_sign("s", 5))
            )
        );
        assert_eq!(
            crate::shared::urls::encode_component("a+b/c="),
            "a%2Bb%2Fc%3D"
        );
    }

    #[test]
    fn pace_keys_hide_the_url() {
        let k = pace_key("http://127.0.0.1:1/send?key=SECRET");
        assert_eq!(k.len(), 64);
        assert!(!k.contains("SECRET"));
    }
}
