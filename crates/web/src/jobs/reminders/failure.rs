//! Why a robot delivery failed, as the delivery log keeps it: a short code (`robot:http:502`,
//! `robot:errcode:93000`, `robot:forbidden:loopback`), never what the other side answered, and
//! shown in the reader's language. A robot's address is typed by an org's secretary; what its
//! host says back is not theirs to read.

use super::http;
use crate::shared::i18n;
use zeren_core::Lang;
use zeren_core::reminders::robots::{ForbiddenRange, Robot};

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
