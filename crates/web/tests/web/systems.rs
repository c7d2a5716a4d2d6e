//! Several responsibility systems side by side: a second system loaded beside the built-in one
//! is first-class in `who`, the obligation filters, the dashboard, the export, the calendar
//! feed, search, the home page and the reminders, and its chain of reasons cites its own
//! article.

use crate::common::{
    PASSWORD, Syncer, TestApp, api, api_ok, browse, get_anonymous, hidden, location,
    multipart_form, page, planner, send_as, sheet_rows, submit, submit_multipart, workbook,
};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use zeren_core::Clock;
use zeren_core::policy::{builtin_source_as, parse_pack};
use zeren_storage::{Actor, ledger};

/// A small second system: its first responsible person is named in Art.2.
const LAB_SAFETY: &str = include_str!("../../../../tests/fixtures/lab-safety-2026-1.toml");

async fn with_second_system() -> TestApp {
    let app = TestApp::demo().await;
    load_second_system(&app).await;
    app
}

/// Loads [`LAB_SAFETY`] beside what `app` has, and generates its obligations of 2026.
async fn load_second_system(app: &TestApp) {
    load_system(app, LAB_SAFETY).await;
}

/// Loads the pack `source` beside what `app` has, and generates its obligations of 2026.
async fn load_system(app: &TestApp, source: &str) {
    let pack = parse_pack(source).unwrap();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.load_policy(&pack, source, false).await.unwrap();
    tx.commit().await.unwrap();
    let added = ledger::sync_obligations(&app.db, &Actor::system(), 2026, app.clock.now())
        .await
        .unwrap();
    assert!(added > 0);
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
    let mut wb = workbook(&s, &app, "/orgs/cqu-mse/ledger.xlsx?year=2026").await;
    let rows = sheet_rows(&mut wb, "责任清单");
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
    let cover: String = sheet_rows(&mut wb, "封面").concat().concat();
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

/// The second system's duty, as its title reads.
const LAB_TITLE: &str = "实验室安全季度检查";
/// Its one citation, as the built-in pack never writes it: the document and the article.
const LAB_CITATION: &str = "重大材料委〔2026〕1号 第三条";

/// The events of an iCalendar text: each event's properties by name, and `ALARMS`, how many
/// alarms it carries.
fn events(ics: &str) -> Vec<HashMap<String, String>> {
    let unfolded = icalendar::parser::unfold(ics);
    let cal = icalendar::parser::read_calendar(&unfolded).unwrap();
    cal.components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| {
            let mut m: HashMap<String, String> = c
                .properties
                .iter()
                .map(|p| (p.name.to_string(), p.val.to_string()))
                .collect();
            let alarms = c.components.iter().filter(|a| a.name == "VALARM").count();
            m.insert("ALARMS".into(), alarms.to_string());
            m
        })
        .collect()
}

/// The lab-inspection obligations of cqu-mse in 2026 as the API lists them.
async fn lab_obligations(app: &TestApp, token: &str) -> Vec<Value> {
    let v = api_ok(
        app,
        token,
        "/api/v1/obligations?org=cqu-mse&year=2026&duty=lab-inspection",
    )
    .await;
    assert_eq!(v["total"], 4, "{v}");
    v["items"].as_array().unwrap().clone()
}

/// The secretary's calendar feed, through a new address made with the API.
async fn secretary_feed(app: &TestApp, token: &str) -> String {
    let r = send_as(app, token, "POST", "/api/v1/calendar/token", None).await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let url = body["url"].as_str().unwrap();
    let path = format!(
        "/{}",
        url.split_once("//").unwrap().1.split_once('/').unwrap().1
    );
    let r = get_anonymous(app, &path).await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// The rows of the home page's "my duties" table that name the second system's duty.
fn lab_rows(html: &str) -> Vec<String> {
    let table = html
        .split_once("id=\"my-duties\"")
        .unwrap_or_else(|| panic!("no duties table: {html}"))
        .1
        .split_once("</table>")
        .unwrap()
        .0;
    table
        .split("<tr>")
        .filter(|r| r.contains(LAB_TITLE))
        .map(str::to_string)
        .collect()
}

/// The calendar, search, the home page and the reminder planner know the second system's
/// obligations as they know the built-in one's.
#[tokio::test]
async fn a_second_system_is_first_class_in_calendar_search_home_and_reminders() {
    let app = with_second_system().await;
    let token = app.token("secretary").await;
    let lab = lab_obligations(&app, &token).await;
    // 李明华 is secretary from 1 July: the three quarters due after it are hers, the first not.
    let hers: Vec<&Value> = lab
        .iter()
        .filter(|o| o["responsible"]["name"] == "李明华")
        .collect();
    let dues: BTreeSet<String> = hers
        .iter()
        .map(|o| o["due"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        dues,
        BTreeSet::from(["2026-07-10", "2026-10-10", "2027-01-10"].map(String::from))
    );
    let before_her = lab.iter().find(|o| o["due"] == "2026-04-10").unwrap();
    assert_ne!(before_her["responsible"]["name"], "李明华");

    // The calendar feed: one event for each of hers, on its due date, none for the first
    // quarter; the open one still ahead carries the alarms; each opens its chain of reasons.
    let ics = secretary_feed(&app, &token).await;
    let evs = events(&ics);
    let lab_evs: Vec<_> = evs
        .iter()
        .filter(|e| e["SUMMARY"].contains(LAB_TITLE))
        .collect();
    let days: BTreeSet<String> = lab_evs.iter().map(|e| e["DTSTART"].clone()).collect();
    assert_eq!(
        days,
        dues.iter().map(|d| d.replace('-', "")).collect(),
        "{ics}"
    );
    for o in &hers {
        let uid = format!("obligation-{}@zeren", o["id"].as_str().unwrap());
        let e = lab_evs
            .iter()
            .find(|e| e["UID"] == uid)
            .unwrap_or_else(|| panic!("no event {uid}: {ics}"));
        assert!(e["DESCRIPTION"].contains("第三条"), "{e:?}");
        assert!(e["DESCRIPTION"].contains("材料科学与工程学院"), "{e:?}");
        assert!(e["URL"].contains("duty=lab-inspection"), "{e:?}");
    }
    let q4 = lab_evs.iter().find(|e| e["DTSTART"] == "20270110").unwrap();
    assert_eq!(q4["ALARMS"], "2", "{q4:?}");
    let q3 = lab_evs.iter().find(|e| e["DTSTART"] == "20261010").unwrap();
    assert_eq!(q3["ALARMS"], "0", "overdue: no alarm ahead: {q3:?}");
    assert!(!ics.contains(before_her["id"].as_str().unwrap()));
    // The built-in system's events are still there.
    assert!(
        evs.iter()
            .any(|e| e["SUMMARY"].contains("党委会年度专题研究网络意识形态工作"))
    );

    // Search: the secretary finds the four of her college, and only them; a branch secretary,
    // who reads only the branch, finds none; the supervisor finds every college's.
    let v = api_ok(&app, &token, "/api/v1/search?q=实验室安全").await;
    assert_eq!(v["mode"], "trigram");
    assert_eq!(v["total"], 4, "{v}");
    let found: BTreeSet<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            assert_eq!(h["kind"], "obligation", "{h}");
            assert_eq!(h["sub"], "lab-inspection", "{h}");
            assert_eq!(h["title"], LAB_TITLE, "{h}");
            assert_eq!(h["org"]["code"], "cqu-mse", "{h}");
            assert!(h["snippet"].as_str().unwrap().contains("第三条"), "{h}");
            h["id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        found,
        lab.iter().map(|o| o["id"].as_str().unwrap()).collect()
    );
    let en = api_ok(&app, &token, "/api/v1/search?q=实验室安全&lang=en").await;
    assert_eq!(
        en["results"][0]["title"], "Quarterly laboratory safety inspection",
        "{en}"
    );
    let branch = app.token("branch").await;
    let v = api_ok(&app, &branch, "/api/v1/search?q=实验室安全").await;
    assert_eq!(v["total"], 0, "{v}");
    let supervisor = app.token("supervisor").await;
    let v = api_ok(&app, &supervisor, "/api/v1/search?q=实验室安全").await;
    assert_eq!(v["total"], 12, "three colleges, four quarters: {v}");
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["org"]["code"] == "cqu-cs")
    );
    // The page: each result linked to its obligation, the words marked.
    let s = app.sign_in("secretary", PASSWORD).await;
    let (status, html) = page(&s, &app, "/search?q=实验室安全").await;
    assert_eq!(status, 200);
    assert!(html.contains("<mark>实验室安全</mark>季度检查"), "{html}");
    for o in &lab {
        assert!(
            html.contains(&format!(
                "href=\"/obligations/{}\"",
                o["id"].as_str().unwrap()
            )),
            "{html}"
        );
    }
    let s_branch = app.sign_in("branch", PASSWORD).await;
    let (status, html) = page(&s_branch, &app, "/search?q=实验室安全").await;
    assert_eq!(status, 200);
    assert!(!html.contains(LAB_TITLE), "{html}");

    // The home page: the secretary's duties of this year list hers of the second system,
    // each linked to its obligation, with its due date and status, beside the built-in ones.
    let (status, html) = page(&s, &app, "/").await;
    assert_eq!(status, 200);
    let rows = lab_rows(&html);
    assert_eq!(rows.len(), 3, "{html}");
    for o in &hers {
        let href = format!("href=\"/obligations/{}\"", o["id"].as_str().unwrap());
        let due = o["due"].as_str().unwrap();
        let row = rows
            .iter()
            .find(|r| r.contains(&href))
            .unwrap_or_else(|| panic!("no row for {href}: {html}"));
        assert!(row.contains(&format!("datetime=\"{due}\"")), "{row}");
        assert!(row.contains("第三条"), "{row}");
        assert!(
            row.contains(&format!("status-{}", o["status"].as_str().unwrap())),
            "{row}"
        );
    }
    assert!(!html.contains(before_her["id"].as_str().unwrap()));
    assert!(html.contains("党委会年度专题研究网络意识形态工作"));

    // Reminders: seven days before the fourth quarter's inspection falls due, the planner
    // reminds the secretary of it, as the default schedule of a system without its own
    // `[reminders]` says (30, 7 and 1 days before).
    let q4 = hers.iter().find(|o| o["due"] == "2027-01-10").unwrap();
    let q4_id = q4["id"].as_str().unwrap().to_string();
    assert_eq!(q4["status"], "upcoming");
    app.clock.set_day("2027-01-03");
    let token = app.token("secretary").await;
    let now = api_ok(
        &app,
        &token,
        "/api/v1/obligations?org=cqu-mse&year=2026&duty=lab-inspection",
    )
    .await;
    let q4_now = now["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == q4_id.as_str())
        .unwrap();
    assert_eq!(q4_now["status"], "due_soon", "{q4_now}");
    let plan = planner::run_once(&app.state()).await;
    assert!(plan.ran && plan.reminders > 0, "{plan:?}");
    let v = api_ok(&app, &token, "/api/v1/notifications").await;
    let mine: Vec<&Value> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["obligation"] == q4_id.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "{v}");
    let note = mine[0];
    assert_eq!(note["kind"], "before-7", "{note}");
    assert_eq!(note["duty"], "lab-inspection", "{note}");
    assert_eq!(note["due"], "2027-01-10", "{note}");
    let text = note["text"].as_str().unwrap();
    assert!(
        text.contains(LAB_TITLE) && text.contains("2027-01-10") && text.contains("第三条"),
        "{text}"
    );
    let keys = app.db.reminder_keys(&q4_id).await.unwrap();
    assert_eq!(keys, [format!("{q4_id}/before-7")]);
    // The notification centre lists it too.
    let s = app.sign_in("secretary", PASSWORD).await;
    let (_, html) = page(&s, &app, "/notifications").await;
    assert!(html.contains(LAB_TITLE), "{html}");
    app.finish().await;
}

/// Where the calendar feed cites a duty of the second system, it names that system's own
/// document, as the export does, not the built-in one's.
#[tokio::test]
async fn the_calendar_cites_the_second_systems_own_document() {
    let app = with_second_system().await;
    let token = app.token("secretary").await;
    let ics = secretary_feed(&app, &token).await;
    let evs = events(&ics);
    let lab: Vec<_> = evs
        .iter()
        .filter(|e| e["SUMMARY"].contains(LAB_TITLE))
        .collect();
    assert_eq!(lab.len(), 3, "{ics}");
    for e in &lab {
        assert!(e["DESCRIPTION"].contains(LAB_CITATION), "{e:?}");
        assert!(!e["DESCRIPTION"].contains("重大材料委〔2021〕6号"), "{e:?}");
    }
    // The built-in system's events still cite theirs.
    assert!(
        evs.iter()
            .filter(|e| !e["SUMMARY"].contains(LAB_TITLE))
            .all(|e| e["DESCRIPTION"].contains("重大材料委〔2021〕6号"))
    );
    app.finish().await;
}

/// On the home page, the article of a duty of the second system opens that system's text, as
/// the obligations API's `article_href` does, not the built-in one's article of that number.
#[tokio::test]
async fn the_home_page_links_the_second_systems_own_article() {
    let app = with_second_system().await;
    let token = app.token("secretary").await;
    let lab = lab_obligations(&app, &token).await;
    assert!(
        lab.iter()
            .all(|o| o["article_href"] == "/policies/lab-safety-2026-1#art-3")
    );

    let s = app.sign_in("secretary", PASSWORD).await;
    let (_, html) = page(&s, &app, "/").await;
    let rows = lab_rows(&html);
    assert_eq!(rows.len(), 3, "{html}");
    for row in &rows {
        assert!(
            row.contains("href=\"/policies/lab-safety-2026-1#art-3\""),
            "{row}"
        );
    }
    app.finish().await;
}

/// A second system adopted through the browser while Zeren runs, after the search index was
/// built: its obligations are found by their title once the synchronisation has made them.
#[tokio::test]
async fn a_system_adopted_while_serving_is_found_by_search() {
    let app = TestApp::demo().await;
    let token = app.token("secretary").await;
    // A first search builds the index.
    let v = api_ok(&app, &token, "/api/v1/search?q=实验室安全").await;
    assert_eq!(v["total"], 0, "{v}");
    let v = api_ok(&app, &token, "/api/v1/search?q=网络意识形态").await;
    assert!(v["total"].as_i64().unwrap() > 0);

    // The system administrator previews and adopts the second system.
    let admin = app.sign_in("sysadmin", PASSWORD).await;
    let resp = submit_multipart(
        &admin,
        &app,
        "/policies/load",
        multipart_form(
            &[("csrf", admin.csrf.as_str())],
            &[("lab-safety.toml", LAB_SAFETY.as_bytes())],
        ),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    let sha = hidden(&html, "sha256");
    let resp = submit(
        &admin,
        &app,
        "/policies/adopt",
        &[("source", LAB_SAFETY), ("sha256", sha.as_str())],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/policies/load?loaded=lab-safety-2026-1");
    // The synchronisation makes its obligations.
    let added = Syncer::new().tick(&app.state()).await.unwrap();
    assert!(added >= 4, "{added}");
    let lab = lab_obligations(&app, &token).await;

    let v = api_ok(&app, &token, "/api/v1/search?q=实验室安全").await;
    assert_eq!(v["total"], 4, "{v}");
    let found: BTreeSet<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        found,
        lab.iter().map(|o| o["id"].as_str().unwrap()).collect()
    );
    assert_eq!(v["results"][0]["title"], LAB_TITLE, "{v}");
    app.finish().await;
}

/// The lab-safety system with a reminder schedule of its own (§3.3), loaded beside the demo's:
/// 2027-01-10 is 43 days after the demo's today, 2026-11-28, so its fourth quarter is due soon
/// under 60 days (not under the built-in 14) and reminded of today under 43 days before (never
/// under the built-in 30, 7, 1). Returns the app and that obligation's id.
async fn with_own_schedule() -> (TestApp, String) {
    let app = TestApp::demo().await;
    let source = LAB_SAFETY.replacen(
        "[[post_kinds]]",
        "[reminders]\ndue_soon_days = 60\ndays_before = [43, 7, 1]\n\n[[post_kinds]]",
        1,
    );
    assert_ne!(source, LAB_SAFETY);
    load_system(&app, &source).await;
    let token = app.token("secretary").await;
    let lab = lab_obligations(&app, &token).await;
    let q4 = lab.iter().find(|o| o["due"] == "2027-01-10").unwrap();
    let id = q4["id"].as_str().unwrap().to_string();
    (app, id)
}

/// The planner reminds of a second system's obligations on that system's own days.
#[tokio::test]
async fn the_planner_follows_a_second_systems_own_reminder_schedule() {
    let (app, q4_id) = with_own_schedule().await;
    let token = app.token("secretary").await;
    let plan = planner::run_once(&app.state()).await;
    assert!(plan.ran && plan.reminders > 0, "{plan:?}");
    assert_eq!(
        app.db.reminder_keys(&q4_id).await.unwrap(),
        [format!("{q4_id}/before-43")]
    );
    let v = api_ok(&app, &token, "/api/v1/notifications").await;
    let note = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["obligation"] == q4_id.as_str())
        .unwrap_or_else(|| panic!("no reminder of {q4_id}: {v}"));
    assert_eq!(note["kind"], "before-43", "{note}");
    let text = note["text"].as_str().unwrap();
    assert!(
        text.contains(LAB_TITLE) && text.contains("2027-01-10") && text.contains("43 天"),
        "{text}"
    );
    app.finish().await;
}
