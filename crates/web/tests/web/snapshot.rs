//! The snapshot of the org model follows the database without making readers wait
//! (`zeren_web::shared::snapshot`).

use crate::common::*;
use serde_json::Value;
use std::time::{Duration, Instant};
use zeren_core::access::Role;
use zeren_core::clock::Clock;
use zeren_core::policy::BUILTIN_PACK_ID;
use zeren_core::vocab::{OrgKind, PlatformKind};
use zeren_storage::{Actor, NewOrg, NewPlatform};
use zeren_web::shared::snapshot::Snapshot;

/// Who answers for the annual dedicated study of cqu-mse on 2026-11-20, as `token` asks it.
async fn responsible(app: &TestApp, token: &str) -> String {
    let v: Value = api_ok(
        app,
        token,
        "/api/v1/responsibility?org=cqu-mse&duty=annual-dedicated-study&at=2026-11-20",
    )
    .await;
    v["person"]["name"].as_str().unwrap_or_default().to_string()
}

/// As `zeren serve` runs (reads kept for a second): a change made beside this server (by another
/// instance; here a transaction on the database) is not waited for — the next read answers at
/// once from the snapshot it has and sets a load going, and a read a moment later sees the
/// change. A change made through this server is seen by the next read of anyone, at once.
#[tokio::test]
async fn readers_never_wait_for_a_load_and_a_change_made_here_is_seen_at_once() {
    let app = TestApp::demo_cached(Duration::from_secs(1)).await;
    let reader = app.token("supervisor").await;
    // 赵敏, who holds the secretary's post after the first handover.
    let writer = app.token("leader").await;
    assert_eq!(responsible(&app, &reader).await, "李明华");
    let post = app.post_id("cqu-mse", "secretary").await;
    let successor = app.person_id("赵敏").await;

    // Another instance hands the post over.
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.handover(
        &zeren_core::policy::builtin_pack().unwrap(),
        &post,
        &successor,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // The reader's kept credential carries the generation it read: until it expires (a
    // second), the reader goes on with the snapshot it has — other instances' changes are seen
    // within the ttl. After that, the first read answers from the old snapshot without waiting
    // for the load it starts …
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        responsible(&app, &reader).await,
        "李明华",
        "a reader never waits for a load"
    );
    // … and the load is swapped in behind it.
    let start = Instant::now();
    loop {
        if responsible(&app, &reader).await == "赵敏" {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the loaded snapshot was never swapped in"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // 赵敏 hands it back through this server: the next read of another account sees it at once.
    let first = app.person_id("李明华").await;
    let resp = send_as(
        &app,
        &writer,
        "POST",
        &format!("/api/v1/posts/{post}/handover"),
        Some(&serde_json::json!({"person": first, "on": "2026-11-18"})),
    )
    .await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    assert_eq!(responsible(&app, &reader).await, "李明华");
    app.finish().await;
}

/// Reads running while the model is changed over and over never fail and always answer from a
/// whole snapshot: the figures of one answer agree with each other.
#[tokio::test]
async fn reads_beside_a_stream_of_changes_always_answer() {
    let app = TestApp::demo_cached(Duration::from_secs(1)).await;
    let reader = app.token("supervisor").await;
    let writer = app.token("secretary").await;
    let mse = app.org_id("cqu-mse").await;
    let reads = {
        let (base, reader) = (app.url(""), reader.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut answered = 0;
            for _ in 0..200 {
                let resp = client
                    .get(format!("{base}/api/v1/orgs/cqu-mse"))
                    .bearer_auth(&reader)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200);
                answered += 1;
            }
            answered
        })
    };
    for i in 0..20 {
        let resp = send_as(
            &app,
            &writer,
            "POST",
            "/api/v1/people",
            Some(&serde_json::json!({"name": format!("新同事{i}"), "org": mse})),
        )
        .await;
        assert!(resp.status().is_success(), "{}", resp.status());
    }
    assert_eq!(reads.await.unwrap(), 200);
    // Every one of the twenty is in the model the next read answers from.
    let people = api_ok(&app, &reader, "/api/v1/people?org=cqu-mse&q=新同事").await;
    for i in 0..20 {
        assert!(
            people.to_string().contains(&format!("新同事{i}")),
            "新同事{i} missing: {people}"
        );
    }
    app.finish().await;
}

/// The two snapshots agree on everything a check or a page reads.
fn assert_same(brought: &Snapshot, whole: &Snapshot, step: &str) {
    assert_eq!(brought.generation, whole.generation, "{step}: generation");
    assert_eq!(brought.position, whole.position, "{step}: position");
    let (a, b) = (&brought.model, &whole.model);
    assert_eq!(a.orgs(), b.orgs(), "{step}: orgs");
    assert!(a.people().eq(b.people()), "{step}: people");
    assert_eq!(a.posts(), b.posts(), "{step}: posts");
    assert_eq!(a.holdings(), b.holdings(), "{step}: holdings");
    assert_eq!(a.platforms(), b.platforms(), "{step}: platforms");
    for o in b.orgs() {
        let kids = |m: &zeren_core::org::OrgModel| {
            m.children(&o.id).map(|c| c.id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(kids(a), kids(b), "{step}: children of {}", o.code);
        let posts = |m: &zeren_core::org::OrgModel| {
            m.posts_of(&o.id).map(|p| p.id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(posts(a), posts(b), "{step}: posts of {}", o.code);
    }
    assert_eq!(
        brought.org_versions, whole.org_versions,
        "{step}: org versions"
    );
    assert_eq!(
        format!("{:?}", brought.grants),
        format!("{:?}", whole.grants),
        "{step}: grants"
    );
    assert_eq!(
        format!("{:?}", brought.security),
        format!("{:?}", whole.security),
        "{step}: security policy"
    );
    assert_eq!(
        brought.pack.meta.id, whole.pack.meta.id,
        "{step}: pack in force"
    );
    assert_eq!(
        brought.policies.len(),
        whole.policies.len(),
        "{step}: policies"
    );
}

/// A snapshot brought up to date by reading only what changed is the snapshot a whole load
/// gives, after every kind of change to the model — orgs, people, posts, holdings, platforms,
/// grants, the security policy — one at a time and several at once, on both engines; and an
/// audit chain that no longer holds the snapshot's position (a restore) makes a whole load.
#[tokio::test]
async fn a_snapshot_brought_up_to_date_is_the_snapshot_a_whole_load_gives() {
    for app in TestApp::demo_on_engines().await {
        let db = &app.db;
        let today = date(TODAY);
        let now = app.clock.now();
        let pack = db.policy(BUILTIN_PACK_ID).await.unwrap().pack;
        let mut snap = Snapshot::load(db, today).await.unwrap();
        let mse = app.org_id("cqu-mse").await;
        let zhao = app.person_id("赵敏").await;

        // A new person, then an org and its branch secretary's post, held by them.
        let name = "person";
        let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
        let person = tx
            .create_person(zeren_storage::NewPerson::new("孙新", &mse))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let brought = snap.after(db, today).await.unwrap();
        assert_same(&brought, &Snapshot::load(db, today).await.unwrap(), name);
        snap = brought;

        let name = "org, post, holding, platform in one change";
        let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
        let branch = tx
            .create_org(NewOrg {
                code: "cqu-mse-b9".into(),
                name: "第九党支部".into(),
                kind: OrgKind::Branch,
                parent: Some(mse.clone()),
                established_on: Some(date("2026-09-01")),
            })
            .await
            .unwrap();
        let post = tx
            .create_post(&pack, &branch.id, "branch-secretary", "第九党支部书记", &[])
            .await
            .unwrap();
        tx.add_holding(&pack, &post.id, &person.id, date("2026-09-01"), None)
            .await
            .unwrap();
        tx.create_platform(
            &pack,
            NewPlatform {
                code: "mse-b9-wechat".into(),
                name: "第九党支部公众号".into(),
                kind: PlatformKind::WechatOfficial,
                org: branch.id.clone(),
                portfolio: None,
                news_function: true,
                opened_on: date("2026-09-10"),
                operators: vec![person.id.clone(), zhao.clone()],
                state: zeren_core::vocab::PlatformState::Active,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let brought = snap.after(db, today).await.unwrap();
        assert_same(&brought, &Snapshot::load(db, today).await.unwrap(), name);
        assert!(brought.model.find_org("cqu-mse-b9").is_some());
        snap = brought;

        let name = "org renamed and closed; post handed over";
        let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
        tx.update_org(
            &branch.id,
            1,
            zeren_storage::OrgEdit {
                name: Some("第九党支部（合并）".into()),
                closed_on: Some(Some(date("2026-11-27"))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tx.handover(
            &zeren_core::policy::builtin_pack().unwrap(),
            &post.id,
            &zhao,
            date("2026-11-01"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let brought = snap.after(db, today).await.unwrap();
        assert_same(&brought, &Snapshot::load(db, today).await.unwrap(), name);
        snap = brought;

        let name = "grant and security policy";
        let staff = db.user_by_username("staff").await.unwrap().unwrap();
        let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
        tx.grant(&staff, Role::Branch, "cqu-mse-b9", "test")
            .await
            .unwrap();
        let mut security = snap.security.clone();
        security.login.max_failures += 1;
        let version = db
            .setting::<zeren_core::access::SecurityPolicy>("security")
            .await
            .unwrap()
            .map(|(_, v)| v)
            .unwrap_or(0);
        tx.put_setting("security", &security, version)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let brought = snap.after(db, today).await.unwrap();
        assert_same(&brought, &Snapshot::load(db, today).await.unwrap(), name);
        assert_eq!(
            brought.security.login.max_failures,
            security.login.max_failures
        );
        snap = brought;

        // Nothing changed: the same model, shared.
        let again = snap.after(db, today).await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&again.model, &snap.model));
        assert_same(&again, &Snapshot::load(db, today).await.unwrap(), "nothing");

        // A chain that no longer holds the position (as after a restore): a whole load.
        let mut stranger = again;
        stranger.position.hash = "0".repeat(64);
        let reloaded = stranger.after(db, today).await.unwrap();
        assert!(!std::sync::Arc::ptr_eq(&reloaded.model, &stranger.model));
        assert_same(
            &reloaded,
            &Snapshot::load(db, today).await.unwrap(),
            "restored",
        );
        app.finish().await;
    }
}

/// cqu-mse's dashboard of 2026 as the supervisor reads it: (total, overdue), both counted from
/// the ledger.
async fn figures(app: &TestApp, token: &str) -> (i64, i64) {
    let d = api_ok(app, token, "/api/v1/dashboard?org=cqu-mse&year=2026").await;
    (d["total"].as_i64().unwrap(), d["overdue"].as_i64().unwrap())
}

/// Another instance (a transaction on the database) marks `items` (list items) done on
/// 2026-11-20; returns once this server's reads kept (for a second) have run out.
async fn done_beside(app: &TestApp, items: &[&Value]) {
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    for it in items {
        tx.complete_obligation(
            it["id"].as_str().unwrap(),
            it["version"].as_i64().unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            "另一实例登记",
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

/// The counted ledger (the figures of dashboards) follows the database as the snapshot does: a
/// change beside this server is seen within the ttl without a reader waiting for the count —
/// a read answers from the older count while the new one runs, and the new one is swapped in
/// behind it — and a change made through this server is counted before its answer, so the next
/// read of anyone sees it.
#[tokio::test]
async fn counted_ledgers_follow_changes_without_keeping_readers_waiting() {
    let app = TestApp::demo_cached(Duration::from_secs(1)).await;
    let reader = app.token("supervisor").await;
    let writer = app.token("secretary").await;
    let (total, overdue) = figures(&app, &reader).await;
    assert!(overdue > 0, "the demo has overdue obligations in cqu-mse");
    let open = api_ok(
        &app,
        &reader,
        "/api/v1/obligations?org=cqu-mse&year=2026&status=overdue",
    )
    .await;
    let first = &open["items"][0];

    // Another instance marks an overdue obligation done.
    done_beside(&app, &[first]).await;
    let start = Instant::now();
    loop {
        let now = figures(&app, &reader).await;
        if now == (total, overdue - 1) {
            break;
        }
        assert_eq!(now, (total, overdue), "the older count or the new one");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the new count was never swapped in"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Through this server: a directive adds an obligation to cqu-mse; the next read counts it.
    let resp = send_as(
        &app,
        &writer,
        "POST",
        "/api/v1/directives",
        Some(
            &serde_json::json!({"org": "cqu-mse", "issuer": "校党委宣传部",
            "document_number": "党宣〔2026〕13号", "received_on": "2026-11-20",
            "title": "关于开展网络安全检查的通知", "content": "……"}),
        ),
    )
    .await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    assert_eq!(figures(&app, &reader).await, (total + 1, overdue - 1));
    app.finish().await;
}

/// A counted ledger brought up to date after a change is the year counted whole: the orgs whose
/// obligations changed are counted again and put in front of the earlier count, and the
/// roll-ups of the dashboards read before are carried over with those orgs' old counts taken
/// out and their new ones added. Every dashboard read before (the university, two colleges, a
/// year and the one before) answers, once it caught up, what an instance that keeps nothing
/// answers; the ones made changed (a done one moves from overdue to done, in its month).
#[tokio::test]
async fn a_ledger_brought_up_to_date_by_org_is_the_year_counted_whole() {
    let app = TestApp::demo_cached(Duration::from_secs(1)).await;
    let fresh = app.uncached_beside().await;
    let reader = app.token("supervisor").await;
    let overdue = api_ok(
        &app,
        &reader,
        "/api/v1/obligations?org=cqu&year=2026&status=overdue",
    )
    .await;
    // Overdue obligations of three orgs, one each.
    let mut picked: Vec<&Value> = Vec::new();
    for it in overdue["items"].as_array().unwrap() {
        if !picked.iter().any(|p| p["org"]["code"] == it["org"]["code"]) {
            picked.push(it);
        }
    }
    assert!(
        picked.len() >= 2,
        "overdue obligations in several orgs: {overdue}"
    );
    let mut colleges: Vec<String> = picked
        .iter()
        .map(|p| p["org"]["code"].as_str().unwrap().to_string())
        .filter(|c| c != "cqu")
        .collect();
    colleges.push("cqu-mse".into());
    let mut dashboards = vec!["/api/v1/dashboard?org=cqu&year=2026".to_string()];
    for c in &colleges {
        dashboards.push(format!("/api/v1/dashboard?org={c}&year=2026"));
    }
    dashboards.push("/api/v1/dashboard?org=cqu&year=2025".into());
    let mut before = Vec::new();
    for d in &dashboards {
        before.push(api_ok(&app, &reader, d).await);
    }

    // Another instance marks them done.
    done_beside(&app, &picked).await;
    let start = Instant::now();
    for (d, was) in dashboards.iter().zip(&before) {
        let want = api_ok(&fresh, &reader, d).await;
        loop {
            let now = api_ok(&app, &reader, d).await;
            if now == want {
                break;
            }
            // The list of overdue ones follows the rows of the year, kept apart.
            let figures = |v: &Value| {
                let mut v = v.clone();
                v.as_object_mut().unwrap().remove("overdue_list");
                v
            };
            assert!(
                [figures(was), figures(&want)].contains(&figures(&now)),
                "{d}: neither the older count nor the whole one: {now}"
            );
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{d}: never caught up with the whole count"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let root = api_ok(&app, &reader, &dashboards[0]).await;
    assert_eq!(
        root["overdue"].as_i64().unwrap(),
        before[0]["overdue"].as_i64().unwrap() - picked.len() as i64
    );
    assert_eq!(
        root["done"].as_i64().unwrap(),
        before[0]["done"].as_i64().unwrap() + picked.len() as i64
    );
    fresh.finish().await;
    app.finish().await;
}
