//! Stories of the annual assessment (Art.7), through the API on the demo: the supervising
//! office starts 2026's assessment of the university, edits the scheme drafted from the pack
//! (weights that do not add up are refused, nothing written) and publishes it; a published
//! scheme is not edited but revised as a new version; each college's scores are computed from
//! its obligations, each computed one with the obligations behind it; the secretary submits the
//! self-assessment, the office reviews, then scores the manual indicator and adjusts one with a
//! reason — a mark before the scoring step, or without a reason, is refused with nothing
//! written; the results are published with the ranking and frozen; the secretary's duty report
//! is drafted from the ledger, edited and submitted; the Word files and the Excel sheet
//! download for those who may have them. A college sees its own scores only until the results
//! are published; a draft is the office's alone; the audit chain verifies.

use crate::common::{TestApp, api, page};
use serde_json::{Value, json};

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

fn message(v: &Value) -> String {
    v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The scheme of the round `v` as a draft to send back, with `edit` applied.
fn edited(v: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut s = v["scheme"].clone();
    edit(&mut s);
    s
}

/// The indicator `id` of a college's answer.
fn indicator<'a>(college: &'a Value, id: &str) -> &'a Value {
    college["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("indicator {id} in {college}"))
}

#[tokio::test]
async fn the_office_runs_the_year_from_scheme_to_frozen_results() {
    for app in TestApp::demo_on_engines().await {
        eprintln!("story on {}", app.label);
        whole_year(&app).await;
        app.finish().await;
    }
}

async fn whole_year(app: &TestApp) {
    let office = app.token("supervisor").await;
    let secretary = app.token("secretary").await;
    let leader = app.token("leader").await;

    // Only the office starts one; the scheme is drafted from the pack.
    let (s, v) = api(
        app,
        &secretary,
        "POST",
        "/api/v1/assessments",
        Some(json!({"year": 2026, "org": "cqu"})),
    )
    .await;
    assert_eq!(s, 403, "{v}");
    let (s, v) = api(
        app,
        &office,
        "POST",
        "/api/v1/assessments",
        Some(json!({"year": "20x6", "org": "cqu"})),
    )
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["year".to_string()]), "{v}");
    let (s, round) = api(
        app,
        &office,
        "POST",
        "/api/v1/assessments",
        Some(json!({"year": 2026, "org": "cqu"})),
    )
    .await;
    assert_eq!(s, 201, "{round}");
    assert_eq!(round["stage"], "draft");
    assert_eq!(round["scheme"]["indicators"].as_array().unwrap().len(), 11);
    let id = round["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/assessments/{id}");
    let (s, v) = api(
        app,
        &office,
        "POST",
        "/api/v1/assessments",
        Some(json!({"year": 2026, "org": "cqu"})),
    )
    .await;
    assert_eq!(s, 409, "one a year: {v}");
    // A draft is the office's alone.
    let (s, _) = api(app, &secretary, "GET", &base, None).await;
    assert_eq!(s, 404);

    // Weights that do not add up: refused, naming the rule, nothing written.
    let audit_before = app.audit_len().await;
    let bad = edited(&round, |s| s["indicators"][0]["weight"] = json!("10"));
    let (s, v) = api(
        app,
        &office,
        "PUT",
        &format!("{base}/scheme"),
        Some(json!({"version": round["version"], "scheme": bad})),
    )
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["weights".to_string()]), "{v}");
    assert!(message(&v).contains("权重之和应为 100，现为 95.00"), "{v}");
    assert_eq!(app.audit_len().await, audit_before, "nothing written");

    // 15 → 10 and a manual indicator of 5: saved.
    let good = edited(&round, |s| {
        s["indicators"][0]["weight"] = json!("10");
        s["indicators"].as_array_mut().unwrap().push(json!({
            "id": "work-quality", "title": "工作成效", "title_en": "Quality of the work",
            "weight": "5", "method": "manual", "duties": [],
        }));
    });
    let (s, round) = api(
        app,
        &office,
        "PUT",
        &format!("{base}/scheme"),
        Some(json!({"version": round["version"], "scheme": good})),
    )
    .await;
    assert_eq!(s, 200, "{round}");
    assert_eq!(round["scheme"]["indicators"].as_array().unwrap().len(), 12);
    // Steps cannot be taken before the scheme is published.
    let (s, v) = api(
        app,
        &office,
        "POST",
        &format!("{base}/advance"),
        Some(json!({"version": round["version"], "to": "self-assessment"})),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert!(message(&v).contains("考核方案尚未发布"), "{v}");
    let (s, round) = api(
        app,
        &office,
        "POST",
        &format!("{base}/scheme/publish"),
        Some(json!({"version": round["version"]})),
    )
    .await;
    assert_eq!(
        (s, round["stage"].as_str()),
        (200, Some("self-assessment")),
        "{round}"
    );
    assert_eq!(round["scheme_version"], 1);

    // A published scheme is not changed: 409 naming the rule, nothing written.
    let audit_before = app.audit_len().await;
    let again = edited(&round, |s| s["indicators"][1]["title"] = json!("改"));
    let (s, v) = api(
        app,
        &office,
        "PUT",
        &format!("{base}/scheme"),
        Some(json!({"version": round["version"], "scheme": again})),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert!(message(&v).contains("已发布的考核方案不能修改"), "{v}");
    assert_eq!(app.audit_len().await, audit_before);
    // It is revised as a new version, and that version published in its place.
    let (s, round) = api(
        app,
        &office,
        "POST",
        &format!("{base}/scheme/revise"),
        Some(json!({"version": round["version"], "scheme": again})),
    )
    .await;
    assert_eq!(
        (s, round["newest_version"].as_i64()),
        (200, Some(2)),
        "{round}"
    );
    assert_eq!(
        round["scheme_version"], 1,
        "the published one stays in force until then"
    );
    let (s, round) = api(
        app,
        &office,
        "POST",
        &format!("{base}/scheme/publish"),
        Some(json!({"version": round["version"]})),
    )
    .await;
    assert_eq!(
        (s, round["scheme_version"].as_i64()),
        (200, Some(2)),
        "{round}"
    );
    assert_eq!(
        round["stage"], "self-assessment",
        "the year stays where it stood"
    );

    // Scores are computed from the ledger; the college sees its own only.
    let (s, mine) = api(app, &secretary, "GET", &base, None).await;
    assert_eq!(s, 200, "{mine}");
    let codes: Vec<&str> = mine["colleges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["org"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["cqu-mse"], "{mine}");
    let (s, _) = api(app, &secretary, "GET", &format!("{base}/orgs/cqu-cs"), None).await;
    assert_eq!(s, 404);
    let (s, all) = api(app, &office, "GET", &base, None).await;
    assert_eq!(s, 200);
    assert!(all["colleges"].as_array().unwrap().len() >= 3, "{all}");
    let (_, mse) = api(app, &office, "GET", &format!("{base}/orgs/cqu-mse"), None).await;
    let sa = indicator(&mse, "situation-analysis");
    let owed = sa["counts"]["owed"].as_i64().unwrap();
    let on_time = sa["counts"]["on_time"].as_i64().unwrap();
    assert!(owed > 0, "{sa}");
    // The drill-down: the obligations behind the score, through the obligations API.
    let link = sa["obligations"][0].as_str().unwrap();
    let (s, obs) = api(app, &office, "GET", link, None).await;
    assert_eq!(s, 200, "{obs}");
    let items = obs["items"].as_array().unwrap();
    let waived = sa["counts"]["waived"].as_i64().unwrap();
    // Listed: those owed (done, or due and not done), waived ones, and those not due yet (not
    // counted until they are).
    let with = |st: &[&str]| {
        items
            .iter()
            .filter(|o| st.contains(&o["status"].as_str().unwrap_or_default()))
            .count() as i64
    };
    assert_eq!(with(&["done", "overdue"]), owed, "{obs}");
    assert_eq!(with(&["waived"]), waived, "{obs}");
    let want = (2 * 1000 * on_time + owed) / (2 * owed);
    assert_eq!(
        sa["computed"],
        json!(format!("{}.{:02}", want / 100, want % 100)),
        "{sa}"
    );
    // Its page lists the same obligations, each linked.
    let sup = app.sign_in("supervisor", crate::common::PASSWORD).await;
    let (st, html) = page(
        &sup,
        app,
        &format!("/assessments/{id}/orgs/cqu-mse/indicators/situation-analysis"),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(
        html.matches("href=\"/obligations/").count(),
        items.len(),
        "{html}"
    );

    // A mark before the scoring step: 409 naming the rule, nothing written.
    let audit_before = app.audit_len().await;
    let adjust = json!({"indicator": "situation-analysis", "kind": "adjustment", "points": "-1", "reason": "第三季度研判报告内容空泛，扣 1 分"});
    let (s, v) = api(
        app,
        &office,
        "POST",
        &format!("{base}/orgs/cqu-mse/marks"),
        Some(adjust.clone()),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert!(
        message(&v).contains("评分和调整须在「评分」环节进行，当前处于「自评」环节"),
        "{v}"
    );
    assert_eq!(app.audit_len().await, audit_before);

    // The secretary's home page asks for the self-assessment and the duty report.
    let sec = app.sign_in("secretary", crate::common::PASSWORD).await;
    let (_, home) = page(&sec, app, "/").await;
    assert!(home.contains("class=\"asked-self-assessment\""), "{home}");
    assert!(home.contains("class=\"asked-duty-report\""), "{home}");
    // The self-assessment: the college's secretary, not a leader.
    let text = json!({"version": 0, "text": "一、总体情况\n本年度按细则要求履行第一责任人职责。"});
    let (s, _) = api(
        app,
        &leader,
        "PUT",
        &format!("{base}/orgs/cqu-mse/self-assessment"),
        Some(text.clone()),
    )
    .await;
    assert_eq!(s, 403);
    let (s, v) = api(
        app,
        &secretary,
        "PUT",
        &format!("{base}/orgs/cqu-mse/self-assessment"),
        Some(text.clone()),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["entry"]["self_submitted_on"].is_string(), "{v}");
    let (s, _) = api(
        app,
        &secretary,
        "PUT",
        &format!("{base}/orgs/cqu-mse/self-assessment"),
        Some(text),
    )
    .await;
    assert_eq!(s, 409, "a stale version");
    let (_, home) = page(&sec, app, "/").await;
    assert!(
        !home.contains("class=\"asked-self-assessment\""),
        "submitted: {home}"
    );

    // Review, then scoring.
    let v1 = api(app, &office, "GET", &base, None).await.1["version"].clone();
    let (s, r) = api(
        app,
        &office,
        "POST",
        &format!("{base}/advance"),
        Some(json!({"version": v1, "to": "scoring"})),
    )
    .await;
    assert_eq!(s, 409, "steps are not skipped: {r}");
    let (s, r) = api(
        app,
        &office,
        "POST",
        &format!("{base}/advance"),
        Some(json!({"version": v1, "to": "review"})),
    )
    .await;
    assert_eq!((s, r["stage"].as_str()), (200, Some("review")), "{r}");
    let (s, v) = api(
        app,
        &office,
        "PUT",
        &format!("{base}/orgs/cqu-mse/review"),
        Some(json!({"version": mse_version(app, &office, &base).await, "text": "自评属实。"})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, r) = api(
        app,
        &office,
        "POST",
        &format!("{base}/advance"),
        Some(json!({"version": r["version"], "to": "scoring"})),
    )
    .await;
    assert_eq!((s, r["stage"].as_str()), (200, Some("scoring")), "{r}");

    // A mark without a reason: 422 naming it, nothing written.
    let audit_before = app.audit_len().await;
    let (s, v) = api(
        app,
        &office,
        "POST",
        &format!("{base}/orgs/cqu-mse/marks"),
        Some(json!({"indicator": "work-quality", "kind": "score", "points": "4", "reason": ""})),
    )
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["reason".to_string()]), "{v}");
    assert_eq!(app.audit_len().await, audit_before);
    // The adjustment with its reason lowers the score, audited.
    let before = indicator(&mse, "situation-analysis")["points"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, v) = api(
        app,
        &office,
        "POST",
        &format!("{base}/orgs/cqu-mse/marks"),
        Some(adjust),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let after = indicator(&v, "situation-analysis");
    let drop = |a: &str| (a.parse::<f64>().unwrap() * 100.0).round() as i64;
    assert_eq!(
        drop(&before) - drop(after["points"].as_str().unwrap()),
        100.min(drop(&before)),
        "{after}"
    );
    assert_eq!(v["marks"][0]["reason"], "第三季度研判报告内容空泛，扣 1 分");
    assert_eq!(
        app.audit_actions().await.last().map(String::as_str),
        Some("assessment.mark")
    );

    // The duty report: drafted from the ledger, edited, submitted, then no longer changed.
    let (s, report) = api(
        app,
        &secretary,
        "GET",
        &format!("{base}/orgs/cqu-mse/duty-report"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["drafted"], true);
    let draft = report["text"].as_str().unwrap();
    assert!(
        draft.starts_with("一、履行第一责任人职责的总体情况"),
        "{draft}"
    );
    assert!(
        draft.contains("二、落实实施细则规定动作的情况") && draft.contains("第四条第（二）项"),
        "{draft}"
    );
    let (s, _) = api(
        app,
        &leader,
        "GET",
        &format!("{base}/orgs/cqu-mse/duty-report"),
        None,
    )
    .await;
    assert_eq!(s, 403, "the secretary's and the office's only");
    let edited_text = format!("{draft}\n下一步将加强平台年审。");
    let (s, v) = api(
        app,
        &secretary,
        "PUT",
        &format!("{base}/orgs/cqu-mse/duty-report"),
        Some(json!({"version": report["version"], "text": edited_text, "submit": true})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (_, report) = api(
        app,
        &secretary,
        "GET",
        &format!("{base}/orgs/cqu-mse/duty-report"),
        None,
    )
    .await;
    assert_eq!(
        (report["drafted"].as_bool(), report["text"].as_str()),
        (Some(false), Some(edited_text.as_str()))
    );
    let (s, v) = api(
        app,
        &secretary,
        "PUT",
        &format!("{base}/orgs/cqu-mse/duty-report"),
        Some(json!({"version": report["version"], "text": "改"})),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert!(message(&v).contains("述职报告已提交"), "{v}");

    // Publication waits for every manual score, naming what is missing.
    let rv = api(app, &office, "GET", &base, None).await.1["version"].clone();
    let (s, v) = api(
        app,
        &office,
        "POST",
        &format!("{base}/advance"),
        Some(json!({"version": rv, "to": "publication"})),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert!(
        message(&v).contains("人工评分指标全部评分后才能公布结果"),
        "{v}"
    );
    let colleges: Vec<String> = all["colleges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["org"]["code"].as_str().unwrap().to_string())
        .collect();
    for (n, code) in colleges.iter().enumerate() {
        let (s, v) = api(app, &office, "POST", &format!("{base}/orgs/{code}/marks"), Some(json!({"indicator": "work-quality", "kind": "score", "points": format!("{}", 5 - n.min(4)), "reason": "按审核情况评定"}))).await;
        assert_eq!(s, 201, "{v}");
    }
    let (s, done) = api(
        app,
        &office,
        "POST",
        &format!("{base}/advance"),
        Some(json!({"version": rv, "to": "publication"})),
    )
    .await;
    assert_eq!(
        (s, done["stage"].as_str()),
        (200, Some("publication")),
        "{done}"
    );
    assert!(done["published_on"].is_string());
    let ranks: Vec<i64> = done["colleges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rank"].as_i64().unwrap())
        .collect();
    assert!(ranks.contains(&1), "{done}");
    // Frozen: no more marks; every college now sees every total and rank.
    let (s, v) = api(
        app,
        &office,
        "POST",
        &format!("{base}/orgs/cqu-mse/marks"),
        Some(
            json!({"indicator": "work-quality", "kind": "score", "points": "1", "reason": "再评"}),
        ),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert!(message(&v).contains("冻结"), "{v}");
    let (_, seen) = api(app, &secretary, "GET", &base, None).await;
    assert_eq!(
        seen["colleges"].as_array().unwrap().len(),
        colleges.len(),
        "{seen}"
    );
    let other = seen["colleges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["org"]["code"] == "cqu-cs")
        .unwrap();
    assert!(
        other["rank"].is_i64() && other.get("href").is_none(),
        "totals and ranks only: {other}"
    );

    // The files.
    for (who, path, want) in [
        (
            &sec,
            format!("/assessments/{id}/orgs/cqu-mse/duty-report.docx"),
            200,
        ),
        (
            &sec,
            format!("/assessments/{id}/orgs/cqu-mse/report.docx"),
            200,
        ),
        (&sec, format!("/assessments/{id}/scores.xlsx"), 200),
        (&sec, format!("/assessments/{id}/report.docx"), 403),
        (&sup, format!("/assessments/{id}/report.docx"), 200),
        (&sup, format!("/assessments/{id}/scores.xlsx"), 200),
    ] {
        let resp = who.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), want, "{path}");
        if want == 200 {
            let bytes = resp.bytes().await.unwrap();
            assert_eq!(&bytes[..2], b"PK", "{path} is a zip (docx/xlsx)");
        }
    }
    let checked = app.db.verify_audit().await.unwrap();
    assert!(checked.is_ok(), "the audit chain verifies: {checked:?}");
}

/// The version of cqu-mse's entry.
async fn mse_version(app: &TestApp, token: &str, base: &str) -> i64 {
    api(app, token, "GET", &format!("{base}/orgs/cqu-mse"), None)
        .await
        .1["entry"]["version"]
        .as_i64()
        .unwrap()
}
