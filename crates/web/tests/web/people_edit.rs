//! People kept by their org's managers (issue 12, item 2): a person's 工号, email and
//! 企业微信/钉钉 ids through the API and the forms, leaving on a day (the posts and portfolios
//! still held after it end that day), a person added to an org — with the scope rules: outside
//! the viewer's subtree 404, a read-only role 403 on writes, administrators 403 everywhere.

use crate::common::*;
use serde_json::{Value, json};

/// The person's record through the API (as the secretary of `cqu-mse`).
async fn record(app: &TestApp, token: &str, id: &str) -> Value {
    api_ok(app, token, &format!("/api/v1/people/{id}")).await
}

#[tokio::test]
async fn the_api_edits_a_person_checks_the_version_and_names_bad_fields() {
    for app in TestApp::demo_on_engines().await {
        eprintln!("engine: {}", app.label);
        let token = app.token("secretary").await;
        let id = app.person_id("孙浩").await;
        let path = format!("/api/v1/people/{id}");
        let before = record(&app, &token, &id).await;
        assert_eq!(before["name"], "孙浩");
        assert_eq!(before["org_code"], "cqu-mse");
        // The demo numbers its people in the order it enters them.
        assert!(
            before["staff_no"]
                .as_str()
                .is_some_and(|s| s.starts_with('D')),
            "{before}"
        );
        assert_eq!(before["left_on"], Value::Null);
        let version = before["version"].as_i64().unwrap();
        assert!(
            before["holdings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["title"] == "副院长（分管网络与信息化）" && h["end"].is_null()),
            "{before}"
        );

        // The happy path: every new field at once.
        let patch = json!({
            "version": version,
            "staff_no": " T2026100 ",
            "email": "sunhao@cqu.edu.cn",
            "wecom_id": "sunhao",
            "dingtalk_id": "ding-sunhao"
        });
        let (status, body) = api(&app, &token, "PATCH", &path, Some(patch.clone())).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["version"], version + 1);
        assert_eq!(
            (
                &body["staff_no"],
                &body["email"],
                &body["wecom_id"],
                &body["dingtalk_id"]
            ),
            (
                &json!("T2026100"),
                &json!("sunhao@cqu.edu.cn"),
                &json!("sunhao"),
                &json!("ding-sunhao")
            )
        );
        assert_eq!(record(&app, &token, &id).await["version"], version + 1);
        // The email is where reminders look for it.
        let channels = app.db.person_channels(&id).await.unwrap();
        assert_eq!(channels.email.as_deref(), Some("sunhao@cqu.edu.cn"));
        assert!(
            app.audit_actions()
                .await
                .contains(&"person.update".to_string())
        );

        // The same version again is stale; nothing changes.
        let (status, body) = api(&app, &token, "PATCH", &path, Some(patch)).await;
        assert_eq!(status, 409, "{body}");
        assert_error(&body, "version_conflict");

        // Bad input names its field; null clears a field.
        let v = version + 1;
        let long_name = "名".repeat(101);
        let long_email = format!("{}@cqu.edu.cn", "a".repeat(250));
        for (patch, field) in [
            (json!({"name": "x"}), "version"),
            (json!({"version": v, "name": "  "}), "name"),
            (json!({"version": v, "name": long_name}), "name"),
            (json!({"version": v, "staff_no": "T 2026"}), "staff_no"),
            (json!({"version": v, "staff_no": "工号1"}), "staff_no"),
            (json!({"version": v, "email": "sunhao"}), "email"),
            (json!({"version": v, "email": "a@b@c"}), "email"),
            (json!({"version": v, "email": long_email}), "email"),
            (json!({"version": v, "wecom_id": "sun hao"}), "wecom_id"),
            (
                json!({"version": v, "dingtalk_id": "d".repeat(65)}),
                "dingtalk_id",
            ),
            (json!({"version": v, "left_on": "2026-02-30"}), "left_on"),
            (json!({"version": v, "nmae": "x"}), "nmae"),
        ] {
            let (status, body) = api(&app, &token, "PATCH", &path, Some(patch.clone())).await;
            assert_eq!(status, 422, "{patch}: {body}");
            assert_error(&body, "invalid_input");
            assert!(
                body["error"]["message"].as_str().unwrap().contains(field),
                "{patch}: {body}"
            );
        }
        // In the user's language.
        let resp = app
            .client()
            .patch(app.url(&format!("{path}?lang=en")))
            .bearer_auth(&token)
            .json(&json!({"version": v, "email": "sunhao"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422);
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Not an email address"),
            "{body}"
        );
        let (_, body) = api(
            &app,
            &token,
            "PATCH",
            &path,
            Some(json!({"version": v, "email": "sunhao"})),
        )
        .await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("电子邮箱格式不正确"),
            "{body}"
        );
        // Someone else's staff number: 409 naming it.
        let other = app.person_id("周海燕").await;
        let (status, body) = api(
            &app,
            &token,
            "PATCH",
            &format!("/api/v1/people/{other}"),
            Some(json!({"version": 1, "staff_no": "T2026100"})),
        )
        .await;
        assert_eq!(status, 409, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("staff_no")
        );
        let (status, body) = api(
            &app,
            &token,
            "PATCH",
            &path,
            Some(json!({"version": v, "staff_no": null, "wecom_id": null})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (&body["staff_no"], &body["wecom_id"]),
            (&Value::Null, &Value::Null)
        );
        assert_eq!(body["email"], "sunhao@cqu.edu.cn");

        // A new person with the new fields.
        let (status, body) = api(
            &app,
            &token,
            "POST",
            "/api/v1/people",
            Some(json!({"name": "新同事", "org": "cqu-mse", "staff_no": "T2026200", "email": "x@cqu.edu.cn"})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let made = record(&app, &token, body["id"].as_str().unwrap()).await;
        assert_eq!(
            (&made["staff_no"], &made["email"]),
            (&json!("T2026200"), &json!("x@cqu.edu.cn"))
        );
        let (status, body) = api(
            &app,
            &token,
            "POST",
            "/api/v1/people",
            Some(json!({"name": "又一位", "org": "cqu-mse", "staff_no": "T2026200"})),
        )
        .await;
        assert_eq!(status, 409, "{body}");
        let (status, body) = api(
            &app,
            &token,
            "POST",
            "/api/v1/people",
            Some(json!({"name": "又一位", "org": "cqu-mse", "email": "no-at"})),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("email"));
        app.finish().await;
    }
}

#[tokio::test]
async fn scope_and_roles_decide_who_reads_and_who_edits_a_person() {
    let app = TestApp::demo().await;
    let secretary = app.token("secretary").await;
    let leader = app.token("leader").await;
    let ours = app.person_id("孙浩").await;
    let theirs = app.person_id("唐军").await;
    let patch = json!({"version": 1, "name": "改名"});
    // Outside the subtree: 404 on every route, as if it did not exist.
    for (method, body) in [("GET", None), ("PATCH", Some(patch.clone()))] {
        let (status, b) = api(
            &app,
            &secretary,
            method,
            &format!("/api/v1/people/{theirs}"),
            body,
        )
        .await;
        assert_eq!(status, 404, "{method}: {b}");
    }
    let (status, _) = api(
        &app,
        &secretary,
        "GET",
        "/api/v1/people/no-such-person",
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Moving someone to an org outside the subtree: 404 naming the org.
    let (status, b) = api(
        &app,
        &secretary,
        "PATCH",
        &format!("/api/v1/people/{ours}"),
        Some(json!({"version": 1, "org": "cqu-cs"})),
    )
    .await;
    assert_eq!(status, 404, "{b}");
    // A reader of the org sees the person but edits nothing.
    let (status, _) = api(
        &app,
        &leader,
        "GET",
        &format!("/api/v1/people/{ours}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, b) = api(
        &app,
        &leader,
        "PATCH",
        &format!("/api/v1/people/{ours}"),
        Some(patch.clone()),
    )
    .await;
    assert_eq!(status, 403, "{b}");
    // Administrators hold no business permission.
    for admin in ["sysadmin", "secadmin", "auditor"] {
        let token = app.token(admin).await;
        for (method, body) in [("GET", None), ("PATCH", Some(patch.clone()))] {
            let (status, b) = api(
                &app,
                &token,
                method,
                &format!("/api/v1/people/{ours}"),
                body,
            )
            .await;
            assert_eq!(status, 403, "{admin} {method}: {b}");
        }
        let s = app.sign_in(admin, PASSWORD).await;
        for path in ["", "/edit", "/leave"] {
            let (status, _) = page(&s, &app, &format!("/people/{ours}{path}")).await;
            assert_eq!(status, 403, "{admin} {path}");
        }
    }
    // The pages: the leader reads the person page without its edit links; the forms are 403.
    let s = app.sign_in("leader", PASSWORD).await;
    let (status, html) = page(&s, &app, &format!("/people/{ours}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("孙浩") && !html.contains(&format!("/people/{ours}/edit")),
        "{html}"
    );
    for path in ["/edit", "/leave"] {
        let (status, _) = page(&s, &app, &format!("/people/{ours}{path}")).await;
        assert_eq!(status, 403, "{path}");
        let resp = submit(
            &s,
            &app,
            &format!("/people/{ours}{path}"),
            &[("version", "1"), ("name", "改名")],
        )
        .await;
        assert_eq!(resp.status(), 403, "{path}");
    }
    let (status, _) = page(&s, &app, "/orgs/cqu-mse/people/new").await;
    assert_eq!(status, 403);
    // The secretary: someone of another college is 404 on every page.
    let s = app.sign_in("secretary", PASSWORD).await;
    for path in ["", "/edit", "/leave"] {
        let (status, _) = page(&s, &app, &format!("/people/{theirs}{path}")).await;
        assert_eq!(status, 404, "{path}");
    }
    let resp = submit(
        &s,
        &app,
        &format!("/people/{theirs}/edit"),
        &[("version", "1"), ("name", "改名")],
    )
    .await;
    assert_eq!(resp.status(), 404);
    let (status, _) = page(&s, &app, "/orgs/cqu-cs/people/new").await;
    assert_eq!(status, 404);
    assert_eq!(app.db.person_record(&theirs).await.unwrap().name, "唐军");
    assert_eq!(app.db.person_record(&ours).await.unwrap().name, "孙浩");
    app.finish().await;
}

#[tokio::test]
async fn a_college_secretary_edits_a_person_and_records_their_leaving_through_the_forms() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let id = app.person_id("孙浩").await;

    // The list links each person to their page; filtered by the college, it offers a new one.
    let (_, html) = page(&s, &app, "/people").await;
    assert!(html.contains(&format!("href=\"/people/{id}\"")), "{html}");
    assert!(!html.contains("/orgs/cqu-mse/people/new"));
    let (_, html) = page(&s, &app, "/people?org=cqu-mse").await;
    assert!(html.contains("/orgs/cqu-mse/people/new"), "{html}");
    let (status, html) = page(&s, &app, &format!("/people/{id}")).await;
    assert_eq!(status, 200);
    for text in [
        "孙浩",
        "副院长（分管网络与信息化）",
        "未填写",
        "修改信息",
        "办理离职",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }

    // The edit form: every bad field at once, in place, the form kept.
    let (status, form) = page(&s, &app, &format!("/people/{id}/edit")).await;
    assert_eq!(status, 200);
    let version = hidden(&form, "version");
    assert_eq!(version, "1");
    assert!(!hidden(&form, "csrf").is_empty());
    let long = "名".repeat(101);
    let path = format!("/people/{id}/edit");
    let before = app.audit_len().await;
    let resp = submit(
        &s,
        &app,
        &path,
        &[
            ("version", &version),
            ("name", &long),
            ("staff_no", "T 1"),
            ("email", "sunhao@"),
            ("wecom_id", "sunhao"),
            ("dingtalk_id", ""),
        ],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    for (field, message) in [
        ("name", "姓名不能为空"),
        ("staff-no", "工号应为"),
        ("email", "电子邮箱格式不正确"),
    ] {
        assert!(html.contains(message), "{message}: {html}");
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(
        html.contains("value=\"sunhao\""),
        "the form is kept: {html}"
    );
    assert_eq!(app.audit_len().await, before, "nothing stored");
    // A long email (within the body limit) is a field error too, never a 500.
    let resp = submit(
        &s,
        &app,
        &path,
        &[
            ("version", &version),
            ("name", "孙浩"),
            ("email", &format!("{}@x.cn", "a".repeat(5000))),
        ],
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("email-error"));

    let resp = submit(
        &s,
        &app,
        &path,
        &[
            ("version", &version),
            ("name", "孙浩"),
            ("staff_no", "T2026300"),
            ("email", "sunhao@cqu.edu.cn"),
            ("wecom_id", "sunhao"),
            ("dingtalk_id", "ding-sunhao"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), format!("/people/{id}"));
    let (_, html) = page(&s, &app, &format!("/people/{id}")).await;
    for text in ["T2026300", "sunhao@cqu.edu.cn", "ding-sunhao"] {
        assert!(html.contains(text), "{text}: {html}");
    }
    // The old version again: 409, told in place.
    let resp = submit(
        &s,
        &app,
        &path,
        &[("version", &version), ("name", "孙浩二")],
    )
    .await;
    assert_eq!(resp.status(), 409);
    assert!(resp.text().await.unwrap().contains("已被他人修改"));

    // Leaving: the form says which holdings end; the day is checked.
    let leave = format!("/people/{id}/leave");
    let (status, form) = page(&s, &app, &leave).await;
    assert_eq!(status, 200);
    assert!(
        form.contains("将于离职日结束的任职") && form.contains("副院长（分管网络与信息化）"),
        "{form}"
    );
    assert_eq!(hidden(&form, "left_on"), TODAY);
    let version = hidden(&form, "version");
    assert_eq!(version, "2");
    let resp = submit(
        &s,
        &app,
        &leave,
        &[("version", &version), ("left_on", "2026-13-01")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("left-error") && html.contains("2026-13-01"),
        "{html}"
    );
    // Before the holding began: refused, naming the post.
    let resp = submit(
        &s,
        &app,
        &leave,
        &[("version", &version), ("left_on", "2020-01-01")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("副院长（分管网络与信息化）")
    );
    let resp = submit(
        &s,
        &app,
        &leave,
        &[("version", &version), ("left_on", "2026-11-30")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let (_, html) = page(&s, &app, &format!("/people/{id}")).await;
    assert!(html.contains("已于 2026-11-30 离职"), "{html}");
    assert!(html.contains("2026-11-30"));
    // The holding and its portfolio end that day; the person stays.
    let model = app.db.load_model().await.unwrap();
    assert!(model.person(&id).is_some());
    let held: Vec<_> = model.holdings_of_person(&id).collect();
    assert!(
        held.iter().all(|h| h.end == Some(date("2026-11-30"))),
        "{held:?}"
    );
    let org = model.find_org("cqu-mse").unwrap().id.clone();
    assert!(
        model
            .portfolio_holders_on(&org, "network-it", date("2026-12-01"))
            .is_empty()
    );
    assert_eq!(
        model
            .portfolio_holders_on(&org, "network-it", date("2026-11-30"))
            .first()
            .map(|(_, h, _)| h.person.clone()),
        Some(id.clone())
    );
    let actions = app.audit_actions().await;
    for a in ["person.leave", "holding.end", "assignment.end"] {
        assert!(actions.contains(&a.to_string()), "{a}: {actions:?}");
    }

    // A new person in the college.
    let (status, form) = page(&s, &app, "/orgs/cqu-mse/people/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"staff_no\""));
    let resp = submit(
        &s,
        &app,
        "/orgs/cqu-mse/people/new",
        &[("name", ""), ("staff_no", "T2026300")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let resp = submit(
        &s,
        &app,
        "/orgs/cqu-mse/people/new",
        &[("name", "林新"), ("staff_no", "T2026300"), ("email", "")],
    )
    .await;
    assert_eq!(resp.status(), 409, "a taken staff number");
    assert!(resp.text().await.unwrap().contains("已被他人使用"));
    let resp = submit(
        &s,
        &app,
        "/orgs/cqu-mse/people/new",
        &[
            ("name", "林新"),
            ("staff_no", "T2026400"),
            ("email", "linxin@cqu.edu.cn"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let to = location(&resp);
    let new_id = to.trim_start_matches("/people/").to_string();
    let rec = app.db.person_record(&new_id).await.unwrap();
    assert_eq!(
        (rec.name.as_str(), rec.staff_no.as_deref()),
        ("林新", Some("T2026400"))
    );
    // In English too.
    let (status, html) = page(&s, &app, &format!("/people/{new_id}/edit?lang=en")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Staff number") && html.contains("Edit person"),
        "{html}"
    );
    app.finish().await;
}
