//! Two `zeren serve` instances on one PostgreSQL database (issue 11, point 4), under a little
//! concurrent load, against a third instance alone on a twin database as the reference:
//! (a) the reminders of a day are planned once although both instances start the planner;
//! (b) a session signed in on one instance is good on the other, and a sign-out on either
//!     ends it on both;
//! (c) two edits of one org with the same version, one through each instance: one succeeds,
//!     the other answers 409, and the winner's edit is what is stored;
//! (d) both instances start the obligation sync of a new year at once: no obligation twice,
//!     and exactly what one instance alone makes.
//!
//! PostgreSQL only: skipped with the usual note when `ZEREN_TEST_POSTGRES` is unset.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod process;

use process::{
    DEMO_PASSWORD, Server, audit_verify, column, count, demo, get_json, http, postgres_skipped,
    tmpdir, token,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zeren_storage::testing;
use zeren_storage::{Actor, Db};

/// The instances run on this day: in December, so the sync brings next year's obligations in
/// (a year nobody generated yet), and the planner owes reminders for this year's.
const SERVE_DAY: &str = "2026-12-05";
const NEXT_YEAR: &str = "2027";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgres_database() {
    let Some(shared) = testing::postgres().await else {
        postgres_skipped();
        return;
    };
    let solo = testing::postgres()
        .await
        .expect("a second PostgreSQL database");
    let started = Instant::now();
    let (dir, solo_dir) = (tmpdir("instances"), tmpdir("instances-solo"));
    let (url, solo_url) = (shared.url.clone(), solo.url.clone());
    // The same demo in both databases.
    std::thread::scope(|s| {
        s.spawn(|| demo(&dir, &url));
        s.spawn(|| demo(&solo_dir, &solo_url));
    });
    // Everyone takes reminders by email too, so the planner queues deliveries (SMTP is not
    // configured: they are retried and fail, nothing leaves the machine).
    email_everyone(&shared.db).await;
    email_everyone(&solo.db).await;
    let secretary = token(&dir, &url, "secretary");
    let client = http();

    // Both instances (sharing the data dir, so the installation key too) and the reference
    // start at the same moment.
    let (mut a, mut b, mut alone) = std::thread::scope(|s| {
        let a = s.spawn(|| Server::start(&dir, &url, SERVE_DAY, "a"));
        let b = s.spawn(|| Server::start(&dir, &url, SERVE_DAY, "b"));
        let alone = s.spawn(|| Server::start(&solo_dir, &solo_url, SERVE_DAY, "alone"));
        (a.join().unwrap(), b.join().unwrap(), alone.join().unwrap())
    });
    a.ready(&client).await;
    b.ready(&client).await;
    alone.ready(&client).await;
    eprintln!(
        "instances: a at {}, b at {}, alone at {}",
        a.base, b.base, alone.base
    );

    // A little load through both instances, all along.
    let load = Load::start(&client, &[&a, &b], &secretary);

    // The start-up work of every instance is done: the day's planner run is finished and the
    // next year is in step (and stays so).
    for (label, db) in [("shared", &shared.db), ("alone", &solo.db)] {
        planner_finished(db, label).await;
        sync_settled(db, label).await;
    }

    reminders_once(&shared.db, &solo.db, [&a, &b]).await;
    obligations_once(&shared.db, &solo.db, [&a, &b]).await;
    sessions_shared(&client, &a, &b).await;
    conflicting_edits(&client, &a, &b, &secretary, &shared.db).await;

    let acked = load.stop().await;
    let stored: std::collections::HashSet<String> = column(
        &shared.db,
        "SELECT id FROM people WHERE name LIKE '并发测试%'",
    )
    .await
    .into_iter()
    .collect();
    for id in &acked {
        assert!(stored.contains(id), "acknowledged person {id} not stored");
    }
    eprintln!(
        "instances: load of {} people acknowledged through both instances, all stored",
        acked.len()
    );
    a.kill();
    b.kill();
    alone.kill();
    audit_verify(&dir, &url, "of the shared database");
    audit_verify(&solo_dir, &solo_url, "of the reference database");
    eprintln!(
        "instances: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    shared.finish().await;
    solo.finish().await;
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(solo_dir);
}

/// Gives every person of the demo an email address for reminders, as `zeren` would from the
/// command line (audited).
async fn email_everyone(db: &Db) {
    let people = column(db, "SELECT id FROM people ORDER BY id").await;
    let now = "2026-11-28T04:00:00Z".parse().unwrap();
    let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
    for (i, id) in people.iter().enumerate() {
        tx.put_person_channels(id, Some(&format!("person{i}@example.edu.cn")), true, 0)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Waits (polling, bounded) until the planner's run of the day is finished.
async fn planner_finished(db: &Db, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let sql = format!(
        "SELECT CAST(COUNT(*) AS TEXT) FROM job_runs WHERE job = 'reminders.plan' \
         AND period = '{SERVE_DAY}' AND finished_at IS NOT NULL"
    );
    while count(db, &sql).await == 0 {
        assert!(
            Instant::now() < deadline,
            "{label}: the planner never finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the next year is noted in step and its obligations stopped changing. The
/// instance that did not write it may still be on its way (it generates in memory before it
/// writes, and then inserts nothing new): its write would land within that time, so the
/// obligations are watched for three quiet seconds.
async fn sync_settled(db: &Db, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let noted =
        format!("SELECT CAST(COUNT(*) AS TEXT) FROM obligation_sync WHERE year = {NEXT_YEAR}");
    while count(db, &noted).await == 0 {
        assert!(
            Instant::now() < deadline,
            "{label}: {NEXT_YEAR} never synced"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let total = "SELECT CAST(COUNT(*) AS TEXT) || '/' || CAST(COALESCE(MAX(updated_at), 0) AS TEXT) \
                 FROM obligations";
    let mut last = column(db, total).await;
    let mut quiet_since = Instant::now();
    while quiet_since.elapsed() < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = column(db, total).await;
        if now != last {
            last = now;
            quiet_since = Instant::now();
        }
        assert!(
            Instant::now() < deadline,
            "{label}: obligations never settled"
        );
    }
}

/// (a) Both instances started the planner for the same day; one run planned, each reminder is
/// recorded once with one notification and at most one delivery per channel and target, and
/// the reminders are the ones a single instance plans.
async fn reminders_once(shared: &Db, solo: &Db, instances: [&Server; 2]) {
    let runs = column(
        shared,
        &format!(
            "SELECT claimed_by FROM job_runs WHERE job = 'reminders.plan' AND period = '{SERVE_DAY}'"
        ),
    )
    .await;
    assert_eq!(runs.len(), 1, "(a) planner runs of {SERVE_DAY}: {runs:?}");
    let reminders = count(
        shared,
        "SELECT CAST(COUNT(*) AS TEXT) FROM notify_reminders",
    )
    .await;
    assert!(reminders > 0, "(a) nothing planned: the story says nothing");
    let twice = column(
        shared,
        "SELECT reminder_key FROM notifications WHERE reminder_key IS NOT NULL \
         GROUP BY reminder_key, person_id HAVING COUNT(*) > 1",
    )
    .await;
    assert!(twice.is_empty(), "(a) notified twice: {twice:?}");
    let notified = count(
        shared,
        "SELECT CAST(COUNT(DISTINCT reminder_key) AS TEXT) FROM notifications",
    )
    .await;
    let notes = count(
        shared,
        "SELECT CAST(COUNT(*) AS TEXT) FROM notifications WHERE reminder_key IS NOT NULL",
    )
    .await;
    assert_eq!(
        (notified, notes),
        (reminders, reminders),
        "(a) each reminder has exactly one notification"
    );
    let deliveries_twice = column(
        shared,
        "SELECT reminder_key FROM notify_outbox GROUP BY reminder_key, channel, target \
         HAVING COUNT(*) > 1",
    )
    .await;
    assert!(
        deliveries_twice.is_empty(),
        "(a) delivered twice: {deliveries_twice:?}"
    );
    let deliveries = count(shared, "SELECT CAST(COUNT(*) AS TEXT) FROM notify_outbox").await;
    assert!(
        deliveries >= reminders,
        "(a) every reminder is also an email"
    );
    // Both senders work the one outbox: no try of a delivery is made twice.
    let tried_twice = column(
        shared,
        "SELECT delivery_id FROM notify_attempts GROUP BY delivery_id, attempt HAVING COUNT(*) > 1",
    )
    .await;
    assert!(tried_twice.is_empty(), "(a) tried twice: {tried_twice:?}");
    // This year's reminders, told apart by what they are about (ids differ between the two
    // databases). Next year's obligations are left out: the planner may run before or after
    // the sync added them.
    let what = "SELECT o.code || '|' || b.duty_id || '|' || b.period || '|' || r.kind || '|' || p.name \
                FROM notify_reminders r JOIN obligations b ON b.id = r.obligation_id \
                JOIN orgs o ON o.id = b.org_id JOIN people p ON p.id = r.person_id \
                WHERE b.year = 2026 ORDER BY 1";
    let (here, there) = (column(shared, what).await, column(solo, what).await);
    assert!(!here.is_empty());
    assert_eq!(
        here, there,
        "(a) two instances planned other reminders than one alone"
    );
    eprintln!(
        "instances (a): both planners started on {SERVE_DAY}, one run (by {}); {reminders} reminders, each with one notification; {deliveries} deliveries, none twice; this year's {} reminders equal a single instance's",
        name_of(&runs[0], instances),
        here.len()
    );
}

/// (d) Both instances synced the next year at once: no obligation twice, the year generated
/// once, and the same obligations, org by org, duty by duty, period by period, as one
/// instance alone made.
async fn obligations_once(shared: &Db, solo: &Db, instances: [&Server; 2]) {
    let twice = column(
        shared,
        "SELECT org_id || '|' || duty_id || '|' || subject_kind || '|' || subject_id || '|' || period \
         FROM obligations GROUP BY org_id, duty_id, subject_kind, subject_id, period \
         HAVING COUNT(*) > 1",
    )
    .await;
    assert!(twice.is_empty(), "(d) obligations twice: {twice:?}");
    let per_key = "SELECT o.code || '|' || b.duty_id || '|' || b.subject_kind || '|' || b.period \
                   || '|' || CAST(COUNT(*) AS TEXT) FROM obligations b JOIN orgs o ON o.id = b.org_id \
                   GROUP BY o.code, b.duty_id, b.subject_kind, b.period ORDER BY 1";
    let (here, there) = (column(shared, per_key).await, column(solo, per_key).await);
    assert_eq!(
        here, there,
        "(d) two instances made other obligations than one"
    );
    let per_year = "SELECT CAST(year AS TEXT) || ':' || CAST(COUNT(*) AS TEXT) FROM obligations GROUP BY year ORDER BY year";
    let (years, solo_years) = (column(shared, per_year).await, column(solo, per_year).await);
    assert_eq!(years, solo_years);
    let next = count(
        shared,
        &format!("SELECT CAST(COUNT(*) AS TEXT) FROM obligations WHERE year = {NEXT_YEAR}"),
    )
    .await;
    assert!(next > 0, "(d) the sync made nothing for {NEXT_YEAR}");
    let generated = count(
        shared,
        &format!(
            "SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE action = 'obligation.generate' \
             AND object_id = '{NEXT_YEAR}'"
        ),
    )
    .await;
    assert_eq!(generated, 1, "(d) {NEXT_YEAR} generated more than once");
    // Which instance wrote them (the one that added any logs it).
    let writers: Vec<&str> = instances
        .iter()
        .filter(|s| {
            std::fs::read_to_string(&s.log)
                .unwrap_or_default()
                .contains("obligations brought in step")
        })
        .map(|s| s.name.as_str())
        .collect();
    eprintln!(
        "instances (d): both instances synced {NEXT_YEAR} at start: {next} obligations, generated once (written by {writers:?}), none twice; per year {years:?} = one instance's"
    );
}

/// The instance whose process id is in a claim (`plan:<pid>:<id>`).
fn name_of(claim: &str, instances: [&Server; 2]) -> String {
    let pid = claim.split(':').nth(1).unwrap_or_default();
    instances
        .iter()
        .find(|s| s.pid.to_string() == pid)
        .map(|s| s.name.clone())
        .unwrap_or_else(|| claim.to_string())
}

/// The value of cookie `name` set by a response, if any.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k.trim() == name && !v.is_empty()).then(|| v.to_string())
        })
}

/// The value of the hidden field `name` of a form.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// `GET /api/v1/me` with a session cookie: the status and the answer.
async fn me(client: &reqwest::Client, server: &Server, session: &str) -> (u16, Value) {
    let resp = client
        .get(server.url("/api/v1/me"))
        .header("cookie", format!("zeren_session={session}"))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// (b) Sign in on A, use the cookie on B, sign out on B: A refuses the cookie.
async fn sessions_shared(client: &reqwest::Client, a: &Server, b: &Server) {
    // Cookies are carried by hand, so nothing but the session cookie goes from A to B.
    let form = client.get(a.url("/login")).send().await.unwrap();
    let pre = set_cookie(&form, "zeren_pre").expect("a pre-session cookie");
    let csrf = hidden(&form.text().await.unwrap(), "csrf");
    assert!(!csrf.is_empty(), "(b) the sign-in form has a CSRF token");
    let resp = client
        .post(a.url("/login"))
        .header("cookie", format!("zeren_pre={pre}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "secretary"),
            ("password", DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "(b) sign-in on A");
    let session = set_cookie(&resp, "zeren_session").expect("a session cookie");
    let (status, on_a) = me(client, a, &session).await;
    assert_eq!(
        (status, on_a["username"].as_str()),
        (200, Some("secretary"))
    );
    let (status, on_b) = me(client, b, &session).await;
    assert_eq!(
        (status, on_b["username"].as_str()),
        (200, Some("secretary")),
        "(b) the session of A is not good on B: {on_b}"
    );
    let csrf = on_b["csrf"].as_str().unwrap().to_string();
    let resp = client
        .post(b.url("/logout"))
        .header("cookie", format!("zeren_session={session}"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "(b) sign-out on B");
    assert_eq!(
        me(client, b, &session).await.0,
        401,
        "(b) B after its sign-out"
    );
    // A keeps what it read for a second (serve's RecentReads): it refuses the cookie once that
    // second has passed. Polled, with a bound far above it.
    let signed_out = Instant::now();
    let mut tries = 0;
    loop {
        tries += 1;
        let (status, _) = me(client, a, &session).await;
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(
            signed_out.elapsed() < Duration::from_secs(10),
            "(b) A still takes the cookie 10 s after the sign-out on B"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A page too: back to the sign-in form.
    let page = client
        .get(a.url("/people"))
        .header("cookie", format!("zeren_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303, "(b) a page on A after the sign-out");
    let to = page.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/login"), "(b) {to}");
    eprintln!(
        "instances (b): signed in on A, signed in on B with A's cookie, signed out on B; A refused the cookie {} ms later (try {tries})",
        signed_out.elapsed().as_millis()
    );
}

/// (c) Rounds of two renames of one org with the same version, sent at once, one through each
/// instance: one 200, one 409, and the winner's name stored with the next version.
async fn conflicting_edits(client: &reqwest::Client, a: &Server, b: &Server, token: &str, db: &Db) {
    const ROUNDS: usize = 8;
    let mut wins = BTreeMap::new();
    for round in 0..ROUNDS {
        let version = count(
            db,
            "SELECT CAST(version AS TEXT) FROM orgs WHERE code = 'cqu-mse'",
        )
        .await;
        let patch = |server: &Server, who: &str| {
            let name = format!("材料科学与工程学院（{who}{round}）");
            let req = client
                .patch(server.url("/api/v1/orgs/cqu-mse"))
                .bearer_auth(token)
                .json(&json!({"version": version, "name": name}));
            async move {
                let resp = req.send().await.unwrap();
                let status = resp.status().as_u16();
                let body: Value = resp.json().await.unwrap_or(Value::Null);
                (status, body, name)
            }
        };
        // Which one is sent first alternates.
        let ((sa, ba, na), (sb, bb, nb)) = if round.is_multiple_of(2) {
            tokio::join!(patch(a, "A"), patch(b, "B"))
        } else {
            let (rb, ra) = tokio::join!(patch(b, "B"), patch(a, "A"));
            (ra, rb)
        };
        let (winner, loser_body) = match (sa, sb) {
            (200, 409) => (na, bb),
            (409, 200) => (nb, ba),
            other => panic!(
                "(c) round {round}: two edits of version {version} answered {other:?}: {ba} / {bb}"
            ),
        };
        assert_eq!(
            loser_body["error"]["code"], "version_conflict",
            "(c) round {round}: {loser_body}"
        );
        *wins
            .entry(if winner.contains('A') { "A" } else { "B" })
            .or_insert(0) += 1;
        let stored = column(
            db,
            "SELECT name || '|' || CAST(version AS TEXT) FROM orgs WHERE code = 'cqu-mse'",
        )
        .await;
        assert_eq!(
            stored[0],
            format!("{winner}|{}", version + 1),
            "(c) round {round}: stored is not the winner's edit"
        );
        // Each instance shows the winner's name (the other one within its second of reuse).
        for server in [a, b] {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let (_, org) = get_json(client, server, token, "/api/v1/orgs/cqu-mse").await;
                if org["name"].as_str() == Some(winner.as_str())
                    && org["version"].as_i64() == Some(version + 1)
                {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "(c) {} still shows {org} after round {round}",
                    server.base
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    eprintln!(
        "instances (c): {ROUNDS} rounds of two same-version renames through A and B at once: each one 200 and one 409, the winner's name stored (wins {wins:?})"
    );
}

/// Writers posting people through each instance until stopped.
struct Load {
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<String>>>,
    failed: Arc<Mutex<Vec<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(client: &reqwest::Client, servers: &[&Server], token: &str) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(Vec::new()));
        let failed = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (i, server) in servers.iter().enumerate() {
            for w in 0..2 {
                let (client, base, token) =
                    (client.clone(), server.base.clone(), token.to_string());
                let (stop, acked, failed) = (stop.clone(), acked.clone(), failed.clone());
                tasks.push(tokio::spawn(async move {
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        n += 1;
                        let name = format!("并发测试-{i}-{w}-{n}");
                        let sent = client
                            .post(format!("{base}/api/v1/people"))
                            .bearer_auth(&token)
                            .json(&json!({"name": name, "org": "cqu-mse"}))
                            .send()
                            .await;
                        let outcome = match sent {
                            Ok(resp) => {
                                let status = resp.status();
                                let body: Value = resp.json().await.unwrap_or(Value::Null);
                                match body["id"].as_str() {
                                    Some(id) if status.is_success() => Ok(id.to_string()),
                                    _ => Err(format!("{status} {body}")),
                                }
                            }
                            Err(e) => Err(e.to_string()),
                        };
                        match outcome {
                            Ok(id) => acked.lock().unwrap().push(id),
                            // Stops quietly: the test fails on it once it stops the load (or
                            // has failed already and killed the servers).
                            Err(e) => {
                                failed.lock().unwrap().push(format!("{base}: {e}"));
                                break;
                            }
                        }
                        tokio::time::sleep(Duration::from_millis(25)).await;
                    }
                }));
            }
        }
        Load {
            stop,
            acked,
            failed,
            tasks,
        }
    }

    async fn stop(self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.tasks {
            t.await.unwrap();
        }
        let failed = self.failed.lock().unwrap();
        assert!(failed.is_empty(), "the load was refused: {failed:?}");
        std::mem::take(&mut *self.acked.lock().unwrap())
    }
}
