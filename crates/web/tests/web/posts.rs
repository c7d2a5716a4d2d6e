//! Posts closed and reopened, holdings ended or corrected, by form and through the API, as the
//! demo's college secretary would: each form carries the version it showed (409 when someone
//! changed the thing meanwhile), bad input is told by field in the user's language, and only
//! those who manage the org may do any of it.

use crate::common::{PASSWORD, TestApp, api, hidden, page};
use crate::orgs::tree_form as post_form;
use serde_json::{Value, json};

/// The demo college's committee member who holds the organisation portfolio: (post id,
/// holding id, assignment id).
async fn organisation_holder(app: &TestApp, token: &str) -> (String, String, String) {
    let (status, list) = api(
        app,
        token,
        "GET",
        "/api/v1/portfolio-assignments?org=cqu-mse&at=2026-11-01",
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let a = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["portfolio"] == "organisation")
        .unwrap()
        .clone();
    let s = |k: &str| a[k].as_str().unwrap().to_string();
    (s("post"), s("holding"), s("id"))
}

fn message(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap_or_default()
}

async fn audit_actions(app: &TestApp, object_type: &str) -> Vec<String> {
    app.db
        .audit_search(
            &zeren_storage::repo::audit_query::AuditFilter {
                object_type: Some(object_type.into()),
                ..Default::default()
            },
            0,
            20,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn a_post_is_closed_by_form_once_its_holding_is_ended_by_form_and_reopened() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let (post, holding, _) = organisation_holder(&app, &token).await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let close = format!("/orgs/cqu-mse/posts/{post}/close");
    let reopen = format!("/orgs/cqu-mse/posts/{post}/reopen");
    let edit = format!("/orgs/cqu-mse/posts/{post}/holdings/{holding}");
    let (_, org_page) = page(&s, &app, "/orgs/cqu-mse").await;
    assert!(
        org_page.contains(&close) && org_page.contains(&edit),
        "the org page links the post's closing and its holding's form"
    );

    // The closing form shows the version it carries and the holding in the way.
    let (status, html) = page(&s, &app, &close).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(hidden(&html, "version"), "1");
    assert!(
        html.contains("该日期之后仍有效的任职") && html.contains(&edit),
        "{html}"
    );
    let (status, html) = post_form(
        &s,
        &app,
        &close,
        &[("version", "1"), ("closed_on", "2026-11-27")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("请先结束该任职再撤销职务"), "{html}");
    let (status, html) = post_form(
        &s,
        &app,
        &close,
        &[("version", "1"), ("closed_on", "2026-13-01")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("日期“2026-13-01”无效"), "{html}");

    // The holding's form: a correction says why, a bad day is named, an end needs no reason.
    let (status, html) = page(&s, &app, &edit).await;
    assert_eq!(status, 200, "{html}");
    let version = hidden(&html, "version");
    let start = hidden(&html, "start");
    assert_eq!(version, "1");
    // The form as shown (version 1), with these days and reason.
    let edit_form = |start: &str, end: &str, reason: &str| {
        let fields = [
            ("version", "1".to_string()),
            ("start", start.to_string()),
            ("end", end.to_string()),
            ("reason", reason.to_string()),
        ];
        let (s, app, edit) = (&s, &app, edit.clone());
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(s, app, &edit, &fields).await
        }
    };
    let (status, html) = edit_form("2001-01-01", "", "").await;
    assert_eq!(status, 422);
    assert!(html.contains("更正任职日期须写明原因"), "{html}");
    let (status, html) = edit_form(&start, "11/27", "").await;
    assert_eq!(status, 422);
    assert!(html.contains("日期“11/27”无效"), "{html}");
    let (status, to) = edit_form(&start, "2026-11-27", "").await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("/orgs/cqu-mse#post-{post}").as_str())
    );
    // The same form again, with the version it showed: someone changed the holding meanwhile.
    let (status, html) = edit_form(&start, "2026-11-26", "记错").await;
    assert_eq!(status, 409);
    assert!(html.contains("该任职已被他人修改"), "{html}");

    // Ended, the post is a vacancy on the getting-started page…
    let vacancy = format!("/posts/{post}/appoint");
    let (_, start_page) = page(&s, &app, "/orgs/cqu-mse/start").await;
    assert!(start_page.contains(&vacancy), "{start_page}");
    // …until it closes: it keeps its history and is offered to no one.
    let (status, to) = post_form(
        &s,
        &app,
        &close,
        &[("version", "1"), ("closed_on", "2026-11-27")],
    )
    .await;
    assert_eq!(status, 303, "{to}");
    let (_, org_page) = page(&s, &app, "/orgs/cqu-mse").await;
    assert!(org_page.contains("已撤销（2026-11-27）"), "{org_page}");
    assert!(!org_page.contains(&format!("/orgs/cqu-mse/posts/{post}/appoint")));
    let (status, html) = page(&s, &app, &format!("/orgs/cqu-mse/posts/{post}/appoint")).await;
    assert_eq!(status, 422);
    assert!(html.contains("该职务已于 2026-11-27 撤销"), "{html}");
    let (_, start_page) = page(&s, &app, "/orgs/cqu-mse/start").await;
    assert!(
        !start_page.contains(&vacancy),
        "a closed post is no vacancy"
    );

    // Its page now offers reopening, with the new version; a stale one is refused.
    let (status, html) = page(&s, &app, &close).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("action=\"{reopen}")), "{html}");
    assert_eq!(hidden(&html, "version"), "2");
    let (status, html) = post_form(&s, &app, &reopen, &[("version", "1")]).await;
    assert_eq!(status, 409);
    assert!(html.contains("该职务已被他人修改"), "{html}");
    let (status, _) = post_form(&s, &app, &reopen, &[("version", "2")]).await;
    assert_eq!(status, 303);
    let (_, org_page) = page(&s, &app, "/orgs/cqu-mse").await;
    assert!(!org_page.contains("已撤销（2026-11-27）"));
    // An open post does not reopen: told in the interface's language.
    let (status, html) =
        post_form(&s, &app, &format!("{reopen}?lang=en"), &[("version", "3")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("The post is open; there is nothing to reopen."),
        "{html}"
    );

    let posts = audit_actions(&app, "post").await;
    assert!(
        posts.contains(&"post.close".into()) && posts.contains(&"post.reopen".into()),
        "{posts:?}"
    );
    let holdings = audit_actions(&app, "holding").await;
    assert!(holdings.contains(&"holding.end".into()), "{holdings:?}");

    // Those who do not manage the org are refused; those outside it are told it is not there.
    let leader = app.sign_in("leader", PASSWORD).await;
    let (status, _) = page(&leader, &app, &close).await;
    assert_eq!(status, 403);
    let (status, _) = post_form(
        &leader,
        &app,
        &edit,
        &[("version", "2"), ("end", "2026-11-20")],
    )
    .await;
    assert_eq!(status, 403);
    let branch = app.sign_in("branch", PASSWORD).await;
    let (status, _) = post_form(
        &branch,
        &app,
        &close,
        &[("version", "3"), ("closed_on", "2026-11-27")],
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_api_closes_and_reopens_a_post_with_its_version_and_says_what_stands_in_the_way() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let (post, holding, _) = organisation_holder(&app, &token).await;
    let path = format!("/api/v1/posts/{post}");
    let patch = |body: Value| {
        let (app, token, path) = (&app, token.clone(), path.clone());
        async move { api(app, &token, "PATCH", &path, Some(body)).await }
    };
    let (status, err) = patch(json!({"version": 1, "closed_on": "2026-11-27"})).await;
    assert_eq!(status, 422, "{err}");
    assert!(
        message(&err).starts_with("closed_on：该职务在 2026-11-27 之后仍有任职"),
        "{err}"
    );
    let (status, err) = patch(json!({"version": 1, "closed_on": "27 Nov"})).await;
    assert_eq!(status, 422, "{err}");
    assert!(message(&err).starts_with("closed_on"), "{err}");
    let (status, err) = patch(json!({"version": 1, "closed": "2026-11-27"})).await;
    assert_eq!(status, 422, "an unknown field is refused: {err}");

    let (status, ended) = api(
        &app,
        &token,
        "PATCH",
        &format!("/api/v1/holdings/{holding}"),
        Some(json!({"version": 1, "end": "2026-11-27"})),
    )
    .await;
    assert_eq!(status, 200, "{ended}");
    let (status, err) = patch(json!({"version": 1, "closed_on": "2026-11-29"})).await;
    assert_eq!(status, 422, "a day to come: {err}");
    let (status, closed) = patch(json!({"version": 1, "closed_on": "2026-11-27"})).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(
        (closed["closed_on"].as_str(), closed["version"].as_i64()),
        (Some("2026-11-27"), Some(2))
    );
    let (status, _) = patch(json!({"version": 1, "closed_on": null})).await;
    assert_eq!(status, 409);
    // Nobody is appointed to it after its closing day.
    let person = ended["person"].as_str().unwrap();
    let (status, err) = api(
        &app,
        &token,
        "POST",
        "/api/v1/holdings",
        Some(json!({"post": post, "person": person, "start": "2026-11-28"})),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert!(
        message(&err).starts_with("post：该职务已于 2026-11-27 撤销"),
        "{err}"
    );
    let (_, posts) = api(&app, &token, "GET", "/api/v1/posts?org=cqu-mse", None).await;
    let listed = posts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == post.as_str())
        .unwrap();
    assert_eq!(listed["closed_on"], "2026-11-27");

    // Roles without the right to manage the org are refused; orgs outside the scope are absent.
    let leader = app.token("leader").await;
    let (status, _) = api(
        &app,
        &leader,
        "PATCH",
        &path,
        Some(json!({"version": 2, "closed_on": null})),
    )
    .await;
    assert_eq!(status, 403);
    let branch = app.token("branch").await;
    let (status, _) = api(
        &app,
        &branch,
        "PATCH",
        &path,
        Some(json!({"version": 2, "closed_on": null})),
    )
    .await;
    assert_eq!(status, 404);

    let (status, reopened) = patch(json!({"version": 2, "closed_on": null})).await;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!(
        (reopened["closed_on"].clone(), reopened["version"].as_i64()),
        (Value::Null, Some(3))
    );
    // `null` states the wanted value: an open post stays open, nothing changes.
    let (status, same) = patch(json!({"version": 3, "closed_on": null})).await;
    assert_eq!((status, same["version"].as_i64()), (200, Some(3)), "{same}");
}

/// The portfolio end form carries the version each assignment had when the page was shown: a
/// change made meanwhile (here through the API) is refused, not overwritten.
#[tokio::test]
async fn the_portfolio_end_form_carries_the_version_it_showed() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let (post, _, assignment) = organisation_holder(&app, &token).await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let href = format!("/orgs/cqu-mse/posts/{post}/portfolios");
    let (status, html) = page(&s, &app, &href).await;
    assert_eq!(status, 200);
    assert_eq!(
        hidden(&html, &format!("version-{assignment}")),
        "1",
        "{html}"
    );
    let (status, changed) = api(
        &app,
        &token,
        "PATCH",
        &format!("/api/v1/portfolio-assignments/{assignment}"),
        Some(json!({"version": 1, "end": "2026-12-31"})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    let end = |version: &'static str, reason: &'static str| {
        let (s, app, href, assignment) = (&s, &app, format!("{href}/end"), assignment.clone());
        async move {
            let field = format!("version-{assignment}");
            let fields = [
                ("assignment", assignment.as_str()),
                ("end", "2026-11-30"),
                ("reason", reason),
                (field.as_str(), version),
            ];
            post_form(s, app, &href, &fields).await
        }
    };
    let (status, html) = end("1", "").await;
    assert_eq!(status, 409);
    assert!(html.contains("该分管记录已被他人修改"), "{html}");
    // With the version it has now, a correction of the recorded end says why.
    let (status, html) = end("2", "").await;
    assert_eq!(status, 422);
    assert!(html.contains("更正分管日期须写明原因"), "{html}");
    let (status, _) = end("2", "分工调整提前").await;
    assert_eq!(status, 303);
}
