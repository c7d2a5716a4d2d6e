//! Stories of the online events: registered by the office, approved by the leader of the
//! platform's portfolio (a major one by the first responsible person), an approval voided by a
//! later change, an event held without approval listed as an indicator; bad input, the wrong
//! approver, one's own event and an approval after the event refused with nothing stored.

use crate::common::{PASSWORD, TestApp, api, page, submit};
use serde_json::{Value, json};

fn lecture(responsible: &str, starts: &str, ends: &str, audience: u32) -> Value {
    json!({
        "title": "网络安全与舆论引导直播讲座", "form": "livestream", "org": "cqu-mse",
        "organiser": "材料科学与工程学院党委", "responsible": responsible,
        "speakers": [{"name": "李明", "affiliation": "重庆大学新闻学院"}],
        "starts_at": starts, "ends_at": ends, "platform": "cqu-mse-wechat",
        "audience": audience, "outline": "网络舆论的形成与引导；高校网络阵地管理。",
    })
}

#[tokio::test]
async fn a_livestream_lecture_is_registered_and_approved_by_the_right_leader() {
    let app = TestApp::demo().await;
    let staff = app.token("staff").await;
    let secretary = app.token("secretary").await;
    let leader = app.token("leader").await;
    let liu = app.person_id("刘佳").await;

    // Bad input: a platform of another college, an end before the start; nothing stored.
    let before = app.audit_len().await;
    let mut bad = lecture(&liu, "2026-12-15 19:00", "2026-12-15 18:00", 300);
    bad["platform"] = json!("cqu-cs-wechat");
    let (status, v) = api(&app, &staff, "POST", "/api/v1/events", Some(bad)).await;
    assert_eq!(status, 422, "{v}");
    let fields: Vec<&str> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"platform") && fields.contains(&"ends_at"),
        "{v}"
    );
    assert_eq!(app.audit_len().await, before, "nothing stored");
    // A leader reads events, does not register them.
    let (status, _) = api(
        &app,
        &leader,
        "POST",
        "/api/v1/events",
        Some(lecture(&liu, "2026-12-15 19:00", "2026-12-15 21:00", 300)),
    )
    .await;
    assert_eq!(status, 403);

    let (status, v) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/events",
        Some(lecture(&liu, "2026-12-15 19:00", "2026-12-15 21:00", 300)),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["state"], "registered");
    assert_eq!(v["major"], false);
    assert_eq!(
        v["approver"]["name"], "赵敏",
        "the leader in charge of publicity: {v}"
    );
    assert_eq!(v["approve_by"], "2026-12-08");
    assert_eq!(v["obligations"][0]["duty"], "online-event-registration");
    assert_eq!(v["obligations"][0]["state"], "open");
    let id = v["id"].as_str().unwrap().to_string();

    // The secretary is not this event's approver: refused, naming who is.
    let (status, e) = api(
        &app,
        &secretary,
        "POST",
        &format!("/api/v1/events/{id}/decision"),
        Some(json!({"version": 1, "decision": "approve"})),
    )
    .await;
    assert_eq!(status, 403, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("赵敏"),
        "{e}"
    );

    // The leader approves through the page.
    let s = app.sign_in("leader", PASSWORD).await;
    let (status, html) = page(&s, &app, &format!("/events/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("同意"),
        "the decision form is offered to the approver: {html}"
    );
    let r = submit(
        &s,
        &app,
        &format!("/events/{id}/decision"),
        &[
            ("version", "1"),
            ("decision", "approve"),
            ("note", "同意举办"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, v) = api(&app, &staff, "GET", &format!("/api/v1/events/{id}"), None).await;
    assert_eq!(v["state"], "approved", "{v}");
    assert_eq!(v["decided_on"], "2026-11-28");
    assert_eq!(v["obligations"][0]["state"], "done", "{v}");

    // A change after approval voids it: the event waits again, its obligation is open.
    let mut changed = lecture(&liu, "2026-12-16 19:00", "2026-12-16 21:00", 300);
    changed["version"] = v["version"].clone();
    let (status, v) = api(
        &app,
        &staff,
        "PATCH",
        &format!("/api/v1/events/{id}"),
        Some(changed),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "registered");
    assert_eq!(v["changed_after_approval"], true);
    assert_eq!(v["obligations"][0]["state"], "open", "{v}");
    // A stale version is a conflict.
    let mut stale = lecture(&liu, "2026-12-16 19:00", "2026-12-16 21:00", 300);
    stale["version"] = json!(1);
    let (status, _) = api(
        &app,
        &staff,
        "PATCH",
        &format!("/api/v1/events/{id}"),
        Some(stale),
    )
    .await;
    assert_eq!(status, 409);

    // A major event (2 000 expected) is approved by the first responsible person.
    let (_, v) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/events",
        Some(lecture(&liu, "2026-12-18 19:00", "2026-12-18 21:00", 2000)),
    )
    .await;
    assert_eq!(v["major"], true, "{v}");
    let major = v["id"].as_str().unwrap().to_string();
    let (status, _) = api(
        &app,
        &leader,
        "POST",
        &format!("/api/v1/events/{major}/decision"),
        Some(json!({"version": 1, "decision": "approve"})),
    )
    .await;
    assert_eq!(
        status, 403,
        "a major event is not the portfolio leader's to approve"
    );
    let (status, v) = api(
        &app,
        &secretary,
        "POST",
        &format!("/api/v1/events/{major}/decision"),
        Some(json!({"version": 1, "decision": "approve"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["obligations"][0]["state"], "done");
    // Rejected after all (before it starts): what the approval discharged is owed again.
    let (status, v) = api(
        &app,
        &secretary,
        "POST",
        &format!("/api/v1/events/{major}/decision"),
        Some(json!({"version": v["version"], "decision": "reject", "note": "嘉宾调整，暂缓举办"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "rejected");
    assert_eq!(v["obligations"][0]["state"], "open", "{v}");

    // An event already held without approval: no approval now, and it is an indicator.
    let (_, v) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/events",
        Some(lecture(&liu, "2026-11-20 19:00", "2026-11-20 21:00", 200)),
    )
    .await;
    let held = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["unapproved"], true, "{v}");
    let (status, e) = api(
        &app,
        &leader,
        "POST",
        &format!("/api/v1/events/{held}/decision"),
        Some(json!({"version": 1, "decision": "approve"})),
    )
    .await;
    assert_eq!(status, 403, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不能再审批"),
        "{e}"
    );
    let (status, html) = page(&s, &app, "/events?org=cqu-mse").await;
    assert_eq!(status, 200);
    assert!(html.contains("未经审批即举办"), "{html}");
    // Its record after the event.
    let (status, v) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/events/{held}/held"),
        Some(json!({"version": 1, "outcome": "held", "audience": 180, "summary": "按计划举办。"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["held"]["audience"], 180);

    // The indicators view lists it under Art.5(7), with the approver of its day; the
    // discipline commission reads it across the university.
    let discipline = app.token("discipline").await;
    let (status, v) = api(
        &app,
        &discipline,
        "GET",
        "/api/v1/indicators?org=cqu-mse&ground=art5-7",
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["evidence_href"].as_str().unwrap().contains(&held))
        .unwrap_or_else(|| panic!("the unapproved event is an indicator: {v}"));
    assert_eq!(item["fact"], "event-unapproved");
    assert_eq!(item["citation"], "Art.5(7)");
    assert_eq!(item["person"], "赵敏");
    let (status, _) = api(
        &app,
        &discipline,
        "GET",
        "/api/v1/indicators?ground=art5-9",
        None,
    )
    .await;
    assert_eq!(status, 422);
    // Counted per ground, 50 a page.
    let (_, all) = api(&app, &discipline, "GET", "/api/v1/indicators", None).await;
    let n = all["items"].as_array().unwrap().len() as u64;
    assert!(n < 50, "{all}");
    assert_eq!(all["total"], n);
    assert_eq!(
        all["counts"]["art5-6"].as_u64().unwrap() + all["counts"]["art5-7"].as_u64().unwrap(),
        n
    );
    assert_eq!(all["per_page"], 50);
    let (status, next) = api(&app, &discipline, "GET", "/api/v1/indicators?page=2", None).await;
    assert_eq!(status, 200);
    assert_eq!(next["items"], json!([]));
    assert_eq!(next["total"], n);
    let (status, bad) = api(&app, &discipline, "GET", "/api/v1/indicators?page=0", None).await;
    assert_eq!(status, 422, "{bad}");
    let message = bad["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("page") && message.contains("「0」"),
        "{bad}"
    );

    // An event that began weeks ago unapproved and was then recorded as not held is no
    // indicator; its approval, overdue since, is not listed again as a platform duty.
    let (_, v) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/events",
        Some(lecture(&liu, "2026-10-10 19:00", "2026-10-10 21:00", 120)),
    )
    .await;
    let cancelled = v["id"].as_str().unwrap().to_string();
    let approval = v["obligations"][0]["id"].as_str().unwrap().to_string();
    let listed = |v: &Value, id: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["evidence_href"].as_str().unwrap().contains(id))
    };
    let (_, v) = api(&app, &discipline, "GET", "/api/v1/indicators", None).await;
    assert!(listed(&v, &cancelled), "{v}");
    assert!(!listed(&v, &approval), "{v}");
    assert_eq!(
        v["counts"]["art5-7"],
        all["counts"]["art5-7"].as_u64().unwrap() + 1
    );
    let (status, e) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/events/{cancelled}/held"),
        Some(json!({"version": 1, "outcome": "cancelled", "audience": 0, "summary": "未获审批，取消举办。"})),
    )
    .await;
    assert_eq!(status, 200, "{e}");
    let (_, v) = api(&app, &discipline, "GET", "/api/v1/indicators", None).await;
    assert!(!listed(&v, &cancelled), "{v}");
    assert_eq!(v["counts"], all["counts"]);
    let (status, html) = page(&s, &app, "/indicators?org=cqu-mse").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("未经审批即举办") && html.contains("art5-7"),
        "{html}"
    );

    // The printable ledger lists them all.
    let (status, html) = page(&s, &app, "/events?org=cqu-mse&print=1").await;
    assert_eq!(status, 200);
    assert!(html.contains("网上活动台账"), "{html}");
}

/// The indicators found for one reader are kept for the next one only when they ask for the
/// same facts: a college's secretary reading right after the university's discipline inspector
/// sees their college's facts, not the university's, and links in the language they chose.
#[tokio::test]
async fn indicators_kept_for_one_reader_are_never_shown_to_another_scope() {
    let app = TestApp::demo().await;
    let discipline = app.token("discipline").await;
    let secretary = app.token("secretary").await;
    let (status, all) = api(&app, &discipline, "GET", "/api/v1/indicators", None).await;
    assert_eq!(status, 200, "{all}");
    let (status, mine) = api(&app, &secretary, "GET", "/api/v1/indicators", None).await;
    assert_eq!(status, 200, "{mine}");
    let model = app.db.load_model().await.unwrap();
    let mse = model.find_org("cqu-mse").unwrap().id.clone();
    let college: Vec<String> = model.subtree(&mse).iter().map(|o| o.name.clone()).collect();
    let orgs = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["org"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        orgs(&all).iter().any(|o| !college.contains(o)),
        "the university has facts outside the college: {all}"
    );
    assert!(orgs(&mine).iter().all(|o| college.contains(o)), "{mine}");
    assert!(mine["total"].as_u64() < all["total"].as_u64());

    // The same scope asked with `?lang=en` is found again, in English, its links carrying it.
    let (_, en) = api(&app, &secretary, "GET", "/api/v1/indicators?lang=en", None).await;
    assert_eq!(en["total"], mine["total"]);
    let href = en["items"][0]["subject_href"].as_str().unwrap();
    assert!(href.contains("lang=en"), "{href}");
    app.finish().await;
}
