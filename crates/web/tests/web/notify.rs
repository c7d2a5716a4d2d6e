//! Reminders and escalation, end to end against local stand-ins on 127.0.0.1: a tiny SMTP sink
//! written here, and an HTTP mock of the 企业微信 and 钉钉 robots that checks the JSON body and
//! the 钉钉 timestamp + HMAC-SHA256 signature. The planner and sender are driven with
//! `run_once` while the test moves the clock; two instances share one database (SQLite, and
//! PostgreSQL when `ZEREN_TEST_POSTGRES` is set).
//!
//! Robots are stored with their real addresses (`https://qyapi.weixin.qq.com/…`); the test's
//! outbound policy resolves those hosts to the stand-in and allows loopback (plain HTTP there),
//! which only tests can set ([`OutboundPolicy::allow_loopback_for_tests`]). The robot address
//! stories (defect 7 of issue 10) are in [`robots`].

mod apps;
mod robots;

use crate::common::{
    AppState, PASSWORD, SMTP_SETTING, SmtpSettings, SmtpTls, TODAY, TestApp, TestClock, api, date,
    get_as, hidden, load_demo, page, planner, send_as, sender, state, submit,
};
use axum::extract::{Query, State};
use axum::routing::post;
use chrono::Duration;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use zeren_core::clock::{Clock, noon_in_shanghai};
use zeren_core::reminders::robots::{OutboundPolicy, Robot};
use zeren_storage::repo::notify::{DeliveryFilter, NewDelivery, NewReminder, SecretUpdate};
use zeren_storage::testing::{self, TestDb};
use zeren_storage::{Actor, Db, demo};

const DINGTALK_SECRET: &str = "SECtest0123456789abcdef";

/// The robots' real addresses, as a secretary stores them.
const WECOM_URL: &str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=WECOM-KEY";
const DINGTALK_URL: &str = "https://oapi.dingtalk.com/robot/send?access_token=DING-TOKEN";

/// The outbound policy of a test whose robots are the stand-in at `addr`: the providers' hosts
/// resolve there, loopback is allowed.
fn robots_at(addr: SocketAddr) -> OutboundPolicy {
    OutboundPolicy::allow_loopback_for_tests()
        .route_for_tests(Robot::Wecom.host(), addr)
        .route_for_tests(Robot::Dingtalk.host(), addr)
}

// ------------------------------------------------------------------------------------------
// The SMTP sink: 220/250/354/221, collects messages
// ------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Mail {
    to: Vec<String>,
    data: String,
}

impl Mail {
    fn message_id(&self) -> String {
        self.data
            .lines()
            .find_map(|l| {
                l.strip_prefix("Message-ID: ")
                    .or_else(|| l.strip_prefix("Message-Id: "))
            })
            .map(|v| {
                v.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
            .unwrap_or_default()
    }
}

#[derive(Clone, Default)]
struct Sink {
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl Sink {
    async fn start() -> (Sink, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = Sink::default();
        let s = sink.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let s = s.clone();
                tokio::spawn(async move { s.session(stream).await });
            }
        });
        (sink, port)
    }

    async fn session(&self, stream: tokio::net::TcpStream) {
        let (r, mut w) = stream.into_split();
        let mut r = BufReader::new(r);
        let _ = w.write_all(b"220 sink.test ESMTP\r\n").await;
        let mut to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let cmd = line.trim_end().to_ascii_uppercase();
            let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                b"250 sink.test\r\n"
            } else if cmd.starts_with("MAIL FROM") {
                to.clear();
                b"250 OK\r\n"
            } else if cmd.starts_with("RCPT TO") {
                let addr = line
                    .trim_end()
                    .split(':')
                    .nth(1)
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string();
                to.push(addr);
                b"250 OK\r\n"
            } else if cmd == "DATA" {
                let _ = w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await;
                let mut data = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(&line);
                }
                self.mails.lock().unwrap().push(Mail {
                    to: to.clone(),
                    data,
                });
                b"250 OK queued\r\n"
            } else if cmd == "QUIT" {
                let _ = w.write_all(b"221 bye\r\n").await;
                return;
            } else {
                b"250 OK\r\n"
            };
            if w.write_all(reply).await.is_err() {
                return;
            }
        }
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

// ------------------------------------------------------------------------------------------
// The robots: 企业微信 group robot and 钉钉 custom robot (signed)
// ------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Post {
    robot: &'static str,
    content: String,
}

#[derive(Clone, Default)]
struct Robots {
    posts: Arc<Mutex<Vec<Post>>>,
    refused: Arc<Mutex<Vec<String>>>,
}

fn check_body(body: &Value) -> Result<String, String> {
    if body["msgtype"] != "text" {
        return Err(format!("msgtype: {body}"));
    }
    match body["text"]["content"].as_str() {
        Some(c) if !c.is_empty() => Ok(c.to_string()),
        _ => Err(format!("text.content: {body}")),
    }
}

async fn wecom(
    State(r): State<Robots>,
    Query(q): Query<HashMap<String, String>>,
    axum::Json(body): axum::Json<Value>,
) -> axum::Json<Value> {
    let verdict = match (q.get("key").map(String::as_str), check_body(&body)) {
        (Some("WECOM-KEY"), Ok(content)) => Ok(content),
        (key, Ok(_)) => Err(format!("wrong key {key:?}")),
        (_, Err(e)) => Err(e),
    };
    match verdict {
        Ok(content) => {
            r.posts.lock().unwrap().push(Post {
                robot: "wecom",
                content,
            });
            axum::Json(json!({"errcode": 0, "errmsg": "ok"}))
        }
        Err(e) => {
            r.refused.lock().unwrap().push(e);
            axum::Json(json!({"errcode": 93000, "errmsg": "invalid"}))
        }
    }
}

/// 钉钉: `access_token`, `timestamp` and `sign` = base64(HMAC-SHA256(secret, "ts\nsecret")),
/// checked independently of Zeren's code.
async fn dingtalk(
    State(r): State<Robots>,
    Query(q): Query<HashMap<String, String>>,
    axum::Json(body): axum::Json<Value>,
) -> axum::Json<Value> {
    let ts = q.get("timestamp").cloned().unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(DINGTALK_SECRET.as_bytes()).unwrap();
    mac.update(format!("{ts}\n{DINGTALK_SECRET}").as_bytes());
    let expected = data_encoding::BASE64.encode(&mac.finalize().into_bytes());
    let verdict = if q.get("access_token").map(String::as_str) != Some("DING-TOKEN") {
        Err("wrong access_token".to_string())
    } else if ts.parse::<i64>().is_err() {
        Err(format!("timestamp `{ts}`"))
    } else if q.get("sign") != Some(&expected) {
        Err(format!("sign {:?} != {expected}", q.get("sign")))
    } else {
        check_body(&body)
    };
    match verdict {
        Ok(content) => {
            r.posts.lock().unwrap().push(Post {
                robot: "dingtalk",
                content,
            });
            axum::Json(json!({"errcode": 0, "errmsg": "ok"}))
        }
        Err(e) => {
            r.refused.lock().unwrap().push(e);
            axum::Json(json!({"errcode": 310000, "errmsg": "sign not match"}))
        }
    }
}

impl Robots {
    /// The stand-in, and where it listens.
    async fn start() -> (Robots, SocketAddr) {
        let robots = Robots::default();
        let app = axum::Router::new()
            .route("/cgi-bin/webhook/send", post(wecom))
            .route("/robot/send", post(dingtalk))
            .with_state(robots.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (robots, addr)
    }

    fn posts(&self, robot: &str) -> Vec<String> {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.robot == robot)
            .map(|p| p.content.clone())
            .collect()
    }

    fn refused(&self) -> Vec<String> {
        self.refused.lock().unwrap().clone()
    }
}

/// A port on 127.0.0.1 where nothing listens (a server that is down).
async fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

// ------------------------------------------------------------------------------------------
// Set-up
// ------------------------------------------------------------------------------------------

async fn put_smtp(db: &Db, port: u16) {
    let mut tx = db
        .begin(&Actor::cli(), noon_in_shanghai(date(TODAY)))
        .await
        .unwrap();
    let version = db
        .setting::<SmtpSettings>(SMTP_SETTING)
        .await
        .unwrap()
        .map(|(_, v)| v)
        .unwrap_or(0);
    tx.put_secret_setting(
        SMTP_SETTING,
        &SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            username: String::new(),
            password: String::new(),
            from: "Zeren <zeren@example.test>".into(),
        },
        &["password"],
        version,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Every person gets an address `<person id>@example.test`.
async fn give_everyone_email(db: &Db) -> HashMap<String, String> {
    let model = db.load_model().await.unwrap();
    let mut tx = db
        .begin(&Actor::cli(), noon_in_shanghai(date(TODAY)))
        .await
        .unwrap();
    let mut out = HashMap::new();
    for p in model.people() {
        let addr = format!("{}@example.test", p.id);
        tx.put_person_channels(&p.id, Some(&addr), true, 0)
            .await
            .unwrap();
        out.insert(addr, p.id.clone());
    }
    tx.commit().await.unwrap();
    out
}

async fn put_robots(db: &Db, org: &str, wecom: Option<String>, dingtalk: Option<String>) {
    let version = db.org_channels(org).await.unwrap().version;
    let mut tx = db
        .begin(&Actor::cli(), noon_in_shanghai(date(TODAY)))
        .await
        .unwrap();
    let secret = if dingtalk.is_some() {
        SecretUpdate::Set(DINGTALK_SECRET.into())
    } else {
        SecretUpdate::Clear
    };
    tx.put_org_channels(org, wecom.as_deref(), dingtalk.as_deref(), secret, version)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn all_deliveries(db: &Db) -> Vec<zeren_storage::repo::notify::Delivery> {
    let model = db.load_model().await.unwrap();
    let f = DeliveryFilter {
        orgs: model.orgs().iter().map(|o| o.id.clone()).collect(),
        ..Default::default()
    };
    db.deliveries(&f, 100_000, 0).await.unwrap()
}

/// Runs both senders until nothing is due, moving the clock a minute at a time when robots
/// are paced.
async fn drain(a: &AppState, b: &AppState, clock: &TestClock) {
    for _ in 0..30 {
        let (x, y) = tokio::join!(sender::run_once(a), sender::run_once(b));
        let pending = all_deliveries(&a.db)
            .await
            .iter()
            .filter(|d| d.status == "pending" || d.status == "sending")
            .count();
        if pending == 0 {
            return;
        }
        assert!(x.failed + y.failed == 0, "unexpected failures: {x:?} {y:?}");
        clock.advance(Duration::seconds(61));
    }
    panic!("the outbox did not drain");
}

async fn plan_both(a: &AppState, b: &AppState) -> (planner::Summary, planner::Summary) {
    let (x, y) = tokio::join!(planner::run_once(a), planner::run_once(b));
    assert!(
        usize::from(x.ran) + usize::from(y.ran) <= 1,
        "both instances planned the same day: {x:?} {y:?}"
    );
    (x, y)
}

// ------------------------------------------------------------------------------------------
// Exactly once, two instances, the whole schedule
// ------------------------------------------------------------------------------------------

async fn two_instances_story(t: TestDb) {
    load_demo(&t.db).await;
    let other = Db::connect(&t.url).await.unwrap();
    let clock = TestClock::at(TODAY);
    let (sink, smtp_port) = Sink::start().await;
    let (robots, at) = Robots::start().await;
    let (a, b) = (
        state(&t.db, &clock).with_outbound(robots_at(at)),
        state(&other, &clock).with_outbound(robots_at(at)),
    );
    put_smtp(&t.db, smtp_port).await;
    let addresses = give_everyone_email(&t.db).await;
    let model = t.db.load_model().await.unwrap();
    let mse = model.find_org("cqu-mse").unwrap().clone();
    put_robots(
        &t.db,
        &mse.id,
        Some(WECOM_URL.into()),
        Some(DINGTALK_URL.into()),
    )
    .await;
    let obligations = t.db.obligations(&mse.id, 2026).await.unwrap();
    let study = obligations
        .iter()
        .find(|o| o.duty == "annual-dedicated-study")
        .unwrap()
        .clone();
    let training = obligations
        .iter()
        .find(|o| o.duty == "cadre-training" && o.due == date("2026-12-31"))
        .unwrap()
        .clone();
    let secretary = model
        .people()
        .find(|p| p.name == demo::NEW_SECRETARY)
        .unwrap()
        .id
        .clone();
    let organiser = model
        .people()
        .find(|p| p.name == "吴静")
        .unwrap()
        .id
        .clone();

    // The days the schedule of the 31 December obligations turns, and one more run each day.
    for day in [
        TODAY,
        "2026-12-01",
        "2026-12-02",
        "2026-12-24",
        "2026-12-30",
        "2026-12-31",
        "2027-01-01",
        "2027-01-07",
        "2027-01-08",
    ] {
        clock.set_day(day);
        let (x, y) = plan_both(&a, &b).await;
        assert!(
            x.ran || y.ran,
            "nobody planned {day}: {x:?} {y:?} on {}",
            t.label
        );
        // The same day again, on either instance: nothing new.
        let (x2, y2) = plan_both(&a, &b).await;
        assert!(!x2.ran && !y2.ran && x2.reminders + y2.reminders == 0);
        drain(&a, &b, &clock).await;
    }

    // The annual dedicated study: every point once, to the secretary in office on the due date.
    let keys = t.db.reminder_keys(&study.id).await.unwrap();
    let slugs: Vec<&str> = keys.iter().map(|k| k.rsplit('/').next().unwrap()).collect();
    assert_eq!(
        slugs,
        ["before-1", "before-30", "before-7", "escalate", "overdue"],
        "on {}",
        t.label
    );
    let notes =
        t.db.notifications(&secretary, false, 1000, 0)
            .await
            .unwrap();
    for slug in ["before-30", "before-7", "before-1", "overdue", "escalate"] {
        let key = format!("{}/{slug}", study.id);
        assert_eq!(
            notes
                .iter()
                .filter(|n| n.reminder_key.as_deref() == Some(key.as_str()))
                .count(),
            1,
            "{key} on {}",
            t.label
        );
    }
    // Cadre training answers to the organisation portfolio; its escalation goes to the first
    // responsible person.
    let org_notes =
        t.db.notifications(&organiser, false, 1000, 0)
            .await
            .unwrap();
    let esc = format!("{}/escalate", training.id);
    let over = format!("{}/overdue", training.id);
    assert!(
        org_notes
            .iter()
            .any(|n| n.reminder_key.as_deref() == Some(over.as_str()))
    );
    assert!(
        !org_notes
            .iter()
            .any(|n| n.reminder_key.as_deref() == Some(esc.as_str()))
    );
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.reminder_key.as_deref() == Some(esc.as_str()))
            .count(),
        1,
        "escalation to the first responsible person on {}",
        t.label
    );

    // Every delivery went out once, on its first try.
    let deliveries = all_deliveries(&t.db).await;
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == "sent" && d.attempts == 1),
        "on {}",
        t.label
    );
    let emails: Vec<_> = deliveries.iter().filter(|d| d.channel == "email").collect();
    let mails = sink.mails();
    assert_eq!(
        mails.len(),
        emails.len(),
        "emails received vs queued on {}",
        t.label
    );
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for m in &mails {
        *by_id.entry(m.message_id()).or_default() += 1;
    }
    for e in &emails {
        assert_eq!(
            by_id.get(&format!("{}@zeren", e.id)),
            Some(&1),
            "delivery {} on {}",
            e.id,
            t.label
        );
        let mail = mails
            .iter()
            .find(|m| m.message_id() == format!("{}@zeren", e.id))
            .unwrap();
        assert_eq!(mail.to, vec![e.target.clone()]);
        assert_eq!(addresses.get(&e.target), e.person.as_ref());
    }
    // The escalation email reached the secretary.
    let esc_mail = emails.iter().find(|e| e.reminder_key == esc).unwrap();
    assert_eq!(esc_mail.person.as_deref(), Some(secretary.as_str()));
    // Robots: exactly the texts queued, each once; every 钉钉 signature checked out.
    for robot in ["wecom", "dingtalk"] {
        let mut got = robots.posts(robot);
        let mut want: Vec<String> = deliveries
            .iter()
            .filter(|d| d.channel == robot)
            .map(|d| d.payload["text"].as_str().unwrap().to_string())
            .collect();
        got.sort();
        want.sort();
        assert!(!want.is_empty());
        assert_eq!(got, want, "{robot} on {}", t.label);
    }
    assert!(robots.refused().is_empty(), "{:?}", robots.refused());
    eprintln!(
        "{}: {} deliveries sent once each: {} emails, {} WeCom and {} DingTalk posts",
        t.label,
        deliveries.len(),
        mails.len(),
        robots.posts("wecom").len(),
        robots.posts("dingtalk").len()
    );
    assert!(
        robots
            .posts("wecom")
            .iter()
            .any(|t| t.starts_with("【逾期报告】"))
    );
    // One planner run per day, audited.
    assert!(t.db.verify_audit().await.unwrap().is_ok());
    other.close().await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_reminder_is_delivered_once_with_two_instances_on_sqlite() {
    two_instances_story(testing::sqlite().await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_reminder_is_delivered_once_with_two_instances_on_postgres() {
    match testing::postgres().await {
        Some(pg) => two_instances_story(pg).await,
        None => eprintln!(
            "note: PostgreSQL stories skipped (set {}=postgres://… to run them)",
            testing::PG_ENV
        ),
    }
}

// ------------------------------------------------------------------------------------------
// A crash mid-send, SMTP and a robot down, pacing
// ------------------------------------------------------------------------------------------

async fn demo_state(t: &TestDb) -> (AppState, TestClock) {
    load_demo(&t.db).await;
    let clock = TestClock::at(TODAY);
    (state(&t.db, &clock), clock)
}

#[tokio::test]
async fn a_delivery_claimed_by_a_dead_instance_is_retried_once_after_its_lease() {
    for t in testing::engines().await {
        let (s, clock) = demo_state(&t).await;
        let (sink, port) = Sink::start().await;
        put_smtp(&t.db, port).await;
        give_everyone_email(&t.db).await;
        clock.set_day("2026-12-01");
        assert!(planner::run_once(&s).await.ran);
        let queued = all_deliveries(&t.db).await;
        assert!(!queued.is_empty());
        // An instance claims one and dies before sending it.
        let victim = queued[0].id.clone();
        let now = clock.now().timestamp_millis();
        t.db.claim_delivery(&victim, "dead-instance", now, now + sender::LEASE_MS)
            .await
            .unwrap()
            .unwrap();
        let first = sender::run_once(&s).await;
        assert_eq!(first.sent, queued.len() - 1, "on {}", t.label);
        assert_eq!(t.db.delivery(&victim).await.unwrap().status, "sending");
        // Within the lease nobody touches it.
        clock.advance(Duration::milliseconds(sender::LEASE_MS - 1000));
        assert_eq!(sender::run_once(&s).await, sender::Summary::default());
        // After the lease it is sent, once.
        clock.advance(Duration::seconds(2));
        assert_eq!(sender::run_once(&s).await.sent, 1);
        assert_eq!(sender::run_once(&s).await, sender::Summary::default());
        let row = t.db.delivery(&victim).await.unwrap();
        assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
        let id = format!("{victim}@zeren");
        assert_eq!(
            sink.mails().iter().filter(|m| m.message_id() == id).count(),
            1
        );
        assert_eq!(sink.mails().len(), queued.len());
        let tries = t.db.attempts(std::slice::from_ref(&victim)).await.unwrap();
        assert_eq!(tries[&victim].len(), 1);
        assert_eq!(
            (
                tries[&victim][0].attempt,
                tries[&victim][0].outcome.as_str()
            ),
            (2, "sent")
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn a_planner_run_claimed_by_a_dead_instance_is_taken_over_after_its_lease() {
    for t in testing::engines().await {
        let (s, clock) = demo_state(&t).await;
        clock.set_day("2026-12-01");
        // Before 08:00 Shanghai time the planner waits (robots do not post at night).
        clock.advance(Duration::hours(-5));
        let early = planner::run_once(&s).await;
        assert_eq!((early.ran, early.skipped), (false, Some("early")));
        clock.advance(Duration::hours(5));
        // An instance claimed today's run and died.
        let now = clock.now().timestamp_millis();
        assert!(
            t.db.claim_job(
                zeren_storage::repo::notify::PLAN_JOB,
                "2026-12-01",
                "dead-instance",
                now,
                now + planner::LEASE_MS
            )
            .await
            .unwrap()
        );
        let blocked = planner::run_once(&s).await;
        assert_eq!((blocked.ran, blocked.skipped), (false, Some("claimed")));
        clock.advance(Duration::milliseconds(planner::LEASE_MS + 1));
        let taken = planner::run_once(&s).await;
        assert!(taken.ran && taken.reminders > 0, "{taken:?} on {}", t.label);
        let again = planner::run_once(&s).await;
        assert!(!again.ran && again.reminders == 0);
        let run =
            t.db.job_run(zeren_storage::repo::notify::PLAN_JOB, "2026-12-01")
                .await
                .unwrap()
                .unwrap();
        assert!(run.finished_at.is_some());
        assert_eq!(run.summary.unwrap()["reminders"], json!(taken.reminders));
        t.finish().await;
    }
}

#[tokio::test]
async fn smtp_and_robot_down_are_retried_with_backoff_then_shown_failed() {
    let app = TestApp::demo().await;
    let dead = closed_port().await;
    let s = app
        .state()
        .with_outbound(robots_at(SocketAddr::from(([127, 0, 0, 1], dead))));
    put_smtp(&app.db, dead).await;
    let model = app.db.load_model().await.unwrap();
    let mse = model.find_org("cqu-mse").unwrap().clone();
    let secretary = model
        .people()
        .find(|p| p.name == demo::NEW_SECRETARY)
        .unwrap()
        .id
        .clone();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.put_person_channels(&secretary, Some("li@example.test"), true, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    put_robots(&app.db, &mse.id, Some(WECOM_URL.into()), None).await;
    let before = app.db.obligations(&mse.id, 2026).await.unwrap();

    app.clock.advance(Duration::days(3)); // 2026-12-01: 30 days before 31 December.
    let plan = planner::run_once(&s).await;
    assert!(plan.ran && plan.deliveries > 0, "{plan:?}");
    let queued = all_deliveries(&app.db).await.len();
    // 1st try now, then 1 min, 5 min, 30 min, 2 h later; the 5th failure is final.
    let waits = [0, 60, 5 * 60, 30 * 60, 2 * 60 * 60];
    for (i, wait) in waits.iter().enumerate() {
        app.clock.advance(Duration::seconds(*wait));
        // A moment early: nothing is tried.
        if *wait > 0 {
            app.clock.advance(Duration::seconds(-1));
            assert_eq!(
                sender::run_once(&s).await,
                sender::Summary::default(),
                "try {}",
                i + 1
            );
            app.clock.advance(Duration::seconds(1));
        }
        let got = sender::run_once(&s).await;
        if i + 1 < waits.len() {
            assert_eq!((got.retried, got.failed), (queued, 0), "try {}", i + 1);
        } else {
            assert_eq!((got.retried, got.failed), (0, queued), "try {}", i + 1);
        }
    }
    app.clock.advance(Duration::days(1));
    assert_eq!(sender::run_once(&s).await, sender::Summary::default());
    let rows = all_deliveries(&app.db).await;
    assert!(
        rows.iter()
            .all(|d| d.status == "failed" && d.attempts == 5 && d.last_error.is_some())
    );
    assert!(rows.iter().any(|d| d.channel == "email"));
    assert!(rows.iter().any(|d| d.channel == "wecom"));
    let ids: Vec<String> = rows.iter().map(|d| d.id.clone()).collect();
    let tries = app.db.attempts(&ids).await.unwrap();
    for id in &ids {
        let outcomes: Vec<&str> = tries[id].iter().map(|a| a.outcome.as_str()).collect();
        assert_eq!(outcomes, ["retry", "retry", "retry", "retry", "failed"]);
    }
    // The ledger is untouched.
    assert_eq!(app.db.obligations(&mse.id, 2026).await.unwrap(), before);

    // The secretary sees every failure, in the page and the API.
    let sec = app.sign_in("secretary", PASSWORD).await;
    let html = page(&sec, &app, "/orgs/cqu-mse/notify?status=failed")
        .await
        .1;
    assert!(html.contains("notify-status failed"));
    assert!(html.contains("li@example.test"));
    assert!(html.contains("#5"));
    let token = app.token("secretary").await;
    let v: Value = get_as(&app, &token, "/api/v1/deliveries?org=cqu-mse&status=failed")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["counts"]["failed"], json!(queued));
    let item = &v["items"][0];
    assert_eq!(item["attempts"], 5);
    assert_eq!(item["tries"].as_array().unwrap().len(), 5);
    assert!(item["last_error"].as_str().unwrap().len() > 3);
    // In words, not codes.
    assert!(!v.to_string().contains("robot:connect"));
    assert!(html.contains("无法连接机器人服务"));
    // The robot's URL (its access token) is never shown.
    assert!(!v.to_string().contains("WECOM-KEY"));
    assert!(!html.contains("WECOM-KEY"));
    app.finish().await;
}

#[tokio::test]
async fn a_robot_gets_at_most_twenty_messages_a_minute() {
    for t in testing::engines().await {
        let (s, clock) = demo_state(&t).await;
        let (robots, at) = Robots::start().await;
        let s = s.with_outbound(robots_at(at));
        let model = t.db.load_model().await.unwrap();
        let mse = model.find_org("cqu-mse").unwrap().clone();
        put_robots(&t.db, &mse.id, Some(WECOM_URL.into()), None).await;
        let ob = t.db.obligations(&mse.id, 2026).await.unwrap()[0].id.clone();
        let person = model.people().next().unwrap().id.clone();
        // 25 messages for one robot, all due now.
        let mut tx = t.db.begin(&Actor::system(), clock.now()).await.unwrap();
        for i in 0..25 {
            tx.record_reminder(&NewReminder {
                key: format!("{ob}/before-{}", 100 + i),
                obligation: ob.clone(),
                kind: format!("before-{}", 100 + i),
                person: person.clone(),
                org: mse.id.clone(),
                scheduled_on: date(TODAY),
                planned_on: date(TODAY),
                args: json!({}),
                deliveries: vec![NewDelivery {
                    channel: "wecom".into(),
                    target: mse.id.clone(),
                    person: None,
                    payload: json!({"text": format!("message {i}")}),
                }],
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let first = sender::run_once(&s).await;
        assert_eq!((first.sent, first.deferred), (20, 5), "on {}", t.label);
        assert_eq!(robots.posts("wecom").len(), 20);
        // Still the same minute: nothing more goes out.
        clock.advance(Duration::seconds(59));
        assert_eq!(sender::run_once(&s).await.sent, 0);
        assert_eq!(robots.posts("wecom").len(), 20);
        // The next minute: the rest.
        clock.advance(Duration::seconds(2));
        let second = sender::run_once(&s).await;
        assert_eq!(second.sent, 5);
        let mut got = robots.posts("wecom");
        got.sort();
        got.dedup();
        assert_eq!(got.len(), 25);
        // A deferral is not a try.
        assert!(
            all_deliveries(&t.db)
                .await
                .iter()
                .all(|d| d.attempts == 1 && d.status == "sent")
        );
        t.finish().await;
    }
}

// ------------------------------------------------------------------------------------------
// Pages and API
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_notification_centre_and_my_settings() {
    let app = TestApp::demo().await;
    let s = app.state();
    let sec = app.sign_in("secretary", PASSWORD).await;
    let token = app.token("secretary").await;
    // My channels: a bad address is refused, naming the field; nothing is stored.
    let html = page(&sec, &app, "/notifications/settings").await.1;
    assert_eq!(hidden(&html, "version"), "0");
    let r = submit(
        &sec,
        &app,
        "/notifications/settings",
        &[
            ("version", "0"),
            ("email", "not-an-address"),
            ("email_enabled", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("“email”"), "{body}");
    assert_eq!(
        api(&app, &token, "GET", "/api/v1/notifications/settings", None)
            .await
            .1["version"],
        0
    );
    let r = submit(
        &sec,
        &app,
        "/notifications/settings",
        &[
            ("version", "0"),
            ("email", "li@example.test"),
            ("email_enabled", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, v) = api(&app, &token, "GET", "/api/v1/notifications/settings", None).await;
    assert_eq!(
        v,
        json!({"email": "li@example.test", "email_enabled": true, "version": 1, "linked": true})
    );
    // A stale version: 409.
    let r = send_as(
        &app,
        &token,
        "PUT",
        "/api/v1/notifications/settings",
        Some(&json!({"email": null, "email_enabled": false, "version": 0})),
    )
    .await;
    assert_eq!(r.status(), 409);

    // Reminders arrive on 1 December.
    let (status, v) = api(&app, &token, "GET", "/api/v1/notifications?unread=1", None).await;
    assert_eq!((status, v["unread"].clone()), (200, json!(0)));
    app.clock.advance(Duration::days(3));
    assert!(planner::run_once(&s).await.ran);
    let (_, v) = api(&app, &token, "GET", "/api/v1/notifications?unread=1", None).await;
    let unread = v["unread"].as_i64().unwrap();
    assert!(unread > 0);
    let first = &v["items"][0];
    assert!(
        first["text"].as_str().unwrap().contains("2026-12-31"),
        "{first}"
    );
    assert_eq!(first["kind"], "before-30");
    // In English on request.
    let en: Value = get_as(&app, &token, "/api/v1/notifications?lang=en")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        en["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("is due on 2026-12-31")
    );
    // The page lists them (a new session: the first one timed out while the clock moved); one
    // is marked read from the page.
    let sec = app.sign_in("secretary", PASSWORD).await;
    let html = page(&sec, &app, "/notifications").await.1;
    assert!(html.contains("notify-item"), "{html}");
    let id = first["id"].as_str().unwrap();
    let r = submit(&sec, &app, &format!("/notifications/{id}/read"), &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        api(&app, &token, "GET", "/api/v1/notifications?unread=1", None)
            .await
            .1["unread"],
        json!(unread - 1)
    );
    // Someone else's notification is not found for me.
    let leader = app.token("leader").await;
    let r = send_as(
        &app,
        &leader,
        "POST",
        &format!("/api/v1/notifications/{id}/read"),
        None,
    )
    .await;
    assert_eq!(r.status(), 404);
    // All read.
    let r = send_as(&app, &token, "POST", "/api/v1/notifications/read-all", None).await;
    assert_eq!(r.json::<Value>().await.unwrap()["read"], json!(unread - 1));
    assert_eq!(
        api(&app, &token, "GET", "/api/v1/notifications?unread=1", None)
            .await
            .1["items"],
        json!([])
    );
    // Bad query values say which.
    let (status, v) = api(
        &app,
        &token,
        "GET",
        "/api/v1/notifications?unread=yes",
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert!(v["error"]["message"].as_str().unwrap().contains("unread"));
    // Administrators have no notification centre.
    let admin = app.token("sysadmin").await;
    let r = get_as(&app, &admin, "/api/v1/notifications").await;
    assert_eq!(r.status(), 403);
    app.finish().await;
}

#[tokio::test]
async fn the_secretary_sets_the_robots_and_the_sysadmin_the_smtp_server() {
    let app = TestApp::demo().await;
    let sec = app.sign_in("secretary", PASSWORD).await;
    let html = page(&sec, &app, "/orgs/cqu-mse/notify").await.1;
    assert!(html.contains("notify-robots"));
    // A malformed URL: 422 naming the field, nothing stored.
    let r = submit(
        &sec,
        &app,
        "/orgs/cqu-mse/notify",
        &[("version", "0"), ("wecom_url", "qyapi/send")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("wecom_url"));
    let mse = app.org_id("cqu-mse").await;
    assert_eq!(app.db.org_channels(&mse).await.unwrap().version, 0);
    let r = submit(
        &sec,
        &app,
        "/orgs/cqu-mse/notify",
        &[
            ("version", "0"),
            (
                "wecom_url",
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY",
            ),
            (
                "dingtalk_url",
                "https://oapi.dingtalk.com/robot/send?access_token=SECRET-TOKEN",
            ),
            ("dingtalk_secret", "SECsecretsecret"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let html = page(&sec, &app, "/orgs/cqu-mse/notify").await.1;
    for secret in ["SECRET-KEY", "SECRET-TOKEN", "SECsecretsecret"] {
        assert!(!html.contains(secret), "{secret} shown");
    }
    assert!(html.contains("https://oapi.dingtalk.com/robot/send?…"));
    let token = app.token("secretary").await;
    let v: Value = get_as(&app, &token, &format!("/api/v1/orgs/{mse}/notify"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["dingtalk_signed"], true);
    assert_eq!(v["version"], 1);
    assert!(!v.to_string().contains("SECRET"));
    // The leader of the same college reads the org but does not manage it; another college is
    // outside the secretary's scope.
    let leader = app.sign_in("leader", PASSWORD).await;
    assert_eq!(page(&leader, &app, "/orgs/cqu-mse/notify").await.0, 403);
    assert_eq!(page(&sec, &app, "/orgs/cqu-cs/notify").await.0, 404);
    // The API clears the secret with null, keeps it when absent.
    let r = send_as(
        &app,
        &token,
        "PUT",
        &format!("/api/v1/orgs/{mse}/notify"),
        Some(
            &json!({"dingtalk_url": "https://oapi.dingtalk.com/robot/send?access_token=x", "version": 1}),
        ),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["dingtalk_signed"].clone(), v["wecom"].clone()),
        (json!(true), Value::Null)
    );

    // The system administrator keeps the SMTP server; the password never comes back.
    let admin = app.sign_in("sysadmin", PASSWORD).await;
    let html = page(&admin, &app, "/admin/notify").await.1;
    assert!(html.contains("name=\"host\""));
    let r = submit(
        &admin,
        &app,
        "/admin/notify",
        &[
            ("version", "0"),
            ("host", "127.0.0.1"),
            ("port", "99999"),
            ("tls", "none"),
            ("from", "zeren@example.test"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("port-error"), "{body}");
    let r = submit(
        &admin,
        &app,
        "/admin/notify",
        &[
            ("version", "0"),
            ("host", "127.0.0.1"),
            ("port", "2525"),
            ("tls", "none"),
            ("username", "zeren"),
            ("password", "MAIL-PASSWORD"),
            ("from", "Zeren <zeren@example.test>"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let sys = app.token("sysadmin").await;
    let v: Value = get_as(&app, &sys, "/api/v1/settings/smtp")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["password_set"], true);
    assert_eq!(v["port"], 2525);
    assert!(!v.to_string().contains("MAIL-PASSWORD"));
    let html = page(&admin, &app, "/admin/notify").await.1;
    assert!(!html.contains("MAIL-PASSWORD"));
    // Saving again without a password keeps it.
    let r = send_as(&app, &sys, "PUT", "/api/v1/settings/smtp", Some(&json!({"host": "127.0.0.1", "port": 2526, "tls": "starttls", "username": "zeren", "from": "zeren@example.test", "version": 1}))).await;
    assert_eq!(r.status(), 200);
    let (stored, _) = app
        .db
        .setting::<SmtpSettings>(SMTP_SETTING)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.password.as_str(), stored.port),
        ("MAIL-PASSWORD", 2526)
    );
    // Secrets stay out of the audit log.
    let audit = serde_json::to_string(&app.db.audit_page(0, 100_000).await.unwrap()).unwrap();
    for secret in [
        "MAIL-PASSWORD",
        "SECRET-KEY",
        "SECRET-TOKEN",
        "SECsecretsecret",
    ] {
        assert!(!audit.contains(secret), "{secret} in the audit log");
    }
    // Only the system administrator.
    assert_eq!(page(&sec, &app, "/admin/notify").await.0, 403);
    app.finish().await;
}
