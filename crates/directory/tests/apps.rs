//! The 企业微信 and 钉钉 app APIs against stand-ins on 127.0.0.1 that speak them: the token
//! endpoints, the sign-in exchanges (企业微信 `getuserinfo`; 钉钉 `userAccessToken`,
//! `users/me`, `getbyunionid`) and the message endpoints, each checking its query, JSON body or
//! header and answering the documented errcodes.
//!
//! Every test starts its own stand-in, so the process-wide token cache (keyed by the API
//! prefix, here `http://127.0.0.1:<port>`) never carries a token from one test to another.

#![allow(clippy::unwrap_used)]

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use zeren_core::Lang;
use zeren_core::directory::{DingtalkSettings, Secret, SignInFailure, WecomSettings};
use zeren_core::reminders::robots::{ForbiddenRange, OutboundPolicy};
use zeren_directory::http::Failure;
use zeren_directory::wecom::AppFailure;
use zeren_directory::{dingtalk, wecom};

const CORP: &str = "ww0123456789abcdef";
const WECOM_SECRET: &str = "wecom-secret-Zq9";
const AGENT: i64 = 1000002;
const APP_KEY: &str = "dingappkey0123";
const DING_SECRET: &str = "ding-secret-Xy7";
const DING_AGENT: i64 = 2893019;

type Query_ = Query<HashMap<String, String>>;

/// What a stand-in saw and how it answers.
#[derive(Default)]
struct Seen {
    /// Tokens handed out; the last is the valid one.
    issued: Vec<String>,
    /// `expires_in` of the tokens handed out.
    expires_in: i64,
    /// The current token was declared expired: calls with it get the expired errcode.
    expired: bool,
    /// Every call with a token (path), accepted or not.
    calls: Vec<String>,
    /// Messages accepted: (user, content).
    messages: Vec<(String, String)>,
    /// What a check refused, for the test to show.
    problems: Vec<String>,
}

#[derive(Clone)]
struct Stand(Arc<Mutex<Seen>>);

impl Stand {
    fn new() -> Stand {
        Stand(Arc::new(Mutex::new(Seen {
            expires_in: 7200,
            ..Seen::default()
        })))
    }

    fn with<T>(&self, f: impl FnOnce(&mut Seen) -> T) -> T {
        f(&mut self.0.lock().unwrap())
    }

    fn tokens_issued(&self) -> usize {
        self.with(|s| s.issued.len())
    }

    fn messages(&self) -> Vec<(String, String)> {
        self.with(|s| s.messages.clone())
    }

    fn problems(&self) -> Vec<String> {
        self.with(|s| s.problems.clone())
    }

    fn issue(&self, prefix: &str) -> Value {
        self.with(|s| {
            let token = format!("{prefix}-{}", s.issued.len() + 1);
            s.issued.push(token.clone());
            s.expired = false;
            json!({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": s.expires_in})
        })
    }

    /// `Ok` when `token` is the valid one; else the errcode to answer.
    fn check_token(
        &self,
        path: &str,
        token: Option<&String>,
        expired_code: i64,
    ) -> Result<(), Value> {
        self.with(|s| {
            s.calls.push(path.to_string());
            match (token, s.issued.last()) {
                (Some(t), Some(valid)) if t == valid && !s.expired => Ok(()),
                (Some(t), _) if s.issued.contains(t) => {
                    Err(json!({"errcode": expired_code, "errmsg": "access_token expired"}))
                }
                _ => Err(json!({"errcode": 40014, "errmsg": "invalid access_token"})),
            }
        })
    }

    fn refuse(&self, problem: String) {
        self.with(|s| s.problems.push(problem));
    }
}

async fn serve(app: axum::Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// A port on 127.0.0.1 where nothing listens.
async fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

fn tests_policy() -> OutboundPolicy {
    OutboundPolicy::allow_loopback_for_tests()
}

// ------------------------------------------------------------------------------------------
// 企业微信
// ------------------------------------------------------------------------------------------

async fn wecom_gettoken(State(s): State<Stand>, Query(q): Query_) -> Json<Value> {
    let corp = q.get("corpid").map(String::as_str);
    let secret = q.get("corpsecret").map(String::as_str);
    if corp != Some(CORP) {
        return Json(json!({"errcode": 40013, "errmsg": "invalid corpid"}));
    }
    if secret != Some(WECOM_SECRET) {
        return Json(json!({"errcode": 40001, "errmsg": "invalid credential"}));
    }
    Json(s.issue("wt"))
}

async fn wecom_getuserinfo(State(s): State<Stand>, Query(q): Query_) -> Json<Value> {
    if let Err(e) = s.check_token("getuserinfo", q.get("access_token"), 42001) {
        return Json(e);
    }
    Json(match q.get("code").map(String::as_str) {
        Some("good-code") => {
            json!({"errcode": 0, "errmsg": "ok", "userid": "zhangsan", "user_ticket": "t"})
        }
        Some("outsider-code") => json!({"errcode": 0, "errmsg": "ok", "openid": "oAbc123"}),
        _ => json!({"errcode": 40029, "errmsg": "invalid code SECRET-DETAIL"}),
    })
}

async fn wecom_send(
    State(s): State<Stand>,
    Query(q): Query_,
    Json(body): Json<Value>,
) -> Json<Value> {
    if let Err(e) = s.check_token("message/send", q.get("access_token"), 42001) {
        return Json(e);
    }
    let to = body["touser"].as_str().unwrap_or_default().to_string();
    let content = body["text"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if body["msgtype"] != "text"
        || body["agentid"] != json!(AGENT)
        || to.is_empty()
        || content.is_empty()
    {
        s.refuse(format!("message body: {body}"));
        return Json(json!({"errcode": 40008, "errmsg": "invalid message type"}));
    }
    if to == "ghost" {
        return Json(json!({"errcode": 0, "errmsg": "ok", "invaliduser": "ghost"}));
    }
    if to == "blocked" {
        return Json(json!({"errcode": 81013, "errmsg": "user & party & tag all invalid"}));
    }
    s.with(|seen| seen.messages.push((to, content)));
    Json(json!({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "m1"}))
}

async fn wecom_agent(State(s): State<Stand>, Query(q): Query_) -> Json<Value> {
    if let Err(e) = s.check_token("agent/get", q.get("access_token"), 42001) {
        return Json(e);
    }
    if q.get("agentid").map(String::as_str) != Some(&AGENT.to_string()) {
        return Json(json!({"errcode": 40056, "errmsg": "invalid agentid"}));
    }
    Json(json!({"errcode": 0, "errmsg": "ok", "agentid": AGENT, "name": "责任制台账"}))
}

async fn wecom_stand_in() -> (Stand, SocketAddr) {
    let s = Stand::new();
    let app = axum::Router::new()
        .route("/cgi-bin/gettoken", get(wecom_gettoken))
        .route("/cgi-bin/auth/getuserinfo", get(wecom_getuserinfo))
        .route("/cgi-bin/message/send", post(wecom_send))
        .route("/cgi-bin/agent/get", get(wecom_agent))
        .with_state(s.clone());
    (s, serve(app).await)
}

fn wecom_settings(addr: SocketAddr) -> WecomSettings {
    WecomSettings {
        api_base: format!("http://{addr}"),
        oauth_base: "https://open.weixin.qq.com".into(),
        corp_id: CORP.into(),
        agent_id: AGENT.to_string(),
        secret: Secret(WECOM_SECRET.into()),
        sign_in: true,
        messages: true,
    }
}

#[tokio::test]
async fn wecom_signs_in_a_member_and_sends_a_message() {
    let (s, addr) = wecom_stand_in().await;
    let settings = wecom_settings(addr);
    let policy = tests_policy();
    let app = wecom::Client::new(&settings, &policy);
    assert_eq!(
        app.user_id_by_code("good-code").await,
        Ok("zhangsan".into())
    );
    app.send_text("zhangsan", "【到期提醒】材料学院：……")
        .await
        .unwrap();
    assert_eq!(
        s.messages(),
        [(
            "zhangsan".to_string(),
            "【到期提醒】材料学院：……".to_string()
        )]
    );
    let words = app.test_connection(Lang::Zh).await.unwrap();
    assert!(
        words.contains("责任制台账") && words.contains("7200"),
        "{words}"
    );
    let words = app.test_connection(Lang::En).await.unwrap();
    assert!(words.starts_with("Connected to WeCom"), "{words}");
    assert!(s.problems().is_empty(), "{:?}", s.problems());
    // The secret and the token are never in what is shown.
    assert!(!format!("{app:?}").contains(WECOM_SECRET));
    assert!(!words.contains("wt-"));
}

#[tokio::test]
async fn wecom_authorize_url_is_the_documented_one() {
    let settings = wecom_settings("127.0.0.1:1".parse().unwrap());
    let url = wecom::authorize_url(
        &settings,
        "https://zeren.example.edu.cn/sign-in/wecom?x=1&y=2",
        "st4te",
    )
    .unwrap();
    assert_eq!(
        url.as_str(),
        "https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww0123456789abcdef\
         &redirect_uri=https%3A%2F%2Fzeren.example.edu.cn%2Fsign-in%2Fwecom%3Fx%3D1%26y%3D2\
         &response_type=code&scope=snsapi_base&state=st4te&agentid=1000002#wechat_redirect"
    );
    let broken = WecomSettings {
        oauth_base: "not an address".into(),
        ..settings
    };
    assert_eq!(
        wecom::authorize_url(&broken, "https://x.test/", "s"),
        Err(AppFailure::NotConfigured)
    );
}

#[tokio::test]
async fn wecom_refuses_a_bad_code_with_its_code_and_an_outsider() {
    let (s, addr) = wecom_stand_in().await;
    let settings = wecom_settings(addr);
    let policy = tests_policy();
    let app = wecom::Client::new(&settings, &policy);
    let bad = app.user_id_by_code("used-code").await.unwrap_err();
    assert_eq!(
        bad,
        AppFailure::Refused {
            code: "40029".into()
        }
    );
    // The provider's words stay out of the failure and of what the user is told.
    let told = SignInFailure::from(bad);
    assert_eq!(
        told,
        SignInFailure::Refused {
            code: "40029".into()
        }
    );
    assert!(!format!("{told:?}").contains("SECRET-DETAIL"));
    let outsider = app.user_id_by_code("outsider-code").await.unwrap_err();
    assert_eq!(outsider, AppFailure::NotMember);
    assert_eq!(
        SignInFailure::from(outsider),
        SignInFailure::Refused {
            code: "not-a-member".into()
        }
    );
    // A wrong secret: the token is refused with its code, and the test says what to check.
    let wrong = WecomSettings {
        secret: Secret("another".into()),
        ..settings.clone()
    };
    let app = wecom::Client::new(&wrong, &policy);
    assert_eq!(
        app.send_text("zhangsan", "x").await,
        Err(AppFailure::Refused {
            code: "40001".into()
        })
    );
    let words = app.test_connection(Lang::Zh).await.unwrap_err();
    assert!(
        words.contains("40001") && words.contains("Secret"),
        "{words}"
    );
    assert!(!words.contains("invalid credential"));
    let words = wecom::Client::new(
        &WecomSettings {
            agent_id: "abc".into(),
            ..settings.clone()
        },
        &policy,
    )
    .test_connection(Lang::En)
    .await
    .unwrap_err();
    assert!(words.contains("AgentId"), "{words}");
    assert!(s.messages().is_empty());
}

#[tokio::test]
async fn wecom_token_is_cached_and_renewed_once_when_expired() {
    let (s, addr) = wecom_stand_in().await;
    let settings = wecom_settings(addr);
    let policy = tests_policy();
    let app = wecom::Client::new(&settings, &policy);
    for i in 0..3 {
        app.send_text("zhangsan", &format!("m{i}")).await.unwrap();
    }
    // Another client of the same settings (the next sender run) finds the token too.
    wecom::Client::new(&settings, &policy)
        .send_text("zhangsan", "m3")
        .await
        .unwrap();
    assert_eq!(s.tokens_issued(), 1);
    // The token expires early (42001): one new token, one more try, the message goes out once.
    s.with(|seen| seen.expired = true);
    app.send_text("zhangsan", "m4").await.unwrap();
    assert_eq!(s.tokens_issued(), 2);
    assert_eq!(s.messages().len(), 5);
    assert_eq!(s.with(|seen| seen.calls.len()), 6);
    // Expiring again at once: renewed once per call, not forever.
    s.with(|seen| seen.expired = true);
    app.send_text("zhangsan", "m5").await.unwrap();
    assert_eq!(s.tokens_issued(), 3);
    // A token of a changed secret is not the old one's.
    let other = WecomSettings {
        secret: Secret("another".into()),
        ..settings.clone()
    };
    assert!(
        wecom::Client::new(&other, &policy)
            .send_text("zhangsan", "x")
            .await
            .is_err()
    );
    assert_eq!(s.tokens_issued(), 3);
    app.send_text("zhangsan", "m6").await.unwrap();
    assert_eq!(s.tokens_issued(), 3);
}

#[tokio::test]
async fn a_token_that_lives_less_than_the_margin_is_not_kept() {
    let (s, addr) = wecom_stand_in().await;
    s.with(|seen| seen.expires_in = 60);
    let settings = wecom_settings(addr);
    let policy = tests_policy();
    let app = wecom::Client::new(&settings, &policy);
    app.send_text("zhangsan", "a").await.unwrap();
    app.send_text("zhangsan", "b").await.unwrap();
    assert_eq!(s.tokens_issued(), 2);
}

#[tokio::test]
async fn wecom_invaliduser_and_refused_messages_fail_for_that_person() {
    let (s, addr) = wecom_stand_in().await;
    let settings = wecom_settings(addr);
    let policy = tests_policy();
    let app = wecom::Client::new(&settings, &policy);
    assert_eq!(
        app.send_text("ghost", "x").await,
        Err(AppFailure::InvalidUser)
    );
    assert_eq!(
        app.send_text("blocked", "x").await,
        Err(AppFailure::Refused {
            code: "81013".into()
        })
    );
    app.send_text("zhangsan", "y").await.unwrap();
    assert_eq!(s.messages(), [("zhangsan".to_string(), "y".to_string())]);
    assert_eq!(s.tokens_issued(), 1);
}

// ------------------------------------------------------------------------------------------
// 钉钉
// ------------------------------------------------------------------------------------------

async fn ding_gettoken(State(s): State<Stand>, Query(q): Query_) -> Json<Value> {
    if q.get("appkey").map(String::as_str) != Some(APP_KEY)
        || q.get("appsecret").map(String::as_str) != Some(DING_SECRET)
    {
        return Json(json!({"errcode": 40089, "errmsg": "invalid appkey or appsecret"}));
    }
    Json(s.issue("dt"))
}

async fn ding_user_token(State(s): State<Stand>, Json(body): Json<Value>) -> Response {
    if body["clientId"] != APP_KEY
        || body["clientSecret"] != DING_SECRET
        || body["grantType"] != "authorization_code"
    {
        s.refuse(format!("userAccessToken body: {body}"));
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"code": "invalidClient", "message": "x"})),
        )
            .into_response();
    }
    let token = match body["code"].as_str() {
        Some("good-code") => "ua-good",
        Some("outsider-code") => "ua-outsider",
        Some("external-code") => "ua-external",
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"code": "InvalidAuthentication", "message": "SECRET-DETAIL 不合法的临时授权码", "requestid": "r"})),
            )
                .into_response();
        }
    };
    Json(json!({"accessToken": token, "refreshToken": "r", "expireIn": 7200})).into_response()
}

async fn ding_me(headers: HeaderMap) -> Response {
    let union = match headers
        .get("x-acs-dingtalk-access-token")
        .and_then(|v| v.to_str().ok())
    {
        Some("ua-good") => "union-good",
        Some("ua-outsider") => "union-outsider",
        Some("ua-external") => "union-external",
        _ => {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({"code": "InvalidAuthentication", "message": "no token"})),
            )
                .into_response();
        }
    };
    Json(json!({"nick": "李四", "unionId": union, "openId": "o", "mobile": "138"})).into_response()
}

async fn ding_getbyunionid(
    State(s): State<Stand>,
    Query(q): Query_,
    Json(body): Json<Value>,
) -> Json<Value> {
    if let Err(e) = s.check_token("getbyunionid", q.get("access_token"), 88) {
        return Json(e);
    }
    Json(match body["unionid"].as_str() {
        Some("union-good") => {
            json!({"errcode": 0, "errmsg": "ok", "result": {"contact_type": 0, "userid": "lisi"}})
        }
        Some("union-external") => {
            json!({"errcode": 0, "errmsg": "ok", "result": {"contact_type": 1, "userid": "ext1"}})
        }
        _ => json!({"errcode": 60121, "errmsg": "找不到该用户"}),
    })
}

async fn ding_send(
    State(s): State<Stand>,
    Query(q): Query_,
    Json(body): Json<Value>,
) -> Json<Value> {
    if let Err(e) = s.check_token("asyncsend_v2", q.get("access_token"), 88) {
        return Json(e);
    }
    let to = body["userid_list"].as_str().unwrap_or_default().to_string();
    let content = body["msg"]["text"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if body["agent_id"] != json!(DING_AGENT)
        || body["msg"]["msgtype"] != "text"
        || to.is_empty()
        || content.is_empty()
    {
        s.refuse(format!("asyncsend_v2 body: {body}"));
        return Json(json!({"errcode": 40035, "errmsg": "invalid parameter"}));
    }
    s.with(|seen| seen.messages.push((to, content)));
    Json(json!({"errcode": 0, "errmsg": "ok", "task_id": 256_271_667_526_i64, "request_id": "r"}))
}

async fn ding_stand_in() -> (Stand, SocketAddr) {
    let s = Stand::new();
    let app = axum::Router::new()
        .route("/gettoken", get(ding_gettoken))
        .route("/v1.0/oauth2/userAccessToken", post(ding_user_token))
        .route("/v1.0/contact/users/me", get(ding_me))
        .route("/topapi/user/getbyunionid", post(ding_getbyunionid))
        .route(
            "/topapi/message/corpconversation/asyncsend_v2",
            post(ding_send),
        )
        .with_state(s.clone());
    (s, serve(app).await)
}

fn ding_settings(addr: SocketAddr) -> DingtalkSettings {
    DingtalkSettings {
        api_base: format!("http://{addr}"),
        new_api_base: format!("http://{addr}/"),
        oauth_base: "https://login.dingtalk.com".into(),
        app_key: APP_KEY.into(),
        app_secret: Secret(DING_SECRET.into()),
        agent_id: DING_AGENT.to_string(),
        sign_in: true,
        messages: true,
    }
}

#[tokio::test]
async fn dingtalk_signs_in_a_member_and_sends_a_work_notice() {
    let (s, addr) = ding_stand_in().await;
    let settings = ding_settings(addr);
    let policy = tests_policy();
    let app = dingtalk::Client::new(&settings, &policy);
    assert_eq!(app.user_id_by_code("good-code").await, Ok("lisi".into()));
    app.send_work_notice("lisi", "【逾期提醒】……")
        .await
        .unwrap();
    assert_eq!(
        s.messages(),
        [("lisi".to_string(), "【逾期提醒】……".to_string())]
    );
    let words = app.test_connection(Lang::Zh).await.unwrap();
    assert!(
        words.contains("已连接钉钉") && words.contains("2893019"),
        "{words}"
    );
    assert!(s.problems().is_empty(), "{:?}", s.problems());
    assert!(!format!("{app:?}").contains(DING_SECRET));
    let url = dingtalk::authorize_url(
        &settings,
        "https://zeren.example.edu.cn/sign-in/dingtalk",
        "s1",
    )
    .unwrap();
    assert_eq!(
        url.as_str(),
        "https://login.dingtalk.com/oauth2/auth?redirect_uri=https%3A%2F%2Fzeren.example.edu.cn%2Fsign-in%2Fdingtalk\
         &response_type=code&client_id=dingappkey0123&scope=openid&state=s1&prompt=consent"
    );
}

#[tokio::test]
async fn dingtalk_refuses_a_bad_code_with_its_code_and_people_outside() {
    let (s, addr) = ding_stand_in().await;
    let settings = ding_settings(addr);
    let policy = tests_policy();
    let app = dingtalk::Client::new(&settings, &policy);
    let bad = app.user_id_by_code("used-code").await.unwrap_err();
    assert_eq!(
        bad,
        AppFailure::Refused {
            code: "InvalidAuthentication".into()
        }
    );
    assert!(!format!("{:?}", SignInFailure::from(bad)).contains("SECRET-DETAIL"));
    assert_eq!(
        app.user_id_by_code("outsider-code").await,
        Err(AppFailure::NotMember)
    );
    assert_eq!(
        app.user_id_by_code("external-code").await,
        Err(AppFailure::NotMember)
    );
    let wrong = DingtalkSettings {
        app_secret: Secret("nope".into()),
        ..settings.clone()
    };
    let app = dingtalk::Client::new(&wrong, &policy);
    assert_eq!(
        app.send_work_notice("lisi", "x").await,
        Err(AppFailure::Refused {
            code: "40089".into()
        })
    );
    let words = app.test_connection(Lang::En).await.unwrap_err();
    assert!(
        words.contains("40089") && words.contains("AppSecret"),
        "{words}"
    );
    assert!(s.messages().is_empty());
}

#[tokio::test]
async fn dingtalk_token_is_cached_and_renewed_once_when_expired() {
    let (s, addr) = ding_stand_in().await;
    let settings = ding_settings(addr);
    let policy = tests_policy();
    let app = dingtalk::Client::new(&settings, &policy);
    for i in 0..3 {
        app.send_work_notice("lisi", &format!("m{i}"))
            .await
            .unwrap();
    }
    assert_eq!(app.user_id_by_code("good-code").await, Ok("lisi".into()));
    assert_eq!(s.tokens_issued(), 1);
    // 钉钉 answers an expired token with errcode 88: renewed once, sent once.
    s.with(|seen| seen.expired = true);
    app.send_work_notice("lisi", "m3").await.unwrap();
    assert_eq!(s.tokens_issued(), 2);
    assert_eq!(s.messages().len(), 4);
    s.with(|seen| seen.expired = true);
    assert_eq!(app.user_id_by_code("good-code").await, Ok("lisi".into()));
    assert_eq!(s.tokens_issued(), 3);
}

// ------------------------------------------------------------------------------------------
// Unreachable, and the policy
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_unreachable_app_is_told_as_unreachable() {
    let port = closed_port().await;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let policy = tests_policy();
    let w = wecom_settings(addr);
    let app = wecom::Client::new(&w, &policy);
    let f = app.send_text("zhangsan", "x").await.unwrap_err();
    assert_eq!(f, AppFailure::Http(Failure::Connect));
    assert_eq!(SignInFailure::from(f), SignInFailure::Unreachable);
    let words = app.test_connection(Lang::Zh).await.unwrap_err();
    assert!(words.contains("无法连接企业微信接口"), "{words}");
    let d = ding_settings(addr);
    let app = dingtalk::Client::new(&d, &policy);
    assert_eq!(
        app.user_id_by_code("good-code")
            .await
            .map_err(SignInFailure::from),
        Err(SignInFailure::Unreachable)
    );
    assert_eq!(
        app.send_work_notice("lisi", "x").await,
        Err(AppFailure::Http(Failure::Connect))
    );
    // A gateway answering 502 without the provider's JSON.
    let gateway = serve(
        axum::Router::new()
            .fallback(|| async { (StatusCode::BAD_GATEWAY, "<html>bad gateway</html>") }),
    )
    .await;
    let w = wecom_settings(gateway);
    assert_eq!(
        wecom::Client::new(&w, &policy)
            .send_text("zhangsan", "x")
            .await,
        Err(AppFailure::Status(502))
    );
    assert_eq!(
        SignInFailure::from(AppFailure::Status(502)),
        SignInFailure::Unreachable
    );
}

#[tokio::test]
async fn the_default_policy_refuses_the_loopback_stand_in() {
    let (s, addr) = wecom_stand_in().await;
    let (d, daddr) = ding_stand_in().await;
    let strict = OutboundPolicy::default();
    let w = wecom_settings(addr);
    let app = wecom::Client::new(&w, &strict);
    assert_eq!(
        app.send_text("zhangsan", "x").await,
        Err(AppFailure::Http(Failure::Forbidden(
            ForbiddenRange::Loopback
        )))
    );
    assert_eq!(
        app.user_id_by_code("good-code").await,
        Err(AppFailure::Http(Failure::Forbidden(
            ForbiddenRange::Loopback
        )))
    );
    let ds = ding_settings(daddr);
    let app = dingtalk::Client::new(&ds, &strict);
    assert_eq!(
        app.user_id_by_code("good-code").await,
        Err(AppFailure::Http(Failure::Forbidden(
            ForbiddenRange::Loopback
        )))
    );
    // Nor does the directories' policy reach this machine unless the operator allowed it.
    let dirs = strict.for_directories();
    assert_eq!(
        dingtalk::Client::new(&ds, &dirs)
            .send_work_notice("lisi", "x")
            .await,
        Err(AppFailure::Http(Failure::Forbidden(
            ForbiddenRange::Loopback
        )))
    );
    assert_eq!(s.tokens_issued() + d.tokens_issued(), 0);
    assert!(s.with(|seen| seen.calls.is_empty()) && d.with(|seen| seen.calls.is_empty()));
}

/// Every call is a future a server can spawn (axum handlers and `tokio::spawn` need `Send`
/// for any lifetime of the borrowed settings and policy).
#[tokio::test]
async fn every_call_can_be_spawned() {
    let port = closed_port().await;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let (w, d) = (wecom_settings(addr), ding_settings(addr));
    let tasks = vec![
        tokio::spawn(async move {
            let p = tests_policy();
            let app = wecom::Client::new(&w, &p);
            let code = String::from("c");
            let _ = app.user_id_by_code(&code).await;
            let _ = app.send_text(&code, &code).await;
            let _ = app.test_connection(Lang::Zh).await;
        }),
        tokio::spawn(async move {
            let p = tests_policy();
            let app = dingtalk::Client::new(&d, &p);
            let code = String::from("c");
            let _ = app.user_id_by_code(&code).await;
            let _ = app.send_work_notice(&code, &code).await;
            let _ = app.test_connection(Lang::En).await;
        }),
    ];
    for t in tasks {
        t.await.unwrap();
    }
}
