//! The duties ledger through the pages and the API, as the demo accounts use it: statuses, the
//! person responsible on the due date, filters, the dashboard, waivers, scope, and the sync that
//! brings next year's obligations in from 1 December.

use crate::common::{PASSWORD, Syncer, TestApp, api, api_ok, page, submit};
use serde_json::{Value, json};
use zeren_core::Clock;
use zeren_core::vocab::OrgKind;
use zeren_storage::{Actor, NewOrg};

const STATUSES: [&str; 5] = ["upcoming", "due_soon", "overdue", "done", "waived"];

/// Every item of a list, page after page.
async fn all_items(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let v = api_ok(
            app,
            token,
            &format!("/api/v1/obligations?{query}&page={page}"),
        )
        .await;
        let items = v["items"].as_array().unwrap().clone();
        let total = v["total"].as_u64().unwrap() as usize;
        out.extend(items);
        if out.len() >= total {
            break;
        }
        assert!(page < 1000);
    }
    out
}

fn one<'a>(items: &'a [Value], duty: &str, period: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["duty"] == duty && i["period"] == period)
        .unwrap_or_else(|| panic!("no {duty} {period}"))
}

#[tokio::test]
async fn statuses_and_the_person_responsible_on_the_due_date() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let items = all_items(&app, &token, "org=cqu-mse&year=2026").await;
    assert!(!items.is_empty());
    for i in &items {
        let s = i["status"].as_str().unwrap();
        assert!(STATUSES.contains(&s), "{i}");
        for field in [
            "id",
            "key",
            "duty",
            "duty_title",
            "due",
            "citation",
            "citation_zh",
            "period",
            "version",
        ] {
            assert!(!i[field].is_null(), "{field} missing: {i}");
        }
        assert_eq!(i["org"]["code"], "cqu-mse");
    }
    // The annual dedicated study falls due on 31 December: 李明华 holds the post then.
    let study = one(&items, "annual-dedicated-study", "2026");
    assert_eq!(study["due"], "2026-12-31");
    assert_eq!(study["status"], "upcoming");
    assert_eq!(study["citation"], "Art.4(2)");
    assert_eq!(study["citation_zh"], "第四条第（二）项");
    assert_eq!(study["responsible"]["name"], "李明华");
    assert_eq!(study["subject"]["kind"], "org");
    // The first quarter's situation analysis fell due on 15 April: 王建国 held the post then.
    let q1 = one(&items, "situation-analysis", "2026-Q1");
    assert_eq!(q1["due"], "2026-04-15");
    assert_eq!(q1["responsible"]["name"], "王建国");
    assert_eq!(q1["completed_on"].is_string(), q1["status"] == "done");
    // The third quarter's analysis fell due on 15 October: 李明华.
    let q3 = one(&items, "situation-analysis", "2026-Q3");
    assert_eq!(q3["responsible"]["name"], "李明华");
    // A platform's annual review: the leader of the platform's portfolio.
    let review = items
        .iter()
        .find(|i| {
            i["duty"] == "platform-annual-review"
                && i["subject"]["name"] == "重大材料学院 微信公众号"
        })
        .unwrap();
    assert_eq!(review["subject"]["kind"], "platform");
    assert_eq!(review["responsible"]["name"], "赵敏");
    // Its record (an annual review) is kept by no form of the records area: none offered.
    let r = api_ok(
        &app,
        &token,
        &format!("/api/v1/obligations/{}", review["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(r["record_forms"], serde_json::json!([]), "{r}");

    // Nineteen days on: what was due on 31 December is due soon.
    app.clock.advance(chrono::Duration::days(19));
    let v = api_ok(
        &app,
        &token,
        "/api/v1/obligations?org=cqu-mse&duty=annual-dedicated-study",
    )
    .await;
    assert_eq!(v["items"][0]["status"], "due_soon");

    // The one detail: the chain of reasons and the record forms that discharge it.
    let id = study["id"].as_str().unwrap();
    let d = api_ok(&app, &token, &format!("/api/v1/obligations/{id}")).await;
    assert_eq!(d["responsible"]["name"], "李明华");
    assert!(d["chain"].as_array().unwrap().len() >= 2, "{d}");
    assert!(
        d["chain"][0].as_str().unwrap().contains("第四条第（二）项"),
        "{d}"
    );
    assert_eq!(
        d["record_forms"][0]["href"],
        format!("/records/new?kind=committee-meeting&obligation={id}")
    );
    // Found by its key too.
    let key = study["key"].as_str().unwrap().replace('/', "%2F");
    let by_key = api_ok(&app, &token, &format!("/api/v1/obligations/{key}")).await;
    assert_eq!(by_key["id"], study["id"]);
    app.finish().await;
}

#[tokio::test]
async fn an_overdue_obligation_names_who_was_responsible_when_it_fell_due() {
    let app = TestApp::demo().await;
    // Into the next year: the annual dedicated study (kept open by the demo) is overdue, and
    // the secretary post has changed hands again on 1 January.
    app.clock.advance(chrono::Duration::days(38));
    let model = app.db.load_model().await.unwrap();
    let mse = model.find_org("cqu-mse").unwrap();
    let post = model
        .posts_of(&mse.id)
        .find(|p| p.kind == "secretary")
        .unwrap()
        .id
        .clone();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    let next = tx
        .create_person(zeren_storage::NewPerson::new("周新任", &mse.id))
        .await
        .unwrap();
    tx.handover(
        &zeren_core::policy::builtin_pack().unwrap(),
        &post,
        &next.id,
        chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let token = app.token("supervisor").await;
    let items = all_items(&app, &token, "org=cqu-mse&year=2026&status=overdue").await;
    let study = one(&items, "annual-dedicated-study", "2026");
    assert_eq!(study["responsible"]["name"], "李明华");
    assert_eq!(study["responsible_today"]["name"], "周新任");
    // The page says so.
    let s = app.sign_in("supervisor", PASSWORD).await;
    let (status, html) = page(
        &s,
        &app,
        &format!("/obligations/{}", study["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("该事项已逾期：到期时的责任人为李明华。"),
        "{html}"
    );
    assert!(html.contains("现在（2027-01-05）由周新任负责。"), "{html}");
    app.finish().await;
}

#[tokio::test]
async fn filters_page_after_filtering_and_refuse_bad_input() {
    let app = TestApp::demo().await;
    let token = app.token("supervisor").await;
    let every = all_items(&app, &token, "org=cqu&year=2026").await;
    let mut sum = 0;
    for s in STATUSES {
        let items = all_items(&app, &token, &format!("org=cqu&year=2026&status={s}")).await;
        assert!(items.iter().all(|i| i["status"] == s), "{s}");
        let want = every.iter().filter(|i| i["status"] == s).count();
        assert_eq!(items.len(), want, "{s}");
        sum += items.len();
    }
    assert_eq!(sum, every.len());
    // Several statuses at once.
    let open = all_items(&app, &token, "org=cqu&status=overdue,upcoming").await;
    assert_eq!(
        open.len(),
        every
            .iter()
            .filter(|i| i["status"] == "overdue" || i["status"] == "upcoming")
            .count()
    );
    // A duty, the org itself only, a month.
    let study = all_items(&app, &token, "org=cqu&duty=annual-dedicated-study").await;
    assert_eq!(study.len(), 3);
    let own = all_items(&app, &token, "org=cqu-mse&own=1").await;
    assert!(own.iter().all(|i| i["org"]["code"] == "cqu-mse"));
    let april = all_items(&app, &token, "org=cqu&month=2026-04").await;
    assert!(
        april
            .iter()
            .all(|i| i["due"].as_str().unwrap().starts_with("2026-04"))
    );
    assert_eq!(april.len(), 3);
    // Pages of 50, in due order, the total of the whole list on each.
    let p1 = api_ok(&app, &token, "/api/v1/obligations?org=cqu&sort=due").await;
    assert_eq!(p1["per_page"], 50);
    assert_eq!(p1["total"].as_u64().unwrap() as usize, every.len());
    let dues: Vec<&str> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["due"].as_str().unwrap())
        .collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]));
    let late = api_ok(&app, &token, "/api/v1/obligations?org=cqu&sort=-due").await;
    assert!(late["items"][0]["due"].as_str().unwrap() >= dues[dues.len() - 1]);
    let by_status = api_ok(&app, &token, "/api/v1/obligations?org=cqu&sort=status").await;
    let first = if every.iter().any(|i| i["status"] == "overdue") {
        "overdue"
    } else {
        "upcoming"
    };
    assert_eq!(by_status["items"][0]["status"], first);
    // Bad input: 422 naming the field.
    for (query, field) in [
        ("status=late", "status"),
        ("duty=nonsense", "duty"),
        ("year=20x6", "year"),
        ("page=0", "page"),
        ("sort=size", "sort"),
        ("month=2026-13", "month"),
        ("own=maybe", "own"),
    ] {
        let (status, e) = api(
            &app,
            &token,
            "GET",
            &format!("/api/v1/obligations?{query}"),
            None,
        )
        .await;
        assert_eq!(status, 422, "{query}: {e}");
        assert_eq!(e["error"]["code"], "invalid_input");
        assert!(
            e["error"]["message"].as_str().unwrap().starts_with(field),
            "{query}: {e}"
        );
    }
    app.finish().await;
}

#[tokio::test]
async fn scope_decides_what_is_seen_and_administrators_see_nothing() {
    let app = TestApp::demo().await;
    let secretary = app.token("secretary").await;
    let supervisor = app.token("supervisor").await;
    // Without an org: the caller's scope.
    let mine = all_items(&app, &secretary, "year=2026").await;
    assert!(!mine.is_empty());
    assert!(
        mine.iter()
            .all(|i| i["org"]["code"].as_str().unwrap().starts_with("cqu-mse"))
    );
    // Another college's obligation answers 404, exactly like one that does not exist.
    let cs = all_items(&app, &supervisor, "org=cqu-cs").await;
    let id = cs[0]["id"].as_str().unwrap();
    let (status, outside) = api(
        &app,
        &secretary,
        "GET",
        &format!("/api/v1/obligations/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, missing) = api(
        &app,
        &secretary,
        "GET",
        "/api/v1/obligations/00000000-0000-0000-0000-000000000000",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(outside["error"]["code"], missing["error"]["code"]);
    let (status, _) = api(
        &app,
        &secretary,
        "GET",
        "/api/v1/obligations?org=cqu-cs",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = api(&app, &secretary, "GET", "/api/v1/dashboard?org=cqu", None).await;
    assert_eq!(status, 404);
    let (status, _) = api(
        &app,
        &secretary,
        "POST",
        &format!("/api/v1/obligations/{id}/waiver"),
        Some(json!({"version": 1, "reason": "x"})),
    )
    .await;
    assert_eq!(status, 404);
    // Administrators: 403 on business data.
    for admin in ["sysadmin", "secadmin", "auditor"] {
        let token = app.token(admin).await;
        for path in [
            "/api/v1/obligations".to_string(),
            format!("/api/v1/obligations/{id}"),
            "/api/v1/dashboard".to_string(),
        ] {
            let (status, _) = api(&app, &token, "GET", &path, None).await;
            assert_eq!(status, 403, "{admin} {path}");
        }
        let s = app.sign_in(admin, PASSWORD).await;
        for path in ["/obligations", "/dashboard"] {
            assert_eq!(page(&s, &app, path).await.0, 403, "{admin} {path}");
        }
    }
    app.finish().await;
}

#[tokio::test]
async fn the_dashboard_adds_up_and_matches_the_lists() {
    let app = TestApp::demo().await;
    let token = app.token("supervisor").await;
    let d = api_ok(&app, &token, "/api/v1/dashboard?org=cqu&year=2026").await;
    let total = d["total"].as_i64().unwrap();
    let sum: i64 = STATUSES.iter().map(|s| d[*s].as_i64().unwrap()).sum();
    assert_eq!(total, sum, "{d}");
    assert!(d["done"].as_i64().unwrap() > 0);
    for s in STATUSES {
        let v = api_ok(
            &app,
            &token,
            &format!("/api/v1/obligations?org=cqu&year=2026&status={s}"),
        )
        .await;
        assert_eq!(v["total"].as_i64().unwrap(), d[s].as_i64().unwrap(), "{s}");
    }
    let rate = d["completion_rate"].as_f64().unwrap();
    let owed = (total - d["waived"].as_i64().unwrap()) as f64;
    assert!((rate - d["done"].as_f64().unwrap() / owed).abs() < 1e-9);
    // The overdue list names the person responsible.
    let overdue = d["overdue_list"].as_array().unwrap();
    assert_eq!(overdue.len() as i64, d["overdue"].as_i64().unwrap().min(20));
    assert!(
        overdue
            .iter()
            .all(|i| i["status"] == "overdue" && i["responsible"]["name"].is_string())
    );
    // The matrix: the university itself and its three colleges; cells add up to the totals.
    let rows = d["matrix"].as_array().unwrap();
    let codes: Vec<&str> = rows
        .iter()
        .map(|r| r["org"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["cqu-cs", "cqu-me", "cqu-mse"], "{codes:?}");
    let mut cells_total = 0;
    for r in rows {
        let row_total: i64 = r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["total"].as_i64().unwrap())
            .sum();
        assert_eq!(row_total, r["counts"]["total"].as_i64().unwrap());
        cells_total += row_total;
        // A row's numbers are the list of that college.
        let code = r["org"]["code"].as_str().unwrap();
        let v = api_ok(
            &app,
            &token,
            &format!("/api/v1/obligations?org={code}&year=2026&status=overdue"),
        )
        .await;
        assert_eq!(
            v["total"].as_i64().unwrap(),
            r["counts"]["overdue"].as_i64().unwrap()
        );
    }
    assert_eq!(cells_total, total);
    // The months: twelve, what fell due in each adds up to what fell due in the year.
    let months = d["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let due_in_year: i64 = months.iter().map(|m| m["due"].as_i64().unwrap()).sum();
    let v = api_ok(
        &app,
        &token,
        "/api/v1/obligations?org=cqu&year=2026&month=2026-06",
    )
    .await;
    assert_eq!(
        v["total"].as_i64().unwrap(),
        months[5]["due"].as_i64().unwrap()
    );
    assert!(due_in_year <= total && due_in_year > 0);
    let done_in_july = months[6]["done"].as_i64().unwrap();
    let v = api_ok(
        &app,
        &token,
        "/api/v1/obligations?org=cqu&year=2026&done_month=2026-07&status=done",
    )
    .await;
    assert_eq!(v["total"].as_i64().unwrap(), done_in_july);

    // The page: SVG charts (completion, heat map, trend, the incidents by month), every number a
    // link to the list.
    let s = app.sign_in("supervisor", PASSWORD).await;
    let (status, html) = page(&s, &app, "/dashboard?org=cqu&year=2026").await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(html.matches("<svg").count(), 4, "{html}");
    assert!(
        html.contains("href=\"/obligations?org=cqu&#38;year=2026&#38;status=overdue\""),
        "{html}"
    );
    assert!(html.contains(
        "href=\"/obligations?org=cqu-mse&#38;year=2026&#38;duty=annual-dedicated-study\""
    ));
    assert!(html.contains("href=\"/dashboard?org=cqu-mse&#38;year=2026\""));
    assert!(!html.contains("<script"));
    // The secretary's default is the college.
    let secretary = app.token("secretary").await;
    let d = api_ok(&app, &secretary, "/api/v1/dashboard").await;
    assert_eq!(d["org"]["code"], "cqu-mse");
    // Last year's obligations still overdue (the demo left cqu-mse's dedicated study undone)
    // are shown beside this year's figures, counted as last year's own dashboard counts them.
    let last = api_ok(&app, &secretary, "/api/v1/dashboard?org=cqu-mse&year=2025").await;
    let n = last["overdue"].as_i64().unwrap();
    assert!(n > 0, "{last}");
    assert_eq!(d["earlier_overdue"], json!([{"year": 2025, "overdue": n}]));
    assert!(
        last["overdue_list"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["duty"] == "annual-dedicated-study"),
        "{last}"
    );
    assert_eq!(
        last["earlier_overdue"],
        json!([]),
        "no obligations before 2025"
    );
    let sec = app.sign_in("secretary", PASSWORD).await;
    let html = page(&sec, &app, "/dashboard").await.1;
    assert!(
        html.contains("href=\"/obligations?org=cqu-mse&#38;year=2025&#38;status=overdue\""),
        "{html}"
    );
    app.finish().await;
}

#[tokio::test]
async fn waivers_are_approved_by_the_first_responsible_person_only() {
    let app = TestApp::demo().await;
    let leader = app.token("leader").await;
    let secretary = app.token("secretary").await;
    let staff = app.token("staff").await;
    let supervisor = app.token("supervisor").await;
    // The leader asks for waivers of obligations the secretary named them to handle.
    let deputy = app.person_id("赵敏").await;
    for i in &all_items(&app, &secretary, "org=cqu-mse&status=upcoming").await[..3] {
        name_handler(&app, &secretary, i, Some(&deputy)).await;
    }
    let items = all_items(&app, &secretary, "org=cqu-mse&status=upcoming").await;
    let a = &items[0];
    let b = &items[1];
    let path_a = format!("/api/v1/obligations/{}", a["id"].as_str().unwrap());
    let v1 = a["version"].as_i64().unwrap();

    // Checked before the body is read: the supervisor keeps no records.
    let (status, _) = api(
        &app,
        &supervisor,
        "POST",
        &format!("{path_a}/waiver"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 403);
    // Bad bodies: 422 naming the field; nothing stored.
    let (status, e) = api(
        &app,
        &leader,
        "POST",
        &format!("{path_a}/waiver"),
        Some(json!({"version": v1, "reason": "  "})),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("reason"),
        "{e}"
    );
    let (status, e) = api(
        &app,
        &leader,
        "POST",
        &format!("{path_a}/waiver"),
        Some(json!({"reason": "x"})),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("version"),
        "{e}"
    );
    // A stale version: 409.
    let (status, e) = api(
        &app,
        &leader,
        "POST",
        &format!("{path_a}/waiver"),
        Some(json!({"version": v1 + 5, "reason": "x"})),
    )
    .await;
    assert_eq!(status, 409, "{e}");
    assert_eq!(e["error"]["code"], "version_conflict");

    // The leader asks: only a request; the obligation stays owed.
    let (status, r) = api(
        &app,
        &leader,
        "POST",
        &format!("{path_a}/waiver"),
        Some(json!({"version": v1, "reason": "学校已统一组织"})),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["waiver"]["state"], "pending");
    assert_eq!(r["obligation"]["status"], "upcoming");
    let v2 = r["obligation"]["version"].as_i64().unwrap();
    assert_eq!(v2, v1 + 1);
    // The leader and the staff cannot approve it.
    for token in [&leader, &staff] {
        let (status, _) = api(
            &app,
            token,
            "POST",
            &format!("{path_a}/waiver/approve"),
            Some(json!({"version": v2})),
        )
        .await;
        assert_eq!(status, 403);
    }
    // The first responsible person approves; a stale version first.
    let (status, _) = api(
        &app,
        &secretary,
        "POST",
        &format!("{path_a}/waiver/approve"),
        Some(json!({"version": v1})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, r) = api(
        &app,
        &secretary,
        "POST",
        &format!("{path_a}/waiver/approve"),
        Some(json!({"version": v2, "note": "同意"})),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["obligation"]["status"], "waived");
    assert_eq!(r["waiver"]["state"], "approved");
    let d = api_ok(&app, &secretary, &path_a).await;
    assert_eq!(d["status"], "waived");
    assert_eq!(d["waivers"][0]["requested_by_name"], "赵敏");
    assert_eq!(d["waivers"][0]["decided_by_name"], "李明华");
    // Nothing more to approve.
    let (status, _) = api(
        &app,
        &secretary,
        "POST",
        &format!("{path_a}/waiver/approve"),
        Some(json!({"version": v2 + 1})),
    )
    .await;
    assert_eq!(status, 422);

    // The first responsible person waives directly.
    let path_b = format!("/api/v1/obligations/{}", b["id"].as_str().unwrap());
    let (status, r) = api(
        &app,
        &secretary,
        "POST",
        &format!("{path_b}/waiver"),
        Some(json!({"version": b["version"], "reason": "已合并开展"})),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["obligation"]["status"], "waived");
    // The waived count shows on the dashboard and in the list.
    let dash = api_ok(&app, &secretary, "/api/v1/dashboard?org=cqu-mse").await;
    assert_eq!(dash["waived"], 2);
    let waived = all_items(&app, &secretary, "org=cqu-mse&status=waived").await;
    assert_eq!(waived.len(), 2);
    // Audited.
    let audit = app.db.audit_page(0, 1_000_000).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for want in ["waiver.request", "waiver.approve", "obligation.waive"] {
        assert!(actions.contains(&want), "{want}");
    }

    // Through the pages: the leader's form asks, the secretary's form approves.
    let c = &items[2];
    let id = c["id"].as_str().unwrap();
    let s = app.sign_in("leader", PASSWORD).await;
    let (status, html) = page(&s, &app, &format!("/obligations/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("提交免于履行申请"), "{html}");
    let resp = submit(
        &s,
        &app,
        &format!("/obligations/{id}/waiver"),
        &[("version", &c["version"].to_string()), ("reason", "")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp.text().await.unwrap().contains("请填写理由"));
    let resp = submit(
        &s,
        &app,
        &format!("/obligations/{id}/waiver"),
        &[
            ("version", &c["version"].to_string()),
            ("reason", "另行安排"),
        ],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 303);
    let sec = app.sign_in("secretary", PASSWORD).await;
    let (status, html) = page(&sec, &app, &format!("/obligations/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("待第一责任人审批"), "{html}");
    let version =
        api_ok(&app, &secretary, &format!("/api/v1/obligations/{id}")).await["version"].to_string();
    let resp = submit(
        &sec,
        &app,
        &format!("/obligations/{id}/waiver/reject"),
        &[("version", version.as_str()), ("note", "请按期完成")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 303);
    let d = api_ok(&app, &secretary, &format!("/api/v1/obligations/{id}")).await;
    assert_eq!(d["status"], "upcoming");
    assert_eq!(d["waivers"][0]["state"], "rejected");
    app.finish().await;
}

/// The dashboard's done figure drills down to obligations and from them to their evidence: what
/// the demo marks done carries the record an office keeps (an analysis of the quarter, a
/// training, an activity), readable with the obligation's own rights.
#[tokio::test]
async fn done_obligations_open_on_the_records_that_discharged_them() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let dash = api_ok(&app, &token, "/api/v1/dashboard?org=cqu-mse&year=2026").await;
    let done = all_items(&app, &token, "org=cqu-mse&year=2026&status=done").await;
    assert_eq!(dash["done"].as_u64().unwrap() as usize, done.len());
    let mut with_records = 0;
    for duty in ["situation-analysis", "cadre-training", "youth-education"] {
        for item in done.iter().filter(|i| i["duty"] == duty) {
            let id = item["id"].as_str().unwrap();
            let o = api_ok(&app, &token, &format!("/api/v1/obligations/{id}")).await;
            let evidence = o["evidence"].as_array().unwrap();
            assert_eq!(evidence.len(), 1, "{duty} {}: {o}", item["period"]);
            let record = evidence[0]["record"].as_str().unwrap();
            // The record is dated within the obligation's period and on or before the day it
            // was done, and opens as a page.
            let r = api_ok(&app, &token, &format!("/api/v1/records/{record}")).await;
            assert_eq!(
                r["date"].as_str().unwrap(),
                o["completed_on"].as_str().unwrap(),
                "{r}"
            );
            let (status, html) = page(&s, &app, &format!("/records/{record}")).await;
            assert_eq!(status, 200, "{html}");
            with_records += 1;
        }
    }
    assert!(with_records >= 2, "{with_records} done with records");
    app.finish().await;
}

#[tokio::test]
async fn pages_show_the_list_and_the_obligation() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let (status, html) = page(&s, &app, "/obligations?org=cqu-mse&status=done").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("status-done"));
    assert!(!html.contains("status-overdue") && !html.contains("status-upcoming"));
    assert!(html.contains("sort=status"));
    let (status, html) = page(
        &s,
        &app,
        "/obligations?org=cqu-mse&duty=annual-dedicated-study",
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("第四条第（二）项") && html.contains("李明华"));
    let (status, html) = page(&s, &app, "/obligations?status=late").await;
    assert_eq!(status, 422);
    assert!(html.contains("status："), "{html}");
    let (status, _) = page(&s, &app, "/obligations?org=cqu-cs").await;
    assert_eq!(status, 404);
    // One obligation: the article links to the policy viewer, the record forms to the records.
    let token = app.token("secretary").await;
    let study = &all_items(&app, &token, "org=cqu-mse&duty=annual-dedicated-study").await[0];
    let id = study["id"].as_str().unwrap();
    let (status, html) = page(&s, &app, &format!("/obligations/{id}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("href=\"/policies/cqu-mse-2021-6#art-4-2\""),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "/records/new?kind=committee-meeting&#38;obligation={id}"
        )),
        "{html}"
    );
    assert!(html.contains("李明华"));
    assert!(
        html.contains("批准免于履行"),
        "the first responsible person waives directly"
    );
    // English.
    let (status, html) = page(&s, &app, &format!("/obligations/{id}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Art.4(2)") && html.contains("Who is responsible"));
    let (status, html) = page(&s, &app, "/dashboard?lang=en").await;
    assert_eq!(status, 200);
    assert!(html.contains("Month by month"));
    app.finish().await;
}

#[tokio::test]
async fn next_years_obligations_appear_from_the_first_of_december() {
    let app = TestApp::demo().await;
    let token = app.token("supervisor").await;
    let state = app.state();
    let before = all_items(&app, &token, "org=cqu&year=2026").await;
    let mut syncer = Syncer::new();
    // 28 November: this year only; the demo generated it already.
    assert_eq!(syncer.tick(&state).await.unwrap(), 0);
    let v = api_ok(&app, &token, "/api/v1/obligations?org=cqu&year=2027").await;
    assert_eq!(v["total"], 0);
    // Nothing changed: the next round only reads the generation.
    assert_eq!(syncer.tick(&state).await.unwrap(), 0);
    // 1 December in Shanghai.
    app.clock.advance(chrono::Duration::days(3));
    let added = syncer.tick(&state).await.unwrap();
    assert!(added > 0);
    let v = api_ok(&app, &token, "/api/v1/obligations?org=cqu&year=2027").await;
    assert_eq!(v["total"].as_u64().unwrap() as usize, added);
    let study = all_items(
        &app,
        &token,
        "org=cqu-mse&year=2027&duty=annual-dedicated-study",
    )
    .await;
    assert_eq!(study[0]["due"], "2027-12-31");
    // This year's obligations and their completion data are untouched.
    let after = all_items(&app, &token, "org=cqu&year=2026").await;
    assert_eq!(before.len(), after.len());
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(a["id"], b["id"]);
        assert_eq!(a["completed_on"], b["completed_on"]);
        assert_eq!(a["version"], b["version"]);
    }
    // A second instance finds both years in step.
    let mut other = Syncer::new();
    assert_eq!(other.tick(&state).await.unwrap(), 0);
    app.finish().await;
}

/// A change that cannot change which obligations are owed (a new person) does not generate the
/// year again; one that can (a new college) does, at the next round.
#[tokio::test]
async fn the_sync_generates_again_only_after_changes_that_shape_obligations() {
    let app = TestApp::demo().await;
    let state = app.state();
    let mut syncer = Syncer::new();
    assert_eq!(syncer.tick(&state).await.unwrap(), 0);
    let synced = app.db.obligation_sync_generation(2026).await.unwrap();
    let mse = app.org_id("cqu-mse").await;
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.create_person(zeren_storage::NewPerson::new("新来的同事", &mse))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(syncer.tick(&state).await.unwrap(), 0);
    assert_eq!(
        app.db.obligation_sync_generation(2026).await.unwrap(),
        synced,
        "a new person leaves the year as it was generated"
    );
    let cqu = app.org_id("cqu").await;
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.create_org(NewOrg {
        code: "cqu-new".into(),
        name: "新学院".into(),
        kind: OrgKind::College,
        parent: Some(cqu),
        established_on: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(
        syncer.tick(&state).await.unwrap() > 0,
        "the new college owes its duties"
    );
    assert_ne!(
        app.db.obligation_sync_generation(2026).await.unwrap(),
        synced
    );
    app.finish().await;
}

/// One story on every engine: list, detail, dashboard, a waiver with its stale-version refusal.
#[tokio::test]
async fn the_ledger_story_on_every_engine() {
    for app in TestApp::demo_on_engines().await {
        let label = app.label;
        let secretary = app.token("secretary").await;
        let leader = app.token("leader").await;
        let items = all_items(&app, &secretary, "org=cqu-mse&year=2026").await;
        let study = one(&items, "annual-dedicated-study", "2026");
        assert_eq!(study["responsible"]["name"], "李明华", "{label}");
        assert_eq!(
            one(&items, "situation-analysis", "2026-Q1")["responsible"]["name"],
            "王建国"
        );
        let d = api_ok(&app, &secretary, "/api/v1/dashboard?org=cqu-mse&year=2026").await;
        assert_eq!(
            d["total"].as_u64().unwrap() as usize,
            items.len(),
            "{label}"
        );
        for s in STATUSES {
            let n = items.iter().filter(|i| i["status"] == s).count() as i64;
            assert_eq!(d[s].as_i64().unwrap(), n, "{label} {s}");
        }
        let path = format!("/api/v1/obligations/{}", study["id"].as_str().unwrap());
        // The dedicated study is the secretary's own: the leader asks for its waiver once
        // named its handler.
        let deputy = app.person_id("赵敏").await;
        let v = name_handler(&app, &secretary, study, Some(&deputy)).await;
        let (status, r) = api(
            &app,
            &leader,
            "POST",
            &format!("{path}/waiver"),
            Some(json!({"version": v, "reason": "理由"})),
        )
        .await;
        assert_eq!(status, 200, "{label}: {r}");
        let (status, _) = api(
            &app,
            &secretary,
            "POST",
            &format!("{path}/waiver/approve"),
            Some(json!({"version": v})),
        )
        .await;
        assert_eq!(status, 409, "{label}");
        let (status, r) = api(
            &app,
            &secretary,
            "POST",
            &format!("{path}/waiver/approve"),
            Some(json!({"version": v + 1})),
        )
        .await;
        assert_eq!(status, 200, "{label}: {r}");
        assert_eq!(r["obligation"]["status"], "waived");
        let s = app.sign_in("secretary", PASSWORD).await;
        assert_eq!(page(&s, &app, "/dashboard").await.0, 200, "{label}");
        assert_eq!(page(&s, &app, "/obligations").await.0, 200, "{label}");
        app.finish().await;
    }
}

/// Names `person` the handler of the obligation (`None` removes it) as `token`: the new version.
async fn name_handler(app: &TestApp, token: &str, item: &Value, person: Option<&str>) -> i64 {
    let (status, r) = api(
        app,
        token,
        "POST",
        &format!(
            "/api/v1/obligations/{}/handler",
            item["id"].as_str().unwrap()
        ),
        Some(json!({"version": item["version"], "handler": person})),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["handler"]["id"].as_str(), person, "{r}");
    r["version"].as_i64().unwrap()
}

#[tokio::test]
async fn a_handler_keeps_the_records_of_what_they_were_named_to_handle_and_no_more() {
    let app = TestApp::demo().await;
    let secretary = app.token("secretary").await;
    let leader = app.token("leader").await;
    let staff = app.token("staff").await;
    let staff_person = app.person_id("刘佳").await;
    let items = all_items(
        &app,
        &secretary,
        "org=cqu-mse&year=2026&status=upcoming,due_soon,overdue",
    )
    .await;
    let find = |duty: &str| {
        items
            .iter()
            .find(|i| i["duty"] == duty)
            .unwrap_or_else(|| panic!("no open {duty} of cqu-mse"))
            .clone()
    };
    // The dedicated study is the secretary's (first responsible); youth education is the
    // leader's portfolio (学生工作); cadre training is not.
    let study = find("annual-dedicated-study");
    let youth = find("youth-education");
    let cadres = find("cadre-training");
    let path = |i: &Value| format!("/api/v1/obligations/{}", i["id"].as_str().unwrap());
    let d = api_ok(&app, &secretary, &path(&study)).await;
    assert_eq!(
        (d["can_act"].as_bool(), d["can_name_handler"].as_bool()),
        (Some(true), Some(true))
    );
    let d = api_ok(&app, &staff, &path(&study)).await;
    assert_eq!(
        (d["can_act"].as_bool(), d["can_name_handler"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(d["handler"], Value::Null);
    let d = api_ok(&app, &leader, &path(&youth)).await;
    assert_eq!(
        (d["can_act"].as_bool(), d["can_name_handler"].as_bool()),
        (Some(true), Some(true))
    );
    let d = api_ok(&app, &leader, &path(&cadres)).await;
    assert_eq!(
        (d["can_act"].as_bool(), d["can_name_handler"].as_bool()),
        (Some(false), Some(false))
    );

    // Who may name: not the staff, not the leader outside their portfolio (403); the
    // supervisor reads but keeps nothing (403); another college's secretary sees nothing (404).
    for (token, item) in [(&staff, &study), (&leader, &cadres), (&leader, &study)] {
        let (status, e) = api(
            &app,
            token,
            "POST",
            &format!("{}/handler", path(item)),
            Some(json!({"version": item["version"], "handler": staff_person})),
        )
        .await;
        assert_eq!(status, 403, "{e}");
    }
    // Bad input: a person with no post in the college or above it (a branch secretary), an
    // unknown person, a stale version; nothing stored.
    let branch_person = app.person_id("郑晓东").await;
    for (body, want, field) in [
        (
            json!({"version": study["version"], "handler": branch_person}),
            422,
            "handler",
        ),
        (
            json!({"version": study["version"], "handler": "no-such-person"}),
            422,
            "handler",
        ),
        (json!({"version": 0, "handler": staff_person}), 409, ""),
        (json!({"handler": staff_person}), 422, "version"),
    ] {
        let (status, e) = api(
            &app,
            &secretary,
            "POST",
            &format!("{}/handler", path(&study)),
            Some(body),
        )
        .await;
        assert_eq!(status, want, "{e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(field),
            "{e}"
        );
    }
    assert_eq!(
        api_ok(&app, &secretary, &path(&study)).await["handler"],
        Value::Null
    );

    // Before being named, the staff can neither keep a record for it nor ask for a waiver.
    let sec_person = app.person_id("李明华").await;
    let meeting = |date: &str| {
        json!({
            "kind": "committee-meeting", "org": "cqu-mse", "date": date,
            "title": "党委会（意识形态专题）", "attendees": [sec_person], "absentees": [],
            "agenda": [{"title": "专题研究网络意识形态工作", "topics": ["online-ideology"]}],
            "minutes": "会议纪要", "decisions": "",
        })
    };
    let (status, e) = api(
        &app,
        &staff,
        "POST",
        &format!(
            "/api/v1/records?obligation={}",
            study["id"].as_str().unwrap()
        ),
        Some(meeting("2026-11-20")),
    )
    .await;
    assert_eq!(status, 403, "{e}");
    // Named: the staff member is the handler — sees it as theirs, keeps its record (linked as
    // its evidence in the same transaction) and may amend that record.
    let v = name_handler(&app, &secretary, &study, Some(&staff_person)).await;
    let d = api_ok(&app, &staff, &path(&study)).await;
    assert_eq!(
        (d["can_act"].as_bool(), d["can_name_handler"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(d["handler"]["name"], "刘佳");
    let (status, r) = api(
        &app,
        &staff,
        "POST",
        &format!(
            "/api/v1/records?obligation={}&version={v}",
            study["id"].as_str().unwrap()
        ),
        Some(meeting("2026-11-20")),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    let rid = r["id"].as_str().unwrap().to_string();
    let (status, r) = api(
        &app,
        &staff,
        "PATCH",
        &format!("/api/v1/records/{rid}"),
        Some(json!({"version": 1, "title": "党委会（意识形态专题，修订）"})),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let d = api_ok(&app, &staff, &path(&study)).await;
    assert_eq!(d["status"], "done", "{d}");
    // Still not a record of their own choosing, nor another obligation's.
    let (status, _) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/records",
        Some(meeting("2026-11-21")),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = api(
        &app,
        &staff,
        "POST",
        &format!("{}/waiver", path(&cadres)),
        Some(json!({"version": cadres["version"], "reason": "x"})),
    )
    .await;
    assert_eq!(status, 403);
    // Their home page lists it among their duties.
    let s = app.sign_in("staff", PASSWORD).await;
    let html = page(&s, &app, "/").await.1;
    assert!(
        html.contains("党委会年度专题研究网络意识形态工作"),
        "{html}"
    );
    // Linked to the page where it is done, and her role told in PRODUCT.md §5 terms.
    let link = format!("href=\"/obligations/{}\"", study["id"].as_str().unwrap());
    assert!(html.contains(&link), "{html}");
    assert!(
        html.contains("我的角色能做什么") && html.contains("只为被指定为经办人的事项登记材料"),
        "{html}"
    );

    // The page: the secretary's form names (and removes) the handler; the staff's page has no form.
    let sec = app.sign_in("secretary", PASSWORD).await;
    let (status, html) = page(
        &sec,
        &app,
        &format!("/obligations/{}", youth["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("指定经办人") && html.contains(">刘佳（新媒体平台管理员）<"),
        "{html}"
    );
    let resp = submit(
        &sec,
        &app,
        &format!("/obligations/{}/handler", youth["id"].as_str().unwrap()),
        &[
            ("version", &youth["version"].to_string()),
            ("handler", &staff_person),
        ],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 303);
    let resp = submit(
        &sec,
        &app,
        &format!("/obligations/{}/handler", youth["id"].as_str().unwrap()),
        &[("version", &youth["version"].to_string()), ("handler", "")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 409);
    let (_, html) = page(
        &s,
        &app,
        &format!("/obligations/{}", youth["id"].as_str().unwrap()),
    )
    .await;
    assert!(
        !html.contains("指定经办人") && html.contains("刘佳"),
        "{html}"
    );
    // Audited.
    let audit = app.db.audit_page(0, 1_000_000).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "obligation.handler")
            .count(),
        2
    );
    app.finish().await;
}
