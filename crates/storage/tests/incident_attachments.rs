//! Files on the entries of an incident's timeline, on SQLite always and on PostgreSQL when
//! `ZEREN_TEST_POSTGRES` is set: attached to one entry of an open incident (stored once by
//! content, the name cleaned, audited once), listed by entry, found for a download only through
//! the incident that holds them; refused for an entry the incident does not have and once it is
//! closed, with nothing stored; kept by the sweep and carried by a backup to every engine, though
//! no record holds them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use std::time::Duration;
use zeren_core::Lang;
use zeren_core::clock::noon_in_shanghai;
use zeren_core::events::parse_date_time;
use zeren_core::incidents::{Closure, IncidentDraft, check_incident};
use zeren_core::policy::builtin_pack;
use zeren_storage::repo::attachments::StoredFile;
use zeren_storage::repo::audit_query::AuditFilter;
use zeren_storage::repo::incidents::ClosedFacts;
use zeren_storage::testing::{engines, sqlite};
use zeren_storage::{Actor, Db, StorageError, demo};

const TODAY: &str = "2026-11-28";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> chrono::DateTime<chrono::Utc> {
    noon_in_shanghai(d(TODAY))
}

fn actor() -> Actor {
    Actor {
        name: "staff".into(),
        origin: "127.0.0.1".into(),
    }
}

/// The demo, and an open incident of its college noticed this morning (its first timeline
/// entry, `recorded`, is seq 1).
async fn incident(db: &Db, title: &str) -> String {
    let model = db.load_model().await.unwrap();
    let rules = builtin_pack().unwrap().incidents.unwrap();
    let set = db.policy_set().await.unwrap();
    let handler = model
        .people()
        .find(|p| p.name == "刘佳")
        .unwrap()
        .id
        .clone();
    let fields = check_incident(
        &IncidentDraft {
            title: title.into(),
            org: "cqu-mse".into(),
            platform: "cqu-mse-wechat".into(),
            noticed_at: "2026-11-28 09:00".into(),
            channel: "self-found".into(),
            source: "公众号后台留言".into(),
            facts: "推文评论区出现关于招生政策的不实说法。".into(),
            severity: "general".into(),
            handler,
        },
        &model,
        &rules,
        parse_date_time("2026-11-28 12:00").unwrap(),
        Lang::Zh,
    )
    .unwrap();
    let mut tx = db.begin(&actor(), now()).await.unwrap();
    let i = tx
        .record_incident(fields, Default::default(), &rules, &set, &model)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    i.id
}

async fn store(db: &Db, content: &[u8], mime: &str) -> StoredFile {
    let staged = db.staging_file().unwrap();
    std::fs::write(&staged, content).unwrap();
    db.store_file(&staged, mime).await.unwrap()
}

async fn attach(
    db: &Db,
    incident: &str,
    seq: i64,
    file: &StoredFile,
    name: &str,
) -> Result<(), StorageError> {
    let mut tx = db.begin(&actor(), now()).await?;
    tx.attach_to_incident_entry(incident, seq, file, name)
        .await?;
    tx.commit().await
}

async fn attach_audits(db: &Db, incident: &str) -> usize {
    db.audit_search(
        &AuditFilter {
            object_type: Some("incident".into()),
            object_id: Some(incident.into()),
            action_prefix: Some("incident.attach".into()),
            ..Default::default()
        },
        0,
        50,
    )
    .await
    .unwrap()
    .len()
}

const SCREENSHOT: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR screenshot of the post";
const STATEMENT: &[u8] = b"%PDF-1.4\n% statement published\n%%EOF\n";

#[tokio::test]
async fn a_file_on_a_timeline_entry_is_listed_found_and_refused_once_closed() {
    for t in engines().await {
        let db = &t.db;
        demo::load(db, d(TODAY)).await.unwrap();
        let id = incident(db, "公众号推文评论区出现不实信息").await;
        let other = incident(db, "另一起舆情事件").await;
        let shot = store(db, SCREENSHOT, "image/png").await;

        attach(db, &id, 1, &shot, "../../截图 1.png").await.unwrap();
        // The same content again on the same entry: kept once, under its first name, audited
        // once.
        attach(db, &id, 1, &shot, "again.png").await.unwrap();
        let files = db.incident_attachments(&id).await.unwrap();
        assert_eq!(files.len(), 1, "on {}", t.label);
        assert_eq!(files[0].seq, 1);
        assert_eq!(files[0].file.filename, "截图 1.png");
        assert_eq!(files[0].file.size, SCREENSHOT.len() as i64);
        assert_eq!(files[0].file.mime, "image/png");
        assert_eq!(files[0].file.added_by, "staff");
        assert_eq!(attach_audits(db, &id).await, 1, "on {}", t.label);

        // Found through its incident only; anything but a SHA-256 is not attached.
        let found = db.incident_attachment(&id, &shot.sha256).await.unwrap();
        assert_eq!(found.as_ref().map(|a| a.seq), Some(1));
        assert!(
            db.incident_attachment(&other, &shot.sha256)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            db.incident_attachment(&id, "../etc/passwd")
                .await
                .unwrap()
                .is_none()
        );

        // An entry the incident does not have: refused, nothing stored.
        let before = db.dump().await.unwrap();
        let statement = store(db, STATEMENT, "application/pdf").await;
        let e = attach(db, &id, 9, &statement, "说明.pdf").await;
        assert!(matches!(e, Err(StorageError::NotFound { .. })), "{e:?}");
        assert_eq!(db.dump().await.unwrap(), before, "on {}", t.label);

        // A second entry takes the statement; the listing goes by entry.
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let entry = tx
            .add_incident_entry(
                &id,
                &zeren_core::incidents::Entry {
                    kind: zeren_core::vocab::TimelineKind::Action,
                    at: parse_date_time("2026-11-28 10:00").unwrap(),
                    detail: "发布情况说明".into(),
                },
                Default::default(),
            )
            .await
            .unwrap();
        tx.attach_to_incident_entry(&id, entry.seq, &statement, "情况说明.pdf")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let files = db.incident_attachments(&id).await.unwrap();
        let by_entry: Vec<(i64, &str)> = files
            .iter()
            .map(|a| (a.seq, a.file.filename.as_str()))
            .collect();
        assert_eq!(by_entry, [(1, "截图 1.png"), (2, "情况说明.pdf")]);

        // Closed: refused as every change of a closed incident is; nothing stored.
        let i = db.incident(&id).await.unwrap();
        let model = db.load_model().await.unwrap();
        let set = db.policy_set().await.unwrap();
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        tx.close_incident(
            &id,
            i.version,
            Closure {
                handled: "删除不实评论，发布说明".into(),
                prevention: "完善评论审核".into(),
                rectifications: Vec::new(),
            },
            ClosedFacts::default(),
            Default::default(),
            &set,
            &model,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let before = db.dump().await.unwrap();
        let late = store(db, b"%PDF-1.4\n% too late\n%%EOF\n", "application/pdf").await;
        let e = attach(db, &id, 1, &late, "补充.pdf").await;
        match e {
            Err(StorageError::Invalid(m)) => assert!(m.contains("closed"), "{m}"),
            other => panic!("a closed incident took a file on {}: {other:?}", t.label),
        }
        assert_eq!(db.dump().await.unwrap(), before, "on {}", t.label);
        assert!(db.verify_audit().await.unwrap().is_ok());
        t.finish().await;
    }
}

#[tokio::test]
async fn a_file_held_only_by_an_incident_survives_the_sweep() {
    for t in engines().await {
        let db = &t.db;
        demo::load(db, d(TODAY)).await.unwrap();
        let id = incident(db, "公众号推文评论区出现不实信息").await;
        let held = store(db, SCREENSHOT, "image/png").await;
        attach(db, &id, 1, &held, "截图.png").await.unwrap();
        // Stored for an attachment whose transaction never committed: nothing holds it.
        let orphan = store(db, b"%PDF-1.4\n% orphan\n%%EOF\n", "application/pdf").await;

        let swept = db.sweep_files(Duration::ZERO).await.unwrap();
        assert_eq!(swept.unreferenced, 1, "on {}", t.label);
        assert!(!db.attachment_path(&orphan.sha256).unwrap().exists());
        let path = db.attachment_path(&held.sha256).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), SCREENSHOT, "on {}", t.label);
        let backed_up: Vec<String> = db
            .attachment_files()
            .await
            .unwrap()
            .into_iter()
            .map(|(sha, _)| sha)
            .collect();
        assert_eq!(backed_up, vec![held.sha256], "on {}", t.label);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_file_held_only_by_an_incident_travels_with_the_backup_to_every_engine() {
    let source = sqlite().await.unwrap();
    demo::load(&source.db, d(TODAY)).await.unwrap();
    let id = incident(&source.db, "公众号推文评论区出现不实信息").await;
    let file = store(&source.db, STATEMENT, "application/pdf").await;
    attach(&source.db, &id, 1, &file, "情况说明.pdf")
        .await
        .unwrap();

    let archive = std::env::temp_dir().join(format!(
        "zeren-{}-incident-files.zbak",
        zeren_storage::new_id()
    ));
    let s = source.db.backup(&archive, now()).await.unwrap();
    assert_eq!(s.files, 1);
    assert!(
        s.tables
            .iter()
            .any(|(name, rows)| name == "incident_attachments" && *rows == 1),
        "{:?}",
        s.tables
    );
    let original = source.db.dump().await.unwrap();
    let key = source.db.key().unwrap().clone();
    for target in engines().await {
        target.db.restore(&archive, Some(&key)).await.unwrap();
        assert_eq!(
            target.db.dump().await.unwrap(),
            original,
            "on {}",
            target.label
        );
        let files = target.db.incident_attachments(&id).await.unwrap();
        assert_eq!(files.len(), 1, "on {}", target.label);
        assert_eq!(files[0].file.filename, "情况说明.pdf");
        let path = target.db.attachment_path(&file.sha256).unwrap();
        assert_eq!(
            std::fs::read(path).unwrap(),
            STATEMENT,
            "the file itself on {}",
            target.label
        );
        target.finish().await;
    }
    let _ = std::fs::remove_file(archive);
    source.finish().await;
}
