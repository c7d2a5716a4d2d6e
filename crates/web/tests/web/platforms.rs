//! Stories of the platform registry: a branch enters its WeChat account, registers it, runs it;
//! its duties appear at once with the person who answers for them; bad input, a skipped step,
//! a stale version and the wrong person are refused with nothing stored.

use crate::common::{PASSWORD, TestApp, api, hidden, page, sheet_rows, submit, workbook};
use serde_json::json;

/// The branch secretary (王… of cqu-mse-b1 in the demo) enters a WeChat account for the branch
/// through the form; its registration duty appears at once, answered for by the branch
/// secretary (a branch holds no portfolio: the chain passes to its first responsible person).
#[tokio::test]
async fn a_branch_enters_registers_and_runs_its_account_through_the_pages() {
    let app = TestApp::demo().await;
    let s = app.sign_in("branch", PASSWORD).await;
    let (status, form) = page(&s, &app, "/platforms/new?org=cqu-mse-b1").await;
    assert_eq!(status, 200, "{form}");
    let b1 = app.org_id("cqu-mse-b1").await;
    let operator = app
        .db
        .load_model()
        .await
        .unwrap()
        .people()
        .find(|p| p.org == b1)
        .unwrap()
        .id
        .clone();

    // A bad code and an operator from another college: both named, nothing stored.
    let outsider = app.person_id("蒋涵").await;
    let before = app.audit_len().await;
    let r = submit(
        &s,
        &app,
        "/platforms/new",
        &[
            ("org", "cqu-mse-b1"),
            ("name", "材料学院教工第一党支部公众号"),
            ("code", "B1 WeChat"),
            ("kind", "wechat-official"),
            ("portfolio", "publicity"),
            ("state", "planned"),
            ("opened_on", "2026-11-20"),
            ("operators", &outsider),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("代码「B1 WeChat」无效"), "{html}");
    assert!(html.contains("不是材料学院教工第一党支部的人员"), "{html}");
    assert_eq!(app.audit_len().await, before, "nothing stored");

    let r = submit(
        &s,
        &app,
        "/platforms/new",
        &[
            ("org", "cqu-mse-b1"),
            ("name", "材料学院教工第一党支部公众号"),
            ("code", "cqu-mse-b1-wechat"),
            ("kind", "wechat-official"),
            ("portfolio", "publicity"),
            ("news_function", "on"),
            ("state", "planned"),
            ("opened_on", "2026-11-20"),
            ("operators", &operator),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let (status, html) = page(&s, &app, &at).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("新媒体平台备案登记"),
        "registration owed at once: {html}"
    );
    assert!(!html.contains("新媒体平台年审"), "no review before it runs");
    assert!(
        html.contains("郑晓东"),
        "the branch secretary answers for it: {html}"
    );

    // Registered before its details are in: refused at the field.
    let version = hidden(&html, "version");
    let r = submit(
        &s,
        &app,
        &format!("{at}/steps"),
        &[
            ("version", &version),
            ("to", "registered"),
            ("on", "2026-11-25"),
            ("reason", "已注册"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("须先填写完整的备案登记信息")
    );

    // A skipped step is refused too.
    let r = submit(
        &s,
        &app,
        &format!("{at}/steps"),
        &[
            ("version", &version),
            ("to", "active"),
            ("on", "2026-11-25"),
            ("reason", "开通"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("不能直接改为「运行」"));

    let r = submit(
        &s,
        &app,
        &format!("{at}/registration"),
        &[
            ("version", &version),
            ("account_id", "gh_b1mse2026"),
            ("registered_on", "2026-11-24"),
            ("registering_body", "重庆大学"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = page(&s, &app, &at).await;
    let version = hidden(&html, "version");
    // The form's old version now is stale: 409, nothing stored.
    let stale = submit(
        &s,
        &app,
        &format!("{at}/steps"),
        &[
            ("version", "1"),
            ("to", "registered"),
            ("on", "2026-11-25"),
            ("reason", "已注册"),
        ],
    )
    .await;
    assert_eq!(stale.status(), 409);
    for (to, on, reason) in [
        ("registered", "2026-11-25", "已在微信公众平台注册"),
        ("active", "2026-11-26", "开通运行"),
    ] {
        let (_, html) = page(&s, &app, &at).await;
        let version = hidden(&html, "version");
        let r = submit(
            &s,
            &app,
            &format!("{at}/steps"),
            &[
                ("version", &version),
                ("to", to),
                ("on", on),
                ("reason", reason),
            ],
        )
        .await;
        assert_eq!(r.status(), 303, "{to}");
    }
    let _ = version;
    let (_, html) = page(&s, &app, &at).await;
    assert!(html.contains("平台已备案登记：账号 gh_b1mse2026"), "{html}");
    assert!(
        html.contains("新媒体平台年审"),
        "the review is owed once it runs"
    );
    assert!(
        html.contains("新闻信息服务管理人员教育培训和业务培训"),
        "the operator's training"
    );
    assert!(html.contains("开通运行") && html.contains("已在微信公众平台注册"));
    assert!(app.db.verify_audit().await.unwrap().is_ok());
    app.finish().await;
}

/// The API: a website without a proper ICP number, an outsider and a stale version are refused
/// with the field named; a leader may read but not write; the registration is discharged.
#[tokio::test]
async fn the_api_enters_a_website_and_refuses_what_it_must() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let leader = app.token("leader").await;
    let outsider = app.person_id("蒋涵").await;
    let (status, v) = api(
        &app,
        &token,
        "POST",
        "/api/v1/platforms",
        Some(json!({
            "code": "cqu-mse-lab-site", "name": "材料学院实验中心网站", "kind": "website",
            "org": "cqu-mse", "portfolio": "network-it", "operators": [outsider],
        })),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"]["fields"][0]["field"], "operators", "{v}");

    let (status, v) = api(
        &app,
        &token,
        "POST",
        "/api/v1/platforms",
        Some(json!({
            "code": "cqu-mse-lab-site", "name": "材料学院实验中心网站", "kind": "website",
            "org": "cqu-mse", "portfolio": "network-it", "news_function": true,
        })),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["state"], "planned");
    assert_eq!(v["obligations_added"], 1);
    assert_eq!(v["obligations"][0]["duty"], "platform-registration");
    let id = v["id"].as_str().unwrap().to_string();
    let version = v["version"].as_i64().unwrap();

    let (status, _) = api(
        &app,
        &leader,
        "PATCH",
        &format!("/api/v1/platforms/{id}"),
        Some(json!({"version": version, "name": "改名"})),
    )
    .await;
    assert_eq!(status, 403, "a leader reads the registry, does not keep it");
    let (status, _) = api(
        &app,
        &leader,
        "GET",
        &format!("/api/v1/platforms/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let branch = app.token("branch").await;
    let (status, _) = api(
        &app,
        &branch,
        "GET",
        &format!("/api/v1/platforms/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404, "outside the branch secretary's scope");

    let (status, v) = api(
        &app,
        &token,
        "PUT",
        &format!("/api/v1/platforms/{id}/registration"),
        Some(json!({"version": version, "icp": "渝ICP备0500号"})),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"]["fields"][0]["field"], "icp");
    let (status, v) = api(
        &app,
        &token,
        "PUT",
        &format!("/api/v1/platforms/{id}/registration"),
        Some(json!({"version": version, "icp": "渝ICP备05003022号-9"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/platforms/{id}/steps"),
        Some(
            json!({"version": version, "to": "registered", "on": "2026-11-28", "reason": "已备案"}),
        ),
    )
    .await;
    assert_eq!(status, 409, "stale: {v}");
    let version = version + 1;
    let (status, v) = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/platforms/{id}/steps"),
        Some(
            json!({"version": version, "to": "registered", "on": "2026-11-28", "reason": "已备案"}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "registered");
    assert_eq!(v["obligations"][0]["status"], "done", "{v}");
    assert_eq!(v["steps"][0]["made_by"], "secretary");
    let (status, v) = api(
        &app,
        &token,
        "GET",
        "/api/v1/platforms?org=cqu-mse&kind=website",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["total"], 2, "{v}");
    let (status, v) = api(
        &app,
        &token,
        "GET",
        "/api/v1/platforms?state=nonsense",
        None,
    )
    .await;
    assert_eq!(status, 422, "{v}");

    // The ledger (台账) carries the registry: every platform with its registration and who
    // answers for it, and every change of state of the year.
    let s = app.sign_in("secretary", PASSWORD).await;
    let mut wb = workbook(&s, &app, "/orgs/cqu-mse/ledger.xlsx?year=2026").await;
    let rows = sheet_rows(&mut wb, "网络阵地");
    assert_eq!(rows[0][1], "名称");
    let lab = rows
        .iter()
        .find(|r| r[2] == "cqu-mse-lab-site")
        .expect("the new website is in the ledger");
    assert_eq!(lab[8], "已备案");
    assert_eq!(lab[12], "渝ICP备05003022号-9");
    assert!(!lab[6].is_empty(), "who answers for it: {lab:?}");
    let wechat = rows.iter().find(|r| r[2] == "cqu-mse-wechat").unwrap();
    assert_eq!(wechat[4], "是");
    let steps = sheet_rows(&mut wb, "阵地状态变化");
    assert!(
        steps
            .iter()
            .any(|r| r[1] == "材料学院实验中心网站" && r[4] == "已备案" && r[5] == "已备案"),
        "{steps:?}"
    );
    app.finish().await;
}

/// The built-in pack declares a kind of its own (小红书号): it is offered by the form, taken by
/// the API, filtered on, named by the pack in both languages and in the ledger, registered like
/// any account, and asked the checklist items every kind is asked; a kind no pack declares is
/// refused with the kinds there are.
#[tokio::test]
async fn a_kind_the_pack_declares_is_entered_filtered_and_named() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let (status, form) = page(&s, &app, "/platforms/new?org=cqu-mse").await;
    assert_eq!(status, 200);
    assert!(
        form.contains(r#"<option value="xiaohongshu""#) && form.contains("小红书号"),
        "the form offers the declared kind"
    );

    let before = app.audit_len().await;
    let (status, v) = api(
        &app,
        &token,
        "POST",
        "/api/v1/platforms",
        Some(json!({
            "code": "cqu-mse-kuaishou", "name": "材料学院快手号", "kind": "kuaishou",
            "org": "cqu-mse", "portfolio": "publicity",
        })),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"]["fields"][0]["field"], "kind", "{v}");
    let message = v["error"]["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("kuaishou") && message.contains("xiaohongshu"),
        "{message}"
    );
    assert_eq!(app.audit_len().await, before, "nothing stored");

    let (status, v) = api(
        &app,
        &token,
        "POST",
        "/api/v1/platforms",
        Some(json!({
            "code": "cqu-mse-xhs", "name": "材料学院小红书号", "kind": "xiaohongshu",
            "org": "cqu-mse", "portfolio": "publicity", "news_function": true,
        })),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["kind"], "xiaohongshu");
    assert_eq!(v["obligations"][0]["duty"], "platform-registration");
    let id = v["id"].as_str().unwrap().to_string();
    let version = v["version"].as_i64().unwrap();

    // Registered like an account: by account id, day and body, not by an ICP number alone.
    let (status, v) = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/platforms/{id}/steps"),
        Some(
            json!({"version": version, "to": "registered", "on": "2026-11-28", "reason": "已注册"}),
        ),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"]["fields"][1]["field"], "account_id", "{v}");
    let (status, v) = api(
        &app,
        &token,
        "PUT",
        &format!("/api/v1/platforms/{id}/registration"),
        Some(json!({
            "version": version, "account_id": "cqumse", "registered_on": "2026-11-25",
            "registering_body": "重庆大学材料科学与工程学院",
        })),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    for (version, to) in [(version + 1, "registered"), (version + 2, "active")] {
        let (status, v) = api(
            &app,
            &token,
            "POST",
            &format!("/api/v1/platforms/{id}/steps"),
            Some(json!({"version": version, "to": to, "on": "2026-11-28", "reason": "开通"})),
        )
        .await;
        assert_eq!(status, 200, "{v}");
    }

    let (status, v) = api(
        &app,
        &token,
        "GET",
        "/api/v1/platforms?kind=xiaohongshu",
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["platforms"][0]["code"], "cqu-mse-xhs", "{v}");
    let (status, v) = api(&app, &token, "GET", "/api/v1/platforms?kind=kuaishou", None).await;
    assert_eq!(status, 422, "{v}");

    let (_, list) = page(&s, &app, "/platforms?kind=xiaohongshu").await;
    assert!(list.contains("材料学院小红书号") && list.contains("小红书号"));
    let (_, en) = page(&s, &app, &format!("/platforms/{id}?lang=en")).await;
    assert!(
        en.contains("Xiaohongshu account"),
        "the pack's English name"
    );
    let (status, review) = page(&s, &app, &format!("/platforms/{id}/review?lang=zh")).await;
    assert_eq!(status, 200, "{review}");
    assert!(
        review.contains("账号安全"),
        "asked what every kind is asked"
    );
    assert!(
        !review.contains("网站栏目内容及时更新"),
        "not what only websites are asked"
    );

    let mut wb = workbook(&s, &app, "/orgs/cqu-mse/ledger.xlsx?year=2026").await;
    let xhs = sheet_rows(&mut wb, "网络阵地")
        .into_iter()
        .find(|r| r[2] == "cqu-mse-xhs")
        .expect("in the ledger");
    assert_eq!(xhs[3], "小红书号");
    app.finish().await;
}

/// The office staff member reviews the college's WeChat account through the form: one item not
/// met, so "pass" is refused; "rectify" with a task owned by herself is recorded, discharges the
/// year's annual review and opens the task as an obligation she handles; her rectification
/// report, through the API, closes it. A leader may read the reviews, not record one.
#[tokio::test]
async fn a_review_that_ends_in_rectify_opens_a_task_closed_by_its_report() {
    let app = TestApp::demo().await;
    let s = app.sign_in("staff", PASSWORD).await;
    let wechat = app
        .db
        .load_model()
        .await
        .unwrap()
        .find_platform("cqu-mse-wechat")
        .unwrap()
        .id
        .clone();
    let liu = app.person_id("刘佳").await;
    let (status, form) = page(&s, &app, &format!("/platforms/{wechat}/review")).await;
    assert_eq!(status, 200, "{form}");
    assert!(form.contains("账号安全"), "the pack's checklist: {form}");
    assert!(
        !form.contains("网站栏目内容及时更新"),
        "a website's item is not asked of an account"
    );
    let mut fields: Vec<(String, String)> = [
        "registration-current",
        "operators-trained",
        "content-responsibility",
        "news-management",
    ]
    .iter()
    .map(|i| (format!("item.{i}"), "met".to_string()))
    .collect();
    fields.push(("item.account-security".into(), "not-met".into()));
    fields.push((
        "note.account-security".into(),
        "两名管理员未开启双重认证".into(),
    ));
    fields.push(("date".into(), "2026-11-20".into()));
    fields.push(("reviewer".into(), liu.clone()));
    fields.push(("summary".into(), "账号安全措施未落实".into()));
    let post = |extra: Vec<(String, String)>| {
        let mut all = fields.clone();
        all.extend(extra);
        all
    };
    let before = app.audit_len().await;
    let pass = post(vec![("outcome".into(), "pass".into())]);
    let pass: Vec<(&str, &str)> = pass.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = submit(&s, &app, &format!("/platforms/{wechat}/review"), &pass).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("结论不能为通过"), "{html}");
    assert_eq!(app.audit_len().await, before, "nothing stored");

    let rectify = post(vec![
        ("outcome".into(), "rectify".into()),
        ("task.1.title".into(), "全部管理员开启双重认证".into()),
        ("task.1.item".into(), "account-security".into()),
        ("task.1.owner".into(), liu.clone()),
        ("task.1.deadline".into(), "2026-12-20".into()),
    ]);
    let rectify: Vec<(&str, &str)> = rectify
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = submit(&s, &app, &format!("/platforms/{wechat}/review"), &rectify).await;
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    assert!(at.starts_with("/records/"), "{at}");
    let (status, html) = page(&s, &app, &at).await;
    assert_eq!(status, 200);
    assert!(html.contains("年审结论") && html.contains("整改"), "{html}");
    assert!(html.contains("两名管理员未开启双重认证"), "{html}");

    let (_, html) = page(&s, &app, &format!("/platforms/{wechat}")).await;
    assert!(
        html.contains("全部管理员开启双重认证"),
        "the task is listed: {html}"
    );
    assert!(html.contains("提交整改情况报告"), "{html}");

    let staff = app.token("staff").await;
    let (status, v) = api(
        &app,
        &staff,
        "GET",
        &format!("/api/v1/platforms/{wechat}/reviews"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["reviews"][0]["outcome"], "rectify", "{v}");
    let task = &v["rectifications"][0];
    assert_eq!(task["deadline"], "2026-12-20");
    assert_eq!(task["owner"]["name"], "刘佳");
    assert_ne!(task["status"], "done");
    let obligation = task["obligation"].as_str().unwrap().to_string();
    let task_id = task["id"].as_str().unwrap().to_string();

    // The year's annual review is discharged by the review.
    let (_, p) = api(
        &app,
        &staff,
        "GET",
        &format!("/api/v1/platforms/{wechat}"),
        None,
    )
    .await;
    let annual = p["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["duty"] == "platform-annual-review" && o["period"] == "2026")
        .unwrap();
    assert_eq!(annual["status"], "done", "{p}");

    // A leader reads, does not record.
    let leader = app.token("leader").await;
    let (status, _) = api(
        &app,
        &leader,
        "POST",
        &format!("/api/v1/platforms/{wechat}/reviews"),
        Some(json!({"date": "2026-11-21", "reviewer": liu, "outcome": "pass"})),
    )
    .await;
    assert_eq!(status, 403);

    // The report closes the task.
    let (status, r) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/records?obligation={obligation}"),
        Some(json!({
            "kind": "rectification-report", "org": "cqu-mse", "date": "2026-11-27",
            "title": "双重认证整改情况", "rectification": task_id,
            "text": "五名管理员均已开启双重认证。",
        })),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    let (_, v) = api(
        &app,
        &staff,
        "GET",
        &format!("/api/v1/platforms/{wechat}/reviews"),
        None,
    )
    .await;
    assert_eq!(v["rectifications"][0]["status"], "done", "{v}");
    assert_eq!(v["rectifications"][0]["completed_on"], "2026-11-27");
}

/// The college website's upkeep: its content arrangements need three different reviewers (the
/// pack asks for 三审三校); until maintenance is logged, the website is pointed out under
/// Art.5(6), and a log entry takes it off the list.
#[tokio::test]
async fn a_website_keeps_its_arrangements_and_log_and_an_unmaintained_one_is_pointed_out() {
    let app = TestApp::demo().await;
    let staff = app.token("staff").await;
    let model = app.db.load_model().await.unwrap();
    let site = model.find_platform("cqu-mse-website").unwrap().id.clone();
    let wechat = model.find_platform("cqu-mse-wechat").unwrap().id.clone();
    let people: Vec<String> = model
        .people()
        .filter(|p| p.org == model.find_org("cqu-mse").unwrap().id)
        .take(4)
        .map(|p| p.id.clone())
        .collect();
    let unmaintained = |v: &serde_json::Value| {
        v["items"].as_array().unwrap().iter().any(|i| {
            i["fact"] == "website-unmaintained"
                && i["subject_href"].as_str().unwrap().contains(&site)
        })
    };
    let (_, v) = api(
        &app,
        &staff,
        "GET",
        "/api/v1/indicators?org=cqu-mse&ground=art5-6",
        None,
    )
    .await;
    assert!(unmaintained(&v), "no log yet: {v}");

    let before = app.audit_len().await;
    let (status, e) = api(
        &app,
        &staff,
        "PUT",
        &format!("/api/v1/platforms/{site}/content"),
        Some(json!({"version": 0, "approver": people[0], "reviewers": [people[1], people[2]]})),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("三审三校"),
        "{e}"
    );
    let (status, e) = api(
        &app,
        &staff,
        "PUT",
        &format!("/api/v1/platforms/{wechat}/content"),
        Some(json!({"version": 0, "approver": people[0], "reviewers": [people[1], people[2], people[3]]})),
    )
    .await;
    assert_eq!(status, 422, "only a website: {e}");
    assert_eq!(app.audit_len().await, before, "nothing stored");
    let (status, v) = api(
        &app,
        &staff,
        "PUT",
        &format!("/api/v1/platforms/{site}/content"),
        Some(json!({"version": 0, "approver": people[0], "reviewers": [people[1], people[2], people[3]]})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (status, _) = api(
        &app,
        &staff,
        "PUT",
        &format!("/api/v1/platforms/{site}/content"),
        Some(json!({"version": 0, "approver": people[1], "reviewers": [people[0], people[2], people[3]]})),
    )
    .await;
    assert_eq!(status, 409, "a stale version");

    let (status, e) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/platforms/{site}/maintenance"),
        Some(json!({"date": "2026-12-30", "kind": "check", "note": "巡查"})),
    )
    .await;
    assert_eq!(status, 422, "not after today: {e}");
    let (status, _) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/platforms/{site}/maintenance"),
        Some(json!({"date": "2026-11-27", "kind": "update", "note": "更新党建工作栏目"})),
    )
    .await;
    assert_eq!(status, 201);
    let (_, v) = api(
        &app,
        &staff,
        "GET",
        &format!("/api/v1/platforms/{site}/maintenance"),
        None,
    )
    .await;
    assert_eq!(v["log"][0]["note"], "更新党建工作栏目", "{v}");
    assert_eq!(v["content"]["reviewers"].as_array().unwrap().len(), 3);
    assert!(v["days_without_log"].is_null());
    let (_, v) = api(
        &app,
        &staff,
        "GET",
        "/api/v1/indicators?org=cqu-mse&ground=art5-6",
        None,
    )
    .await;
    assert!(!unmaintained(&v), "logged yesterday: {v}");

    let s = app.sign_in("staff", PASSWORD).await;
    let (status, html) = page(&s, &app, &format!("/platforms/{site}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("网站维护") && html.contains("更新党建工作栏目"),
        "{html}"
    );
}
