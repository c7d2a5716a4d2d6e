//! Stories of the feeds area: the calendar feed a person subscribes to, search within one's
//! scope, and the ledger download.

use crate::common::{PASSWORD, TestApp, get_anonymous, get_as, hidden, page, send_as, submit};
use calamine::{Data, Reader, Xlsx};
use serde_json::Value;
use zeren_core::clock::Clock;

/// The feed URL on the page answering a rotation, as a path on the test server.
fn feed_path(html: &str) -> String {
    let url = hidden(html, "feed_url");
    assert!(url.starts_with("http://"), "no feed URL on the page: {url}");
    let path = url.split_once("//").unwrap().1;
    format!("/{}", path.split_once('/').unwrap().1)
}

fn events(ics: &str) -> Vec<std::collections::HashMap<String, String>> {
    let unfolded = icalendar::parser::unfold(ics);
    let cal = icalendar::parser::read_calendar(&unfolded).unwrap();
    cal.components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| {
            let mut m: std::collections::HashMap<String, String> = c
                .properties
                .iter()
                .map(|p| (p.name.to_string(), p.val.to_string()))
                .collect();
            m.insert(
                "ALARMS".into(),
                c.components
                    .iter()
                    .filter(|a| a.name == "VALARM")
                    .count()
                    .to_string(),
            );
            m
        })
        .collect()
}

/// A search of the API with a token.
async fn search(app: &TestApp, token: &str, q: &str) -> reqwest::Response {
    get_as(app, token, &format!("/api/v1/search?q={q}")).await
}

#[tokio::test]
async fn the_secretary_subscribes_and_rotation_closes_the_old_address() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let (status, html) = page(&s, &app, "/calendar").await;
    assert_eq!(status, 200);
    assert!(html.contains("生成订阅地址"));

    let made = submit(&s, &app, "/calendar", &[]).await;
    assert_eq!(made.status(), 200);
    let html = made.text().await.unwrap();
    assert!(html.contains("只显示这一次"));
    let first = feed_path(&html);
    assert!(
        first.starts_with("/calendar/zcal_") && first.ends_with(".ics"),
        "{first}"
    );

    // No session needed: the address is the credential.
    let resp = get_anonymous(&app, &first).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/calendar; charset=utf-8"
    );
    let ics = resp.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line}", line.len());
    }
    assert!(ics.contains("X-WR-CALNAME:李明华的责任清单"));
    let evs = events(&ics);
    assert!(!evs.is_empty());
    // 李明华 holds the secretary post from 1 July: nothing of this year falls due before it.
    for e in &evs {
        let start = &e["DTSTART"];
        assert_eq!(start.len(), 8, "all-day DATE value: {start}");
        assert!(start.as_str() >= "20260701", "{e:?}");
        assert!(e["UID"].starts_with("obligation-") && e["UID"].ends_with("@zeren"));
        assert!(e["DESCRIPTION"].contains("重大材料委〔2021〕6号"));
    }
    let study = evs
        .iter()
        .find(|e| e["SUMMARY"].contains("党委会年度专题研究网络意识形态工作"))
        .expect("the annual dedicated study is the secretary's");
    assert!(
        study["DESCRIPTION"].contains("第四条第（二）项"),
        "{study:?}"
    );
    assert!(study["DESCRIPTION"].contains("状态："), "{study:?}");
    assert!(ics.contains("DTSTART;VALUE=DATE:"));
    // Open obligations still ahead carry the 7-day and 1-day alarms.
    assert!(evs.iter().any(|e| e["ALARMS"] == "2"));
    assert!(ics.contains("TRIGGER:-P7D") && ics.contains("TRIGGER:-P1D"));
    // Next year's obligations too.
    assert!(evs.iter().any(|e| e["DTSTART"].starts_with("2027")));
    // UIDs are stable across fetches.
    let again = events(&get_anonymous(&app, &first).await.text().await.unwrap());
    let uids = |v: &[std::collections::HashMap<String, String>]| {
        v.iter().map(|e| e["UID"].clone()).collect::<Vec<_>>()
    };
    assert_eq!(uids(&evs), uids(&again));

    // The page now says when it was made (the address itself is not shown again).
    let status = page(&s, &app, "/calendar").await.1;
    assert!(status.contains("订阅地址已于"));
    assert!(!status.contains(&first));

    // Rotating closes the old address.
    let html = submit(&s, &app, "/calendar", &[])
        .await
        .text()
        .await
        .unwrap();
    let second = feed_path(&html);
    assert_ne!(first, second);
    assert_eq!(get_anonymous(&app, &first).await.status(), 404);
    assert_eq!(get_anonymous(&app, &second).await.status(), 200);

    // And through the API.
    let token = app.token("secretary").await;
    let r = send_as(&app, &token, "POST", "/api/v1/calendar/token", None).await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let url = body["url"].as_str().unwrap();
    assert!(body["webcal"].as_str().unwrap().starts_with("webcal://"));
    let third = format!(
        "/{}",
        url.split_once("//").unwrap().1.split_once('/').unwrap().1
    );
    assert_eq!(get_anonymous(&app, &second).await.status(), 404);
    assert_eq!(get_anonymous(&app, &third).await.status(), 200);

    // Unknown or malformed addresses.
    for p in [
        "/calendar/zcal_nothing.ics",
        "/calendar/.ics",
        "/calendar/abc",
    ] {
        assert_eq!(get_anonymous(&app, p).await.status(), 404, "{p}");
    }
    let no_ics = third.trim_end_matches(".ics");
    assert_eq!(get_anonymous(&app, no_ics).await.status(), 404);

    // Rotations are audited, without the secret.
    let audit = app.db.audit_page(0, 100_000).await.unwrap();
    let rotations: Vec<_> = audit
        .iter()
        .filter(|e| e.object_type == "calendar_token")
        .collect();
    assert_eq!(rotations.len(), 3);
    assert!(rotations.iter().all(|e| e.actor == "secretary"));
    let secret = third
        .trim_start_matches("/calendar/zcal_")
        .trim_end_matches(".ics");
    assert!(
        !audit
            .iter()
            .any(|e| e.after.as_deref().is_some_and(|a| a.contains(secret)))
    );

    // Administrators have no feed.
    let admin = app.sign_in("sysadmin", PASSWORD).await;
    assert_eq!(page(&admin, &app, "/calendar").await.0, 403);
    app.finish().await;
}

#[tokio::test]
async fn search_finds_two_and_six_character_words_within_scope_on_both_engines() {
    for app in TestApp::demo_on_engines().await {
        eprintln!("engine: {}", app.label);
        let secretary = app.token("secretary").await;
        let supervisor = app.token("supervisor").await;
        // 研判: two characters, the LIKE path.
        let r = search(&app, &secretary, "研判").await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["mode"], "like");
        assert!(v["total"].as_i64().unwrap() > 0);
        for hit in v["results"].as_array().unwrap() {
            assert!(
                hit["org"]["code"].as_str().unwrap().starts_with("cqu-mse"),
                "{hit}"
            );
            assert!(hit["title"].as_str().unwrap().contains("研判"), "{hit}");
        }

        // 网络意识形态: the trigram path.
        let v: Value = search(&app, &secretary, "网络意识形态")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["mode"], "trigram");
        assert!(v["total"].as_i64().unwrap() > 0);
        assert_eq!(v["per_page"], 20);
        assert!(
            v["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["org"]["code"].as_str().unwrap().starts_with("cqu-mse"))
        );
        // Pages of 20 (the supervisor reads every college).
        let all: Value = search(&app, &supervisor, "网络意识形态")
            .await
            .json()
            .await
            .unwrap();
        assert!(all["total"].as_i64().unwrap() > 20, "{}", all["total"]);
        let p2: Value = get_as(&app, &supervisor, "/api/v1/search?q=网络意识形态&page=2")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p2["page"], 2);
        assert_eq!(p2["total"], all["total"]);
        assert_ne!(p2["results"][0]["id"], all["results"][0]["id"]);

        // Nothing outside the scope: the secretary of cqu-mse does not see cqu-cs.
        let v: Value = search(&app, &secretary, "计算机学院")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["total"], 0, "{v}");
        // The supervisor reads across colleges.
        let v: Value = search(&app, &supervisor, "计算机学院")
            .await
            .json()
            .await
            .unwrap();
        assert!(v["total"].as_i64().unwrap() > 0);
        assert!(
            v["results"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["org"]["code"] == "cqu-cs")
        );

        // Bad input names the field; administrators see no business data.
        let r = get_as(&app, &secretary, "/api/v1/search?q=").await;
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "invalid_input");
        assert!(e["error"]["message"].as_str().unwrap().starts_with("q:"));
        let r = get_as(&app, &secretary, "/api/v1/search?q=研判&page=x").await;
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.unwrap();
        assert!(e["error"]["message"].as_str().unwrap().starts_with("page:"));
        let admin = app.token("auditor").await;
        assert_eq!(search(&app, &admin, "研判").await.status(), 403);

        // The page, with the match highlighted.
        let s = app.sign_in("leader", PASSWORD).await;
        let html = page(&s, &app, "/search?q=网络意识形态").await.1;
        assert!(html.contains("<mark>网络意识形态</mark>"), "{html}");
        assert!(html.contains("全文索引"));
        let r = s.client.get(app.url("/search?q=+")).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("请输入要搜索的词"));
        app.finish().await;
    }
}

#[tokio::test]
async fn the_ledger_downloads_as_a_workbook_within_scope() {
    let app = TestApp::demo().await;
    // A committee meeting on record, as the office keeps it.
    let model = app.db.load_model().await.unwrap();
    let pack = app
        .db
        .policy(zeren_core::policy::BUILTIN_PACK_ID)
        .await
        .unwrap()
        .pack;
    let person = |name: &str| model.people().find(|p| p.name == name).unwrap().id.clone();
    let draft = zeren_storage::repo::records::RecordDraft {
        kind: "committee-meeting".into(),
        org: "cqu-mse".into(),
        date: "2026-11-20".into(),
        title: "党委会（第十二次）".into(),
        attendees: vec![person("李明华"), person("赵敏")],
        agenda: vec![zeren_storage::repo::records::AgendaDraft {
            title: "专题研究网络意识形态工作".into(),
            topics: vec!["online-ideology".into()],
        }],
        minutes: "会议分析了近期校园舆情形势。".into(),
        decisions: "印发工作要点。".into(),
        ..Default::default()
    };
    let mut tx = app
        .db
        .begin(&zeren_storage::Actor::cli(), app.clock.now())
        .await
        .unwrap();
    tx.create_record(&draft, &model, &pack, zeren_core::Lang::Zh)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let s = app.sign_in("staff", PASSWORD).await;
    // The record is found, with readable text around the match (not its stored JSON).
    let html = page(&s, &app, "/search?q=舆情形势").await.1;
    assert!(html.contains("<mark>舆情形势</mark>"), "{html}");
    assert!(html.contains("党委会（第十二次）"));
    assert!(!html.contains("\"minutes\""));

    let r = s
        .client
        .get(app.url("/orgs/cqu-mse/ledger.xlsx?year=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains("cqu-mse-2026-ledger.xlsx"),
        "{disposition}"
    );
    // Streamed from the spooled workbook, with its length.
    let length: usize = r.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let bytes = r.bytes().await.unwrap();
    assert_eq!(bytes.len(), length);
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(wb.sheet_names()[..3], ["封面", "责任清单", "党委会"]);
    let ob = wb.worksheet_range("责任清单").unwrap();
    assert_eq!(ob.get((0, 0)), Some(&Data::String("组织".into())));
    assert!(ob.height() > 10);
    assert!(matches!(ob.get((1, 5)), Some(Data::DateTime(_))));
    let meetings = wb.worksheet_range("党委会").unwrap();
    assert_eq!(meetings.height(), 2);
    let row: Vec<String> = (0..meetings.width())
        .map(|c| {
            meetings
                .get((1, c))
                .map(|d| d.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(row[0], "材料科学与工程学院");
    assert!(matches!(meetings.get((1, 1)), Some(Data::DateTime(_))));
    assert_eq!(row[2], "党委会（第十二次）");
    assert!(row[3].contains("专题研究网络意识形态工作"));
    assert_eq!(row[4], "李明华、赵敏");
    assert_eq!(row[5], "2");
    assert_eq!(row[7], "会议分析了近期校园舆情形势。");
    assert_eq!(row[8], "印发工作要点。");

    // Outside the scope: like a missing org. A bad year names the field.
    let r = s
        .client
        .get(app.url("/orgs/cqu-cs/ledger.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = s
        .client
        .get(app.url("/orgs/cqu-mse/ledger.xlsx?year=20x6"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("year"));
    let audit = app.db.audit_page(0, 100_000).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "ledger.export" && e.actor == "staff")
    );
    app.finish().await;
}

#[tokio::test]
async fn the_feed_address_is_shown_once_and_its_secret_is_stored_nowhere() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    let home = page(&s, &app, "/").await.1;
    assert!(home.contains("还没有日历订阅地址"), "{home}");

    // The answer that makes the address shows it, once.
    let made = submit(&s, &app, "/calendar", &[]).await;
    assert_eq!(made.status(), 200);
    let url = feed_path(&made.text().await.unwrap());
    let secret = url
        .trim_start_matches("/calendar/")
        .trim_end_matches(".ics")
        .to_string();
    assert!(secret.starts_with("zcal_") && secret.len() > 40, "{secret}");
    let body = &secret["zcal_".len()..];

    // The database holds no copy of it: not the token table, not the audit log, no table.
    for (table, rows) in app.db.dump().await.unwrap() {
        for row in rows {
            assert!(
                !row.iter()
                    .any(|v| v.as_str().is_some_and(|t| t.contains(body))),
                "the feed secret is stored in clear in {table}: {row:?}"
            );
        }
    }

    // Later pages say a feed exists, when it was made and read, and offer a new one; they
    // never show the address again.
    let home = page(&s, &app, "/").await.1;
    assert!(home.contains("订阅地址已于"), "{home}");
    assert!(home.contains("尚未有日历读取过"), "{home}");
    assert!(home.contains("重新生成订阅地址"), "{home}");
    assert!(!home.contains(body), "the home page shows the feed address");
    let me: Value = s
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["calendar_feed"]["active"], true, "{me}");
    assert!(me["calendar_feed"]["created_at"].is_string(), "{me}");
    assert!(!me.to_string().contains(body), "{me}");
    let calendar = page(&s, &app, "/calendar").await.1;
    assert!(calendar.contains("订阅地址已于"));
    assert!(!calendar.contains(body));

    // The address works until it is rotated, and the pages then say when it was read.
    let feed = get_anonymous(&app, &url).await;
    assert_eq!(feed.status(), 200);
    assert!(feed.text().await.unwrap().starts_with("BEGIN:VCALENDAR"));
    let home = page(&s, &app, "/").await.1;
    assert!(home.contains("日历最近一次读取"), "{home}");
    assert!(!home.contains(body));

    // The home page's button makes a new address (shown once) and closes the old one.
    let csrf = hidden(&home, "csrf");
    let rotated = s
        .client
        .post(app.url("/calendar"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status(), 200);
    let second = feed_path(&rotated.text().await.unwrap());
    assert_ne!(second, url);
    assert_eq!(get_anonymous(&app, &url).await.status(), 404);
    assert_eq!(get_anonymous(&app, &second).await.status(), 200);
    app.finish().await;
}
