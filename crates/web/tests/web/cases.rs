//! Stories of the accountability cases (问责), through the API on the demo: the discipline
//! commission opens a case from an indicator (赵敏's WeChat account overdue for its annual
//! review), with the post she held; bad input, a decision before the statement, a stale version
//! and a secretary's look are refused with nothing stored but the refusal audited; 赵敏 is
//! invited, sees only her part and states her case; the commission decides 通报 with a
//! remediation task of hers, serves it; she appeals within the window and the appeal is
//! decided; she reports her task, cannot verify it herself, the commission verifies it; the
//! case closes only then, and after that takes only addenda. No other account sees any of it;
//! the decision document goes to the commission and the respondent only; the audit chain
//! verifies. Apart: the appeal window closing (the harness moves the server's clock); a
//! college secretary's referral, accepted or declined; a commission member of another college,
//! who sees nothing; and the audit of a refused download and of a step through the page.

use crate::common::{PASSWORD, Session, TestApp, api, page, submit};
use serde_json::{Value, json};
use zeren_core::cases::CaseState;
use zeren_storage::repo::cases::CaseFilter;

/// The deciding body of the built-in pack.
const BODY: &str = "中共重庆大学纪律检查委员会";

/// The business accounts with no part in the story's case, and the administrators.
const OUTSIDERS: [&str; 5] = ["secretary", "staff", "branch", "supervisor", "keeper"];
const ADMINS: [&str; 3] = ["sysadmin", "secadmin", "auditor"];

/// The fields an API refusal names.
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

/// The error's message.
fn message(v: &Value) -> String {
    v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The audit entries written since the log held `mark` entries: (action, object id, after).
async fn audited_since(app: &TestApp, mark: usize) -> Vec<(String, String, String)> {
    app.db
        .audit_page(mark as i64, 1_000_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.object_id, e.after.unwrap_or_default()))
        .collect()
}

/// Just the actions of [`audited_since`].
async fn actions_since(app: &TestApp, mark: usize) -> Vec<String> {
    audited_since(app, mark)
        .await
        .into_iter()
        .map(|(a, ..)| a)
        .collect()
}

/// How many cases there are, in every org.
async fn case_count(app: &TestApp) -> i64 {
    app.db
        .cases(&CaseFilter {
            orgs: None,
            states: Vec::new(),
            offset: 0,
            limit: 0,
        })
        .await
        .unwrap()
        .1
}

/// A step of the procedure through the API.
async fn step(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    api(
        app,
        token,
        "POST",
        &format!("/api/v1/cases/{id}/steps"),
        Some(body),
    )
    .await
}

/// The version the case is at now (read from the database: no view audited).
async fn version(app: &TestApp, id: &str) -> i64 {
    app.db.case(id).await.unwrap().version
}

/// A refused change: it answered `status`, left the case and the count of cases as they were,
/// and the audit log took only the view of the attempt and the refusal (`case.refused`).
async fn refused_unstored(
    app: &TestApp,
    what: &str,
    (status, v): (u16, Value),
    want: u16,
    id: &str,
    (mark, was, count): (usize, i64, i64),
) -> Value {
    assert_eq!(status, want, "{what}: {v}");
    if let Some(id) = (!id.is_empty()).then_some(id) {
        assert_eq!(version(app, id).await, was, "{what}: the case is unchanged");
    }
    assert_eq!(case_count(app).await, count, "{what}: no case stored");
    let actions = actions_since(app, mark).await;
    let want_actions: &[&str] = if id.is_empty() {
        &["case.refused"]
    } else {
        &["case.view", "case.refused"]
    };
    assert_eq!(
        actions, want_actions,
        "{what}: the attempt is audited, nothing else"
    );
    v
}

/// Where the story stands, for [`refused_unstored`].
async fn mark(app: &TestApp, id: &str) -> (usize, i64, i64) {
    let was = if id.is_empty() {
        0
    } else {
        version(app, id).await
    };
    (app.audit_len().await, was, case_count(app).await)
}

/// The entry `name` of a zip archive whose entries are stored uncompressed (docx-rs writes the
/// parts of a .docx so), found through the central directory.
fn stored_entry(zip: &[u8], name: &str) -> Option<Vec<u8>> {
    let u16_at = |i: usize| usize::from(u16::from_le_bytes([zip[i], zip[i + 1]]));
    let u32_at = |i: usize| u32::from_le_bytes(zip[i..i + 4].try_into().unwrap()) as usize;
    let eocd = (0..=zip.len().checked_sub(22)?)
        .rev()
        .find(|&i| zip[i..i + 4] == [0x50, 0x4b, 5, 6])?;
    let mut p = u32_at(eocd + 16);
    for _ in 0..u16_at(eocd + 10) {
        assert_eq!(
            zip[p..p + 4],
            [0x50, 0x4b, 1, 2],
            "a central directory entry"
        );
        let (method, size) = (u16_at(p + 10), u32_at(p + 20));
        let (name_len, extra, comment) = (u16_at(p + 28), u16_at(p + 30), u16_at(p + 32));
        let local = u32_at(p + 42);
        if &zip[p + 46..p + 46 + name_len] == name.as_bytes() {
            assert_eq!(method, 0, "{name} is stored, not compressed");
            let start = local + 30 + u16_at(local + 26) + u16_at(local + 28);
            return Some(zip[start..start + size].to_vec());
        }
        p += 46 + name_len + extra + comment;
    }
    None
}

/// The decision document of case `id` downloaded on `s`, which must answer 200 with a Word
/// file: the text of its `word/document.xml`.
async fn decision_text(app: &TestApp, s: &Session, id: &str) -> String {
    let r = s
        .client
        .get(app.url(&format!("/cases/{id}/decision.docx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the decision document");
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "a zip archive");
    let xml = stored_entry(&bytes, "word/document.xml").expect("word/document.xml");
    String::from_utf8(xml).unwrap()
}

/// The status of a GET on a signed-in session.
async fn status_of(s: &Session, app: &TestApp, path: &str) -> u16 {
    s.client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The `asked` of `/api/v1/cases/mine` for the case `id`: (what, due).
async fn asked(app: &TestApp, token: &str, id: &str) -> Vec<(String, String)> {
    let (status, v) = api(app, token, "GET", "/api/v1/cases/mine", None).await;
    assert_eq!(status, 200, "{v}");
    v["asked"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["case"] == id)
        .map(|a| {
            (
                a["what"].as_str().unwrap().to_string(),
                a["due"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_case_opened_from_an_indicator_runs_to_closing_seen_only_by_its_parties() {
    for app in TestApp::demo_on_engines().await {
        eprintln!("story on {}", app.label);
        whole_procedure(&app).await;
        app.finish().await;
    }
}

async fn whole_procedure(app: &TestApp) {
    let d = app.token("discipline").await;
    let leader = app.token("leader").await;
    let secretary = app.token("secretary").await;
    let zhao = app.person_id("赵敏").await;
    let qian = app.person_id("钱纪明").await;

    // 1. The indicator: 赵敏's WeChat account overdue for its annual review.
    let (status, v) = api(app, &d, "GET", "/api/v1/indicators?ground=art5-6", None).await;
    assert_eq!(status, 200, "{v}");
    let ind = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["fact"] == "review-overdue"
                && i["org"] == "材料科学与工程学院"
                && i["person"] == "赵敏"
        })
        .unwrap_or_else(|| panic!("the indicator of 赵敏's overdue review: {v}"))
        .clone();
    assert_eq!(ind["person_id"], zhao.as_str());
    let day = ind["day"].as_str().unwrap().to_string();
    let (kind, reference) = ind["evidence_ref"]
        .as_str()
        .unwrap()
        .split_once(':')
        .unwrap();
    assert_eq!(kind, "obligation", "{ind}");
    // The post she held that day, from her holdings.
    let (status, person) = api(app, &d, "GET", &format!("/api/v1/people/{zhao}"), None).await;
    assert_eq!(status, 200, "{person}");
    let post = person["holdings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| {
            h["org_code"] == "cqu-mse"
                && h["start"].as_str().unwrap() <= day.as_str()
                && h["end"].as_str().is_none_or(|e| e >= day.as_str())
        })
        .unwrap_or_else(|| panic!("the post 赵敏 held on {day}: {person}"))["post"]
        .as_str()
        .unwrap()
        .to_string();
    let draft = json!({
        "title": "重大材料学院微信公众号年审逾期", "subject_kind": "person", "org": "cqu-mse",
        "person": zhao, "post": post, "period_from": day, "period_to": "2026-11-27",
        "grounds": ["art5-6"], "background": "学院微信公众号年审逾期未完成，分管领导未督促整改。",
        "facts": [{
            "kind": kind, "reference": reference, "ground": "art5-6",
            "note": ind["what"], "indicator": "review-overdue",
        }],
    });

    // 2a. A ground the pack does not have: refused naming it, nothing stored, the attempt
    // audited.
    let mut bad = draft.clone();
    bad["grounds"] = json!(["art5-10"]);
    let at = mark(app, "").await;
    let v = refused_unstored(
        app,
        "a ground the pack lacks",
        api(app, &d, "POST", "/api/v1/cases", Some(bad)).await,
        422,
        "",
        at,
    )
    .await;
    assert_eq!(fields(&v)[0], "grounds", "{v}");
    assert!(message(&v).contains("art5-10"), "{v}");

    // Not the commission, not a secretary: the leader cannot open one.
    let (status, v) = api(app, &leader, "POST", "/api/v1/cases", Some(draft.clone())).await;
    assert_eq!(status, 403, "{v}");

    // Opened.
    let mark_open = app.audit_len().await;
    let (status, c) = api(app, &d, "POST", "/api/v1/cases", Some(draft.clone())).await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["state"], "opened", "{c}");
    assert_eq!(c["person"]["name"], "赵敏");
    assert_eq!(c["post"]["id"], post.as_str());
    assert_eq!(c["opened_on"], "2026-11-28");
    let fact = c["file"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "fact")
        .unwrap_or_else(|| panic!("the fact on the file: {c}"));
    assert_eq!(fact["reference"], reference);
    assert_eq!(fact["indicator"], "review-overdue");
    assert_eq!(
        fact["evidence"]["href"],
        format!("/obligations/{reference}"),
        "{fact}"
    );
    assert_eq!(actions_since(app, mark_open).await, ["case.open"]);
    // She is its subject, but has no part in it until she is invited to state her case.
    let (status, v) = api(app, &leader, "GET", &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(status, 404, "{v}");
    assert!(asked(app, &leader, &id).await.is_empty());

    // 2c. A decision before the statement step: 409 naming the rule.
    let decision = json!({
        "action": "decide", "version": version(app, &id).await,
        "findings": [{"ground": "art5-6", "finding": "upheld", "reason": "年审逾期属实，分管领导未督促"}],
        "forms": ["circular"], "decided_on": "2026-11-28", "document_number": "重大纪〔2026〕7号",
        "decision_text": "经研究，决定对赵敏同志予以通报。",
    });
    let at = mark(app, &id).await;
    let v = refused_unstored(
        app,
        "a decision before the statement",
        step(app, &d, &id, decision.clone()).await,
        409,
        &id,
        at,
    )
    .await;
    assert!(
        message(&v).contains("陈述申辩环节完成前不能作出问责决定"),
        "{v}"
    );

    // 2e. A secretary reading the case: 404, as if it did not exist; the look is audited.
    let at = app.audit_len().await;
    let (status, v) = api(app, &secretary, "GET", &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(status, 404, "{v}");
    assert!(!v.to_string().contains("赵敏"), "{v}");
    let seen = audited_since(app, at).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        (seen[0].0.as_str(), seen[0].1.as_str()),
        ("case.view.refused", id.as_str())
    );

    // 2f. A stale version: 409, nothing stored.
    let at = mark(app, &id).await;
    refused_unstored(
        app,
        "a stale version",
        step(
            app,
            &d,
            &id,
            json!({"action": "investigate", "version": version(app, &id).await - 1}),
        )
        .await,
        409,
        &id,
        at,
    )
    .await;

    // 3. The statement invited: 赵敏 is the respondent, with five days.
    let (status, c) = step(
        app,
        &d,
        &id,
        json!({"action": "invite-statement", "version": version(app, &id).await,
               "invitation": "请于5日内就公众号年审逾期一事作出书面说明。"}),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["state"], "statement-invited");
    assert_eq!(c["respondent"]["id"], zhao.as_str());
    assert_eq!(c["statement_due"], "2026-12-03");
    assert_eq!(
        asked(app, &leader, &id).await,
        [("statement".to_string(), "2026-12-03".to_string())]
    );

    // She sees her part only: what is asked, not the commission's file.
    let at = app.audit_len().await;
    let (status, mine) = api(app, &leader, "GET", &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(status, 200, "{mine}");
    for hidden in ["file", "background", "tasks", "referral", "person", "post"] {
        assert!(mine.get(hidden).is_none(), "{hidden} shown to her: {mine}");
    }
    assert!(!mine.to_string().contains("分管领导未督促整改"), "{mine}");
    assert_eq!(
        mine["invitation"],
        "请于5日内就公众号年审逾期一事作出书面说明。"
    );
    assert_eq!(mine["actions"], json!(["submit-statement"]));
    let seen = audited_since(app, at).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].0, "case.view");
    assert!(seen[0].2.contains("respondent"), "{seen:?}");
    // Her page likewise.
    let zs = app.sign_in("leader", PASSWORD).await;
    let (status, html) = page(&zs, app, &format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("请于5日内就公众号年审逾期一事作出书面说明"));
    assert!(
        !html.contains("分管领导未督促整改"),
        "the background is the commission's"
    );

    // Her statement: the commission does not state it for her.
    let statement = json!({"action": "submit-statement", "version": version(app, &id).await,
        "statement": "年审因平台管理员调整而延误，已安排补做。"});
    let (status, v) = step(app, &d, &id, statement.clone()).await;
    assert_eq!(status, 403, "{v}");
    let (status, v) = step(app, &leader, &id, statement).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "statement-received");
    assert_eq!(v["statement_on"], "2026-11-28");
    assert!(asked(app, &leader, &id).await.is_empty());

    // Nor does she decide.
    let mut now = decision.clone();
    now["version"] = json!(version(app, &id).await);
    let (status, v) = step(app, &leader, &id, now.clone()).await;
    assert_eq!(status, 403, "{v}");

    // 2b. A form not allowed for a cadre (改组 is an organisation's): refused naming it.
    let mut reorganise = now.clone();
    reorganise["forms"] = json!(["reorganisation"]);
    let at = mark(app, &id).await;
    let v = refused_unstored(
        app,
        "a form for organisations only",
        step(app, &d, &id, reorganise).await,
        422,
        &id,
        at,
    )
    .await;
    assert_eq!(fields(&v), ["forms"], "{v}");
    assert!(message(&v).contains("改组"), "{v}");
    assert!(message(&v).contains("不适用于领导干部"), "{v}");

    // Decided: 通报.
    let (status, c) = step(app, &d, &id, now).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["state"], "decided");
    assert_eq!(c["decision"]["deciding_body"], BODY);
    assert_eq!(c["decision"]["forms"][0]["id"], "circular");
    assert_eq!(c["decision"]["forms"][0]["name"], "通报");
    assert_eq!(c["decision_document"], format!("/cases/{id}/decision.docx"));

    // Remediation: hers.
    let (status, c) = api(
        app,
        &d,
        "POST",
        &format!("/api/v1/cases/{id}/tasks"),
        Some(json!({"title": "完成学院微信公众号年审并建立年审台账", "owner": zhao, "deadline": "2026-12-31"})),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    let task = c["tasks"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(c["tasks"][0]["owner"]["name"], "赵敏");

    // Served: the appeal window runs 30 days.
    let (status, c) = step(
        app,
        &d,
        &id,
        json!({"action": "notify", "version": version(app, &id).await}),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["state"], "notified");
    assert_eq!(c["appeal_until"], "2026-12-28");
    assert_eq!(
        asked(app, &leader, &id).await,
        [
            ("appeal".to_string(), "2026-12-28".to_string()),
            ("remediation".to_string(), "2026-12-31".to_string())
        ]
    );
    // She reads the decision and her task.
    let (status, mine) = api(app, &leader, "GET", &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["decision"]["forms"][0]["name"], "通报");
    assert_eq!(mine["actions"], json!(["appeal"]));
    assert_eq!(mine["tasks"][0]["id"], task.as_str());
    assert!(mine.get("file").is_none(), "{mine}");

    // She appeals within the window (twelve days on).
    app.clock.set_day("2026-12-10");
    let (status, c) = step(
        app,
        &leader,
        &id,
        json!({"action": "appeal", "version": version(app, &id).await,
               "appeal": "年审逾期系平台管理员岗位空缺所致，请求从轻处理。"}),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["state"], "appealed");
    assert_eq!(
        asked(app, &leader, &id).await,
        [("remediation".to_string(), "2026-12-31".to_string())]
    );
    let (status, c) = step(
        app,
        &d,
        &id,
        json!({"action": "decide-appeal", "version": version(app, &id).await,
               "outcome": "upheld", "reason": "申诉理由不足以改变原决定。", "decided_on": "2026-12-10"}),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["state"], "appeal-decided");
    assert_eq!(c["appeal_decision"]["outcome"], "upheld");

    // Not closed while remediation is open.
    let close = || json!({"action": "close", "version": 0});
    let mut closing = close();
    closing["version"] = json!(version(app, &id).await);
    let at = mark(app, &id).await;
    let v = refused_unstored(
        app,
        "closing before verification",
        step(app, &d, &id, closing.clone()).await,
        409,
        &id,
        at,
    )
    .await;
    assert!(message(&v).contains("整改任务未经核验"), "{v}");

    // She reports her task; she cannot verify it; the commission does.
    let task_path = format!("/api/v1/cases/{id}/tasks/{task}");
    let (status, v) = api(
        app,
        &leader,
        "POST",
        &task_path,
        Some(json!({"do": "report", "version": 1, "evidence": "已完成年审，年审记录已上传。"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["tasks"][0]["reported_on"], "2026-12-10");
    let (status, v) = api(
        app,
        &leader,
        "POST",
        &task_path,
        Some(json!({"do": "verify", "version": 2, "note": "本人核验"})),
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert!(app.db.case_task(&task).await.unwrap().verified_on.is_none());
    let (status, c) = api(
        app,
        &d,
        "POST",
        &task_path,
        Some(json!({"do": "verify", "version": 2, "note": "核验通过"})),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["tasks"][0]["verified_on"], "2026-12-10");
    assert_eq!(c["tasks"][0]["verified_by"]["id"], qian.as_str());
    assert!(asked(app, &leader, &id).await.is_empty());

    // Closed.
    let (status, c) = step(app, &d, &id, closing).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["state"], "closed");
    assert_eq!(c["closed_on"], "2026-12-10");

    // After closing: no step, no fact; a note becomes a dated addendum.
    let mut again = close();
    again["version"] = json!(version(app, &id).await);
    let at = mark(app, &id).await;
    let v = refused_unstored(
        app,
        "a step after closing",
        step(app, &d, &id, again).await,
        409,
        &id,
        at,
    )
    .await;
    assert!(message(&v).contains("已结案"), "{v}");
    let at = mark(app, &id).await;
    refused_unstored(
        app,
        "a fact after closing",
        api(
            app,
            &d,
            "POST",
            &format!("/api/v1/cases/{id}/facts"),
            Some(json!({"facts": [{"kind": "document", "note": "补充材料"}]})),
        )
        .await,
        409,
        &id,
        at,
    )
    .await;
    let (status, c) = api(
        app,
        &d,
        "POST",
        &format!("/api/v1/cases/{id}/notes"),
        Some(json!({"text": "更正：决定文号应为重大纪〔2026〕7号。"})),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    let last = c["file"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "addendum", "{last}");
    assert_eq!(last["day"], "2026-12-10");
    assert_eq!(c["state"], "closed");
    let steps: Vec<&str> = c["file"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["step"].as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "open",
            "invite-statement",
            "submit-statement",
            "decide",
            "task-set",
            "notify",
            "appeal",
            "decide-appeal",
            "task-report",
            "task-verify",
            "close"
        ]
    );

    // 4. No one else sees any of it: 404 to business accounts (each look audited), 403 to the
    // administrators, and the commission's list is the commission's.
    for who in OUTSIDERS.iter().chain(ADMINS.iter()) {
        let want = if ADMINS.contains(who) { 403 } else { 404 };
        let token = app.token(who).await;
        let at = app.audit_len().await;
        let (status, v) = api(app, &token, "GET", &format!("/api/v1/cases/{id}"), None).await;
        assert_eq!(status, want, "{who}: {v}");
        let (status, v) = api(app, &token, "GET", "/api/v1/cases", None).await;
        assert_eq!(status, 403, "{who} lists no cases: {v}");
        let (status, v) = api(app, &token, "GET", "/api/v1/cases/mine", None).await;
        if want == 404 {
            assert_eq!(status, 200, "{who}: {v}");
            assert!(!v.to_string().contains(&id), "{who}: {v}");
        } else {
            assert_eq!(status, 403, "{who}: {v}");
        }
        let s = app.sign_in(who, PASSWORD).await;
        for path in [format!("/cases/{id}"), format!("/cases/{id}/decision.docx")] {
            let (status, html) = page(&s, app, &path).await;
            assert_eq!(status, want, "{who} {path}");
            assert!(!html.contains("赵敏"), "{who} {path}");
        }
        let (status, html) = page(&s, app, "/cases").await;
        assert_eq!(status, if want == 404 { 200 } else { 403 }, "{who} /cases");
        assert!(!html.contains(&id), "{who} /cases");
        let refused: Vec<String> = audited_since(app, at)
            .await
            .into_iter()
            .filter(|(a, ..)| a.starts_with("case."))
            .map(|(a, ..)| a)
            .collect();
        if want == 404 {
            assert_eq!(
                refused, ["case.view.refused"; 3],
                "{who}: each look is audited as refused"
            );
        } else {
            assert!(refused.is_empty(), "{who}: {refused:?}");
        }
    }

    // 5. The decision document: the commission's and the respondent's.
    let ds = app.sign_in("discipline", PASSWORD).await;
    let zs = app.sign_in("leader", PASSWORD).await;
    for s in [&ds, &zs] {
        let xml = decision_text(app, s, &id).await;
        assert!(xml.contains(BODY), "the deciding body");
        assert!(xml.contains("通报"), "the form");
        assert!(xml.contains("重大纪〔2026〕7号"), "the number");
        assert!(xml.contains("赵敏"), "the respondent");
        assert!(xml.contains("维持原决定"), "the appeal's outcome");
    }
    // The commission's list has it; so do the pages.
    let (status, list) = api(app, &d, "GET", "/api/v1/cases?state=closed", None).await;
    assert_eq!(status, 200, "{list}");
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str()),
        "{list}"
    );
    let (status, html) = page(&ds, app, &format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("分管领导未督促整改"),
        "the commission sees the file"
    );

    // 6. The audit chain verifies.
    assert!(app.db.verify_audit().await.unwrap().is_ok());
    assert_eq!(
        app.db.case(&id).await.unwrap().state,
        CaseState::Closed,
        "and the case stayed closed"
    );
}

/// The appeal window is the procedure's: once it has passed (the server's clock moved on), the
/// respondent's appeal is refused naming its last day, nothing stored, the attempt audited; the
/// commission may then close the case. Here about the college itself, so its first responsible
/// person (the secretary) answers for it; the statement period cannot be recorded as passed
/// while it runs.
#[tokio::test]
async fn an_appeal_after_its_window_is_refused() {
    let app = TestApp::demo().await;
    let d = app.token("discipline").await;
    let secretary = app.token("secretary").await;
    let li = app.person_id("李明华").await;
    // Evidence must be the org's own: an obligation of another college is refused, naming it.
    let cs = app.org_id("cqu-cs").await;
    let elsewhere = app.db.obligations(&cs, 2026).await.unwrap()[0].id.clone();
    let at = mark(&app, "").await;
    let v = refused_unstored(
        &app,
        "evidence of another college",
        api(
            &app,
            &d,
            "POST",
            "/api/v1/cases",
            Some(json!({
                "title": "学院网站长期未维护", "subject_kind": "org", "org": "cqu-mse",
                "period_from": "2026-01-01", "period_to": "2026-11-27", "grounds": ["art5-6"],
                "background": "学院网站全年没有维护记录。",
                "facts": [{"kind": "obligation", "reference": elsewhere, "ground": "art5-6"}],
            })),
        )
        .await,
        422,
        "",
        at,
    )
    .await;
    assert_eq!(fields(&v), ["fact"], "{v}");
    assert!(message(&v).contains(&elsewhere), "{v}");
    let (status, c) = api(
        &app,
        &d,
        "POST",
        "/api/v1/cases",
        Some(json!({
            "title": "学院网站长期未维护", "subject_kind": "org", "org": "cqu-mse",
            "period_from": "2026-01-01", "period_to": "2026-11-27", "grounds": ["art5-6"],
            "background": "学院网站全年没有维护记录。",
        })),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let (status, c) = step(
        &app,
        &d,
        &id,
        json!({"action": "invite-statement", "version": 1, "invitation": "请说明网站维护情况。"}),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(
        c["respondent"]["id"],
        li.as_str(),
        "the first responsible person answers for the org"
    );
    let at = mark(&app, &id).await;
    let v = refused_unstored(
        &app,
        "a lapse recorded while the period runs",
        step(
            &app,
            &d,
            &id,
            json!({"action": "record-lapse", "version": 2}),
        )
        .await,
        409,
        &id,
        at,
    )
    .await;
    assert!(message(&v).contains("2026-12-03"), "{v}");
    let (status, v) = step(
        &app,
        &secretary,
        &id,
        json!({"action": "submit-statement", "version": 2, "statement": "网站由学校统一平台托管。"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = step(
        &app,
        &d,
        &id,
        json!({"action": "decide", "version": 3,
               "findings": [{"ground": "art5-6", "finding": "upheld", "reason": "属实"}],
               "forms": ["inspection"], "decided_on": "2026-11-28", "decision_text": "责令书面检查。"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = step(
        &app,
        &d,
        &id,
        json!({"action": "notify", "version": 4, "notified_on": "2026-11-28"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["appeal_until"], "2026-12-28");
    // Not closed while the window runs.
    let (status, v) = step(&app, &d, &id, json!({"action": "close", "version": 5})).await;
    assert_eq!(status, 409, "{v}");
    assert!(message(&v).contains("2026-12-28"), "{v}");

    // The last day of the window: still open.
    app.clock.set_day("2026-12-28");
    assert_eq!(
        asked(&app, &secretary, &id).await,
        [("appeal".to_string(), "2026-12-28".to_string())]
    );
    // The day after: closed.
    app.clock.set_day("2026-12-29");
    assert!(asked(&app, &secretary, &id).await.is_empty());
    let at = mark(&app, &id).await;
    let v = refused_unstored(
        &app,
        "an appeal after the window",
        step(
            &app,
            &secretary,
            &id,
            json!({"action": "appeal", "version": 5, "appeal": "不服。"}),
        )
        .await,
        409,
        &id,
        at,
    )
    .await;
    assert!(message(&v).contains("申诉期限已于 2026-12-28 届满"), "{v}");
    assert_eq!(app.db.case(&id).await.unwrap().appeal, None);
    let (status, v) = step(&app, &d, &id, json!({"action": "close", "version": 5})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "closed");
    assert!(app.db.verify_audit().await.unwrap().is_ok());
    app.finish().await;
}

/// A college secretary refers a case to the commission; they see only whether it was taken up.
/// A secretary of another college cannot refer one about this college; a leader cannot refer.
/// The commission declines one with a reason and accepts another; the referrer then sees the
/// outcome, and nothing of the accepted case's file.
#[tokio::test]
async fn a_secretary_refers_a_case_and_sees_only_its_outcome() {
    let app = TestApp::demo().await;
    let d = app.token("discipline").await;
    let secretary = app.token("secretary").await;
    let leader = app.token("leader").await;
    let referral = |title: &str, org: &str| {
        json!({
            "title": title, "subject_kind": "org", "org": org, "period_from": "2026-06-01",
            "period_to": "2026-11-27", "grounds": ["art5-6"],
            "background": "第一党支部公众号多次发布未经审核的内容。",
        })
    };
    let (status, v) = api(
        &app,
        &leader,
        "POST",
        "/api/v1/cases",
        Some(referral("支部公众号审核不严", "cqu-mse-b1")),
    )
    .await;
    assert_eq!(status, 403, "a leader does not refer: {v}");
    let (status, v) = api(
        &app,
        &secretary,
        "POST",
        "/api/v1/cases",
        Some(referral("计算机学院", "cqu-cs")),
    )
    .await;
    assert_eq!(status, 404, "another college is not the secretary's: {v}");

    let mut ids = Vec::new();
    for title in ["支部公众号审核不严", "支部网站内容错误"] {
        let (status, v) = api(
            &app,
            &secretary,
            "POST",
            "/api/v1/cases",
            Some(referral(title, "cqu-mse-b1")),
        )
        .await;
        assert_eq!(status, 201, "{v}");
        assert_eq!(v["referral"]["outcome"], "waiting", "{v}");
        assert!(v.get("background").is_none(), "{v}");
        let id = v["id"].as_str().unwrap().to_string();
        assert_eq!(app.db.case(&id).await.unwrap().state, CaseState::Referred);
        ids.push(id);
    }
    // Waiting for the commission, on its list of what is asked of it.
    let (status, v) = api(&app, &d, "GET", "/api/v1/cases?state=referred", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"], 2, "{v}");
    let (status, v) = step(
        &app,
        &d,
        &ids[0],
        json!({"action": "decline", "version": 1, "reason": ""}),
    )
    .await;
    assert_eq!(status, 422, "a decline gives its reason: {v}");
    assert_eq!(fields(&v), ["reason"], "{v}");
    let (status, v) = step(
        &app,
        &d,
        &ids[0],
        json!({"action": "decline", "version": 1, "reason": "已由学院自行整改，不予受理。"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "declined");
    // The secretary cannot accept their own referral.
    let (status, v) = step(
        &app,
        &secretary,
        &ids[1],
        json!({"action": "accept", "version": 1}),
    )
    .await;
    assert_eq!(status, 403, "{v}");
    let (status, v) = step(&app, &d, &ids[1], json!({"action": "accept", "version": 1})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "opened");

    let (status, v) = api(
        &app,
        &secretary,
        "GET",
        &format!("/api/v1/cases/{}", ids[0]),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["referral"]["outcome"], "declined");
    assert_eq!(
        v["referral"]["decline_reason"],
        "已由学院自行整改，不予受理。"
    );
    let (status, v) = api(
        &app,
        &secretary,
        "GET",
        &format!("/api/v1/cases/{}", ids[1]),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["referral"]["outcome"], "accepted");
    for hidden in ["file", "state", "background", "decision", "respondent"] {
        assert!(
            v.get(hidden).is_none(),
            "{hidden} shown to the referrer: {v}"
        );
    }
    // No decision yet: no document, for the commission either.
    let ds = app.sign_in("discipline", PASSWORD).await;
    assert_eq!(
        status_of(&ds, &app, &format!("/cases/{}/decision.docx", ids[1])).await,
        404
    );
    // The commission's list, by org and state; a state that is none is refused naming it.
    let (status, v) = api(
        &app,
        &d,
        "GET",
        "/api/v1/cases?org=cqu-mse-b1&state=open",
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"], 1, "the declined one is no longer in hand: {v}");
    assert_eq!(v["items"][0]["id"], ids[1].as_str());
    let (status, v) = api(&app, &d, "GET", "/api/v1/cases?org=cqu-cs", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"], 0, "{v}");
    let (status, v) = api(&app, &d, "GET", "/api/v1/cases?state=bogus", None).await;
    assert_eq!(status, 422, "{v}");
    assert!(message(&v).contains("bogus"), "{v}");
    // And no decision document for the referrer.
    let s = app.sign_in("secretary", PASSWORD).await;
    assert_eq!(
        status_of(&s, &app, &format!("/cases/{}/decision.docx", ids[1])).await,
        404
    );
    let (status, v) = api(&app, &secretary, "GET", "/api/v1/cases/mine", None).await;
    assert_eq!(status, 200, "{v}");
    let outcomes: Vec<&str> = v["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["referral"]["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.len(), 2, "{v}");
    assert!(
        outcomes.contains(&"declined") && outcomes.contains(&"accepted"),
        "{v}"
    );
    // The referrer takes no step of the accepted case.
    let (status, v) = api(
        &app,
        &secretary,
        "POST",
        &format!("/api/v1/cases/{}/notes", ids[1]),
        Some(json!({"text": "补充情况"})),
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert!(app.db.verify_audit().await.unwrap().is_ok());
    app.finish().await;
}

/// A refused look at the decision document is audited as refused: the task owner of a case (who
/// sees their task) and its referrer (who sees the outcome) get 404 for the document, and the
/// audit must not record that they viewed it.
#[tokio::test]
async fn a_refused_download_of_the_decision_is_not_audited_as_a_view() {
    let app = TestApp::demo().await;
    let d = app.token("discipline").await;
    let secretary = app.token("secretary").await;
    let liu = app.person_id("刘佳").await;
    let zhao = app.person_id("赵敏").await;
    let post = app.post_id("cqu-mse", "deputy-secretary").await;
    // Referred by the secretary, accepted, decided, with a task of 刘佳's (`staff`).
    let (status, v) = api(
        &app,
        &secretary,
        "POST",
        "/api/v1/cases",
        Some(json!({
            "title": "公众号年审逾期", "subject_kind": "person", "org": "cqu-mse", "person": zhao,
            "post": post, "period_from": "2026-01-01", "period_to": "2026-11-27",
            "grounds": ["art5-6"], "background": "公众号年审逾期。",
        })),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    for (who, body) in [
        (&d, json!({"action": "accept", "version": 1})),
        (
            &d,
            json!({"action": "invite-statement", "version": 2, "invitation": "请说明。"}),
        ),
        (
            &app.token("leader").await,
            json!({"action": "submit-statement", "version": 3, "statement": "已补做。"}),
        ),
        (
            &d,
            json!({"action": "decide", "version": 4,
                   "findings": [{"ground": "art5-6", "finding": "upheld", "reason": "属实"}],
                   "forms": ["circular"], "decided_on": "2026-11-28", "decision_text": "予以通报。"}),
        ),
    ] {
        let (status, v) = step(&app, who, &id, body).await;
        assert_eq!(status, 200, "{v}");
    }
    let (status, v) = api(
        &app,
        &d,
        "POST",
        &format!("/api/v1/cases/{id}/tasks"),
        Some(json!({"title": "完成年审", "owner": liu, "deadline": "2026-12-31"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    // 刘佳 sees her task, not the decision.
    let (status, v) = api(
        &app,
        &app.token("staff").await,
        "GET",
        &format!("/api/v1/cases/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["tasks"][0]["owner"]["id"], liu.as_str());
    assert!(v.get("decision").is_none(), "{v}");
    for who in ["staff", "secretary"] {
        let s = app.sign_in(who, PASSWORD).await;
        let at = app.audit_len().await;
        assert_eq!(
            status_of(&s, &app, &format!("/cases/{id}/decision.docx")).await,
            404,
            "{who}"
        );
        let actions = actions_since(&app, at).await;
        assert_eq!(
            actions,
            ["case.view.refused"],
            "{who} was refused the decision document: the audit must say so, not record a view"
        );
    }
    app.finish().await;
}

/// Through the pages as through the API: one request is one view of the case in the audit
/// log, then the step (or its refusal) — a form posted to the case's page is not recorded as
/// two views.
#[tokio::test]
async fn a_step_through_the_page_audits_one_view_and_the_step() {
    let app = TestApp::demo().await;
    let d = app.token("discipline").await;
    let (status, c) = api(
        &app,
        &d,
        "POST",
        "/api/v1/cases",
        Some(json!({
            "title": "学院网站长期未维护", "subject_kind": "org", "org": "cqu-mse",
            "period_from": "2026-01-01", "period_to": "2026-11-27", "grounds": ["art5-6"],
            "background": "学院网站全年没有维护记录。",
        })),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let ds = app.sign_in("discipline", PASSWORD).await;
    let at = app.audit_len().await;
    let r = submit(
        &ds,
        &app,
        &format!("/cases/{id}/notes"),
        &[("text", "已调取网站后台日志。")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(actions_since(&app, at).await, ["case.view", "case.note"]);
    let at = app.audit_len().await;
    let r = submit(
        &ds,
        &app,
        &format!("/cases/{id}/steps"),
        &[("action", "investigate"), ("version", "1")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.db.case(&id).await.unwrap().state,
        CaseState::Investigating
    );
    assert_eq!(
        actions_since(&app, at).await,
        ["case.view", "case.investigate"]
    );
    // Refused (a stale version): the view and the refusal, nothing else.
    let at = app.audit_len().await;
    let r = submit(
        &ds,
        &app,
        &format!("/cases/{id}/steps"),
        &[
            ("action", "invite-statement"),
            ("version", "1"),
            ("invitation", "请说明。"),
        ],
    )
    .await;
    assert_eq!(r.status(), 409);
    assert_eq!(app.db.case(&id).await.unwrap().version, 2);
    assert_eq!(actions_since(&app, at).await, ["case.view", "case.refused"]);
    app.finish().await;
}

/// The commission sees the cases of its own scope only: a commission member of another
/// college (a grant over `cqu-cs`) gets 404 for a case of `cqu-mse`, as anyone with no part in
/// it, cannot open one there, and its list leaves it out.
#[tokio::test]
async fn a_commission_of_another_college_sees_nothing_of_the_case() {
    let app = TestApp::demo().await;
    let d = app.token("discipline").await;
    let mut tx = app
        .db
        .begin(
            &zeren_storage::Actor::cli(),
            zeren_core::Clock::now(&app.clock),
        )
        .await
        .unwrap();
    let user = tx
        .create_user(zeren_storage::NewUser {
            username: "discipline-cs".into(),
            display_name: "计算机学院纪检委员".into(),
            person: None,
            admin_role: None,
            password_hash: "unused".into(),
            must_change_password: false,
        })
        .await
        .unwrap();
    tx.grant(
        &user,
        zeren_core::access::Role::Discipline,
        "cqu-cs",
        "test",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let other = app.token("discipline-cs").await;
    let draft = json!({
        "title": "学院网站长期未维护", "subject_kind": "org", "org": "cqu-mse",
        "period_from": "2026-01-01", "period_to": "2026-11-27", "grounds": ["art5-6"],
        "background": "学院网站全年没有维护记录。",
    });
    let (status, c) = api(&app, &d, "POST", "/api/v1/cases", Some(draft.clone())).await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_string();

    let at = app.audit_len().await;
    let (status, v) = api(&app, &other, "GET", &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(status, 404, "{v}");
    assert_eq!(actions_since(&app, at).await, ["case.view.refused"]);
    let (status, v) = step(
        &app,
        &other,
        &id,
        json!({"action": "investigate", "version": 1}),
    )
    .await;
    assert_eq!(status, 404, "{v}");
    let (status, v) = api(&app, &other, "GET", "/api/v1/cases", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"], 0, "{v}");
    let (status, v) = api(&app, &other, "GET", "/api/v1/cases?org=cqu-mse", None).await;
    assert_eq!(status, 404, "{v}");
    let (status, v) = api(&app, &other, "POST", "/api/v1/cases", Some(draft)).await;
    assert_eq!(status, 404, "{v}");
    assert_eq!(case_count(&app).await, 1);
    assert_eq!(app.db.case(&id).await.unwrap().version, 1);
    app.finish().await;
}

/// Remediation is reminded like an obligation, but only to the people concerned: its owner a
/// week before the deadline and once it passes, the commission member who set it once it is
/// overdue by the policy's escalation days — each once, in their notification centre, linked to
/// the task; nobody else is told.
#[tokio::test]
async fn remediation_reminds_its_owner_then_escalates_to_whoever_set_it() {
    let app = TestApp::demo().await;
    let d = app.token("discipline").await;
    let secretary = app.token("secretary").await;
    let staff = app.token("staff").await;
    let liu = app.person_id("刘佳").await;
    app.clock.set_day("2026-12-01");
    let (status, c) = api(
        &app,
        &d,
        "POST",
        "/api/v1/cases",
        Some(json!({
            "title": "学院网站内容审核不严", "subject_kind": "org", "org": "cqu-mse",
            "period_from": "2026-01-01", "period_to": "2026-11-30", "grounds": ["art5-6"],
            "background": "学院网站多次出现错误信息。",
        })),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    for (token, body) in [
        (
            &d,
            json!({"action": "invite-statement", "invitation": "请说明网站审核情况。"}),
        ),
        (
            &secretary,
            json!({"action": "submit-statement", "statement": "已加强审核。"}),
        ),
        (
            &d,
            json!({
                "action": "decide", "decided_on": "2026-12-01", "decision_text": "责令检查。",
                "findings": [{"ground": "art5-6", "finding": "upheld", "reason": "属实"}],
                "forms": ["inspection"],
            }),
        ),
    ] {
        let mut body = body;
        body["version"] = json!(version(&app, &id).await);
        let (status, v) = step(&app, token, &id, body).await;
        assert_eq!(status, 200, "{v}");
    }
    let (status, v) = api(
        &app,
        &d,
        "POST",
        &format!("/api/v1/cases/{id}/tasks"),
        Some(json!({"title": "建立网站内容三审制度", "owner": liu, "deadline": "2026-12-20"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let task = v["tasks"][0]["id"].as_str().unwrap().to_string();
    let kinds = |token: String| {
        let app = &app;
        async move {
            let (_, notes) = api(app, &token, "GET", "/api/v1/notifications", None).await;
            notes["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["kind"].as_str().unwrap().starts_with("case-task"))
                .map(|n| (n["kind"].as_str().unwrap().to_string(), n["task"].clone()))
                .collect::<Vec<_>>()
        }
    };
    let state = app.state();
    let look = |day: &str| {
        app.clock.set_day(day);
        zeren_web::jobs::case_tasks::run_once(&state)
    };
    // Three weeks ahead: nothing yet.
    assert_eq!(look("2026-12-01").await.notices, 0);
    // A week before: the owner is reminded, once.
    assert_eq!(look("2026-12-13").await.notices, 1);
    assert_eq!(look("2026-12-14").await.notices, 0);
    assert_eq!(
        kinds(staff.clone()).await,
        [("case-task-due".to_string(), json!(task))]
    );
    // Past the deadline: the owner is told it is overdue; eight days past, the commission
    // member who set it (the policy escalates after 7 days).
    assert_eq!(look("2026-12-21").await.notices, 1);
    assert_eq!(look("2026-12-28").await.notices, 1);
    assert_eq!(look("2026-12-29").await.notices, 0);
    let mine = kinds(staff.clone()).await;
    assert!(
        mine.iter().any(|(k, _)| k == "case-task-overdue"),
        "{mine:?}"
    );
    assert!(
        !mine.iter().any(|(k, _)| k == "case-task-escalate"),
        "{mine:?}"
    );
    let commission = kinds(d.clone()).await;
    assert_eq!(
        commission,
        [("case-task-escalate".to_string(), json!(task))]
    );
    // Nobody else hears of it: not the secretary who answered for the org, not the leader.
    assert_eq!(kinds(secretary).await, []);
    assert_eq!(kinds(app.token("leader").await).await, []);
    // The notice reads as a reminder and links to the task on the case's page.
    let (_, notes) = api(&app, &staff, "GET", "/api/v1/notifications", None).await;
    let due = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "case-task-due")
        .unwrap();
    assert!(
        due["text"]
            .as_str()
            .unwrap()
            .contains("建立网站内容三审制度"),
        "{due}"
    );
    let page = app.sign_in("staff", crate::common::PASSWORD).await;
    let html = page
        .client
        .get(app.url("/notifications"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("/cases/{id}#task-{task}")),
        "the notice links to the task"
    );
    assert!(app.db.verify_audit().await.unwrap().is_ok());
    app.finish().await;
}

/// The respondent's statement brings its files with it (the page's form is multipart), more are
/// added to it until the decision and none after; the commission and the respondent download
/// them, nobody else (404, audited as refused).
#[tokio::test]
async fn the_statement_brings_files_added_until_the_decision() {
    const PDF: &[u8] =
        b"%PDF-1.4\n% statement annex\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
    let app = TestApp::demo().await;
    let d = app.token("discipline").await;
    let (status, c) = api(
        &app,
        &d,
        "POST",
        "/api/v1/cases",
        Some(json!({
            "title": "学院网站内容审核不严", "subject_kind": "org", "org": "cqu-mse",
            "period_from": "2026-01-01", "period_to": "2026-11-27", "grounds": ["art5-6"],
            "background": "学院网站多次出现错误信息。",
        })),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let (status, v) = step(
        &app,
        &d,
        &id,
        json!({"action": "invite-statement", "version": 1, "invitation": "请说明网站审核情况。"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    // The first responsible person answers for the org, with an annex, from the page.
    let s = app.sign_in("secretary", crate::common::PASSWORD).await;
    let seen = version(&app, &id).await.to_string();
    let resp = crate::common::submit_multipart(
        &s,
        &app,
        &format!("/cases/{id}/steps"),
        crate::common::multipart_form(
            &[
                ("csrf", s.csrf.as_str()),
                ("version", seen.as_str()),
                ("action", "submit-statement"),
                ("statement", "已建立三审制度。"),
            ],
            &[("整改说明.pdf", PDF)],
        ),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let files = app.db.case_attachments(&id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file.filename, "整改说明.pdf");
    let entries = app.db.case_entries(&id).await.unwrap();
    let statement = entries
        .iter()
        .find(|e| e.step.as_deref() == Some("submit-statement"))
        .unwrap();
    assert_eq!(files[0].seq, statement.seq, "on the statement's entry");
    let href = format!("/cases/{id}/attachments/{}", files[0].file.sha256);
    assert_eq!(status_of(&s, &app, &href).await, 200);
    let staff = app.sign_in("staff", crate::common::PASSWORD).await;
    assert_eq!(status_of(&staff, &app, &href).await, 404);
    // More, before the decision.
    let attach = format!("/cases/{id}/entries/{}/attachments", statement.seq);
    let resp = crate::common::submit_multipart(
        &s,
        &app,
        &attach,
        crate::common::multipart_form(
            &[("csrf", s.csrf.as_str())],
            &[("补充材料.pdf", b"%PDF-1.4\n% more\n%%EOF\n")],
        ),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    assert_eq!(app.db.case_attachments(&id).await.unwrap().len(), 2);
    // The decision; then nothing more is added to the statement.
    let (status, v) = step(
        &app,
        &d,
        &id,
        json!({
            "action": "decide", "version": version(&app, &id).await, "decided_on": "2026-11-28",
            "decision_text": "不予问责。",
            "findings": [{"ground": "art5-6", "finding": "not-upheld", "reason": "已及时整改"}],
        }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let resp = crate::common::submit_multipart(
        &s,
        &app,
        &attach,
        crate::common::multipart_form(&[("csrf", s.csrf.as_str())], &[("迟交.pdf", PDF)]),
    )
    .await;
    assert_eq!(resp.status(), 409);
    let body = resp.text().await.unwrap();
    assert!(body.contains("此后不再补充"), "{body}");
    assert_eq!(app.db.case_attachments(&id).await.unwrap().len(), 2);
    assert!(app.db.verify_audit().await.unwrap().is_ok());
    app.finish().await;
}

/// Investigation tasks: the commission sets one with an assignee and a due day (a note that
/// names them), the assignee finds it among what is asked of them, it is reported done once
/// with what was found; nobody outside the commission sets or sees them.
#[tokio::test]
async fn an_investigation_task_is_set_asked_of_its_assignee_and_reported_done_once() {
    let app = TestApp::demo().await;
    let d = app.token("discipline").await;
    let qian = app.person_id("钱纪明").await;
    let (status, c) = api(
        &app,
        &d,
        "POST",
        "/api/v1/cases",
        Some(json!({
            "title": "学院网站内容审核不严", "subject_kind": "org", "org": "cqu-mse",
            "period_from": "2026-01-01", "period_to": "2026-11-27", "grounds": ["art5-6"],
            "background": "学院网站多次出现错误信息。",
        })),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let notes = format!("/api/v1/cases/{id}/notes");
    // A due day already past, and nobody: each named, nothing stored.
    let (status, v) = api(
        &app,
        &d,
        "POST",
        &notes,
        Some(json!({"text": "调取网站审核记录", "assignee": "nobody", "due": "2026-11-01"})),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(fields(&v), ["assignee", "due"], "{v}");
    let (status, v) = api(
        &app,
        &d,
        "POST",
        &notes,
        Some(json!({"text": "调取网站审核记录", "assignee": qian, "due": "2026-12-05"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let task = v["file"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "inquiry")
        .unwrap_or_else(|| panic!("{v}"))
        .clone();
    assert_eq!(task["assignee"], qian.as_str());
    assert_eq!(task["due"], "2026-12-05");
    let seq = task["seq"].as_i64().unwrap();
    let (_, mine) = api(&app, &d, "GET", "/api/v1/cases/mine", None).await;
    assert!(
        mine["asked"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["what"] == "inquiry" && a["due"] == "2026-12-05"),
        "{mine}"
    );
    // Only the commission reports it; then it is done, once.
    let secretary = app.token("secretary").await;
    let (status, _) = api(
        &app,
        &secretary,
        "POST",
        &notes,
        Some(json!({"text": "x", "answers": seq})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, v) = api(
        &app,
        &d,
        "POST",
        &notes,
        Some(json!({"text": "审核记录缺失三个月", "answers": seq})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = api(
        &app,
        &d,
        "POST",
        &notes,
        Some(json!({"text": "再次报告", "answers": seq})),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    let (_, mine) = api(&app, &d, "GET", "/api/v1/cases/mine", None).await;
    assert!(
        !mine["asked"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["what"] == "inquiry"),
        "{mine}"
    );
    // The page shows it done, with what was found.
    let s = app.sign_in("discipline", PASSWORD).await;
    let (status, html) = page(&s, &app, &format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("id=\"inquiry-{seq}\"")), "{html}");
    assert!(html.contains("审核记录缺失三个月"));
    assert!(app.db.verify_audit().await.unwrap().is_ok());
    app.finish().await;
}
