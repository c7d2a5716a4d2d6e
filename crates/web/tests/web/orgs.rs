//! Orgs, people, handovers and "who was responsible", through the pages and the API, as the
//! demo accounts would use them.

use crate::common::{PASSWORD, Session, TODAY, TestApp, api, hidden, page, submit};
use serde_json::json;
use zeren_core::Clock;
use zeren_core::policy::BUILTIN_PACK_ID;
use zeren_storage::Actor;

async fn handover_form(
    s: &Session,
    app: &TestApp,
    path: &str,
    person: &str,
    on: &str,
) -> (u16, String, Option<String>) {
    let resp = submit(s, app, path, &[("person", person), ("on", on)]).await;
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (status, resp.text().await.unwrap(), location)
}

fn who_path(org: &str, duty: &str, at: &str) -> String {
    format!("/api/v1/responsibility?org={org}&duty={duty}&at={at}")
}

#[tokio::test]
async fn org_page_shows_posts_holders_and_platforms() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let (status, html) = page(&s, &app, "/orgs/cqu-mse").await;
    assert_eq!(status, 200, "{html}");
    for want in [
        "材料科学与工程学院",
        "党委书记",
        "李明华",
        // The outgoing secretary, with the dates of the holding.
        "王建国",
        "2022-09-01 – 2026-06-30",
        "党委副书记（分管宣传思想、学生工作）",
        // Portfolio names from the pack.
        "宣传思想",
        "学生工作",
        // Platforms with kind, portfolio and operators.
        "重大材料学院 微信公众号",
        "微信公众号",
        "刘佳",
        // Children.
        "材料学院教工第一党支部",
        // The secretary manages the college: a handover button on single-holder posts.
        "/handover",
    ] {
        assert!(html.contains(want), "org page lacks {want}");
    }
    // Vice-dean posts are not single-holder: one handover link per single-holder post only
    // (secretary, dean).
    assert_eq!(html.matches("/handover").count(), 2, "{html}");

    // The tree: the college and its branches, nothing of other colleges.
    let (status, html) = page(&s, &app, "/orgs").await;
    assert_eq!(status, 200);
    assert!(html.contains("cqu-mse-b4") && html.contains("href=\"/orgs/cqu-mse\""));
    assert!(!html.contains("cqu-cs") && !html.contains("重庆大学"));
    // Sorting by name keeps the same orgs.
    let (status, by_name) = page(&s, &app, "/orgs?sort=name").await;
    assert_eq!(status, 200);
    assert_eq!(
        by_name.matches("<li>").count(),
        html.matches("<li>").count()
    );

    // English.
    let (_, en) = page(&s, &app, "/orgs/cqu-mse?lang=en").await;
    assert!(
        en.contains("Posts and holders")
            && en.contains("Publicity and ideology")
            && en.contains("Party committee secretary")
    );

    // People: in scope only, with their current posts; filtered by name.
    let (status, html) = page(&s, &app, "/people").await;
    assert_eq!(status, 200);
    assert!(html.contains("赵敏") && html.contains("郑晓东") && !html.contains("何志强"));
    let (_, html) = page(&s, &app, "/people?q=%E8%B5%B5").await;
    assert!(html.contains("赵敏") && !html.contains("郑晓东"));
    let (_, html) = page(&s, &app, "/people?org=cqu-mse-b1").await;
    assert!(html.contains("郑晓东") && !html.contains("赵敏"));
    app.finish().await;
}

#[tokio::test]
async fn handover_through_the_form_is_audited_and_changes_who_is_responsible() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let post = app.post_id("cqu-mse", "secretary").await;
    let successor = app.person_id("赵敏").await;
    let path = format!("/orgs/cqu-mse/posts/{post}/handover");

    let (status, form) = page(&s, &app, &path).await;
    assert_eq!(status, 200, "{form}");
    assert!(form.contains("李明华") && form.contains(&successor));
    assert_eq!(hidden(&form, "csrf"), s.csrf);
    assert_eq!(hidden(&form, "on"), TODAY, "the date defaults to today");

    let before = app.audit_len().await;
    let (status, body, location) = handover_form(&s, &app, &path, &successor, "2026-12-01").await;
    assert_eq!(status, 303, "{body}");
    assert!(location.unwrap().starts_with("/orgs/cqu-mse"));

    // Audited: the outgoing holding ends, the incoming one starts, by the secretary.
    let entries = app.db.audit_page(0, 1_000_000).await.unwrap();
    let new: Vec<_> = entries.iter().skip(before).collect();
    assert!(
        new.iter()
            .any(|e| e.action == "holding.end" && e.actor == "secretary")
    );
    let incoming = new
        .iter()
        .find(|e| e.action == "holding.handover")
        .expect("handover audited");
    assert_eq!(incoming.actor, "secretary");
    assert!(incoming.after.as_deref().unwrap().contains("2026-12-01"));

    // The org page shows the coming change in the history.
    let (_, html) = page(&s, &app, "/orgs/cqu-mse").await;
    assert!(html.contains("2026-07-01 – 2026-11-30"), "{html}");

    // Who is responsible: the old holder the day before, the new one from the day.
    let (status, html) = page(
        &s,
        &app,
        "/who?org=cqu-mse&duty=annual-dedicated-study&at=2026-11-30",
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<strong>李明华</strong>"));
    let (_, html) = page(
        &s,
        &app,
        "/who?org=cqu-mse&duty=annual-dedicated-study&at=2026-12-01",
    )
    .await;
    assert!(html.contains("<strong>赵敏</strong>"), "{html}");
    // The chain of reasons cites the article, linking into the policy page.
    assert!(
        html.contains(&format!("/policies/{BUILTIN_PACK_ID}#art-4-")),
        "{html}"
    );
    assert!(html.contains("第一责任人"));
    app.finish().await;
}

#[tokio::test]
async fn invalid_handovers_say_what_is_wrong_in_chinese_and_store_nothing() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let post = app.post_id("cqu-mse", "secretary").await;
    let successor = app.person_id("赵敏").await;
    let current = app.person_id("李明华").await;
    let path = format!("/orgs/cqu-mse/posts/{post}/handover");
    let before = app.audit_len().await;
    let holdings_before = app.db.load_model().await.unwrap().holdings().len();

    let cases: [(&str, &str, &str); 5] = [
        (&successor, "", "请填写生效日期"),
        (&successor, "2026/12/01", "格式不正确"),
        (&successor, "2026-02-30", "格式不正确"),
        // Not after the current holding's start (2026-07-01).
        (
            &successor,
            "2026-07-01",
            "必须晚于现任者的任职开始日期（2026-07-01）",
        ),
        (&current, "2026-12-01", "已任该职务"),
    ];
    for (person, on, message) in cases {
        let (status, html, _) = handover_form(&s, &app, &path, person, on).await;
        assert_eq!(status, 422, "{on}: {html}");
        assert!(html.contains(message), "{on}: expected {message}");
        assert!(html.contains("class=\"field-error\""));
        // The input is kept.
        assert!(
            html.contains(&format!("value=\"{on}\"")),
            "{on}: input not kept"
        );
        assert!(html.contains(&format!("value=\"{person}\" selected")));
    }
    // No person chosen.
    let (status, html, _) = handover_form(&s, &app, &path, "", "2026-12-01").await;
    assert_eq!(status, 422);
    assert!(html.contains("请选择接任人"));
    // A person from another college is not on the list.
    let outsider = app.person_id("何志强").await;
    let (status, html, _) = handover_form(&s, &app, &path, &outsider, "2026-12-01").await;
    assert_eq!(status, 422);
    assert!(html.contains("请从列表中选择接任人"));

    // A post nobody holds: nothing to hand over.
    let pack = app.db.policy(BUILTIN_PACK_ID).await.unwrap().pack;
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    let empty = tx
        .create_post(&pack, "cqu-mse", "dean", "院长（待任）", &[])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let before = before + 1;
    let (status, html, _) = handover_form(
        &s,
        &app,
        &format!("/orgs/cqu-mse/posts/{}/handover", empty.id),
        &successor,
        "2026-12-01",
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("没有可交接的任职"), "{html}");

    // In English too.
    let (status, html, _) =
        handover_form(&s, &app, &format!("{path}?lang=en"), &successor, "tomorrow").await;
    assert_eq!(status, 422);
    assert!(html.contains("is not in the form YYYY-MM-DD"));

    assert_eq!(app.audit_len().await, before, "nothing was stored");
    assert_eq!(
        app.db.load_model().await.unwrap().holdings().len(),
        holdings_before
    );
    app.finish().await;
}

#[tokio::test]
async fn only_managers_hand_over() {
    let app = TestApp::demo().await;
    let post = app.post_id("cqu-mse", "secretary").await;
    let path = format!("/orgs/cqu-mse/posts/{post}/handover");
    let leader = app.sign_in("leader", PASSWORD).await;
    let (status, html) = page(&leader, &app, &path).await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("无权访问"));
    let (status, _, _) = handover_form(
        &leader,
        &app,
        &path,
        &app.person_id("赵敏").await,
        "2026-12-01",
    )
    .await;
    assert_eq!(status, 403);
    // The leader reads the org but sees no handover button.
    let (status, html) = page(&leader, &app, "/orgs/cqu-mse").await;
    assert_eq!(status, 200);
    assert!(!html.contains("/handover"));
    // Nor through the API.
    let token = app.token("leader").await;
    let (status, body) = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/posts/{post}/handover"),
        Some(json!({"person": app.person_id("赵敏").await, "on": "2026-12-01"})),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    // The supervisor reads every college but manages none.
    let sup = app.sign_in("supervisor", PASSWORD).await;
    let (status, _) = page(&sup, &app, &path).await;
    assert_eq!(status, 403);
    app.finish().await;
}

#[tokio::test]
async fn other_orgs_answer_like_nonexistent_ones() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let (status, other) = page(&s, &app, "/orgs/cqu-cs").await;
    assert_eq!(status, 404);
    let (status, missing) = page(&s, &app, "/orgs/cqu-xx").await;
    assert_eq!(status, 404);
    assert_eq!(other.replace("cqu-cs", "X"), missing.replace("cqu-xx", "X"));
    // The parent university is outside the secretary's subtree, too.
    let (status, _) = page(&s, &app, "/orgs/cqu").await;
    assert_eq!(status, 404);
    let cs_post = app.post_id("cqu-cs", "secretary").await;
    let (status, _) = page(&s, &app, &format!("/orgs/cqu-cs/posts/{cs_post}/handover")).await;
    assert_eq!(status, 404);
    let (status, _) = page(
        &s,
        &app,
        "/who?org=cqu-cs&duty=annual-dedicated-study&at=2026-07-01",
    )
    .await;
    assert_eq!(status, 404);

    let token = app.token("secretary").await;
    let cs = app.org_id("cqu-cs").await;
    let (status, body) = api(&app, &token, "GET", &format!("/api/v1/orgs/{cs}"), None).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, body2) = api(
        &app,
        &token,
        "GET",
        "/api/v1/orgs/00000000-0000-0000-0000-000000000000",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body2["error"]["code"], body["error"]["code"]);
    for path in [
        format!("/api/v1/holdings?post={cs_post}"),
        "/api/v1/posts?org=cqu-cs".to_string(),
        "/api/v1/people?org=cqu-cs".to_string(),
        who_path("cqu-cs", "annual-dedicated-study", "2026-07-01"),
    ] {
        let (status, body) = api(&app, &token, "GET", &path, None).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, _) = api(
        &app,
        &token,
        "PATCH",
        &format!("/api/v1/orgs/{cs}"),
        Some(json!({"version": 1, "name": "x"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/posts/{cs_post}/handover"),
        Some(json!({"person": "x", "on": "2026-12-01"})),
    )
    .await;
    assert_eq!(status, 404);
    // People of other colleges are not listed.
    let (_, body) = api(
        &app,
        &token,
        "GET",
        "/api/v1/people?q=%E4%BD%95%E5%BF%97%E5%BC%BA",
        None,
    )
    .await;
    assert_eq!(body["total"], 0);
    app.finish().await;
}

#[tokio::test]
async fn branch_sees_its_branch_and_supervisor_every_college() {
    let app = TestApp::demo().await;
    let token = app.token("branch").await;
    let (status, body) = api(&app, &token, "GET", "/api/v1/orgs", None).await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["cqu-mse-b1"]);
    assert_eq!(body["total"], 1);
    assert_eq!(body["per_page"], 50);
    // The parent is outside the branch: its code is not told.
    assert!(body["items"][0]["parent_code"].is_null());
    let s = app.sign_in("branch", PASSWORD).await;
    let (_, html) = page(&s, &app, "/orgs").await;
    assert!(
        html.contains("cqu-mse-b1")
            && !html.contains("cqu-mse-b2")
            && !html.contains("/orgs/cqu-mse\"")
    );
    let (status, _) = page(&s, &app, "/orgs/cqu-mse").await;
    assert_eq!(status, 404);
    let (status, _) = page(&s, &app, "/orgs/cqu-mse-b1").await;
    assert_eq!(status, 200);

    let token = app.token("supervisor").await;
    let (_, body) = api(&app, &token, "GET", "/api/v1/orgs?sort=name", None).await;
    let codes: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    for c in ["cqu", "cqu-mse", "cqu-cs", "cqu-me", "cqu-cs-b3"] {
        assert!(codes.contains(&c), "supervisor misses {c}");
    }
    assert_eq!(codes[0], "cqu", "parents come first");
    let (status, body) = api(&app, &token, "GET", "/api/v1/orgs/cqu-me", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], "cqu-me");
    assert!(
        body["posts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "secretary" && p["holders"][0]["person_name"] == "袁振华")
    );
    let s = app.sign_in("supervisor", PASSWORD).await;
    let (_, html) = page(&s, &app, "/orgs").await;
    assert!(
        html.contains("计算机学院")
            && html.contains("机械与运载工程学院")
            && html.contains("材料科学与工程学院")
    );
    app.finish().await;
}

#[tokio::test]
async fn administrators_have_no_business_here() {
    let app = TestApp::demo().await;
    for admin in ["sysadmin", "secadmin", "auditor"] {
        let s = app.sign_in(admin, PASSWORD).await;
        for path in [
            "/orgs",
            "/orgs/cqu-mse",
            "/people",
            "/who",
            "/who?org=cqu-mse&duty=annual-dedicated-study",
        ] {
            let (status, _) = page(&s, &app, path).await;
            assert_eq!(status, 403, "{admin} {path}");
        }
        let token = app.token(admin).await;
        for path in [
            "/api/v1/orgs",
            "/api/v1/orgs/cqu-mse",
            "/api/v1/people",
            "/api/v1/posts",
            &who_path("cqu-mse", "annual-dedicated-study", "2026-07-01"),
        ] {
            let (status, body) = api(&app, &token, "GET", path, None).await;
            assert_eq!(status, 403, "{admin} {path}");
            assert_eq!(body["error"]["code"], "forbidden");
        }
        let (status, _) = api(
            &app,
            &token,
            "POST",
            "/api/v1/people",
            Some(json!({"name": "x", "org": "cqu-mse"})),
        )
        .await;
        assert_eq!(status, 403);
    }
    app.finish().await;
}

#[tokio::test]
async fn org_edits_check_the_version_and_names_are_escaped() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let (status, org) = api(&app, &token, "GET", "/api/v1/orgs/cqu-mse", None).await;
    assert_eq!(status, 200);
    let version = org["version"].as_i64().unwrap();
    let evil = "<script>alert(1)</script>材料学院";
    let (status, body) = api(
        &app,
        &token,
        "PATCH",
        "/api/v1/orgs/cqu-mse",
        Some(json!({"version": version, "name": evil})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], version + 1);
    assert_eq!(body["name"], evil);
    // The same version again is stale.
    let (status, body) = api(
        &app,
        &token,
        "PATCH",
        "/api/v1/orgs/cqu-mse",
        Some(json!({"version": version, "name": "x"})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "version_conflict");
    // Bad input names its field.
    for (patch, field) in [
        (json!({"name": "x"}), "version"),
        (json!({"version": "one"}), "version"),
        (json!({"version": version + 1, "name": "  "}), "name"),
        (json!({"version": version + 1, "nmae": "x"}), "nmae"),
    ] {
        let (status, body) = api(
            &app,
            &token,
            "PATCH",
            "/api/v1/orgs/cqu-mse",
            Some(patch.clone()),
        )
        .await;
        assert_eq!(status, 422, "{patch}: {body}");
        assert_eq!(body["error"]["code"], "invalid_input");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(field),
            "{patch}: {body}"
        );
    }
    // A closing day is checked too (closing takes managing the parent: a branch here).
    let (_, b1) = api(&app, &token, "GET", "/api/v1/orgs/cqu-mse-b1", None).await;
    let patch = json!({"version": b1["version"], "closed_on": "2026-13-01"});
    let (status, body) = api(
        &app,
        &token,
        "PATCH",
        "/api/v1/orgs/cqu-mse-b1",
        Some(patch),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("closed_on")
    );
    // The name comes back escaped, never as markup.
    let s = app.sign_in("secretary", PASSWORD).await;
    for path in [
        "/orgs/cqu-mse",
        "/orgs",
        "/people",
        "/orgs/cqu-mse-b1",
        "/who?org=cqu-mse&duty=annual-dedicated-study&at=2026-07-01",
    ] {
        let (status, html) = page(&s, &app, path).await;
        assert_eq!(status, 200, "{path}");
        let escaped = html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            || html.contains("&#60;script&#62;alert(1)&#60;/script&#62;");
        assert!(escaped, "{path}: name not shown escaped");
        assert!(!html.contains("<script>alert(1)"), "{path}: markup leaked");
    }
    app.finish().await;
}

#[tokio::test]
async fn who_api_answers_by_date_and_explains_bad_questions() {
    let app = TestApp::demo().await;
    let token = app.token("leader").await;
    let (status, a) = api(
        &app,
        &token,
        "GET",
        &who_path("cqu-mse", "annual-dedicated-study", "2026-06-30"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["person"]["name"], "王建国");
    assert_eq!(a["post"]["name"], "党委书记");
    assert!(
        a["chain"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["reason"] == "duty")
    );
    let (_, a) = api(
        &app,
        &token,
        "GET",
        &who_path("cqu-mse", "annual-dedicated-study", "2026-07-01"),
        None,
    )
    .await;
    assert_eq!(a["person"]["name"], "李明华");
    // A portfolio: the deputy holds publicity; the first responsible person is named too.
    let (status, a) = api(
        &app,
        &token,
        "GET",
        "/api/v1/responsibility?org=cqu-mse&portfolio=publicity&at=2026-07-01",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(a["person"]["name"], "赵敏");
    assert_eq!(a["first_responsible"]["name"], "李明华");
    // A platform duty needs the platform.
    let (status, a) = api(&app, &token, "GET", "/api/v1/responsibility?org=cqu-mse&duty=platform-annual-review&platform=cqu-mse-wechat&at=2026-07-01", None).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["person"]["name"], "赵敏");
    let (status, e) = api(
        &app,
        &token,
        "GET",
        &who_path("cqu-mse", "platform-annual-review", "2026-07-01"),
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("platform")
    );

    for (path, status_want, field) in [
        (
            who_path("cqu-mse", "annual-dedicated-study", "2026-7-1"),
            422,
            "at",
        ),
        (
            who_path("cqu-mse", "annual-dedicated-study", "yesterday"),
            422,
            "at",
        ),
        (
            who_path("cqu-nowhere", "annual-dedicated-study", "2026-07-01"),
            404,
            "org",
        ),
        (
            who_path("cqu-cs", "annual-dedicated-study", "2026-07-01"),
            404,
            "org",
        ),
        (
            who_path("cqu-mse", "no-such-duty", "2026-07-01"),
            422,
            "duty",
        ),
        (
            "/api/v1/responsibility?org=cqu-mse".to_string(),
            422,
            "duty",
        ),
        (
            "/api/v1/responsibility?duty=annual-dedicated-study".to_string(),
            422,
            "org",
        ),
        (
            "/api/v1/responsibility?org=cqu-mse&portfolio=nothing".to_string(),
            422,
            "portfolio",
        ),
    ] {
        let (status, e) = api(&app, &token, "GET", &path, None).await;
        assert_eq!(status, status_want, "{path}: {e}");
        assert!(
            e["error"]["message"].as_str().unwrap().starts_with(field),
            "{path}: {e}"
        );
    }
    // The page says the same in the form, and keeps the question.
    let s = app.sign_in("leader", PASSWORD).await;
    let (status, html) = page(
        &s,
        &app,
        "/who?org=cqu-mse&duty=annual-dedicated-study&at=2026-7-1",
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("格式不正确") && html.contains("value=\"2026-7-1\""));
    let (status, html) = page(&s, &app, "/who").await;
    assert_eq!(status, 200);
    assert!(html.contains("annual-dedicated-study") && html.contains("cqu-mse-wechat"));
    app.finish().await;
}

#[tokio::test]
async fn api_creates_orgs_and_people_and_lists_in_pages() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let (status, org) = api(&app, &token, "POST", "/api/v1/orgs", Some(json!({"code": "cqu-mse-b5", "name": "材料学院博士生党支部", "kind": "branch", "parent": "cqu-mse"}))).await;
    assert_eq!(status, 201, "{org}");
    assert_eq!(org["version"], 1);
    assert_eq!(org["parent_code"], "cqu-mse");
    let (status, e) = api(
        &app,
        &token,
        "POST",
        "/api/v1/orgs",
        Some(json!({"code": "cqu-mse-b5", "name": "重复", "kind": "branch", "parent": "cqu-mse"})),
    )
    .await;
    assert_eq!(status, 409, "{e}");
    for (body, field) in [
        (
            json!({"code": "Bad Code", "name": "x", "kind": "branch", "parent": "cqu-mse"}),
            "code",
        ),
        (
            json!({"code": "cqu-mse-b6", "name": "x", "kind": "college", "parent": "cqu-mse"}),
            "kind",
        ),
        (
            json!({"code": "cqu-mse-b6", "name": "x", "kind": "branch"}),
            "parent",
        ),
    ] {
        let (status, e) = api(&app, &token, "POST", "/api/v1/orgs", Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(field),
            "{body}: {e}"
        );
    }
    let (status, _) = api(
        &app,
        &token,
        "POST",
        "/api/v1/orgs",
        Some(json!({"code": "cqu-cs-b9", "name": "x", "kind": "branch", "parent": "cqu-cs"})),
    )
    .await;
    assert_eq!(status, 404);

    // Sixty people in the new branch: the list pages by fifty.
    for i in 0..60 {
        let (status, p) = api(
            &app,
            &token,
            "POST",
            "/api/v1/people",
            Some(json!({"name": format!("测试人员{i:02}"), "org": "cqu-mse-b5"})),
        )
        .await;
        assert_eq!(status, 201, "{p}");
    }
    let (_, p1) = api(&app, &token, "GET", "/api/v1/people?org=cqu-mse-b5", None).await;
    assert_eq!(
        (
            p1["total"].as_u64(),
            p1["page"].as_u64(),
            p1["per_page"].as_u64()
        ),
        (Some(60), Some(1), Some(50))
    );
    assert_eq!(p1["items"].as_array().unwrap().len(), 50);
    assert_eq!(p1["items"][0]["name"], "测试人员00");
    let (_, p2) = api(
        &app,
        &token,
        "GET",
        "/api/v1/people?org=cqu-mse-b5&page=2",
        None,
    )
    .await;
    assert_eq!(p2["items"].as_array().unwrap().len(), 10);
    assert_eq!(p2["items"][9]["name"], "测试人员59");
    let (status, e) = api(&app, &token, "GET", "/api/v1/people?page=0", None).await;
    assert_eq!(status, 422);
    assert!(e["error"]["message"].as_str().unwrap().starts_with("page"));
    // The page shows fifty rows and links the next page.
    let s = app.sign_in("secretary", PASSWORD).await;
    let (_, html) = page(&s, &app, "/people?org=cqu-mse-b5").await;
    assert_eq!(html.matches("测试人员").count(), 50);
    let links = html.replace("&#38;", "&").replace("&amp;", "&");
    assert!(
        links.contains("href=\"/people?org=cqu-mse-b5&sort=name&page=2\""),
        "{html}"
    );
    let (_, html) = page(&s, &app, "/people?org=cqu-mse-b5&page=2").await;
    assert_eq!(html.matches("测试人员").count(), 10);
    // The new branch is in the tree.
    let (_, html) = page(&s, &app, "/orgs").await;
    assert!(html.contains("材料学院博士生党支部"));

    // Posts and their holders; the history of one.
    let (_, posts) = api(&app, &token, "GET", "/api/v1/posts?org=cqu-mse", None).await;
    let sec = posts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "secretary")
        .unwrap()
        .clone();
    assert_eq!(sec["holders"][0]["person_name"], "李明华");
    let (_, history) = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/holdings?post={}", sec["id"].as_str().unwrap()),
        None,
    )
    .await;
    let names: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["person_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["王建国", "李明华"]);
    assert_eq!(history["items"][0]["end"], "2026-06-30");
    let (status, e) = api(&app, &token, "GET", "/api/v1/holdings", None).await;
    assert_eq!(status, 422, "{e}");
    app.finish().await;
}

/// One story on every engine: a handover through the API, then who is responsible.
#[tokio::test]
async fn api_handover_and_who_on_every_engine() {
    for app in TestApp::demo_on_engines().await {
        let label = app.label;
        let token = app.token("secretary").await;
        let post = app.post_id("cqu-mse", "secretary").await;
        let successor = app.person_id("赵敏").await;
        let path = format!("/api/v1/posts/{post}/handover");
        let (status, e) = api(
            &app,
            &token,
            "POST",
            &path,
            Some(json!({"person": successor, "on": "2026-07-01"})),
        )
        .await;
        assert_eq!(status, 422, "{label}: {e}");
        assert!(
            e["error"]["message"].as_str().unwrap().starts_with("on"),
            "{label}: {e}"
        );
        let (status, e) = api(
            &app,
            &token,
            "POST",
            &path,
            Some(json!({"person": app.person_id("何志强").await, "on": "2026-12-01"})),
        )
        .await;
        assert_eq!(status, 404, "{label}: {e}");
        let (status, done) = api(
            &app,
            &token,
            "POST",
            &path,
            Some(json!({"person": successor, "on": "2026-12-01"})),
        )
        .await;
        assert_eq!(status, 200, "{label}: {done}");
        assert_eq!(done["outgoing"]["person_name"], "李明华");
        assert_eq!(done["outgoing"]["end"], "2026-11-30");
        assert_eq!(done["incoming"]["person_name"], "赵敏");
        assert_eq!(done["incoming"]["start"], "2026-12-01");
        let (_, a) = api(
            &app,
            &token,
            "GET",
            &who_path("cqu-mse", "annual-dedicated-study", "2026-11-30"),
            None,
        )
        .await;
        assert_eq!(a["person"]["name"], "李明华", "{label}");
        let (_, a) = api(
            &app,
            &token,
            "GET",
            &who_path("cqu-mse", "annual-dedicated-study", "2026-12-01"),
            None,
        )
        .await;
        assert_eq!(a["person"]["name"], "赵敏", "{label}");
        let entries = app.db.audit_page(0, 1_000_000).await.unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "holding.handover" && e.actor == "secretary"),
            "{label}"
        );
        // When the day comes, the secretary role passes with the post.
        app.clock.advance(chrono::Duration::days(3));
        let (status, _) = api(&app, &token, "GET", "/api/v1/orgs/cqu-mse", None).await;
        assert_eq!(
            status, 403,
            "{label}: 李明华 holds no post after the handover"
        );
        app.finish().await;
    }
}

/// Grants the demo's college secretary the university's secretary role too, so that it manages
/// the colleges' parent (closing, reopening and moving take managing the parent).
async fn university_secretary(app: &TestApp) {
    let user = app.db.user_by_username("secretary").await.unwrap().unwrap();
    let cqu = app.org_id("cqu").await;
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.grant(&user, zeren_core::access::Role::Secretary, &cqu, "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.state().recent.clear();
}

/// A form posted: the status, and the redirect's target or the page.
pub(crate) async fn tree_form(
    s: &Session,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let resp = submit(s, app, path, fields).await;
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let body = resp.text().await.unwrap();
    (status, location.unwrap_or(body))
}

#[tokio::test]
async fn the_tree_is_kept_through_the_forms_and_its_rules_are_told_in_place() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    // A college secretary creates under its college and renames it, but does not close it.
    let (_, html) = page(&s, &app, "/orgs/cqu-mse").await;
    assert!(html.contains("/orgs/cqu-mse/children/new") && html.contains("/orgs/cqu-mse/edit"));
    assert!(!html.contains("/orgs/cqu-mse/close"), "{html}");
    university_secretary(&app).await;
    let (_, html) = page(&s, &app, "/orgs/cqu-mse").await;
    assert!(html.contains("/orgs/cqu-mse/close"), "{html}");

    // A new college under the university.
    let (status, form) = page(&s, &app, "/orgs/cqu/children/new").await;
    assert_eq!(status, 200);
    assert!(form.contains(r#"<option value="college""#), "{form}");
    let (status, to) = tree_form(
        &s,
        &app,
        "/orgs/cqu/children/new",
        &[
            ("kind", "college"),
            ("code", "cqu-ai"),
            ("name", "人工智能学院党委"),
            ("established_on", "2026-09-01"),
        ],
    )
    .await;
    assert_eq!((status, to.as_str()), (303, "/orgs/cqu-ai"));
    let (status, html) = page(&s, &app, "/orgs/cqu-ai").await;
    assert_eq!(status, 200);
    assert!(html.contains("人工智能学院党委") && html.contains("2026-09-01"));

    // Located errors, nothing stored: every bad field at once, then the tree's rule.
    let before = app.audit_len().await;
    let (status, html) = tree_form(
        &s,
        &app,
        "/orgs/cqu-ai/children/new",
        &[
            ("kind", "branch"),
            ("code", "Bad Code"),
            ("name", ""),
            ("established_on", "2026-02-30"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    for message in ["小写字母", "名称不能为空", "2026-02-30"] {
        assert!(html.contains(message), "{message}: {html}");
    }
    let (status, html) = tree_form(
        &s,
        &app,
        "/orgs/cqu-ai/children/new",
        &[
            ("kind", "college"),
            ("code", "cqu-ai-x"),
            ("name", "学院中的学院"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("学院不能设在学院之下"), "{html}");
    assert!(
        html.contains(r#"id="kind-error""#),
        "told beside the kind: {html}"
    );
    assert_eq!(app.audit_len().await, before);

    // A branch moves to the new college; a college cannot move into its own branch.
    let version = |html: &str| crate::common::hidden(html, "version");
    let (_, form) = page(&s, &app, "/orgs/cqu-mse-b1/edit").await;
    assert!(
        form.contains(r#"<option value="cqu-ai">"#),
        "a parent to choose: {form}"
    );
    let (status, to) = tree_form(
        &s,
        &app,
        "/orgs/cqu-mse-b1/edit",
        &[
            ("version", &version(&form)),
            ("name", "材料学院教工第一党支部"),
            ("parent", "cqu-ai"),
        ],
    )
    .await;
    assert_eq!((status, to.as_str()), (303, "/orgs/cqu-mse-b1"));
    let token = app.token("secretary").await;
    let (_, org) = api(&app, &token, "GET", "/api/v1/orgs/cqu-mse-b1", None).await;
    assert_eq!(org["parent_code"], "cqu-ai");
    let (_, form) = page(&s, &app, "/orgs/cqu-ai/edit").await;
    let (status, html) = tree_form(
        &s,
        &app,
        "/orgs/cqu-ai/edit",
        &[
            ("version", &version(&form)),
            ("name", "人工智能学院党委"),
            ("parent", "cqu-mse-b1"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("在本组织之内"), "{html}");
    // A stale form: someone else changed the org meanwhile.
    let (status, html) = tree_form(
        &s,
        &app,
        "/orgs/cqu-mse-b1/edit",
        &[("version", "1"), ("name", "旧表单")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("已被他人修改"), "{html}");

    // Nothing sits under a branch: no form, told why.
    let (status, html) = page(&s, &app, "/orgs/cqu-mse-b1/children/new").await;
    assert_eq!(status, 422);
    assert!(html.contains("党支部之下不能设立下级组织"), "{html}");
    // A closing day still to come is refused.
    let (_, form) = page(&s, &app, "/orgs/cqu-mse-b1/close").await;
    let (status, html) = tree_form(
        &s,
        &app,
        "/orgs/cqu-mse-b1/close",
        &[("version", &version(&form)), ("closed_on", "2026-11-29")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("撤销日期不能晚于今天（2026-11-28）"),
        "{html}"
    );
    // Closing waits for the children; then the branch's holders end on the day.
    let (_, form) = page(&s, &app, "/orgs/cqu-ai/close").await;
    let (status, html) = tree_form(
        &s,
        &app,
        "/orgs/cqu-ai/close",
        &[("version", &version(&form)), ("closed_on", "2026-11-20")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("尚有 1 个下级组织未撤销") && html.contains("cqu-mse-b1"),
        "{html}"
    );
    let (_, form) = page(&s, &app, "/orgs/cqu-mse-b1/close").await;
    let (status, to) = tree_form(
        &s,
        &app,
        "/orgs/cqu-mse-b1/close",
        &[("version", &version(&form)), ("closed_on", "2026-11-20")],
    )
    .await;
    assert_eq!((status, to.as_str()), (303, "/orgs/cqu-mse-b1"));
    let post = app.post_id("cqu-mse-b1", "branch-secretary").await;
    let (_, holdings) = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/holdings?post={post}"),
        None,
    )
    .await;
    let last = holdings["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["end"], "2026-11-20", "{holdings}");
    let (_, html) = page(&s, &app, "/orgs/cqu-ai").await;
    assert!(
        html.contains("cqu-mse-b1 · 党支部 · 已撤销（2026-11-20）"),
        "{html}"
    );
    let (_, form) = page(&s, &app, "/orgs/cqu-ai/close").await;
    let (status, _) = tree_form(
        &s,
        &app,
        "/orgs/cqu-ai/close",
        &[("version", &version(&form)), ("closed_on", "2026-11-20")],
    )
    .await;
    assert_eq!(status, 303);
    // A closed org offers reopening, not children; its branch reopens only after it.
    let (_, html) = page(&s, &app, "/orgs/cqu-ai").await;
    assert!(html.contains("/orgs/cqu-ai/reopen") && !html.contains("/orgs/cqu-ai/children/new"));
    let (_, form) = page(&s, &app, "/orgs/cqu-mse-b1/reopen").await;
    let (status, html) = tree_form(
        &s,
        &app,
        "/orgs/cqu-mse-b1/reopen",
        &[("version", &version(&form))],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("已于 2026-11-20 撤销"), "{html}");
    // In English with the English UI.
    let (_, form) = page(&s, &app, "/orgs/cqu-mse-b1/reopen?lang=en").await;
    let (status, html) = tree_form(
        &s,
        &app,
        "/orgs/cqu-mse-b1/reopen?lang=en",
        &[("version", &version(&form))],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("was closed on 2026-11-20"), "{html}");

    let actions = app.audit_actions().await;
    for action in ["org.create", "org.move", "org.close", "holding.end"] {
        assert!(actions.iter().any(|a| a == action), "{action} audited");
    }
    app.db.verify_audit().await.unwrap().unwrap();
    app.finish().await;
}

#[tokio::test]
async fn the_api_moves_and_closes_orgs_only_for_who_manages_the_parent() {
    for app in TestApp::demo_on_engines().await {
        let token = app.token("secretary").await;
        let (_, b1) = api(&app, &token, "GET", "/api/v1/orgs/cqu-mse-b1", None).await;
        let v = b1["version"].as_i64().unwrap();
        // The college secretary manages the branch's parent: it may close the branch…
        let (status, body) = api(
            &app,
            &token,
            "PATCH",
            "/api/v1/orgs/cqu-mse-b1",
            Some(json!({"version": v, "closed_on": "2026-11-20"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (body["closed_on"].as_str(), body["version"].as_i64()),
            (Some("2026-11-20"), Some(v + 1))
        );
        // … but not its own college, nor move it, nor move the branch outside its scope.
        let (_, mse) = api(&app, &token, "GET", "/api/v1/orgs/cqu-mse", None).await;
        let mv = mse["version"].as_i64().unwrap();
        for patch in [
            json!({"version": mv, "closed_on": "2026-11-20"}),
            json!({"version": mv, "parent": "cqu"}),
        ] {
            let (status, body) = api(
                &app,
                &token,
                "PATCH",
                "/api/v1/orgs/cqu-mse",
                Some(patch.clone()),
            )
            .await;
            assert_eq!(status, 403, "{patch}: {body}");
        }
        let (status, body) = api(
            &app,
            &token,
            "PATCH",
            "/api/v1/orgs/cqu-mse-b1",
            Some(json!({"version": v + 1, "parent": "cqu-cs"})),
        )
        .await;
        assert_eq!(
            status, 404,
            "another college answers as one that does not exist: {body}"
        );
        // With the university's role: a move, and the tree's rules by field.
        university_secretary(&app).await;
        let (status, body) = api(
            &app,
            &token,
            "PATCH",
            "/api/v1/orgs/cqu-mse-b1",
            Some(json!({"version": v + 1, "closed_on": null, "parent": "cqu-cs"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["parent_code"], "cqu-cs");
        assert!(body["closed_on"].is_null());
        for (patch, field, message) in [
            (
                json!({"version": v + 2, "parent": "cqu-mse-b2"}),
                "parent",
                "党支部不能设在党支部之下",
            ),
            (json!({"version": mv, "parent": "cqu"}), "parent", ""),
            (
                json!({"version": mv, "closed_on": "2026-11-20"}),
                "closed_on",
                "下级组织未撤销",
            ),
        ] {
            let path = if field == "parent" && message.is_empty() {
                "/api/v1/orgs/cqu"
            } else if field == "closed_on" {
                "/api/v1/orgs/cqu-mse"
            } else {
                "/api/v1/orgs/cqu-mse-b1"
            };
            let (status, body) = api(&app, &token, "PATCH", path, Some(patch.clone())).await;
            if message.is_empty() {
                // The root has no parent to manage it from.
                assert_eq!(status, 403, "{patch}: {body}");
                continue;
            }
            assert_eq!(status, 422, "{patch}: {body}");
            let text = body["error"]["message"].as_str().unwrap();
            assert!(
                text.contains(field) && text.contains(message),
                "{patch}: {body}"
            );
        }
        // A second root is refused; the tree has one.
        let (status, body) = api(
            &app,
            &token,
            "POST",
            "/api/v1/orgs",
            Some(json!({"code": "cqu2", "name": "又一所", "kind": "university", "parent": "cqu"})),
        )
        .await;
        assert_eq!(
            status, 201,
            "a university-level committee may sit under another: {body}"
        );
        app.db.verify_audit().await.unwrap().unwrap();
        app.finish().await;
    }
}

#[tokio::test]
async fn a_new_org_gets_its_posts_and_holders_by_form_and_who_answers_for_it() {
    let app = TestApp::demo().await;
    university_secretary(&app).await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let token = app.token("secretary").await;
    let (status, _) = tree_form(
        &s,
        &app,
        "/orgs/cqu/children/new",
        &[
            ("kind", "college"),
            ("code", "cqu-ai"),
            ("name", "人工智能学院党委"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, person) = api(
        &app,
        &token,
        "POST",
        "/api/v1/people",
        Some(json!({"name": "周新", "org": "cqu-ai"})),
    )
    .await;
    assert_eq!(status, 201, "{person}");
    let zhou = person["id"].as_str().unwrap().to_string();

    // A post of a kind the policy does not give a college, then the secretary post.
    let (_, html) = page(&s, &app, "/orgs/cqu-ai").await;
    assert!(html.contains("/orgs/cqu-ai/posts/new"), "{html}");
    let (status, form) = page(&s, &app, "/orgs/cqu-ai/posts/new").await;
    assert_eq!(status, 200);
    assert!(
        form.contains(r#"<option value="secretary""#)
            && !form.contains(r#"value="branch-secretary""#)
    );
    let (status, html) = tree_form(
        &s,
        &app,
        "/orgs/cqu-ai/posts/new",
        &[("kind", "branch-secretary"), ("title", "x")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("学院不设党支部书记"), "{html}");
    let (status, html) = tree_form(
        &s,
        &app,
        "/orgs/cqu-ai/posts/new",
        &[("kind", "platform-operator"), ("portfolio", "publicity")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("不是领导班子职务"), "{html}");
    let (status, to) = tree_form(
        &s,
        &app,
        "/orgs/cqu-ai/posts/new",
        &[("kind", "secretary"), ("title", "学院党委书记")],
    )
    .await;
    assert_eq!(status, 303, "{to}");
    assert!(to.starts_with("/orgs/cqu-ai#post-"), "{to}");
    let post = to.rsplit("#post-").next().unwrap().to_string();
    let (status, html) =
        tree_form(&s, &app, "/orgs/cqu-ai/posts/new", &[("kind", "secretary")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("第一责任人职务只设一个"), "{html}");

    // The vacant post is offered for appointment; a bad end, then the appointment.
    let (_, html) = page(&s, &app, "/orgs/cqu-ai").await;
    let appoint = format!("/orgs/cqu-ai/posts/{post}/appoint");
    assert!(html.contains(&appoint), "{html}");
    let (status, html) = tree_form(
        &s,
        &app,
        &appoint,
        &[
            ("person", &zhou),
            ("start", "2026-09-01"),
            ("end", "2026-08-01"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains(r#"id="end-error""#), "{html}");
    let (status, _) = tree_form(
        &s,
        &app,
        &appoint,
        &[("person", &zhou), ("start", "2026-09-01")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, who) = api(
        &app,
        &token,
        "GET",
        "/api/v1/responsibility?org=cqu-ai&duty=annual-dedicated-study&at=2026-10-01",
        None,
    )
    .await;
    assert_eq!(who["person"]["name"], "周新", "{who}");
    // Held now: no appointment offered; a second holder on the same days is refused (API).
    let (_, html) = page(&s, &app, "/orgs/cqu-ai").await;
    assert!(!html.contains(&appoint), "{html}");
    let other = app.person_id("赵敏").await;
    let (status, body) = api(
        &app,
        &token,
        "POST",
        "/api/v1/holdings",
        Some(json!({"post": post, "person": other, "start": "2026-10-01"})),
    )
    .await;
    assert_eq!(
        status, 404,
        "a person of another college answers as unknown: {body}"
    );
    let (status, p2) = api(
        &app,
        &token,
        "POST",
        "/api/v1/people",
        Some(json!({"name": "吴桐", "org": "cqu-ai"})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = api(
        &app,
        &token,
        "POST",
        "/api/v1/holdings",
        Some(json!({"post": post, "person": p2["id"], "start": "2026-10-01"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("start"),
        "{body}"
    );
    // A post through the API, with a portfolio.
    let (status, body) = api(&app, &token, "POST", "/api/v1/posts", Some(json!({"org": "cqu-ai", "kind": "deputy-secretary", "title": "党委副书记（分管宣传）", "portfolios": ["publicity"]}))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["portfolios"][0], "publicity");
    let actions = app.audit_actions().await;
    assert!(
        actions.iter().any(|a| a == "post.create") && actions.iter().any(|a| a == "holding.create")
    );
    app.db.verify_audit().await.unwrap().unwrap();
    app.finish().await;
}

/// 一岗双责 with dates: the college secretary re-divides a portfolio on a day, by API and by
/// the post's page; who answers for it follows; overlaps, stale versions and corrections
/// without a reason are refused, told by field.
#[tokio::test]
async fn a_portfolio_is_re_divided_on_a_day_and_who_follows_the_assignment_in_force() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let (status, list) = api(
        &app,
        &token,
        "GET",
        "/api/v1/portfolio-assignments?org=cqu-mse&at=2026-11-01",
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    let publicity = items
        .iter()
        .find(|a| a["portfolio"] == "publicity")
        .unwrap()
        .clone();
    let organisation = items
        .iter()
        .find(|a| a["portfolio"] == "organisation")
        .unwrap()
        .clone();
    assert_eq!(publicity["portfolio_name"], "宣传思想");
    // The committee member may not take publicity while the deputy secretary holds it.
    let body = json!({"holding": organisation["holding"], "portfolio": "publicity", "start": "2026-12-01"});
    let (status, err) = api(
        &app,
        &token,
        "POST",
        "/api/v1/portfolio-assignments",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("portfolio：本组织已有领导分管这一领域"),
        "{err}"
    );
    // End the deputy's on 30 November (version 1), then a stale edit is refused.
    let id = publicity["id"].as_str().unwrap();
    let path = format!("/api/v1/portfolio-assignments/{id}");
    let (status, ended) = api(
        &app,
        &token,
        "PATCH",
        &path,
        Some(json!({"version": 1, "end": "2026-11-30"})),
    )
    .await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(
        (ended["end"].as_str(), ended["version"].as_i64()),
        (Some("2026-11-30"), Some(2))
    );
    let (status, _) = api(
        &app,
        &token,
        "PATCH",
        &path,
        Some(json!({"version": 1, "end": "2026-11-29"})),
    )
    .await;
    assert_eq!(status, 409);
    // A correction of a recorded end must say why.
    let (status, err) = api(
        &app,
        &token,
        "PATCH",
        &path,
        Some(json!({"version": 2, "end": "2026-11-29"})),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("reason"),
        "{err}"
    );
    let (status, _) = api(
        &app,
        &token,
        "POST",
        "/api/v1/portfolio-assignments",
        Some(body),
    )
    .await;
    assert_eq!(status, 201);
    let who = |day: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let (_, a) = api(
                app,
                &token,
                "GET",
                &format!("/api/v1/responsibility?org=cqu-mse&portfolio=publicity&at={day}"),
                None,
            )
            .await;
            a["person"]["name"].as_str().unwrap_or_default().to_string()
        }
    };
    assert_eq!(
        who("2026-11-30").await,
        publicity["person_name"].as_str().unwrap()
    );
    assert_eq!(
        who("2026-12-01").await,
        organisation["person_name"].as_str().unwrap()
    );

    // The page of the committee member's post shows both of its assignments and refuses an
    // assignment outside the holding, in English with the English interface.
    let s = app.sign_in("secretary", PASSWORD).await;
    let post = organisation["post"].as_str().unwrap();
    let (_, org_page) = page(&s, &app, "/orgs/cqu-mse").await;
    let href = format!("/orgs/cqu-mse/posts/{post}/portfolios");
    assert!(
        org_page.contains(&href),
        "the org page links the post's portfolios"
    );
    let (status, html) = page(&s, &app, &href).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("宣传思想") && html.contains(">组织<"),
        "{html}"
    );
    let (status, html) = tree_form(
        &s,
        &app,
        &href,
        &[
            ("holding", organisation["holding"].as_str().unwrap()),
            ("portfolio", "teaching"),
            ("start", "2001-01-01"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("分管日期须在任职期内"), "{html}");
    // A reader of the org (the branch secretary's branch is not this post's org) is refused.
    let branch = app.sign_in("branch", PASSWORD).await;
    let (status, _) = page(&branch, &app, &href).await;
    assert!(status == 403 || status == 404, "{status}");
}

/// A holding's wrong first day is corrected with a reason (audited as a correction, not a
/// handover); ending it on a day ends its portfolios with it; a stale version is refused.
#[tokio::test]
async fn a_holdings_dates_are_corrected_with_a_reason_and_ending_it_ends_its_portfolios() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let (_, list) = api(
        &app,
        &token,
        "GET",
        "/api/v1/portfolio-assignments?org=cqu-mse&at=2026-11-01",
        None,
    )
    .await;
    let organisation = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["portfolio"] == "organisation")
        .unwrap()
        .clone();
    let path = format!(
        "/api/v1/holdings/{}",
        organisation["holding"].as_str().unwrap()
    );
    let (status, err) = api(
        &app,
        &token,
        "PATCH",
        &path,
        Some(json!({"version": 1, "start": "2022-09-02"})),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("reason"),
        "{err}"
    );
    let (status, fixed) = api(
        &app,
        &token,
        "PATCH",
        &path,
        Some(json!({"version": 1, "start": "2022-09-02", "reason": "任命文件日期为9月2日"})),
    )
    .await;
    assert_eq!(status, 200, "{fixed}");
    assert_eq!(
        (fixed["start"].as_str(), fixed["version"].as_i64()),
        (Some("2022-09-02"), Some(2))
    );
    let (status, _) = api(
        &app,
        &token,
        "PATCH",
        &path,
        Some(json!({"version": 1, "end": "2026-11-30"})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, ended) = api(
        &app,
        &token,
        "PATCH",
        &path,
        Some(json!({"version": 2, "end": "2026-11-30"})),
    )
    .await;
    assert_eq!(status, 200, "{ended}");
    let (_, after) = api(
        &app,
        &token,
        "GET",
        "/api/v1/portfolio-assignments?org=cqu-mse&at=2026-12-01",
        None,
    )
    .await;
    assert!(
        !after["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["portfolio"] == "organisation"),
        "{after}"
    );
    let audit = app
        .db
        .audit_search(
            &zeren_storage::repo::audit_query::AuditFilter {
                object_type: Some("holding".into()),
                ..Default::default()
            },
            0,
            5,
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"holding.correct") && actions.contains(&"holding.end"),
        "{actions:?}"
    );
}
