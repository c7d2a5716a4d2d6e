//! The snapshot of the org model follows the database without making readers wait
//! (`zeren_web::shared::snapshot`).

use crate::common::*;
use serde_json::Value;
use std::time::{Duration, Instant};
use zeren_core::clock::Clock;
use zeren_storage::Actor;

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

/// The secretary's post of cqu-mse and the id of 赵敏, who takes it over.
async fn post_and_successor(app: &TestApp) -> (String, String) {
    let model = app.db.load_model().await.unwrap();
    let org = model.find_org("cqu-mse").unwrap();
    let post = model
        .posts_of(&org.id)
        .find(|p| p.kind == "secretary")
        .unwrap()
        .id
        .clone();
    let successor = model
        .people()
        .iter()
        .find(|p| p.name == "赵敏")
        .unwrap()
        .id
        .clone();
    (post, successor)
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
    let (post, successor) = post_and_successor(&app).await;

    // Another instance hands the post over.
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.handover(
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
