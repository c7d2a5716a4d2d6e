//! Impact before adoption on both engines: the dry run writes nothing, and loading the
//! version then synchronising does exactly what it predicted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;
use zeren_core::policy::{
    Action, BUILTIN_PACK_SOURCE, PolicyPack, builtin_pack, builtin_source_as, parse_pack,
};
use zeren_core::vocab::{OrgKind, PlatformKind};
use zeren_storage::testing::{TestDb, engines, university_and_college};
use zeren_storage::{Actor, Db, NewOrg, NewPlatform, StorageError, StoredObligation, ledger};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap()
}

struct Seed {
    college: String,
}

/// A university, a college with a secretary (王建国) and a deputy holding publicity (赵敏), a
/// branch and a platform.
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
    }
}

/// The built-in pack as a version 2 from 1 July 2026: situation analysis monthly, Art.4(2)
/// worded 每月, cadre training answered for by the leader in charge of publicity.
fn version_2() -> (PolicyPack, String) {
    let src = builtin_source_as("cqu-mse-2026-4", 2, "2026-07-01")
        .replacen(
            "cadence = \"quarterly\"                    # college's choice",
            "cadence = \"monthly\"                    # college's choice",
            1,
        )
        .replacen(
            "定期分析研判网络意识形态领域情况",
            "每月分析研判网络意识形态领域情况",
            1,
        )
        .replacen(
            "responsible = \"portfolio:organisation\"",
            "responsible = \"portfolio:publicity\"",
            1,
        );
    (parse_pack(&src).unwrap(), src)
}

/// Every stored obligation of the year, withdrawn ones too, by key.
async fn all_rows(db: &Db, year: i32) -> BTreeMap<String, StoredObligation> {
    let mut out = BTreeMap::new();
    for key in db.obligation_keys(year).await.unwrap() {
        out.insert(key.clone(), db.obligation(&key).await.unwrap());
    }
    out
}

async fn each(story: impl AsyncFn(&TestDb)) {
    for t in engines().await {
        eprintln!("story on {}", t.label);
        story(&t).await;
        t.finish().await;
    }
}

#[tokio::test]
async fn the_dry_run_writes_nothing_and_predicts_the_load() {
    each(async |t| {
        let s = seed(&t.db).await;
        let today = d("2026-11-28");
        assert_eq!(ledger::years_kept(today), vec![2026]);
        ledger::sync_obligations(&t.db, &Actor::system(), 2026, now())
            .await
            .unwrap();
        // The third quarter's analysis was done under version 1.
        let q3 =
            t.db.obligation(&format!("situation-analysis/org/{}/2026-Q3", s.college))
                .await
                .unwrap();
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        tx.complete_obligation(&q3.id, q3.version, d("2026-10-10"), "三季度研判")
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let before = all_rows(&t.db, 2026).await;
        let stamp = t.db.change_stamp().await.unwrap();
        let (v2, src) = version_2();
        let impact = t.db.policy_impact(&v2, today).await.unwrap();
        // Nothing written: the same rows, the same audit head, no new policy.
        assert_eq!(all_rows(&t.db, 2026).await, before);
        assert_eq!(t.db.change_stamp().await.unwrap(), stamp);
        assert_eq!(t.db.policies().await.unwrap().len(), 1);

        assert_eq!(impact.supersedes.as_ref().unwrap().id, "cqu-mse-2021-6");
        let diff = impact.diff.as_ref().unwrap();
        assert_eq!(diff.articles.len(), 1);
        assert_eq!(
            diff.duties
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>(),
            vec!["situation-analysis", "cadre-training"]
        );
        let l = &impact.ledger;
        assert_eq!(
            (
                l.count(Action::Added),
                l.count(Action::Withdrawn),
                l.count(Action::KeptDone)
            ),
            (6, 1, 1)
        );
        // Cadre training: 王建国, the secretary, answered (nobody holds organisation); now
        // 赵敏, who holds publicity.
        let cadre = l
            .duties
            .iter()
            .find(|d| d.duty == "cadre-training")
            .unwrap();
        assert_eq!(cadre.moves.len(), 1);
        let m = &cadre.moves[0];
        assert_eq!(
            (
                m.before.person.as_ref().unwrap().name.as_str(),
                m.after.person.as_ref().unwrap().name.as_str()
            ),
            ("王建国", "赵敏")
        );

        // Load it for real and synchronise: exactly what was predicted, duty by duty.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        tx.load_policy(&v2, &src, false).await.unwrap();
        tx.commit().await.unwrap();
        let added = ledger::sync_obligations(&t.db, &Actor::system(), 2026, now())
            .await
            .unwrap();
        assert_eq!(added, l.count(Action::Added));
        let after = all_rows(&t.db, 2026).await;
        let mut happened: BTreeMap<(String, String, Action), usize> = BTreeMap::new();
        for (key, a) in &after {
            let action = match before.get(key) {
                None => Some(Action::Added),
                Some(b) if b.state == "open" && a.state == "withdrawn" => Some(Action::Withdrawn),
                Some(b) if b.state == "withdrawn" && a.state == "open" => Some(Action::Restored),
                Some(b)
                    if b.state == "open"
                        && (b.policy != a.policy || b.due != a.due || b.citation != a.citation) =>
                {
                    Some(Action::Replanned)
                }
                Some(b) => {
                    assert_eq!(b, a, "{key} changed unpredicted");
                    None
                }
            };
            if let Some(action) = action {
                *happened
                    .entry((a.org.clone(), a.duty.clone(), action))
                    .or_default() += 1;
            }
        }
        let mut predicted: BTreeMap<(String, String, Action), usize> = BTreeMap::new();
        for d in &l.duties {
            for c in d
                .changes
                .iter()
                .filter(|c| !matches!(c.action, Action::KeptDone | Action::KeptWaived))
            {
                *predicted
                    .entry((d.org.clone(), d.duty.clone(), c.action))
                    .or_default() += 1;
            }
        }
        assert!(!predicted.is_empty());
        assert_eq!(happened, predicted);
        // The done one is kept as it was.
        assert_eq!(after[&q3.key].state, "done");
        assert_eq!(after[&q3.key].policy, "cqu-mse-2021-6");
        // A dry run of the same version now is refused as loading it would be.
        let err = t.db.policy_impact(&v2, today).await.unwrap_err();
        assert!(matches!(err, StorageError::Invalid(_)), "{err}");
        t.db.verify_audit().await.unwrap().unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_dry_run_refuses_what_loading_refuses() {
    each(async |t| {
        ledger::initialise(&t.db, now()).await.unwrap();
        let stamp = t.db.change_stamp().await.unwrap();
        // The built-in version again: its id is taken.
        let err =
            t.db.policy_impact(&builtin_pack().unwrap(), d("2026-11-28"))
                .await
                .unwrap_err();
        assert!(err.to_string().contains("already loaded"), "{err}");
        // Another series reusing a duty id of the built-in one.
        let other = BUILTIN_PACK_SOURCE
            .replacen("id = \"cqu-mse-2021-6\"", "id = \"other-2026-1\"", 1)
            .replacen(
                "series = \"cqu-mse-online-ideology\"",
                "series = \"other\"",
                1,
            );
        let other = parse_pack(&other).unwrap();
        assert_eq!(other.meta.series, "other");
        let err =
            t.db.policy_impact(&other, d("2026-11-28"))
                .await
                .unwrap_err();
        assert!(matches!(err, StorageError::Invalid(_)), "{err}");
        assert!(
            err.to_string().contains("already a duty of series"),
            "{err}"
        );
        assert_eq!(t.db.change_stamp().await.unwrap(), stamp);
    })
    .await;
}
