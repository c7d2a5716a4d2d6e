//! Records of the kinds a pack defines (docs/policy-pack.md §3.11), with the example 党风廉政
//! pack loaded beside the built-in one: 廉政谈话记录 (`integrity-talk`) through the API and the
//! generated form, validated field by field, completing the integrity-talk obligation of a
//! leadership member; who may not; and loading a policy version from the browser (upload,
//! preview, adopt), which only the system administrator may.

use crate::common::{
    PASSWORD, Session, TestApp, api, api_ok, assert_error, hidden, location, multipart_form, page,
    send_as, submit, submit_multipart,
};
use serde_json::{Value, json};
use zeren_core::Clock;
use zeren_core::policy::{builtin_source_as, parse_pack};
use zeren_storage::repo::records::RecordFilter;
use zeren_storage::{Actor, ledger};

/// The example pack: 材料科学与工程学院党风廉政建设责任制实施办法 (series
/// `cqu-mse-clean-government`), with its record kinds `integrity-talk` and `risk-point-review`.
const CLEAN_GOVERNMENT: &str =
    include_str!("../../../../docs/examples/cqu-mse-clean-government-2025-2.toml");

/// Its id.
const CG_ID: &str = "cqu-mse-2025-2";

const PDF: &[u8] = b"%PDF-1.4\n% integrity talk, signed\n%%EOF\n";

/// The demo with the example pack loaded and the 2026 obligations made.
async fn with_clean_government() -> TestApp {
    let app = TestApp::demo().await;
    let pack = parse_pack(CLEAN_GOVERNMENT).unwrap();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.load_policy(&pack, CLEAN_GOVERNMENT, false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let added = ledger::sync_obligations(&app.db, &Actor::system(), 2026, app.clock.now())
        .await
        .unwrap();
    assert!(added > 0);
    app
}

/// How many records the ledger keeps, in every org.
async fn record_count(app: &TestApp) -> i64 {
    let m = app.db.load_model().await.unwrap();
    app.db
        .records(&RecordFilter {
            orgs: m.orgs().iter().map(|o| o.id.clone()).collect(),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .1
}

/// The 2026 integrity-talk obligations of cqu-mse, as the API lists them to `token`.
async fn talks(app: &TestApp, token: &str) -> Vec<Value> {
    let v = api_ok(
        app,
        token,
        "/api/v1/obligations?org=cqu-mse&year=2026&duty=cg-integrity-talks",
    )
    .await;
    let items = v["items"].as_array().unwrap().clone();
    assert!(!items.is_empty(), "{v}");
    items
}

/// One obligation as the API shows it to `token`.
async fn obligation(app: &TestApp, token: &str, id: &str) -> Value {
    api_ok(app, token, &format!("/api/v1/obligations/{id}")).await
}

/// A JSON call with an API token in a language (`Accept-Language`): the status and the body.
async fn api_in(
    app: &TestApp,
    token: &str,
    lang: &str,
    method: &str,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let resp = app
        .client()
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(token)
        .header("accept-language", lang)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The message of an API validation error (422, `{"error": {"code", "message"}}`).
fn refusal(status: u16, body: &Value) -> String {
    assert_eq!(status, 422, "{body}");
    assert_error(body, "invalid_input");
    body["error"]["message"].as_str().unwrap().to_string()
}

/// A talk of cqu-mse: the secretary with `member` on `day`.
fn talk(talker: &str, member: &str, day: &str) -> Value {
    json!({
        "kind": "integrity-talk",
        "org": "cqu-mse",
        "title": "2026年度廉政谈话",
        "values": {
            "talked-on": day,
            "talker": talker,
            "talked-with": [member],
            "talk-kind": "annual",
            "content": "  提醒严守八项规定精神，落实一岗双责。  ",
        },
    })
}

/// Uploads files to a record through the API.
async fn upload(app: &TestApp, token: &str, rid: &str, files: &[(&str, &[u8])]) -> u16 {
    let fields: [(&str, &str); 0] = [];
    let (ct, body) = multipart_form(&fields, files);
    app.client()
        .post(app.url(&format!("/api/v1/records/{rid}/attachments")))
        .bearer_auth(token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The journey through the API: every field's problem told by its label in the user's
/// language, nothing stored unless all is right; the evidence check (the scan, the period)
/// refusing all or nothing; a valid talk saved, its file attached and linked, the obligation
/// done on the talk's day; an amendment of one value; the list and search.
#[tokio::test]
async fn an_integrity_talk_is_recorded_through_the_api_and_completes_the_obligation() {
    let app = with_clean_government().await;
    let token = app.token("secretary").await;
    let items = talks(&app, &token).await;
    let o = &items[0];
    assert_eq!(o["subject"]["kind"], "person", "{o}");
    assert_eq!(o["policy"], CG_ID, "{o}");
    let oid = o["id"].as_str().unwrap().to_string();
    let member = o["subject"]["id"].as_str().unwrap().to_string();
    let talker = app.person_id("李明华").await;
    let outsider = app.person_id("何志强").await;
    let records = record_count(&app).await;
    let with_obligation = format!("/api/v1/records?obligation={oid}");

    // Nothing typed in: each required field refused by its label, in Chinese.
    let empty =
        json!({"kind": "integrity-talk", "org": "cqu-mse", "title": "廉政谈话", "values": {}});
    let (status, body) = api(&app, &token, "POST", &with_obligation, Some(empty.clone())).await;
    let msg = refusal(status, &body);
    for m in [
        "谈话日期不能为空",
        "谈话人不能为空",
        "谈话对象不能为空",
        "谈话类型不能为空",
        "谈话内容不能为空",
    ] {
        assert!(msg.contains(m), "{m} in {msg}");
    }
    // The attachment field is not required: the file is the check's business, not the form's.
    assert!(!msg.contains("谈话记录扫描件不能为空"), "{msg}");
    // Each problem names its field, as the form does.
    let fields: Vec<(&str, &str)> = body["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields in {body}"))
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    assert!(
        fields.contains(&("values.talked-on", "谈话日期不能为空")),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("values.talk-kind", "谈话类型不能为空")),
        "{fields:?}"
    );
    // In English, by the English labels.
    let (status, body) = api_in(&app, &token, "en", "POST", &with_obligation, &empty).await;
    let msg = refusal(status, &body);
    for m in [
        "Date of the talk is required",
        "Talker is required",
        "People talked with is required",
        "Kind of talk is required",
        "What was discussed is required",
    ] {
        assert!(msg.contains(m), "{m} in {msg}");
    }
    // `?lang=en` says the same.
    let (status, body) = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/records?lang=en&obligation={oid}"),
        Some(empty.clone()),
    )
    .await;
    assert!(
        refusal(status, &body).contains("Date of the talk is required"),
        "{body}"
    );

    // A choice that is not one, a field the kind does not have, a person of another college,
    // a malformed date: each named.
    let mut bad = talk(&talker, &member, "2026-11-20");
    bad["values"]["talk-kind"] = json!("chat");
    let (status, body) = api(&app, &token, "POST", &with_obligation, Some(bad)).await;
    let msg = refusal(status, &body);
    assert!(
        msg.contains("谈话类型「chat」不是可选项") && msg.contains("annual（年度廉政谈话）"),
        "{msg}"
    );
    let mut bad = talk(&talker, &member, "2026-11-20");
    bad["values"]["mood"] = json!("good");
    let (status, body) = api(&app, &token, "POST", &with_obligation, Some(bad)).await;
    let msg = refusal(status, &body);
    assert!(
        msg.contains("mood") && msg.contains("廉政谈话记录"),
        "{msg}"
    );
    let bad = talk(&talker, &outsider, "2026-11-20");
    let (status, body) = api(&app, &token, "POST", &with_obligation, Some(bad)).await;
    let msg = refusal(status, &body);
    assert!(
        msg.contains("谈话对象")
            && msg.contains("何志强（计算机学院）不是材料科学与工程学院的人员"),
        "{msg}"
    );
    let bad = talk(&talker, &member, "2026-13-01");
    let (status, body) = api_in(&app, &token, "en", "POST", &with_obligation, &bad).await;
    let msg = refusal(status, &body);
    assert!(
        msg.contains("Date of the talk `2026-13-01` is not a date"),
        "{msg}"
    );
    // A talk after today (2026-11-28).
    let bad = talk(&talker, &member, "2026-11-29");
    let (status, body) = api(&app, &token, "POST", &with_obligation, Some(bad)).await;
    assert!(refusal(status, &body).contains("晚于今天"), "{body}");
    assert_eq!(record_count(&app).await, records, "nothing stored");

    // Right in every field, offered for the obligation without the signed scan: the kind's
    // check refuses it, naming the field; nothing stored, the obligation still open.
    let (status, body) = api(
        &app,
        &token,
        "POST",
        &with_obligation,
        Some(talk(&talker, &member, "2026-11-20")),
    )
    .await;
    let msg = refusal(status, &body);
    assert!(msg.contains("谈话记录扫描件"), "{msg}");
    // A talk of last year, offered for this year's obligation: the date check names the field
    // and the period.
    let (status, body) = api(
        &app,
        &token,
        "POST",
        &with_obligation,
        Some(talk(&talker, &member, "2025-11-20")),
    )
    .await;
    let msg = refusal(status, &body);
    assert!(
        msg.contains("谈话日期") && msg.contains("2026"),
        "names the field and the period: {msg}"
    );
    assert_eq!(record_count(&app).await, records, "all or nothing");
    assert_ne!(obligation(&app, &token, &oid).await["status"], "done");

    // Without an obligation: saved, under the version in force, values normalised.
    let (status, r) = api(
        &app,
        &token,
        "POST",
        "/api/v1/records",
        Some(talk(&talker, &member, "2026-11-20")),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["kind"], "integrity-talk", "{r}");
    assert_eq!(r["policy"], CG_ID, "{r}");
    assert_eq!(r["date"], "2026-11-20", "{r}");
    assert_eq!(r["version"], 1, "{r}");
    assert_eq!(r["definition"]["id"], "integrity-talk", "{r}");
    let values = &r["values"];
    assert_eq!(values["talked-on"], "2026-11-20", "{r}");
    assert_eq!(values["talker"], talker.as_str(), "{r}");
    assert_eq!(values["talked-with"], json!([member]), "{r}");
    assert_eq!(values["talk-kind"], "annual", "{r}");
    assert_eq!(
        values["content"], "提醒严守八项规定精神，落实一岗双责。",
        "trimmed: {r}"
    );
    assert!(values.get("scan").is_none(), "files are not values: {r}");
    assert_eq!(record_count(&app).await, records + 1);
    let rid = r["id"].as_str().unwrap().to_string();

    // Linked without its scan: refused by the check.
    let version = obligation(&app, &token, &oid).await["version"].clone();
    let link = json!({"record": rid, "version": version});
    let (status, body) = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/obligations/{oid}/evidence"),
        Some(link.clone()),
    )
    .await;
    assert!(refusal(status, &body).contains("谈话记录扫描件"), "{body}");
    // The scan attached, then linked: done on the talk's day.
    assert_eq!(
        upload(&app, &token, &rid, &[("谈话记录.pdf", PDF)]).await,
        201
    );
    let (status, out) = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/obligations/{oid}/evidence"),
        Some(link),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["status"], "done", "{out}");
    assert_eq!(out["completed_on"], "2026-11-20", "{out}");
    assert_eq!(out["evidence"][0]["record"], rid.as_str(), "{out}");
    let after = obligation(&app, &token, &oid).await;
    assert_eq!(after["status"], "done", "{after}");
    assert_eq!(after["completed_on"], "2026-11-20", "{after}");

    // An amendment of one value keeps the others.
    let (status, r2) = api(
        &app,
        &token,
        "PATCH",
        &format!("/api/v1/records/{rid}"),
        Some(json!({"version": 1, "values": {"talk-kind": "reminder"}})),
    )
    .await;
    assert_eq!(status, 200, "{r2}");
    assert_eq!(r2["version"], 2, "{r2}");
    assert_eq!(r2["values"]["talk-kind"], "reminder", "{r2}");
    for k in ["talked-on", "talker", "talked-with", "content"] {
        assert_eq!(r2["values"][k], values[k], "{k} kept: {r2}");
    }
    // A stale version is refused.
    let (status, body) = api(
        &app,
        &token,
        "PATCH",
        &format!("/api/v1/records/{rid}"),
        Some(json!({"version": 1, "values": {"talk-kind": "admonition"}})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    // A bad value in an amendment is refused by its label.
    let (status, body) = api(
        &app,
        &token,
        "PATCH",
        &format!("/api/v1/records/{rid}"),
        Some(json!({"version": 2, "values": {"talk-kind": "chat"}})),
    )
    .await;
    assert!(
        refusal(status, &body).contains("谈话类型「chat」不是可选项"),
        "{body}"
    );
    let full = api_ok(&app, &token, &format!("/api/v1/records/{rid}")).await;
    assert_eq!(full["version"], 2, "{full}");
    assert_eq!(full["versions"].as_array().unwrap().len(), 2, "{full}");
    assert_eq!(full["attachments"].as_array().unwrap().len(), 1, "{full}");
    assert_eq!(full["discharges"][0]["id"], oid.as_str(), "{full}");
    assert_eq!(full["discharges"][0]["status"], "done", "{full}");
    // Still done after the amendment.
    assert_eq!(obligation(&app, &token, &oid).await["status"], "done");

    // The list by kind.
    let list = api_ok(
        &app,
        &token,
        "/api/v1/records?org=cqu-mse&year=2026&kind=integrity-talk",
    )
    .await;
    let ids: Vec<&str> = list["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [rid.as_str()], "{list}");
    assert!(
        list["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["kind"] == "integrity-talk"),
        "{list}"
    );

    // Search finds it by a word of its content; the snippet is the record's text, not the
    // definition's labels.
    let found = api_ok(
        &app,
        &token,
        "/api/v1/search?q=%E5%85%AB%E9%A1%B9%E8%A7%84%E5%AE%9A",
    )
    .await;
    let hit = found["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == rid.as_str())
        .unwrap_or_else(|| panic!("the talk is found: {found}"))
        .clone();
    assert_eq!(hit["kind"], "record", "{hit}");
    assert_eq!(hit["sub"], "integrity-talk", "{hit}");
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.contains("八项规定"), "{snippet}");
    for label in [
        "谈话日期",
        "谈话对象",
        "谈话记录扫描件",
        "talked-on",
        "Date of the talk",
    ] {
        assert!(
            !snippet.contains(label),
            "{label} in the snippet: {snippet}"
        );
    }
    app.finish().await;
}

/// Who may not: an account that does not act on the obligation (staff not named its handler, a
/// leader not responsible for it, the supervisor who keeps no records); another college's org;
/// a kind no pack defines.
#[tokio::test]
async fn an_integrity_talk_is_refused_to_those_who_may_not_record_it() {
    let app = with_clean_government().await;
    let token = app.token("secretary").await;
    let o = talks(&app, &token).await[0].clone();
    let oid = o["id"].as_str().unwrap().to_string();
    let member = o["subject"]["id"].as_str().unwrap().to_string();
    let talker = app.person_id("李明华").await;
    let records = record_count(&app).await;
    let body = talk(&talker, &member, "2026-11-20");
    for role in ["staff", "leader", "supervisor"] {
        let t = app.token(role).await;
        let resp = send_as(
            &app,
            &t,
            "POST",
            &format!("/api/v1/records?obligation={oid}"),
            Some(&body),
        )
        .await;
        assert_eq!(resp.status(), 403, "{role}: POST with the obligation");
        let s = app.sign_in(role, PASSWORD).await;
        let (status, _) = page(
            &s,
            &app,
            &format!("/records/new?kind=integrity-talk&obligation={oid}"),
        )
        .await;
        assert_eq!(status, 403, "{role}: the form of the obligation");
    }

    // Another college's org: out of the secretary's scope, answered as the records area answers
    // an org it cannot see (404, like a missing one).
    let mut other = talk(&talker, &member, "2026-11-20");
    other["org"] = json!("cqu-cs");
    let (status, body) = api(&app, &token, "POST", "/api/v1/records", Some(other)).await;
    assert_eq!(status, 404, "{body}");

    // A kind no pack defines.
    let mut unknown = talk(&talker, &member, "2026-11-20");
    unknown["kind"] = json!("no-such-kind");
    let (status, body) = api(
        &app,
        &token,
        "POST",
        "/api/v1/records",
        Some(unknown.clone()),
    )
    .await;
    let msg = refusal(status, &body);
    assert!(msg.contains("no-such-kind"), "{msg}");
    let (status, body) = api_in(&app, &token, "en", "POST", "/api/v1/records", &unknown).await;
    let msg = refusal(status, &body);
    assert!(msg.contains("kind `no-such-kind`"), "{msg}");
    assert_eq!(record_count(&app).await, records, "nothing stored");
    assert_ne!(obligation(&app, &token, &oid).await["status"], "done");
    app.finish().await;
}

/// The generated form: its fields under their labels; saved with the signed scan from the
/// obligation, it completes the obligation and goes back to it.
#[tokio::test]
async fn an_integrity_talk_is_recorded_through_its_form() {
    let app = with_clean_government().await;
    let token = app.token("secretary").await;
    let o = talks(&app, &token).await[0].clone();
    let oid = o["id"].as_str().unwrap().to_string();
    let member = o["subject"]["id"].as_str().unwrap().to_string();
    let talker = app.person_id("李明华").await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let path = format!("/records/new?kind=integrity-talk&obligation={oid}");
    let (status, html) = page(&s, &app, &path).await;
    assert_eq!(status, 200, "{html}");
    for label in [
        "谈话日期",
        "谈话人",
        "谈话对象",
        "谈话类型",
        "谈话内容",
        "谈话记录扫描件",
    ] {
        assert!(html.contains(label), "{label}: {html}");
    }
    for name in [
        "name=\"values.talked-on\"",
        "name=\"values.talker\"",
        "name=\"values.talked-with\"",
        "name=\"values.talk-kind\"",
        "name=\"values.content\"",
        "name=\"file\"",
    ] {
        assert!(html.contains(name), "{name}: {html}");
    }
    assert!(html.contains("年度廉政谈话"), "the choices by name");
    assert_eq!(hidden(&html, "obligation"), oid);
    // The form has no date of its own: the kind's date field dates the record.
    assert!(!html.contains("name=\"date\""), "{html}");
    let version = hidden(&html, "obligation_version");
    let records = record_count(&app).await;

    let form = |file: bool, kind: &str| {
        let fields: Vec<(&str, String)> = vec![
            ("csrf", s.csrf.clone()),
            ("kind", "integrity-talk".into()),
            ("obligation", oid.clone()),
            ("obligation_version", version.clone()),
            ("title", "2026年度廉政谈话".into()),
            ("values.talked-on", "2026-11-20".into()),
            ("values.talker", talker.clone()),
            ("values.talked-with", member.clone()),
            ("values.talk-kind", kind.into()),
            ("values.content", "提醒严守八项规定精神。".into()),
        ];
        let files: Vec<(&str, &[u8])> = if file {
            vec![("谈话记录.pdf", PDF)]
        } else {
            vec![]
        };
        multipart_form(&fields, &files)
    };
    // A bad choice: the form again, the error at its field, what was typed kept.
    let resp = submit_multipart(&s, &app, &path, form(true, "chat")).await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("谈话类型「chat」不是可选项"), "{html}");
    assert!(html.contains("提醒严守八项规定精神。"), "{html}");
    // Without the scan: refused, naming it.
    let resp = submit_multipart(&s, &app, &path, form(false, "annual")).await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("谈话记录扫描件"));
    assert_eq!(record_count(&app).await, records, "nothing stored");

    let resp = submit_multipart(&s, &app, &path, form(true, "annual")).await;
    assert_eq!(
        resp.status(),
        303,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    let to = location(&resp);
    assert!(to.starts_with(&format!("/obligations/{oid}")), "{to}");
    assert_eq!(record_count(&app).await, records + 1);
    let (status, html) = page(&s, &app, &to).await;
    assert_eq!(status, 200);
    assert!(html.contains("已完成"), "{html}");
    let after = obligation(&app, &token, &oid).await;
    assert_eq!(after["status"], "done", "{after}");
    assert_eq!(after["completed_on"], "2026-11-20", "{after}");
    app.finish().await;
}

// ------------------------------------------------------------------------------------------
// Loading a policy version from the browser
// ------------------------------------------------------------------------------------------

/// Version 2 of the built-in pack: in force from 2026-07-01, the situation analysis monthly.
fn builtin_v2() -> String {
    let src = builtin_source_as("cqu-mse-2026-4", 2, "2026-07-01")
        .replacen(
            "定期分析研判网络意识形态领域情况",
            "每月分析研判网络意识形态领域情况",
            1,
        )
        .replacen(
            "cadence = \"quarterly\"                    # college's choice",
            "cadence = \"monthly\"                    # college's choice",
            1,
        );
    assert!(src.contains("每月分析研判") && src.contains("cadence = \"monthly\""));
    parse_pack(&src).unwrap();
    src
}

/// Uploads a pack for its preview on a session (the CSRF token first, as the page's form).
async fn preview(s: &Session, app: &TestApp, name: &str, source: &str) -> (u16, String) {
    let resp = submit_multipart(
        s,
        app,
        "/policies/load",
        multipart_form(&[("csrf", s.csrf.as_str())], &[(name, source.as_bytes())]),
    )
    .await;
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// The ids of the loaded policies, as the API lists them.
async fn loaded(app: &TestApp, token: &str) -> Vec<String> {
    api_ok(app, token, "/api/v1/policies").await["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

/// The system administrator uploads a version, sees what it changes, and adopts exactly that
/// file; a broken pack is told by line and column, a changed text or a version already loaded
/// is refused, and nothing is stored before "adopt".
#[tokio::test]
async fn the_system_administrator_previews_and_adopts_a_policy_version() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let s = app.sign_in("sysadmin", PASSWORD).await;
    let (status, html) = page(&s, &app, "/policies/load").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("name=\"file\""), "{html}");
    assert_eq!(hidden(&html, "csrf"), s.csrf);
    let policies = loaded(&app, &token).await;

    // A syntax error on line 3: located as FILE:LINE:COL.
    let broken = "format = 1\n\n[policy\nid = \"x\"\n";
    let (status, html) = preview(&s, &app, "broken.toml", broken).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("broken.toml:3:"), "{html}");
    assert!(html.contains("无法载入"), "{html}");
    assert!(!html.contains("name=\"sha256\""), "no adopt form: {html}");

    // Version 2 of the built-in pack: its changes and the obligations added and withdrawn.
    let v2 = builtin_v2();
    let (status, html) = preview(&s, &app, "v2.toml", &v2).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("cqu-mse-2026-4"), "{html}");
    assert!(html.contains("cqu-mse-2021-6"), "supersedes: {html}");
    assert!(html.contains("新增"), "{html}");
    assert!(html.contains("撤销"), "{html}");
    assert!(html.contains("situation-analysis"), "{html}");
    let sha = hidden(&html, "sha256");
    assert_eq!(sha.len(), 64, "{html}");
    assert!(sha.chars().all(|c| c.is_ascii_hexdigit()), "{sha}");
    assert!(html.contains(&sha), "shown");
    assert!(!hidden(&html, "source").is_empty(), "{html}");
    assert_eq!(
        loaded(&app, &token).await,
        policies,
        "a preview stores nothing"
    );

    // Another text than the one previewed.
    let other = v2.replacen("每月分析研判", "每周分析研判", 1);
    let resp = submit(
        &s,
        &app,
        "/policies/adopt",
        &[("source", other.as_str()), ("sha256", sha.as_str())],
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("提交的内容与预览时不同")
    );
    assert_eq!(loaded(&app, &token).await, policies, "nothing loaded");

    // The file previewed, as a browser sends a text area back (CRLF line ends): adopted.
    let crlf = v2.replace('\n', "\r\n");
    let resp = submit(
        &s,
        &app,
        "/policies/adopt",
        &[("source", crlf.as_str()), ("sha256", sha.as_str())],
    )
    .await;
    assert_eq!(
        resp.status(),
        303,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    // Back to the upload page, which confirms the version loaded.
    let to = location(&resp);
    assert_eq!(to, "/policies/load?loaded=cqu-mse-2026-4");
    let now = loaded(&app, &token).await;
    assert!(now.iter().any(|id| id == "cqu-mse-2026-4"), "{now:?}");
    assert_eq!(now.len(), policies.len() + 1);
    let stored = app.db.policy("cqu-mse-2026-4").await.unwrap();
    assert_eq!(stored.pack.meta.version, 2);
    let (status, html) = page(&s, &app, &to).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("role=\"status\""), "{html}");
    assert!(html.contains("网络意识形态"), "{html}");
    // The business roles read it.
    let secretary = app.sign_in("secretary", PASSWORD).await;
    let (status, _) = page(&secretary, &app, "/policies/cqu-mse-2026-4").await;
    assert_eq!(status, 200);

    // The same file again, previewed: the id is taken, told in Chinese.
    let (status, html) = preview(&s, &app, "v2.toml", &v2).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("已载入编号为 `cqu-mse-2026-4` 的制度"),
        "{html}"
    );
    assert!(!html.contains("name=\"sha256\""), "no adopt form: {html}");
    // Adopted again (the form kept from the first preview): refused, told in Chinese too.
    let resp = submit(
        &s,
        &app,
        "/policies/adopt",
        &[("source", v2.as_str()), ("sha256", sha.as_str())],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert_eq!(loaded(&app, &token).await.len(), policies.len() + 1);
    assert!(
        html.contains("已载入编号为 `cqu-mse-2026-4` 的制度"),
        "{html}"
    );
    app.finish().await;
}

/// A second system that takes a record kind id of another series is refused, naming the kind.
#[tokio::test]
async fn a_pack_reusing_a_record_kind_of_another_series_is_refused() {
    let app = with_clean_government().await;
    let s = app.sign_in("sysadmin", PASSWORD).await;
    // The laboratory safety system, its inspection recorded on a kind of its own that takes
    // the example's id.
    let source = format!(
        "{}\n{}",
        include_str!("../../../../tests/fixtures/lab-safety-2026-1.toml").replace(
            r#"evidence = [{ kind = "situation-analysis" }]"#,
            r#"evidence = [{ kind = "integrity-talk" }]"#,
        ),
        r#"
[[record_kinds]]
id = "integrity-talk"
name = "安全检查记录"
name_en = "Safety inspection record"
date_field = "held-on"

  [[record_kinds.fields]]
  id = "held-on"
  type = "date"
  label = "检查日期"
  label_en = "Date of the inspection"
  required = true
"#
    );
    let source = source.as_str();
    // The pack itself is sound: the refusal is the installation's rule (30).
    parse_pack(source).unwrap();
    let (status, html) = preview(&s, &app, "lab.toml", source).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("integrity-talk") && html.contains("cqu-mse-clean-government"),
        "names the kind and its series: {html}"
    );
    assert!(html.contains("记录类型"), "{html}");
    // Adopted blind (its own hash): refused the same way, nothing loaded.
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(source.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let resp = submit(
        &s,
        &app,
        "/policies/adopt",
        &[("source", source), ("sha256", sha.as_str())],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("integrity-talk"), "{html}");
    assert!(app.db.policy("lab-safety-2026-1").await.is_err());
    app.finish().await;
}

/// Only the system administrator loads policies; a request without the session's CSRF token is
/// refused by the CSRF check.
#[tokio::test]
async fn loading_a_policy_is_the_system_administrators_only() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let policies = loaded(&app, &token).await;
    let v2 = builtin_v2();
    for role in ["secretary", "secadmin", "supervisor"] {
        let s = app.sign_in(role, PASSWORD).await;
        let (status, _) = page(&s, &app, "/policies/load").await;
        assert_eq!(status, 403, "{role}: GET");
        let (status, _) = preview(&s, &app, "v2.toml", &v2).await;
        assert_eq!(status, 403, "{role}: POST /policies/load");
        let resp = submit(
            &s,
            &app,
            "/policies/adopt",
            &[("source", v2.as_str()), ("sha256", "0")],
        )
        .await;
        assert_eq!(resp.status(), 403, "{role}: POST /policies/adopt");
    }
    // A visitor is sent to sign in.
    let resp = app
        .client()
        .get(app.url("/policies/load"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert!(location(&resp).starts_with("/login"), "{}", location(&resp));

    // The administrator's own session without its token: refused by the CSRF check.
    let s = app.sign_in("sysadmin", PASSWORD).await;
    let csrf_refusal = zeren_web::shared::i18n::t(zeren_core::Lang::Zh, "auth.error.csrf");
    let resp = submit_multipart(
        &s,
        &app,
        "/policies/load",
        multipart_form(&[("note", "x")], &[("v2.toml", v2.as_bytes())]),
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains(csrf_refusal));
    let resp = s
        .client
        .post(app.url("/policies/adopt"))
        .form(&[("source", v2.as_str()), ("sha256", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains(csrf_refusal));
    assert_eq!(loaded(&app, &token).await, policies, "nothing loaded");
    app.finish().await;
}

/// A pack the preview takes (up to `PACK_MAX`, 512 KB) can be adopted: its text comes back in
/// one form field, which must not be refused for its length.
#[tokio::test]
async fn every_pack_that_previews_can_be_adopted_and_a_larger_one_is_refused_at_once() {
    let app = TestApp::demo().await;
    let s = app.sign_in("sysadmin", PASSWORD).await;
    let max = zeren_web::shared::limits::FIELD_MAX;
    let note = "# note: explanatory text for the committee, kept with the pack.\n";
    // Over the bound: refused at the preview, naming the bound, before anything else.
    let big = format!("{}\n{}", builtin_v2(), note.repeat(max / note.len() + 1));
    assert!(big.len() > max);
    let (status, html) = preview(&s, &app, "v2.toml", &big).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("制度文件不能超过 128 KB"),
        "{}",
        &html[..html.len().min(2000)]
    );
    // Just under it (some comments at length): previewed, and adopted as previewed.
    let v2 = builtin_v2();
    let room = max - v2.len() - 1;
    let source = format!("{v2}\n{}", note.repeat(room / note.len()));
    assert!(source.len() <= max && source.len() > max - note.len() - 1);
    let (status, html) = preview(&s, &app, "v2.toml", &source).await;
    assert_eq!(status, 200, "{}", &html[..html.len().min(2000)]);
    let sha = hidden(&html, "sha256");
    let resp = submit(
        &s,
        &app,
        "/policies/adopt",
        &[("source", source.as_str()), ("sha256", sha.as_str())],
    )
    .await;
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(
        status,
        303,
        "{}",
        text.chars().take(2000).collect::<String>()
    );
    assert!(app.db.policy("cqu-mse-2026-4").await.is_ok());
    app.finish().await;
}
