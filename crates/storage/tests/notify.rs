//! Notify storage on SQLite always and on PostgreSQL when `ZEREN_TEST_POSTGRES` is set: job
//! claims and leases, reminders recorded once, outbox claims (also raced by several tasks),
//! sent only by the claim that sent, retries, robot pacing, channels and their audit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use zeren_core::clock::noon_in_shanghai;
use zeren_core::obligation::Discharge;
use zeren_storage::repo::notify::{
    DeliveryFilter, NewDelivery, NewReminder, PLAN_JOB, SecretUpdate,
};
use zeren_storage::testing::{TestDb, engines};
use zeren_storage::{Actor, Db, StorageError, demo};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> DateTime<Utc> {
    noon_in_shanghai(d("2026-11-28"))
}

async fn demo_db(t: &TestDb) -> (String, String, String) {
    demo::load(&t.db, d("2026-11-28")).await.unwrap();
    let model = t.db.load_model().await.unwrap();
    let org = model.find_org("cqu-mse").unwrap().id.clone();
    let ob = t.db.obligations(&org, 2026).await.unwrap()[0].id.clone();
    let person = model.people().find(|p| p.org == org).unwrap().id.clone();
    (org, ob, person)
}

fn reminder(key: &str, ob: &str, org: &str, person: &str) -> NewReminder {
    NewReminder {
        key: key.into(),
        obligation: ob.into(),
        kind: "before-7".into(),
        person: person.into(),
        org: org.into(),
        scheduled_on: d("2026-11-28"),
        planned_on: d("2026-11-28"),
        args: json!({"duty": "x"}),
        deliveries: vec![
            NewDelivery {
                channel: "email".into(),
                target: "a@example.test".into(),
                person: Some(person.into()),
                payload: json!({"subject": "s", "text": "t"}),
            },
            NewDelivery {
                channel: "wecom".into(),
                target: org.into(),
                person: None,
                payload: json!({"text": "t"}),
            },
        ],
    }
}

async fn record(db: &Db, r: &NewReminder) -> bool {
    let mut tx = db.begin(&Actor::system(), now()).await.unwrap();
    let new = tx.record_reminder(r).await.unwrap();
    tx.commit().await.unwrap();
    new
}

#[tokio::test]
async fn job_runs_are_claimed_once_and_taken_over_after_the_lease() {
    for t in engines().await {
        demo_db(&t).await;
        let db = &t.db;
        let at = now().timestamp_millis();
        assert!(
            db.claim_job(PLAN_JOB, "2026-11-28", "a", at, at + 60_000)
                .await
                .unwrap()
        );
        assert!(
            !db.claim_job(PLAN_JOB, "2026-11-28", "b", at + 1, at + 60_001)
                .await
                .unwrap(),
            "{}",
            t.label
        );
        // a dies; after its lease b takes over.
        assert!(
            db.claim_job(PLAN_JOB, "2026-11-28", "b", at + 60_001, at + 120_000)
                .await
                .unwrap()
        );
        // a's late finish is refused; b's goes through; nobody claims a finished run.
        let mut tx = db.begin(&Actor::system(), now()).await.unwrap();
        assert!(
            !tx.finish_job(PLAN_JOB, "2026-11-28", "a", &json!({}))
                .await
                .unwrap()
        );
        assert!(
            tx.finish_job(PLAN_JOB, "2026-11-28", "b", &json!({"planned": 1}))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        assert!(
            !db.claim_job(
                PLAN_JOB,
                "2026-11-28",
                "c",
                at + 999_999_999,
                at + 999_999_999
            )
            .await
            .unwrap()
        );
        let run = db.job_run(PLAN_JOB, "2026-11-28").await.unwrap().unwrap();
        assert_eq!(run.claimed_by, "b");
        assert_eq!(run.summary, Some(json!({"planned": 1})));
        assert!(db.job_run(PLAN_JOB, "2026-11-29").await.unwrap().is_none());
        t.finish().await;
    }
}

#[tokio::test]
async fn concurrent_claims_have_one_winner() {
    for t in engines().await {
        let (org, ob, person) = demo_db(&t).await;
        let db = t.db.clone();
        let at = now().timestamp_millis();
        // Eight claimants on the same job run, on separate connections.
        let mut tasks = Vec::new();
        for i in 0..8 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.claim_job(PLAN_JOB, "2026-12-01", &format!("h{i}"), at, at + 60_000)
                    .await
                    .unwrap()
            }));
        }
        let mut won = 0;
        for task in tasks {
            won += usize::from(task.await.unwrap());
        }
        assert_eq!(won, 1, "{}", t.label);
        // Eight claimants on each delivery.
        record(&db, &reminder("k/before-7", &ob, &org, &person)).await;
        let ids = db.due_deliveries(at, 10).await.unwrap();
        assert_eq!(ids.len(), 2);
        for id in ids {
            let mut tasks = Vec::new();
            for i in 0..8 {
                let db = db.clone();
                let id = id.clone();
                tasks.push(tokio::spawn(async move {
                    db.claim_delivery(&id, &format!("h{i}"), at, at + 60_000)
                        .await
                        .unwrap()
                        .is_some()
                }));
            }
            let mut won = 0;
            for task in tasks {
                won += usize::from(task.await.unwrap());
            }
            assert_eq!(won, 1, "{}", t.label);
            assert_eq!(db.delivery(&id).await.unwrap().attempts, 1);
        }
        t.finish().await;
    }
}

#[tokio::test]
async fn a_reminder_is_recorded_once_with_its_notification_and_deliveries() {
    for t in engines().await {
        let (org, ob, person) = demo_db(&t).await;
        let db = &t.db;
        let key = format!("{ob}/before-7");
        let r = reminder(&key, &ob, &org, &person);
        assert!(record(db, &r).await);
        // Again, even for another person: nothing new.
        let mut again = r.clone();
        again.person = db
            .load_model()
            .await
            .unwrap()
            .people()
            .next()
            .unwrap()
            .id
            .clone();
        assert!(!record(db, &again).await);
        assert_eq!(db.reminder_keys(&ob).await.unwrap(), vec![key.clone()]);
        assert_eq!(db.notification_count(&person, true).await.unwrap(), 1);
        let notes = db.notifications(&person, false, 10, 0).await.unwrap();
        assert_eq!(notes[0].kind, "before-7");
        assert_eq!(notes[0].args, json!({"duty": "x"}));
        let f = DeliveryFilter {
            orgs: vec![org.clone()],
            ..Default::default()
        };
        let list = db.deliveries(&f, 50, 0).await.unwrap();
        assert_eq!(list.len(), 2);
        assert!(
            list.iter()
                .all(|x| x.status == "pending" && x.attempts == 0)
        );
        assert_eq!(db.delivery_counts(&f).await.unwrap()["pending"], 2);
        // Outside the filter's orgs: nothing.
        let none = DeliveryFilter::default();
        assert!(db.deliveries(&none, 50, 0).await.unwrap().is_empty());
        // An unknown channel is refused.
        let mut tx = db.begin(&Actor::system(), now()).await.unwrap();
        let bad = NewDelivery {
            channel: "fax".into(),
            target: "x".into(),
            person: None,
            payload: json!({}),
        };
        assert!(matches!(
            tx.queue_delivery(&key, &org, &bad).await,
            Err(StorageError::Invalid(_))
        ));
        drop(tx);
        // Reading: one, then all; someone else's id is not theirs to mark.
        let mut tx = db.begin(&Actor::system(), now()).await.unwrap();
        assert!(!tx.mark_read("someone-else", &notes[0].id).await.unwrap());
        assert!(tx.mark_read(&person, &notes[0].id).await.unwrap());
        assert!(!tx.mark_read(&person, &notes[0].id).await.unwrap());
        assert_eq!(tx.mark_all_read(&person).await.unwrap(), 0);
        tx.commit().await.unwrap();
        assert_eq!(db.notification_count(&person, true).await.unwrap(), 0);
        assert_eq!(db.notification_count(&person, false).await.unwrap(), 1);
        t.finish().await;
    }
}

#[tokio::test]
async fn deliveries_are_sent_only_by_their_claim_and_retried_after_a_crash() {
    for t in engines().await {
        let (org, ob, person) = demo_db(&t).await;
        let db = &t.db;
        record(db, &reminder("k/overdue", &ob, &org, &person)).await;
        let at = now().timestamp_millis();
        let ids = db.due_deliveries(at, 10).await.unwrap();
        let id = &ids[0];
        // "dead" claims it and never reports back.
        let dead = db
            .claim_delivery(id, "dead", at, at + 120_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dead.status, "sending");
        assert!(
            db.claim_delivery(id, "live", at + 60_000, at + 180_000)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            !db.due_deliveries(at + 60_000, 10)
                .await
                .unwrap()
                .contains(id)
        );
        // After the lease, it is due again and another instance takes it.
        assert!(
            db.due_deliveries(at + 120_001, 10)
                .await
                .unwrap()
                .contains(id)
        );
        let live = db
            .claim_delivery(id, "live", at + 120_001, at + 240_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(live.attempts, 2);
        // The dead claim's late report changes nothing; the live one's is recorded.
        let mut tx = db.begin(&Actor::system(), now()).await.unwrap();
        assert!(!tx.delivery_sent(&dead, "dead").await.unwrap());
        assert!(tx.delivery_sent(&live, "live").await.unwrap());
        tx.commit().await.unwrap();
        let sent = db.delivery(id).await.unwrap();
        assert_eq!(sent.status, "sent");
        assert!(sent.sent_at.is_some());
        let tries = db.attempts(std::slice::from_ref(id)).await.unwrap();
        assert_eq!(tries[id].len(), 1);
        assert_eq!(tries[id][0].outcome, "sent");
        assert_eq!(tries[id][0].attempt, 2);
        // Never claimed again.
        assert!(
            db.claim_delivery(id, "x", at + 999_999_999, at + 999_999_999)
                .await
                .unwrap()
                .is_none()
        );

        // The other delivery fails: retried later, then failed for good.
        let other = ids.iter().find(|x| *x != id).unwrap();
        let c = db
            .claim_delivery(other, "a", at, at + 60_000)
            .await
            .unwrap()
            .unwrap();
        let mut tx = db.begin(&Actor::system(), now()).await.unwrap();
        assert!(
            tx.delivery_failed(&c, "a", "connection refused", Some(at + 60_000))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let row = db.delivery(other).await.unwrap();
        assert_eq!(
            (row.status.as_str(), row.next_attempt_at),
            ("pending", at + 60_000)
        );
        assert_eq!(row.last_error.as_deref(), Some("connection refused"));
        assert!(
            db.claim_delivery(other, "b", at + 59_999, at + 120_000)
                .await
                .unwrap()
                .is_none()
        );
        let c = db
            .claim_delivery(other, "b", at + 60_000, at + 120_000)
            .await
            .unwrap()
            .unwrap();
        let mut tx = db.begin(&Actor::system(), now()).await.unwrap();
        assert!(
            tx.delivery_failed(&c, "b", "still down", None)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let row = db.delivery(other).await.unwrap();
        assert_eq!((row.status.as_str(), row.attempts), ("failed", 2));
        let tries = db.attempts(std::slice::from_ref(other)).await.unwrap();
        let outcomes: Vec<&str> = tries[other].iter().map(|a| a.outcome.as_str()).collect();
        assert_eq!(outcomes, ["retry", "failed"]);
        assert!(
            db.due_deliveries(at + 999_999_999, 10)
                .await
                .unwrap()
                .is_empty()
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn a_robot_gets_at_most_twenty_messages_a_minute() {
    for t in engines().await {
        demo_db(&t).await;
        let db = &t.db;
        let at = now().timestamp_millis();
        let mut taken = 0;
        let mut refused = Vec::new();
        for i in 0..25 {
            match db.take_robot_slot("robot-a", at + i * 1000).await.unwrap() {
                None => taken += 1,
                Some(free_at) => refused.push(free_at),
            }
        }
        assert_eq!(taken, 20, "{}", t.label);
        assert_eq!(refused.len(), 5);
        // The first slot frees a minute after it was used.
        assert_eq!(refused[0], at + 60_000);
        // Another robot has its own minute.
        assert_eq!(db.take_robot_slot("robot-b", at).await.unwrap(), None);
        // A minute after the first message, one more may go.
        assert_eq!(
            db.take_robot_slot("robot-a", at + 60_000).await.unwrap(),
            None
        );
        assert!(
            db.take_robot_slot("robot-a", at + 60_000)
                .await
                .unwrap()
                .is_some()
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn deferring_puts_a_claim_back_without_counting_it() {
    for t in engines().await {
        let (org, ob, person) = demo_db(&t).await;
        let db = &t.db;
        record(db, &reminder("k/escalate", &ob, &org, &person)).await;
        let at = now().timestamp_millis();
        let id = db.due_deliveries(at, 10).await.unwrap()[0].clone();
        db.claim_delivery(&id, "a", at, at + 60_000)
            .await
            .unwrap()
            .unwrap();
        assert!(!db.defer_delivery(&id, "b", at + 30_000).await.unwrap());
        assert!(db.defer_delivery(&id, "a", at + 30_000).await.unwrap());
        let row = db.delivery(&id).await.unwrap();
        assert_eq!(
            (row.status.as_str(), row.attempts, row.next_attempt_at),
            ("pending", 0, at + 30_000)
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn channels_are_version_checked_and_secrets_stay_out_of_the_audit() {
    for t in engines().await {
        let (org, _, person) = demo_db(&t).await;
        let db = &t.db;
        let p = db.person_channels(&person).await.unwrap();
        assert_eq!(
            (p.version, p.email.clone(), p.email_enabled),
            (0, None, true)
        );
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let p = tx
            .put_person_channels(&person, Some("li@example.test"), true, 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(p.version, 1);
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        assert!(matches!(
            tx.put_person_channels(&person, None, false, 0).await,
            Err(StorageError::Conflict { actual: 1, .. })
        ));
        drop(tx);
        assert_eq!(
            db.all_person_channels().await.unwrap()[&person]
                .email
                .as_deref(),
            Some("li@example.test")
        );

        let o = db.org_channels(&org).await.unwrap();
        assert_eq!(o.version, 0);
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        tx.put_org_channels(
            &org,
            Some("http://127.0.0.1:9/cgi-bin/webhook/send?key=TOKEN-W"),
            Some("http://127.0.0.1:9/robot/send?access_token=TOKEN-D"),
            SecretUpdate::Set("SEC-SECRET".into()),
            0,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // An empty secret field keeps the stored secret.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let o = tx
            .put_org_channels(
                &org,
                None,
                Some("http://127.0.0.1:9/robot/send?access_token=TOKEN-D"),
                SecretUpdate::Keep,
                1,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(o.dingtalk_secret.as_deref(), Some("SEC-SECRET"));
        assert_eq!(o.wecom_url, None);
        assert_eq!(db.all_org_channels().await.unwrap()[&org].version, 2);

        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        tx.put_secret_setting(
            "smtp",
            &json!({"host": "127.0.0.1", "password": "PW-SECRET"}),
            &["password"],
            0,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (stored, v) = db
            .setting::<serde_json::Value>("smtp")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((stored["password"].as_str(), v), (Some("PW-SECRET"), 1));

        let audit = db.audit_page(0, 100_000).await.unwrap();
        let text = serde_json::to_string(&audit).unwrap();
        for secret in ["TOKEN-W", "TOKEN-D", "SEC-SECRET", "PW-SECRET"] {
            assert!(
                !text.contains(secret),
                "{secret} in the audit log on {}",
                t.label
            );
        }
        assert!(text.contains("notify.org_channels"));
        assert!(db.verify_audit().await.unwrap().is_ok());
        t.finish().await;
    }
}

#[tokio::test]
async fn the_planner_reads_obligations_by_due_window() {
    for t in engines().await {
        demo_db(&t).await;
        let db = &t.db;
        let all = db
            .obligations_due_between(d("2026-12-01"), d("2026-12-31"))
            .await
            .unwrap();
        assert!(!all.is_empty());
        assert!(
            all.iter()
                .all(|o| o.due >= d("2026-12-01") && o.due <= d("2026-12-31"))
        );
        // Done ones are left out: the demo completed most of what fell due before today.
        let past = db
            .obligations_due_between(d("2026-01-01"), d("2026-11-28"))
            .await
            .unwrap();
        let model = db.load_model().await.unwrap();
        let mut stored = 0;
        for org in model.orgs() {
            stored += db
                .obligations(&org.id, 2026)
                .await
                .unwrap()
                .iter()
                .filter(|o| o.due <= d("2026-11-28"))
                .count();
        }
        assert!(
            !past.is_empty() && past.len() < stored,
            "{} of {stored}",
            past.len()
        );
        assert!(past.iter().all(|o| o.discharge == Discharge::Open));
        let n = db
            .obligations_due_between(d("2030-01-01"), d("2030-12-31"))
            .await
            .unwrap();
        assert!(n.is_empty());
        t.finish().await;
    }
}
