//! Evidence records, their versions, discharging obligations, attachments stored by content,
//! directives with supervised tasks — on SQLite always and on PostgreSQL when
//! `ZEREN_TEST_POSTGRES` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use std::io::Write;
use zeren_core::Lang;
use zeren_core::clock::noon_in_shanghai;
use zeren_core::org::OrgModel;
use zeren_core::policy::{BUILTIN_PACK_ID, PolicyPack};
use zeren_storage::repo::records::{
    AgendaDraft, DirectiveDraft, RecordDraft, RecordFilter, ReportDraft, TaskDraft, sniff,
};
use zeren_storage::testing::engines;
use zeren_storage::{Actor, Db, StorageError, demo};

const TODAY: &str = "2026-11-28";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn actor() -> Actor {
    Actor {
        name: "secretary".into(),
        origin: "127.0.0.1".into(),
    }
}

fn person(m: &OrgModel, name: &str) -> String {
    m.people()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no person {name}"))
        .id
        .clone()
}

fn meeting(m: &OrgModel, topics: &[&str]) -> RecordDraft {
    RecordDraft {
        kind: "committee-meeting".into(),
        org: "cqu-mse".into(),
        date: "2026-11-20".into(),
        title: "2026年第12次党委会".into(),
        attendees: vec![person(m, "李明华"), person(m, "赵敏")],
        absentees: vec![person(m, "陈立新")],
        agenda: vec![AgendaDraft {
            title: "专题研究网络意识形态工作".into(),
            topics: topics.iter().map(|s| s.to_string()).collect(),
        }],
        minutes: "会议听取了网络意识形态工作情况汇报。".into(),
        decisions: "一、…".into(),
        ..RecordDraft::default()
    }
}

async fn setup(db: &Db) -> (OrgModel, PolicyPack) {
    demo::load(db, d(TODAY)).await.unwrap();
    (
        db.load_model().await.unwrap(),
        db.policy(BUILTIN_PACK_ID).await.unwrap().pack,
    )
}

fn now() -> chrono::DateTime<chrono::Utc> {
    noon_in_shanghai(d(TODAY))
}

#[tokio::test]
async fn amend_keeps_history_and_stale_versions_conflict() {
    for t in engines().await {
        let db = &t.db;
        let (m, pack) = setup(db).await;
        let mse_2026 = RecordFilter {
            orgs: vec![m.find_org("cqu-mse").unwrap().id.clone()],
            year: Some(2026),
            limit: 50,
            ..RecordFilter::default()
        };
        // The demo's own records (the evidence of what it marked done).
        let (_, kept) = db.records(&mse_2026).await.unwrap();
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let r = tx
            .create_record(&meeting(&m, &["online-ideology"]), &m, &pack, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(r.version, 1);
        assert_eq!(r.created_by, "secretary");

        let mut draft = r.draft();
        draft.title = "2026年第12次党委会（修订）".into();
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let r2 = tx
            .amend_record(&r.id, 1, &draft, &m, &pack, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(r2.version, 2);

        // A second amendment from the first version is stale: 409, nothing written.
        draft.title = "覆盖".into();
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let err = tx
            .amend_record(&r.id, 1, &draft, &m, &pack, Lang::Zh)
            .await
            .unwrap_err();
        drop(tx);
        assert!(
            matches!(
                err,
                StorageError::Conflict {
                    expected: 1,
                    actual: 2,
                    ..
                }
            ),
            "{err:?} on {}",
            t.label
        );
        let stored = db.record(&r.id).await.unwrap();
        assert_eq!(stored.title, "2026年第12次党委会（修订）");
        let versions = db.record_versions(&r.id).await.unwrap();
        assert_eq!(versions.len(), 2, "on {}", t.label);
        assert_eq!(versions[0].version, 2);
        assert_eq!(versions[1].data["title"], "2026年第12次党委会");
        assert_eq!(versions[1].data["kind"], "committee-meeting");

        // Kind and org never change.
        let mut other = r2.draft();
        other.org = "cqu-cs".into();
        other.attendees = vec![person(&m, "何志强")];
        other.absentees.clear();
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        assert!(matches!(
            tx.amend_record(&r.id, 2, &other, &m, &pack, Lang::Zh).await,
            Err(StorageError::Invalid(_))
        ));
        drop(tx);

        // Listing by org and year.
        let (list, total) = db.records(&mse_2026).await.unwrap();
        assert_eq!(total, kept + 1);
        assert_eq!(list.iter().filter(|x| x.id == r.id).count(), 1);
        assert!(db.verify_audit().await.unwrap().is_ok());
        t.finish().await;
    }
}

#[tokio::test]
async fn bad_records_are_refused_with_field_messages_and_nothing_stored() {
    for t in engines().await {
        let db = &t.db;
        let (m, pack) = setup(db).await;
        let every = RecordFilter {
            orgs: m.orgs().iter().map(|o| o.id.clone()).collect(),
            limit: 10,
            ..RecordFilter::default()
        };
        let (_, kept) = db.records(&every).await.unwrap();
        let cases: Vec<(RecordDraft, &str)> = vec![
            (
                RecordDraft {
                    date: "2026-11-29".into(),
                    ..meeting(&m, &["online-ideology"])
                },
                "晚于今天",
            ),
            (
                RecordDraft {
                    attendees: vec![person(&m, "李明华"), person(&m, "何志强")],
                    ..meeting(&m, &["online-ideology"])
                },
                "何志强（计算机学院）不是材料科学与工程学院的人员",
            ),
            (meeting(&m, &["gossip"]), "议题标签「gossip」"),
            (
                RecordDraft {
                    minutes: " ".into(),
                    ..meeting(&m, &["online-ideology"])
                },
                "会议纪要不能为空",
            ),
            (
                RecordDraft {
                    kind: "training-session".into(),
                    org: "cqu-mse".into(),
                    date: "2026-10-10".into(),
                    title: "培训".into(),
                    trainer: "专家".into(),
                    attendees: vec![person(&m, "赵敏")],
                    hours: "0".into(),
                    ..RecordDraft::default()
                },
                "学时必须大于 0",
            ),
            (
                RecordDraft {
                    kind: "situation-analysis".into(),
                    org: "cqu-mse".into(),
                    date: "2026-10-10".into(),
                    title: "研判".into(),
                    covers: "2026-Q5".into(),
                    author: person(&m, "赵敏"),
                    findings: "…".into(),
                    measures: "…".into(),
                    ..RecordDraft::default()
                },
                "研判期间「2026-Q5」无效",
            ),
            (
                RecordDraft {
                    kind: "annual-review".into(),
                    ..meeting(&m, &["online-ideology"])
                },
                "材料类型「annual-review」无法登记",
            ),
        ];
        for (draft, want) in cases {
            let mut tx = db.begin(&actor(), now()).await.unwrap();
            match tx.create_record(&draft, &m, &pack, Lang::Zh).await {
                Err(StorageError::Invalid(msg)) => {
                    assert!(msg.contains(want), "`{msg}` lacks `{want}` on {}", t.label)
                }
                other => panic!("expected a refusal ({want}), got {other:?}"),
            }
            drop(tx);
        }
        // English messages name the field too.
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let err = tx
            .create_record(
                &RecordDraft {
                    date: "tomorrow".into(),
                    ..meeting(&m, &["online-ideology"])
                },
                &m,
                &pack,
                Lang::En,
            )
            .await
            .unwrap_err();
        drop(tx);
        assert!(
            err.to_string().contains("date `tomorrow` is not a date"),
            "{err}"
        );
        let (_, total) = db.records(&every).await.unwrap();
        assert_eq!(total, kept, "nothing stored on {}", t.label);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_meeting_with_the_topic_discharges_the_dedicated_study() {
    for t in engines().await {
        let db = &t.db;
        let (m, pack) = setup(db).await;
        let mse = m.find_org("cqu-mse").unwrap().id.clone();
        let study = db
            .obligations(&mse, 2026)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.duty == "annual-dedicated-study")
            .unwrap();
        assert_eq!(study.state, "open");

        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let without = tx
            .create_record(&meeting(&m, &["ideology"]), &m, &pack, Lang::Zh)
            .await
            .unwrap();
        let with = tx
            .create_record(&meeting(&m, &["online-ideology"]), &m, &pack, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // The wrong meeting: refused with the rule's message, nothing changed.
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let err = tx
            .attach_evidence(&study.id, &without.id, study.version, Lang::Zh)
            .await
            .unwrap_err();
        drop(tx);
        let msg = err.to_string();
        assert!(
            msg.contains("第四条第（二）项") && msg.contains("online-ideology"),
            "{msg}"
        );
        assert!(db.evidence_of(&study.id).await.unwrap().is_empty());
        let again = db.evidence_obligation(&study.id).await.unwrap();
        assert_eq!(
            (again.state.as_str(), again.version),
            ("open", study.version)
        );

        // A stale version of the obligation: 409.
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        assert!(matches!(
            tx.attach_evidence(&study.id, &with.id, study.version - 1, Lang::Zh)
                .await,
            Err(StorageError::Conflict { .. })
        ));
        drop(tx);

        // The right one: done on the meeting's day, linked, audited.
        assert_eq!(
            db.evidence_candidates(&with, &pack)
                .await
                .unwrap()
                .iter()
                .map(|o| o.id.clone())
                .collect::<Vec<_>>(),
            vec![study.id.clone()]
        );
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let done = tx
            .attach_evidence(&study.id, &with.id, study.version, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(done.state, "done");
        assert_eq!(done.completed_on, Some(d("2026-11-20")));
        let stored = db
            .obligations(&mse, 2026)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.id == study.id)
            .unwrap();
        assert_eq!(stored.state, "done", "on {}", t.label);
        assert_eq!(stored.version, study.version + 1);
        let ev = db.evidence_of(&study.id).await.unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].record.id, with.id);
        assert_eq!(ev[0].linked_by, "secretary");
        assert_eq!(db.record_obligations(&with.id).await.unwrap().len(), 1);

        // Amending the meeting so that it no longer carries the topic is refused by the rule.
        let mut draft = with.draft();
        draft.agenda[0].topics = vec!["ideology".into()];
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let err = tx
            .amend_record(&with.id, 1, &draft, &m, &pack, Lang::En)
            .await
            .unwrap_err();
        drop(tx);
        assert!(err.to_string().contains("Art.4(2)"), "{err}");
        assert_eq!(db.record(&with.id).await.unwrap().version, 1);

        // Moving the meeting's date moves the completion date.
        let mut draft = with.draft();
        draft.date = "2026-11-18".into();
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        tx.amend_record(&with.id, 1, &draft, &m, &pack, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let o = db.evidence_obligation(&study.id).await.unwrap();
        assert_eq!(o.completed_on, Some(d("2026-11-18")));
        assert!(db.verify_audit().await.unwrap().is_ok());
        t.finish().await;
    }
}

fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p
}

/// A stored (uncompressed) zip with the given entry names.
fn zip_with(names: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for name in names {
        let offset = out.len() as u32;
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&[0; 12]);
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(names.len() as u16).to_le_bytes());
    out.extend_from_slice(&(names.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn types_are_sniffed_from_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend(vec![0u8; 600]);
    ole.extend("WordDocument".encode_utf16().flat_map(|u| u.to_le_bytes()));
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        ("a.pdf", b"%PDF-1.7\n...".to_vec(), Some("application/pdf")),
        (
            "a.png",
            b"\x89PNG\r\n\x1a\n....".to_vec(),
            Some("image/png"),
        ),
        (
            "a.jpg",
            b"\xFF\xD8\xFF\xE0....".to_vec(),
            Some("image/jpeg"),
        ),
        ("a.gif", b"GIF89a....".to_vec(), Some("image/gif")),
        (
            "a.docx",
            zip_with(&["[Content_Types].xml", "word/document.xml"]),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ),
        (
            "a.xlsx",
            zip_with(&["[Content_Types].xml", "xl/workbook.xml"]),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
        ("a.zip", zip_with(&["evil.exe"]), None),
        ("a.doc", ole, Some("application/msword")),
        (
            "a.txt",
            "会议纪要\n第二行".as_bytes().to_vec(),
            Some("text/plain"),
        ),
        (
            "a.csv",
            "姓名,学时\n赵敏,2.5\n".as_bytes().to_vec(),
            Some("text/csv"),
        ),
        // An executable named like a PDF.
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00".to_vec(), None),
        ("a.bin", vec![0xC3, 0x28, 0xA0, 0xA1], None),
        ("empty.txt", Vec::new(), None),
    ];
    for (name, bytes, want) in cases {
        let p = write(dir, name, &bytes);
        assert_eq!(sniff(&p, name).unwrap(), want, "{name}");
    }
    // A multi-byte character cut at a chunk boundary is still text.
    let mut long = vec![b'a'; 256 * 1024 - 1];
    long.extend_from_slice("责任".as_bytes());
    let p = write(dir, "long.txt", &long);
    assert_eq!(sniff(&p, "long.txt").unwrap(), Some("text/plain"));
}

#[tokio::test]
async fn attachments_are_stored_once_by_content() {
    for t in engines().await {
        let files = tempfile::tempdir().unwrap();
        let db = t.db.clone().with_files_dir(files.path().to_path_buf());
        let (m, pack) = setup(&db).await;
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let a = tx
            .create_record(&meeting(&m, &["online-ideology"]), &m, &pack, Lang::Zh)
            .await
            .unwrap();
        let b = tx
            .create_record(&meeting(&m, &["ideology"]), &m, &pack, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let content = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
        let mut stored = Vec::new();
        for (record, name) in [
            (&a, "纪要.pdf"),
            (&b, "../../etc/纪要副本.pdf"),
            (&a, "again.pdf"),
        ] {
            let staged = db.staging_file().unwrap();
            std::fs::write(&staged, content).unwrap();
            let mime = sniff(&staged, name).unwrap().unwrap();
            let file = db.store_file(&staged, mime).await.unwrap();
            assert!(!staged.exists(), "the staged copy is moved or removed");
            let mut tx = db.begin(&actor(), now()).await.unwrap();
            stored.push(tx.add_attachment(&record.id, &file, name).await.unwrap());
            tx.commit().await.unwrap();
        }
        let sha = &stored[0].sha256;
        assert!(stored.iter().all(|s| &s.sha256 == sha));
        assert_eq!(stored[1].filename, "纪要副本.pdf");
        // The same content on the same record keeps its first name.
        assert_eq!(stored[2].filename, "纪要.pdf");
        let path = db.attachment_path(sha).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), content);
        assert!(path.starts_with(files.path().join(&sha[..2])));
        let on_disk: Vec<_> = walk(files.path())
            .into_iter()
            .filter(|p| !p.strip_prefix(files.path()).unwrap().starts_with("tmp"))
            .collect();
        assert_eq!(on_disk.len(), 1, "stored once on {}: {on_disk:?}", t.label);
        assert_eq!(db.record_attachments(&a.id).await.unwrap().len(), 1);
        assert_eq!(db.record_attachments(&b.id).await.unwrap().len(), 1);
        assert!(db.record_attachment(&b.id, sha).await.unwrap().is_some());
        assert_eq!(db.attachment_files().await.unwrap().len(), 1);
        assert!(
            db.restore_attachment_file(sha, b"other content")
                .await
                .is_err()
        );
        db.restore_attachment_file(sha, content).await.unwrap();
        t.finish().await;
    }
}

#[tokio::test]
async fn files_no_record_holds_are_swept_after_a_grace() {
    use std::time::Duration;
    for t in engines().await {
        let files = tempfile::tempdir().unwrap();
        let db = t.db.clone().with_files_dir(files.path().to_path_buf());
        let (m, pack) = setup(&db).await;
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let kept = tx
            .create_record(&meeting(&m, &["online-ideology"]), &m, &pack, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let store = |content: &'static [u8]| {
            let db = db.clone();
            async move {
                let staged = db.staging_file().unwrap();
                std::fs::write(&staged, content).unwrap();
                db.store_file(&staged, "application/pdf").await.unwrap()
            }
        };
        // Attached: held.
        let held = store(b"%PDF-1.4 held\n%%EOF\n").await;
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        tx.add_attachment(&kept.id, &held, "纪要.pdf")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // Stored for a record whose transaction never committed: nothing refers to it.
        let orphan = store(b"%PDF-1.4 orphan\n%%EOF\n").await;
        // Staged by a request that never finished.
        let leftover = db.staging_file().unwrap();
        std::fs::write(&leftover, b"half an upload").unwrap();

        // Within the grace, nothing goes (a request may be between storing and committing).
        let swept = db.sweep_files(Duration::from_secs(3600)).await.unwrap();
        assert_eq!((swept.unreferenced, swept.staged), (0, 0), "on {}", t.label);
        assert!(db.attachment_path(&orphan.sha256).unwrap().exists());

        let swept = db.sweep_files(Duration::ZERO).await.unwrap();
        assert_eq!((swept.unreferenced, swept.staged), (1, 1), "on {}", t.label);
        assert!(!db.attachment_path(&orphan.sha256).unwrap().exists());
        assert!(!leftover.exists());
        let path = db.attachment_path(&held.sha256).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.4 held\n%%EOF\n");
        // Nothing left to sweep; the record's download still works.
        assert_eq!(
            db.sweep_files(Duration::ZERO).await.unwrap(),
            Default::default()
        );
        assert!(
            db.record_attachment(&kept.id, &held.sha256)
                .await
                .unwrap()
                .is_some()
        );
        t.finish().await;
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn directives_make_obligations_and_tasks_are_supervised() {
    for t in engines().await {
        let db = &t.db;
        let (m, pack) = setup(db).await;
        let mse = m.find_org("cqu-mse").unwrap().id.clone();
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let (dir, added) = tx
            .create_directive(
                &DirectiveDraft {
                    org: "cqu-mse".into(),
                    issuer: "校党委宣传部".into(),
                    document_number: "党宣〔2026〕12号".into(),
                    received_on: "2026-11-02".into(),
                    title: "关于加强网络阵地管理的通知".into(),
                    content: "各二级党组织：……".into(),
                },
                &m,
                &zeren_core::policy::Policies::new(vec![pack.clone()]),
                Lang::Zh,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(added, 1);
        let o = db
            .obligations(&mse, 2026)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.duty == "directive-implementation" && o.subject == dir.id)
            .expect("the directive's obligation");
        assert_eq!(o.due, d("2026-12-02"));
        let directives = db
            .events_of_year(2026)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == zeren_core::vocab::EventKind::Directive)
            .count();
        assert_eq!(directives, 1);

        // Tasks: owners from the org, reports, completion.
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let err = tx
            .add_task(
                &dir.id,
                &TaskDraft {
                    title: "排查".into(),
                    owner: person(&m, "何志强"),
                    deadline: "2026-12-01".into(),
                },
                &m,
                Lang::Zh,
            )
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("不是材料科学与工程学院的人员"),
            "{err}"
        );
        let task = tx
            .add_task(
                &dir.id,
                &TaskDraft {
                    title: "全面排查学院新媒体平台".into(),
                    owner: person(&m, "赵敏"),
                    deadline: "2026-12-01".into(),
                },
                &m,
                Lang::Zh,
            )
            .await
            .unwrap();
        tx.add_task_report(
            &task.id,
            &ReportDraft {
                kind: "progress".into(),
                date: "2026-11-20".into(),
                content: "已排查 3 个平台".into(),
            },
            Lang::Zh,
        )
        .await
        .unwrap();
        let (_, closed) = tx
            .add_task_report(
                &task.id,
                &ReportDraft {
                    kind: "completion".into(),
                    date: "2026-11-27".into(),
                    content: "排查完毕".into(),
                },
                Lang::Zh,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(closed.status, "done");
        assert_eq!(db.task(&task.id).await.unwrap().status, "done");
        assert_eq!(db.task_reports(&dir.id).await.unwrap().len(), 2);

        // The report on the directive discharges its obligation.
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        let report = tx
            .create_record(
                &RecordDraft {
                    kind: "directive-report".into(),
                    org: "cqu-mse".into(),
                    date: "2026-11-27".into(),
                    title: "落实情况报告".into(),
                    directive: dir.id.clone(),
                    text: "已按要求完成".into(),
                    ..RecordDraft::default()
                },
                &m,
                &pack,
                Lang::Zh,
            )
            .await
            .unwrap();
        let done = tx
            .attach_evidence(&o.id, &report.id, o.version, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(done.state, "done", "on {}", t.label);

        // Training status: hours per person in a year, on top of the demo's own sessions.
        let demo_status = db
            .training_status(std::slice::from_ref(&mse), 2026)
            .await
            .unwrap();
        let (sessions, hours) = demo_status
            .get(&person(&m, "赵敏"))
            .map(|s| (s.sessions, s.hours))
            .unwrap_or_default();
        let last_year = db
            .training_status(std::slice::from_ref(&mse), 2025)
            .await
            .unwrap();
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        for hours in ["2.5", "3"] {
            tx.create_record(
                &RecordDraft {
                    kind: "training-session".into(),
                    org: "cqu-mse".into(),
                    date: "2026-09-10".into(),
                    title: "网络意识形态专题培训".into(),
                    trainer: "校宣传部".into(),
                    attendees: vec![person(&m, "赵敏"), person(&m, "李明华")],
                    hours: hours.into(),
                    ..RecordDraft::default()
                },
                &m,
                &pack,
                Lang::Zh,
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let status = db
            .training_status(std::slice::from_ref(&mse), 2026)
            .await
            .unwrap();
        let zm = &status[&person(&m, "赵敏")];
        assert_eq!((zm.sessions, zm.hours), (sessions + 2, hours + 5.5));
        assert_eq!(db.training_status(&[mse], 2025).await.unwrap(), last_year);
        assert!(db.verify_audit().await.unwrap().is_ok());
        t.finish().await;
    }
}

/// Which changes move which generation: a new person moves the model's and leaves the
/// ledger's (counted ledgers are kept), a record moves the ledger's and leaves the model's (the
/// snapshot is kept), a sign-in moves neither.
#[tokio::test]
async fn each_change_moves_only_the_generations_it_reaches() {
    for t in engines().await {
        let db = &t.db;
        let (m, pack) = setup(db).await;
        let mse = m.find_org("cqu-mse").unwrap().id.clone();
        let at = |db: &Db| {
            let db = db.clone();
            async move {
                (
                    db.model_generation().await.unwrap(),
                    db.ledger_generation().await.unwrap(),
                )
            }
        };
        let (model0, ledger0) = at(db).await;

        let mut tx = db.begin(&actor(), now()).await.unwrap();
        tx.create_person(zeren_storage::NewPerson::new("孙新", &mse))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(at(db).await, (model0 + 1, ledger0), "a new person");

        let mut tx = db.begin(&actor(), now()).await.unwrap();
        tx.create_record(&meeting(&m, &["online-ideology"]), &m, &pack, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(at(db).await, (model0 + 1, ledger0 + 1), "a record");

        let user = db.user_by_username("secretary").await.unwrap().unwrap();
        let mut tx = db.begin(&actor(), now()).await.unwrap();
        tx.create_session(&user, "127.0.0.1", false).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(at(db).await, (model0 + 1, ledger0 + 1), "a sign-in");
    }
}
