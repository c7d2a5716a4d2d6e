//! Reminders to a person through the office apps: a 企业微信 app message (应用消息) and a 钉钉
//! work notification (工作通知), queued by the planner beside email and the robots when the
//! system administrator turned the app's messages on and the person's user id is known, sent
//! by the sender with the robots' text, retried with the backoff, and told in the delivery log
//! by reason code, never by what the app answered.
//!
//! The stand-in on 127.0.0.1 speaks both apps' token and message endpoints, checking the query,
//! the token and the JSON body; the settings keep the real API prefixes
//! (`https://qyapi.weixin.qq.com`, `https://oapi.dingtalk.com`), which the test's outbound
//! policy resolves to it.

use super::*;
use crate::common::api_ok;
use zeren_core::directory::{DingtalkSettings, DirectorySettings, Secret, WecomSettings};
use zeren_storage::repo::notify::{DINGTALK_APP, WECOM_APP};
use zeren_storage::repo::people::PersonEdit;

const WECOM_SECRET: &str = "wecom-app-secret-T1";
const WECOM_AGENT: i64 = 1000002;
const DING_SECRET: &str = "ding-app-secret-T2";
const DING_AGENT: i64 = 2893019;

/// What the stand-in saw and how it answers messages.
#[derive(Default)]
struct AppsSeen {
    /// The corp id and app key it expects (each test its own, so the process-wide token
    /// cache never mixes tests).
    ident: String,
    /// Tokens issued, per app.
    wecom_tokens: Vec<String>,
    ding_tokens: Vec<String>,
    /// Messages accepted: (app, user, content).
    messages: Vec<(&'static str, String, String)>,
    /// The next answers of the message endpoints (an errcode, or `invaliduser`), in turn;
    /// empty: accepted.
    wecom_answers: Vec<Value>,
    ding_answers: Vec<Value>,
    /// Requests refused by a check, for the test to show.
    refused: Vec<String>,
}

#[derive(Clone, Default)]
struct Apps(Arc<Mutex<AppsSeen>>);

impl Apps {
    fn with<T>(&self, f: impl FnOnce(&mut AppsSeen) -> T) -> T {
        f(&mut self.0.lock().unwrap())
    }

    fn messages(&self, app: &str) -> Vec<(String, String)> {
        self.with(|s| {
            s.messages
                .iter()
                .filter(|m| m.0 == app)
                .map(|m| (m.1.clone(), m.2.clone()))
                .collect()
        })
    }

    fn refused(&self) -> Vec<String> {
        self.with(|s| s.refused.clone())
    }

    async fn start(ident: &str) -> (Apps, SocketAddr) {
        let apps = Apps::default();
        apps.with(|s| s.ident = ident.to_string());
        let app = axum::Router::new()
            .route("/cgi-bin/gettoken", axum::routing::get(wecom_gettoken))
            .route("/cgi-bin/message/send", post(wecom_send))
            .route("/gettoken", axum::routing::get(ding_gettoken))
            .route(
                "/topapi/message/corpconversation/asyncsend_v2",
                post(ding_send),
            )
            .with_state(apps.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (apps, addr)
    }
}

async fn wecom_gettoken(
    State(a): State<Apps>,
    Query(q): Query<HashMap<String, String>>,
) -> axum::Json<Value> {
    axum::Json(a.with(|s| {
        if q.get("corpid") != Some(&s.ident)
            || q.get("corpsecret").map(String::as_str) != Some(WECOM_SECRET)
        {
            s.refused.push(format!("wecom gettoken {q:?}"));
            return json!({"errcode": 40001, "errmsg": "invalid credential"});
        }
        let token = format!("wt-{}", s.wecom_tokens.len() + 1);
        s.wecom_tokens.push(token.clone());
        json!({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})
    }))
}

async fn wecom_send(
    State(a): State<Apps>,
    Query(q): Query<HashMap<String, String>>,
    axum::Json(body): axum::Json<Value>,
) -> axum::Json<Value> {
    axum::Json(a.with(|s| {
        if q.get("access_token") != s.wecom_tokens.last() {
            s.refused.push("wecom send: token".into());
            return json!({"errcode": 40014, "errmsg": "invalid access_token"});
        }
        let user = body["touser"].as_str().unwrap_or_default().to_string();
        let content = body["text"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if body["msgtype"] != "text"
            || body["agentid"] != json!(WECOM_AGENT)
            || user.is_empty()
            || content.is_empty()
        {
            s.refused.push(format!("wecom send: {body}"));
            return json!({"errcode": 40008, "errmsg": "invalid message"});
        }
        if !s.wecom_answers.is_empty() {
            return s.wecom_answers.remove(0);
        }
        s.messages.push(("wecom", user, content));
        json!({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "m"})
    }))
}

async fn ding_gettoken(
    State(a): State<Apps>,
    Query(q): Query<HashMap<String, String>>,
) -> axum::Json<Value> {
    axum::Json(a.with(|s| {
        if q.get("appkey") != Some(&s.ident)
            || q.get("appsecret").map(String::as_str) != Some(DING_SECRET)
        {
            s.refused.push(format!("dingtalk gettoken {q:?}"));
            return json!({"errcode": 40089, "errmsg": "invalid appkey"});
        }
        let token = format!("dt-{}", s.ding_tokens.len() + 1);
        s.ding_tokens.push(token.clone());
        json!({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})
    }))
}

async fn ding_send(
    State(a): State<Apps>,
    Query(q): Query<HashMap<String, String>>,
    axum::Json(body): axum::Json<Value>,
) -> axum::Json<Value> {
    axum::Json(a.with(|s| {
        if q.get("access_token") != s.ding_tokens.last() {
            s.refused.push("dingtalk send: token".into());
            return json!({"errcode": 88, "errmsg": "invalid access_token", "sub_code": "40014"});
        }
        let user = body["userid_list"].as_str().unwrap_or_default().to_string();
        let content = body["msg"]["text"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if body["agent_id"] != json!(DING_AGENT)
            || body["msg"]["msgtype"] != "text"
            || user.is_empty()
            || content.is_empty()
        {
            s.refused.push(format!("dingtalk send: {body}"));
            return json!({"errcode": 40035, "errmsg": "invalid parameter"});
        }
        if !s.ding_answers.is_empty() {
            return s.ding_answers.remove(0);
        }
        s.messages.push(("dingtalk", user, content));
        json!({"errcode": 0, "errmsg": "ok", "task_id": 256_271_667_526_i64})
    }))
}

/// The directory settings of both apps, `ident` their corp id and app key, their messages on
/// as `wecom` and `dingtalk` say.
fn app_settings(ident: &str, wecom: bool, dingtalk: bool) -> DirectorySettings {
    DirectorySettings {
        wecom: Some(WecomSettings {
            api_base: "https://qyapi.weixin.qq.com".into(),
            oauth_base: "https://open.weixin.qq.com".into(),
            corp_id: ident.into(),
            agent_id: WECOM_AGENT.to_string(),
            secret: Secret(WECOM_SECRET.into()),
            sign_in: false,
            messages: wecom,
        }),
        dingtalk: Some(DingtalkSettings {
            api_base: "https://oapi.dingtalk.com".into(),
            new_api_base: "https://api.dingtalk.com".into(),
            oauth_base: "https://login.dingtalk.com".into(),
            app_key: ident.into(),
            app_secret: Secret(DING_SECRET.into()),
            agent_id: DING_AGENT.to_string(),
            sign_in: false,
            messages: dingtalk,
        }),
        ..DirectorySettings::default()
    }
}

async fn put_settings(app: &TestApp, settings: DirectorySettings) {
    let (_, version) = app.db.directory_settings().await.unwrap();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.put_directory_settings(settings, version).await.unwrap();
    tx.commit().await.unwrap();
}

/// The new secretary of 材料学院, given a 企业微信 and a 钉钉 user id: their person id.
async fn secretary_with_ids(app: &TestApp) -> String {
    let model = app.db.load_model().await.unwrap();
    let id = model
        .people()
        .find(|p| p.name == demo::NEW_SECRETARY)
        .unwrap()
        .id
        .clone();
    let version = app.db.person_record(&id).await.unwrap().version;
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.update_person(
        &id,
        version,
        PersonEdit {
            wecom_id: Some(Some("li.minghua".into())),
            dingtalk_id: Some(Some("dt-li-0417".into())),
            ..PersonEdit::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A corp id and app key of a test's own, so no token is shared across tests.
fn fresh_ident() -> String {
    format!("ww{}", zeren_storage::new_id().replace('-', ""))
}

#[tokio::test]
async fn reminders_reach_a_person_once_as_app_message_and_work_notification() {
    for app in TestApp::demo_on_engines().await {
        let corp = fresh_ident();
        let (apps, at) = Apps::start(&corp).await;
        let s = app.state().with_outbound(robots_at(at));
        let secretary = secretary_with_ids(&app).await;
        // Settings present but messages off: the ids alone queue nothing.
        put_settings(&app, app_settings(&corp, false, false)).await;
        assert!(
            app.db
                .all_person_channels()
                .await
                .unwrap()
                .values()
                .all(|c| c.wecom_app.is_none() && c.dingtalk_app.is_none())
        );
        put_settings(&app, app_settings(&corp, true, true)).await;
        let mine = app.db.person_channels(&secretary).await.unwrap();
        assert_eq!(
            (mine.wecom_app.as_deref(), mine.dingtalk_app.as_deref()),
            (Some("li.minghua"), Some("dt-li-0417"))
        );

        app.clock.advance(Duration::days(3)); // 2026-12-01: 30 days before 31 December.
        let plan = planner::run_once(&s).await;
        assert!(plan.ran && plan.deliveries > 0, "{plan:?} on {}", app.label);
        let queued = all_deliveries(&app.db).await;
        let notes = app
            .db
            .notifications(&secretary, false, 1000, 0)
            .await
            .unwrap();
        assert!(!notes.is_empty());
        for (channel, user) in [(WECOM_APP, "li.minghua"), (DINGTALK_APP, "dt-li-0417")] {
            let rows: Vec<_> = queued.iter().filter(|d| d.channel == channel).collect();
            // One per reminder to the secretary, to their user id; nobody else has one.
            assert_eq!(rows.len(), notes.len(), "{channel} on {}", app.label);
            for d in &rows {
                assert_eq!(d.target, user);
                assert_eq!(d.person.as_deref(), Some(secretary.as_str()));
                assert_eq!(
                    notes
                        .iter()
                        .filter(|n| n.reminder_key.as_deref() == Some(d.reminder_key.as_str()))
                        .count(),
                    1
                );
            }
        }
        // No email was set, no robot: the apps are all there is.
        assert_eq!(queued.len(), 2 * notes.len());

        let sent = sender::run_once(&s).await;
        assert_eq!(
            (sent.sent, sent.retried, sent.failed, sent.deferred),
            (queued.len(), 0, 0, 0),
            "{sent:?} on {}",
            app.label
        );
        assert!(apps.refused().is_empty(), "{:?}", apps.refused());
        for (channel, stand) in [(WECOM_APP, "wecom"), (DINGTALK_APP, "dingtalk")] {
            let mut want: Vec<(String, String)> = queued
                .iter()
                .filter(|d| d.channel == channel)
                .map(|d| {
                    (
                        d.target.clone(),
                        d.payload["text"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let mut got = apps.messages(stand);
            want.sort();
            got.sort();
            assert_eq!(got, want, "{channel} on {}", app.label);
        }
        // The robots' text, naming the person; one token per app for the whole run.
        let texts: Vec<String> = apps.messages("wecom").into_iter().map(|m| m.1).collect();
        let naming = format!("（提醒：{}）", demo::NEW_SECRETARY);
        assert!(texts.iter().all(|t| t.ends_with(&naming)), "{texts:?}");
        assert!(
            texts.iter().any(|t| t.starts_with("【到期提醒】")),
            "{texts:?}"
        );
        assert_eq!(
            apps.with(|a| (a.wecom_tokens.len(), a.ding_tokens.len())),
            (1, 1)
        );
        assert!(
            all_deliveries(&app.db)
                .await
                .iter()
                .all(|d| d.status == "sent" && d.attempts == 1)
        );
        // Nothing more goes out.
        assert_eq!(sender::run_once(&s).await, sender::Summary::default());
        assert_eq!(
            apps.messages("wecom").len() + apps.messages("dingtalk").len(),
            queued.len()
        );
        // The log's API names the channel; the secret is in no page and no audit entry.
        let token = app.token("secretary").await;
        let v = api_ok(
            &app,
            &token,
            "/api/v1/deliveries?org=cqu-mse&channel=wecom-app",
        )
        .await;
        assert_eq!(v["items"].as_array().unwrap().len(), notes.len().min(30));
        assert_eq!(v["items"][0]["channel"], "wecom-app");
        assert_eq!(v["items"][0]["status"], "sent");
        let audit = serde_json::to_string(&app.db.audit_page(0, 100_000).await.unwrap()).unwrap();
        assert!(!audit.contains(WECOM_SECRET) && !audit.contains(DING_SECRET));
        assert!(!audit.contains("wt-1") && !audit.contains("dt-1"));
        app.finish().await;
    }
}

#[tokio::test]
async fn a_refused_app_message_is_recorded_retried_and_told_in_words() {
    for app in TestApp::demo_on_engines().await {
        let corp = fresh_ident();
        let (apps, at) = Apps::start(&corp).await;
        let s = app.state().with_outbound(robots_at(at));
        let secretary = secretary_with_ids(&app).await;
        put_settings(&app, app_settings(&corp, true, true)).await;
        app.clock.advance(Duration::days(3));
        assert!(planner::run_once(&s).await.ran);
        let queued = all_deliveries(&app.db).await;
        let n = queued.iter().filter(|d| d.channel == WECOM_APP).count();
        assert!(n > 0);
        // 企业微信: this server is not a trusted IP, then the person is outside the app's range;
        // 钉钉: an errcode. Then both accept.
        apps.with(|a| {
            a.wecom_answers = (0..n)
                .map(|_| json!({"errcode": 60020, "errmsg": "not allow to access from your ip SECRET-WORDS"}))
                .chain((0..n).map(|_| json!({"errcode": 0, "errmsg": "ok", "invaliduser": "li.minghua"})))
                .collect();
            a.ding_answers = (0..n)
                .map(|_| json!({"errcode": 33012, "errmsg": "无效的USERID SECRET-WORDS"}))
                .collect();
        });
        let first = sender::run_once(&s).await;
        assert_eq!(
            (first.sent, first.retried, first.failed),
            (0, 2 * n, 0),
            "{first:?}"
        );
        let rows = all_deliveries(&app.db).await;
        for d in &rows {
            assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
            let want = if d.channel == WECOM_APP {
                "app:errcode:60020"
            } else {
                "app:errcode:33012"
            };
            assert_eq!(d.last_error.as_deref(), Some(want), "on {}", app.label);
        }
        // Not before the backoff's minute.
        app.clock.advance(Duration::seconds(59));
        assert_eq!(sender::run_once(&s).await, sender::Summary::default());
        app.clock.advance(Duration::seconds(2));
        let second = sender::run_once(&s).await;
        assert_eq!((second.sent, second.retried), (n, n), "{second:?}");
        let wecom_rows: Vec<_> = all_deliveries(&app.db)
            .await
            .into_iter()
            .filter(|d| d.channel == WECOM_APP)
            .collect();
        assert!(wecom_rows.iter().all(|d| {
            d.status == "pending"
                && d.attempts == 2
                && d.last_error.as_deref() == Some("app:invaliduser")
        }));
        // The page and the API say why in words, never the app's own.
        let sec = app.sign_in("secretary", PASSWORD).await;
        let html = page(&sec, &app, "/orgs/cqu-mse/notify").await.1;
        assert!(
            html.contains(
                "企业微信拒收消息（错误码 60020）：本服务器的出口 IP 不在应用的“企业可信IP”中"
            ),
            "{html}"
        );
        assert!(html.contains("企业微信不接受此人的账号"));
        assert!(html.contains("钉钉拒收消息（错误码 33012）"));
        let token = app.token("secretary").await;
        let v = api_ok(&app, &token, "/api/v1/deliveries?org=cqu-mse&lang=en").await;
        let text = v.to_string();
        assert!(
            text.contains("WeCom does not accept this person's user id"),
            "{text}"
        );
        assert!(!text.contains("SECRET-WORDS") && !html.contains("SECRET-WORDS"));
        assert!(!text.contains("app:errcode"));
        // Five minutes on, the 企业微信 messages go out: each once, on the third try.
        app.clock.advance(Duration::minutes(5));
        let third = sender::run_once(&s).await;
        assert_eq!(
            (third.sent, third.retried, third.failed),
            (n, 0, 0),
            "{third:?}"
        );
        let rows = all_deliveries(&app.db).await;
        assert!(rows.iter().all(|d| d.status == "sent"));
        assert!(
            rows.iter()
                .filter(|d| d.channel == WECOM_APP)
                .all(|d| d.attempts == 3)
        );
        assert_eq!(apps.messages("wecom").len(), n);
        assert_eq!(apps.messages("dingtalk").len(), n);
        let ids: Vec<String> = rows.iter().map(|d| d.id.clone()).collect();
        let tries = app.db.attempts(&ids).await.unwrap();
        for d in rows.iter().filter(|d| d.channel == WECOM_APP) {
            let outcomes: Vec<&str> = tries[&d.id].iter().map(|t| t.outcome.as_str()).collect();
            assert_eq!(outcomes, ["retry", "retry", "sent"]);
        }

        // The app's messages turned off: the planner queues none, and one queued before is not
        // sent — it fails at once, saying so.
        put_settings(&app, app_settings(&corp, false, true)).await;
        let channels = app.db.person_channels(&secretary).await.unwrap();
        assert_eq!(
            (channels.wecom_app, channels.dingtalk_app.as_deref()),
            (None, Some("dt-li-0417"))
        );
        let ob = rows[0].reminder_key.split('/').next().unwrap().to_string();
        let mse = app.org_id("cqu-mse").await;
        let mut tx = app
            .db
            .begin(&Actor::system(), app.clock.now())
            .await
            .unwrap();
        tx.record_reminder(&NewReminder {
            key: format!("{ob}/before-200"),
            obligation: ob.clone(),
            kind: "before-200".into(),
            person: secretary.clone(),
            org: mse,
            scheduled_on: date(TODAY),
            planned_on: date(TODAY),
            args: json!({}),
            deliveries: vec![NewDelivery {
                channel: WECOM_APP.into(),
                target: "li.minghua".into(),
                person: Some(secretary.clone()),
                payload: json!({"text": "queued while the app was on"}),
            }],
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let off = sender::run_once(&s).await;
        assert_eq!((off.sent, off.failed, off.retried), (0, 1, 0), "{off:?}");
        let failed: Vec<_> = all_deliveries(&app.db)
            .await
            .into_iter()
            .filter(|d| d.status == "failed")
            .collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].last_error.as_deref(), Some("app:not-configured"));
        assert_eq!(apps.messages("wecom").len(), n);
        let html = page(&sec, &app, "/orgs/cqu-mse/notify?status=failed")
            .await
            .1;
        assert!(
            html.contains("系统管理员已停用企业微信应用的消息发送"),
            "{html}"
        );
        assert!(apps.refused().is_empty(), "{:?}", apps.refused());
        app.finish().await;
    }
}
