//! The three administrators, kept apart (三员分立): the auditor reads the audit log and its chain
//! status; the security administrator keeps accounts, grants and the security policy but never
//! its own account; the system administrator downloads backups. Each gets 403 on the others'
//! pages and on business pages, and business users get 403 on all of them.

use crate::common::{
    PASSWORD, TODAY, TestApp, by_id, get_anonymous, hidden, location, page, route_table,
    session_api, submit,
};
use serde_json::json;
use zeren_storage::testing;

#[tokio::test]
async fn the_auditor_reads_the_log_with_filters_and_the_chain_status() {
    for app in TestApp::demo_on_engines().await {
        auditor_story(app).await;
    }
}

async fn auditor_story(app: TestApp) {
    eprintln!("engine: {}", app.label);
    let auditor = app.sign_in("auditor", PASSWORD).await;

    let (status, html) = page(&auditor, &app, "/audit").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("class=\"audit-chain ok\""), "{html}");
    assert!(
        by_id(&html, "chain-status").contains("审计链完整"),
        "{html}"
    );
    // The auditor's own sign-in is the newest entry.
    assert!(html.contains("login.success"), "{html}");
    assert!(html.contains("<details>"), "{html}");
    // 50 a page, with a link to the older ones.
    assert_eq!(html.matches("<tr id=\"seq-").count(), 50);
    assert!(html.contains("rel=\"next\""), "{html}");

    // The handover of the cqu-mse secretary post, by action.
    let (status, html) = page(&auditor, &app, "/audit?action=holding.handover").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<tr id=\"seq-").count(), 1, "{html}");
    assert!(html.contains("holding.handover"), "{html}");

    // The JSON API: the same data; every filter narrows.
    let (status, body) =
        session_api(&auditor, &app, "GET", "/api/v1/audit?action=login", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["chain"]["intact"], true, "{body}");
    assert!(body["chain"]["entries"].as_u64().unwrap() > 50);
    let entries = body["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(
        entries
            .iter()
            .all(|e| e["action"].as_str().unwrap().starts_with("login"))
    );
    assert!(
        entries[0]["at"].as_str().unwrap().ends_with("+08:00"),
        "{body}"
    );

    let (_, body) = session_api(&auditor, &app, "GET", "/api/v1/audit?actor=auditor", None).await;
    let entries = body["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["actor"] == "auditor"), "{body}");

    let auditor_id = app.user_id("auditor").await;
    let (_, body) = session_api(
        &auditor,
        &app,
        "GET",
        &format!("/api/v1/audit?object_type=user&object_id={auditor_id}"),
        None,
    )
    .await;
    assert!(body["total"].as_i64().unwrap() >= 2, "{body}");
    assert!(
        body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["object_id"] == auditor_id.as_str())
    );

    // Days are Asia/Shanghai days: everything happened "today"; nothing tomorrow or yesterday.
    let (_, today) = session_api(
        &auditor,
        &app,
        "GET",
        &format!("/api/v1/audit?from={TODAY}&to={TODAY}"),
        None,
    )
    .await;
    let (_, all) = session_api(&auditor, &app, "GET", "/api/v1/audit", None).await;
    assert_eq!(today["total"], all["total"], "{today}");
    let (_, later) =
        session_api(&auditor, &app, "GET", "/api/v1/audit?from=2026-11-29", None).await;
    assert_eq!(later["total"], 0, "{later}");
    let (_, earlier) =
        session_api(&auditor, &app, "GET", "/api/v1/audit?to=2026-11-27", None).await;
    assert_eq!(earlier["total"], 0, "{earlier}");

    // Pages and the cursor reach the same entries.
    let first = all["entries"].as_array().unwrap();
    assert_eq!(first.len(), 50);
    let next_before = all["next_before"].as_i64().unwrap();
    let (_, by_cursor) = session_api(
        &auditor,
        &app,
        "GET",
        &format!("/api/v1/audit?before={next_before}"),
        None,
    )
    .await;
    let (_, by_page) = session_api(&auditor, &app, "GET", "/api/v1/audit?page=2", None).await;
    assert_eq!(by_cursor["entries"][0]["seq"], by_page["entries"][0]["seq"]);
    assert_eq!(
        by_page["entries"][0]["seq"].as_i64().unwrap(),
        first[49]["seq"].as_i64().unwrap() - 1
    );
    let (status, html) = page(&auditor, &app, &format!("/audit?before={next_before}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("最新记录"), "{html}");

    // A bad date is answered field by field, in the user's language, keeping the input.
    let (status, html) = page(&auditor, &app, "/audit?from=2026-13-01&actor=leader").await;
    assert_eq!(status, 422);
    assert!(html.contains("“2026-13-01”不是有效日期"), "{html}");
    assert!(html.contains("value=\"leader\""), "{html}");
    let (status, html) = page(&auditor, &app, "/audit?from=2026-13-01&lang=en").await;
    assert_eq!(status, 422);
    assert!(html.contains("is not a date"), "{html}");
    let (status, body) = session_api(
        &auditor,
        &app,
        "GET",
        "/api/v1/audit?from=2026-11-28&to=2026-11-01",
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "invalid_input");
    let (status, _) = session_api(&auditor, &app, "GET", "/api/v1/audit?page=0", None).await;
    assert_eq!(status, 422);

    // Reading the log changes nothing: no entry records it.
    let before = app.db.audit_count(&Default::default()).await.unwrap();
    page(&auditor, &app, "/audit").await;
    session_api(&auditor, &app, "GET", "/api/v1/audit", None).await;
    assert_eq!(
        app.db.audit_count(&Default::default()).await.unwrap(),
        before
    );

    // An edited entry breaks the chain: the page says where, in red.
    let n = testing::execute_raw(
        &app.db,
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
    )
    .await
    .unwrap();
    assert_eq!(n, 1);
    // (The English page above left the language cookie; ask for Chinese again.)
    let (_, html) = page(&auditor, &app, "/audit?lang=zh").await;
    assert!(html.contains("class=\"audit-chain broken\""), "{html}");
    assert!(by_id(&html, "chain-status").contains("第 3 条"), "{html}");
    let (_, body) = session_api(
        &auditor,
        &app,
        "GET",
        "/api/v1/audit?object_type=nothing",
        None,
    )
    .await;
    assert_eq!(body["chain"]["intact"], false);
    assert_eq!(body["chain"]["broken_at"], 3);
    app.finish().await;
}

/// 三员分立: the auditor sees who, when, from where, which action on which object and a digest
/// of the change; the content of business records, directives, tasks and waivers stays with
/// those who may read them. The stored entries are untouched: the chain still verifies.
#[tokio::test]
async fn the_auditor_sees_a_digest_of_business_changes_not_their_content() {
    let app = TestApp::demo().await;
    let secretary = app.sign_in("secretary", PASSWORD).await;
    let person = app.person_id("李明华").await;
    let (status, record) = session_api(
        &secretary,
        &app,
        "POST",
        "/api/v1/records",
        Some(json!({
            "kind": "committee-meeting",
            "org": "cqu-mse",
            "date": "2026-11-20",
            "title": "审计不可见的党委会甲乙丙",
            "attendees": [person],
            "absentees": [],
            "agenda": [{"title": "议题：密件讨论丁戊己", "topics": ["online-ideology"]}],
            "minutes": "会议纪要：某同志的问题庚辛壬",
            "decisions": "决定事项癸子丑",
        })),
    )
    .await;
    assert_eq!(status, 201, "{record}");
    let rid = record["id"].as_str().unwrap().to_string();
    let (status, amended) = session_api(
        &secretary,
        &app,
        "PATCH",
        &format!("/api/v1/records/{rid}"),
        Some(json!({"version": 1, "minutes": "修订后的纪要寅卯辰"})),
    )
    .await;
    assert_eq!(status, 200, "{amended}");
    let (status, directive) = session_api(
        &secretary,
        &app,
        "POST",
        "/api/v1/directives",
        Some(json!({"org": "cqu-mse", "issuer": "校党委宣传部巳午未", "document_number": "党宣〔2026〕99号",
               "received_on": "2026-11-02", "title": "关于申酉戌的通知", "content": "指令正文亥甲乙"})),
    )
    .await;
    assert_eq!(status, 201, "{directive}");
    let did = directive["id"].as_str().unwrap().to_string();
    let secrets = [
        "甲乙丙",
        "丁戊己",
        "庚辛壬",
        "癸子丑",
        "寅卯辰",
        "巳午未",
        "申酉戌",
        "亥甲乙",
        "党宣〔2026〕99号",
    ];
    // Every text value of the record as stored, but its id (the object) and creator (the actor).
    let mut values = Vec::new();
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if s.chars().count() >= 2 => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(m) => m.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    for (k, v) in amended.as_object().unwrap() {
        if !["id", "created_by", "versions"].contains(&k.as_str()) {
            strings(v, &mut values);
        }
    }
    assert!(values.iter().any(|v| v.contains("寅卯辰")), "{values:?}");

    let auditor = app.sign_in("auditor", PASSWORD).await;
    // The whole newest page, and the record's own entries.
    for path in [
        "/audit",
        &format!("/audit?object_id={rid}"),
        &format!("/audit?object_id={did}"),
    ] {
        let (status, html) = page(&auditor, &app, path).await;
        assert_eq!(status, 200, "{html}");
        for s in secrets {
            assert!(!html.contains(s), "{path} shows {s}: {html}");
        }
    }
    let (_, html) = page(&auditor, &app, &format!("/audit?object_id={rid}")).await;
    for v in &values {
        assert!(
            !html.contains(&format!(">{v}<")) && !html.contains(&format!("\"{v}\"")),
            "{v}: {html}"
        );
        assert!(!html.contains(v.as_str()), "{v}: {html}");
    }
    // What is shown: the actions, the object, the actor, the time, the origin, a digest and the
    // names of the fields changed.
    assert_eq!(html.matches("<tr id=\"seq-").count(), 2, "{html}");
    assert!(
        html.contains("record.create") && html.contains("record.amend"),
        "{html}"
    );
    assert!(html.contains(&rid), "{html}");
    assert!(html.contains("<td>secretary</td>"), "{html}");
    assert!(html.contains("<td>127.0.0.1</td>"), "{html}");
    assert!(html.contains("2026-11-28 12:00"), "{html}");
    assert!(html.contains("class=\"audit-digest\""), "{html}");
    assert!(html.contains("<code>sm3:"), "{html}");
    assert!(html.contains("minutes"), "{html}");
    assert!(html.contains("业务内容不在审计日志中显示"), "{html}");
    assert!(!html.contains("<details>"), "{html}");

    // The API: the same, withheld the same way.
    for path in [
        "/api/v1/audit".to_string(),
        format!("/api/v1/audit?object_id={rid}"),
        format!("/api/v1/audit?object_id={did}"),
    ] {
        let (status, body) = session_api(&auditor, &app, "GET", &path, None).await;
        assert_eq!(status, 200, "{body}");
        let text = body.to_string();
        for s in secrets {
            assert!(!text.contains(s), "{path} shows {s}: {text}");
        }
    }
    let (_, body) = session_api(
        &auditor,
        &app,
        "GET",
        &format!("/api/v1/audit?object_id={rid}"),
        None,
    )
    .await;
    let text = body.to_string();
    for v in &values {
        assert!(!text.contains(v.as_str()), "{v}: {text}");
    }
    let entries = body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{body}");
    let amend = &entries[0];
    assert_eq!(amend["action"], "record.amend");
    assert_eq!(amend["object_type"], "record");
    assert_eq!(amend["object_id"], rid.as_str());
    assert_eq!(amend["actor"], "secretary");
    assert_eq!(amend["origin"], "127.0.0.1");
    assert!(
        amend["at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-28T12:00"),
        "{amend}"
    );
    assert_eq!(amend["redacted"], true);
    assert_eq!(amend["before"], json!(null));
    assert_eq!(amend["after"], json!(null));
    assert_eq!(amend["digest"]["algorithm"], "sm3");
    let fields: Vec<&str> = amend["digest"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"minutes") && fields.contains(&"version"),
        "{fields:?}"
    );
    assert!(!fields.contains(&"title"), "{fields:?}");
    let digest = |side: &str| amend["digest"][side].as_str().unwrap().to_string();
    assert_eq!(digest("before").len(), 16);
    assert_ne!(digest("before"), digest("after"));
    // The create's "after" is the amend's "before": the same content, the same digest.
    assert_eq!(
        entries[1]["digest"]["after"].as_str().unwrap(),
        digest("before")
    );
    assert_eq!(entries[1]["digest"]["before"], json!(null));

    // Administrative entries keep their detail: the auditor's own sign-in.
    let (_, body) = session_api(
        &auditor,
        &app,
        "GET",
        "/api/v1/audit?action=login.success&actor=auditor",
        None,
    )
    .await;
    let login = &body["entries"][0];
    assert_eq!(login["redacted"], false, "{body}");
    assert!(login["after"]["session"].is_string(), "{body}");

    // The stored entries are as written (the record's readers see its content), and the chain
    // verifies on the page and in the database.
    let stored = app
        .db
        .audit_search(
            &zeren_storage::repo::audit_query::AuditFilter {
                object_id: Some(rid.clone()),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .unwrap();
    assert!(stored[0].after.as_deref().unwrap().contains("寅卯辰"));
    let (_, html) = page(&auditor, &app, "/audit").await;
    assert!(html.contains("class=\"audit-chain ok\""), "{html}");
    assert!(app.db.verify_audit().await.unwrap().is_ok());
    let (status, full) = session_api(
        &secretary,
        &app,
        "GET",
        &format!("/api/v1/records/{rid}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(full["minutes"], "修订后的纪要寅卯辰");
    app.finish().await;
}

#[tokio::test]
async fn the_security_administrator_creates_accounts_that_change_their_password_first() {
    let app = TestApp::demo().await;
    let sec = app.sign_in("secadmin", PASSWORD).await;
    let (status, html) = page(&sec, &app, "/admin/accounts").await;
    assert_eq!(status, 200, "{html}");
    for name in ["secretary", "sysadmin", "auditor"] {
        assert!(html.contains(&format!(">{name}</a>")), "{html}");
    }
    // The picker offers people without an account, with their org code.
    assert!(html.contains(">陈立新（cqu-mse）</option>"), "{html}");
    // The secretary has an account: listed with it, not offered again.
    assert!(html.contains("<td>李明华（cqu-mse）</td>"), "{html}");
    assert!(!html.contains(">李明华（cqu-mse）</option>"), "{html}");
    let (_, narrowed) = page(&sec, &app, "/admin/accounts?q=cqu-cs").await;
    assert!(!narrowed.contains(">陈立新（cqu-mse）</option>"));
    assert!(narrowed.contains("（cqu-cs）</option>"));

    let person = app.person_id("陈立新").await;
    let resp = submit(
        &sec,
        &app,
        "/admin/accounts",
        &[
            ("username", "Dean.Chen"),
            ("display_name", "陈立新"),
            ("person", &person),
            ("admin_role", ""),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    let temporary = by_id(&html, "temporary-password");
    assert!(temporary.len() >= 16, "{html}");
    assert!(html.contains("dean.chen"), "{html}");
    assert!(
        html.contains("材料科学与工程学院"),
        "roles from posts: {html}"
    );
    // Shown once: the account page does not show it again.
    let id = app.user_id("dean.chen").await;
    let (_, again) = page(&sec, &app, &format!("/admin/accounts/{id}")).await;
    assert!(!again.contains(&temporary));
    assert!(!again.contains("temporary-password"));

    // The new user signs in with it and must choose a new password before anything else.
    let client = app.client();
    let resp = app.try_sign_in(&client, "dean.chen", &temporary).await;
    assert_eq!(resp.status(), 303);
    let resp = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/account/password");

    // The form offers no administrator role: administrator accounts are made on the server.
    let (_, html) = page(&sec, &app, "/admin/accounts").await;
    assert!(!html.contains("name=\"admin_role\""), "{html}");
    assert!(
        by_id(&html, "admin-accounts-note").contains("zeren user add --admin"),
        "{html}"
    );

    // Refused input comes back field by field, keeping what was typed.
    let resp = submit(
        &sec,
        &app,
        "/admin/accounts",
        &[
            ("username", "dean.chen"),
            ("display_name", ""),
            ("person", &person),
        ],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("用户名“dean.chen”已被使用"), "{html}");
    assert!(html.contains("此项必填"), "{html}");
    assert!(html.contains("value=\"dean.chen\""), "{html}");
    let resp = submit(
        &sec,
        &app,
        "/admin/accounts?lang=en",
        &[("username", "X y"), ("display_name", "Someone")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("A user name has 2–64 characters"), "{html}");
    assert!(html.contains("value=\"Someone\""), "{html}");

    // By API: a business account, with its temporary password shown once.
    let (status, body) = session_api(
        &sec,
        &app,
        "POST",
        "/api/v1/accounts",
        Some(json!({"username": "clerk2", "display_name": "第二干事"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["account"]["admin_role"], json!(null));
    assert_eq!(body["account"]["must_change_password"], true);
    assert!(body["temporary_password"].as_str().unwrap().len() >= 16);
    let (status, body) = session_api(&sec, &app, "GET", "/api/v1/accounts", None).await;
    assert_eq!(status, 200);
    let accounts = body["accounts"].as_array().unwrap();
    assert!(accounts.iter().any(|a| a["username"] == "clerk2"));
    let supervisor = accounts
        .iter()
        .find(|a| a["username"] == "supervisor")
        .unwrap();
    assert_eq!(
        supervisor["grants"][0]["role"], "supervisor",
        "{supervisor}"
    );
    assert_eq!(supervisor["grants"][0]["org_code"], "cqu");
    assert!(accounts.iter().all(|a| a.get("password_hash").is_none()));

    // Every change is in the audit log, by the security administrator.
    let audit = app
        .db
        .audit_search(
            &zeren_storage::repo::audit_query::AuditFilter {
                actor: Some("secadmin".into()),
                action_prefix: Some("user.create".into()),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 2);
    app.finish().await;
}

/// 三员分立: no administrator creates, enables, disables or resets another administrator through
/// the web or the API; administrator accounts are managed on the server (`zeren user …`).
#[tokio::test]
async fn the_security_administrator_cannot_create_or_change_an_administrator() {
    let app = TestApp::demo().await;
    let sec = app.sign_in("secadmin", PASSWORD).await;
    let entries = app.db.audit_count(&Default::default()).await.unwrap();
    let users = app.db.users().await.unwrap().len();

    // A second system administrator by API: refused naming the field, in the user's language;
    // no account, no password, no audit entry.
    for (role, lang, words) in [
        ("system", "", "管理员账号只能在服务器上"),
        ("security", "?lang=en", "only on the server"),
        ("audit", "", "admin_role"),
    ] {
        let (status, body) = session_api(
            &sec,
            &app,
            "POST",
            &format!("/api/v1/accounts{lang}"),
            Some(json!({"username": format!("evil-{role}"), "display_name": "x", "admin_role": role})),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["code"], "invalid_input", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
        assert!(message.contains("admin_role"), "{message}");
        assert!(body.get("temporary_password").is_none(), "{body}");
        assert!(
            app.db
                .user_by_username(&format!("evil-{role}"))
                .await
                .unwrap()
                .is_none()
        );
    }
    // The same by the form, should someone post the field anyway (in Chinese again: the English
    // call above left its language cookie).
    let resp = submit(
        &sec,
        &app,
        "/admin/accounts?lang=zh",
        &[
            ("username", "evil-form"),
            ("display_name", "x"),
            ("admin_role", "system"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("管理员账号只能在服务器上"), "{html}");
    assert!(!html.contains("temporary-password"), "{html}");
    assert_eq!(app.db.users().await.unwrap().len(), users);
    assert_eq!(
        app.db.audit_count(&Default::default()).await.unwrap(),
        entries
    );

    // The administrators are listed, with no way to change them here.
    let (_, html) = page(&sec, &app, "/admin/accounts").await;
    assert!(
        by_id(&html, "admin-accounts-note").contains("zeren user passwd"),
        "{html}"
    );
    for name in ["sysadmin", "auditor"] {
        let id = app.user_id(name).await;
        let (status, html) = page(&sec, &app, &format!("/admin/accounts/{id}")).await;
        assert_eq!(status, 200, "{html}");
        assert!(!html.contains("/state\""), "{name}: {html}");
        assert!(!html.contains("/password\""), "{name}: {html}");
        assert!(!html.contains("/unlock\""), "{name}: {html}");
        assert!(!html.contains("/grants\""), "{name}: {html}");
        assert!(
            by_id(&html, "admin-managed").contains("zeren user passwd"),
            "{html}"
        );
    }

    // Disable the auditor, reset the system administrator's password, unlock either: 403, and
    // nothing changes.
    let auditor = app.user_id("auditor").await;
    let sysadmin = app.user_id("sysadmin").await;
    let other_sec = {
        use zeren_core::clock::Clock as _;
        let mut tx = app
            .db
            .begin(&zeren_storage::Actor::cli(), app.clock.now())
            .await
            .unwrap();
        let u = tx
            .create_user(zeren_storage::NewUser {
                username: "secadmin2".into(),
                display_name: "第二安全管理员".into(),
                person: None,
                admin_role: Some(zeren_core::access::AdminRole::Security),
                password_hash: "x".into(),
                must_change_password: false,
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        u
    };
    let before: Vec<_> = [&auditor, &sysadmin, &other_sec.id]
        .iter()
        .map(|id| id.to_string())
        .collect();
    let snapshot = |users: Vec<zeren_storage::User>| {
        users
            .into_iter()
            .filter(|u| before.contains(&u.id))
            .map(|u| (u.id, u.version, u.disabled, u.must_change_password))
            .collect::<Vec<_>>()
    };
    let was = snapshot(app.db.users().await.unwrap());
    let entries = app.db.audit_count(&Default::default()).await.unwrap();
    for id in &before {
        let version = app.db.user(id).await.unwrap().version.to_string();
        for (action, form) in [
            (
                "state",
                vec![("version", version.as_str()), ("disabled", "1")],
            ),
            (
                "state",
                vec![("version", version.as_str()), ("disabled", "0")],
            ),
            ("password", vec![("version", version.as_str())]),
            ("unlock", vec![("version", version.as_str())]),
        ] {
            let path = format!("/admin/accounts/{id}/{action}");
            let resp = submit(&sec, &app, &path, &form).await;
            assert_eq!(resp.status(), 403, "{path}");
            let html = resp.text().await.unwrap();
            assert!(html.contains("管理员账号只能在服务器上"), "{path}: {html}");
            assert!(!html.contains("temporary-password"), "{path}: {html}");
        }
        let (status, body) = session_api(
            &sec,
            &app,
            "POST",
            &format!("/api/v1/accounts/{id}/grants"),
            Some(json!({"role": "supervisor", "org": "cqu"})),
        )
        .await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    assert_eq!(snapshot(app.db.users().await.unwrap()), was);
    assert_eq!(
        app.db.audit_count(&Default::default()).await.unwrap(),
        entries
    );
    // The auditor still signs in.
    let (status, _) = page(&app.sign_in("auditor", PASSWORD).await, &app, "/audit").await;
    assert_eq!(status, 200);
    app.finish().await;
}

#[tokio::test]
async fn a_mandatory_second_factor_sends_the_secretary_to_set_it_up() {
    let app = TestApp::demo().await;
    let sec = app.sign_in("secadmin", PASSWORD).await;
    let (_, html) = page(&sec, &app, "/admin/accounts").await;
    let version = hidden(&html, "version");
    assert_eq!(version, "0");
    let form = [
        ("version", version.as_str()),
        ("min_length", "10"),
        ("min_classes", "3"),
        ("max_failures", "5"),
        ("lockout_minutes", "30"),
        ("idle_minutes", "30"),
        ("totp", "secretary"),
    ];
    let resp = submit(&sec, &app, "/admin/security", &form).await;
    assert_eq!(resp.status(), 303);
    assert!(location(&resp).starts_with("/admin/accounts?saved="));
    let (_, html) = page(&sec, &app, "/admin/accounts?saved=security").await;
    assert!(html.contains("安全策略已保存"), "{html}");
    assert!(
        html.contains("name=\"totp\" value=\"secretary\" checked"),
        "{html}"
    );
    assert!(html.contains("name=\"min_length\" value=\"10\""), "{html}");

    // The same form again, on the version it was read at: someone else saved meanwhile.
    let resp = submit(&sec, &app, "/admin/security", &form).await;
    assert_eq!(resp.status(), 409);
    assert!(resp.text().await.unwrap().contains("已被他人修改"));
    // Out-of-range numbers are named field by field.
    let mut bad = form;
    bad[0].1 = "1";
    bad[1].1 = "4";
    bad[5].1 = "abc";
    let resp = submit(&sec, &app, "/admin/security", &bad).await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("须为 8 至 64 之间的整数"), "{html}");
    assert!(html.contains("须为 5 至 480 之间的整数"), "{html}");
    assert!(html.contains("value=\"abc\""), "{html}");

    // The secretary is now sent to set up the second factor after signing in.
    let client = app.client();
    let resp = app.try_sign_in(&client, "secretary", PASSWORD).await;
    assert_eq!(resp.status(), 303);
    let resp = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/account/totp");
    // The leader is not.
    let leader = app.sign_in("leader", PASSWORD).await;
    let (status, _) = page(&leader, &app, "/").await;
    assert_eq!(status, 200);

    // The API reads and writes the same policy, version-checked.
    let (status, body) = session_api(&sec, &app, "GET", "/api/v1/settings/security", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["version"], 1);
    assert_eq!(body["totp_required"], json!(["secretary"]));
    assert_eq!(body["password"]["min_length"], 10);
    let mut put = body.clone();
    put["totp_required"] = json!(["audit", "secretary", "secretary"]);
    let (status, saved) = session_api(
        &sec,
        &app,
        "PUT",
        "/api/v1/settings/security",
        Some(put.clone()),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["totp_required"], json!(["secretary", "audit"]));
    let (status, stale) = session_api(
        &sec,
        &app,
        "PUT",
        "/api/v1/settings/security",
        Some(put.clone()),
    )
    .await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(stale["error"]["code"], "version_conflict");
    put["version"] = json!(2);
    put["login"]["idle_minutes"] = json!(0);
    let (status, bad) = session_api(
        &sec,
        &app,
        "PUT",
        "/api/v1/settings/security",
        Some(put.clone()),
    )
    .await;
    assert_eq!(status, 422, "{bad}");
    put["login"]["idle_minutes"] = json!(30);
    put["totp_required"] = json!(["root"]);
    let (status, bad) =
        session_api(&sec, &app, "PUT", "/api/v1/settings/security", Some(put)).await;
    assert_eq!(status, 422, "{bad}");
    assert!(bad["error"]["message"].as_str().unwrap().contains("root"));
    app.finish().await;
}

#[tokio::test]
async fn the_security_administrator_cannot_change_its_own_account() {
    let app = TestApp::demo().await;
    let sec = app.sign_in("secadmin", PASSWORD).await;
    let me = app.user_id("secadmin").await;
    let (status, html) = page(&sec, &app, &format!("/admin/accounts/{me}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("这是您本人的账号"), "{html}");
    assert!(
        !html.contains("/state\""),
        "no state form on one's own account: {html}"
    );

    let version = app.db.user(&me).await.unwrap().version.to_string();
    for (path, form) in [
        (
            format!("/admin/accounts/{me}/grants"),
            vec![("role", "secretary"), ("org", "cqu")],
        ),
        (
            format!("/admin/accounts/{me}/state"),
            vec![("version", version.as_str()), ("disabled", "1")],
        ),
        (
            format!("/admin/accounts/{me}/password"),
            vec![("version", version.as_str())],
        ),
        (
            format!("/admin/accounts/{me}/unlock"),
            vec![("version", version.as_str())],
        ),
    ] {
        let resp = submit(&sec, &app, &path, &form).await;
        assert_eq!(resp.status(), 403, "{path}");
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("安全管理员不能更改自己账号"),
            "{path}"
        );
    }
    let (status, body) = session_api(
        &sec,
        &app,
        "POST",
        &format!("/api/v1/accounts/{me}/grants"),
        Some(json!({"role": "secretary", "org": "cqu"})),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");

    // Administrator accounts hold no business roles.
    let auditor = app.user_id("auditor").await;
    let resp = submit(
        &sec,
        &app,
        &format!("/admin/accounts/{auditor}/grants"),
        &[("role", "supervisor"), ("org", "cqu")],
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("不能给管理员账号授予业务角色")
    );
    let (status, _) = session_api(
        &sec,
        &app,
        "POST",
        &format!("/api/v1/accounts/{auditor}/grants"),
        Some(json!({"role": "supervisor", "org": "cqu"})),
    )
    .await;
    assert_eq!(status, 403);

    // Nothing changed.
    let still = app.db.user(&me).await.unwrap();
    assert!(!still.disabled && !still.must_change_password);
    assert!(
        app.db
            .grants()
            .await
            .unwrap()
            .iter()
            .all(|g| g.user != me && g.user != auditor)
    );
    app.finish().await;
}

#[tokio::test]
async fn the_security_administrator_manages_another_account() {
    let app = TestApp::demo().await;
    let sec = app.sign_in("secadmin", PASSWORD).await;
    let staff = app.user_id("staff").await;
    let account = format!("/admin/accounts/{staff}");
    let (_, html) = page(&sec, &app, &account).await;
    let version = hidden(&html, "version");

    // Disable: the staff member can no longer sign in.
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/state"),
        &[("version", &version), ("disabled", "1")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let (_, html) = page(&sec, &app, &account).await;
    assert_eq!(by_id(&html, "account-state"), "已停用");
    let client = app.client();
    assert_eq!(
        app.try_sign_in(&client, "staff", PASSWORD).await.status(),
        401
    );
    // The page read before that change is stale now: 409, and the current state is shown.
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/state"),
        &[("version", &version), ("disabled", "0")],
    )
    .await;
    assert_eq!(resp.status(), 409);
    let html = resp.text().await.unwrap();
    assert!(html.contains("已被他人修改"), "{html}");
    let fresh = hidden(&html, "version");
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/state"),
        &[("version", &fresh), ("disabled", "0")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        app.try_sign_in(&client, "staff", PASSWORD).await.status(),
        303
    );

    // A grant over another college, then revoked.
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/grants"),
        &[("role", "leader"), ("org", "cqu-cs")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let grant = app
        .db
        .grants()
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.user == staff)
        .unwrap();
    assert_eq!(grant.granted_by, "secadmin");
    let (_, html) = page(&sec, &app, &account).await;
    assert!(
        html.contains("<td>计算机学院（cqu-cs）</td><td>secadmin</td>"),
        "{html}"
    );
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/grants"),
        &[("role", "leader"), ("org", "cqu-cs")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/grants"),
        &[("role", "leader"), ("org", "nowhere")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("没有代码为“nowhere”的组织"), "{html}");
    assert!(html.contains("value=\"nowhere\""), "{html}");
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/grants/{}/revoke", grant.id),
        &[],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert!(
        app.db
            .grants()
            .await
            .unwrap()
            .iter()
            .all(|g| g.user != staff)
    );
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/grants/{}/revoke", grant.id),
        &[],
    )
    .await;
    assert_eq!(resp.status(), 404);
    // By API too.
    let (status, body) = session_api(
        &sec,
        &app,
        "POST",
        &format!("/api/v1/accounts/{staff}/grants"),
        Some(json!({"role": "staff", "org": "cqu-cs"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["grant"]["org_code"], "cqu-cs");
    let (status, _) = session_api(
        &sec,
        &app,
        "POST",
        "/api/v1/accounts/00000000-0000-0000-0000-000000000000/grants",
        Some(json!({"role": "staff", "org": "cqu-cs"})),
    )
    .await;
    assert_eq!(status, 404);

    // Locked by wrong passwords, then unlocked.
    let stranger = app.client();
    for _ in 0..5 {
        app.try_sign_in(&stranger, "staff", "Wrong-pass-1").await;
    }
    let (_, html) = page(&sec, &app, &account).await;
    assert_eq!(by_id(&html, "account-state"), "已锁定");
    assert!(html.contains("/unlock"), "{html}");
    let version = hidden(&html, "version");
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/unlock"),
        &[("version", &version)],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        app.try_sign_in(&app.client(), "staff", PASSWORD)
            .await
            .status(),
        303
    );

    // A reset password: shown once, the old one no longer works, a new one must be chosen.
    let (_, html) = page(&sec, &app, &account).await;
    let version = hidden(&html, "version");
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/password"),
        &[("version", "1")],
    )
    .await;
    assert_eq!(resp.status(), 409);
    let resp = submit(
        &sec,
        &app,
        &format!("{account}/password"),
        &[("version", &version)],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    let temporary = by_id(&html, "temporary-password");
    assert!(temporary.len() >= 16);
    // The page says what else the reset ended: the sessions and the API tokens.
    assert!(html.contains("其会话已全部结束，API 令牌已撤销"), "{html}");
    let (_, page_before) = page(&sec, &app, &format!("{account}?lang=en")).await;
    assert!(
        page_before.contains("sessions and revokes its API tokens"),
        "{page_before}"
    );
    assert_eq!(
        app.try_sign_in(&app.client(), "staff", PASSWORD)
            .await
            .status(),
        401
    );
    let client = app.client();
    assert_eq!(
        app.try_sign_in(&client, "staff", &temporary).await.status(),
        303
    );
    let resp = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(location(&resp), "/account/password");

    // Unknown accounts: 404.
    let (status, _) = page(
        &sec,
        &app,
        "/admin/accounts/00000000-0000-0000-0000-000000000000",
    )
    .await;
    assert_eq!(status, 404);
    app.finish().await;
}

#[tokio::test]
async fn the_system_administrator_downloads_a_backup_that_restores() {
    let app = TestApp::demo().await;
    let sys = app.sign_in("sysadmin", PASSWORD).await;
    let (status, html) = page(&sys, &app, "/admin/system").await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(by_id(&html, "system-engine"), "SQLite");
    assert_eq!(by_id(&html, "system-version"), env!("CARGO_PKG_VERSION"));
    let orgs = by_id(&html, "count-orgs").parse::<i64>().unwrap();
    assert!(orgs >= 10, "{html}");
    assert!(by_id(&html, "count-obligations").parse::<i64>().unwrap() > 0);
    assert!(
        html.contains("cqu-mse-2021-6"),
        "reminder defaults from the pack: {html}"
    );

    let resp = submit(&sys, &app, "/admin/system/backup", &[]).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/gzip");
    assert_eq!(
        resp.headers()["content-disposition"],
        "attachment; filename=\"zeren-20261128-1200.zbak\""
    );
    let length: usize = resp.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(bytes.len(), length);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("download.zbak");
    std::fs::write(&file, &bytes).unwrap();
    let target = testing::sqlite().await.unwrap();
    // Signed with the installation's key: another installation restores it only with that key.
    assert!(target.db.restore(&file, None).await.is_err());
    let summary = target
        .db
        .restore(&file, Some(app.db.key().unwrap()))
        .await
        .unwrap();
    assert!(summary.rows > 0);
    assert_eq!(
        target.db.find_org("cqu-mse").await.unwrap().id,
        app.org_id("cqu-mse").await
    );
    assert!(target.db.verify_audit().await.unwrap().is_ok());
    target.finish().await;

    // The download is in the audit log.
    let entries = app
        .db
        .audit_search(
            &zeren_storage::repo::audit_query::AuditFilter {
                action_prefix: Some("system.backup".into()),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "sysadmin");
    assert!(
        entries[0]
            .after
            .as_deref()
            .unwrap()
            .contains("zeren-20261128-1200.zbak")
    );
    assert!(app.db.verify_audit().await.unwrap().is_ok());
    app.finish().await;
}

#[tokio::test]
async fn the_administrators_are_kept_apart_and_business_users_kept_out() {
    let app = TestApp::demo().await;
    let staff = app.user_id("staff").await;
    let pages = [
        ("auditor", "/audit"),
        ("secadmin", "/admin/accounts"),
        ("secadmin", "/admin/accounts/{staff}"),
        ("sysadmin", "/admin/system"),
    ];
    let apis = [
        ("auditor", "/api/v1/audit"),
        ("secadmin", "/api/v1/accounts"),
        ("secadmin", "/api/v1/settings/security"),
    ];
    let posts = [
        ("secadmin", "/admin/accounts"),
        ("secadmin", "/admin/security"),
        ("secadmin", "/admin/accounts/{staff}/state"),
        ("secadmin", "/admin/accounts/{staff}/grants"),
        ("sysadmin", "/admin/system/backup"),
    ];
    let business_page_routes: Vec<&str> = ["/orgs", "/people"]
        .into_iter()
        .filter(|p| route_table().iter().any(|r| r.path == *p))
        .collect();
    for who in [
        "sysadmin",
        "secadmin",
        "auditor",
        "secretary",
        "leader",
        "staff",
        "branch",
        "supervisor",
        "discipline",
    ] {
        let s = app.sign_in(who, PASSWORD).await;
        for (owner, path) in pages {
            let path = path.replace("{staff}", &staff);
            let (status, html) = page(&s, &app, &path).await;
            let want = if owner == who { 200 } else { 403 };
            assert_eq!(status, want, "{who} GET {path}");
            if want == 403 {
                assert!(
                    html.contains("您的角色无权进行此操作") || html.contains("role does not allow"),
                    "{who} {path}: {html}"
                );
            }
        }
        for (owner, path) in apis {
            let (status, body) = session_api(&s, &app, "GET", path, None).await;
            let want = if owner == who { 200 } else { 403 };
            assert_eq!(status, want, "{who} GET {path}: {body}");
            if want == 403 {
                assert_eq!(body["error"]["code"], "forbidden");
            }
        }
        for (owner, path) in posts {
            if owner == who {
                continue;
            }
            let path = path.replace("{staff}", &staff);
            let resp = submit(&s, &app, &path, &[("version", "1")]).await;
            assert_eq!(resp.status(), 403, "{who} POST {path}");
        }
        if ["sysadmin", "secadmin", "auditor"].contains(&who) {
            // No business data for any administrator.
            let (status, _) = page(&s, &app, "/policies/cqu-mse-2021-6").await;
            assert_eq!(status, 403, "{who}");
            let (status, body) = session_api(&s, &app, "GET", "/api/v1/policies", None).await;
            assert_eq!(status, 403, "{who}");
            assert_eq!(body["error"]["code"], "forbidden");
            for path in &business_page_routes {
                let (status, _) = page(&s, &app, path).await;
                assert_eq!(status, 403, "{who} GET {path}");
            }
            // The navigation shows the administrator's own area only.
            let (_, html) = page(&s, &app, "/account").await;
            assert!(!html.contains("href=\"/orgs\""), "{who}");
        }
    }
    // Visitors are sent to sign in (pages) or get 401 (API).
    let resp = get_anonymous(&app, "/audit").await;
    assert_eq!(resp.status(), 303);
    assert!(location(&resp).starts_with("/login?next=/audit"));
    let resp = get_anonymous(&app, "/api/v1/audit").await;
    assert_eq!(resp.status(), 401);
    app.finish().await;
}
