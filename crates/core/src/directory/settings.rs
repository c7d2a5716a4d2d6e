//! What the system administrator configures for signing in through directories and for the
//! office apps' messages, and the checks on it. Secrets are [`Secret`]s: kept sealed at rest by
//! the storage layer, never shown back, never in a log.

use crate::access::Role;
use crate::lang::Lang;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use url::Url;

/// The longest address, attribute, DN or id taken in the settings.
pub const FIELD_MAX: usize = 512;
/// The most group mappings.
pub const GROUPS_MAX: usize = 200;

/// Everything the system administrator sets for directory sign-in and the office apps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirectorySettings {
    /// This installation's address as people's browsers reach it (e.g.
    /// `https://zeren.example.edu.cn`): the CAS service and the OAuth2 return addresses are
    /// made from it, never from a request's Host header.
    pub public_url: String,
    /// The 统一身份认证 portal.
    pub cas: Option<CasSettings>,
    /// An LDAP directory.
    pub ldap: Option<LdapSettings>,
    /// An OpenID Connect provider.
    pub oidc: Option<OidcSettings>,
    /// The 企业微信 self-built app (自建应用).
    pub wecom: Option<WecomSettings>,
    /// The 钉钉 internal app (企业内部应用).
    pub dingtalk: Option<DingtalkSettings>,
    /// Which of a person's keys a directory identity must match.
    pub link: LinkKey,
    /// Make an account on first sign-in for a person found by the key who has none (off by
    /// default: accounts are made by the security administrator).
    pub auto_provision: bool,
    /// Ask for the account's own second factor after a directory sign-in, where it has one
    /// (off by default: the directory's own second factor counts).
    pub ask_second_factor: bool,
}

/// The key a directory identity is matched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKey {
    /// 工号, the roster's key.
    #[default]
    StaffNo,
    /// The person's name (only when exactly one active person has it).
    Name,
    /// The person's email address (their email reminder channel).
    Email,
    /// The person's 企业微信 user id (signing in from the 企业微信 workbench; not a setting).
    WecomId,
    /// The person's 钉钉 user id (signing in from the 钉钉 workbench; not a setting).
    DingtalkId,
}

impl LinkKey {
    /// The keys a directory may be matched on (the apps always match their own user ids).
    pub const ALL: [LinkKey; 3] = [LinkKey::StaffNo, LinkKey::Name, LinkKey::Email];

    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKey::StaffNo => "staff-no",
            LinkKey::Name => "name",
            LinkKey::Email => "email",
            LinkKey::WecomId => "wecom-id",
            LinkKey::DingtalkId => "dingtalk-id",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<LinkKey> {
        LinkKey::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The key's name, in the user's language.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (LinkKey::StaffNo, Lang::Zh) => "工号",
            (LinkKey::StaffNo, Lang::En) => "staff number",
            (LinkKey::Name, Lang::Zh) => "姓名",
            (LinkKey::Name, Lang::En) => "name",
            (LinkKey::Email, Lang::Zh) => "电子邮箱",
            (LinkKey::Email, Lang::En) => "email address",
            (LinkKey::WecomId, Lang::Zh) => "企业微信账号",
            (LinkKey::WecomId, Lang::En) => "WeCom user id",
            (LinkKey::DingtalkId, Lang::Zh) => "钉钉账号",
            (LinkKey::DingtalkId, Lang::En) => "DingTalk user id",
        }
    }
}

/// A secret of the settings (a client secret, a bind password, an app secret). Never printed.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Secret(none)"
        } else {
            "Secret(…)"
        })
    }
}

impl Secret {
    /// The secret in clear (to send it where it belongs).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether one is set.
    pub fn is_set(&self) -> bool {
        !self.0.is_empty()
    }
}

/// The CAS protocol version spoken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CasVersion {
    /// `/serviceValidate`: the user only (attributes where the portal adds them).
    #[serde(rename = "2.0")]
    V2,
    /// `/p3/serviceValidate`: the user and attributes.
    #[default]
    #[serde(rename = "3.0")]
    V3,
}

/// The 统一身份认证 portal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CasSettings {
    /// The portal's prefix, e.g. `https://authserver.example.edu.cn/authserver`: `/login`,
    /// `/logout` and the validation path follow it.
    pub base_url: String,
    /// The protocol version.
    pub version: CasVersion,
    /// The attribute holding the key; empty: the CAS user itself is the key.
    pub key_attribute: String,
    /// The button's words on the sign-in page; empty: 统一身份认证登录.
    pub label: String,
}

/// An LDAP directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LdapSettings {
    /// `ldaps://host:636`, or `ldap://host:389` with StartTLS (plain only to this host).
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS.
    pub starttls: bool,
    /// The service account that searches for the user (empty: an anonymous search).
    pub bind_dn: String,
    /// Its password.
    pub bind_password: Secret,
    /// Where users are searched.
    pub base_dn: String,
    /// The search filter; `{login}` stands for the escaped name typed.
    pub user_filter: String,
    /// The attribute holding the key (e.g. `employeeNumber`).
    pub key_attribute: String,
    /// The attribute holding the name shown (e.g. `cn`).
    pub name_attribute: String,
    /// The attribute listing the user's groups (e.g. `memberOf`).
    pub group_attribute: String,
    /// Groups that give a grant.
    pub groups: Vec<GroupGrant>,
    /// Seconds to wait for the directory.
    pub timeout_secs: u32,
}

/// A directory group that gives a role over an org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupGrant {
    /// The group's DN, compared without regard to case.
    pub group: String,
    /// The role's stable spelling.
    pub role: String,
    /// The org's id.
    pub org: String,
}

/// An OpenID Connect provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OidcSettings {
    /// The issuer; its discovery document is read from `/.well-known/openid-configuration`.
    pub issuer: String,
    /// This installation's client id.
    pub client_id: String,
    /// Its secret.
    pub client_secret: Secret,
    /// The claim holding the key (e.g. `employee_number`, `preferred_username`).
    pub key_claim: String,
    /// The button's words; empty: OIDC 登录.
    pub label: String,
}

/// The 企业微信 self-built app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WecomSettings {
    /// The API's prefix: `https://qyapi.weixin.qq.com` (a private deployment has its own).
    pub api_base: String,
    /// The OAuth2 page's prefix: `https://open.weixin.qq.com`.
    pub oauth_base: String,
    /// 企业 ID (corpid).
    pub corp_id: String,
    /// The app's AgentId.
    pub agent_id: String,
    /// The app's Secret.
    pub secret: Secret,
    /// Sign in from the workbench.
    pub sign_in: bool,
    /// Send reminders as app messages to people whose 企业微信 user id is known.
    pub messages: bool,
}

/// The 钉钉 internal app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DingtalkSettings {
    /// The old API's prefix (token, work notifications): `https://oapi.dingtalk.com`.
    pub api_base: String,
    /// The new API's prefix (user access token, the user): `https://api.dingtalk.com`.
    pub new_api_base: String,
    /// The OAuth2 page's prefix: `https://login.dingtalk.com`.
    pub oauth_base: String,
    /// The app's AppKey (Client ID).
    pub app_key: String,
    /// Its AppSecret (Client Secret).
    pub app_secret: Secret,
    /// The app's AgentId.
    pub agent_id: String,
    /// Sign in from the workbench.
    pub sign_in: bool,
    /// Send reminders as work notifications (工作通知) to people whose 钉钉 user id is known.
    pub messages: bool,
}

/// One problem of the settings: the field (as the form names it) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingProblem {
    /// The form field, e.g. `cas.base_url`, `ldap.groups:3`.
    pub field: String,
    /// The message, in the user's language.
    pub message: String,
}

impl DirectorySettings {
    /// The address on this installation for `path` (which starts with `/`).
    pub fn address(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim().trim_end_matches('/'))
    }

    /// The secrets, to seal or open them in place.
    pub fn secrets_mut(&mut self) -> Vec<&mut Secret> {
        let mut out = Vec::new();
        if let Some(l) = &mut self.ldap {
            out.push(&mut l.bind_password);
        }
        if let Some(o) = &mut self.oidc {
            out.push(&mut o.client_secret);
        }
        if let Some(w) = &mut self.wecom {
            out.push(&mut w.secret);
        }
        if let Some(d) = &mut self.dingtalk {
            out.push(&mut d.app_secret);
        }
        out
    }

    /// Checks every section; `org_exists` says whether an org id is known. Every problem, each
    /// naming its field.
    pub fn check(
        &self,
        lang: Lang,
        org_exists: &dyn Fn(&str) -> bool,
    ) -> Result<(), Vec<SettingProblem>> {
        let mut p = Problems {
            lang,
            out: Vec::new(),
        };
        let redirects = self.cas.is_some()
            || self.oidc.is_some()
            || self.wecom.as_ref().is_some_and(|w| w.sign_in)
            || self.dingtalk.as_ref().is_some_and(|d| d.sign_in);
        if redirects || !self.public_url.trim().is_empty() {
            p.endpoint("public_url", &self.public_url);
            if Url::parse(self.public_url.trim()).is_ok_and(|u| u.path() != "/") {
                p.push(
                    "public_url",
                    "只填写协议、主机和端口，如 https://zeren.example.edu.cn",
                    "scheme, host and port only, like https://zeren.example.edu.cn",
                );
            }
        }
        if let Some(c) = &self.cas {
            p.endpoint("cas.base_url", &c.base_url);
            p.text("cas.key_attribute", &c.key_attribute, false);
            p.text("cas.label", &c.label, false);
        }
        if let Some(l) = &self.ldap {
            p.ldap_url("ldap.url", &l.url, l.starttls);
            p.text("ldap.bind_dn", &l.bind_dn, false);
            if !l.bind_dn.trim().is_empty() && !l.bind_password.is_set() {
                p.push(
                    "ldap.bind_password",
                    "须填写服务账号的密码",
                    "the service account's password is required",
                );
            }
            p.text("ldap.base_dn", &l.base_dn, true);
            p.text("ldap.user_filter", &l.user_filter, true);
            if !l.user_filter.contains("{login}") {
                p.push(
                    "ldap.user_filter",
                    "查询条件须包含 {login}，代表登录时输入的用户名",
                    "the filter must hold {login}, standing for the name typed",
                );
            } else if !(l.user_filter.starts_with('(') && l.user_filter.ends_with(')')) {
                p.push(
                    "ldap.user_filter",
                    "查询条件须以括号包围，如 (uid={login})",
                    "the filter must be in parentheses, like (uid={login})",
                );
            }
            p.text("ldap.key_attribute", &l.key_attribute, true);
            p.text("ldap.name_attribute", &l.name_attribute, false);
            p.text(
                "ldap.group_attribute",
                &l.group_attribute,
                !l.groups.is_empty(),
            );
            if !(1..=60).contains(&l.timeout_secs) {
                p.push(
                    "ldap.timeout_secs",
                    "等待时间须在 1 到 60 秒之间",
                    "the wait must be 1 to 60 seconds",
                );
            }
            if l.groups.len() > GROUPS_MAX {
                p.push(
                    "ldap.groups",
                    &format!("群组映射不能超过 {GROUPS_MAX} 条"),
                    &format!("no more than {GROUPS_MAX} group mappings"),
                );
            }
            for (i, g) in l.groups.iter().enumerate() {
                let field = format!("ldap.groups:{}", i + 1);
                if g.group.trim().is_empty() || g.group.len() > FIELD_MAX {
                    p.push(&field, "须填写群组的 DN", "the group's DN is required");
                }
                if Role::parse(&g.role).is_none() {
                    p.push(
                        &field,
                        &format!("未知角色「{}」", g.role),
                        &format!("unknown role `{}`", g.role),
                    );
                }
                if !org_exists(&g.org) {
                    p.push(
                        &field,
                        &format!("未知组织「{}」", g.org),
                        &format!("unknown org `{}`", g.org),
                    );
                }
            }
        }
        if let Some(o) = &self.oidc {
            p.endpoint("oidc.issuer", &o.issuer);
            p.text("oidc.client_id", &o.client_id, true);
            if !o.client_secret.is_set() {
                p.push(
                    "oidc.client_secret",
                    "须填写客户端密钥",
                    "the client secret is required",
                );
            }
            p.text("oidc.key_claim", &o.key_claim, true);
            p.text("oidc.label", &o.label, false);
        }
        if let Some(w) = &self.wecom {
            p.endpoint("wecom.api_base", &w.api_base);
            if w.sign_in {
                p.endpoint("wecom.oauth_base", &w.oauth_base);
            }
            p.text("wecom.corp_id", &w.corp_id, true);
            p.digits("wecom.agent_id", &w.agent_id);
            if !w.secret.is_set() {
                p.push(
                    "wecom.secret",
                    "须填写应用的 Secret",
                    "the app's Secret is required",
                );
            }
        }
        if let Some(d) = &self.dingtalk {
            p.endpoint("dingtalk.api_base", &d.api_base);
            if d.sign_in {
                p.endpoint("dingtalk.new_api_base", &d.new_api_base);
                p.endpoint("dingtalk.oauth_base", &d.oauth_base);
            }
            p.text("dingtalk.app_key", &d.app_key, true);
            p.digits("dingtalk.agent_id", &d.agent_id);
            if !d.app_secret.is_set() {
                p.push(
                    "dingtalk.app_secret",
                    "须填写应用的 AppSecret",
                    "the app's AppSecret is required",
                );
            }
        }
        if p.out.is_empty() { Ok(()) } else { Err(p.out) }
    }
}

/// Whether `host` (as a URL spells it) is this machine.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

struct Problems {
    lang: Lang,
    out: Vec<SettingProblem>,
}

impl Problems {
    fn push(&mut self, field: &str, zh: &str, en: &str) {
        self.out.push(SettingProblem {
            field: field.to_string(),
            message: match self.lang {
                Lang::Zh => zh.to_string(),
                Lang::En => en.to_string(),
            },
        });
    }

    fn text(&mut self, field: &str, value: &str, required: bool) {
        if required && value.trim().is_empty() {
            self.push(field, "此项必填", "required");
        } else if value.len() > FIELD_MAX || value.chars().any(char::is_control) {
            self.push(
                field,
                &format!("不能超过 {FIELD_MAX} 个字节，且不能含控制字符"),
                &format!("at most {FIELD_MAX} bytes, without control characters"),
            );
        }
    }

    fn digits(&mut self, field: &str, value: &str) {
        if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
            self.push(field, "须为数字", "must be digits");
        }
    }

    /// An HTTP endpoint: `https`, or `http` to this machine only; no credentials, query or
    /// fragment.
    fn endpoint(&mut self, field: &str, value: &str) {
        let value = value.trim();
        let url = (!value.is_empty() && value.len() <= FIELD_MAX)
            .then(|| Url::parse(value).ok())
            .flatten();
        let Some(url) = url.filter(|u| u.host_str().is_some_and(|h| !h.is_empty())) else {
            return self.push(
                field,
                "须为完整的网址，如 https://authserver.example.edu.cn/authserver",
                "must be a complete address, like https://authserver.example.edu.cn/authserver",
            );
        };
        let host = url.host_str().unwrap_or_default();
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(host) => {}
            "http" => {
                return self.push(
                    field,
                    "须使用 https（明文 http 只允许本机地址）",
                    "must use https (plain http only to this machine)",
                );
            }
            _ => {
                return self.push(field, "须以 https:// 开头", "must start with https://");
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            self.push(
                field,
                "网址中不能含用户名或密码",
                "no user name or password in the address",
            );
        } else if url.query().is_some() || url.fragment().is_some() {
            self.push(
                field,
                "网址中不能含 ? 或 # 之后的部分",
                "no query or fragment in the address",
            );
        }
    }

    /// An LDAP address: `ldaps://`, or `ldap://` upgraded with StartTLS, or plain to this
    /// machine only (a password never crosses the network in clear).
    fn ldap_url(&mut self, field: &str, value: &str, starttls: bool) {
        let url = Url::parse(value.trim())
            .ok()
            .filter(|u| value.len() <= FIELD_MAX && u.host_str().is_some_and(|h| !h.is_empty()));
        let Some(url) = url else {
            return self.push(
                field,
                "须为完整的地址，如 ldaps://ldap.example.edu.cn:636",
                "must be a complete address, like ldaps://ldap.example.edu.cn:636",
            );
        };
        match url.scheme() {
            "ldaps" => {}
            "ldap" if starttls || is_loopback_host(url.host_str().unwrap_or_default()) => {}
            "ldap" => self.push(
                field,
                "ldap:// 须启用 StartTLS（或改用 ldaps://）；明文只允许本机地址",
                "ldap:// needs StartTLS (or use ldaps://); plain only to this machine",
            ),
            _ => self.push(
                field,
                "须以 ldaps:// 或 ldap:// 开头",
                "must start with ldaps:// or ldap://",
            ),
        }
    }
}
