//! The province-scale demo at a tiny size: refused on SQLite; on PostgreSQL (when
//! `ZEREN_TEST_POSTGRES` is set) the counts, the determinism for a day, the audit chain, and
//! that the obligations are exactly what the ledger's sync computes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use zeren_core::clock::noon_in_shanghai;
use zeren_storage::demo_province::{self, ProvinceSize};
use zeren_storage::testing::{PG_ENV, postgres, sqlite, table_names};
use zeren_storage::{Actor, StorageError, ledger};

const TODAY: &str = "2026-11-28";

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

/// What a run wrote, without ids: org codes and names, people, posts, holdings, platforms and
/// every obligation named by its org, duty, subject, period, due date and state.
async fn fingerprint(db: &zeren_storage::Db) -> Vec<Vec<String>> {
    let queries = [
        "SELECT code || ' ' || name || ' ' || kind || ' ' || COALESCE((SELECT p.code FROM orgs p WHERE p.id = o.parent_id), '-') FROM orgs o ORDER BY code",
        "SELECT p.name || ' ' || o.code FROM people p JOIN orgs o ON o.id = p.org_id ORDER BY 1",
        "SELECT o.code || ' ' || p.kind || ' ' || p.title || ' ' || pe.name || ' ' || h.start_on || ' ' || COALESCE(h.end_on, '-') FROM holdings h JOIN posts p ON p.id = h.post_id JOIN orgs o ON o.id = p.org_id JOIN people pe ON pe.id = h.person_id ORDER BY 1",
        "SELECT p.code || ' ' || p.name || ' ' || o.code || ' ' || p.opened_on FROM platforms p JOIN orgs o ON o.id = p.org_id ORDER BY 1",
        "SELECT o.code || ' ' || ob.duty_id || ' ' || COALESCE(pl.code, pe.name, so.code, ob.subject_kind) || ' ' || ob.period || ' ' || ob.due_on || ' ' || ob.state || ' ' || COALESCE(ob.completed_on, '-') \
         FROM obligations ob JOIN orgs o ON o.id = ob.org_id LEFT JOIN platforms pl ON pl.id = ob.subject_id \
         LEFT JOIN people pe ON pe.id = ob.subject_id LEFT JOIN orgs so ON so.id = ob.subject_id ORDER BY 1",
    ];
    let mut out = Vec::new();
    for q in queries {
        out.push(table_names(db, q).await.unwrap());
    }
    out
}

#[tokio::test]
async fn province_demo_refused_on_sqlite() {
    let t = sqlite().await.unwrap();
    let mut progress = |_: &str, _: u64, _: u64| {};
    let err = demo_province::load(&t.db, &t.url, &ProvinceSize::tiny(), today(), &mut progress)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StorageError::Invalid(m) if m.contains("PostgreSQL")),
        "{err}"
    );
    assert!(!t.db.is_initialised().await.unwrap(), "nothing is loaded");
    t.finish().await;
}

#[tokio::test]
async fn province_demo_loads_on_postgres() {
    let Some(a) = postgres().await else {
        eprintln!("note: PostgreSQL stories skipped (set {PG_ENV}=postgres://… to run them)");
        return;
    };
    let b = postgres().await.expect("a second database");
    let size = ProvinceSize::tiny();
    let mut summaries = Vec::new();
    for t in [&a, &b] {
        let mut stages: Vec<String> = Vec::new();
        let mut progress = |stage: &str, done: u64, total: u64| {
            assert!(done <= total, "{stage} {done}/{total}");
            if stages.last().map(String::as_str) != Some(stage) {
                stages.push(stage.to_string());
            }
        };
        let s = demo_province::load(&t.db, &t.url, &size, today(), &mut progress)
            .await
            .unwrap();
        assert!(stages.iter().any(|s| s == "holdings"), "{stages:?}");
        assert!(stages.iter().any(|s| s == "obligations 2026"), "{stages:?}");
        summaries.push(s);
    }
    let s = &summaries[0];
    assert_eq!(s, &summaries[1], "the same day gives the same counts");
    // The province, its universities, colleges, units and branches, beside the ordinary demo.
    let province_orgs = 1 + size.universities
        * (1 + size.colleges * (1 + size.branches_per_college)
            + size.units * (1 + size.branches_per_unit));
    let demo_orgs = a.db.load_model().await.unwrap().orgs().len() - province_orgs;
    assert!(demo_orgs > 0 && demo_orgs < 100, "{s:?}");
    assert!(s.people >= size.people, "{s:?}");
    assert!(s.platforms >= size.platforms);
    assert_eq!(
        s.years,
        (2017, 2026),
        "ten years (and, in December, the next)"
    );
    assert!(
        s.obligations > 0 && s.done > 0 && s.done < s.obligations,
        "{s:?}"
    );
    // Handovers: holdings that end, followed the next day by the next holder.
    let ended = table_names(
        &a.db,
        "SELECT h.end_on FROM holdings h WHERE h.end_on IS NOT NULL AND EXISTS (SELECT 1 FROM holdings n WHERE n.post_id = h.post_id AND n.start_on > h.end_on)",
    )
    .await
    .unwrap();
    assert!(ended.len() > 10, "{} handovers", ended.len());
    // The same data for the same day, ids aside.
    assert_eq!(fingerprint(&a.db).await, fingerprint(&b.db).await);
    let now = noon_in_shanghai(today());
    for t in [a, b] {
        let db = &t.db;
        let checked = db.verify_audit().await.unwrap().unwrap();
        assert!(checked > 0);
        // The ledger holds exactly what the engine computes: every year is noted in step, and
        // a forced sync adds nothing and withdraws nothing.
        for year in s.years.0..=s.years.1 {
            assert_eq!(
                ledger::sync_year(db, &Actor::system(), year, now)
                    .await
                    .unwrap(),
                None,
                "{year} in step"
            );
            let before = db.obligation_keys(year).await.unwrap();
            assert_eq!(
                ledger::sync_obligations(db, &Actor::system(), year, now)
                    .await
                    .unwrap(),
                0,
                "{year}"
            );
            assert_eq!(db.obligation_keys(year).await.unwrap(), before);
        }
        let open: Vec<String> = table_names(
            db,
            "SELECT state FROM obligations WHERE state NOT IN ('open', 'done')",
        )
        .await
        .unwrap();
        assert!(open.is_empty(), "nothing withdrawn: {open:?}");
        assert!(db.verify_audit().await.unwrap().is_ok());
        t.finish().await;
    }
}
