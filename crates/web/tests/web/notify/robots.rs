//! Robot addresses (issue 10, defect 7): an org's secretary could store any http(s) address as
//! a robot and read the first 200 characters of the answer in the delivery log — a port scanner
//! and a reader of internal pages. Now an address must be `https` on the provider's host and
//! path or on a host the system administrator allows; the sender resolves the host itself and
//! connects to no loopback, private, link-local or other internal address; no redirect is
//! followed; the log shows a reason, never the answer.

use super::*;
use crate::common::{api_ok, assert_error, location};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Queues `n` robot messages on `channel` for `org`, due now (keys from `first` on).
async fn queue(db: &Db, clock: &TestClock, org: &str, channel: &str, first: u32, n: u32) {
    let model = db.load_model().await.unwrap();
    let ob = db.obligations(org, 2026).await.unwrap()[0].id.clone();
    let person = model.people().next().unwrap().id.clone();
    let mut tx = db.begin(&Actor::system(), clock.now()).await.unwrap();
    for i in first..first + n {
        assert!(
            tx.record_reminder(&NewReminder {
                key: format!("{ob}/before-{}", 100 + i),
                obligation: ob.clone(),
                kind: format!("before-{}", 100 + i),
                person: person.clone(),
                org: org.to_string(),
                scheduled_on: date(TODAY),
                planned_on: date(TODAY),
                args: json!({}),
                deliveries: vec![NewDelivery {
                    channel: channel.into(),
                    target: org.to_string(),
                    person: None,
                    payload: json!({"text": format!("message {i}")}),
                }],
            })
            .await
            .unwrap()
        );
    }
    tx.commit().await.unwrap();
}

/// A listener on 127.0.0.1 that counts the connections it gets and closes each at once.
async fn knock_counter() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let knocks = Arc::new(AtomicUsize::new(0));
    let counted = knocks.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (addr, knocks)
}

/// A server that answers every request with `status`, `headers` and `body`.
async fn answering(
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: &'static str,
) -> SocketAddr {
    let app = axum::Router::new().fallback(move || {
        let headers = headers.clone();
        async move {
            let mut resp = axum::response::Response::new(axum::body::Body::from(body));
            *resp.status_mut() = axum::http::StatusCode::from_u16(status).unwrap();
            for (name, value) in headers {
                resp.headers_mut()
                    .insert(name, axum::http::HeaderValue::from_str(&value).unwrap());
            }
            resp
        }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// Every robot error the sender wrote, as stored (delivery and tries).
async fn stored_errors(db: &Db) -> Vec<String> {
    let rows = all_deliveries(db).await;
    let ids: Vec<String> = rows.iter().map(|d| d.id.clone()).collect();
    let tries = db.attempts(&ids).await.unwrap();
    rows.iter()
        .filter_map(|d| d.last_error.clone())
        .chain(tries.values().flatten().filter_map(|t| t.error.clone()))
        .collect()
}

#[tokio::test]
async fn robot_addresses_off_the_providers_hosts_are_refused_and_nothing_is_stored() {
    let app = TestApp::demo().await;
    // A live robot stand-in the loopback addresses point at: nothing may reach it.
    let (robots, at) = Robots::start().await;
    let port = at.port();
    let sec = app.sign_in("secretary", PASSWORD).await;
    let token = app.token("secretary").await;
    let mse = app.org_id("cqu-mse").await;
    let audit_before = app.audit_len().await;
    let refused = [
        (
            "wecom_url",
            format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key=WECOM-KEY"),
        ),
        (
            "dingtalk_url",
            format!("http://127.0.0.1:{port}/robot/send?access_token=DING-TOKEN"),
        ),
        (
            "wecom_url",
            "http://10.0.0.1/cgi-bin/webhook/send?key=x".to_string(),
        ),
        (
            "dingtalk_url",
            "https://10.0.0.1/robot/send?access_token=x".to_string(),
        ),
        (
            "wecom_url",
            "https://evil.example/cgi-bin/webhook/send?key=x".to_string(),
        ),
        (
            "dingtalk_url",
            "https://169.254.169.254/latest/meta-data/".to_string(),
        ),
        (
            "wecom_url",
            "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=x".to_string(),
        ),
        (
            "wecom_url",
            "https://qyapi.weixin.qq.com@127.0.0.1/cgi-bin/webhook/send?key=x".to_string(),
        ),
        (
            "wecom_url",
            format!("https://qyapi.weixin.qq.com:{port}/cgi-bin/webhook/send?key=x"),
        ),
        (
            "dingtalk_url",
            "https://oapi.dingtalk.com/admin/robot/send".to_string(),
        ),
        (
            "wecom_url",
            "https://oapi.dingtalk.com/robot/send?access_token=x".to_string(),
        ),
    ];
    for (field, url) in &refused {
        // The form: 422, the field marked and named, the address kept in the box.
        let r = submit(
            &sec,
            &app,
            "/orgs/cqu-mse/notify",
            &[("version", "0"), (*field, url.as_str())],
        )
        .await;
        assert_eq!(r.status(), 422, "{field} = {url}");
        let html = r.text().await.unwrap();
        let id = if *field == "wecom_url" {
            "wecom-error"
        } else {
            "dingtalk-error"
        };
        assert!(html.contains(id), "{url}: {html}");
        assert!(html.contains(&format!("“{field}”")), "{url}");
        // The API: 422 naming the field.
        let (status, body) = api(
            &app,
            &token,
            "PUT",
            &format!("/api/v1/orgs/{mse}/notify"),
            Some(json!({ (*field): url, "version": 0 })),
        )
        .await;
        assert_eq!(status, 422, "{field} = {url}: {body}");
        assert_error(&body, "invalid_input");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{message}");
    }
    // Why, in words: an http address is told it needs https; another host, which ones.
    let (_, body) = api(
        &app,
        &token,
        "PUT",
        &format!("/api/v1/orgs/{mse}/notify"),
        Some(json!({"wecom_url": format!("http://127.0.0.1:{port}/x"), "version": 0})),
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("https://"),
        "{body}"
    );
    let (_, body) = api(
        &app,
        &token,
        "PUT",
        &format!("/api/v1/orgs/{mse}/notify"),
        Some(json!({"dingtalk_url": "https://evil.example/robot/send", "version": 0})),
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("oapi.dingtalk.com"),
        "{body}"
    );
    // Nothing stored, nothing audited, nothing sent.
    let stored = app.db.org_channels(&mse).await.unwrap();
    assert_eq!(
        (stored.version, stored.wecom_url, stored.dingtalk_url),
        (0, None, None)
    );
    assert_eq!(app.audit_len().await, audit_before);
    assert_eq!(
        sender::run_once(&app.state()).await,
        sender::Summary::default()
    );
    assert!(robots.posts("wecom").is_empty() && robots.posts("dingtalk").is_empty());
    // The providers' own addresses are taken, stored as the URL parser spells them.
    let (status, body) = api(
        &app,
        &token,
        "PUT",
        &format!("/api/v1/orgs/{mse}/notify"),
        Some(json!({
            "wecom_url": "https://QYAPI.weixin.qq.com/cgi-bin/webhook/send?key=K",
            "dingtalk_url": "https://oapi.dingtalk.com:443/robot/send?access_token=T",
            "version": 0,
        })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let stored = app.db.org_channels(&mse).await.unwrap();
    assert_eq!(
        stored.wecom_url.as_deref(),
        Some("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K")
    );
    assert_eq!(
        stored.dingtalk_url.as_deref(),
        Some("https://oapi.dingtalk.com/robot/send?access_token=T")
    );
    app.finish().await;
}

#[tokio::test]
async fn the_system_administrator_allows_another_host_versioned_and_audited() {
    let app = TestApp::demo().await;
    let (robots, at) = Robots::start().await;
    let sys = app.token("sysadmin").await;
    let token = app.token("secretary").await;
    let mse = app.org_id("cqu-mse").await;
    let hook = "https://robots.example.test/cgi-bin/webhook/send?key=WECOM-KEY";
    let put_org = |url: &'static str, version: i64| {
        let (app, token, mse) = (&app, &token, &mse);
        async move {
            api(
                app,
                token,
                "PUT",
                &format!("/api/v1/orgs/{mse}/notify"),
                Some(json!({"wecom_url": url, "version": version})),
            )
            .await
        }
    };
    // Not allowed yet.
    let (status, body) = put_org(hook, 0).await;
    assert_eq!(status, 422, "{body}");

    // The setting: the system administrator's only.
    let v = api_ok(&app, &sys, "/api/v1/settings/robot-hosts").await;
    assert_eq!(
        (v["hosts"].clone(), v["version"].clone()),
        (json!([]), json!(0))
    );
    assert_eq!(v["builtin"][0]["host"], "qyapi.weixin.qq.com");
    assert_eq!(v["builtin"][1]["path"], "/robot/send");
    let (status, _) = api(&app, &token, "GET", "/api/v1/settings/robot-hosts", None).await;
    assert_eq!(status, 403);
    let (status, _) = api(
        &app,
        &token,
        "PUT",
        "/api/v1/settings/robot-hosts",
        Some(json!({"hosts": ["robots.example.test"], "version": 0})),
    )
    .await;
    assert_eq!(status, 403);
    // Entries are host names; an internal address is not one to allow.
    let too_many: Vec<String> = (0..21).map(|i| format!("h{i}.example.test")).collect();
    for hosts in [
        json!(["127.0.0.1"]),
        json!(["10.1.2.3:8443"]),
        json!(["[::1]"]),
        json!(["https://robots.example.test/hook"]),
        json!(["robots.example.test/hook"]),
        json!(["user@robots.example.test"]),
        json!([format!("{}.example", "x".repeat(300))]),
        json!(too_many),
    ] {
        let (status, body) = api(
            &app,
            &sys,
            "PUT",
            "/api/v1/settings/robot-hosts",
            Some(json!({"hosts": hosts, "version": 0})),
        )
        .await;
        assert_eq!(status, 422, "{hosts}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("hosts"));
    }
    assert_eq!(
        api_ok(&app, &sys, "/api/v1/settings/robot-hosts").await["version"],
        0
    );
    // Saved, lower-cased, once.
    let (status, v) = api(
        &app,
        &sys,
        "PUT",
        "/api/v1/settings/robot-hosts",
        Some(json!({"hosts": ["Robots.Example.Test", "robots.example.test", ""], "version": 0})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (v["hosts"].clone(), v["version"].clone()),
        (json!(["robots.example.test"]), json!(1))
    );
    // A stale edit: 409, in the API and on the page.
    let (status, body) = api(
        &app,
        &sys,
        "PUT",
        "/api/v1/settings/robot-hosts",
        Some(json!({"hosts": [], "version": 0})),
    )
    .await;
    assert_eq!(status, 409);
    assert_error(&body, "version_conflict");
    let admin = app.sign_in("sysadmin", PASSWORD).await;
    let r = submit(
        &admin,
        &app,
        "/admin/notify/robot-hosts",
        &[("version", "0"), ("hosts", "")],
    )
    .await;
    assert_eq!(r.status(), 409);
    let html = page(&admin, &app, "/admin/notify").await.1;
    assert!(html.contains("robots.example.test"));
    assert_eq!(
        hidden(
            html.split("/admin/notify/robot-hosts").nth(1).unwrap(),
            "version"
        ),
        "1"
    );
    // A bad line on the page: 422 at the field, the text kept.
    let r = submit(
        &admin,
        &app,
        "/admin/notify/robot-hosts",
        &[
            ("version", "1"),
            ("hosts", "robots.example.test\n192.168.1.10"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("hosts-error") && html.contains("192.168.1.10"));
    // Audited, as the setting it is.
    let audit = app.db.audit_page(0, 100_000).await.unwrap();
    let entries: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "setting.update" && e.object_id == "robot_hosts")
        .collect();
    assert_eq!(entries.len(), 1);

    // The secretary may now use the host, and the sender reaches it.
    let (status, body) = put_org(hook, 0).await;
    assert_eq!(status, 200, "{body}");
    queue(&app.db, &app.clock, &mse, "wecom", 0, 1).await;
    let s = app.state().with_outbound(
        OutboundPolicy::allow_loopback_for_tests().route_for_tests("robots.example.test", at),
    );
    let sent = sender::run_once(&s).await;
    assert_eq!(
        (sent.sent, sent.failed, sent.retried),
        (1, 0, 0),
        "{sent:?}"
    );
    assert_eq!(robots.posts("wecom"), ["message 0"]);

    // Withdrawn: the stored address no longer qualifies; the next reminder is refused at
    // once, not sent, and the org page says why.
    let r = submit(
        &admin,
        &app,
        "/admin/notify/robot-hosts",
        &[("version", "1"), ("hosts", "\n")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/admin/notify?saved=hosts#robot-hosts");
    queue(&app.db, &app.clock, &mse, "wecom", 1, 1).await;
    let refused = sender::run_once(&s).await;
    assert_eq!((refused.sent, refused.failed, refused.retried), (0, 1, 0));
    assert_eq!(robots.posts("wecom").len(), 1);
    let failed: Vec<_> = all_deliveries(&app.db)
        .await
        .into_iter()
        .filter(|d| d.status == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].last_error.as_deref(), Some("robot:address"));
    assert_eq!(failed[0].attempts, 1);
    let sec = app.sign_in("secretary", PASSWORD).await;
    let html = page(&sec, &app, "/orgs/cqu-mse/notify").await.1;
    assert!(html.contains("notify-refused"), "{html}");
    assert!(html.contains("已拒绝：机器人地址不符合规定"));
    app.finish().await;
}

#[tokio::test]
async fn a_host_that_resolves_to_an_internal_address_is_refused_without_a_connection() {
    let app = TestApp::demo().await;
    let (knock_at, knocks) = knock_counter().await;
    let port = knock_at.port();
    // Names pass the address rules: the system administrator allows `localhost:<port>` (which
    // the system resolver answers with 127.0.0.1 and ::1) and `robots.example.test`.
    let sys = app.token("sysadmin").await;
    let (status, body) = api(
        &app,
        &sys,
        "PUT",
        "/api/v1/settings/robot-hosts",
        Some(json!({"hosts": [format!("localhost:{port}"), "robots.example.test"], "version": 0})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = app.token("secretary").await;
    let mse = app.org_id("cqu-mse").await;
    let (status, body) = api(
        &app,
        &token,
        "PUT",
        &format!("/api/v1/orgs/{mse}/notify"),
        Some(json!({
            "wecom_url": format!("https://localhost:{port}/cgi-bin/webhook/send?key=K"),
            "dingtalk_url": "https://robots.example.test/robot/send?access_token=T",
            "version": 0,
        })),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // As in production (no test allowance): `localhost` through the system resolver, and a
    // resolver that answers `robots.example.test` with a private address.
    queue(&app.db, &app.clock, &mse, "wecom", 0, 1).await;
    queue(&app.db, &app.clock, &mse, "dingtalk", 1, 1).await;
    let strict = app.state().with_outbound(
        OutboundPolicy::default()
            .route_for_tests("robots.example.test", "10.0.0.1:443".parse().unwrap()),
    );
    let got = sender::run_once(&strict).await;
    assert_eq!((got.sent, got.failed, got.retried), (0, 2, 0), "{got:?}");
    // The same name answered with the listener's address written as IPv4-mapped IPv6.
    let mapped: SocketAddr = format!("[::ffff:127.0.0.1]:{port}").parse().unwrap();
    let strict = app
        .state()
        .with_outbound(OutboundPolicy::default().route_for_tests("robots.example.test", mapped));
    queue(&app.db, &app.clock, &mse, "dingtalk", 2, 1).await;
    let got = sender::run_once(&strict).await;
    assert_eq!((got.sent, got.failed), (0, 1), "{got:?}");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        knocks.load(Ordering::SeqCst),
        0,
        "a refused address was connected to"
    );
    let mut reasons: Vec<String> = all_deliveries(&app.db)
        .await
        .iter()
        .map(|d| {
            assert_eq!((d.status.as_str(), d.attempts), ("failed", 1));
            d.last_error.clone().unwrap()
        })
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [
            "robot:forbidden:loopback",
            "robot:forbidden:loopback",
            "robot:forbidden:private"
        ]
    );
    let sec = app.sign_in("secretary", PASSWORD).await;
    let html = page(&sec, &app, "/orgs/cqu-mse/notify").await.1;
    assert!(
        html.contains("已拒绝：机器人主机解析到本机（回环）地址，未连接"),
        "{html}"
    );
    assert!(html.contains("已拒绝：机器人主机解析到内网地址，未连接"));

    // The control: with the tests' allowance the same address is connected to, so the
    // listener would have seen the refused ones.
    queue(&app.db, &app.clock, &mse, "wecom", 3, 1).await;
    let got = sender::run_once(&app.state()).await;
    assert_eq!(got.retried, 1, "{got:?}");
    assert!(knocks.load(Ordering::SeqCst) >= 1);
    app.finish().await;
}

#[tokio::test]
async fn the_delivery_log_never_shows_what_a_robot_answered() {
    let app = TestApp::demo().await;
    let mse = app.org_id("cqu-mse").await;
    put_robots(
        &app.db,
        &mse,
        Some(WECOM_URL.into()),
        Some(DINGTALK_URL.into()),
    )
    .await;
    // An internal page behind the 企业微信 name, a 钉钉 stand-in whose errmsg tells a secret,
    // and a redirect to a listener that must never be reached.
    let page_at = answering(
        500,
        vec![("content-type", "text/html".into())],
        "<html>INTERNAL-PAGE-qzxw admin console</html>",
    )
    .await;
    let errmsg_at = answering(
        200,
        vec![("content-type", "application/json".into())],
        r#"{"errcode": 310000, "errmsg": "INTERNAL-ERRMSG-qzxw keywords not in content"}"#,
    )
    .await;
    let (knock_at, knocks) = knock_counter().await;
    let redirect_at = answering(
        302,
        vec![("location", format!("http://{knock_at}/steal"))],
        "INTERNAL-REDIRECT-qzxw",
    )
    .await;
    let policy = |wecom: SocketAddr| {
        OutboundPolicy::allow_loopback_for_tests()
            .route_for_tests(Robot::Wecom.host(), wecom)
            .route_for_tests(Robot::Dingtalk.host(), errmsg_at)
    };
    queue(&app.db, &app.clock, &mse, "wecom", 0, 1).await;
    queue(&app.db, &app.clock, &mse, "dingtalk", 1, 1).await;
    let got = sender::run_once(&app.state().with_outbound(policy(page_at))).await;
    assert_eq!(got.retried, 2, "{got:?}");
    // The next try of the 企业微信 message meets the redirect: not followed.
    app.clock.advance(Duration::seconds(61));
    let got = sender::run_once(&app.state().with_outbound(policy(redirect_at))).await;
    assert_eq!(got.retried, 2, "{got:?}");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(knocks.load(Ordering::SeqCst), 0, "a redirect was followed");

    // Stored: reason codes only.
    let mut errors = stored_errors(&app.db).await;
    errors.sort();
    errors.dedup();
    assert_eq!(
        errors,
        ["robot:errcode:310000", "robot:http:302", "robot:http:500"]
    );
    let audit = serde_json::to_string(&app.db.audit_page(0, 100_000).await.unwrap()).unwrap();
    assert!(!audit.contains("qzxw"));

    // A robot error written before this change, with an answer in it, is not shown either.
    let legacy_id = {
        queue(&app.db, &app.clock, &mse, "wecom", 2, 1).await;
        let rows = all_deliveries(&app.db).await;
        let d = rows.iter().find(|d| d.attempts == 0).unwrap();
        let now = app.clock.now().timestamp_millis();
        let claimed = app
            .db
            .claim_delivery(&d.id, "old-instance", now, now + sender::LEASE_MS)
            .await
            .unwrap()
            .unwrap();
        let mut tx = app
            .db
            .begin(&Actor::system(), app.clock.now())
            .await
            .unwrap();
        assert!(
            tx.delivery_failed(
                &claimed,
                "old-instance",
                "the robot answered HTTP 200: <html>LEGACY-PAGE-qzxw</html>",
                None
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();
        claimed.id
    };

    let sec = app.sign_in("secretary", PASSWORD).await;
    let html = page(&sec, &app, "/orgs/cqu-mse/notify").await.1;
    let token = app.token("secretary").await;
    let v = api_ok(&app, &token, "/api/v1/deliveries?org=cqu-mse").await;
    let api_text = v.to_string();
    for shown in [&html, &api_text] {
        assert!(!shown.contains("qzxw"), "an answer is shown");
        assert!(
            !shown.contains("robot:"),
            "a code is shown instead of words"
        );
    }
    // What is shown: the status, the errcode and what it means, in the reader's language.
    assert!(html.contains("机器人服务返回 HTTP 500"), "{html}");
    assert!(html.contains("机器人服务要求跳转（HTTP 302），未跟随"));
    assert!(html.contains("机器人拒收消息（错误码 310000）：不符合机器人的安全设置"));
    assert!(html.contains("发送失败（早期记录，详情不再显示）"));
    let en = page(&sec, &app, "/orgs/cqu-mse/notify?lang=en").await.1;
    assert!(en.contains("the robot answered HTTP 500"));
    let legacy = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == legacy_id.as_str())
        .unwrap();
    assert_eq!(legacy["last_error"], "发送失败（早期记录，详情不再显示）");
    app.finish().await;
}

#[tokio::test]
async fn an_address_stored_before_the_rules_is_not_sent_to() {
    let app = TestApp::demo().await;
    let (robots, at) = Robots::start().await;
    let mse = app.org_id("cqu-mse").await;
    // Saved by an earlier version, which took any http(s) address: the stand-in on loopback.
    put_robots(
        &app.db,
        &mse,
        Some(format!("http://{at}/cgi-bin/webhook/send?key=WECOM-KEY")),
        Some(format!("http://{at}/robot/send?access_token=DING-TOKEN")),
    )
    .await;
    queue(&app.db, &app.clock, &mse, "wecom", 0, 1).await;
    queue(&app.db, &app.clock, &mse, "dingtalk", 1, 1).await;
    // Production's policy, and even the tests' allowance of loopback: refused by the address
    // rules, at once, without a try at the robot.
    let got = sender::run_once(&app.state().with_outbound(OutboundPolicy::default())).await;
    assert_eq!((got.sent, got.failed, got.retried), (0, 2, 0), "{got:?}");
    queue(&app.db, &app.clock, &mse, "wecom", 2, 1).await;
    let got = sender::run_once(&app.state()).await;
    assert_eq!((got.sent, got.failed, got.retried), (0, 1, 0), "{got:?}");
    assert!(robots.posts("wecom").is_empty() && robots.posts("dingtalk").is_empty());
    for d in all_deliveries(&app.db).await {
        assert_eq!(
            (d.status.as_str(), d.attempts, d.last_error.as_deref()),
            ("failed", 1, Some("robot:address"))
        );
    }
    // The secretary sees why, next to each robot and in the log.
    let sec = app.sign_in("secretary", PASSWORD).await;
    let html = page(&sec, &app, "/orgs/cqu-mse/notify").await.1;
    assert_eq!(
        html.matches("class=\"notify-refused\"").count(),
        2,
        "{html}"
    );
    assert!(html.contains("当前保存的地址不符合规定"));
    assert!(html.contains("已拒绝：机器人地址不符合规定"));
    // Saving the form keeps no such address: the kept one is named.
    let r = submit(
        &sec,
        &app,
        "/orgs/cqu-mse/notify",
        &[("version", "1"), ("dingtalk_secret", "SECnewsecret")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("wecom-error"));
    let r = submit(
        &sec,
        &app,
        "/orgs/cqu-mse/notify",
        &[
            ("version", "1"),
            ("wecom_url", WECOM_URL),
            ("dingtalk_clear", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let stored = app.db.org_channels(&mse).await.unwrap();
    assert_eq!(
        (
            stored.wecom_url.as_deref(),
            stored.dingtalk_url,
            stored.dingtalk_secret
        ),
        (Some(WECOM_URL), None, None)
    );
    app.finish().await;
}
