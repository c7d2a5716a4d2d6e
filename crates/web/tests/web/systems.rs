//! Several responsibility systems side by side: a second system loaded beside the built-in one
//! is first-class in `who`, the obligation filters, the dashboard and the export, and its chain
//! of reasons cites its own article.

use crate::common::{PASSWORD, TestApp, api, api_ok, browse, page};
use calamine::{Reader, Xlsx};
use zeren_core::Clock;
use zeren_core::policy::{builtin_source_as, parse_pack};
use zeren_storage::{Actor, ledger};

/// A small second system: its first responsible person is named in Art.2.
const LAB_SAFETY: &str = include_str!("../../../../tests/fixtures/lab-safety-2026-1.toml");

async fn with_second_system() -> TestApp {
    let app = TestApp::demo().await;
    let pack = parse_pack(LAB_SAFETY).unwrap();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.load_policy(&pack, LAB_SAFETY, false).await.unwrap();
    tx.commit().await.unwrap();
    let added = ledger::sync_obligations(&app.db, &Actor::system(), 2026, app.clock.now())
        .await
        .unwrap();
    assert!(added > 0);
    app
}

#[tokio::test]
async fn a_second_system_is_first_class_in_who_filters_dashboard_and_export() {
    let app = with_second_system().await;
    let token = app.token("secretary").await;

    // The obligation filter knows its duty.
    let v = api_ok(
        &app,
        &token,
        "/api/v1/obligations?org=cqu-mse&year=2026&duty=lab-inspection",
    )
    .await;
    assert_eq!(v["total"], 4, "{v}");
    let first = &v["items"][0];
    assert_eq!(first["duty_title"], "实验室安全季度检查");
    assert_eq!(first["citation"], "Art.3");

    // `who` answers with its own article for the first responsible person.
    let v = api_ok(
        &app,
        &token,
        "/api/v1/responsibility?org=cqu-mse&duty=lab-inspection&at=2026-11-28",
    )
    .await;
    let chain = v.to_string();
    assert!(chain.contains("\"citation\":\"Art.2\""), "{chain}");
    let s = app.sign_in("secretary", PASSWORD).await;
    let (status, html) = page(
        &s,
        &app,
        "/who?org=cqu-mse&duty=lab-inspection&at=2026-11-28",
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("第二条："), "{html}");
    assert!(!html.contains("第三条："), "{html}");
    // The built-in system's chain still cites its Art.3.
    let (_, html) = page(
        &s,
        &app,
        "/who?org=cqu-mse&duty=annual-dedicated-study&at=2026-11-28",
    )
    .await;
    assert!(html.contains("第三条："), "{html}");

    // An unknown duty is still refused, naming the field.
    let (status, body) = api(
        &app,
        &token,
        "GET",
        "/api/v1/obligations?org=cqu-mse&year=2026&duty=no-such-duty",
        None,
    )
    .await;
    assert_eq!(status, 422, "{body}");

    // One system at a time: its duties only; an unknown system or a duty of another is
    // refused, naming the field.
    let v = api_ok(
        &app,
        &token,
        "/api/v1/obligations?org=cqu-mse&year=2026&series=cqu-mse-lab-safety",
    )
    .await;
    assert_eq!(v["total"], 4, "{v}");
    let all = api_ok(&app, &token, "/api/v1/obligations?org=cqu-mse&year=2026").await;
    let builtin = api_ok(
        &app,
        &token,
        "/api/v1/obligations?org=cqu-mse&year=2026&series=cqu-mse-online-ideology",
    )
    .await;
    assert_eq!(
        all["total"].as_u64().unwrap(),
        builtin["total"].as_u64().unwrap() + 4
    );
    for (query, field) in [
        ("series=no-such-system", "series"),
        (
            "series=cqu-mse-lab-safety&duty=annual-dedicated-study",
            "duty",
        ),
    ] {
        let (status, body) = api(
            &app,
            &token,
            "GET",
            &format!("/api/v1/obligations?org=cqu-mse&year=2026&{query}"),
            None,
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}：")), "{body}");
    }
    let (status, html) = page(&s, &app, "/obligations?org=cqu-mse&year=2026").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("name=\"series\""),
        "a system switcher when several are loaded"
    );
    assert!(html.contains("材料科学与工程学院实验室安全责任制实施办法"));

    // The dashboard counts both systems.
    let (status, html) = page(&s, &app, "/dashboard?org=cqu-mse&year=2026").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("实验室安全季度检查"),
        "dashboard lists the second system's duty"
    );

    // Per system and all together, through the API; links keep the system chosen.
    let one = api_ok(
        &app,
        &token,
        "/api/v1/dashboard?org=cqu-mse&year=2026&series=cqu-mse-lab-safety",
    )
    .await;
    assert_eq!(one["total"], 4, "{one}");
    assert_eq!(one["series"], "cqu-mse-lab-safety");
    let duties: Vec<&str> = one["duties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(duties, ["lab-inspection"]);
    let together = api_ok(&app, &token, "/api/v1/dashboard?org=cqu-mse&year=2026").await;
    let builtin = api_ok(
        &app,
        &token,
        "/api/v1/dashboard?org=cqu-mse&year=2026&series=cqu-mse-online-ideology",
    )
    .await;
    assert_eq!(
        together["total"].as_i64().unwrap(),
        builtin["total"].as_i64().unwrap() + 4
    );
    assert!(together["series"].is_null());
    let (status, _) = api(
        &app,
        &token,
        "GET",
        "/api/v1/dashboard?org=cqu-mse&year=2026&series=nope",
        None,
    )
    .await;
    assert_eq!(status, 422);
    let (_, html) = page(
        &s,
        &app,
        "/dashboard?org=cqu-mse&year=2026&series=cqu-mse-lab-safety",
    )
    .await;
    assert!(
        html.contains("id=\"d-series\""),
        "a switcher on the dashboard"
    );
    assert!(
        html.contains("series=cqu-mse-lab-safety"),
        "links keep the system"
    );

    // The export carries its obligations, each citation naming its document.
    let r = s
        .client
        .get(app.url("/orgs/cqu-mse/ledger.xlsx?year=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let ob = wb.worksheet_range("责任清单").unwrap();
    let rows: Vec<Vec<String>> = ob
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let lab: Vec<_> = rows
        .iter()
        .filter(|r| r.get(1).is_some_and(|t| t == "实验室安全季度检查"))
        .collect();
    assert_eq!(lab.len(), 4);
    assert_eq!(lab[0][2], "重大材料委〔2026〕1号 第三条");
    assert!(rows.iter().any(|r| {
        r.get(2)
            .is_some_and(|c| c == "重大材料委〔2021〕6号 第四条第（二）项")
    }));
    let cover = wb.worksheet_range("封面").unwrap();
    let cover: String = cover.rows().flatten().map(|c| c.to_string()).collect();
    assert!(cover.contains("重大材料委〔2026〕1号"), "{cover}");
    app.finish().await;
}

#[tokio::test]
async fn a_superseded_version_says_so_and_lists_its_series() {
    let app = TestApp::demo().await;
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
    assert!(src.contains("每月分析研判"));
    let v2 = parse_pack(&src).unwrap();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.load_policy(&v2, &src, false).await.unwrap();
    tx.commit().await.unwrap();
    let token = app.token("secretary").await;
    let list = api_ok(&app, &token, "/api/v1/policies").await;
    let of = |id: &str| {
        list["policies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap()
    };
    // Version 1 has no end date of its own, yet it is no longer in force: version 2 is.
    assert_eq!(of("cqu-mse-2021-6")["in_force"], false);
    assert_eq!(of("cqu-mse-2021-6")["superseded"], true);
    assert_eq!(of("cqu-mse-2026-4")["in_force"], true);
    let s = app.sign_in("secretary", PASSWORD).await;
    let (_, html) = page(&s, &app, "/policies/cqu-mse-2021-6").await;
    assert!(html.contains("已被新版本取代"), "{html}");
    assert!(html.contains("本制度的各版本"));
    assert!(html.contains("href=\"/policies/cqu-mse-2026-4\""), "{html}");
    // Version 2 against version 1: the changed item, word for word, and the changed duty.
    let (status, html) = page(&s, &app, "/policies/cqu-mse-2026-4/diff").await;
    assert_eq!(status, 200);
    assert!(html.contains("<del>定期</del>"), "{html}");
    assert!(html.contains("<ins>每月</ins>"), "{html}");
    assert!(html.contains("situation-analysis"), "{html}");
    let v = api_ok(&app, &token, "/api/v1/policies/cqu-mse-2026-4/diff").await;
    assert_eq!(v["from"], "cqu-mse-2021-6");
    assert_eq!(v["diff"]["duties"][0]["id"], "situation-analysis", "{v}");
    // The other way round, asked for; the version itself or an unknown one is refused,
    // naming the field.
    let v = api_ok(
        &app,
        &token,
        "/api/v1/policies/cqu-mse-2021-6/diff?from=cqu-mse-2026-4",
    )
    .await;
    assert_eq!(v["from"], "cqu-mse-2026-4");
    let v = api_ok(&app, &token, "/api/v1/policies/cqu-mse-2021-6/diff").await;
    assert!(v["diff"].is_null() && v["from"].is_null(), "{v}");
    for from in ["cqu-mse-2021-6", "nope"] {
        let (status, body) = api(
            &app,
            &token,
            "GET",
            &format!("/api/v1/policies/cqu-mse-2021-6/diff?from={from}"),
            None,
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("from：")
        );
    }
    let (status, html) = page(&s, &app, "/policies/cqu-mse-2021-6/diff?from=nope").await;
    assert_eq!(status, 422);
    assert!(html.contains("不是本制度的另一个版本"));

    // The public landing page lists both versions with their status.
    let (_, html) = browse(&app.client(), &app, "/").await;
    assert!(
        html.contains("已被新版本取代") && html.contains("现行有效"),
        "{html}"
    );
    app.finish().await;
}
