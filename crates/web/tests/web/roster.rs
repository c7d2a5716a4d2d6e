//! The roster: a college secretary enters a branch with its people, post and holder from a
//! workbook — previewed, every problem at its cell, confirmed, imported once; an org outside
//! their reach reads as one that does not exist; the same file twice changes nothing.

use crate::common::{
    PASSWORD, Session, TestApp, api, hidden, multipart_form, page, submit, submit_multipart,
};
use zeren_core::org::roster::{At, Cell, HoldingRow, OrgRow, PersonRow, PostRow, Roster, Sheet};

fn cell(sheet: Sheet, row: u32, col: u16, v: &str) -> Cell<String> {
    Cell {
        value: v.into(),
        at: At { sheet, row, col },
    }
}

/// A branch of `parent` with its secretary; the holding names `holder`.
fn branch(parent: &str, holder: &str) -> Roster {
    let day = |v: &str| Cell {
        value: chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").unwrap(),
        at: At {
            sheet: Sheet::Holdings,
            row: 2,
            col: 3,
        },
    };
    let code = format!("{parent}-b9");
    Roster {
        orgs: vec![OrgRow {
            code: cell(Sheet::Orgs, 2, 0, &code),
            name: cell(Sheet::Orgs, 2, 1, "第九党支部"),
            kind: cell(Sheet::Orgs, 2, 2, "党支部"),
            parent: Some(cell(Sheet::Orgs, 2, 3, parent)),
            established_on: None,
            closed_on: None,
        }],
        people: vec![PersonRow {
            staff_no: cell(Sheet::People, 2, 0, "S900"),
            name: cell(Sheet::People, 2, 1, "王五"),
            org: cell(Sheet::People, 2, 2, &code),
            email: None,
            wecom: None,
            dingtalk: None,
            left_on: None,
        }],
        posts: vec![PostRow {
            org: cell(Sheet::Posts, 2, 0, &code),
            kind: cell(Sheet::Posts, 2, 1, "branch-secretary"),
            title: cell(Sheet::Posts, 2, 2, "党支部书记"),
            closed_on: None,
        }],
        holdings: vec![HoldingRow {
            org: cell(Sheet::Holdings, 2, 0, &code),
            post: cell(Sheet::Holdings, 2, 1, "党支部书记"),
            staff_no: cell(Sheet::Holdings, 2, 2, holder),
            start: day("2026-09-01"),
            end: None,
        }],
        assignments: vec![],
        platforms: vec![],
    }
}

async fn preview(s: &Session, app: &TestApp, roster: &Roster) -> (u16, String) {
    let bytes = zeren_roster::write_xlsx(roster).unwrap();
    let form = multipart_form(&[("csrf", s.csrf.as_str())], &[("roster.xlsx", &bytes)]);
    let resp = submit_multipart(s, app, "/roster/preview", form).await;
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

#[tokio::test]
async fn a_college_enters_a_branch_from_its_roster_after_a_preview() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    // The org list leads to the roster and to getting started of the secretary's college.
    let (_, list) = page(&s, &app, "/orgs").await;
    assert!(
        list.contains(r#"href="/roster""#) && list.contains("/orgs/cqu-mse/start"),
        "{list}"
    );
    let (status, start) = page(&s, &app, "/orgs/cqu-mse/start").await;
    assert_eq!(status, 200);
    assert!(start.contains("开始使用：还缺什么"), "{start}");
    let (status, _) = page(&s, &app, "/orgs/cqu/start").await;
    assert_eq!(
        status, 404,
        "the university lies outside the college secretary's scope"
    );
    let (status, html) = page(&s, &app, "/roster").await;
    assert_eq!(status, 200);
    assert!(html.contains("/roster/template.xlsx") && html.contains(r#"type="file""#));
    let resp = s
        .client
        .get(app.url("/roster/template.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let template = resp.bytes().await.unwrap();
    assert!(zeren_roster::read_xlsx(&template).is_ok());

    // A holder whose staff number is nowhere: told at its cell, nothing written.
    let (status, html) = preview(&s, &app, &branch("cqu-mse", "S901")).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("任职!C2: 工号不存在"), "{html}");
    assert!(!html.contains(r#"name="sha256""#));
    // A file that is not a workbook.
    let form = multipart_form(
        &[("csrf", s.csrf.as_str())],
        &[("roster.xlsx", b"MZ not a zip")],
    );
    let resp = submit_multipart(&s, &app, "/roster/preview", form).await;
    assert_eq!(resp.status(), 422);
    // A branch of another college: outside the secretary's reach, as if it did not exist.
    let (status, html) = preview(&s, &app, &branch("cqu-cs", "S900")).await;
    assert_eq!(status, 422);
    assert!(html.contains("组织!D2: 组织代码不存在"), "{html}");
    let (_, org) = page(&s, &app, "/orgs/cqu-mse-b9").await;
    assert!(!org.contains("第九党支部"));

    // Fixed: the preview counts what is new, and the confirmation writes it.
    let (status, html) = preview(&s, &app, &branch("cqu-mse", "S900")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("任职!2 · cqu-mse-b9 党支部书记 ← S900"),
        "{html}"
    );
    let sha = hidden(&html, "sha256");
    let resp = submit(&s, &app, "/roster/import", &[("sha256", &sha)]).await;
    assert_eq!(resp.status(), 303);
    let (status, org) = page(&s, &app, "/orgs/cqu-mse-b9").await;
    assert_eq!(status, 200);
    assert!(org.contains("王五"), "{org}");
    // The same confirmation again: the kept file is gone.
    let resp = submit(&s, &app, "/roster/import", &[("sha256", &sha)]).await;
    assert_eq!(resp.status(), 422);
    // The same file again changes nothing.
    let (status, html) = preview(&s, &app, &branch("cqu-mse", "S900")).await;
    assert_eq!(status, 200);
    assert!(html.contains("导入不会改变任何内容"), "{html}");
    assert!(!html.contains(r#"name="sha256""#));

    // The API: a dry run says what would change, in English with the English interface.
    let token = app.token("secretary").await;
    let (status, body) = api(
        &app,
        &token,
        "GET",
        "/api/v1/portfolio-assignments?org=cqu-mse-b9",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let export = s
        .client
        .get(app.url("/roster/export.xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let exported = zeren_roster::read_xlsx(&export).unwrap();
    assert!(exported.people.iter().any(|p| p.staff_no.value == "S900"));
    // Only the secretary's college: nothing of cqu-cs.
    assert!(
        exported
            .orgs
            .iter()
            .all(|o| o.code.value.starts_with("cqu-mse")),
        "{:?}",
        exported.orgs
    );
}

#[tokio::test]
async fn the_api_imports_a_roster_or_tells_every_problem_and_writes_nothing() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    let upload = |roster: &Roster, query: &'static str| {
        let bytes = zeren_roster::write_xlsx(roster).unwrap();
        let (ct, body) = multipart_form::<&str, &str>(&[], &[("roster.xlsx", &bytes)]);
        let app = &app;
        let token = token.clone();
        async move {
            let resp = reqwest::Client::new()
                .post(app.url(&format!("/api/v1/roster{query}")))
                .bearer_auth(token)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, body) = upload(&branch("cqu-mse", "S901"), "").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["problems"][0],
        "任职!C2: 工号不存在（名册的人员表和现有人员中都没有）。"
    );
    let (status, body) = upload(&branch("cqu-mse", "S900"), "?dry_run=true").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["counts"]["holdings"]["created"], 1);
    let (status, _) = api(&app, &token, "GET", "/api/v1/orgs/cqu-mse-b9", None).await;
    assert_eq!(status, 404, "a dry run writes nothing");
    let (status, body) = upload(&branch("cqu-mse", "S900"), "").await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = api(&app, &token, "GET", "/api/v1/orgs/cqu-mse-b9", None).await;
    assert_eq!(status, 200);
    // Administrators hold no business data; a reader of the org does not manage it.
    let admin = app.token("sysadmin").await;
    let resp = reqwest::Client::new()
        .post(app.url("/api/v1/roster"))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}
