//! Stories of the records area: recording evidence, discharging obligations with it,
//! attachments, amendments, directives with supervised tasks, and who may do what.

use crate::common::{
    PASSWORD, Session, TestApp, api_ok, get_as, hidden, multipart_form, page, send_as,
    submit_multipart,
};
use serde_json::{Value, json};
use zeren_core::policy::BUILTIN_PACK_ID;
use zeren_core::{Clock, Lang};
use zeren_storage::repo::records::RecordDraft;
use zeren_storage::{Actor, StoredObligation};

const PDF: &[u8] = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// A multipart body: the CSRF token first (when given), then the files.
fn multipart(csrf: Option<&str>, files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let fields: Vec<(&str, &str)> = csrf.map(|t| ("csrf", t)).into_iter().collect();
    multipart_form(&fields, files)
}

async fn study(app: &TestApp, org: &str) -> StoredObligation {
    let id = app.org_id(org).await;
    app.db
        .obligations(&id, 2026)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.duty == "annual-dedicated-study")
        .unwrap()
}

/// The meeting form as a browser posts it.
fn meeting_form(
    csrf: &str,
    org_id: &str,
    date: &str,
    attendees: &[&str],
    topics: &[&str],
) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.into()),
        ("kind".into(), "committee-meeting".into()),
        ("org".into(), org_id.into()),
        ("date".into(), date.into()),
        ("title".into(), "2026年第12次党委会".into()),
        ("agenda.1.title".into(), "专题研究网络意识形态工作".into()),
        (
            "minutes".into(),
            "会议听取了学院网络意识形态工作情况汇报，研究部署下一阶段工作。".into(),
        ),
        ("decisions".into(), "一、……".into()),
        ("agenda.2.title".into(), String::new()),
    ];
    for a in attendees {
        f.push(("attendees".into(), (*a).into()));
    }
    for t in topics {
        f.push(("agenda.1.topics".into(), (*t).into()));
    }
    f
}

async fn post_form(
    app: &TestApp,
    s: &Session,
    path: &str,
    form: &[(String, String)],
) -> reqwest::Response {
    s.client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn record_count(app: &TestApp) -> i64 {
    let m = app.db.load_model().await.unwrap();
    app.db
        .records(&zeren_storage::repo::records::RecordFilter {
            orgs: m.orgs().iter().map(|o| o.id.clone()).collect(),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .1
}

/// The journey: the secretary opens the dedicated study, records the committee meeting with the
/// topic and minutes and a PDF, and sees the obligation turn done. Bad meetings are refused with
/// clear messages and leave nothing behind. On every engine.
#[tokio::test]
async fn recording_a_committee_meeting_turns_the_dedicated_study_done() {
    for app in TestApp::demo_on_engines().await {
        let s = app.sign_in("secretary", PASSWORD).await;
        let mse = app.org_id("cqu-mse").await;
        let o = study(&app, "cqu-mse").await;
        assert_eq!(o.state, "open", "on {}", app.label);
        // The demo keeps its own records (the evidence of what it marked done).
        let records = record_count(&app).await;
        let sec = app.person_id("李明华").await;
        let deputy = app.person_id("赵敏").await;
        let outsider = app.person_id("何志强").await;

        // The form, started from the obligation, knows the duty and pre-ticks the topic.
        let path = format!("/records/new?obligation={}", o.id);
        let resp = s.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("党委会年度专题研究网络意识形态工作"),
            "{html}"
        );
        assert_eq!(hidden(&html, "obligation"), o.id);
        assert!(html.contains("value=\"online-ideology\" checked"));

        // Without the topic: refused with the rule's message; nothing stored.
        let resp = post_form(
            &app,
            &s,
            &path,
            &meeting_form(&s.csrf, &mse, "2026-11-20", &[&sec, &deputy], &["ideology"]),
        )
        .await;
        assert_eq!(resp.status(), 422, "on {}", app.label);
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("第四条第（二）项") && html.contains("online-ideology"),
            "the message names the rule: {html}"
        );
        // The form keeps what was typed.
        assert!(html.contains("会议听取了学院网络意识形态工作情况汇报"));
        assert_eq!(
            record_count(&app).await,
            records,
            "nothing stored on {}",
            app.label
        );

        // A meeting dated tomorrow.
        let resp = post_form(
            &app,
            &s,
            &path,
            &meeting_form(&s.csrf, &mse, "2026-11-29", &[&sec], &["online-ideology"]),
        )
        .await;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await.unwrap().contains("晚于今天"));

        // An attendee from another college.
        let resp = post_form(
            &app,
            &s,
            &path,
            &meeting_form(
                &s.csrf,
                &mse,
                "2026-11-20",
                &[&sec, &outsider],
                &["online-ideology"],
            ),
        )
        .await;
        assert_eq!(resp.status(), 422);
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("何志强（计算机学院）不是材料科学与工程学院的人员"),
            "{html}"
        );
        assert_eq!(record_count(&app).await, records);
        assert_eq!(study(&app, "cqu-mse").await.state, "open");

        // The right meeting: saved and linked; the obligation is done on the meeting's day.
        let resp = post_form(
            &app,
            &s,
            &path,
            &meeting_form(
                &s.csrf,
                &mse,
                "2026-11-20",
                &[&sec, &deputy],
                &["online-ideology"],
            ),
        )
        .await;
        assert_eq!(resp.status(), 303, "on {}", app.label);
        let location = resp.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with(&format!("/obligations/{}", o.id))
                || location.starts_with("/records/"),
            "{location}"
        );
        let done = study(&app, "cqu-mse").await;
        assert_eq!(done.state, "done", "on {}", app.label);
        assert_eq!(done.completed_on.unwrap().to_string(), "2026-11-20");
        let ev = app.db.evidence_of(&o.id).await.unwrap();
        assert_eq!(ev.len(), 1);
        let rid = ev[0].record.id.clone();

        // A PDF attachment, the token in the header as a script sends it.
        let (ct, body) = multipart(Some(&s.csrf), &[("党委会纪要.pdf", PDF)]);
        let resp = s
            .client
            .post(app.url(&format!("/records/{rid}/attachments")))
            .header("content-type", ct)
            .header("x-csrf-token", &s.csrf)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            303,
            "on {}: {}",
            app.label,
            resp.text().await.unwrap_or_default()
        );
        let page = page(&s, &app, &format!("/records/{rid}")).await.1;
        assert!(page.contains("党委会纪要.pdf"));
        assert!(page.contains("专题研究网络意识形态工作"));
        assert!(
            page.contains("status-done"),
            "the record shows what it discharges"
        );

        // Downloading it: the right headers and the same bytes.
        let atts = app.db.record_attachments(&rid).await.unwrap();
        assert_eq!(atts.len(), 1);
        let resp = s
            .client
            .get(app.url(&format!("/attachments/{}?record={rid}", atts[0].sha256)))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let h = resp.headers().clone();
        assert_eq!(h["content-type"], "application/pdf");
        assert_eq!(h["x-content-type-options"], "nosniff");
        let cd = h["content-disposition"].to_str().unwrap();
        assert!(cd.starts_with("attachment;"), "{cd}");
        assert!(
            cd.contains("filename*=UTF-8''%E5%85%9A%E5%A7%94%E4%BC%9A%E7%BA%AA%E8%A6%81.pdf"),
            "{cd}"
        );
        assert_eq!(resp.bytes().await.unwrap().as_ref(), PDF);
        assert!(app.db.verify_audit().await.unwrap().is_ok());
        app.finish().await;
    }
}

async fn api_record(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    send_as(app, token, "POST", "/api/v1/records", Some(&body)).await
}

fn meeting_json(org: &str, attendees: &[&str], topics: &[&str]) -> Value {
    json!({
        "kind": "committee-meeting",
        "org": org,
        "date": "2026-11-20",
        "title": "2026年第12次党委会",
        "attendees": attendees,
        "absentees": [],
        "agenda": [{"title": "专题研究网络意识形态工作", "topics": topics}],
        "minutes": "会议纪要",
        "decisions": "",
    })
}

/// A committee meeting of cqu-mse on 2026-11-20, recorded through the API: the record.
async fn meeting(app: &TestApp, token: &str, attendees: &[&str], topics: &[&str]) -> Value {
    api_record(app, token, meeting_json("cqu-mse", attendees, topics))
        .await
        .json()
        .await
        .unwrap()
}

async fn upload(
    app: &TestApp,
    token: &str,
    rid: &str,
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    let (ct, body) = multipart(None, files);
    app.client()
        .post(app.url(&format!("/api/v1/records/{rid}/attachments")))
        .bearer_auth(token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn attachments_are_sniffed_limited_and_stored_once() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let sec = app.person_id("李明华").await;
    let resp = api_record(
        &app,
        &token,
        meeting_json("cqu-mse", &[&sec], &["online-ideology"]),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let r: Value = resp.json().await.unwrap();
    let rid = r["id"].as_str().unwrap().to_string();
    assert_eq!(r["version"], 1);

    // An executable named like a PDF: refused by its content, named in the message.
    let resp = upload(
        &app,
        &token,
        &rid,
        &[("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let e: Value = resp.json().await.unwrap();
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("report.pdf"),
        "{e}"
    );
    assert!(app.db.record_attachments(&rid).await.unwrap().is_empty());

    // Nothing partial: a good file beside a refused one is not attached either.
    let resp = upload(
        &app,
        &token,
        &rid,
        &[("ok.pdf", PDF), ("evil.pdf", b"MZ\x90\x00")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(app.db.record_attachments(&rid).await.unwrap().is_empty());

    // Good files; the same content twice is stored once.
    let resp = upload(
        &app,
        &token,
        &rid,
        &[
            ("纪要.pdf", PDF),
            ("签到表.csv", "姓名,单位\n李明华,材料学院\n".as_bytes()),
        ],
    )
    .await;
    assert_eq!(resp.status(), 201);
    let out: Value = resp.json().await.unwrap();
    assert_eq!(out["attachments"].as_array().unwrap().len(), 2);
    assert_eq!(out["attachments"][1]["mime"], "text/csv");
    let r2: Value = meeting(&app, &token, &[&sec], &["ideology"]).await;
    let rid2 = r2["id"].as_str().unwrap().to_string();
    assert_eq!(
        upload(&app, &token, &rid2, &[("copy.pdf", PDF)])
            .await
            .status(),
        201
    );
    assert_eq!(app.db.attachment_files().await.unwrap().len(), 2);

    // Text downloads say their charset.
    let csv = app
        .db
        .record_attachments(&rid)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.mime == "text/csv")
        .unwrap();
    let s = app.sign_in("secretary", PASSWORD).await;
    let resp = s
        .client
        .get(app.url(&format!("/attachments/{}?record={rid}", csv.sha256)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    // The same file asked for through a record it is not attached to: 404.
    let resp = s
        .client
        .get(app.url(&format!("/attachments/{}?record={rid2}", csv.sha256)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);

    // Over the limit: 413, before the body is read.
    let big = vec![b'a'; 60 * 1024 * 1024];
    let (ct, body) = multipart(None, &[("big.txt", &big)]);
    let resp = app
        .client()
        .post(app.url(&format!("/api/v1/records/{rid}/attachments")))
        .bearer_auth(&token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await;
    match resp {
        Ok(r) => assert_eq!(r.status(), 413),
        // The server may answer and close before the client has sent the whole body.
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }

    // The limit is a setting: at 1 000 bytes a 2 000-byte file is refused with 413 and JSON.
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.put_setting("attachments", &json!({"max_bytes": 1000}), 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let resp = upload(&app, &token, &rid, &[("two-k.txt", &[b'x'; 2000])]).await;
    assert_eq!(resp.status(), 413);
    let e: Value = resp.json().await.unwrap();
    assert_eq!(e["error"]["code"], "payload_too_large");
    assert_eq!(
        upload(&app, &token, &rid, &[("small.txt", b"ok")])
            .await
            .status(),
        201
    );
    app.finish().await;
}

/// A record of another college, made directly.
async fn cs_record(app: &TestApp) -> String {
    let m = app.db.load_model().await.unwrap();
    let pack = app.db.policy(BUILTIN_PACK_ID).await.unwrap().pack;
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    let r = tx
        .create_record(
            &RecordDraft {
                kind: "education-activity".into(),
                org: "cqu-cs".into(),
                date: "2026-10-10".into(),
                title: "网络安全宣传周主题班会".into(),
                audience: "2025级本科生".into(),
                count: "120".into(),
                content: "网络文明与网络安全".into(),
                ..RecordDraft::default()
            },
            &m,
            &pack,
            Lang::Zh,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    r.id
}

#[tokio::test]
async fn who_may_read_and_write_records() {
    let app = TestApp::demo().await;
    let sec_token = app.token("secretary").await;
    let sec = app.person_id("李明华").await;
    let r: Value = meeting(&app, &sec_token, &[&sec], &["online-ideology"]).await;
    let rid = r["id"].as_str().unwrap().to_string();
    assert_eq!(
        upload(&app, &sec_token, &rid, &[("纪要.pdf", PDF)])
            .await
            .status(),
        201
    );
    let sha = app.db.record_attachments(&rid).await.unwrap()[0]
        .sha256
        .clone();
    let cs = cs_record(&app).await;

    // The leader keeps records within the portfolios held today (学生工作 and 宣传 for the demo
    // deputy secretary): a training session discharges duties of the 组织 and 网络信息化
    // portfolios, not theirs (403; the secretary keeps it); an education activity is theirs
    // (201), in the college only (another college answers like a missing org).
    let leader = app.token("leader").await;
    let deputy = app.person_id("赵敏").await;
    let training = json!({
        "kind": "training-session", "org": "cqu-mse", "date": "2026-09-15",
        "title": "网络意识形态专题培训", "trainer": "校党委宣传部",
        "attendees": [deputy, sec], "hours": 2.5,
    });
    let resp = api_record(&app, &leader, training.clone()).await;
    assert_eq!(resp.status(), 403);
    let resp = api_record(&app, &sec_token, training.clone()).await;
    assert_eq!(resp.status(), 201);
    let education = json!({
        "kind": "education-activity", "org": "cqu-mse", "date": "2026-09-16",
        "title": "网络文明主题班会", "audience": "2026级本科生", "count": "30",
        "content": "网络文明与网络安全",
    });
    let resp = api_record(&app, &leader, education.clone()).await;
    assert_eq!(resp.status(), 201);
    let mut other = education.clone();
    other["org"] = json!("cqu-cs");
    assert_eq!(api_record(&app, &leader, other).await.status(), 404);
    // Staff keep no record of their own choosing: only those of obligations they handle.
    let staff = app.token("staff").await;
    assert_eq!(
        api_record(&app, &staff, education.clone()).await.status(),
        403
    );
    let status: Value = get_as(
        &app,
        &leader,
        "/api/v1/records/training?org=cqu-mse&year=2026",
    )
    .await
    .json()
    .await
    .unwrap();
    let row = status["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "赵敏")
        .unwrap();
    assert_eq!(
        (row["sessions"].as_u64(), row["hours"].as_f64()),
        (Some(1), Some(2.5))
    );

    // Another college's record answers like a missing one.
    for path in [format!("/api/v1/records/{cs}")] {
        let resp = get_as(&app, &leader, &path).await;
        assert_eq!(resp.status(), 404, "{path}");
    }
    let s = app.sign_in("leader", PASSWORD).await;
    assert_eq!(page(&s, &app, &format!("/records/{cs}")).await.0, 404);

    // The branch secretary sees only the branch: the college's record and its file are 404.
    let b = app.sign_in("branch", PASSWORD).await;
    assert_eq!(page(&b, &app, &format!("/records/{rid}")).await.0, 404);
    assert_eq!(
        page(&b, &app, &format!("/attachments/{sha}?record={rid}"))
            .await
            .0,
        404
    );

    // The supervisor reads everything and writes nothing.
    let sup = app.token("supervisor").await;
    let resp = get_as(&app, &sup, &format!("/api/v1/records/{rid}")).await;
    assert_eq!(resp.status(), 200);
    let s = app.sign_in("supervisor", PASSWORD).await;
    assert_eq!(
        page(&s, &app, &format!("/attachments/{sha}?record={rid}"))
            .await
            .0,
        200
    );
    assert_eq!(
        api_record(&app, &sup, meeting_json("cqu-mse", &[&sec], &[]))
            .await
            .status(),
        403
    );
    let resp = send_as(
        &app,
        &sup,
        "PATCH",
        &format!("/api/v1/records/{rid}"),
        Some(&json!({"version": 1, "title": "x"})),
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(
        upload(&app, &sup, &rid, &[("x.pdf", PDF)]).await.status(),
        403
    );
    assert_eq!(
        page(&s, &app, "/records/new?kind=committee-meeting")
            .await
            .0,
        403
    );

    // Administrators see no business data.
    for admin in ["sysadmin", "auditor"] {
        let t = app.token(admin).await;
        let resp = get_as(&app, &t, &format!("/api/v1/records/{rid}")).await;
        assert_eq!(resp.status(), 403, "{admin}");
        assert_eq!(
            api_record(&app, &t, meeting_json("cqu-mse", &[&sec], &[]))
                .await
                .status(),
            403
        );
        let s = app.sign_in(admin, PASSWORD).await;
        assert_eq!(page(&s, &app, &format!("/records/{rid}")).await.0, 403);
        assert_eq!(
            page(&s, &app, &format!("/attachments/{sha}?record={rid}"))
                .await
                .0,
            403
        );
    }
    app.finish().await;
}

#[tokio::test]
async fn amendments_keep_history_and_stale_versions_conflict() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let sec = app.person_id("李明华").await;
    let r: Value = meeting(&app, &token, &[&sec], &["online-ideology"]).await;
    let rid = r["id"].as_str().unwrap().to_string();
    let patch = |body: Value| {
        let app = &app;
        let token = token.clone();
        let rid = rid.clone();
        async move {
            send_as(
                app,
                &token,
                "PATCH",
                &format!("/api/v1/records/{rid}"),
                Some(&body),
            )
            .await
        }
    };
    let resp = patch(json!({"version": 1, "title": "2026年第12次党委会（修订）"})).await;
    assert_eq!(resp.status(), 200);
    let r2: Value = resp.json().await.unwrap();
    assert_eq!(r2["version"], 2);
    assert_eq!(r2["minutes"], "会议纪要", "fields not sent are kept");
    let resp = patch(json!({"version": 1, "title": "覆盖"})).await;
    assert_eq!(resp.status(), 409);
    let e: Value = resp.json().await.unwrap();
    assert_eq!(e["error"]["code"], "version_conflict");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("第 2 版"),
        "{e}"
    );
    let resp = patch(json!({"title": "无版本"})).await;
    assert_eq!(resp.status(), 422);
    let resp = patch(json!({"version": 2, "org": "cqu-cs"})).await;
    assert_eq!(resp.status(), 422);
    let resp = patch(json!({"version": 2, "date": "2026-12-01"})).await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("晚于今天"));

    let full: Value = get_as(&app, &token, &format!("/api/v1/records/{rid}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(full["version"], 2);
    let versions = full["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["data"]["title"], "2026年第12次党委会");

    // The page shows the history and the amend form round-trips.
    let s = app.sign_in("secretary", PASSWORD).await;
    let html = page(&s, &app, &format!("/records/{rid}")).await.1;
    assert!(html.contains("第 1 版"), "{html}");
    let form = page(&s, &app, &format!("/records/{rid}/edit")).await.1;
    assert_eq!(hidden(&form, "version"), "2");
    let mut f = meeting_form(
        &s.csrf,
        &app.org_id("cqu-mse").await,
        "2026-11-21",
        &[&sec],
        &["online-ideology"],
    );
    f.push(("version".into(), "1".into()));
    let resp = post_form(&app, &s, &format!("/records/{rid}/edit"), &f).await;
    assert_eq!(resp.status(), 409, "a stale form is refused");
    f.pop();
    f.push(("version".into(), "2".into()));
    let resp = post_form(&app, &s, &format!("/records/{rid}/edit"), &f).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(app.db.record(&rid).await.unwrap().version, 3);
    app.finish().await;
}

#[tokio::test]
async fn the_evidence_endpoint_discharges_by_the_rule() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let sec = app.person_id("李明华").await;
    let o = study(&app, "cqu-mse").await;
    let wrong: Value = meeting(&app, &token, &[&sec], &["ideology"]).await;
    let right: Value = meeting(&app, &token, &[&sec], &["online-ideology"]).await;
    let attach = |record: Value, version: i64, lang: &'static str| {
        let app = &app;
        let token = token.clone();
        let oid = o.id.clone();
        async move {
            app.client()
                .post(app.url(&format!("/api/v1/obligations/{oid}/evidence")))
                .bearer_auth(token)
                .header("accept-language", lang)
                .json(&json!({"record": record, "version": version}))
                .send()
                .await
                .unwrap()
        }
    };
    let resp = attach(wrong["id"].clone(), o.version, "en").await;
    assert_eq!(resp.status(), 422);
    let e: Value = resp.json().await.unwrap();
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("Art.4(2)") && msg.contains("online-ideology"),
        "{msg}"
    );
    assert_eq!(
        attach(right["id"].clone(), o.version - 1, "zh")
            .await
            .status(),
        409
    );
    let resp = attach(right["id"].clone(), o.version, "zh").await;
    assert_eq!(resp.status(), 200);
    let out: Value = resp.json().await.unwrap();
    assert_eq!(out["status"], "done");
    assert_eq!(out["evidence"][0]["record"], right["id"]);
    let stored = app
        .db
        .obligations(&app.org_id("cqu-mse").await, 2026)
        .await
        .unwrap();
    assert!(stored.iter().any(|x| x.id == o.id && x.state == "done"));

    // Another college's obligation: 404 for the college's secretary.
    let cs = study(&app, "cqu-cs").await;
    let resp = send_as(
        &app,
        &token,
        "POST",
        &format!("/api/v1/obligations/{}/evidence", cs.id),
        Some(&json!({"record": right["id"], "version": cs.version})),
    )
    .await;
    assert_eq!(resp.status(), 404);
    app.finish().await;
}

#[tokio::test]
async fn directives_are_broken_into_supervised_tasks() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let deputy = app.person_id("赵敏").await;
    let post = |path: String, body: Value| {
        let app = &app;
        let token = token.clone();
        async move { send_as(app, &token, "POST", &path, Some(&body)).await }
    };
    let resp = post(
        "/api/v1/directives".into(),
        json!({"org": "cqu-mse", "issuer": "校党委宣传部", "document_number": "党宣〔2026〕12号",
               "received_on": "2026-11-02", "title": "关于加强网络阵地管理的通知", "content": "……"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let d: Value = resp.json().await.unwrap();
    assert_eq!(d["obligations_added"], 1);
    let oblig = d["obligations"][0].clone();
    assert_eq!(oblig["duty"], "directive-implementation");
    assert_eq!(oblig["due"], "2026-12-02");
    let did = d["id"].as_str().unwrap().to_string();

    let resp = post(
        format!("/api/v1/directives/{did}/tasks"),
        json!({"title": "排查学院新媒体平台", "owner": deputy, "deadline": "2026-12-01"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let task: Value = resp.json().await.unwrap();
    let tid = task["id"].as_str().unwrap().to_string();
    let resp = post(
        format!("/api/v1/directives/{did}/tasks"),
        json!({"title": "x", "owner": app.person_id("何志强").await, "deadline": "2026-12-01"}),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let resp = post(
        format!("/api/v1/tasks/{tid}/reports"),
        json!({"kind": "completion", "date": "2026-11-27", "content": "已完成排查"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let out: Value = resp.json().await.unwrap();
    assert_eq!(out["task"]["status"], "done");

    // The implementation report discharges the directive's obligation in one call.
    let resp = send_as(
        &app,
        &token,
        "POST",
        &format!(
            "/api/v1/records?obligation={}&version={}",
            oblig["id"].as_str().unwrap(),
            oblig["version"]
        ),
        Some(
            &json!({"kind": "directive-report", "org": "cqu-mse", "date": "2026-11-27",
                      "title": "落实情况报告", "directive": did, "text": "已按要求完成"}),
        ),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let full: Value = get_as(&app, &token, &format!("/api/v1/directives/{did}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(full["obligations"][0]["status"], "done");
    assert_eq!(full["tasks"][0]["reports"].as_array().unwrap().len(), 1);

    // The pages show it.
    let s = app.sign_in("secretary", PASSWORD).await;
    let html = page(&s, &app, &format!("/records/directives/{did}"))
        .await
        .1;
    assert!(html.contains("党宣〔2026〕12号") && html.contains("排查学院新媒体平台"));
    let list = page(&s, &app, "/records/directives").await.1;
    assert!(list.contains("关于加强网络阵地管理的通知"));
    app.finish().await;
}

#[tokio::test]
async fn pages_list_records_and_training() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    for path in [
        "/records",
        "/records?org=cqu-mse&kind=committee-meeting&year=2026",
        "/records/new",
        "/records/new?kind=situation-analysis&org=cqu-mse",
        "/records/new?kind=training-session&org=cqu-mse",
        "/records/new?kind=education-activity&org=cqu-mse",
        "/records/new?kind=directive-report&org=cqu-mse",
        "/records/training?org=cqu-mse",
        "/records/directives",
        "/records/directives/new",
        "/records?lang=en",
    ] {
        let resp = s.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    assert_eq!(page(&s, &app, "/records?year=abc").await.0, 422);
    assert_eq!(page(&s, &app, "/records?org=cqu-cs").await.0, 404);
    app.finish().await;
}

/// The browser's upload form carries its token as the first part of the multipart form, read by
/// the upload handler (`CsrfMultipart`); a forged one is refused.
#[tokio::test]
async fn a_browser_form_upload_carries_its_token_in_the_first_part() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let sec = app.person_id("李明华").await;
    let r: Value = meeting(&app, &token, &[&sec], &["online-ideology"]).await;
    let rid = r["id"].as_str().unwrap();
    let s = app.sign_in("secretary", PASSWORD).await;
    let resp = submit_multipart(
        &s,
        &app,
        &format!("/records/{rid}/attachments"),
        multipart(Some(&s.csrf), &[("纪要.pdf", PDF)]),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let resp = submit_multipart(
        &s,
        &app,
        &format!("/records/{rid}/attachments"),
        multipart(Some("forged"), &[("纪要.pdf", PDF)]),
    )
    .await;
    assert_eq!(resp.status(), 403);
    app.finish().await;
}

/// The upload handler reads the token itself, with axum's multipart parser: it must be the
/// first part; a form without it, or with it after the file, is refused and stores nothing. A
/// multipart body sent to a route that takes no uploads never reaches its handler, whatever it
/// carries (a handler that ignores its body cannot be reached by a cross-site multipart form).
#[tokio::test]
async fn a_multipart_form_is_refused_without_its_token_first_or_off_the_upload_routes() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let sec = app.person_id("李明华").await;
    let r: Value = meeting(&app, &token, &[&sec], &["online-ideology"]).await;
    let rid = r["id"].as_str().unwrap();
    let s = app.sign_in("secretary", PASSWORD).await;
    let upload_path = format!("/records/{rid}/attachments");
    let no_token = multipart(None, &[("纪要.pdf", PDF)]);
    assert_eq!(
        submit_multipart(&s, &app, &upload_path, no_token)
            .await
            .status(),
        403
    );
    let token_last = multipart_form(&[("note", "x"), ("csrf", s.csrf.as_str())], &[]);
    assert_eq!(
        submit_multipart(&s, &app, &upload_path, token_last)
            .await
            .status(),
        403
    );
    assert!(app.db.record_attachments(rid).await.unwrap().is_empty());
    // The right token first, but to routes that take no uploads: refused before the handler.
    for path in ["/logout", "/account/lang", "/account/tokens"] {
        let body = multipart_form(&[("csrf", s.csrf.as_str()), ("lang", "en")], &[]);
        assert_eq!(
            submit_multipart(&s, &app, path, body).await.status(),
            403,
            "{path}"
        );
    }
    // The session is still signed in: the multipart sign-out above did nothing.
    assert_eq!(page(&s, &app, "/account").await.0, 200);
    app.finish().await;
}

/// The upload routes carry their own limit (the setting `attachments`), not the router's 1 MB.
#[tokio::test]
async fn an_upload_over_one_megabyte_is_accepted() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let sec = app.person_id("李明华").await;
    let r: Value = meeting(&app, &token, &[&sec], &["online-ideology"]).await;
    let rid = r["id"].as_str().unwrap();
    let mut pdf = PDF.to_vec();
    pdf.extend(std::iter::repeat_n(b' ', 3 * 1024 * 1024));
    assert_eq!(
        upload(&app, &token, rid, &[("大文件.pdf", &pdf)])
            .await
            .status(),
        201
    );
    app.finish().await;
}

#[tokio::test]
async fn a_record_page_offers_the_obligations_it_can_discharge() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let sec = app.person_id("李明华").await;
    let o = study(&app, "cqu-mse").await;
    let r: Value = meeting(&app, &token, &[&sec], &["online-ideology"]).await;
    let rid = r["id"].as_str().unwrap();
    let s = app.sign_in("secretary", PASSWORD).await;
    let html = page(&s, &app, &format!("/records/{rid}")).await.1;
    assert!(
        html.contains(&format!("name=\"obligation\" value=\"{}\"", o.id)),
        "{html}"
    );
    let form = |version: i64| {
        vec![
            ("csrf".to_string(), s.csrf.clone()),
            ("obligation".to_string(), o.id.clone()),
            ("version".to_string(), version.to_string()),
        ]
    };
    let path = format!("/records/{rid}/evidence");
    assert_eq!(
        post_form(&app, &s, &path, &form(o.version - 1))
            .await
            .status(),
        409
    );
    assert_eq!(
        post_form(&app, &s, &path, &form(o.version)).await.status(),
        303
    );
    assert_eq!(study(&app, "cqu-mse").await.state, "done");

    // A duty whose evidence is kept elsewhere (a platform's annual review): said so, 422.
    let review = app
        .db
        .obligations(&app.org_id("cqu-mse").await, 2026)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.duty == "platform-annual-review")
        .unwrap();
    let resp = s
        .client
        .get(app.url(&format!("/records/new?obligation={}", review.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("年审记录"));
    app.finish().await;
}

/// With reads kept as `zeren serve` keeps them (here for a minute, so only forgetting can make
/// the test pass), a change made through this instance is seen by the next read at once: the
/// obligation, the list, the dashboard and "my duties" after a meeting is recorded, and the
/// feed address after the calendar token is rotated.
#[tokio::test]
async fn recent_reads_never_outlive_a_change_made_here() {
    let app = TestApp::demo_cached(std::time::Duration::from_secs(60)).await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let token = app.token("secretary").await;
    let mse = app.org_id("cqu-mse").await;
    let o = study(&app, "cqu-mse").await;

    // Read everything once, so that each is kept.
    let one = api_ok(&app, &token, &format!("/api/v1/obligations/{}", o.id)).await;
    let status = one["status"].as_str().unwrap().to_string();
    assert_ne!(status, "done");
    let quoted = format!("\"{status}\"");
    let counts = |d: &Value| (d["done"].as_i64().unwrap(), d[&status].as_i64().unwrap());
    let list = api_ok(
        &app,
        &token,
        "/api/v1/obligations?org=cqu-mse&year=2026&duty=annual-dedicated-study",
    )
    .await;
    assert!(list.to_string().contains(&quoted), "{list}");
    let before = counts(&api_ok(&app, &token, "/api/v1/dashboard?org=cqu-mse&year=2026").await);
    let home = s.client.get(app.url("/")).send().await.unwrap();
    let home = home.text().await.unwrap();
    let study_row = |html: &str| {
        html.lines()
            .find(|l| l.contains("党委会年度专题研究网络意识形态工作"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    assert!(
        study_row(&home).contains(&format!("status-{status}")),
        "{home}"
    );
    let feed_before = api_ok(&app, &token, "/api/v1/me").await["calendar_feed"]["id"].clone();

    // Record the meeting through this instance.
    let sec = app.person_id("李明华").await;
    let resp = post_form(
        &app,
        &s,
        &format!("/records/new?obligation={}", o.id),
        &meeting_form(&s.csrf, &mse, "2026-11-20", &[&sec], &["online-ideology"]),
    )
    .await;
    assert_eq!(resp.status(), 303);

    assert_eq!(
        api_ok(&app, &token, &format!("/api/v1/obligations/{}", o.id)).await["status"],
        "done"
    );
    let list = api_ok(
        &app,
        &token,
        "/api/v1/obligations?org=cqu-mse&year=2026&duty=annual-dedicated-study",
    )
    .await;
    assert!(!list.to_string().contains(&quoted), "{list}");
    let after = counts(&api_ok(&app, &token, "/api/v1/dashboard?org=cqu-mse&year=2026").await);
    assert_eq!(after, (before.0 + 1, before.1 - 1));
    let home = s.client.get(app.url("/")).send().await.unwrap();
    assert!(study_row(&home.text().await.unwrap()).contains("status-done"));

    // Rotating the feed token: the new address at once.
    let resp = send_as(&app, &token, "POST", "/api/v1/calendar/token", None).await;
    assert!(resp.status().is_success(), "{}", resp.status());
    let feed_after = api_ok(&app, &token, "/api/v1/me").await["calendar_feed"]["id"].clone();
    assert!(feed_after.is_string());
    assert_ne!(feed_after, feed_before);
}

/// Files in the no-longer-staged area of the data dir (content-addressed), and staged ones.
fn stored_files(app: &TestApp) -> (usize, usize) {
    let root = app.db.files_dir().unwrap().to_path_buf();
    let mut stored = 0;
    let mut staged = 0;
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.starts_with(root.join("tmp")) {
                staged += 1;
            } else {
                stored += 1;
            }
        }
    }
    (stored, staged)
}

/// The new-record form takes its attachments with it: saved with the record in one
/// transaction; a refused file refuses the form (422, the fields kept, nothing stored, no file
/// left behind in the data dir).
#[tokio::test]
async fn the_meeting_form_files_its_attachments_with_the_record() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let mse = app.org_id("cqu-mse").await;
    let o = study(&app, "cqu-mse").await;
    let records = record_count(&app).await;
    let sec = app.person_id("李明华").await;
    let path = format!("/records/new?obligation={}", o.id);
    let form = s.client.get(app.url(&path)).send().await.unwrap();
    let html = form.text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    assert!(html.contains("type=\"file\" id=\"files\" name=\"file\" multiple"));
    let fields = meeting_form(&s.csrf, &mse, "2026-11-20", &[&sec], &["online-ideology"]);
    let before = stored_files(&app);

    // An executable among the files: the form again, with the files' error and what was typed.
    let exe: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00binary";
    let resp = submit_multipart(
        &s,
        &app,
        &path,
        multipart_form(&fields, &[("纪要.pdf", PDF), ("setup.exe", exe)]),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"files-error\""), "{html}");
    assert!(html.contains("setup.exe"), "{html}");
    assert!(html.contains("会议听取了学院网络意识形态工作情况汇报"));
    assert_eq!(record_count(&app).await, records);
    assert_eq!(study(&app, "cqu-mse").await.state, "open");
    assert_eq!(stored_files(&app), before, "nothing kept of a refused form");

    // A field error with good files: nothing kept either.
    let bad_date = meeting_form(&s.csrf, &mse, "2026-12-01", &[&sec], &["online-ideology"]);
    let resp = submit_multipart(
        &s,
        &app,
        &path,
        multipart_form(&bad_date, &[("纪要.pdf", PDF)]),
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert_eq!(record_count(&app).await, records);
    assert_eq!(stored_files(&app), before);

    // An obligation that does not exist: 404, and the staged file is gone too.
    let resp = submit_multipart(
        &s,
        &app,
        "/records/new?obligation=00000000-0000-0000-0000-000000000000",
        multipart_form(&fields, &[("纪要.pdf", PDF)]),
    )
    .await;
    assert_eq!(resp.status(), 404);
    assert_eq!(stored_files(&app), before);

    // The right form with two files: the record, its evidence link and both attachments.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82";
    let resp = submit_multipart(
        &s,
        &app,
        &path,
        multipart_form(&fields, &[("纪要.pdf", PDF), ("签到表.png", png)]),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let done = study(&app, "cqu-mse").await;
    assert_eq!(done.state, "done");
    let ev = app.db.evidence_of(&o.id).await.unwrap();
    assert_eq!(ev.len(), 1);
    let files = app.db.record_attachments(&ev[0].record.id).await.unwrap();
    let mut names: Vec<_> = files.iter().map(|a| a.filename.clone()).collect();
    names.sort();
    assert_eq!(names, ["签到表.png", "纪要.pdf"]);
    assert_eq!(stored_files(&app), (before.0 + 2, 0));
    // The obligation shows them under its evidence, with their download links.
    let token = app.token("secretary").await;
    let one: Value = get_as(&app, &token, &format!("/api/v1/obligations/{}", o.id))
        .await
        .json()
        .await
        .unwrap();
    let files = one["evidence"][0]["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{one}");
    let pdf = files.iter().find(|f| f["filename"] == "纪要.pdf").unwrap();
    assert_eq!(pdf["mime"], "application/pdf");
    let href = pdf["href"].as_str().unwrap();
    let got = s.client.get(app.url(href)).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), PDF);
    let page = page(&s, &app, &format!("/obligations/{}", o.id)).await.1;
    assert!(
        page.contains("签到表.png") && page.contains("本事项已完成；如有补充材料"),
        "{page}"
    );
    app.db.verify_audit().await.unwrap().unwrap();
    app.finish().await;
}
