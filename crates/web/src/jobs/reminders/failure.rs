//! Why a robot delivery or an app message failed, as the delivery log keeps it: a short code
//! (`robot:http:502`, `robot:errcode:93000`, `robot:forbidden:loopback`; `app:errcode:81013`,
//! `app:invaliduser`, `app:connect`), never what the other side answered, and shown in the
//! reader's language. A robot's address is typed by an org's secretary; what its host says back
//! is not theirs to read. The apps' answers (`errmsg`) are not kept either: their codes are
//! documented, their words are not ours to show.

use super::http;
use crate::shared::i18n;
use zeren_core::Lang;
use zeren_core::reminders::robots::{ForbiddenRange, Robot};
use zeren_directory::wecom::AppFailure;
use zeren_storage::repo::notify::{DINGTALK_APP, WECOM_APP};

/// Why a robot delivery failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RobotFailure {
    /// The org's robot was removed after the reminder was queued.
    NotConfigured,
    /// The stored address does not qualify (any more): not sent.
    Address,
    /// The host resolves only into a range no request may reach: not connected.
    Forbidden(ForbiddenRange),
    /// The host name did not resolve.
    Resolve,
    /// No connection.
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// The answer was not HTTP.
    Protocol,
    /// No answer within the time limit.
    Timeout,
    /// An HTTP status other than 2xx (redirects are not followed).
    Status(u16),
    /// The provider's `errcode`, not 0.
    Errcode(i64),
}

impl RobotFailure {
    /// The code kept in the delivery log.
    pub fn code(self) -> String {
        match self {
            RobotFailure::NotConfigured => "robot:not-configured".into(),
            RobotFailure::Address => "robot:address".into(),
            RobotFailure::Forbidden(r) => format!("robot:forbidden:{}", r.slug()),
            RobotFailure::Resolve => "robot:resolve".into(),
            RobotFailure::Connect => "robot:connect".into(),
            RobotFailure::Tls => "robot:tls".into(),
            RobotFailure::Protocol => "robot:protocol".into(),
            RobotFailure::Timeout => "robot:timeout".into(),
            RobotFailure::Status(s) => format!("robot:http:{s}"),
            RobotFailure::Errcode(c) => format!("robot:errcode:{c}"),
        }
    }

    /// Reads a code.
    pub fn parse(code: &str) -> Option<RobotFailure> {
        let rest = code.strip_prefix("robot:")?;
        Some(match rest {
            "not-configured" => RobotFailure::NotConfigured,
            "address" => RobotFailure::Address,
            "resolve" => RobotFailure::Resolve,
            "connect" => RobotFailure::Connect,
            "tls" => RobotFailure::Tls,
            "protocol" => RobotFailure::Protocol,
            "timeout" => RobotFailure::Timeout,
            _ => {
                if let Some(r) = rest.strip_prefix("forbidden:") {
                    RobotFailure::Forbidden(ForbiddenRange::parse(r)?)
                } else if let Some(s) = rest.strip_prefix("http:") {
                    RobotFailure::Status(s.parse().ok()?)
                } else {
                    RobotFailure::Errcode(rest.strip_prefix("errcode:")?.parse().ok()?)
                }
            }
        })
    }

    /// Whether another try may help: a refused address stays refused until someone changes
    /// the settings, so it fails at once.
    pub fn retried(self) -> bool {
        !matches!(self, RobotFailure::Address | RobotFailure::Forbidden(_))
    }

    /// The reason in words.
    pub fn describe(self, lang: Lang, robot: Option<Robot>) -> String {
        let t = |key: &str| i18n::t(lang, key).to_string();
        match self {
            RobotFailure::NotConfigured => t("reminder.failure.not_configured"),
            RobotFailure::Address => t("reminder.failure.address"),
            RobotFailure::Forbidden(r) => i18n::tf(
                lang,
                "reminder.failure.forbidden",
                &[("range", r.label(lang))],
            ),
            RobotFailure::Resolve => t("reminder.failure.resolve"),
            RobotFailure::Connect => t("reminder.failure.connect"),
            RobotFailure::Tls => t("reminder.failure.tls"),
            RobotFailure::Protocol => t("reminder.failure.protocol"),
            RobotFailure::Timeout => i18n::tf(
                lang,
                "reminder.failure.timeout",
                &[("secs", &super::sender::SEND_TIMEOUT.as_secs().to_string())],
            ),
            RobotFailure::Status(s) => i18n::tf(
                lang,
                if (300..400).contains(&s) {
                    "reminder.failure.redirect"
                } else {
                    "reminder.failure.http"
                },
                &[("status", &s.to_string())],
            ),
            RobotFailure::Errcode(c) => {
                let code = c.to_string();
                match errcode_key(robot, c) {
                    Some(key) => i18n::tf(
                        lang,
                        "reminder.failure.errcode_known",
                        &[("code", &code), ("why", i18n::t(lang, key))],
                    ),
                    None => i18n::tf(lang, "reminder.failure.errcode", &[("code", &code)]),
                }
            }
        }
    }
}

impl From<http::Failure> for RobotFailure {
    fn from(f: http::Failure) -> RobotFailure {
        match f {
            http::Failure::Forbidden(r) => RobotFailure::Forbidden(r),
            http::Failure::Resolve => RobotFailure::Resolve,
            http::Failure::Connect => RobotFailure::Connect,
            http::Failure::Tls => RobotFailure::Tls,
            http::Failure::Protocol => RobotFailure::Protocol,
            http::Failure::Timeout => RobotFailure::Timeout,
        }
    }
}

/// Why an app message (企业微信 应用消息, 钉钉 工作通知) to a person failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppDeliveryFailure {
    /// The app does not send messages (any more): turned off, or its settings incomplete.
    NotConfigured,
    /// The API's host resolves only into a range no request may reach: not connected.
    Forbidden(ForbiddenRange),
    /// The host name did not resolve.
    Resolve,
    /// No connection.
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// The answer was not HTTP, or not the API's.
    Protocol,
    /// No answer within the time limit.
    Timeout,
    /// An HTTP status other than 2xx, without the API's answer.
    Status(u16),
    /// The provider's code, not 0 (digits, or the new API's word).
    Errcode(String),
    /// 企业微信 named the person `invaliduser`: no such member, or outside the app's range.
    InvalidUser,
}

/// A provider's code as kept: letters, digits, `.`, `_`, `-`, at most 40 (anything else is
/// not a code, and is not kept).
fn clean_code(code: &str) -> String {
    let ok = !code.is_empty()
        && code.len() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok { code.to_string() } else { "other".into() }
}

impl AppDeliveryFailure {
    /// The code kept in the delivery log.
    pub fn code(&self) -> String {
        match self {
            AppDeliveryFailure::NotConfigured => "app:not-configured".into(),
            AppDeliveryFailure::Forbidden(r) => format!("app:forbidden:{}", r.slug()),
            AppDeliveryFailure::Resolve => "app:resolve".into(),
            AppDeliveryFailure::Connect => "app:connect".into(),
            AppDeliveryFailure::Tls => "app:tls".into(),
            AppDeliveryFailure::Protocol => "app:protocol".into(),
            AppDeliveryFailure::Timeout => "app:timeout".into(),
            AppDeliveryFailure::Status(s) => format!("app:http:{s}"),
            AppDeliveryFailure::Errcode(c) => format!("app:errcode:{}", clean_code(c)),
            AppDeliveryFailure::InvalidUser => "app:invaliduser".into(),
        }
    }

    /// Reads a code.
    pub fn parse(code: &str) -> Option<AppDeliveryFailure> {
        let rest = code.strip_prefix("app:")?;
        Some(match rest {
            "not-configured" => AppDeliveryFailure::NotConfigured,
            "resolve" => AppDeliveryFailure::Resolve,
            "connect" => AppDeliveryFailure::Connect,
            "tls" => AppDeliveryFailure::Tls,
            "protocol" => AppDeliveryFailure::Protocol,
            "timeout" => AppDeliveryFailure::Timeout,
            "invaliduser" => AppDeliveryFailure::InvalidUser,
            _ => {
                if let Some(r) = rest.strip_prefix("forbidden:") {
                    AppDeliveryFailure::Forbidden(ForbiddenRange::parse(r)?)
                } else if let Some(s) = rest.strip_prefix("http:") {
                    AppDeliveryFailure::Status(s.parse().ok()?)
                } else {
                    let c = rest.strip_prefix("errcode:")?;
                    (clean_code(c) == c).then(|| AppDeliveryFailure::Errcode(c.to_string()))?
                }
            }
        })
    }

    /// Whether another try may help. An app switched off, or an address no request may reach,
    /// stays so until someone changes the settings: it fails at once. A refusal is tried again
    /// with the backoff: a person may be added to the app's visible range, an IP to its
    /// trusted ones, meanwhile.
    pub fn retried(&self) -> bool {
        !matches!(
            self,
            AppDeliveryFailure::NotConfigured | AppDeliveryFailure::Forbidden(_)
        )
    }

    /// The reason in words; `channel` says which app.
    pub fn describe(&self, lang: Lang, channel: &str) -> String {
        let app = i18n::t(
            lang,
            if channel == DINGTALK_APP {
                "reminder.app.dingtalk"
            } else {
                "reminder.app.wecom"
            },
        );
        let with = |key: &str, more: &[(&str, &str)]| {
            let mut args = vec![("app", app)];
            args.extend_from_slice(more);
            i18n::tf(lang, key, &args)
        };
        match self {
            AppDeliveryFailure::NotConfigured => with("reminder.failure.app.not_configured", &[]),
            AppDeliveryFailure::Forbidden(r) => with(
                "reminder.failure.app.forbidden",
                &[("range", r.label(lang))],
            ),
            AppDeliveryFailure::Resolve => with("reminder.failure.app.resolve", &[]),
            AppDeliveryFailure::Connect => with("reminder.failure.app.connect", &[]),
            AppDeliveryFailure::Tls => with("reminder.failure.app.tls", &[]),
            AppDeliveryFailure::Protocol => with("reminder.failure.app.protocol", &[]),
            AppDeliveryFailure::Timeout => with(
                "reminder.failure.app.timeout",
                &[(
                    "secs",
                    &zeren_directory::wecom::REQUEST_TIMEOUT
                        .as_secs()
                        .to_string(),
                )],
            ),
            AppDeliveryFailure::Status(s) => {
                with("reminder.failure.app.http", &[("status", &s.to_string())])
            }
            AppDeliveryFailure::Errcode(c) => match app_errcode_key(channel, c) {
                Some(key) => with(
                    "reminder.failure.app.errcode_known",
                    &[("code", c), ("why", i18n::t(lang, key))],
                ),
                None => with("reminder.failure.app.errcode", &[("code", c)]),
            },
            AppDeliveryFailure::InvalidUser => with("reminder.failure.app.invaliduser", &[]),
        }
    }
}

impl From<AppFailure> for AppDeliveryFailure {
    fn from(f: AppFailure) -> AppDeliveryFailure {
        match f {
            AppFailure::Http(h) => match h {
                http::Failure::Forbidden(r) => AppDeliveryFailure::Forbidden(r),
                http::Failure::Resolve => AppDeliveryFailure::Resolve,
                http::Failure::Connect => AppDeliveryFailure::Connect,
                http::Failure::Tls => AppDeliveryFailure::Tls,
                http::Failure::Protocol => AppDeliveryFailure::Protocol,
                http::Failure::Timeout => AppDeliveryFailure::Timeout,
            },
            AppFailure::Status(s) => AppDeliveryFailure::Status(s),
            AppFailure::Refused { code } => AppDeliveryFailure::Errcode(clean_code(&code)),
            AppFailure::InvalidUser | AppFailure::NotMember => AppDeliveryFailure::InvalidUser,
            AppFailure::Protocol => AppDeliveryFailure::Protocol,
            AppFailure::NotConfigured => AppDeliveryFailure::NotConfigured,
        }
    }
}

/// The meaning of the apps' documented codes that the system administrator can act on.
fn app_errcode_key(channel: &str, code: &str) -> Option<&'static str> {
    match (channel, code) {
        (WECOM_APP, "60020") => Some("reminder.failure.app.why.ip"),
        (WECOM_APP, "40001" | "40013") => Some("reminder.failure.app.why.secret"),
        (WECOM_APP, "40056") => Some("reminder.failure.app.why.agent"),
        (WECOM_APP, "81013") => Some("reminder.failure.app.why.user"),
        (WECOM_APP, "45009") => Some("reminder.failure.why.rate"),
        _ => None,
    }
}

/// The meaning of the providers' documented `errcode`s that a secretary can act on.
fn errcode_key(robot: Option<Robot>, code: i64) -> Option<&'static str> {
    match (robot?, code) {
        (Robot::Wecom, 93000) => Some("reminder.failure.why.key"),
        (Robot::Wecom, 45009) | (Robot::Dingtalk, 130101 | 410100) => {
            Some("reminder.failure.why.rate")
        }
        (Robot::Dingtalk, 310000) => Some("reminder.failure.why.security"),
        (Robot::Dingtalk, 300001 | 400101) => Some("reminder.failure.why.token"),
        (Robot::Dingtalk, 400102) => Some("reminder.failure.why.disabled"),
        _ => None,
    }
}

/// The delivery log's words for a stored error of `channel`: a robot's code in the reader's
/// language; an email's error as the mail server gave it (the system administrator chose that
/// server). A robot's error kept before codes were is not shown: it could hold what the address
/// answered.
pub fn describe_error(lang: Lang, channel: &str, stored: &str) -> String {
    if channel == WECOM_APP || channel == DINGTALK_APP {
        return match AppDeliveryFailure::parse(stored) {
            Some(f) => f.describe(lang, channel),
            None => i18n::t(lang, "reminder.failure.legacy").to_string(),
        };
    }
    match Robot::from_channel(channel) {
        None => stored.to_string(),
        Some(robot) => match RobotFailure::parse(stored) {
            Some(f) => f.describe(lang, Some(robot)),
            None => i18n::t(lang, "reminder.failure.legacy").to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_round_trip_and_carry_no_answer() {
        let all = [
            RobotFailure::NotConfigured,
            RobotFailure::Address,
            RobotFailure::Forbidden(ForbiddenRange::Loopback),
            RobotFailure::Forbidden(ForbiddenRange::LinkLocal),
            RobotFailure::Resolve,
            RobotFailure::Connect,
            RobotFailure::Tls,
            RobotFailure::Protocol,
            RobotFailure::Timeout,
            RobotFailure::Status(502),
            RobotFailure::Status(302),
            RobotFailure::Errcode(93000),
            RobotFailure::Errcode(-1),
        ];
        for f in all {
            assert_eq!(RobotFailure::parse(&f.code()), Some(f), "{f:?}");
            for lang in [Lang::Zh, Lang::En] {
                let words = f.describe(lang, Some(Robot::Dingtalk));
                assert!(!words.is_empty() && !words.contains('{'), "{words}");
            }
        }
        assert_eq!(RobotFailure::parse("robot:forbidden:public"), None);
        assert_eq!(RobotFailure::parse("robot:http:x"), None);
        assert_eq!(
            RobotFailure::parse("the robot answered HTTP 200: secret"),
            None
        );
        assert!(!RobotFailure::Address.retried());
        assert!(!RobotFailure::Forbidden(ForbiddenRange::Private).retried());
        assert!(RobotFailure::Connect.retried());
    }

    #[test]
    fn app_codes_round_trip_and_read_in_words() {
        let all = [
            AppDeliveryFailure::NotConfigured,
            AppDeliveryFailure::Forbidden(ForbiddenRange::LinkLocal),
            AppDeliveryFailure::Resolve,
            AppDeliveryFailure::Connect,
            AppDeliveryFailure::Tls,
            AppDeliveryFailure::Protocol,
            AppDeliveryFailure::Timeout,
            AppDeliveryFailure::Status(502),
            AppDeliveryFailure::Errcode("81013".into()),
            AppDeliveryFailure::Errcode("InvalidAuthentication".into()),
            AppDeliveryFailure::InvalidUser,
        ];
        for f in all {
            assert_eq!(
                AppDeliveryFailure::parse(&f.code()),
                Some(f.clone()),
                "{f:?}"
            );
            for channel in [WECOM_APP, DINGTALK_APP] {
                for lang in [Lang::Zh, Lang::En] {
                    let words = describe_error(lang, channel, &f.code());
                    assert!(!words.is_empty() && !words.contains('{'), "{words}");
                }
            }
        }
        // What is not a code is neither kept nor read back.
        assert_eq!(
            AppDeliveryFailure::from(AppFailure::Refused {
                code: "bad code <html>".into()
            })
            .code(),
            "app:errcode:other"
        );
        assert_eq!(AppDeliveryFailure::parse("app:errcode:a b"), None);
        assert_eq!(AppDeliveryFailure::parse("robot:connect"), None);
        assert!(!AppDeliveryFailure::NotConfigured.retried());
        assert!(AppDeliveryFailure::Errcode("81013".into()).retried());
        assert!(AppDeliveryFailure::InvalidUser.retried());
        assert_eq!(
            describe_error(Lang::Zh, WECOM_APP, "app:errcode:60020"),
            "企业微信拒收消息（错误码 60020）：本服务器的出口 IP 不在应用的“企业可信IP”中"
        );
        assert_eq!(
            describe_error(Lang::En, DINGTALK_APP, "app:connect"),
            "cannot connect to the DingTalk API"
        );
        assert_eq!(
            describe_error(Lang::En, WECOM_APP, "some old words"),
            describe_error(Lang::En, "wecom", "some old words")
        );
    }

    #[test]
    fn robot_errors_from_before_codes_are_not_shown() {
        let old = "the robot answered HTTP 200: <html>intranet page</html>";
        let shown = describe_error(Lang::En, "wecom", old);
        assert!(!shown.contains("intranet"), "{shown}");
        assert_eq!(
            describe_error(Lang::En, "email", "SMTP: connection refused"),
            "SMTP: connection refused"
        );
        assert!(describe_error(Lang::Zh, "wecom", "robot:errcode:93000").contains("93000"));
        assert!(describe_error(Lang::En, "dingtalk", "robot:errcode:310000").contains("310000"));
    }
}
