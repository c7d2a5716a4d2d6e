//! Backups are engine-independent: SQLite → PostgreSQL → SQLite restores identically, and a
//! damaged archive is refused without changing anything.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use std::io::{Read, Write};
use zeren_core::vocab::OrgKind;
use zeren_storage::testing::{engines, sqlite};
use zeren_storage::{Actor, Db, NewOrg, ledger};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap()
}

async fn fill(db: &Db) {
    ledger::initialise(db, now()).await.unwrap();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    tx.create_org(NewOrg {
        code: "cqu".into(),
        name: "重庆大学 <b>&'\"".into(),
        kind: OrgKind::University,
        parent: None,
        established_on: None,
    })
    .await
    .unwrap();
    for i in 0..5 {
        let c = tx
            .create_org(NewOrg {
                code: format!("c{i}"),
                name: format!("学院{i}"),
                kind: OrgKind::College,
                parent: Some("cqu".into()),
                established_on: None,
            })
            .await
            .unwrap();
        tx.create_org(NewOrg {
            code: format!("c{i}-b1"),
            name: "支部".into(),
            kind: OrgKind::Branch,
            parent: Some(c.id),
            established_on: None,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    ledger::sync_obligations(db, &Actor::system(), 2026, now())
        .await
        .unwrap();
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("zeren-{}-{name}", zeren_storage::new_id()))
}

#[tokio::test]
async fn backup_restores_identically_across_engines() {
    let source = sqlite().await.unwrap();
    fill(&source.db).await;
    let original = source.db.dump().await.unwrap();
    let file = tmp("a.zbak");
    let s = source.db.backup(&file, now()).await.unwrap();
    assert!(s.rows > 20);
    for target in engines().await {
        eprintln!("restore into {}", target.label);
        let r = target.db.restore(&file).await.unwrap();
        assert_eq!(r.rows, s.rows);
        assert_eq!(
            target.db.dump().await.unwrap(),
            original,
            "restored into {}",
            target.label
        );
        assert!(target.db.verify_audit().await.unwrap().is_ok());
        // And back again from this engine.
        let back = tmp("b.zbak");
        target.db.backup(&back, now()).await.unwrap();
        let again = sqlite().await.unwrap();
        again.db.restore(&back).await.unwrap();
        assert_eq!(again.db.dump().await.unwrap(), original);
        again.finish().await;
        let _ = std::fs::remove_file(back);
        target.finish().await;
    }
    let _ = std::fs::remove_file(file);
    source.finish().await;
}

#[tokio::test]
async fn damaged_or_truncated_archives_are_refused_and_change_nothing() {
    let source = sqlite().await.unwrap();
    fill(&source.db).await;
    let file = tmp("c.zbak");
    source.db.backup(&file, now()).await.unwrap();
    let bytes = std::fs::read(&file).unwrap();

    let target = sqlite().await.unwrap();
    ledger::initialise(&target.db, now()).await.unwrap();
    let before = target.db.dump().await.unwrap();

    // Truncated gzip.
    let cut = tmp("cut.zbak");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = target.db.restore(&cut).await.unwrap_err();
    assert!(err.to_string().contains("backup"), "{err}");
    assert_eq!(target.db.dump().await.unwrap(), before);

    // Valid gzip, altered content: one org renamed.
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .unwrap();
    let altered = text.replacen("学院1", "学院X", 1);
    let bad = tmp("bad.zbak");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&bad).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(altered.as_bytes()).unwrap();
    gz.finish().unwrap();
    let err = target.db.restore(&bad).await.unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    assert_eq!(target.db.dump().await.unwrap(), before);

    // Valid gzip, last lines (trailer) missing.
    let lines: Vec<&str> = text.lines().collect();
    let short = tmp("short.zbak");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&short).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(lines[..lines.len() - 3].join("\n").as_bytes())
        .unwrap();
    gz.finish().unwrap();
    let err = target.db.restore(&short).await.unwrap_err();
    assert!(err.to_string().contains("backup"), "{err}");
    assert_eq!(target.db.dump().await.unwrap(), before);

    // Not a backup at all.
    let junk = tmp("junk.zbak");
    std::fs::write(&junk, b"hello").unwrap();
    assert!(target.db.restore(&junk).await.is_err());
    assert_eq!(target.db.dump().await.unwrap(), before);

    for f in [file, cut, bad, short, junk] {
        let _ = std::fs::remove_file(f);
    }
    source.finish().await;
    target.finish().await;
}

#[tokio::test]
async fn backup_covers_every_table() {
    for t in engines().await {
        ledger::initialise(&t.db, now()).await.unwrap();
        // The search index is derived data, rebuilt from the tables: never in backups.
        t.db.ensure_search_index().await.unwrap();
        let sql = match t.db.backend() {
            zeren_storage::Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'"
            }
            zeren_storage::Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'"
            }
        };
        let mut live = zeren_storage::testing::table_names(&t.db, sql)
            .await
            .unwrap();
        live.retain(|name| !name.starts_with(zeren_storage::repo::feeds::SEARCH_PREFIX));
        live.sort();
        let mut known: Vec<String> = zeren_storage::schema::TABLES
            .iter()
            .map(|t| t.name.to_string())
            .collect();
        known.sort();
        assert_eq!(live, known, "on {}", t.label);
        t.finish().await;
    }
}

#[tokio::test]
async fn attachments_travel_with_the_backup_to_every_engine() {
    use zeren_core::Lang;
    use zeren_core::policy::BUILTIN_PACK_ID;
    use zeren_storage::repo::records::{AgendaDraft, RecordDraft};
    let source = sqlite().await.unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    zeren_storage::demo::load(&source.db, today).await.unwrap();
    let model = source.db.load_model().await.unwrap();
    let pack = source.db.policy(BUILTIN_PACK_ID).await.unwrap().pack;
    let person = |name: &str| {
        model
            .people()
            .iter()
            .find(|p| p.name == name)
            .unwrap()
            .id
            .clone()
    };
    let draft = RecordDraft {
        kind: "committee-meeting".into(),
        org: "cqu-mse".into(),
        date: "2026-11-20".into(),
        title: "党委会".into(),
        attendees: vec![person("李明华")],
        agenda: vec![AgendaDraft {
            title: "专题研究网络意识形态工作".into(),
            topics: vec!["online-ideology".into()],
        }],
        minutes: "纪要".into(),
        ..RecordDraft::default()
    };
    let pdf = b"%PDF-1.4\n% Zeren backup test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let staged = source.db.staging_file().unwrap();
    std::fs::write(&staged, &pdf).unwrap();
    let file = source
        .db
        .store_file(&staged, "application/pdf")
        .await
        .unwrap();
    let mut tx = source.db.begin(&Actor::cli(), now()).await.unwrap();
    let record = tx
        .create_record(&draft, &model, &pack, Lang::Zh)
        .await
        .unwrap();
    tx.add_attachment(&record.id, &file, "纪要.pdf")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let archive = tmp("files.zbak");
    let s = source.db.backup(&archive, now()).await.unwrap();
    assert_eq!(s.files, 1);
    let original = source.db.dump().await.unwrap();
    for target in engines().await {
        target.db.restore(&archive).await.unwrap();
        assert_eq!(
            target.db.dump().await.unwrap(),
            original,
            "on {}",
            target.label
        );
        let path = target.db.attachment_path(&file.sha256).unwrap();
        assert_eq!(
            std::fs::read(path).unwrap(),
            pdf,
            "the file itself on {}",
            target.label
        );
        target.finish().await;
    }
    let _ = std::fs::remove_file(archive);
    source.finish().await;
}
