//! `zeren export ledger` as a user runs it: the workbook opens with the expected sheets,
//! headers, rows and real dates; bad arguments are refused with a message naming them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::path::{Path, PathBuf};
use std::process::Command;
use zeren_storage::testing;

const DEMO_DAY: &str = "2026-11-28";

fn zeren(data_dir: &Path, url: Option<&str>, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zeren"));
    cmd.args(args)
        .env("ZEREN_DATA_DIR", data_dir)
        .env("ZEREN_LANG", "zh-CN")
        .env_remove("DATABASE_URL");
    if let Some(url) = url {
        cmd.env("DATABASE_URL", url);
    }
    let out = cmd.output().expect("run zeren");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn tmpdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zeren-export-{}", zeren_storage::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn ledger_export_opens_with_sheets_headers_rows_and_dates() {
    let mut engines: Vec<(&str, Option<String>, Option<testing::TestDb>)> =
        vec![("sqlite", None, None)];
    if let Some(pg) = testing::postgres().await {
        engines.push(("postgres", Some(pg.url.clone()), Some(pg)));
    }
    for (label, url, pg) in engines {
        eprintln!("engine: {label}");
        let dir = tmpdir();
        let url = url.as_deref();
        let (code, out, err) = zeren(&dir, url, &["demo", "--clock", DEMO_DAY]);
        assert_eq!(code, 0, "{out}{err}");
        // More records of one kind than a page of them (the export reads 200 at a time).
        let db_url = url
            .map(str::to_string)
            .unwrap_or_else(|| format!("sqlite://{}", dir.join("zeren.db").display()));
        let db = zeren_storage::Db::connect(&db_url).await.unwrap();
        let model = db.load_model().await.unwrap();
        let pack = zeren_core::policy::builtin_pack().unwrap();
        let mut tx = db
            .begin(
                &zeren_storage::Actor::cli(),
                zeren_core::clock::noon_in_shanghai(
                    chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
                ),
            )
            .await
            .unwrap();
        for i in 0..450 {
            let draft = zeren_core::records::RecordDraft {
                kind: "education-activity".into(),
                org: "cqu-mse-b1".into(),
                date: format!("2026-{:02}-{:02}", 1 + i % 11, 1 + i % 28),
                title: format!("分页活动{i:03}"),
                audience: "2026级本科生".into(),
                count: "30".into(),
                content: "网络文明".into(),
                ..Default::default()
            };
            tx.create_record(&draft, &model, &pack, zeren_core::Lang::Zh)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        db.close().await;
        let file = dir.join("台账.xlsx");
        let (code, out, err) = zeren(
            &dir,
            url,
            &[
                "export",
                "ledger",
                "--org",
                "cqu-mse",
                "--year",
                "2026",
                "--out",
                file.to_str().unwrap(),
                "--clock",
                DEMO_DAY,
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("责任清单"), "{out}");

        let mut wb: Xlsx<_> = open_workbook(&file).unwrap();
        assert_eq!(
            wb.sheet_names(),
            [
                "封面",
                "责任清单",
                "党委会",
                "分析研判",
                "教育培训",
                "青年教育",
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
        // The event ledger: the demo's four online events of the college, with their approval.
        let events = wb.worksheet_range("网上活动").unwrap();
        assert_eq!(events.height(), 5, "a header and the demo's four events");
        let cells: Vec<String> = events
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        assert!(
            cells.iter().any(|c| c == "材料前沿学术论坛（线上）"),
            "{cells:?}"
        );
        assert!(cells.iter().any(|c| c == "已审批"), "{cells:?}");
        // The 阵地台账: the college's four platforms, registered as the demo registers them.
        let platforms = wb.worksheet_range("网络阵地").unwrap();
        assert_eq!(platforms.height(), 5);
        let cells: Vec<String> = platforms.cells().map(|(_, _, c)| c.to_string()).collect();
        assert!(
            cells.iter().any(|c| c == "渝ICP备05003022号-10"),
            "{cells:?}"
        );
        let cover = wb.worksheet_range("封面").unwrap();
        let cover_text: Vec<String> = cover.cells().map(|(_, _, c)| c.to_string()).collect();
        assert!(
            cover_text
                .iter()
                .any(|c| c.contains("重大材料委〔2021〕6号")),
            "{cover_text:?}"
        );
        assert!(cover_text.iter().any(|c| c == "材料科学与工程学院"));
        assert!(
            cover_text
                .iter()
                .any(|c| c.contains("2026-11-28") && c.contains("北京时间"))
        );

        let education = wb.worksheet_range("青年教育").unwrap();
        let mut paged: Vec<String> = education
            .rows()
            .map(|r| r[2].to_string())
            .filter(|t| t.starts_with("分页活动"))
            .collect();
        paged.sort();
        paged.dedup();
        assert_eq!(paged.len(), 450, "each record once, across pages");

        let ob = wb.worksheet_range("责任清单").unwrap();
        let headers: Vec<String> = (0..ob.width())
            .map(|c| ob.get((0, c)).unwrap().to_string())
            .collect();
        assert_eq!(
            &headers[..6],
            ["组织", "职责", "条款", "对象", "周期", "截止日期"]
        );
        // Every obligation of the college and its branches, one row each.
        let db = zeren_storage::Db::connect(
            url.map(str::to_string)
                .unwrap_or_else(|| format!("sqlite://{}", dir.join("zeren.db").display()))
                .as_str(),
        )
        .await
        .unwrap();
        let model = db.load_model().await.unwrap();
        let mse = model.find_org("cqu-mse").unwrap();
        let mut expected = 0;
        for o in model.subtree(&mse.id) {
            expected += db.obligations(&o.id, 2026).await.unwrap().len();
        }
        assert!(expected > 10);
        assert_eq!(ob.height(), expected + 1);
        match ob.get((1, 5)) {
            Some(Data::DateTime(d)) => assert!(d.as_datetime().is_some()),
            other => panic!("the due date is not an Excel date: {other:?}"),
        }
        let rows: Vec<Vec<String>> = ob
            .rows()
            .skip(1)
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert!(
            rows.iter()
                .any(|r| r[1] == "党委会年度专题研究网络意识形态工作" && r[2] == "第四条第（二）项"),
            "{:?}",
            rows.first()
        );
        assert!(rows.iter().any(|r| r[6] == "已逾期"));
        assert!(rows.iter().any(|r| r[6] == "已完成"));
        // Who was responsible on the due date: the old secretary before 1 July, the new one after.
        assert!(rows.iter().any(|r| r[7] == "王建国"));
        assert!(rows.iter().any(|r| r[7] == "李明华"));
        let audit = db.audit_page(0, 100_000).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "ledger.export" && e.object_id == mse.id)
        );
        db.close().await;

        // Bad input: a missing org, a year out of range; nothing written.
        let bad = dir.join("bad.xlsx");
        let (code, _, err) = zeren(
            &dir,
            url,
            &[
                "export",
                "ledger",
                "--org",
                "nope",
                "--year",
                "2026",
                "--out",
                bad.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 1);
        assert!(err.contains("--org") && err.contains("nope"), "{err}");
        assert!(!bad.exists());
        let (code, _, err) = zeren(
            &dir,
            url,
            &[
                "export",
                "ledger",
                "--org",
                "cqu-mse",
                "--year",
                "1999",
                "--out",
                bad.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("--year"), "{err}");
        assert!(!bad.exists());

        let _ = std::fs::remove_dir_all(&dir);
        if let Some(pg) = pg {
            pg.finish().await;
        }
    }
}

#[tokio::test]
async fn report_export_writes_the_years_word_and_excel_files() {
    let dir = tmpdir();
    let (code, out, err) = zeren(&dir, None, &["demo", "--clock", DEMO_DAY]);
    assert_eq!(code, 0, "{out}{err}");
    // The office starts 2026's assessment of the university (as the web would).
    let db_url = format!("sqlite://{}", dir.join("zeren.db").display());
    let db = zeren_storage::Db::connect(&db_url).await.unwrap();
    let model = db.load_model().await.unwrap();
    let pack = zeren_core::policy::builtin_pack().unwrap();
    let scheme = zeren_core::assessments::Scheme::from_pack(&pack, 2026).unwrap();
    let now =
        zeren_core::clock::noon_in_shanghai(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
    let mut tx = db.begin(&zeren_storage::Actor::cli(), now).await.unwrap();
    let cqu = model.find_org("cqu").unwrap().id.clone();
    tx.create_assessment_round(&pack.meta.id, &cqu, 2026, &scheme)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    drop(db);

    let base = [
        "export", "report", "--org", "cqu", "--year", "2026", "--clock", DEMO_DAY,
    ];
    for (extra, file) in [
        (&[][..], "results.docx"),
        (&["--college", "cqu-mse"][..], "college.docx"),
        (&["--college", "cqu-mse", "--duty-report"][..], "duty.docx"),
        (&["--scores"][..], "scores.xlsx"),
    ] {
        let path = dir.join(file);
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        let path_text = path.display().to_string();
        args.extend_from_slice(&["--out", &path_text]);
        let (code, out, err) = zeren(&dir, None, &args);
        assert_eq!(code, 0, "{file}: {out}{err}");
        assert!(out.contains("已导出"), "{out}");
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..2], b"PK", "{file} is a zip");
    }
    let mut book: Xlsx<_> = open_workbook(dir.join("scores.xlsx")).unwrap();
    assert_eq!(book.sheet_names().len(), 4, "{:?}", book.sheet_names());
    let summary = book.worksheet_range_at(0).unwrap().unwrap();
    let colleges = summary
        .rows()
        .filter(|r| {
            r.iter()
                .any(|c| matches!(c, Data::String(s) if s != "学院" && s.ends_with("学院")))
        })
        .count();
    assert_eq!(colleges, 3, "one row a college");

    // No assessment of that year: a message, nothing written.
    let missing = dir.join("none.docx");
    let (code, _, err) = zeren(
        &dir,
        None,
        &[
            "export",
            "report",
            "--org",
            "cqu",
            "--year",
            "2025",
            "--out",
            &missing.display().to_string(),
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("没有找到该年度考核"), "{err}");
    assert!(!missing.exists());
    // A duty report names its college.
    let (code, _, err) = zeren(
        &dir,
        None,
        &[
            "export",
            "report",
            "--org",
            "cqu",
            "--year",
            "2026",
            "--duty-report",
            "--out",
            "x.docx",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--college"), "{err}");
}
