//! Every repository function, on SQLite always and on PostgreSQL when `ZEREN_TEST_POSTGRES` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use zeren_core::audit::ChainError;
use zeren_core::obligation::generate;
use zeren_core::policy::{BUILTIN_PACK_ID, builtin_pack, builtin_source_as, parse_pack};
use zeren_core::vocab::{OrgKind, PlatformKind};
use zeren_storage::testing::{TestDb, engines, university_and_college};
use zeren_storage::{Actor, Db, NewOrg, NewPlatform, OrgEdit, StorageError, ledger};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap()
}

struct Seed {
    college: String,
    secretary_post: String,
    old: String,
    new: String,
}

/// A university, a college with a secretary and a deputy holding publicity, a branch and a platform.
async fn seed(db: &Db) -> Seed {
    ledger::initialise(db, now()).await.unwrap();
    let pack = builtin_pack().unwrap();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    let (uni, college) = university_and_college(&mut tx).await.unwrap();
    tx.create_org(NewOrg {
        code: "cqu-mse-b1".into(),
        name: "教工第一党支部".into(),
        kind: OrgKind::Branch,
        parent: Some("cqu-mse".into()),
        established_on: None,
    })
    .await
    .unwrap();
    let old = tx
        .create_person(zeren_storage::NewPerson::new("王建国", &college.id))
        .await
        .unwrap();
    let new = tx
        .create_person(zeren_storage::NewPerson::new("李明华", &college.id))
        .await
        .unwrap();
    let deputy = tx
        .create_person(zeren_storage::NewPerson::new("赵敏", &college.id))
        .await
        .unwrap();
    let sec = tx
        .create_post(&pack, &college.id, "secretary", "党委书记", &[])
        .await
        .unwrap();
    tx.add_holding(&pack, &sec.id, &old.id, d("2019-09-01"), None)
        .await
        .unwrap();
    let dep = tx
        .create_post(
            &pack,
            &college.id,
            "deputy-secretary",
            "党委副书记",
            &["publicity"],
        )
        .await
        .unwrap();
    tx.add_holding(&pack, &dep.id, &deputy.id, d("2019-09-01"), None)
        .await
        .unwrap();
    tx.create_platform(
        &pack,
        NewPlatform {
            code: "cqu-mse-wechat".into(),
            name: "微信公众号".into(),
            kind: PlatformKind::WechatOfficial,
            org: college.id.clone(),
            portfolio: Some("publicity".into()),
            news_function: true,
            opened_on: d("2017-03-01"),
            operators: vec![deputy.id.clone()],
            state: zeren_core::vocab::PlatformState::Active,
        },
    )
    .await
    .unwrap();
    let _ = uni;
    tx.commit().await.unwrap();
    Seed {
        college: college.id,
        secretary_post: sec.id,
        old: old.id,
        new: new.id,
    }
}

fn rename(name: &str) -> OrgEdit {
    OrgEdit {
        name: Some(name.into()),
        ..OrgEdit::default()
    }
}

async fn each(story: impl AsyncFn(&TestDb)) {
    for t in engines().await {
        eprintln!("story on {}", t.label);
        story(&t).await;
        t.finish().await;
    }
}

#[tokio::test]
async fn initialise_loads_the_builtin_pack_once() {
    each(async |t| {
        assert!(ledger::initialise(&t.db, now()).await.unwrap());
        assert!(!ledger::initialise(&t.db, now()).await.unwrap());
        let p = t.db.policy(BUILTIN_PACK_ID).await.unwrap();
        assert!(p.builtin);
        assert_eq!(p.pack.articles.len(), 8);
        assert_eq!(t.db.policies().await.unwrap().len(), 1);
        let in_force =
            t.db.policy_in_force(&p.pack.meta.series, d("2021-05-13"))
                .await
                .unwrap();
        assert_eq!(
            in_force.map(|p| p.meta.id),
            Some(BUILTIN_PACK_ID.to_string())
        );
        assert!(
            t.db.policy_in_force(&p.pack.meta.series, d("2021-05-12"))
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn a_new_policy_version_takes_over_on_its_date() {
    each(async |t| {
        ledger::initialise(&t.db, now()).await.unwrap();
        let src = builtin_source_as("cqu-mse-2025-2", 2, "2025-03-01");
        let v2 = parse_pack(&src).unwrap();
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        tx.load_policy(&v2, &src, false).await.unwrap();
        tx.commit().await.unwrap();
        let series = v2.meta.series.clone();
        assert_eq!(
            t.db.policy_in_force(&series, d("2025-02-28"))
                .await
                .unwrap()
                .unwrap()
                .meta
                .id,
            "cqu-mse-2021-6"
        );
        assert_eq!(
            t.db.policy_in_force(&series, d("2025-03-01"))
                .await
                .unwrap()
                .unwrap()
                .meta
                .id,
            "cqu-mse-2025-2"
        );
        // The same version again is refused, and nothing is written.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let err = tx.load_policy(&v2, &src, false).await.unwrap_err();
        assert!(matches!(err, StorageError::Invalid(_)), "{err}");
        drop(tx);
        assert_eq!(t.db.policies().await.unwrap().len(), 2);
    })
    .await;
}

/// The built-in pack as a version 2 from 1 July 2026: situation analysis monthly, the annual
/// dedicated study due 15 December.
fn version_2_mid_2026() -> (zeren_core::policy::PolicyPack, String) {
    let src = builtin_source_as("cqu-mse-2026-4", 2, "2026-07-01")
        .replacen(
            "cadence = \"quarterly\"                    # college's choice",
            "cadence = \"monthly\"                    # college's choice",
            1,
        )
        .replacen("due = { by = \"12-31\" }", "due = { by = \"12-15\" }", 1);
    assert!(src.contains("cadence = \"monthly\""));
    (parse_pack(&src).unwrap(), src)
}

#[tokio::test]
async fn a_version_loaded_mid_year_governs_its_periods_and_keeps_what_was_done() {
    each(async |t| {
        let s = seed(&t.db).await;
        ledger::sync_obligations(&t.db, &Actor::system(), 2026, now())
            .await
            .unwrap();
        let before = t.db.obligations(&s.college, 2026).await.unwrap();
        let analysis = |list: &[zeren_storage::StoredObligation], period: &str| {
            list.iter()
                .find(|o| o.duty == "situation-analysis" && o.period == period)
                .cloned()
        };
        // Q3 was done under version 1 before version 2 came.
        let q3 = analysis(&before, "2026-Q3").unwrap();
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        tx.complete_obligation(&q3.id, q3.version, d("2026-10-10"), "三季度研判")
            .await
            .unwrap();
        let (v2, src) = version_2_mid_2026();
        tx.load_policy(&v2, &src, false).await.unwrap();
        tx.commit().await.unwrap();
        let added = ledger::sync_obligations(&t.db, &Actor::system(), 2026, now())
            .await
            .unwrap();
        assert_eq!(added, 6, "July to December, monthly");
        let after = t.db.obligations(&s.college, 2026).await.unwrap();
        // Nothing deleted: every obligation stored before is still there (Q4 withdrawn, out of
        // the list, kept with its history).
        for b in &before {
            t.db.obligation(&b.id).await.unwrap();
        }
        let q4 = analysis(&before, "2026-Q4").unwrap();
        assert_eq!(t.db.obligation(&q4.id).await.unwrap().state, "withdrawn");
        assert!(analysis(&after, "2026-Q4").is_none());
        // Q1 and Q2 stay with version 1; Q3 stays done; Q4, open, is withdrawn.
        assert_eq!(analysis(&after, "2026-Q1").unwrap().policy, BUILTIN_PACK_ID);
        assert_eq!(analysis(&after, "2026-Q2").unwrap().state, "open");
        assert_eq!(analysis(&after, "2026-Q3").unwrap().state, "done");
        for m in 7..=12 {
            let o = analysis(&after, &format!("2026-{m:02}")).unwrap();
            assert_eq!(
                (o.policy.as_str(), o.state.as_str()),
                ("cqu-mse-2026-4", "open")
            );
        }
        assert!(analysis(&after, "2026-06").is_none());
        // The open annual study is governed by version 2 now, with its due date and article.
        let study = after
            .iter()
            .find(|o| o.duty == "annual-dedicated-study")
            .unwrap();
        assert_eq!(
            (study.policy.as_str(), study.due),
            ("cqu-mse-2026-4", d("2026-12-15"))
        );
        // Syncing again changes nothing; the chain holds.
        assert_eq!(
            ledger::sync_obligations(&t.db, &Actor::system(), 2026, now())
                .await
                .unwrap(),
            0
        );
        assert_eq!(t.db.obligations(&s.college, 2026).await.unwrap(), after);
        t.db.verify_audit().await.unwrap().unwrap();
    })
    .await;
}

#[tokio::test]
async fn org_model_round_trips_and_rules_hold() {
    each(async |t| {
        let s = seed(&t.db).await;
        let model = t.db.load_model().await.unwrap();
        assert_eq!(model.orgs().len(), 3);
        assert_eq!(model.find_org("cqu-mse").unwrap().id, s.college);
        assert_eq!(model.subtree(&model.find_org("cqu").unwrap().id).len(), 3);
        assert_eq!(
            model
                .find_platform("cqu-mse-wechat")
                .unwrap()
                .operators
                .len(),
            1
        );
        assert_eq!(
            t.db.find_org("cqu-mse").await.unwrap().name,
            "材料科学与工程学院"
        );
        assert!(matches!(
            t.db.find_org("nope").await,
            Err(StorageError::NotFound { .. })
        ));

        let pack = builtin_pack().unwrap();
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        // A second holder of a single-holder post on the same day is refused.
        let err = tx
            .add_holding(&pack, &s.secretary_post, &s.new, d("2026-07-01"), None)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("already has a holder"), "{err}");
        // End before start is refused.
        let err = tx
            .add_holding(
                &pack,
                &s.secretary_post,
                &s.new,
                d("2010-07-01"),
                Some(d("2010-06-01")),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("before it starts"), "{err}");
        // Duplicate codes, unknown posts, wrong parents.
        let err = tx
            .create_org(NewOrg {
                code: "cqu-mse".into(),
                name: "x".into(),
                kind: OrgKind::College,
                parent: Some("cqu".into()),
                established_on: None,
            })
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Duplicate { .. }), "{err}");
        drop(tx);
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        assert!(
            tx.create_post(&pack, &s.college, "pope", "x", &[])
                .await
                .is_err()
        );
        assert!(
            tx.create_org(NewOrg {
                code: "x".into(),
                name: "x".into(),
                kind: OrgKind::College,
                parent: None,
                established_on: None
            })
            .await
            .is_err()
        );
        assert!(
            tx.create_org(NewOrg {
                code: "Bad Code".into(),
                name: "x".into(),
                kind: OrgKind::Branch,
                parent: Some("cqu-mse".into()),
                established_on: None
            })
            .await
            .is_err()
        );
        drop(tx);
        // Version check on edits.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let (renamed, version) = tx
            .update_org(&s.college, 1, rename("材料学院"))
            .await
            .unwrap();
        assert_eq!((renamed.name.as_str(), version), ("材料学院", 2));
        let err = tx
            .update_org(&s.college, 1, rename("又改"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StorageError::Conflict {
                    expected: 1,
                    actual: 2,
                    ..
                }
            ),
            "{err}"
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn handover_moves_responsibility_on_its_date() {
    each(async |t| {
        let s = seed(&t.db).await;
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        tx.handover(
            &zeren_core::policy::builtin_pack().unwrap(),
            &s.secretary_post,
            &s.new,
            d("2026-07-01"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let model = t.db.load_model().await.unwrap();
        assert_eq!(
            model.holders_on(&s.secretary_post, d("2026-06-30"))[0].person,
            s.old
        );
        assert_eq!(
            model.holders_on(&s.secretary_post, d("2026-07-01"))[0].person,
            s.new
        );
        // A handover into the past of the new holding is refused.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        assert!(
            tx.handover(
                &zeren_core::policy::builtin_pack().unwrap(),
                &s.secretary_post,
                &s.old,
                d("2026-07-01")
            )
            .await
            .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn obligations_are_generated_once_and_keep_completion_data() {
    each(async |t| {
        let s = seed(&t.db).await;
        let added = ledger::sync_obligations(&t.db, &Actor::system(), 2026, now())
            .await
            .unwrap();
        assert!(added > 0);
        let list = t.db.obligations(&s.college, 2026).await.unwrap();
        let study = list
            .iter()
            .find(|o| o.duty == "annual-dedicated-study")
            .unwrap();
        assert_eq!(study.due, d("2026-12-31"));
        assert_eq!(study.citation, "Art.4(2)");
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        tx.complete_obligation(&study.id, study.version, d("2026-11-20"), "党委会专题研究")
            .await
            .unwrap();
        // Completing in the future is refused.
        let q1 = list
            .iter()
            .find(|o| o.duty == "situation-analysis")
            .unwrap();
        assert!(
            tx.complete_obligation(&q1.id, q1.version, d("2026-12-01"), "x")
                .await
                .is_err()
        );
        tx.commit().await.unwrap();
        // A stale version is a conflict.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        assert!(matches!(
            tx.complete_obligation(&study.id, study.version, d("2026-11-21"), "x")
                .await,
            Err(StorageError::Conflict { .. })
        ));
        drop(tx);
        // After a handover, regeneration adds nothing and keeps the completion.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        tx.handover(
            &zeren_core::policy::builtin_pack().unwrap(),
            &s.secretary_post,
            &s.new,
            d("2026-07-01"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            ledger::sync_obligations(&t.db, &Actor::system(), 2026, now())
                .await
                .unwrap(),
            0
        );
        let again = t.db.obligations(&s.college, 2026).await.unwrap();
        assert_eq!(again.len(), list.len());
        let study = again
            .iter()
            .find(|o| o.duty == "annual-dedicated-study")
            .unwrap();
        assert_eq!(study.state, "done");
        assert_eq!(study.completed_on, Some(d("2026-11-20")));
        // The stored set is exactly what the core plans.
        let pack = builtin_pack().unwrap();
        let model = t.db.load_model().await.unwrap();
        let planned = generate(&pack, &model, 2026, &[]);
        assert_eq!(
            t.db.obligation_keys(2026).await.unwrap().len(),
            planned.len()
        );
    })
    .await;
}

#[tokio::test]
async fn audit_chain_verifies_and_catches_hand_edits() {
    each(async |t| {
        seed(&t.db).await;
        let n = t.db.verify_audit().await.unwrap().unwrap();
        assert!(n >= 10, "{n}");
        let pool = zeren_storage::Db::connect(&t.url).await.unwrap();
        // Edit one row by hand.
        raw(
            &pool,
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
        )
        .await;
        assert_eq!(
            t.db.verify_audit().await.unwrap(),
            Err(ChainError::Altered { seq: 3 })
        );
        raw(&pool, "UPDATE audit_log SET actor = 'cli' WHERE seq = 3").await;
        assert_eq!(t.db.verify_audit().await.unwrap(), Ok(n));
        // Delete a row in the middle, then the last one.
        raw(&pool, "DELETE FROM audit_log WHERE seq = 5").await;
        assert_eq!(
            t.db.verify_audit().await.unwrap(),
            Err(ChainError::Broken { seq: 6, prev: 4 })
        );
        pool.close().await;
    })
    .await;
}

#[tokio::test]
async fn audit_chain_catches_a_removed_tail() {
    each(async |t| {
        seed(&t.db).await;
        let n = t.db.verify_audit().await.unwrap().unwrap() as i64;
        let pool = zeren_storage::Db::connect(&t.url).await.unwrap();
        raw(&pool, &format!("DELETE FROM audit_log WHERE seq = {n}")).await;
        assert_eq!(
            t.db.verify_audit().await.unwrap(),
            Err(ChainError::Truncated {
                last: n - 1,
                head: n
            })
        );
        pool.close().await;
    })
    .await;
}

#[tokio::test]
async fn every_change_is_audited_in_its_transaction() {
    each(async |t| {
        ledger::initialise(&t.db, now()).await.unwrap();
        let before = t.db.verify_audit().await.unwrap().unwrap();
        // A transaction dropped without commit leaves neither the change nor its audit entry.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        tx.create_org(NewOrg {
            code: "cqu".into(),
            name: "重庆大学".into(),
            kind: OrgKind::University,
            parent: None,
            established_on: None,
        })
        .await
        .unwrap();
        drop(tx);
        assert!(!t.db.has_orgs().await.unwrap());
        assert_eq!(t.db.verify_audit().await.unwrap().unwrap(), before);
        let mut tx =
            t.db.begin(
                &Actor {
                    name: "admin".into(),
                    origin: "127.0.0.1".into(),
                },
                now(),
            )
            .await
            .unwrap();
        tx.create_org(NewOrg {
            code: "cqu".into(),
            name: "重庆大学".into(),
            kind: OrgKind::University,
            parent: None,
            established_on: None,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let entries = t.db.audit_page(before as i64, 10).await.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].action, "org.create");
        assert_eq!(entries[0].actor, "admin");
        assert_eq!(entries[0].origin, "127.0.0.1");
        assert!(entries[0].after.as_deref().unwrap().contains("重庆大学"));
    })
    .await;
}

async fn raw(db: &Db, sql: &str) {
    zeren_storage::testing::execute_raw(db, sql).await.unwrap();
}

#[tokio::test]
async fn portfolios_are_held_over_dated_assignments_that_follow_appointments_and_handovers() {
    use zeren_core::org::AssignmentError;
    use zeren_storage::AssignmentEdit;
    each(async |t| {
        let s = seed(&t.db).await;
        let pack = builtin_pack().unwrap();
        let publicity = |m: &zeren_core::org::OrgModel, day: &str| {
            m.portfolio_holders_on(&s.college, "publicity", d(day))
                .first()
                .map(|(_, h, a)| (h.person.clone(), a.id.clone()))
        };
        // The deputy's appointment gave the post's standing portfolio from its first day.
        let model = t.db.load_model().await.unwrap();
        let (deputy, standing) = publicity(&model, "2026-06-01").unwrap();
        assert_eq!(model.assignments().len(), 1);

        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let vd = tx.create_person(zeren_storage::NewPerson::new("孙立", &s.college)).await.unwrap();
        let vd_post = tx
            .create_post(&pack, &s.college, "vice-dean", "副院长", &[])
            .await
            .unwrap();
        let vd_holding = tx
            .add_holding(&pack, &vd_post.id, &vd.id, d("2020-01-01"), None)
            .await
            .unwrap();
        // One leader answers for a portfolio of an org on a day.
        let err = tx
            .assign_portfolio(&pack, &vd_holding.id, "publicity", d("2026-09-01"), None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StorageError::Assignment(AssignmentError::Overlap { ref other, .. }) if *other == standing),
            "{err}"
        );
        let err = tx
            .assign_portfolio(&pack, &vd_holding.id, "no-such", d("2026-09-01"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Assignment(AssignmentError::UnknownPortfolio(_))));
        // 分工调整 on 1 September: the deputy's ends, the vice-dean's begins.
        let end = AssignmentEdit {
            end: Some(Some(d("2026-08-31"))),
            ..AssignmentEdit::default()
        };
        let (_, v) = tx.update_assignment(&pack, &standing, 1, end.clone()).await.unwrap();
        assert_eq!(v, 2);
        let err = tx.update_assignment(&pack, &standing, 1, end).await.unwrap_err();
        assert!(matches!(err, StorageError::Conflict { expected: 1, actual: 2, .. }));
        let moved = tx
            .assign_portfolio(&pack, &vd_holding.id, "publicity", d("2026-09-01"), None)
            .await
            .unwrap();
        // A wrong date is corrected with a reason, never silently.
        let correct = AssignmentEdit {
            end: Some(Some(d("2026-08-30"))),
            ..AssignmentEdit::default()
        };
        let err = tx
            .update_assignment(&pack, &standing, 2, correct.clone())
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Assignment(AssignmentError::ReasonRequired)));
        tx.update_assignment(
            &pack,
            &standing,
            2,
            AssignmentEdit {
                reason: Some("党委会纪要所记日期为8月30日".into()),
                ..correct
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let model = t.db.load_model().await.unwrap();
        assert_eq!(publicity(&model, "2026-08-30").unwrap().0, deputy);
        assert_eq!(publicity(&model, "2026-08-31"), None);
        assert_eq!(publicity(&model, "2026-09-01").unwrap(), (vd.id.clone(), moved.id.clone()));

        // A handover of the vice-dean's post carries the portfolio to the successor.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let next = tx.create_person(zeren_storage::NewPerson::new("钱新", &s.college)).await.unwrap();
        tx.handover(&pack, &vd_post.id, &next.id, d("2026-10-01"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let model = t.db.load_model().await.unwrap();
        assert_eq!(publicity(&model, "2026-09-30").unwrap().0, vd.id);
        assert_eq!(publicity(&model, "2026-10-01").unwrap().0, next.id);
        let carried: Vec<_> = model
            .assignments()
            .iter()
            .filter(|a| a.portfolio == "publicity")
            .map(|a| (a.start, a.end))
            .collect();
        assert_eq!(
            carried,
            vec![
                (d("2019-09-01"), Some(d("2026-08-30"))),
                (d("2026-09-01"), Some(d("2026-09-30"))),
                (d("2026-10-01"), None),
            ]
        );
        // Each change is in the audit chain: create, end, correct, handover.
        let filter = zeren_storage::repo::audit_query::AuditFilter {
            object_type: Some("assignment".into()),
            ..Default::default()
        };
        let mut actions: Vec<String> = t
            .db
            .audit_search(&filter, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        actions.reverse();
        assert_eq!(
            actions,
            [
                "assignment.create",
                "assignment.end",
                "assignment.create",
                "assignment.correct",
                "assignment.end",
                "assignment.handover"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn people_keep_a_staff_number_and_contact_and_leaving_ends_their_posts_and_portfolios() {
    use zeren_storage::{NewPerson, PersonEdit, PersonError};
    each(async |t| {
        let s = seed(&t.db).await;
        let model = t.db.load_model().await.unwrap();
        let deputy = model
            .people()
            .find(|p| p.name == "赵敏")
            .unwrap()
            .id
            .clone();

        // A person with a staff number, an email and both user ids.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let sun = tx
            .create_person(NewPerson {
                name: " 孙立 ".into(),
                org: "cqu-mse".into(),
                staff_no: Some(" T2026001 ".into()),
                email: Some("sunli@cqu.edu.cn".into()),
                wecom_id: Some("sunli".into()),
                dingtalk_id: Some("ding-0001".into()),
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let rec = t.db.person_record(&sun.id).await.unwrap();
        assert_eq!(
            (rec.name.as_str(), rec.org.as_str(), rec.staff_no.as_deref()),
            ("孙立", s.college.as_str(), Some("T2026001"))
        );
        assert_eq!(rec.email.as_deref(), Some("sunli@cqu.edu.cn"));
        assert_eq!(
            (rec.wecom_id.as_deref(), rec.dingtalk_id.as_deref()),
            (Some("sunli"), Some("ding-0001"))
        );
        assert_eq!((rec.left_on, rec.version), (None, 1));
        // The email is the one reminders use.
        let channels = t.db.person_channels(&sun.id).await.unwrap();
        assert_eq!(channels.email.as_deref(), Some("sunli@cqu.edu.cn"));
        assert_eq!(
            t.db.person_by_staff_no("T2026001")
                .await
                .unwrap()
                .map(|r| r.id),
            Some(sun.id.clone())
        );
        assert!(t.db.person_by_staff_no("T2026002").await.unwrap().is_none());
        let all = t.db.person_records().await.unwrap();
        assert_eq!(all.len(), model.people().len() + 1);
        assert!(all.contains(&rec));

        // A second person with the same staff number is refused; bad fields are named.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let err = tx
            .create_person(NewPerson {
                staff_no: Some("T2026001".into()),
                ..NewPerson::new("钱二", "cqu-mse")
            })
            .await
            .unwrap_err();
        assert!(
            matches!(err, StorageError::Duplicate { what: "person", ref key } if key == "T2026001"),
            "{err}"
        );
        for (new, want) in [
            (
                NewPerson {
                    staff_no: Some("T 1".into()),
                    ..NewPerson::new("钱二", "cqu-mse")
                },
                PersonError::StaffNo,
            ),
            (
                NewPerson {
                    email: Some("a@b@c".into()),
                    ..NewPerson::new("钱二", "cqu-mse")
                },
                PersonError::Email,
            ),
            (
                NewPerson::new("名".repeat(101), "cqu-mse"),
                PersonError::Name,
            ),
        ] {
            let err = tx.create_person(new).await.unwrap_err();
            assert!(
                matches!(err, StorageError::Person(ref e) if *e == want),
                "{err}"
            );
        }
        drop(tx);

        // Edits: a stale version is a conflict; a staff number taken by someone else is refused.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let edit = PersonEdit {
            email: Some(None),
            staff_no: Some(Some("T2026009".into())),
            ..PersonEdit::default()
        };
        let (after, v) = tx.update_person(&sun.id, 1, edit.clone()).await.unwrap();
        assert_eq!(
            (after.email, after.staff_no.as_deref(), v),
            (None, Some("T2026009"), 2)
        );
        let err = tx.update_person(&sun.id, 1, edit).await.unwrap_err();
        assert!(
            matches!(
                err,
                StorageError::Conflict {
                    expected: 1,
                    actual: 2,
                    ..
                }
            ),
            "{err}"
        );
        let err = tx
            .update_person(
                &deputy,
                1,
                PersonEdit {
                    staff_no: Some(Some("T2026009".into())),
                    ..PersonEdit::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Duplicate { .. }), "{err}");
        drop(tx);
        // Rolled back: still version 1.
        assert_eq!(t.db.person_record(&sun.id).await.unwrap().version, 1);

        // The deputy leaves on 31 October: the deputy secretary post and its publicity
        // portfolio end that day; a day before the holding began is refused.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let err = tx
            .update_person(
                &deputy,
                1,
                PersonEdit {
                    left_on: Some(Some(d("2019-08-31"))),
                    ..PersonEdit::default()
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StorageError::Person(PersonError::LeftBeforeHoldingStart { start, .. })
                    if start == d("2019-09-01")
            ),
            "{err}"
        );
        drop(tx);
        let leave = PersonEdit {
            left_on: Some(Some(d("2026-10-31"))),
            ..PersonEdit::default()
        };
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let (left, v) = tx.update_person(&deputy, 1, leave).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!((left.left_on, v), (Some(d("2026-10-31")), 2));
        let model = t.db.load_model().await.unwrap();
        // Still in the model: history needs them.
        assert!(model.person(&deputy).is_some());
        let held: Vec<_> = model
            .holdings()
            .iter()
            .filter(|h| h.person == deputy)
            .map(|h| (h.start, h.end))
            .collect();
        assert_eq!(held, vec![(d("2019-09-01"), Some(d("2026-10-31")))]);
        let publicity: Vec<_> = model
            .assignments()
            .iter()
            .filter(|a| a.portfolio == "publicity")
            .map(|a| (a.start, a.end))
            .collect();
        assert_eq!(publicity, vec![(d("2019-09-01"), Some(d("2026-10-31")))]);
        assert!(
            model
                .portfolio_holders_on(&s.college, "publicity", d("2026-11-01"))
                .is_empty()
        );
        // Audited: the leaving, the holding's end, the assignment's end.
        let filter = zeren_storage::repo::audit_query::AuditFilter {
            object_type: Some("person".into()),
            ..Default::default()
        };
        let entries = t.db.audit_search(&filter, 0, 100).await.unwrap();
        let leave = entries.iter().find(|e| e.action == "person.leave").unwrap();
        assert_eq!(leave.object_id, deputy);
        let all = t.db.audit_page(0, 10_000).await.unwrap();
        let tail: Vec<&str> = all
            .iter()
            .rev()
            .take(3)
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(tail, ["assignment.end", "holding.end", "person.leave"]);

        // Back again: nothing reopens.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let back = PersonEdit {
            left_on: Some(None),
            ..PersonEdit::default()
        };
        let (rec, v) = tx.update_person(&deputy, 2, back).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!((rec.left_on, v), (None, 3));
        let model = t.db.load_model().await.unwrap();
        assert!(
            model
                .holdings()
                .iter()
                .filter(|h| h.person == deputy)
                .all(|h| h.end == Some(d("2026-10-31")))
        );
        let _ = (s.secretary_post, s.old, s.new);
        assert!(t.db.verify_audit().await.unwrap().unwrap() > 0);
    })
    .await;
}

#[tokio::test]
async fn a_handler_is_named_on_an_obligation_version_checked_audited_and_kept_by_regeneration() {
    each(async |t| {
        let s = seed(&t.db).await;
        ledger::sync_obligations(&t.db, &Actor::system(), 2026, now())
            .await
            .unwrap();
        let model = t.db.load_model().await.unwrap();
        let study =
            t.db.obligations(&s.college, 2026)
                .await
                .unwrap()
                .into_iter()
                .find(|o| o.duty == "annual-dedicated-study")
                .unwrap();
        assert_eq!(study.handler, None);
        // Someone with no post in the college (the secretary of before, whose holding is open
        // here, has one; the new one has none yet) is refused, in the language asked for.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let e = tx
            .set_obligation_handler(
                &study.id,
                study.version,
                Some(&s.new),
                &model,
                zeren_core::Lang::Zh,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&e, StorageError::Invalid(m) if m.contains("经办人")),
            "{e}"
        );
        drop(tx);
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let named = tx
            .set_obligation_handler(
                &study.id,
                study.version,
                Some(&s.old),
                &model,
                zeren_core::Lang::Zh,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(named.handler.as_deref(), Some(s.old.as_str()));
        assert_eq!(named.version, study.version + 1);
        // A stale version is a conflict; removing the handler with the current one works.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        assert!(matches!(
            tx.set_obligation_handler(&study.id, study.version, None, &model, zeren_core::Lang::En)
                .await,
            Err(StorageError::Conflict { .. })
        ));
        drop(tx);
        // Regeneration keeps the handler.
        ledger::sync_obligations(&t.db, &Actor::system(), 2026, now())
            .await
            .unwrap();
        let again = t.db.obligation(&study.id).await.unwrap();
        assert_eq!(again.handler.as_deref(), Some(s.old.as_str()));
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let removed = tx
            .set_obligation_handler(&study.id, again.version, None, &model, zeren_core::Lang::En)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(removed.handler, None);
        let actions: Vec<String> =
            t.db.audit_page(0, 100_000)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.object_id == study.id)
                .map(|e| e.action)
                .collect();
        assert_eq!(
            actions
                .iter()
                .filter(|a| *a == "obligation.handler")
                .count(),
            2,
            "{actions:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_post_closes_once_its_holding_is_ended_and_reopens_and_holding_dates_are_corrected_with_a_reason()
 {
    use zeren_core::org::{HoldingError, PostError};
    use zeren_storage::{HoldingEdit, PostEdit};
    each(async |t| {
        let s = seed(&t.db).await;
        let pack = builtin_pack().unwrap();
        let close = |day: &str| PostEdit {
            closed_on: Some(Some(d(day))),
        };
        let model = t.db.load_model().await.unwrap();
        let held = model.holders_on(&s.secretary_post, d("2026-06-30"))[0].id.clone();
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        // Refused while the holding runs past the closing day: end the holding first.
        let err = tx
            .update_post(&s.secretary_post, 1, close("2026-06-30"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StorageError::Post(PostError::HeldAfterClosing { ref holding, end: None, .. }) if *holding == held),
            "{err}"
        );
        // A correction of a holding's dates says why; ending an open one does not.
        let err = tx
            .update_holding(
                &pack,
                &held,
                1,
                HoldingEdit {
                    start: Some(d("2019-08-01")),
                    ..HoldingEdit::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Holding(HoldingError::ReasonRequired)), "{err}");
        let (ended, v) = tx
            .update_holding(
                &pack,
                &held,
                1,
                HoldingEdit {
                    end: Some(Some(d("2026-06-30"))),
                    ..HoldingEdit::default()
                },
            )
            .await
            .unwrap();
        assert_eq!((ended.end, v), (Some(d("2026-06-30")), 2));
        let (corrected, v) = tx
            .update_holding(
                &pack,
                &held,
                2,
                HoldingEdit {
                    start: Some(d("2019-08-01")),
                    reason: Some("任命文件所记日期为8月1日".into()),
                    ..HoldingEdit::default()
                },
            )
            .await
            .unwrap();
        assert_eq!((corrected.start, v), (d("2019-08-01"), 3));
        // Closing on a day still to come is refused; on a day that has come it closes.
        let err = tx
            .update_post(&s.secretary_post, 1, close("2026-11-29"))
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Post(PostError::CloseInFuture { .. })), "{err}");
        let (post, v) = tx
            .update_post(&s.secretary_post, 1, close("2026-06-30"))
            .await
            .unwrap();
        assert_eq!((post.closed_on, v), (Some(d("2026-06-30")), 2));
        let err = tx
            .update_post(&s.secretary_post, 1, close("2026-06-30"))
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Conflict { expected: 1, actual: 2, .. }), "{err}");
        // Nobody holds a closed post after its closing day: no appointment, no correction.
        let err = tx
            .add_holding(&pack, &s.secretary_post, &s.new, d("2026-07-01"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Post(PostError::PostClosed { .. })), "{err}");
        let err = tx
            .update_holding(
                &pack,
                &held,
                3,
                HoldingEdit {
                    end: Some(None),
                    reason: Some("误结束".into()),
                    ..HoldingEdit::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Post(PostError::PostClosed { .. })), "{err}");
        tx.commit().await.unwrap();

        // The model knows it: the post stays with its history, no longer a vacancy.
        let model = t.db.load_model().await.unwrap();
        let post = model.post(&s.secretary_post).unwrap();
        assert_eq!(post.closed_on, Some(d("2026-06-30")));
        assert_eq!(model.holdings_of(&post.id).count(), 1);
        let college = model.org(&s.college).unwrap();
        let gaps = zeren_core::org::gaps(&pack, &model, college, d("2026-11-28"), 10);
        assert!(gaps.vacant_posts.iter().all(|(_, p)| p.id != s.secretary_post));

        // Reopened (an open one is refused), the post can be held again.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let (post, v) = tx
            .update_post(&s.secretary_post, 2, PostEdit { closed_on: Some(None) })
            .await
            .unwrap();
        assert_eq!((post.closed_on, v), (None, 3));
        let err = tx
            .update_post(&s.secretary_post, 3, PostEdit { closed_on: Some(None) })
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Post(PostError::NotClosed)), "{err}");
        tx.add_holding(&pack, &s.secretary_post, &s.new, d("2026-07-01"), None)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let actions = |object_type: &str| {
            let filter = zeren_storage::repo::audit_query::AuditFilter {
                object_type: Some(object_type.into()),
                object_id: None,
                ..Default::default()
            };
            let db = &t.db;
            async move {
                let mut a: Vec<String> = db
                    .audit_search(&filter, 0, 100)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| e.action)
                    .collect();
                a.reverse();
                a
            }
        };
        let posts = actions("post").await;
        assert_eq!(posts.iter().filter(|a| *a == "post.close").count(), 1);
        assert_eq!(posts.last().map(String::as_str), Some("post.reopen"));
        let holdings = actions("holding").await;
        assert!(holdings.ends_with(&["holding.end".into(), "holding.correct".into(), "holding.create".into()]));
    })
    .await;
}
