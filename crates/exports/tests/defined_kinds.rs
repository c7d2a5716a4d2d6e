//! The ledger's sheets of record kinds a policy pack defines: the example pack
//! `docs/examples/cqu-mse-clean-government-2025-2.toml` (廉政谈话记录) loaded beside the seed, a
//! later version of it that changes the kind, and a record made under each; on SQLite always
//! and on PostgreSQL when `ZEREN_TEST_POSTGRES` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::json;
use std::io::{Seek, SeekFrom};
use zeren_core::Lang;
use zeren_core::policy::{Policies, builtin_pack, parse_pack};
use zeren_exports::ledger::{LedgerRequest, write_ledger};
use zeren_storage::repo::records::{RecordDraft, sniff};
use zeren_storage::testing::{engines, university_and_college};
use zeren_storage::{Actor, Db, NewPerson, ledger};

const EXAMPLE_SOURCE: &str =
    include_str!("../../../docs/examples/cqu-mse-clean-government-2025-2.toml");

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 4, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Version 2 of the example, in force from 2026-06-01: the kind's 谈话内容 is relabelled
/// 谈话要点 and a field 谈话地点 is added before the scan.
fn version_2() -> String {
    let place = r#"  [[record_kinds.fields]]
  id = "place"
  type = "text"
  label = "谈话地点"
  label_en = "Place"

  [[record_kinds.fields]]
  id = "scan""#;
    let src = EXAMPLE_SOURCE
        .replacen(r#"id = "cqu-mse-2025-2""#, r#"id = "cqu-mse-2026-1""#, 1)
        .replacen("version = 1", "version = 2", 1)
        .replacen(
            "effective_from = 2025-03-01",
            "effective_from = 2026-06-01",
            1,
        )
        .replacen(r#"label = "谈话内容""#, r#"label = "谈话要点""#, 1)
        .replacen("  [[record_kinds.fields]]\n  id = \"scan\"", place, 1);
    assert!(src.contains("谈话地点") && src.contains("谈话要点"));
    src
}

struct Seed {
    college: String,
    secretary: String,
    deputy: String,
}

async fn seed(db: &Db) -> Seed {
    ledger::initialise(db, at(2025, 1, 2)).await.unwrap();
    let mut tx = db.begin(&Actor::cli(), at(2025, 1, 2)).await.unwrap();
    let (_, college) = university_and_college(&mut tx).await.unwrap();
    let secretary = tx
        .create_person(NewPerson::new("王建国", &college.id))
        .await
        .unwrap()
        .id;
    let deputy = tx
        .create_person(NewPerson::new("赵敏", &college.id))
        .await
        .unwrap()
        .id;
    for src in [EXAMPLE_SOURCE.to_string(), version_2()] {
        let pack = parse_pack(&src).unwrap_or_else(|d| panic!("example pack: {d:?}"));
        tx.load_policy(&pack, &src, false).await.unwrap();
    }
    tx.commit().await.unwrap();
    Seed {
        college: college.id,
        secretary,
        deputy,
    }
}

/// A 廉政谈话记录 made at `now`, the talk on `on`, with `files` scans attached.
async fn talk(
    db: &Db,
    s: &Seed,
    now: DateTime<Utc>,
    on: &str,
    extra: &[(&str, &str)],
    files: usize,
) {
    let model = db.load_model().await.unwrap();
    let pack = builtin_pack().unwrap();
    let mut values: std::collections::BTreeMap<String, serde_json::Value> = [
        ("talked-on", json!(on)),
        ("talker", json!(s.secretary)),
        ("talked-with", json!([s.deputy])),
        ("talk-kind", json!("annual")),
        (
            "content",
            json!(format!("{on} 谈话，提醒严格执行“三重一大”制度。")),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in extra {
        values.insert(k.to_string(), json!(v));
    }
    let draft = RecordDraft {
        kind: "integrity-talk".into(),
        org: s.college.clone(),
        title: format!("廉政谈话 {on}"),
        values,
        ..RecordDraft::default()
    };
    let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
    let record = tx
        .create_record(&draft, &model, &pack, Lang::Zh)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for i in 0..files {
        let staged = db.staging_file().unwrap();
        std::fs::write(&staged, format!("%PDF-1.4\n% talk {on} {i}\n%%EOF\n")).unwrap();
        let mime = sniff(&staged, "谈话记录.pdf").unwrap().unwrap();
        let file = db.store_file(&staged, mime).await.unwrap();
        let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
        tx.add_attachment(&record.id, &file, &format!("谈话记录{i}.pdf"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}

fn text(s: &str) -> Data {
    Data::String(s.to_string())
}

fn date_of(cell: Option<&Data>) -> NaiveDate {
    match cell {
        Some(Data::DateTime(d)) => d.as_datetime().unwrap().date(),
        other => panic!("not a date: {other:?}"),
    }
}

#[tokio::test]
async fn a_pack_defined_kind_gets_a_sheet_with_the_columns_of_its_newest_definition() {
    for t in engines().await {
        eprintln!("story on {}", t.label);
        let db = &t.db;
        let s = seed(db).await;
        // Made under version 1 (in force on 2026-03-10), with two scans; then under version 2.
        talk(db, &s, at(2026, 3, 10), "2026-03-05", &[], 2).await;
        talk(
            db,
            &s,
            at(2026, 11, 28),
            "2026-11-20",
            &[("place", "学院会议室")],
            0,
        )
        .await;
        // Another year's talk stays out of the 2026 ledger.
        talk(db, &s, at(2026, 3, 10), "2025-12-30", &[], 0).await;

        let model = db.load_model().await.unwrap();
        let policies = Policies::new(
            db.policies()
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.pack)
                .collect(),
        );
        let now = at(2026, 12, 1);
        let today = day(2026, 12, 1);
        let primary = builtin_pack().unwrap().meta.series;
        let pack = policies.combined(&primary, today).unwrap();
        let root = model.find_org("cqu").unwrap();
        let req = LedgerRequest {
            db,
            model: &model,
            pack: &pack,
            policies: &policies,
            org: root,
            year: 2026,
            now,
            exported_by: "测试",
            tempdir: None,
        };
        let (summary, mut file) = write_ledger(&req, tempfile::tempfile().unwrap())
            .await
            .unwrap();
        let names: Vec<&str> = summary.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "责任清单",
                "党委会",
                "分析研判",
                "教育培训",
                "青年教育",
                "廉政谈话记录",
                "上级部署",
                "督办任务",
                "网络阵地",
                "阵地状态变化",
                "年审与整改",
                "网上活动",
                "舆情事件",
                "风险评估"
            ]
        );
        assert_eq!(summary[5], ("廉政谈话记录".to_string(), 2));

        file.seek(SeekFrom::Start(0)).unwrap();
        let mut wb = Xlsx::new(std::io::BufReader::new(file)).unwrap();
        assert_eq!(wb.sheet_names()[6], "廉政谈话记录");
        let sheet = wb.worksheet_range("廉政谈话记录").unwrap();
        assert_eq!(sheet.height(), 3, "a header and two talks of 2026");
        let header: Vec<Data> = sheet.rows().next().unwrap().to_vec();
        assert_eq!(
            header,
            [
                "组织",
                "谈话日期",
                "标题",
                "谈话人",
                "谈话对象",
                "谈话类型",
                "谈话要点",
                "谈话地点",
                "谈话记录扫描件"
            ]
            .map(text)
        );
        // Version 1's talk: its 谈话内容 fills 谈话要点 (the same field), it has no 谈话地点.
        assert_eq!(sheet.get((1, 0)), Some(&text("材料科学与工程学院")));
        assert_eq!(date_of(sheet.get((1, 1))), day(2026, 3, 5));
        assert_eq!(sheet.get((1, 2)), Some(&text("廉政谈话 2026-03-05")));
        assert_eq!(sheet.get((1, 3)), Some(&text("王建国")));
        assert_eq!(sheet.get((1, 4)), Some(&text("赵敏")));
        assert_eq!(sheet.get((1, 5)), Some(&text("年度廉政谈话")));
        assert_eq!(
            sheet.get((1, 6)),
            Some(&text("2026-03-05 谈话，提醒严格执行“三重一大”制度。"))
        );
        assert!(matches!(sheet.get((1, 7)), None | Some(Data::Empty)));
        assert_eq!(sheet.get((1, 8)), Some(&Data::Float(2.0)));
        // Version 2's talk.
        assert_eq!(date_of(sheet.get((2, 1))), day(2026, 11, 20));
        assert_eq!(sheet.get((2, 7)), Some(&text("学院会议室")));
        assert_eq!(sheet.get((2, 8)), Some(&Data::Float(0.0)));

        // The cover lists the sheet with its rows.
        let cover = wb.worksheet_range("封面").unwrap();
        let listed = cover
            .rows()
            .find(|r| r.first() == Some(&text("廉政谈话记录")))
            .unwrap_or_else(|| panic!("not on the cover: {cover:?}"));
        assert_eq!(listed.get(1), Some(&Data::Float(2.0)));
        t.finish().await;
    }
}
