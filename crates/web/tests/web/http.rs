//! The web layer over real HTTP, on a bare ledger (the harness's [`TestApp::bare`]: the
//! university and one supervisor, the reader, whose API token the stories use): health, the
//! policy pages and API, errors, assets, limits and the OpenAPI document.
//!
//! Most stories run on SQLite only; the health and policy API stories also run on PostgreSQL
//! when `ZEREN_TEST_POSTGRES` names a server (via the storage crate's test databases).

use crate::common::{
    Kind, READER, TestApp, assert_error, assert_security_headers, get_anonymous, get_as, get_with,
    json, route_table,
};

#[tokio::test]
async fn health_and_policy_api_on_every_engine() {
    for app in TestApp::bare_on_engines().await {
        let label = app.label;
        let token = app.token(READER).await;

        let resp = get_as(&app, &token, "/api/v1/health").await;
        assert_eq!(resp.status(), 200, "{label}");
        assert_security_headers(&resp);
        assert_eq!(resp.headers()["cache-control"], "no-store");
        let body = json(resp).await;
        assert_eq!(
            body,
            serde_json::json!({
                "status": "ok",
                "version": env!("CARGO_PKG_VERSION"),
                "database": label,
            })
        );

        let body = json(get_as(&app, &token, "/api/v1/policies").await).await;
        assert_eq!(body["policies"][0]["id"], "cqu-mse-2021-6", "{label}");
        let resp = get_as(&app, &token, "/api/v1/policies/cqu-mse-2021-6").await;
        assert_eq!(resp.status(), 200, "{label}");
        assert_eq!(json(resp).await["articles"].as_array().unwrap().len(), 8);

        app.finish().await;
    }
}

#[tokio::test]
async fn database_gone_is_503() {
    let app = TestApp::bare().await;
    let token = app.token(READER).await;
    // The state's Db shares this pool: closing it makes every query fail.
    app.db.close().await;

    let resp = get_as(&app, &token, "/api/v1/health").await;
    assert_eq!(resp.status(), 503);
    assert_security_headers(&resp);
    let body = json(resp).await;
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["database"], "sqlite");

    let resp = get_as(&app, &token, "/api/v1/policies").await;
    assert_eq!(resp.status(), 503);
    assert_error(&json(resp).await, "database_unavailable");

    let resp = get_as(&app, &token, "/").await;
    assert_eq!(resp.status(), 503);
    let html = resp.text().await.unwrap();
    assert!(html.contains("数据库暂时无法访问"));
    app.finish().await;
}

#[tokio::test]
async fn landing_page_says_what_zeren_is_and_links_the_policy() {
    let app = TestApp::bare().await;
    let resp = get_anonymous(&app, "/").await;
    assert_eq!(resp.status(), 200);
    assert_security_headers(&resp);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    for text in [
        "网络意识形态工作责任制",
        "第一责任人",
        "分管领域",
        "规定动作",
        "佐证材料",
        "问责",
        "考核",
        "重大材料委〔2021〕6号",
        "材料科学与工程学院网络意识形态工作责任制实施细则",
        "2021-05-13",
        "href=\"/policies/cqu-mse-2021-6\"",
        "/assets/app.css?v=",
    ] {
        assert!(html.contains(text), "landing page lacks {text}");
    }
    let lower = html.to_lowercase();
    for banned in ["coming soon", "lorem", "todo", "placeholder", "敬请期待"] {
        assert!(!lower.contains(banned), "landing page says {banned}");
    }
    assert!(!html.contains("<script"), "no JS needed");
    app.finish().await;
}

#[tokio::test]
async fn policy_page_has_every_article_and_the_tables() {
    let app = TestApp::bare().await;
    let token = app.token(READER).await;
    let resp = get_as(&app, &token, "/policies/cqu-mse-2021-6").await;
    assert_eq!(resp.status(), 200);
    assert_security_headers(&resp);
    let html = resp.text().await.unwrap();
    for n in ["一", "二", "三", "四", "五", "六", "七", "八"] {
        assert!(html.contains(&format!("第{n}条")), "lacks 第{n}条");
    }
    for text in [
        "本细则自印发之日起施行。",
        "id=\"art-4-6\"",
        "id=\"art-8\"",
        "href=\"#art-4-6\"",
        "art5-9",
        "其他应当问责的失职失责情形。",
        "中共重庆大学材料科学与工程学院委员会",
        "2021-05-12",
        "2021-05-13",
        "《中国共产党问责条例》",
        "annual-dedicated-study",
        "党委会会议记录",
        "每年12月31日前",
        "第一责任人",
        "发文字号",
        "制定依据",
        "权重",
        ">100<",
        "现行有效",
    ] {
        assert!(html.contains(text), "policy page lacks {text}");
    }
    // Text from the pack is escaped, not interpreted: the seed's ＜＞ and <> brackets survive.
    assert!(html.contains("&#60;重庆大学网络意识形态工作责任制实施细则&#62;"));
    app.finish().await;
}

#[tokio::test]
async fn english_ui_by_query_or_header() {
    let app = TestApp::bare().await;
    let token = app.token(READER).await;
    let html = get_as(&app, &token, "/policies/cqu-mse-2021-6?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    for text in [
        "Document number",
        "Issued by",
        "Grounds for accountability",
        "Duties",
        "Weight",
        "In force from",
        "By December 31 each year",
        "Art.4(6)",
        // Verbatim article text stays Chinese.
        "本细则自印发之日起施行。",
    ] {
        assert!(html.contains(text), "English page lacks {text}");
    }
    assert!(!html.contains("发文字号"));
    // The explicit choice is carried on internal links.
    assert!(html.contains("href=\"/?lang=en\""));

    let resp = get_with(&app, None, "/", &[("accept-language", "en-US,en;q=0.9")]).await;
    assert_eq!(resp.headers()["vary"], "Accept-Language");
    let html = resp.text().await.unwrap();
    assert!(html.contains("What the ledger keeps"));
    assert!(html.contains("href=\"/policies/cqu-mse-2021-6\""));

    let html = get_with(
        &app,
        None,
        "/",
        &[("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")],
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(html.contains("台账记载什么"));
    app.finish().await;
}

#[tokio::test]
async fn policies_api_lists_and_shows_the_pack() {
    let app = TestApp::bare().await;
    let token = app.token(READER).await;
    let resp = get_as(&app, &token, "/api/v1/policies").await;
    assert_eq!(resp.status(), 200);
    let body = json(resp).await;
    let list = body["policies"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let p = &list[0];
    assert_eq!(p["id"], "cqu-mse-2021-6");
    assert_eq!(p["series"], "cqu-mse-online-ideology");
    assert_eq!(p["version"], 1);
    assert_eq!(p["document_number"], "重大材料委〔2021〕6号");
    assert_eq!(p["effective_from"], "2021-05-13");
    assert_eq!(p["effective_until"], serde_json::Value::Null);
    assert_eq!(p["builtin"], true);
    assert_eq!(p["in_force"], true);

    let resp = get_as(&app, &token, "/api/v1/policies/cqu-mse-2021-6").await;
    assert_eq!(resp.status(), 200);
    assert_security_headers(&resp);
    let pack = json(resp).await;
    assert_eq!(pack["meta"]["id"], "cqu-mse-2021-6");
    assert_eq!(pack["meta"]["adopted_on"], "2021-05-12");
    let articles = pack["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 8);
    let item = &articles[3]["items"][5];
    assert_eq!(item["citation"], "Art.4(6)");
    assert_eq!(item["citation_zh"], "第四条第（六）项");
    assert_eq!(item["anchor"], "art-4-6");
    assert_eq!(articles[7]["citation_zh"], "第八条");
    assert_eq!(articles[7]["text"], "本细则自印发之日起施行。");
    assert_eq!(pack["grounds"].as_array().unwrap().len(), 9);
    assert_eq!(pack["grounds"][8]["id"], "art5-9");
    assert_eq!(pack["duties"][0]["id"], "annual-dedicated-study");
    assert_eq!(pack["duties"][0]["articles"][0], "Art.4(2)");
    let weights: f64 = pack["assessment"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["weight"].as_f64().unwrap())
        .sum();
    assert_eq!(weights, 100.0);
    app.finish().await;
}

#[tokio::test]
async fn unknown_things_are_404_in_the_right_shape() {
    let app = TestApp::bare().await;
    let token = app.token(READER).await;

    let resp = get_as(&app, &token, "/api/v1/policies/nope").await;
    assert_eq!(resp.status(), 404);
    assert_security_headers(&resp);
    let body = json(resp).await;
    assert_error(&body, "policy_not_found");
    assert!(body["error"]["message"].as_str().unwrap().contains("nope"));

    let resp = get_as(&app, &token, "/api/v1/nope").await;
    assert_eq!(resp.status(), 404);
    assert_security_headers(&resp);
    assert_error(&json(resp).await, "route_not_found");

    for path in [
        "/api/v1",
        "/api/v1/",
        "/api/v2/policies",
        "/api/v1/policies/",
    ] {
        let resp = get_as(&app, &token, path).await;
        assert_eq!(resp.status(), 404, "{path}");
        assert_error(&json(resp).await, "route_not_found");
    }

    let resp = get_with(
        &app,
        Some(&token),
        "/api/v1/nope/deeper",
        &[("accept-language", "en")],
    )
    .await;
    assert_eq!(resp.status(), 404);
    let body = json(resp).await;
    assert_error(&body, "route_not_found");
    assert_eq!(
        body["error"]["message"],
        "No such API endpoint: /api/v1/nope/deeper"
    );

    let resp = app
        .client()
        .post(app.url("/api/v1/policies"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_error(&json(resp).await, "method_not_allowed");

    // Pages answer 404 in HTML, and never echo input unescaped.
    let resp = get_as(&app, &token, "/policies/%3Cscript%3E").await;
    assert_eq!(resp.status(), 404);
    assert_security_headers(&resp);
    let html = resp.text().await.unwrap();
    assert!(html.contains("&#60;script&#62;"));
    assert!(!html.contains("<script>"));

    let resp = get_as(&app, &token, "/no/such/page").await;
    assert_eq!(resp.status(), 404);
    assert_security_headers(&resp);
    assert!(resp.text().await.unwrap().contains("页面不存在"));
    app.finish().await;
}

#[tokio::test]
async fn stylesheet_is_embedded_and_cached() {
    let app = TestApp::bare().await;
    let token = app.token(READER).await;
    let resp = get_as(&app, &token, "/assets/app.css").await;
    assert_eq!(resp.status(), 200);
    assert_security_headers(&resp);
    let h = resp.headers();
    assert_eq!(h["content-type"], "text/css; charset=utf-8");
    assert!(
        h["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
    let css = resp.text().await.unwrap();
    assert!(css.contains("PingFang SC"));
    assert!(css.contains("@media print"));
    assert!(!css.contains("http://") && !css.contains("https://") && !css.contains("@import"));
    app.finish().await;
}

#[tokio::test]
async fn large_bodies_are_refused() {
    let app = TestApp::bare().await;
    let resp = app
        .client()
        .post(app.url("/api/v1/policies"))
        .body(vec![b'x'; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    app.finish().await;
}

#[tokio::test]
async fn openapi_lists_every_api_route() {
    let app = TestApp::bare().await;
    let doc = json(get_anonymous(&app, "/api/v1/openapi.json").await).await;
    assert_eq!(doc["openapi"], "3.0.3");
    let mut api_routes = 0;
    for r in route_table().iter().filter(|r| r.kind == Kind::Api) {
        let op = &doc["paths"][&r.path][r.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is missing from openapi.json",
            r.method,
            r.path
        );
        assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()));
        api_routes += 1;
    }
    assert!(api_routes > 30, "only {api_routes} API routes");
    // Uploads take files, not JSON; a JSON write says so too.
    let upload =
        &doc["paths"]["/api/v1/records/{id}/attachments"]["post"]["requestBody"]["content"];
    assert_eq!(
        upload["multipart/form-data"]["schema"]["properties"]["file"]["items"]["format"],
        "binary"
    );
    assert!(upload.get("application/json").is_none(), "{upload}");
    let create = &doc["paths"]["/api/v1/records"]["post"]["requestBody"]["content"];
    assert!(create.get("application/json").is_some(), "{create}");
    app.finish().await;
}
