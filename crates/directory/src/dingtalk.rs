//! The 钉钉 internal app (企业内部应用): its access token, OAuth2 sign-in from the workbench
//! (the code exchanged for the user's unionId through the new API, then for the userid in the
//! organisation) and work notifications (工作通知) to a person.
//!
//! The app token is kept in the cache [`crate::wecom`] keeps for both apps; the user's access
//! token of the sign-in is used once and never kept. [`AppFailure`] is the one both apps share.

pub use crate::wecom::AppFailure;
use crate::wecom::{TokenApi, endpoint, exchange, failure_words};
use ::http::Method;
use serde_json::{Value, json};
use url::Url;
use zeren_core::Lang;
use zeren_core::directory::DingtalkSettings;
use zeren_core::reminders::robots::OutboundPolicy;

/// 钉钉's answers saying the access token is not (any longer) valid.
pub const EXPIRED_CODES: &[i64] = &[88, 40014, 42001];

/// `getbyunionid`: no such user in the organisation.
const NO_SUCH_USER: i64 = 60121;

/// The OAuth2 page a user is sent to: `{oauth_base}/oauth2/auth?redirect_uri=…&response_type=
/// code&client_id=…&scope=openid&state=…&prompt=consent`.
pub fn authorize_url(
    settings: &DingtalkSettings,
    redirect_uri: &str,
    state: &str,
) -> Result<Url, AppFailure> {
    endpoint(
        &settings.oauth_base,
        "/oauth2/auth",
        &[
            ("redirect_uri", redirect_uri),
            ("response_type", "code"),
            ("client_id", settings.app_key.trim()),
            ("scope", "openid"),
            ("state", state),
            ("prompt", "consent"),
        ],
    )
}

/// A 钉钉 internal app, as configured, speaking through `policy`.
pub struct Client<'a> {
    settings: &'a DingtalkSettings,
    policy: &'a OutboundPolicy,
    api: TokenApi<'a>,
}

impl std::fmt::Debug for Client<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("dingtalk::Client")
            .field("api_base", &self.settings.api_base)
            .field("app_key", &self.settings.app_key)
            .field("agent_id", &self.settings.agent_id)
            .finish_non_exhaustive()
    }
}

/// Reads an answer of the new API (`api.dingtalk.com`): the body of a 2xx, the `code` of an
/// error (HTTP 400 with `{code, message}`; the message is not kept).
fn new_api_answer(status: u16, v: Value) -> Result<Value, AppFailure> {
    if (200..300).contains(&status) {
        return Ok(v);
    }
    match v.get("code").and_then(Value::as_str) {
        Some(code) if !code.is_empty() => Err(AppFailure::Refused {
            code: code.chars().take(64).collect(),
        }),
        _ => Err(AppFailure::Status(status)),
    }
}

impl<'a> Client<'a> {
    /// The app of `settings`; requests go where `policy` permits.
    pub fn new(settings: &'a DingtalkSettings, policy: &'a OutboundPolicy) -> Client<'a> {
        Client {
            settings,
            policy,
            api: TokenApi {
                provider: "dingtalk",
                api_base: &settings.api_base,
                token_path: "/gettoken",
                id: ("appkey", settings.app_key.trim()),
                secret: ("appsecret", settings.app_secret.expose()),
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

    /// The userid in the organisation of whoever signed in with the OAuth2 `code`: the user's
    /// access token (`POST /v1.0/oauth2/userAccessToken`), their unionId
    /// (`GET /v1.0/contact/users/me`), then their userid (`POST /topapi/user/getbyunionid`
    /// with the app's token). Someone not in the organisation, or an external contact, is
    /// [`AppFailure::NotMember`].
    pub async fn user_id_by_code(&self, code: &str) -> Result<String, AppFailure> {
        let s = self.settings;
        if s.app_key.trim().is_empty() || !s.app_secret.is_set() {
            return Err(AppFailure::NotConfigured);
        }
        let url = endpoint(&s.new_api_base, "/v1.0/oauth2/userAccessToken", &[])?;
        let body = json!({
            "clientId": s.app_key.trim(),
            "clientSecret": s.app_secret.expose(),
            "code": code,
            "grantType": "authorization_code",
        });
        let (status, v) = exchange(Method::POST, &url, &[], Some(&body), self.policy).await?;
        let v = new_api_answer(status, v)?;
        let user_token = v
            .get("accessToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or(AppFailure::Protocol)?;
        let url = endpoint(&s.new_api_base, "/v1.0/contact/users/me", &[])?;
        let (status, v) = exchange(
            Method::GET,
            &url,
            &[("x-acs-dingtalk-access-token", user_token)],
            None,
            self.policy,
        )
        .await?;
        let v = new_api_answer(status, v)?;
        let union_id = v
            .get("unionId")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            .ok_or(AppFailure::Protocol)?;
        let found = self
            .api
            .call(
                Method::POST,
                "/topapi/user/getbyunionid",
                &[],
                Some(&json!({"unionid": union_id})),
            )
            .await;
        let v = match found {
            Err(AppFailure::Refused { code }) if code == NO_SUCH_USER.to_string() => {
                return Err(AppFailure::NotMember);
            }
            other => other?,
        };
        let result = v.get("result").ok_or(AppFailure::Protocol)?;
        // 1: an external contact of the organisation, not one of its people.
        if result
            .get("contact_type")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            != 0
        {
            return Err(AppFailure::NotMember);
        }
        match result.get("userid").and_then(Value::as_str) {
            Some(id) if !id.trim().is_empty() => Ok(id.to_string()),
            _ => Err(AppFailure::Protocol),
        }
    }

    /// Sends `content` as a text work notification to the user `user_id`
    /// (`POST /topapi/message/corpconversation/asyncsend_v2`). 钉钉 delivers it afterwards: an
    /// accepted request (a `task_id`) is all this learns.
    pub async fn send_work_notice(&self, user_id: &str, content: &str) -> Result<(), AppFailure> {
        let body = json!({
            "agent_id": self.agent_id()?,
            "userid_list": user_id,
            "msg": {"msgtype": "text", "text": {"content": content}},
        });
        self.api
            .call(
                Method::POST,
                "/topapi/message/corpconversation/asyncsend_v2",
                &[],
                Some(&body),
            )
            .await
            .map(|_| ())
    }

    /// Checks the settings against 钉钉: a fresh app token. What worked, or what failed, in
    /// `lang`.
    pub async fn test_connection(&self, lang: Lang) -> Result<String, String> {
        let app = match lang {
            Lang::Zh => "钉钉",
            Lang::En => "DingTalk",
        };
        let agent = self
            .agent_id()
            .map_err(|f| failure_words(lang, app, &f, None))?;
        let hint = match lang {
            Lang::Zh => "请检查 AppKey 和 AppSecret。",
            Lang::En => "Check the AppKey and the AppSecret.",
        };
        let (_, life) = self.api.fetch_token().await.map_err(|f| {
            let hint = matches!(f, AppFailure::Refused { .. }).then_some(hint);
            failure_words(lang, app, &f, hint)
        })?;
        Ok(match lang {
            Lang::Zh => format!(
                "已连接钉钉：取得 access_token（有效期 {life} 秒）。工作通知将以 AgentId {agent} 的应用发送。"
            ),
            Lang::En => format!(
                "Connected to DingTalk: an access token was issued (valid for {life} s). Work notifications go out as the app with AgentId {agent}."
            ),
        })
    }
}
