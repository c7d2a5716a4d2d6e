//! Annual reviews and their rectification tasks on both engines: a review discharges the
//! platform's annual-review obligation of its year; a "rectify" outcome opens each task as an
//! obligation due on its deadline, its owner its handler; a rectification report closes it; a
//! rectification survives the year's replanning; the audit chain verifies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;
use zeren_core::Lang;
use zeren_core::obligation::SubjectKind;
use zeren_core::platforms::{ItemDraft, RectificationDraft, ReviewDraft, check_review};
use zeren_core::policy::builtin_pack;
use zeren_core::records::RecordDraft;
use zeren_core::vocab::PlatformKind;
use zeren_storage::testing::{TestDb, engines, university_and_college};
use zeren_storage::{Actor, Db, NewPlatform, ledger};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap()
}

async fn each(story: impl AsyncFn(&TestDb)) {
    for t in engines().await {
        eprintln!("story on {}", t.label);
        story(&t).await;
        t.finish().await;
    }
}

/// A college with a running WeChat account with news functions, and the secretary of the
/// college (who holds a post there: a handler may be named).
async fn seed(db: &Db) -> (String, String) {
    ledger::initialise(db, now()).await.unwrap();
    let pack = builtin_pack().unwrap();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    let (_, college) = university_and_college(&mut tx).await.unwrap();
    let p = tx
        .create_platform(
            &pack,
            NewPlatform {
                code: "cqu-mse-wechat".into(),
                name: "材料学院公众号".into(),
                kind: PlatformKind::WechatOfficial,
                org: college.id.clone(),
                portfolio: Some("publicity".into()),
                news_function: true,
                opened_on: d("2025-09-01"),
                operators: Vec::new(),
                state: zeren_core::vocab::PlatformState::Active,
            },
        )
        .await
        .unwrap();
    let person = tx
        .create_person(zeren_storage::NewPerson::new("王建国", &college.id))
        .await
        .unwrap();
    let post = tx
        .create_post(&pack, &college.id, "committee-member", "宣传委员", &[])
        .await
        .unwrap();
    tx.add_holding(&pack, &post.id, &person.id, d("2024-09-01"), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    ledger::sync_obligations(db, &Actor::cli(), 2026, now())
        .await
        .unwrap();
    let someone = person.id;
    (p.id, someone)
}

fn answers(pack: &zeren_core::policy::PolicyPack, failed: &str) -> BTreeMap<String, ItemDraft> {
    pack.annual_review
        .as_ref()
        .unwrap()
        .items_for(PlatformKind::WechatOfficial, true)
        .iter()
        .map(|i| {
            let met = i.id != failed;
            (
                i.id.clone(),
                ItemDraft {
                    result: if met { "met" } else { "not-met" }.into(),
                    note: if met {
                        String::new()
                    } else {
                        "两名管理员未开启双重认证".into()
                    },
                },
            )
        })
        .collect()
}

#[tokio::test]
async fn a_rectify_review_opens_tasks_that_are_obligations_closed_by_a_report() {
    each(async |t| {
        let db = &t.db;
        let (platform, person) = seed(db).await;
        let pack = builtin_pack().unwrap();
        let model = db.load_model().await.unwrap();
        let set = db.policy_set().await.unwrap();
        let p = model.find_platform(&platform).unwrap().clone();
        let review = |deadline: &str| ReviewDraft {
            date: "2026-11-20".into(),
            reviewer: person.clone(),
            items: answers(&pack, "account-security"),
            outcome: "rectify".into(),
            summary: "账号安全措施未落实到位".into(),
            rectifications: vec![RectificationDraft {
                item: "account-security".into(),
                title: "全部管理员开启双重认证".into(),
                owner: person.clone(),
                deadline: deadline.into(),
            }],
        };
        // A pass with an item not met is refused, naming the item.
        let mut pass = review("");
        pass.outcome = "pass".into();
        pass.rectifications.clear();
        let e = check_review(
            &pass,
            &p,
            pack.annual_review.as_ref(),
            &model,
            d("2026-11-28"),
            Lang::Zh,
        )
        .unwrap_err();
        assert!(
            e.iter()
                .any(|(f, m)| f == "outcome" && m.contains("账号安全")),
            "{e:?}"
        );
        // A deadline before the review is refused at its row.
        let e = check_review(
            &review("2026-11-01"),
            &p,
            pack.annual_review.as_ref(),
            &model,
            d("2026-11-28"),
            Lang::Zh,
        )
        .unwrap_err();
        assert!(
            e.iter().any(|(f, _)| f == "rectifications.1.deadline"),
            "{e:?}"
        );

        let (day, checked) = check_review(
            &review("2026-12-20"),
            &p,
            pack.annual_review.as_ref(),
            &model,
            d("2026-11-28"),
            Lang::Zh,
        )
        .unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let record = tx
            .record_review(&p, day, checked, &set, &model, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // The year's annual review is done by it, on its day.
        let about = db
            .obligations_about(SubjectKind::Platform, &platform)
            .await
            .unwrap();
        let annual = about
            .iter()
            .find(|o| o.duty == "platform-annual-review" && o.period == "2026")
            .unwrap();
        assert_eq!(
            (annual.state.as_str(), annual.completed_on),
            ("done", Some(d("2026-11-20")))
        );
        assert_eq!(db.evidence_of(&annual.id).await.unwrap().len(), 1);

        // The task is an obligation due on its deadline, about the platform, its owner handler.
        let tasks = db.rectifications_of(&platform).await.unwrap();
        assert_eq!(tasks.len(), 1);
        let ob = db.rectification_obligations(&platform).await.unwrap();
        assert_eq!(ob.len(), 1);
        assert_eq!(ob[0].duty, "platform-rectification");
        assert_eq!(
            (ob[0].due, ob[0].subject.as_str()),
            (d("2026-12-20"), tasks[0].id.as_str())
        );
        assert_eq!(ob[0].platform.as_deref(), Some(platform.as_str()));
        assert_eq!(ob[0].handler.as_deref(), Some(person.as_str()));
        assert_eq!(ob[0].state, "open");

        // The year's replanning keeps it (a rectification is an event of the year).
        ledger::sync_obligations(db, &Actor::cli(), 2026, now())
            .await
            .unwrap();
        let again = db.rectification_obligations(&platform).await.unwrap();
        assert_eq!(again[0].state, "open");

        // A review is not amended through the records' general path.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let refused = tx
            .amend_record(
                &record.id,
                record.version,
                &RecordDraft::default(),
                &model,
                &pack,
                Lang::Zh,
            )
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("年审记录不能修改"),
            "{refused}"
        );
        drop(tx);

        // A report on another org's task, or on none, is refused; the right one closes it.
        let report = |rect: &str| RecordDraft {
            kind: "rectification-report".into(),
            org: "cqu-mse".into(),
            date: "2026-11-27".into(),
            title: "双重认证整改情况".into(),
            rectification: rect.into(),
            text: "五名管理员均已开启双重认证。".into(),
            ..RecordDraft::default()
        };
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let e = tx
            .create_record(&report("nope"), &model, &pack, Lang::Zh)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("找不到整改任务"), "{e}");
        drop(tx);
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let r = tx
            .create_record(&report(&tasks[0].id), &model, &pack, Lang::Zh)
            .await
            .unwrap();
        tx.attach_evidence(&ob[0].id, &r.id, again[0].version, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let closed = db.rectification_obligations(&platform).await.unwrap();
        assert_eq!(
            (closed[0].state.as_str(), closed[0].completed_on),
            ("done", Some(d("2026-11-27")))
        );
        assert!(db.open_rectifications(&p.org).await.unwrap().is_empty());

        let actions: Vec<String> = db
            .audit_page(0, 1_000_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(
            actions.iter().any(|a| a == "rectification.open"),
            "{actions:?}"
        );
        assert!(db.verify_audit().await.unwrap().is_ok());
    })
    .await;
}
