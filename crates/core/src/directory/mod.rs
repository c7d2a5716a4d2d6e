//! Signing in through the university's directories — the 统一身份认证 portal (CAS), LDAP, an
//! OpenID Connect provider — and from the office apps, 企业微信 and 钉钉: what the system
//! administrator configures, the checks on it, and how an identity a directory vouches for is
//! linked to a person of the roster. No IO: the protocols are spoken elsewhere.
//!
//! The rules (issue 18):
//! - an identity links to a person by one configured key — the staff number (工号) unless set
//!   otherwise — and to that person's account; nothing else is trusted from the directory;
//! - roles still come from posts and grants; a directory group gives a grant only where the
//!   administrator mapped it;
//! - the three administrators never sign in through a directory;
//! - an unknown person is refused, naming the key and the value, unless accounts are made on
//!   first sign-in (off by default).

mod link;
mod settings;

pub use link::{Candidate, DirectoryIdentity, LinkRefusal, Linked, link, mapped_grants};
pub use settings::{
    CasSettings, CasVersion, DingtalkSettings, DirectorySettings, GroupGrant, LdapSettings,
    LinkKey, OidcSettings, Secret, SettingProblem, WecomSettings, is_loopback_host,
};

use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// Setting key of [`DirectorySettings`].
pub const DIRECTORY_SETTING: &str = "directory";

/// How someone signed in (kept on the session and in the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The local password (and the second factor, where set).
    Password,
    /// The 统一身份认证 portal (CAS 2.0 / 3.0).
    Cas,
    /// An LDAP bind.
    Ldap,
    /// An OpenID Connect provider.
    Oidc,
    /// 企业微信 (OAuth2 from the workbench).
    Wecom,
    /// 钉钉 (OAuth2 from the workbench).
    Dingtalk,
}

impl Method {
    /// The directory methods.
    pub const DIRECTORIES: [Method; 5] = [
        Method::Cas,
        Method::Ldap,
        Method::Oidc,
        Method::Wecom,
        Method::Dingtalk,
    ];

    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Password => "password",
            Method::Cas => "cas",
            Method::Ldap => "ldap",
            Method::Oidc => "oidc",
            Method::Wecom => "wecom",
            Method::Dingtalk => "dingtalk",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<Method> {
        [Method::Password]
            .into_iter()
            .chain(Method::DIRECTORIES)
            .find(|m| m.as_str() == s)
    }

    /// The method's name, in the user's language.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Method::Password, Lang::Zh) => "本地密码",
            (Method::Password, Lang::En) => "local password",
            (Method::Cas, Lang::Zh) => "统一身份认证",
            (Method::Cas, Lang::En) => "the single sign-on portal (CAS)",
            (Method::Ldap, Lang::Zh) => "LDAP 目录",
            (Method::Ldap, Lang::En) => "the LDAP directory",
            (Method::Oidc, Lang::Zh) => "OIDC 身份提供方",
            (Method::Oidc, Lang::En) => "the OpenID Connect provider",
            (Method::Wecom, Lang::Zh) => "企业微信",
            (Method::Wecom, Lang::En) => "WeCom",
            (Method::Dingtalk, Lang::Zh) => "钉钉",
            (Method::Dingtalk, Lang::En) => "DingTalk",
        }
    }
}

/// Why a directory sign-in failed before any person was looked for: what the user is told. The
/// details of the other side's answer go to the audit log and the server log, never to the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInFailure {
    /// The method is not configured (or not switched on for signing in).
    NotConfigured,
    /// The portal refused the ticket or code: bad, expired, already used, or for another service.
    Refused {
        /// The portal's code (`INVALID_TICKET`, `invalid_grant`, `40029`…), shown as it is.
        code: String,
    },
    /// The ticket, code or state came back twice, or the sign-in started elsewhere.
    Replayed,
    /// The token's signature, issuer, audience, nonce or expiry did not hold.
    Forged,
    /// The directory could not be reached in time.
    Unreachable,
    /// The directory answered, but not in its protocol.
    Protocol,
    /// The name or password is wrong (LDAP).
    WrongPassword,
}

impl SignInFailure {
    /// Stable spelling (audit log).
    pub fn slug(&self) -> &'static str {
        match self {
            SignInFailure::NotConfigured => "not-configured",
            SignInFailure::Refused { .. } => "refused",
            SignInFailure::Replayed => "replayed",
            SignInFailure::Forged => "forged",
            SignInFailure::Unreachable => "unreachable",
            SignInFailure::Protocol => "protocol",
            SignInFailure::WrongPassword => "wrong-password",
        }
    }

    /// What the user is told.
    pub fn message(&self, method: Method, lang: Lang) -> String {
        let via = method.label(lang);
        match (self, lang) {
            (SignInFailure::NotConfigured, Lang::Zh) => format!("本系统未启用通过{via}登录。"),
            (SignInFailure::NotConfigured, Lang::En) => {
                format!("Signing in through {via} is not set up here.")
            }
            (SignInFailure::Refused { code }, Lang::Zh) => format!(
                "{via}未能确认本次登录（{code}）：票据或授权码无效、已过期、已被使用，或不是签发给本系统的。请重新登录。"
            ),
            (SignInFailure::Refused { code }, Lang::En) => format!(
                "{via} did not confirm this sign-in ({code}): the ticket or code is invalid, expired, already used, or was issued for another service. Please sign in again."
            ),
            (SignInFailure::Replayed, Lang::Zh) => {
                "该登录凭据已使用过或已过期，不能再次使用。请重新登录。".into()
            }
            (SignInFailure::Replayed, Lang::En) => {
                "This sign-in credential was already used or has expired. Please sign in again."
                    .into()
            }
            (SignInFailure::Forged, Lang::Zh) => format!(
                "{via}返回的身份令牌未通过校验（签名、签发方、受众、随机数或有效期不符），本次登录已拒绝。"
            ),
            (SignInFailure::Forged, Lang::En) => format!(
                "The identity token from {via} failed its checks (signature, issuer, audience, nonce or expiry); the sign-in is refused."
            ),
            (SignInFailure::Unreachable, Lang::Zh) => {
                format!("暂时无法连接{via}。请稍后再试；管理员仍可使用本地密码登录。")
            }
            (SignInFailure::Unreachable, Lang::En) => format!(
                "{via} cannot be reached just now. Try again later; administrators can still sign in with their local password."
            ),
            (SignInFailure::Protocol, Lang::Zh) => {
                format!("{via}的应答无法识别，本次登录已拒绝。请联系系统管理员检查配置。")
            }
            (SignInFailure::Protocol, Lang::En) => format!(
                "The answer of {via} could not be read; the sign-in is refused. Ask the system administrator to check the settings."
            ),
            (SignInFailure::WrongPassword, Lang::Zh) => "用户名或密码错误。".into(),
            (SignInFailure::WrongPassword, Lang::En) => "Wrong user name or password.".into(),
        }
    }
}

#[cfg(test)]
mod tests;
