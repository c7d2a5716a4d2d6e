//! The 企业微信 self-built app (自建应用): its access token, OAuth2 sign-in from the workbench
//! (the code exchanged for the member's userid) and app messages (应用消息) to a person.
//!
//! What both office apps share lives here too: [`AppFailure`], and the access-token cache of
//! the "old style" APIs (`?access_token=` in the query, an `errcode` in every answer) that
//! 企业微信 and 钉钉's `oapi` speak alike. A token is asked for once and kept, process-wide,
//! until a few minutes before the `expires_in` the provider gave (both providers limit how
//! often `gettoken` may be called, and hand out the same token while it is valid); an answer
//! saying the token expired makes one fresh request and one more try. The cache is keyed by
//! the provider, the API prefix, the corp/app id and a hash of the secret, so a changed secret
//! is never answered with the old one's token. Neither secrets nor tokens are logged: the
//! URLs that carry them never leave this module.

use crate::http::{self, Answer, Failure};
use ::http::Method;
use bytes::Bytes;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;
use zeren_core::Lang;
use zeren_core::directory::{SignInFailure, WecomSettings};
use zeren_core::reminders::robots::OutboundPolicy;

/// Time allowed for one request to an app API.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A token is used until this long before the provider said it expires.
pub const TOKEN_MARGIN: Duration = Duration::from_secs(300);

/// 企业微信's answers saying the access token is not (any longer) valid: 40014 invalid,
/// 42001 expired.
pub const EXPIRED_CODES: &[i64] = &[40014, 42001];

/// Why a request to 企业微信 or 钉钉 failed. It carries the provider's code, never the words
/// of its answer (`errmsg`, `message`), which stay out of pages and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppFailure {
    /// No answer: the address, the connection, TLS, the time limit.
    Http(Failure),
    /// An HTTP status that is not 2xx and carries no code of the provider (a gateway's 502).
    Status(u16),
    /// The provider refused: its `errcode` (企业微信, 钉钉 `oapi`) or `code` (钉钉's new API).
    Refused {
        /// The code, as the provider gave it (`40029`, `InvalidAuthentication`…).
        code: String,
    },
    /// A message was refused for the person: 企业微信 listed them as `invaliduser` (not a
    /// member, or outside the app's visible range).
    InvalidUser,
    /// The sign-in is by someone who is not a member of the organisation (企业微信 gave an
    /// `openid`, 钉钉 found no such user or an external contact).
    NotMember,
    /// The answer was not what the API documents.
    Protocol,
    /// The settings lack what the request needs (an address that does not parse, an agent id
    /// that is not a number, no secret).
    NotConfigured,
}

impl std::fmt::Display for AppFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppFailure::Http(e) => write!(f, "{e}"),
            AppFailure::Status(s) => write!(f, "HTTP {s}"),
            AppFailure::Refused { code } => write!(f, "refused with code {code}"),
            AppFailure::InvalidUser => f.write_str("the user is not a valid recipient"),
            AppFailure::NotMember => f.write_str("not a member of the organisation"),
            AppFailure::Protocol => f.write_str("the answer could not be read"),
            AppFailure::NotConfigured => f.write_str("the app is not fully configured"),
        }
    }
}

impl std::error::Error for AppFailure {}

impl From<Failure> for AppFailure {
    fn from(f: Failure) -> AppFailure {
        AppFailure::Http(f)
    }
}

impl From<AppFailure> for SignInFailure {
    fn from(f: AppFailure) -> SignInFailure {
        match f {
            AppFailure::Http(e) => e.into(),
            AppFailure::Status(s) if (500..600).contains(&s) => SignInFailure::Unreachable,
            AppFailure::Status(_) | AppFailure::Protocol => SignInFailure::Protocol,
            AppFailure::Refused { code } => SignInFailure::Refused { code },
            AppFailure::InvalidUser => SignInFailure::Refused {
                code: "invaliduser".into(),
            },
            AppFailure::NotMember => SignInFailure::Refused {
                code: "not-a-member".into(),
            },
            AppFailure::NotConfigured => SignInFailure::NotConfigured,
        }
    }
}

// ------------------------------------------------------------------------------------------
// The token cache and the old-style API, shared with `dingtalk`
// ------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TokenKey {
    provider: &'static str,
    api_base: String,
    id: String,
    secret: u64,
}

struct Cached {
    token: String,
    until: Instant,
}

fn tokens() -> std::sync::MutexGuard<'static, HashMap<TokenKey, Cached>> {
    static TOKENS: OnceLock<Mutex<HashMap<TokenKey, Cached>>> = OnceLock::new();
    TOKENS
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A keyed hash of a secret (random keys per process): tells secrets apart in the cache
/// without keeping a second copy of any.
fn secret_hash(secret: &str) -> u64 {
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    KEYS.get_or_init(RandomState::new).hash_one(secret)
}

/// `base` + `path` (the base may end in `/` or carry a path of a private deployment) with the
/// query pairs appended, percent-encoded.
pub(crate) fn endpoint(base: &str, path: &str, query: &[(&str, &str)]) -> Result<Url, AppFailure> {
    let mut url = Url::parse(&format!("{}{path}", base.trim().trim_end_matches('/')))
        .map_err(|_| AppFailure::NotConfigured)?;
    if url.cannot_be_a_base() || url.host_str().is_none() {
        return Err(AppFailure::NotConfigured);
    }
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in query {
            pairs.append_pair(k, v);
        }
    }
    Ok(url)
}

/// Sends a request and reads the answer as JSON (whatever the status: the caller decides).
pub(crate) async fn exchange(
    method: Method,
    url: &Url,
    headers: &[(&str, &str)],
    body: Option<&Value>,
    policy: &OutboundPolicy,
) -> Result<(u16, Value), AppFailure> {
    let payload = body.map(|b| {
        (
            "application/json; charset=utf-8",
            Bytes::from(b.to_string()),
        )
    });
    let answer: Answer = http::send(method, url, headers, payload, REQUEST_TIMEOUT, policy).await?;
    let value = serde_json::from_slice::<Value>(&answer.body);
    match value {
        Ok(v) => Ok((answer.status, v)),
        Err(_) if !answer.ok() => Err(AppFailure::Status(answer.status)),
        Err(_) => Err(AppFailure::Protocol),
    }
}

/// An answer's `errcode`.
pub(crate) fn errcode(v: &Value) -> Option<i64> {
    v.get("errcode").and_then(Value::as_i64)
}

/// An API whose calls carry `?access_token=` and answer with an `errcode`: 企业微信's, and
/// 钉钉's `oapi`. The token comes from `GET {api_base}{token_path}?{id}&{secret}`.
pub(crate) struct TokenApi<'a> {
    /// `wecom` or `dingtalk` (the cache's namespace).
    pub provider: &'static str,
    /// The API prefix.
    pub api_base: &'a str,
    /// The token endpoint's path.
    pub token_path: &'static str,
    /// The id's query name and value (`corpid`, `appkey`).
    pub id: (&'static str, &'a str),
    /// The secret's query name and value (`corpsecret`, `appsecret`).
    pub secret: (&'static str, &'a str),
    /// The errcodes meaning the token is no longer valid.
    pub expired: &'static [i64],
    /// Where requests may go.
    pub policy: &'a OutboundPolicy,
}

impl TokenApi<'_> {
    fn key(&self) -> TokenKey {
        TokenKey {
            provider: self.provider,
            api_base: self.api_base.trim().trim_end_matches('/').to_string(),
            id: self.id.1.to_string(),
            secret: secret_hash(self.secret.1),
        }
    }

    /// Asks the provider for a token, keeps it while it is valid (less the margin), and returns
    /// it with its lifetime in seconds.
    pub async fn fetch_token(&self) -> Result<(String, i64), AppFailure> {
        if self.id.1.trim().is_empty() || self.secret.1.is_empty() {
            return Err(AppFailure::NotConfigured);
        }
        let url = endpoint(self.api_base, self.token_path, &[self.id, self.secret])?;
        let (status, v) = exchange(Method::GET, &url, &[], None, self.policy).await?;
        match errcode(&v) {
            Some(0) => {}
            Some(code) => {
                return Err(AppFailure::Refused {
                    code: code.to_string(),
                });
            }
            None if !(200..300).contains(&status) => return Err(AppFailure::Status(status)),
            None => return Err(AppFailure::Protocol),
        }
        let token = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or(AppFailure::Protocol)?
            .to_string();
        let expires_in = v.get("expires_in").and_then(Value::as_i64).unwrap_or(0);
        let life = Duration::from_secs(u64::try_from(expires_in).unwrap_or(0));
        if let Some(valid) = life.checked_sub(TOKEN_MARGIN).filter(|d| !d.is_zero()) {
            tokens().insert(
                self.key(),
                Cached {
                    token: token.clone(),
                    until: Instant::now() + valid,
                },
            );
        }
        Ok((token, expires_in))
    }

    /// The cached token, or a new one.
    pub async fn token(&self) -> Result<String, AppFailure> {
        let key = self.key();
        let cached = {
            let mut map = tokens();
            match map.get(&key) {
                Some(c) if c.until > Instant::now() => Some(c.token.clone()),
                Some(_) => {
                    map.remove(&key);
                    None
                }
                None => None,
            }
        };
        match cached {
            Some(t) => Ok(t),
            None => self.fetch_token().await.map(|(t, _)| t),
        }
    }

    /// Drops `token` from the cache, unless another call already replaced it.
    fn forget(&self, token: &str) {
        let key = self.key();
        let mut map = tokens();
        if map.get(&key).is_some_and(|c| c.token == token) {
            map.remove(&key);
        }
    }

    /// Calls `path` with the token (and `query`, and a JSON `body`): the answer when its
    /// `errcode` is 0. A token-expired answer makes one fresh token and one more try.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, AppFailure> {
        let mut token = self.token().await?;
        let mut renewed = false;
        loop {
            let mut pairs = vec![("access_token", token.as_str())];
            pairs.extend_from_slice(query);
            let url = endpoint(self.api_base, path, &pairs)?;
            let (status, v) = exchange(method.clone(), &url, &[], body, self.policy).await?;
            match errcode(&v) {
                Some(0) => return Ok(v),
                Some(code) if self.expired.contains(&code) && !renewed => {
                    tracing::debug!(
                        provider = self.provider,
                        code,
                        "access token refused: renewing it"
                    );
                    self.forget(&token);
                    token = self.fetch_token().await?.0;
                    renewed = true;
                }
                Some(code) => {
                    return Err(AppFailure::Refused {
                        code: code.to_string(),
                    });
                }
                None if !(200..300).contains(&status) => return Err(AppFailure::Status(status)),
                None => return Err(AppFailure::Protocol),
            }
        }
    }
}

/// Plain words for a failure of the connection test, in `lang`; `app` is the provider's name.
pub(crate) fn failure_words(lang: Lang, app: &str, f: &AppFailure, hint: Option<&str>) -> String {
    let hint = hint.map(|h| format!(" {h}")).unwrap_or_default();
    match (lang, f) {
        (Lang::Zh, AppFailure::Http(e)) => format!("无法连接{app}接口：{}。", http_words_zh(*e)),
        (Lang::En, AppFailure::Http(e)) => format!("Cannot reach the {app} API: {e}."),
        (Lang::Zh, AppFailure::Status(s)) => format!("{app}接口返回 HTTP {s}。"),
        (Lang::En, AppFailure::Status(s)) => format!("The {app} API answered HTTP {s}."),
        (Lang::Zh, AppFailure::Refused { code }) => {
            format!("{app}拒绝了请求（错误码 {code}）。{}", hint.trim_start())
        }
        (Lang::En, AppFailure::Refused { code }) => {
            format!("{app} refused the request (code {code}).{hint}")
        }
        (Lang::Zh, AppFailure::InvalidUser | AppFailure::NotMember) => {
            format!("{app}不认可该用户。")
        }
        (Lang::En, AppFailure::InvalidUser | AppFailure::NotMember) => {
            format!("{app} does not know that user.")
        }
        (Lang::Zh, AppFailure::Protocol) => format!("{app}接口的应答无法识别，请检查接口地址。"),
        (Lang::En, AppFailure::Protocol) => {
            format!("The answer of the {app} API could not be read; check the API address.")
        }
        (Lang::Zh, AppFailure::NotConfigured) => {
            format!("{app}的设置不完整：请填写接口地址、ID、AgentId（数字）和密钥。")
        }
        (Lang::En, AppFailure::NotConfigured) => format!(
            "The {app} settings are incomplete: the API address, the id, the AgentId (digits) and the secret are needed."
        ),
    }
}

fn http_words_zh(f: Failure) -> &'static str {
    match f {
        Failure::Forbidden(_) => "地址位于不允许访问的网段",
        Failure::Resolve => "主机名无法解析",
        Failure::Connect => "无法建立连接",
        Failure::Tls => "TLS 握手失败（证书不受信任或连接中断）",
        Failure::Protocol => "应答不是 HTTP",
        Failure::Timeout => "等待超时",
    }
}

// ------------------------------------------------------------------------------------------
// 企业微信
// ------------------------------------------------------------------------------------------

/// The OAuth2 page a member is sent to from the workbench: `{oauth_base}/connect/oauth2/
/// authorize?appid=…&redirect_uri=…&response_type=code&scope=snsapi_base&state=…&agentid=…
/// #wechat_redirect` (the parameters in the documented order).
pub fn authorize_url(
    settings: &WecomSettings,
    redirect_uri: &str,
    state: &str,
) -> Result<Url, AppFailure> {
    let mut url = endpoint(
        &settings.oauth_base,
        "/connect/oauth2/authorize",
        &[
            ("appid", settings.corp_id.trim()),
            ("redirect_uri", redirect_uri),
            ("response_type", "code"),
            ("scope", "snsapi_base"),
            ("state", state),
            ("agentid", settings.agent_id.trim()),
        ],
    )?;
    url.set_fragment(Some("wechat_redirect"));
    Ok(url)
}

/// A 企业微信 self-built app, as configured, speaking through `policy`.
pub struct Client<'a> {
    settings: &'a WecomSettings,
    api: TokenApi<'a>,
}

impl std::fmt::Debug for Client<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("wecom::Client")
            .field("api_base", &self.settings.api_base)
            .field("corp_id", &self.settings.corp_id)
            .field("agent_id", &self.settings.agent_id)
            .finish_non_exhaustive()
    }
}

impl<'a> Client<'a> {
    /// The app of `settings`; requests go where `policy` permits.
    pub fn new(settings: &'a WecomSettings, policy: &'a OutboundPolicy) -> Client<'a> {
        Client {
            settings,
            api: TokenApi {
                provider: "wecom",
                api_base: &settings.api_base,
                token_path: "/cgi-bin/gettoken",
                id: ("corpid", settings.corp_id.trim()),
                secret: ("corpsecret", settings.secret.expose()),
                expired: EXPIRED_CODES,
                policy,
            },
        }
    }

    fn agent_id(&self) -> Result<i64, AppFailure> {
        self.settings
            .agent_id
            .trim()
            .parse()
            .map_err(|_| AppFailure::NotConfigured)
    }

    /// The member's userid for an OAuth2 `code` (`GET /cgi-bin/auth/getuserinfo`). Someone who
    /// is not a member gets an `openid` instead, and is refused.
    pub async fn user_id_by_code(&self, code: &str) -> Result<String, AppFailure> {
        let v = self
            .api
            .call(
                Method::GET,
                "/cgi-bin/auth/getuserinfo",
                &[("code", code)],
                None,
            )
            .await?;
        match v.get("userid").and_then(Value::as_str) {
            Some(id) if !id.trim().is_empty() => Ok(id.to_string()),
            _ if v.get("openid").is_some() || v.get("external_userid").is_some() => {
                Err(AppFailure::NotMember)
            }
            _ => Err(AppFailure::Protocol),
        }
    }

    /// Sends `content` as a text app message to the member `user_id`
    /// (`POST /cgi-bin/message/send`). A member the message could not go to is
    /// [`AppFailure::InvalidUser`].
    pub async fn send_text(&self, user_id: &str, content: &str) -> Result<(), AppFailure> {
        let body = json!({
            "touser": user_id,
            "msgtype": "text",
            "agentid": self.agent_id()?,
            "text": {"content": content},
        });
        let v = self
            .api
            .call(Method::POST, "/cgi-bin/message/send", &[], Some(&body))
            .await?;
        match v.get("invaliduser").and_then(Value::as_str) {
            Some(bad) if !bad.trim().is_empty() => Err(AppFailure::InvalidUser),
            _ => Ok(()),
        }
    }

    /// Checks the settings against 企业微信: a fresh token, then the app itself
    /// (`GET /cgi-bin/agent/get`, which also shows whether this server's address is among the
    /// app's trusted IPs). What worked, or what failed, in `lang`.
    pub async fn test_connection(&self, lang: Lang) -> Result<String, String> {
        let app = match lang {
            Lang::Zh => "企业微信",
            Lang::En => "WeCom",
        };
        let agent = self
            .agent_id()
            .map_err(|f| failure_words(lang, app, &f, None))?;
        let (_, life) = self
            .api
            .fetch_token()
            .await
            .map_err(|f| failure_words(lang, app, &f, token_hint(lang, &f)))?;
        let agent_text = agent.to_string();
        let v = self
            .api
            .call(
                Method::GET,
                "/cgi-bin/agent/get",
                &[("agentid", &agent_text)],
                None,
            )
            .await
            .map_err(|f| {
                let first = match lang {
                    Lang::Zh => "已取得 access_token，但读取应用信息失败：",
                    Lang::En => "An access token was issued, but reading the app failed: ",
                };
                format!(
                    "{first}{}",
                    failure_words(lang, app, &f, agent_hint(lang, &f))
                )
            })?;
        let name = v.get("name").and_then(Value::as_str).unwrap_or_default();
        Ok(match lang {
            Lang::Zh => format!(
                "已连接企业微信：取得 access_token（有效期 {life} 秒），应用「{name}」（AgentId {agent}）可用。"
            ),
            Lang::En => format!(
                "Connected to WeCom: an access token was issued (valid for {life} s) and the app “{name}” (AgentId {agent}) answers."
            ),
        })
    }
}

fn token_hint(lang: Lang, f: &AppFailure) -> Option<&'static str> {
    let AppFailure::Refused { code } = f else {
        return None;
    };
    Some(match (code.as_str(), lang) {
        ("40013", Lang::Zh) => "企业 ID（corpid）不正确。",
        ("40013", Lang::En) => "The corp id is not valid.",
        ("40001", Lang::Zh) => "应用的 Secret 不正确。",
        ("40001", Lang::En) => "The app's Secret is not valid.",
        (_, Lang::Zh) => "请检查企业 ID 和应用的 Secret。",
        (_, Lang::En) => "Check the corp id and the app's Secret.",
    })
}

fn agent_hint(lang: Lang, f: &AppFailure) -> Option<&'static str> {
    let AppFailure::Refused { code } = f else {
        return None;
    };
    Some(match (code.as_str(), lang) {
        ("60020", Lang::Zh) => "本服务器的出口 IP 不在应用的“企业可信IP”中。",
        ("60020", Lang::En) => "This server's outgoing IP is not among the app's trusted IPs.",
        ("40056", Lang::Zh) => "AgentId 与 Secret 不属于同一个应用。",
        ("40056", Lang::En) => "The AgentId and the Secret are not of the same app.",
        _ => return None,
    })
}
