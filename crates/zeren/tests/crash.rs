//! Durability (issue 11, point 4): `zeren serve` is killed with SIGKILL at a random moment while
//! several writers post people and training records over HTTP, twenty times over, on SQLite
//! and (when `ZEREN_TEST_POSTGRES` is set) on PostgreSQL. After every kill the audit chain must
//! verify; after every restart each write that was acknowledged with a 2xx must be there, with
//! its audit entry, and nothing may be half-written.
//!
//! The kill moments come from a seeded generator; the seed is printed, and
//! `ZEREN_TEST_SEED=<seed>` replays them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod process;

use process::{
    DEMO_DAY, Rng, Server, audit_verify, column, count, demo, get_json, http, tmpdir, token,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zeren_storage::testing::{self, TestDb};

/// Crash cycles per engine.
const CYCLES: usize = 20;
/// Concurrent writers.
const WRITERS: usize = 4;
/// The kill comes this many milliseconds into the load (inclusive range).
const KILL_AFTER_MS: (u64, u64) = (100, 1500);
/// Every person's name starts so; nothing else in the demo does.
const PREFIX: &str = "崩溃测试";

/// One write the server acknowledged with a 2xx.
#[derive(Debug, Clone)]
enum Ack {
    Person { id: String, name: String },
    Record { id: String, title: String },
}

/// What the writers of one cycle saw.
#[derive(Debug, Default)]
struct Outcome {
    acks: Vec<Ack>,
    /// Answers other than 2xx, by status (a real answer, before the kill: a defect).
    refused: BTreeMap<u16, usize>,
    /// Requests cut off (connection refused or reset): expected once the server is killed.
    cut: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let (_, seed) = Rng::from_env_or_fresh();
    eprintln!("crash: seed {seed} (replay the kill moments with ZEREN_TEST_SEED={seed})");
    let mut engines: Vec<TestDb> = vec![testing::sqlite().await.unwrap()];
    match testing::postgres().await {
        Some(pg) => engines.push(pg),
        None => process::postgres_skipped(),
    }
    for t in engines {
        let started = Instant::now();
        crash_cycles(&t, seed).await;
        eprintln!(
            "crash [{}]: done in {:.1} s",
            t.label,
            started.elapsed().as_secs_f64()
        );
        t.finish().await;
    }
}

async fn crash_cycles(t: &TestDb, seed: u64) {
    // Each engine replays the same kill moments.
    let mut rng = Rng::from_seed(seed);
    let dir = tmpdir("crash");
    let url = t.url.as_str();
    demo(&dir, url);
    let secretary = token(&dir, url, "secretary");
    let client = http();
    let mut acked: Vec<Ack> = Vec::new();
    let mut attendees: Vec<String> = Vec::new();
    let (mut total_cut, mut total_refused) = (0, 0);
    for cycle in 0..=CYCLES {
        let mut server = Server::start(&dir, url, DEMO_DAY, &format!("serve-{cycle}"));
        server.ready(&client).await;
        if cycle == 0 {
            attendees = demo_people(&client, &server, &secretary).await;
        }
        check_after_restart(t, &client, &server, &secretary, &acked, cycle).await;
        if cycle == CYCLES {
            // The last start only checks what the last kill left.
            server.kill();
            break;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let outcome = Arc::new(Mutex::new(Outcome::default()));
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let (client, base, secretary, attendees) = (
                client.clone(),
                server.base.clone(),
                secretary.clone(),
                attendees.clone(),
            );
            let (stop, outcome, label) = (stop.clone(), outcome.clone(), t.label);
            writers.push(tokio::spawn(async move {
                let mut n = 0usize;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    // Every third write is a training record, the rest are people.
                    let (path, body, name) = if n.is_multiple_of(3) {
                        let title = format!("{PREFIX}培训-{label}-{cycle}-{w}-{n}");
                        let body = json!({
                            "kind": "training-session", "org": "cqu-mse", "date": "2026-11-20",
                            "title": title, "trainer": "校党委宣传部",
                            "attendees": attendees, "hours": 1.5,
                        });
                        ("/api/v1/records", body, title)
                    } else {
                        let name = format!("{PREFIX}-{label}-{cycle}-{w}-{n}");
                        (
                            "/api/v1/people",
                            json!({"name": name, "org": "cqu-mse"}),
                            name,
                        )
                    };
                    let sent = client
                        .post(format!("{base}{path}"))
                        .bearer_auth(&secretary)
                        .json(&body)
                        .send()
                        .await;
                    let resp = match sent {
                        Ok(r) => r,
                        Err(_) => {
                            outcome.lock().unwrap().cut += 1;
                            // Killed: nothing listens any more.
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            continue;
                        }
                    };
                    let status = resp.status();
                    // Acknowledged means the whole answer arrived: a body cut off by the kill
                    // acknowledges nothing.
                    let Ok(answer) = resp.json::<Value>().await else {
                        outcome.lock().unwrap().cut += 1;
                        continue;
                    };
                    let mut o = outcome.lock().unwrap();
                    if !status.is_success() {
                        *o.refused.entry(status.as_u16()).or_default() += 1;
                        eprintln!("crash: {path} answered {status}: {answer}");
                        continue;
                    }
                    let id = answer["id"].as_str().expect("an id").to_string();
                    o.acks.push(if path == "/api/v1/people" {
                        Ack::Person { id, name }
                    } else {
                        Ack::Record { id, title: name }
                    });
                }
            }));
        }
        let kill_after = rng.between(KILL_AFTER_MS.0, KILL_AFTER_MS.1);
        tokio::time::sleep(Duration::from_millis(kill_after)).await;
        server.kill();
        stop.store(true, Ordering::SeqCst);
        for w in writers {
            w.await.unwrap();
        }
        let o = std::mem::take(&mut *outcome.lock().unwrap());
        eprintln!(
            "crash [{}] cycle {cycle}: killed after {kill_after} ms; {} writes acknowledged, {} cut off, refused {:?}",
            t.label,
            o.acks.len(),
            o.cut,
            o.refused
        );
        total_cut += o.cut;
        total_refused += o.refused.values().sum::<usize>();
        acked.extend(o.acks);
        // The database as the kill left it: the chain holds.
        audit_verify(&dir, url, &format!("after kill {cycle}"));
    }
    let people = acked
        .iter()
        .filter(|a| matches!(a, Ack::Person { .. }))
        .count();
    eprintln!(
        "crash [{}]: {CYCLES} SIGKILLs under {WRITERS} writers; {} writes acknowledged ({people} people, {} records), all present after restart; {total_cut} requests cut off by the kills",
        t.label,
        acked.len(),
        acked.len() - people
    );
    assert_eq!(
        total_refused, 0,
        "the server refused writes before it was killed"
    );
    assert!(
        acked.len() >= CYCLES,
        "too few writes acknowledged to say anything"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Ids of two people of cqu-mse (the attendees of the training records).
async fn demo_people(client: &reqwest::Client, server: &Server, token: &str) -> Vec<String> {
    let (_, page) = get_json(client, server, token, "/api/v1/people?org=cqu-mse").await;
    let ids: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2, "{page}");
    ids
}

/// Every acknowledged write is there, whole; nothing is there half-written.
async fn check_after_restart(
    t: &TestDb,
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    acked: &[Ack],
    cycle: usize,
) {
    let db = &t.db;
    let like = format!("'{PREFIX}%'");
    // People: id|name of every test person stored.
    let stored: HashMap<String, String> = column(
        db,
        &format!("SELECT id || '|' || name FROM people WHERE name LIKE {like}"),
    )
    .await
    .into_iter()
    .map(|s| {
        let (id, name) = s.split_once('|').unwrap();
        (id.to_string(), name.to_string())
    })
    .collect();
    let records: HashMap<String, String> = column(
        db,
        &format!("SELECT id || '|' || title FROM records WHERE title LIKE {like}"),
    )
    .await
    .into_iter()
    .map(|s| {
        let (id, title) = s.split_once('|').unwrap();
        (id.to_string(), title.to_string())
    })
    .collect();
    for a in acked {
        match a {
            Ack::Person { id, name } => assert_eq!(
                stored.get(id),
                Some(name),
                "[{}] acknowledged person {name} ({id}) lost by restart {cycle}",
                t.label
            ),
            Ack::Record { id, title } => assert_eq!(
                records.get(id),
                Some(title),
                "[{}] acknowledged record {title} ({id}) lost by restart {cycle}",
                t.label
            ),
        }
    }
    // Nothing half-written: each stored object has its audit entry and each creation entry its
    // object; each record its first version.
    for (table, object_type, action) in [
        ("people", "person", "person.create"),
        ("records", "record", "record.create"),
    ] {
        let field = if table == "people" { "name" } else { "title" };
        let orphans = column(
            db,
            &format!(
                "SELECT o.id FROM {table} o WHERE o.{field} LIKE {like} AND NOT EXISTS \
                 (SELECT 1 FROM audit_log a WHERE a.object_type = '{object_type}' \
                  AND a.object_id = o.id AND a.action = '{action}')"
            ),
        )
        .await;
        assert!(
            orphans.is_empty(),
            "[{}] {table} without their audit entry after restart {cycle}: {orphans:?}",
            t.label
        );
        let ghosts = column(
            db,
            &format!(
                "SELECT a.object_id FROM audit_log a WHERE a.action = '{action}' AND NOT EXISTS \
                 (SELECT 1 FROM {table} o WHERE o.id = a.object_id)"
            ),
        )
        .await;
        assert!(
            ghosts.is_empty(),
            "[{}] audit entries {action} of missing {table} after restart {cycle}: {ghosts:?}",
            t.label
        );
    }
    let unversioned = column(
        db,
        &format!(
            "SELECT r.id FROM records r WHERE r.title LIKE {like} AND NOT EXISTS \
             (SELECT 1 FROM record_versions v WHERE v.record_id = r.id)"
        ),
    )
    .await;
    assert!(
        unversioned.is_empty(),
        "[{}] records without a version: {unversioned:?}",
        t.label
    );
    // The restarted server sees exactly what is stored: the people list answers and parses.
    let (status, page) = get_json(
        client,
        server,
        token,
        &format!("/api/v1/people?org=cqu-mse&q={PREFIX}"),
    )
    .await;
    assert_eq!(status, 200, "[{}] people list", t.label);
    assert_eq!(
        page["total"].as_u64(),
        Some(stored.len() as u64),
        "[{}] the list after restart {cycle} disagrees with the database",
        t.label
    );
    let stored_records = count(
        db,
        &format!("SELECT CAST(COUNT(*) AS TEXT) FROM records WHERE title LIKE {like}"),
    )
    .await;
    assert_eq!(stored_records as usize, records.len());
    // The records acknowledged in the last cycle open through the API.
    let last: HashSet<&str> = acked
        .iter()
        .rev()
        .filter_map(|a| match a {
            Ack::Record { id, .. } => Some(id.as_str()),
            Ack::Person { .. } => None,
        })
        .take(10)
        .collect();
    for id in last {
        let (status, r) = get_json(client, server, token, &format!("/api/v1/records/{id}")).await;
        assert_eq!(status, 200, "[{}] record {id}", t.label);
        assert_eq!(r["id"].as_str(), Some(id), "{r}");
    }
}
