//! Stories of the incidents: recorded by the college office on the college's WeChat account,
//! raised to 重大 (the secretary told at once), handled against its clocks, refused closure
//! until the secretary's own handling and sign-off, closed with its review; a clock run out
//! reaching the handler, the portfolio's leader and then the secretary; bad input, a stale
//! version, another college's reader and the wrong person's sign-off refused with nothing
//! stored.

use crate::common::{
    PASSWORD, TestApp, api, multipart_form, page, sheet_rows, submit, submit_multipart, workbook,
};
use serde_json::{Value, json};
use zeren_core::Clock;

fn incident(handler: &str, severity: &str, noticed: &str) -> Value {
    json!({
        "title": "学院公众号推文评论区出现不实信息", "org": "cqu-mse",
        "platform": "cqu-mse-wechat", "noticed_at": noticed, "channel": "self-found",
        "source": "公众号后台留言管理", "facts": "11月28日推文评论区出现关于招生政策的不实说法，已被转发。",
        "severity": severity, "handler": handler,
    })
}

fn fields(v: &Value) -> Vec<String> {
    v["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_incident_is_raised_to_major_signed_off_by_the_secretary_and_closed() {
    let app = TestApp::demo().await;
    let staff = app.token("staff").await;
    let secretary = app.token("secretary").await;
    let leader = app.token("leader").await;
    let liu = app.person_id("刘佳").await;

    // Bad input: a severity off the scale, a time in the future, no facts; nothing stored.
    let before = app.audit_len().await;
    let mut bad = incident(&liu, "catastrophic", "2026-11-28 13:00");
    bad["facts"] = json!("");
    let (status, v) = api(&app, &staff, "POST", "/api/v1/incidents", Some(bad)).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(fields(&v), ["noticed_at", "facts", "severity"], "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不在制度的分级中"),
        "{v}"
    );
    assert_eq!(app.audit_len().await, before, "nothing stored");

    let (status, v) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/incidents",
        Some(incident(&liu, "general", "2026-11-28 09:00")),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["severity"]["name"], "一般");
    assert_eq!(v["platform"]["code"], "cqu-mse-wechat");
    assert_eq!(v["obligations"][0]["duty"], "incident-handling");
    assert_eq!(v["obligations"][0]["due"], "2026-12-28");
    let first = &v["clocks"][0];
    assert_eq!(
        (first["clock"].as_str(), first["due"].as_str()),
        (Some("first-response"), Some("2026-11-29T09:00"))
    );
    assert_eq!(v["first_responsible"]["name"], "李明华", "{v}");

    // Another college's reader sees nothing of it.
    let other = app.token("discipline").await;
    let (status, _) = api(
        &app,
        &other,
        "GET",
        &format!("/api/v1/incidents/{id}"),
        None,
    )
    .await;
    assert_eq!(
        status, 200,
        "the university's discipline inspector reads the college"
    );

    // Raised to 重大 through the page: the secretary is told at once.
    let s = app.sign_in("staff", PASSWORD).await;
    let (status, html) = page(&s, &app, &format!("/incidents/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("调整事件等级"), "{html}");
    let r = submit(
        &s,
        &app,
        &format!("/incidents/{id}/severity"),
        &[
            ("version", "1"),
            ("severity", "major"),
            ("note", "已有校外媒体转载"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, notes) = api(&app, &secretary, "GET", "/api/v1/notifications", None).await;
    let raised = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "incident-raised")
        .unwrap_or_else(|| panic!("the secretary is told: {notes}"));
    assert!(
        raised["text"].as_str().unwrap().contains("重大"),
        "{raised}"
    );
    let (_, v) = api(
        &app,
        &staff,
        "GET",
        &format!("/api/v1/incidents/{id}"),
        None,
    )
    .await;
    assert_eq!(
        v["obligations"][0]["due"], "2026-12-05",
        "7 days for 重大: {v}"
    );
    let kinds: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["recorded", "severity"]);
    // Raised at noon to a 1-hour first response: it runs out at 13:00.
    assert_eq!(v["clocks"][0]["due"], "2026-11-28T13:00");

    // A stale version is refused.
    let (status, e) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/incidents/{id}/severity"),
        Some(json!({"version": 1, "severity": "considerable", "note": "核实后影响有限"})),
    )
    .await;
    assert_eq!(status, 409, "{e}");

    // The office responds and assesses; an entry before the incident is refused.
    let (status, e) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/incidents/{id}/entries"),
        Some(json!({"kind": "response", "at": "2026-11-28 08:00", "detail": "联系平台"})),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(fields(&e), ["at"]);
    for (kind, at, detail) in [
        ("response", "2026-11-28 09:30", "隐藏不实评论，联系作者核实"),
        (
            "assessment",
            "2026-11-28 11:00",
            "研判：误读招生政策，已有转载，需统一口径",
        ),
    ] {
        let (status, e) = api(
            &app,
            &staff,
            "POST",
            &format!("/api/v1/incidents/{id}/entries"),
            Some(json!({"kind": kind, "at": at, "detail": detail})),
        )
        .await;
        assert_eq!(status, 200, "{e}");
    }
    // Only the secretary records their own instruction.
    let (status, e) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/incidents/{id}/entries"),
        Some(json!({"kind": "instruction", "at": "2026-11-28 11:30", "detail": "统一口径"})),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("李明华"));

    // Closing is refused until the secretary's handling and sign-off (Art.3).
    let review = |version: &Value| {
        json!({
            "version": version, "handled": "发布招生政策说明，删除不实评论",
            "prevention": "完善评论区审核制度",
            "rectifications": [{"title": "修订公众号评论审核流程", "owner": liu, "deadline": "2026-12-31"}],
        })
    };
    let (_, v) = api(
        &app,
        &staff,
        "GET",
        &format!("/api/v1/incidents/{id}"),
        None,
    )
    .await;
    let before = app.audit_len().await;
    let (status, e) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/incidents/{id}/close"),
        Some(review(&v["version"])),
    )
    .await;
    assert_eq!(status, 409, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("第三条"),
        "{e}"
    );
    assert_eq!(app.audit_len().await, before, "nothing stored");
    // The leader may not sign off for the secretary.
    let (status, e) = api(
        &app,
        &leader,
        "POST",
        &format!("/api/v1/incidents/{id}/sign-off"),
        Some(json!({"detail": "同意"})),
    )
    .await;
    assert_eq!(status, 403, "{e}");

    let (status, e) = api(
        &app,
        &secretary,
        "POST",
        &format!("/api/v1/incidents/{id}/entries"),
        Some(json!({"kind": "instruction", "at": "2026-11-28 11:40", "detail": "由宣传委员牵头统一口径，今日内发布说明"})),
    )
    .await;
    assert_eq!(status, 200, "{e}");
    let sec = app.sign_in("secretary", PASSWORD).await;
    let (_, html) = page(&sec, &app, &format!("/incidents/{id}")).await;
    assert!(
        html.contains("sign-off-form"),
        "the secretary is offered the sign-off"
    );
    let r = submit(
        &sec,
        &app,
        &format!("/incidents/{id}/sign-off"),
        &[("detail", "同意处置方案")],
    )
    .await;
    assert_eq!(r.status(), 303);

    let (_, v) = api(
        &app,
        &staff,
        "GET",
        &format!("/api/v1/incidents/{id}"),
        None,
    )
    .await;
    let (status, v) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/incidents/{id}/close"),
        Some(review(&v["version"])),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "closed");
    assert_eq!(v["obligations"][0]["state"], "done");
    assert_eq!(v["rectifications"][0]["deadline"], "2026-12-31");
    let last = v["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "closed");
    // A closed incident is not changed.
    let (status, _) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/incidents/{id}/entries"),
        Some(json!({"kind": "note", "at": "2026-11-28 12:00", "detail": "补记"})),
    )
    .await;
    assert_eq!(status, 409);

    // The ledger (台账) export carries it: its clocks, the secretary's own handling, the review.
    let mut wb = workbook(&s, &app, "/orgs/cqu-mse/ledger.xlsx?year=2026").await;
    let rows = sheet_rows(&mut wb, "舆情事件");
    assert_eq!(rows[0][1], "事件名称");
    let row = rows
        .iter()
        .find(|r| r[1] == "学院公众号推文评论区出现不实信息")
        .expect("the incident is in the ledger");
    assert_eq!((row[5].as_str(), row[7].as_str()), ("重大", "已结案"));
    assert_eq!(row[8], "2026-11-28 09:30");
    assert!(row[10].contains("由宣传委员牵头统一口径"), "{row:?}");
    assert!(row[11].starts_with("2026-11-28"), "{row:?}");
    assert_eq!(row[15], "发布招生政策说明，删除不实评论");
    // The ledger lists it with its clocks; the statistics count it.
    let (status, html) = page(&s, &app, "/incidents").await;
    assert_eq!(status, 200);
    assert!(html.contains("学院公众号推文评论区出现不实信息"));
    let (_, stats) = api(
        &app,
        &staff,
        "GET",
        "/api/v1/incidents/stats?org=cqu-mse",
        None,
    )
    .await;
    assert!(stats["total"].as_i64().unwrap() >= 1, "{stats}");
    let (status, html) = page(&s, &app, "/incidents/stats").await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg"), "{html}");
    // The dashboard shows the year's incidents by month, linking the statistics: this one and
    // the demo's two (one closed last week, one in hand).
    let (status, html) = page(&s, &app, "/dashboard?org=cqu-mse&year=2026").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("id=\"dash-incidents\"") && html.contains("本年度共 3 起，其中 1 起处置中"),
        "{html}"
    );
    app.finish().await;
}

#[tokio::test]
async fn a_clock_run_out_tells_the_handler_and_the_leader_then_the_secretary() {
    let app = TestApp::demo().await;
    let staff = app.token("staff").await;
    let liu = app.person_id("刘佳").await;
    let (status, v) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/incidents",
        Some(incident(&liu, "major", "2026-11-28 09:00")),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    // Major: the first response had 1 hour; at noon it has run out.
    assert_eq!(v["overdue"], true, "{v}");
    let (_, list) = api(&app, &staff, "GET", "/api/v1/incidents?state=overdue", None).await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == v["id"]),
        "{list}"
    );
    // The indicators view lists it under art5-2 (a major incident), with who answered for it.
    let (status, ind) = api(
        &app,
        &staff,
        "GET",
        "/api/v1/indicators?ground=art5-2",
        None,
    )
    .await;
    assert_eq!(status, 200, "{ind}");
    let row = ind["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["fact"] == "incident-past-clock")
        .unwrap_or_else(|| panic!("{ind}"));
    assert_eq!(row["person"], "李明华");
    assert!(row["what"].as_str().unwrap().contains("首次响应"), "{row}");
    let state = app.state();
    let s = zeren_web::jobs::incident_clocks::run_once(&state).await;
    assert!(s.notices >= 2, "{s:?}");
    let kinds = |token: String| {
        let app = &app;
        async move {
            let (_, notes) = api(app, &token, "GET", "/api/v1/notifications", None).await;
            notes["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["kind"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert!(
        kinds(staff.clone())
            .await
            .contains(&"incident-clock".to_string())
    );
    let leader = app.token("leader").await;
    assert!(
        kinds(leader)
            .await
            .contains(&"incident-escalate".to_string()),
        "the leader of publicity is asked to follow up"
    );
    let secretary = app.token("secretary").await;
    assert!(
        !kinds(secretary.clone())
            .await
            .contains(&"incident-escalate-first".to_string()),
        "not before escalate_after"
    );
    // A day later it reaches the secretary; a second look adds nothing twice.
    app.clock.advance(chrono::Duration::hours(24));
    let s = zeren_web::jobs::incident_clocks::run_once(&state).await;
    assert!(s.notices >= 1, "{s:?}");
    assert!(
        kinds(secretary)
            .await
            .contains(&"incident-escalate-first".to_string())
    );
    let again = zeren_web::jobs::incident_clocks::run_once(&state).await;
    assert_eq!(again.notices, 0, "{again:?}");
    app.finish().await;
}

// ------------------------------------------------------------------------------------------
// Files on the timeline's entries
// ------------------------------------------------------------------------------------------

const PDF: &[u8] = b"%PDF-1.4\n% incident notice\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR screenshot of the comments";

/// A multipart body: the CSRF token first (when given), the text fields, then the files.
fn form_with_files(
    csrf: Option<&str>,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> (String, Vec<u8>) {
    let mut all: Vec<(&str, &str)> = csrf.map(|t| ("csrf", t)).into_iter().collect();
    all.extend_from_slice(fields);
    multipart_form(&all, files)
}

/// An API upload with a token to the entry `seq` of an incident.
async fn api_upload(
    app: &TestApp,
    token: &str,
    id: &str,
    seq: i64,
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    let (ct, body) = form_with_files(None, &[], files);
    app.client()
        .post(app.url(&format!("/api/v1/incidents/{id}/entries/{seq}/attachments")))
        .bearer_auth(token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The files on an incident's timeline, as (seq, name), from the database.
async fn files_of(app: &TestApp, id: &str) -> Vec<(i64, String)> {
    app.db
        .incident_attachments(id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.seq, a.file.filename))
        .collect()
}

/// The college secretary records an action with its screenshot in one go, attaches the notice
/// received to the first entry on the page and a sheet through the API; the incident's page and
/// its API list them under their entries, and they download with safe headers. A branch's
/// reader (outside the college) gets 404 on the download and on both uploads; a forged SHA is
/// 404; nothing is stored by a refused request.
#[tokio::test]
async fn files_go_on_timeline_entries_and_download_within_the_incidents_scope() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let liu = app.person_id("刘佳").await;
    let (status, v) = api(
        &app,
        &token,
        "POST",
        "/api/v1/incidents",
        Some(incident(&liu, "general", "2026-11-28 09:00")),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let s = app.sign_in("secretary", PASSWORD).await;
    let (status, html) = page(&s, &app, &format!("/incidents/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("enctype=\"multipart/form-data\" class=\"org-form records-form\" novalidate id=\"entry-form\""), "{html}");
    assert!(html.contains(&format!("action=\"/incidents/{id}/entries/1/attachments\"")));
    assert!(html.contains("每个文件不超过 50.0 MB"), "the limit is told");

    // An action and its screenshot in one go.
    let resp = submit_multipart(
        &s,
        &app,
        &format!("/incidents/{id}/entries"),
        form_with_files(
            Some(&s.csrf),
            &[
                ("kind", "response"),
                ("at", "2026-11-28 09:30"),
                ("detail", "隐藏不实评论，截图留存"),
            ],
            &[("评论截图.png", PNG)],
        ),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let location = resp.headers()["location"].to_str().unwrap();
    assert!(location.ends_with("#entry-2"), "{location}");
    // The notice received, on the first entry, from the page's own form.
    let resp = submit_multipart(
        &s,
        &app,
        &format!("/incidents/{id}/entries/1/attachments"),
        form_with_files(Some(&s.csrf), &[], &[("上级通报.pdf", PDF)]),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    // A sheet through the API, on the action.
    let resp = api_upload(
        &app,
        &token,
        &id,
        2,
        &[("转发情况.csv", "平台,转发数\n微博,12\n".as_bytes())],
    )
    .await;
    assert_eq!(resp.status(), 201);
    let out: Value = resp.json().await.unwrap();
    assert_eq!(out["seq"], 2);
    assert_eq!(out["attachments"][0]["mime"], "text/csv", "{out}");

    let (_, v) = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/incidents/{id}"),
        None,
    )
    .await;
    let first = &v["timeline"][0]["attachments"];
    assert_eq!(first.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(first[0]["filename"], "上级通报.pdf");
    assert_eq!(first[0]["size"], PDF.len());
    assert_eq!(first[0]["mime"], "application/pdf");
    assert_eq!(first[0]["sha256"].as_str().unwrap().len(), 64);
    let href = first[0]["href"].as_str().unwrap().to_string();
    assert_eq!(
        href,
        format!(
            "/incidents/{id}/attachments/{}",
            first[0]["sha256"].as_str().unwrap()
        )
    );
    let names: Vec<&str> = v["timeline"][1]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["filename"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{v}");
    assert!(
        names.contains(&"评论截图.png") && names.contains(&"转发情况.csv"),
        "{names:?}"
    );
    let (_, html) = page(&s, &app, &format!("/incidents/{id}")).await;
    for name in ["上级通报.pdf", "评论截图.png", "转发情况.csv"] {
        assert!(html.contains(name), "{name} is listed on the page");
    }
    assert!(html.contains(&format!("href=\"{href}\"")), "{html}");

    // The download: the same bytes, as an attachment, never sniffed.
    let resp = s.client.get(app.url(&href)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let cd = h["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert!(cd.contains("filename*=UTF-8''"), "{cd}");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PDF);

    // A forged SHA, or a real one under an incident that does not hold it: 404.
    for path in [
        format!("/incidents/{id}/attachments/{}", "0".repeat(64)),
        format!("/incidents/{id}/attachments/..%2F..%2Fetc%2Fpasswd"),
        href.replace(&id, "00000000-0000-0000-0000-000000000000"),
    ] {
        assert_eq!(page(&s, &app, &path).await.0, 404, "{path}");
    }

    // A branch's reader is outside the college: 404 on the download and on both uploads, and
    // nothing stored.
    let branch = app.sign_in("branch", PASSWORD).await;
    let branch_token = app.token("branch").await;
    let before = (files_of(&app, &id).await, app.audit_len().await);
    assert_eq!(page(&branch, &app, &href).await.0, 404);
    let resp = submit_multipart(
        &branch,
        &app,
        &format!("/incidents/{id}/entries/1/attachments"),
        form_with_files(Some(&branch.csrf), &[], &[("x.pdf", PDF)]),
    )
    .await;
    assert_eq!(resp.status(), 404);
    let resp = api_upload(&app, &branch_token, &id, 1, &[("x.pdf", PDF)]).await;
    assert_eq!(resp.status(), 404);
    // An entry the incident does not have.
    let resp = api_upload(&app, &token, &id, 99, &[("x.pdf", PDF)]).await;
    assert_eq!(resp.status(), 404);
    assert_eq!(
        (files_of(&app, &id).await, app.audit_len().await),
        before,
        "nothing stored"
    );
    assert!(app.db.verify_audit().await.unwrap().is_ok());
    app.finish().await;
}

/// An upload over the limit is refused naming the limit, without its CSRF token is refused by
/// the check, of a type not accepted is refused naming the file, and to a closed incident is
/// refused as every change of it is; none stores anything (nor the entry that came with it).
#[tokio::test]
async fn uploads_to_an_incident_are_refused_over_the_limit_without_a_token_and_once_closed() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let liu = app.person_id("刘佳").await;
    let (_, v) = api(
        &app,
        &token,
        "POST",
        "/api/v1/incidents",
        Some(incident(&liu, "general", "2026-11-28 09:00")),
    )
    .await;
    let id = v["id"].as_str().unwrap().to_string();
    let s = app.sign_in("secretary", PASSWORD).await;
    let timeline_len = |app: &TestApp, id: String| {
        let db = app.db.clone();
        async move { db.timeline(&id).await.unwrap().len() }
    };

    // The limit is the setting: at 1 000 bytes, a 2 000-byte file is refused naming it.
    let mut tx = app
        .db
        .begin(&zeren_storage::Actor::cli(), app.clock.now())
        .await
        .unwrap();
    tx.put_setting("attachments", &json!({"max_bytes": 1000}), 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let before = app.audit_len().await;
    let big = [b'x'; 2000];
    let resp = api_upload(&app, &token, &id, 1, &[("big.txt", &big)]).await;
    assert_eq!(resp.status(), 413);
    let e: Value = resp.json().await.unwrap();
    assert_eq!(e["error"]["code"], "payload_too_large");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("1000 B"),
        "{e}"
    );
    let resp = submit_multipart(
        &s,
        &app,
        &format!("/incidents/{id}/entries/1/attachments"),
        form_with_files(Some(&s.csrf), &[], &[("big.txt", &big)]),
    )
    .await;
    assert_eq!(resp.status(), 413);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("文件超过大小上限 1000 B")
    );
    // With an entry: neither the entry nor the file is kept.
    let resp = submit_multipart(
        &s,
        &app,
        &format!("/incidents/{id}/entries"),
        form_with_files(
            Some(&s.csrf),
            &[
                ("kind", "note"),
                ("at", "2026-11-28 10:00"),
                ("detail", "补记"),
            ],
            &[("big.txt", &big)],
        ),
    )
    .await;
    assert_eq!(resp.status(), 413);
    assert_eq!(timeline_len(&app, id.clone()).await, 1);
    // A type not accepted, named; the entry that came with it is not kept either.
    let resp = submit_multipart(
        &s,
        &app,
        &format!("/incidents/{id}/entries"),
        form_with_files(
            Some(&s.csrf),
            &[
                ("kind", "note"),
                ("at", "2026-11-28 10:00"),
                ("detail", "补记"),
            ],
            &[("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00")],
        ),
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("setup.pdf"));
    assert_eq!(timeline_len(&app, id.clone()).await, 1);

    // Without the CSRF token, or with a forged one: refused by the check.
    for csrf in [None, Some("forged")] {
        let resp = submit_multipart(
            &s,
            &app,
            &format!("/incidents/{id}/entries/1/attachments"),
            form_with_files(csrf, &[], &[("x.pdf", PDF)]),
        )
        .await;
        assert_eq!(resp.status(), 403, "{csrf:?}");
        let resp = submit_multipart(
            &s,
            &app,
            &format!("/incidents/{id}/entries"),
            form_with_files(
                csrf,
                &[
                    ("kind", "note"),
                    ("at", "2026-11-28 10:00"),
                    ("detail", "补记"),
                ],
                &[("x.pdf", PDF)],
            ),
        )
        .await;
        assert_eq!(resp.status(), 403, "{csrf:?}");
    }
    assert!(files_of(&app, &id).await.is_empty());
    assert_eq!(timeline_len(&app, id.clone()).await, 1);
    assert_eq!(app.audit_len().await, before, "nothing stored");

    // Closed (after its response and assessment): refused with the rule, nothing stored.
    for (kind, at) in [
        ("response", "2026-11-28 09:30"),
        ("assessment", "2026-11-28 10:00"),
    ] {
        let (status, e) = api(
            &app,
            &token,
            "POST",
            &format!("/api/v1/incidents/{id}/entries"),
            Some(json!({"kind": kind, "at": at, "detail": "处置"})),
        )
        .await;
        assert_eq!(status, 200, "{e}");
    }
    let (_, v) = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/incidents/{id}"),
        None,
    )
    .await;
    let (status, v) = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/incidents/{id}/close"),
        Some(json!({"version": v["version"], "handled": "删除不实评论", "prevention": "加强审核"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let before = app.audit_len().await;
    let resp = api_upload(&app, &token, &id, 1, &[("late.pdf", PDF)]).await;
    assert_eq!(resp.status(), 409);
    let e: Value = resp.json().await.unwrap();
    assert!(!e["error"]["message"].as_str().unwrap().is_empty(), "{e}");
    let resp = submit_multipart(
        &s,
        &app,
        &format!("/incidents/{id}/entries/1/attachments"),
        form_with_files(Some(&s.csrf), &[], &[("late.pdf", PDF)]),
    )
    .await;
    assert_eq!(resp.status(), 409);
    let (_, html) = page(&s, &app, &format!("/incidents/{id}")).await;
    assert!(
        !html.contains("entry-attach-form"),
        "no upload offered once closed"
    );
    assert!(files_of(&app, &id).await.is_empty());
    assert_eq!(app.audit_len().await, before, "nothing stored");
    app.finish().await;
}
