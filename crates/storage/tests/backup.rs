//! Backups are engine-independent and signed: SQLite → PostgreSQL → SQLite restores
//! identically, and an archive that is damaged, forged, signed by another installation (without
//! its key), or whose audit chain is broken is refused without changing anything.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use std::io::{Read, Write};
use zeren_core::vocab::OrgKind;
use zeren_storage::backup::{MAX_TABLE_ROWS, verify_archive};
use zeren_storage::keys::{InstallationKey, Purpose, is_sealed};
use zeren_storage::testing::{TestDb, engines, execute_raw, sqlite};
use zeren_storage::{Actor, Db, NewOrg, NewUser, ledger};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap()
}

const TOTP: &[u8] = b"JBSWY3DPEHPK3PXP";

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
    let user = tx
        .create_user(NewUser {
            username: "zhang".into(),
            display_name: "张三".into(),
            person: None,
            admin_role: None,
            password_hash: "$argon2id$not-checked-here".into(),
            must_change_password: false,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // A second factor sealed under this installation's key, as the identity layer stores it.
    let sealed = db.key().unwrap().seal(TOTP).unwrap();
    execute_raw(
        db,
        &format!(
            "UPDATE users SET totp_secret = '{sealed}', totp_enabled = 1 WHERE id = '{}'",
            user.id
        ),
    )
    .await
    .unwrap();
    ledger::sync_obligations(db, &Actor::system(), 2026, now())
        .await
        .unwrap();
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("zeren-{}-{name}", zeren_storage::new_id()))
}

/// The lines of an archive, uncompressed.
fn gunzip(path: &std::path::Path) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn gzip_to(path: &std::path::Path, text: &str) {
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap();
}

/// The archive `text` with its trailer signed again by `key`, claiming the fingerprint `claim`.
fn resign(text: &str, key: &InstallationKey, claim: &str) -> String {
    let body_end = text.trim_end_matches('\n').rfind('\n').unwrap() + 1;
    let body = &text[..body_end];
    let mut trailer: serde_json::Value = serde_json::from_str(text[body_end..].trim()).unwrap();
    let tag = ring::hmac::sign(&key.signing_key(Purpose::Backup), body.as_bytes());
    trailer["hmac"] = hex::encode(tag.as_ref()).into();
    trailer["key"] = claim.into();
    format!("{body}{trailer}\n")
}

/// The header line of `text` claiming the fingerprint `claim`.
fn claim_key(text: &str, claim: &str) -> String {
    let (first, rest) = text.split_once('\n').unwrap();
    let mut header: serde_json::Value = serde_json::from_str(first).unwrap();
    header["key"] = claim.into();
    format!("{header}\n{rest}")
}

/// A target database holding something, and what it holds.
async fn target_with_data(t: &TestDb) -> Vec<(&'static str, Vec<Vec<serde_json::Value>>)> {
    ledger::initialise(&t.db, now()).await.unwrap();
    t.db.dump().await.unwrap()
}

#[tokio::test]
async fn backup_restores_identically_across_engines() {
    let source = sqlite().await.unwrap();
    fill(&source.db).await;
    let source_key = source.db.key().unwrap().clone();
    let original = source.db.dump().await.unwrap();
    let file = tmp("a.zbak");
    let s = source.db.backup(&file, now()).await.unwrap();
    assert!(s.rows > 20);
    assert_eq!(s.key, source_key.fingerprint());
    assert_eq!(
        verify_archive(std::fs::File::open(&file).unwrap(), &source_key).unwrap(),
        s
    );
    for target in engines().await {
        eprintln!("restore into {}", target.label);
        // The same installation (its key) on another engine.
        let same = target.db.clone().with_key(source_key.clone());
        let r = same.restore(&file, None).await.unwrap();
        assert_eq!(r.rows, s.rows);
        assert_eq!(r.tables, s.tables);
        assert_eq!(
            target.db.dump().await.unwrap(),
            original,
            "restored into {}",
            target.label
        );
        assert!(target.db.verify_audit().await.unwrap().is_ok());
        // And back again from this engine.
        let back = tmp("b.zbak");
        same.backup(&back, now()).await.unwrap();
        let again = sqlite().await.unwrap();
        let again_db = again.db.clone().with_key(source_key.clone());
        again_db.restore(&back, None).await.unwrap();
        assert_eq!(again.db.dump().await.unwrap(), original);
        again.finish().await;
        let _ = std::fs::remove_file(back);
        target.finish().await;
    }
    let _ = std::fs::remove_file(file);
    source.finish().await;
}

#[tokio::test]
async fn an_archive_of_another_installation_needs_its_key_and_its_secrets_are_sealed_again() {
    let source = sqlite().await.unwrap();
    fill(&source.db).await;
    let source_key = source.db.key().unwrap().clone();
    let file = tmp("other.zbak");
    source.db.backup(&file, now()).await.unwrap();
    let sealed_before: String = zeren_storage::testing::table_names(
        &source.db,
        "SELECT totp_secret FROM users WHERE username = 'zhang'",
    )
    .await
    .unwrap()
    .remove(0);
    assert!(is_sealed(&sealed_before));
    for target in engines().await {
        let before = target_with_data(&target).await;
        // Without the key: refused, naming the key that signed it; nothing changed.
        let err = target.db.restore(&file, None).await.unwrap_err();
        assert!(err.to_string().contains(&source_key.fingerprint()), "{err}");
        assert_eq!(
            target.db.dump().await.unwrap(),
            before,
            "on {}",
            target.label
        );
        // A wrong key is no better.
        let stranger = InstallationKey::generate().unwrap();
        assert!(target.db.restore(&file, Some(&stranger)).await.is_err());
        assert_eq!(target.db.dump().await.unwrap(), before);

        // With the key: restored, the second factor sealed again under this installation's key.
        let r = target.db.restore(&file, Some(&source_key)).await.unwrap();
        assert_eq!(r.key, source_key.fingerprint());
        let user = target.db.user_by_username("zhang").await.unwrap().unwrap();
        let secret = user.totp_secret.unwrap();
        assert!(is_sealed(&secret), "{secret}");
        assert_ne!(secret, sealed_before);
        assert_eq!(target.db.key().unwrap().open(&secret).unwrap(), TOTP);
        assert!(
            source_key.open(&secret).is_err(),
            "still sealed under the source key"
        );
        assert!(target.db.verify_audit().await.unwrap().is_ok());
        // Everything else is as it was.
        let mut want = source.db.dump().await.unwrap();
        let mut got = target.db.dump().await.unwrap();
        for dump in [&mut want, &mut got] {
            for (name, rows) in dump.iter_mut() {
                if *name == "users" {
                    for row in rows.iter_mut() {
                        row[7] = serde_json::Value::Null;
                    }
                }
            }
        }
        assert_eq!(got, want, "on {}", target.label);
        target.finish().await;
    }
    let _ = std::fs::remove_file(file);
    source.finish().await;
}

#[tokio::test]
async fn forged_archives_are_refused_and_change_nothing() {
    let source = sqlite().await.unwrap();
    fill(&source.db).await;
    let key = source.db.key().unwrap().clone();
    let file = tmp("forge.zbak");
    source.db.backup(&file, now()).await.unwrap();
    let text = gunzip(&file);
    let attacker = InstallationKey::generate().unwrap();
    assert!(text.contains("学院1"));
    let altered = text.replacen("学院1", "学院X", 1);

    // The old unsigned format: rows changed and the SHA-256 computed again, no key needed.
    let mut v1_lines: Vec<String> = Vec::new();
    let mut body = String::new();
    for line in altered.lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v.get("format").is_some() {
            v["version"] = 1.into();
            v.as_object_mut().unwrap().remove("key");
        }
        if v.get("end").is_some() {
            continue;
        }
        body.push_str(&v.to_string());
        body.push('\n');
        v1_lines.push(v.to_string());
    }
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(body.as_bytes()));
    let v1 = format!(
        "{body}{}\n",
        serde_json::json!({"end": true, "sha256": sha})
    );

    let stranger = attacker.fingerprint();
    let cases: Vec<(&str, String, &str)> = vec![
        ("v1", v1, "unsigned"),
        (
            "unsigned change",
            altered.clone(),
            "signature does not match",
        ),
        (
            "signed by a stranger claiming to be us",
            resign(&altered, &attacker, &key.fingerprint()),
            "signature does not match",
        ),
        (
            "signed by a stranger",
            resign(&claim_key(&altered, &stranger), &attacker, &stranger),
            &stranger,
        ),
    ];
    for target in engines().await {
        let db = target.db.clone().with_key(key.clone());
        let before = target_with_data(&target).await;
        for (what, forged, says) in &cases {
            let path = tmp("forged.zbak");
            gzip_to(&path, forged);
            let err = db.restore(&path, None).await.unwrap_err();
            assert!(err.to_string().contains(says), "{what}: {err}");
            assert!(verify_archive(std::fs::File::open(&path).unwrap(), &key).is_err());
            assert_eq!(
                db.dump().await.unwrap(),
                before,
                "{what} on {}",
                target.label
            );
            let _ = std::fs::remove_file(path);
        }
        target.finish().await;
    }
    let _ = std::fs::remove_file(file);
    source.finish().await;
}

#[tokio::test]
async fn an_archive_whose_audit_chain_is_broken_is_refused_even_when_signed() {
    let source = sqlite().await.unwrap();
    fill(&source.db).await;
    let key = source.db.key().unwrap().clone();
    let file = tmp("chain.zbak");
    source.db.backup(&file, now()).await.unwrap();
    let text = gunzip(&file);
    // An audit entry edited (and the archive signed again with the right key): the entry no
    // longer matches its hash.
    let at = text
        .find("\"org.create\"")
        .expect("an audit entry of an org");
    let edited = format!("{}{}", &text[..at], text[at..].replacen("学院", "學院", 1));
    assert_ne!(edited, text);
    let forged = resign(&edited, &key, &key.fingerprint());
    // An audit entry removed at the end: the chain stops short of its head.
    let lines: Vec<&str> = text.lines().collect();
    let head_table = lines
        .iter()
        .position(|l| {
            l.starts_with("{\"table\":\"audit_head\"") || l.contains("\"table\":\"audit_head\"")
        })
        .unwrap();
    let mut cut: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    let last_entry = head_table - 1;
    cut.remove(last_entry);
    let log_line = cut
        .iter()
        .position(|l| l.contains("\"table\":\"audit_log\""))
        .unwrap();
    let mut log: serde_json::Value = serde_json::from_str(&cut[log_line]).unwrap();
    log["rows"] = (log["rows"].as_u64().unwrap() - 1).into();
    cut[log_line] = log.to_string();
    let mut trailer: serde_json::Value = serde_json::from_str(cut.last().unwrap()).unwrap();
    trailer["rows"] = (trailer["rows"].as_u64().unwrap() - 1).into();
    *cut.last_mut().unwrap() = trailer.to_string();
    let truncated = resign(&(cut.join("\n") + "\n"), &key, &key.fingerprint());

    for target in engines().await {
        let db = target.db.clone().with_key(key.clone());
        let before = target_with_data(&target).await;
        for (what, archive) in [("edited", &forged), ("shortened", &truncated)] {
            let path = tmp("broken.zbak");
            gzip_to(&path, archive);
            let err = db.restore(&path, None).await.unwrap_err();
            assert!(err.to_string().contains("audit chain"), "{what}: {err}");
            assert_eq!(
                db.dump().await.unwrap(),
                before,
                "{what} on {}",
                target.label
            );
            let _ = std::fs::remove_file(path);
        }
        target.finish().await;
    }
    let _ = std::fs::remove_file(file);
    source.finish().await;
}

#[tokio::test]
async fn damaged_truncated_or_padded_archives_are_refused_and_change_nothing() {
    let source = sqlite().await.unwrap();
    fill(&source.db).await;
    let key = source.db.key().unwrap().clone();
    let file = tmp("c.zbak");
    source.db.backup(&file, now()).await.unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let text = gunzip(&file);
    let lines: Vec<&str> = text.lines().collect();

    let target = sqlite().await.unwrap();
    let db = target.db.clone().with_key(key.clone());
    let before = target_with_data(&target).await;
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated gzip",
            bytes[..bytes.len() / 2].to_vec(),
            "backup",
        ),
        ("not a backup", b"hello".to_vec(), "backup"),
        (
            "garbage after the gzip stream",
            [&bytes[..], b"trailing"].concat(),
            "backup",
        ),
        (
            "a second gzip member",
            [&bytes[..], &bytes[..]].concat(),
            "after the end marker",
        ),
    ];
    let mut zipped = |what, text: String, says| {
        let path = tmp("t.zbak");
        gzip_to(&path, &text);
        cases.push((what, std::fs::read(&path).unwrap(), says));
        let _ = std::fs::remove_file(path);
    };
    zipped(
        "trailer missing",
        lines[..lines.len() - 1].join("\n") + "\n",
        "truncated",
    );
    zipped(
        "last rows and trailer missing",
        lines[..lines.len() - 3].join("\n") + "\n",
        "truncated",
    );
    zipped("no final newline", text.trim_end().to_string(), "truncated");
    zipped(
        "a line after the end marker",
        format!("{text}{{\"table\":\"orgs\"}}\n"),
        "after the end marker",
    );
    zipped(
        "an empty line after the end marker",
        format!("{text}\n"),
        "after the end marker",
    );
    for (what, archive, says) in cases {
        let path = tmp("d.zbak");
        std::fs::write(&path, &archive).unwrap();
        let err = db.restore(&path, None).await.unwrap_err();
        assert!(err.to_string().contains(says), "{what}: {err}");
        assert_eq!(db.dump().await.unwrap(), before, "{what}");
        assert!(verify_archive(&archive[..], &key).is_err(), "{what}");
        let _ = std::fs::remove_file(path);
    }
    let _ = std::fs::remove_file(file);
    source.finish().await;
    target.finish().await;
}

#[tokio::test]
async fn counts_and_sizes_beyond_their_bounds_are_refused_before_anything_is_allocated() {
    let key = InstallationKey::generate().unwrap();
    let header = serde_json::json!({
        "format": "zeren-backup", "version": 2, "engine": "sqlite", "created_at_ms": 0,
        "key": key.fingerprint(),
        "tables": zeren_storage::schema::TABLES.iter().map(|t| t.name).collect::<Vec<_>>(),
    });
    let first = zeren_storage::schema::TABLES[0];
    let columns: Vec<&str> = first.columns.iter().map(|(c, _)| *c).collect();
    let gz = |text: String| {
        let mut out = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        out.write_all(text.as_bytes()).unwrap();
        out.finish().unwrap()
    };
    // 10^15 rows claimed: refused at that line, never reserved.
    let huge = gz(format!(
        "{header}\n{}\n",
        serde_json::json!({"table": first.name, "columns": columns, "rows": 1_000_000_000_000_000u64})
    ));
    let err = verify_archive(&huge[..], &key).unwrap_err().to_string();
    assert!(err.contains("line 2") && err.contains("claims"), "{err}");
    const { assert!(1_000_000_000_000_000u64 > MAX_TABLE_ROWS) };

    // A row line longer than any row may be, without a newline in sight.
    let long = gz(format!(
        "{header}\n{}\n[\"{}",
        serde_json::json!({"table": first.name, "columns": columns, "rows": 1}),
        "x".repeat(zeren_storage::backup::MAX_ROW_LINE + 10)
    ));
    let err = verify_archive(&long[..], &key).unwrap_err().to_string();
    assert!(err.contains("longer than"), "{err}");

    // A row of the wrong shape: too many values, a nested value, a float.
    for row in [
        serde_json::json!(vec![serde_json::Value::Null; 99]),
        serde_json::json!([[["deep"]]]),
        serde_json::json!([1.5]),
    ] {
        let bad = gz(format!(
            "{header}\n{}\n{row}\n",
            serde_json::json!({"table": first.name, "columns": columns, "rows": 1}),
        ));
        let err = verify_archive(&bad[..], &key).unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
    }

    // A megabyte of text where a number belongs: refused, and the message does not quote it.
    let int_at = first
        .columns
        .iter()
        .position(|(_, ty)| *ty == zeren_storage::schema::Ty::Int)
        .unwrap();
    let mut row = vec![serde_json::Value::Null; first.columns.len()];
    row[int_at] = "9".repeat(1 << 20).into();
    let bad = gz(format!(
        "{header}\n{}\n{}\n",
        serde_json::json!({"table": first.name, "columns": columns, "rows": 1}),
        serde_json::Value::Array(row),
    ));
    let err = verify_archive(&bad[..], &key).unwrap_err().to_string();
    assert!(err.contains("line 3") && err.len() < 1000, "{}", err.len());

    // A header line of a megabyte.
    let fat = gz(format!("{{\"format\":\"{}\"}}\n", "z".repeat(1 << 20)));
    assert!(verify_archive(&fat[..], &key).is_err());
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
    let person = |name: &str| model.people().find(|p| p.name == name).unwrap().id.clone();
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
    let key = source.db.key().unwrap().clone();
    for target in engines().await {
        target.db.restore(&archive, Some(&key)).await.unwrap();
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

#[tokio::test]
async fn a_backup_taken_while_others_write_is_one_consistent_state() {
    for t in engines().await {
        fill(&t.db).await;
        let key = t.db.key().unwrap().clone();
        let file = tmp("live.zbak");
        // Writers append to the audit chain while the archive is read, table by table: the
        // archive still holds one state, whose chain ends at its head.
        let writer = async {
            for i in 0..40 {
                let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
                tx.create_org(NewOrg {
                    code: format!("live{i}"),
                    name: format!("新单位{i}"),
                    kind: OrgKind::College,
                    parent: Some("cqu".into()),
                    established_on: None,
                })
                .await
                .unwrap();
                tx.commit().await.unwrap();
                tokio::task::yield_now().await;
            }
        };
        let (made, ()) = tokio::join!(t.db.backup(&file, now()), writer);
        let made = made.unwrap();
        let checked = verify_archive(std::fs::File::open(&file).unwrap(), &key).unwrap();
        assert_eq!(checked, made, "on {}", t.label);
        let target = sqlite().await.unwrap();
        target.db.restore(&file, Some(&key)).await.unwrap();
        assert!(target.db.verify_audit().await.unwrap().is_ok());
        target.finish().await;
        let _ = std::fs::remove_file(file);
        t.finish().await;
    }
}
