//! Stories of the risk assessments: a major project registered by the college office owes its
//! assessment 15 days before launch; its launch is refused without an approved assessment; the
//! assessment is approved by the leader of the project's portfolio (not the secretary, not an
//! assessor) and the project launched; another passes the gate only by the secretary, with a
//! reason the audit keeps; bad input and a stale version refused with nothing stored.

use crate::common::{PASSWORD, TestApp, api, page, sheet_rows, submit, workbook};
use serde_json::{Value, json};

fn project(title: &str) -> Value {
    json!({
        "title": title, "org": "cqu-mse", "description": "调整本科招生宣传口径与渠道",
        "portfolio": "publicity", "major": true, "launch_on": "2026-12-20",
    })
}

fn assessment(level: &str, assessor: &str) -> Value {
    json!({
        "planned": "改版招生宣传材料与公众号栏目", "affected": "考生及家长、在校学生",
        "risks": "宣传口径不一引发误读；涉及排名表述", "level": level,
        "measures": "统一口径，专人答复，发布前三审", "assessors": [assessor],
        "assessed_on": "2026-11-27",
    })
}

#[tokio::test]
async fn a_major_project_launches_only_with_an_approved_assessment() {
    let app = TestApp::demo().await;
    let staff = app.token("staff").await;
    let secretary = app.token("secretary").await;
    let liu = app.person_id("刘佳").await;

    let (status, v) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/risk-assessments",
        Some(project("本科招生宣传改版")),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["obligations"][0]["duty"], "risk-assessment");
    assert_eq!(v["obligations"][0]["due"], "2026-12-05");

    // The launch is refused without an approved assessment; nothing stored.
    let before = app.audit_len().await;
    let launch = |version: &Value, override_gate: bool, reason: &str| json!({"version": version, "launched_on": "2026-11-28", "override_gate": override_gate, "reason": reason});
    let (status, e) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/risk-assessments/{id}/launch"),
        Some(launch(&v["version"], false, "")),
    )
    .await;
    assert_eq!(status, 409, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("第四条第四项"),
        "{e}"
    );
    // Only the first responsible person passes the gate.
    let (status, e) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/risk-assessments/{id}/launch"),
        Some(launch(&v["version"], true, "上级要求")),
    )
    .await;
    assert_eq!(status, 403, "{e}");
    assert_eq!(app.audit_len().await, before, "nothing stored");

    // A level off the scale is refused at its field.
    let (status, e) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/risk-assessments/{id}/assessments"),
        Some(assessment("extreme", &liu)),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "level");
    let (status, v) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/risk-assessments/{id}/assessments"),
        Some(assessment("medium", &liu)),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let a = v["assessments"][0].clone();
    assert_eq!(a["state"], "submitted");
    assert_eq!(a["approver"]["name"], "赵敏", "the publicity leader: {a}");
    let aid = a["id"].as_str().unwrap().to_string();

    // The secretary is not this assessment's approver.
    let (status, e) = api(
        &app,
        &secretary,
        "POST",
        &format!("/api/v1/risk-assessments/{id}/assessments/{aid}/decision"),
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, 403, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("赵敏"));

    // The leader approves through the page.
    let s = app.sign_in("leader", PASSWORD).await;
    let (status, html) = page(&s, &app, &format!("/risk-assessments/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("decision-form"), "{html}");
    let r = submit(
        &s,
        &app,
        &format!("/risk-assessments/{id}/assessments/{aid}/decision"),
        &[("decision", "approve"), ("note", "同意")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, v) = api(
        &app,
        &staff,
        "GET",
        &format!("/api/v1/risk-assessments/{id}"),
        None,
    )
    .await;
    assert_eq!(v["approved"], true, "{v}");
    assert_eq!(v["obligations"][0]["state"], "done");

    // A stale version is refused; the right one launches.
    let (status, _) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/risk-assessments/{id}/launch"),
        Some(launch(&json!(7), false, "")),
    )
    .await;
    assert_eq!(status, 409);
    let (status, v) = api(
        &app,
        &staff,
        "POST",
        &format!("/api/v1/risk-assessments/{id}/launch"),
        Some(launch(&v["version"], false, "")),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "launched");
    assert_eq!(v["override_by"], Value::Null);

    // Another project passes the gate only by the secretary, with a reason.
    let (_, q) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/risk-assessments",
        Some(project("实验室开放日直播")),
    )
    .await;
    let qid = q["id"].as_str().unwrap().to_string();
    let (status, e) = api(
        &app,
        &secretary,
        "POST",
        &format!("/api/v1/risk-assessments/{qid}/launch"),
        Some(launch(&q["version"], true, " ")),
    )
    .await;
    assert_eq!(status, 422, "a reason is required: {e}");
    let sec = app.sign_in("secretary", PASSWORD).await;
    let (_, html) = page(&sec, &app, &format!("/risk-assessments/{qid}")).await;
    assert!(
        html.contains("override_gate"),
        "the secretary is offered the override"
    );
    let r = submit(
        &sec,
        &app,
        &format!("/risk-assessments/{qid}/launch"),
        &[
            ("version", "1"),
            ("launched_on", "2026-11-28"),
            ("override_gate", "on"),
            ("reason", "上级要求本周内启动"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, q) = api(
        &app,
        &staff,
        "GET",
        &format!("/api/v1/risk-assessments/{qid}"),
        None,
    )
    .await;
    assert_eq!(q["state"], "launched");
    assert_eq!(q["override_reason"], "上级要求本周内启动");
    assert!(
        app.audit_actions()
            .await
            .contains(&"project.launch_override".to_string())
    );
    // The indicators view lists the launch past the gate under art5-3, with who decided it.
    let (_, ind) = api(
        &app,
        &staff,
        "GET",
        "/api/v1/indicators?ground=art5-3",
        None,
    )
    .await;
    let row = ind["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["fact"] == "launched-without-assessment")
        .unwrap_or_else(|| panic!("{ind}"));
    assert_eq!(row["subject"], "实验室开放日直播");
    assert_eq!(row["person"], "李明华");
    // The ledger (台账) export carries both, the override with who decided it and why.
    let mut wb = workbook(&s, &app, "/orgs/cqu-mse/ledger.xlsx?year=2026").await;
    let rows = sheet_rows(&mut wb, "风险评估");
    let approved = rows.iter().find(|r| r[1] == "本科招生宣传改版").unwrap();
    assert_eq!(
        (
            approved[5].as_str(),
            approved[7].as_str(),
            approved[11].as_str()
        ),
        ("已实施", "中", "已批准")
    );
    let past = rows.iter().find(|r| r[1] == "实验室开放日直播").unwrap();
    assert_eq!(past[13], "李明华：上级要求本周内启动");
    // The ledger lists both.
    let (status, html) = page(&s, &app, "/risk-assessments").await;
    assert_eq!(status, 200);
    assert!(html.contains("本科招生宣传改版") && html.contains("实验室开放日直播"));
    app.finish().await;
}
