//! Reading and writing roster workbooks: the round trip, the template, and the problems of
//! workbooks as people fill them in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use calamine::{Data, Reader, Xlsx};
use common::{cells, d, roster, told, values};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::io::Cursor;
use zeren_core::Lang;
use zeren_core::org::roster::{At, Sheet};
use zeren_roster::{ProblemKind, read_xlsx, template, write_xlsx};

#[test]
fn a_roster_comes_back_as_written_with_its_real_cells() {
    let original = roster();
    let bytes = write_xlsx(&original).unwrap();
    let back = read_xlsx(&bytes).unwrap_or_else(|p| panic!("{:#?}", told(&p)));
    assert_eq!(values(&back), values(&original));
    assert_eq!(back.people[0].staff_no.value, "00123");

    // Each value's cell holds that value, as calamine reads the workbook.
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
    let seen = cells(&back);
    assert!(seen.len() > 40, "{}", seen.len());
    for s in seen {
        let range = book.worksheet_range(s.at.sheet.title()).unwrap();
        let cell = range
            .get_value((s.at.row - 1, u32::from(s.at.col)))
            .unwrap_or_else(|| panic!("nothing at {}", s.at));
        let found = match cell {
            Data::String(t) => t.clone(),
            Data::DateTime(dt) => dt.as_datetime().unwrap().date().to_string(),
            other => panic!("{} holds {other:?}", s.at),
        };
        assert_eq!(found, s.value, "at {}", s.at);
    }
    // And the cells are where a person would count them: 人员!A2 is the first staff number.
    assert_eq!(back.people[0].staff_no.at.to_string(), "人员!A2");
    assert_eq!(
        back.holdings[1].end.as_ref().unwrap().at.to_string(),
        "任职!E3"
    );
    assert_eq!(
        back.orgs[1].closed_on.as_ref().unwrap().at.to_string(),
        "组织!F3"
    );
}

#[test]
fn the_workbook_has_text_codes_real_dates_and_instructions() {
    let bytes = write_xlsx(&roster()).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["组织", "人员", "职务", "任职", "分管", "阵地", "说明"]
    );
    let people = book.worksheet_range("人员").unwrap();
    assert_eq!(people.get_value((0, 0)), Some(&Data::String("工号".into())));
    assert_eq!(
        people.get_value((1, 0)),
        Some(&Data::String("00123".into()))
    );
    let holdings = book.worksheet_range("任职").unwrap();
    match holdings.get_value((1, 3)) {
        Some(Data::DateTime(dt)) => {
            assert_eq!(dt.as_datetime().unwrap().date(), d("2021-03-01"))
        }
        other => panic!("start is not a date: {other:?}"),
    }
    let notes = book.worksheet_range("说明").unwrap();
    let text: Vec<String> = notes.rows().flatten().map(|c| c.to_string()).collect();
    for header in ["工号", "任职开始", "分管领域", "staff_no"] {
        assert!(text.iter().any(|t| t == header), "说明 lacks {header}");
    }
}

#[test]
fn the_template_reads_back_with_one_row_per_sheet() {
    let r = read_xlsx(&template().unwrap()).unwrap_or_else(|p| panic!("{:#?}", told(&p)));
    assert_eq!(
        (
            r.orgs.len(),
            r.people.len(),
            r.posts.len(),
            r.holdings.len(),
            r.assignments.len()
        ),
        (1, 1, 1, 1, 1)
    );
    assert_eq!(r.orgs[0].code.value, "xyz-chem");
    assert_eq!(r.orgs[0].parent.as_ref().unwrap().value, "xyz");
    assert_eq!(r.people[0].staff_no.value, "20230001");
    assert_eq!(r.people[0].name.value, "张三");
    // The example holds together: the holder of the post is the person, the portfolio is the
    // post's, and the ids are those of the built-in pack.
    assert_eq!(r.posts[0].kind.value, "deputy-secretary");
    assert_eq!(r.holdings[0].post.value, r.posts[0].title.value);
    assert_eq!(r.assignments[0].post.value, r.posts[0].title.value);
    assert_eq!(r.assignments[0].staff_no.value, "20230001");
    assert_eq!(r.assignments[0].portfolio.value, "publicity");
    let pack = zeren_core::policy::builtin_pack().unwrap();
    let kind = pack
        .post_kinds
        .iter()
        .find(|k| k.id == r.posts[0].kind.value);
    assert!(kind.is_some_and(|k| k.leadership && k.org_kinds.iter().any(|o| o.to_string() == "college")), "{kind:?}");
    assert!(
        pack.portfolios
            .iter()
            .any(|p| p.id == r.assignments[0].portfolio.value)
    );
}

fn header(ws: &mut rust_xlsxwriter::Worksheet, headers: &[&str]) {
    for (c, h) in (0u16..).zip(headers) {
        ws.write_string(0, c, *h).unwrap();
    }
}

fn date_format() -> Format {
    Format::new().set_num_format("yyyy-mm-dd")
}

fn xd(y: u16, m: u8, dd: u8) -> ExcelDateTime {
    ExcelDateTime::from_ymd(y, m, dd).unwrap()
}

/// A workbook as a person might fill it in, with one of each common mistake.
fn sloppy() -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name("说明").unwrap();
    ws.write_string(0, 0, "随便写点什么").unwrap();

    let ws = book.add_worksheet().set_name("组织").unwrap();
    header(ws, &["组织代码", "名称", "类型"]);
    ws.write_string(1, 0, "xyz").unwrap();
    ws.write_string(1, 1, "某某大学").unwrap();
    ws.write_string(1, 2, "university").unwrap();

    // Columns in another order; a blank row; an empty required cell; a header with spaces.
    let ws = book.add_worksheet().set_name("人员").unwrap();
    header(ws, &["姓名", " 工号 ", "所属组织代码", "离开日期"]);
    ws.write_string(1, 0, "张三").unwrap();
    ws.write_number(1, 1, 20230001.0).unwrap();
    ws.write_string(1, 2, "xyz").unwrap();
    ws.write_string(3, 1, "20230002").unwrap();
    ws.write_string(3, 2, "xyz").unwrap();
    ws.write_number(3, 3, 45000.0).unwrap(); // a number with no date format

    // 职务类型 missing.
    let ws = book.add_worksheet().set_name("职务").unwrap();
    header(ws, &["组织代码", "职务名称"]);
    ws.write_string(1, 0, "xyz").unwrap();
    ws.write_string(1, 1, "党委书记").unwrap();

    // A date typed as text at D3, a boolean where a staff number goes at C4.
    let ws = book.add_worksheet().set_name("任职").unwrap();
    header(
        ws,
        &["组织代码", "职务名称", "工号", "任职开始", "任职结束"],
    );
    let df = date_format();
    ws.write_string(1, 0, "xyz").unwrap();
    ws.write_string(1, 1, "党委书记").unwrap();
    ws.write_string(1, 2, "20230001").unwrap();
    ws.write_datetime_with_format(1, 3, xd(2024, 9, 1), &df)
        .unwrap();
    ws.write_string(2, 0, "xyz").unwrap();
    ws.write_string(2, 1, "党委书记").unwrap();
    ws.write_string(2, 2, "20230002").unwrap();
    ws.write_string(2, 3, "2024-09-01").unwrap();
    ws.write_string(3, 0, "xyz").unwrap();
    ws.write_string(3, 1, "党委书记").unwrap();
    ws.write_boolean(3, 2, true).unwrap();
    ws.write_datetime_with_format(3, 3, xd(2024, 9, 1), &df)
        .unwrap();

    // A merged range, in a row otherwise whole.
    let ws = book.add_worksheet().set_name("分管").unwrap();
    header(
        ws,
        &["组织代码", "职务名称", "工号", "分管领域", "开始", "结束"],
    );
    for (c, v) in (0u16..).zip(["xyz", "党委书记", "20230001", "publicity"]) {
        ws.write_string(2, c, v).unwrap();
    }
    ws.merge_range(2, 4, 2, 5, "", &df).unwrap();
    ws.write_datetime_with_format(2, 4, xd(2024, 9, 1), &df)
        .unwrap();

    let ws = book.add_worksheet().set_name("Sheet1").unwrap();
    ws.write_string(0, 0, "x").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn every_mistake_is_told_at_its_cell_in_order() {
    let problems = read_xlsx(&sloppy()).unwrap_err();
    assert_eq!(
        told(&problems),
        [
            "- UnknownSheet { name: \"Sheet1\" }",
            "人员!A4 Required { header: \"姓名\" }",
            "人员!D4 NotADate { found: \"45000\" }",
            "- MissingColumn { sheet: Posts, header: \"职务类型\" }",
            "任职!D3 DateAsText { text: \"2024-09-01\" }",
            "任职!C4 NotText { found: \"TRUE\" }",
            "分管!E3 MergedCells { range: \"E3:F3\" }",
        ]
    );
    let date_as_text = &problems[4];
    assert_eq!(
        date_as_text.at,
        Some(At {
            sheet: Sheet::Holdings,
            row: 3,
            col: 3
        })
    );
    let zh = date_as_text.message(Lang::Zh);
    assert!(zh.starts_with("任职!D3: "), "{zh}");
    assert!(zh.contains("日期"), "{zh}");
    assert!(
        date_as_text
            .message(Lang::En)
            .starts_with("任职!D3: the date \"2024-09-01\" is stored as text")
    );
}

#[test]
fn a_staff_number_stored_as_a_number_is_read_as_its_digits() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name("人员").unwrap();
    header(ws, &["工号", "姓名", "所属组织代码", "email"]);
    ws.write_number(1, 0, 20230001.0).unwrap();
    ws.write_string(1, 1, "  张三 ").unwrap();
    ws.write_string(1, 2, "xyz").unwrap();
    ws.write_string(1, 3, "   ").unwrap();
    ws.write_number(2, 0, 1.5).unwrap();
    ws.write_string(2, 1, "李四").unwrap();
    ws.write_number(2, 2, 7.0).unwrap();
    let r =
        read_xlsx(&book.save_to_buffer().unwrap()).unwrap_or_else(|p| panic!("{:#?}", told(&p)));
    assert_eq!(r.people.len(), 2);
    assert_eq!(r.people[0].staff_no.value, "20230001");
    assert_eq!(r.people[0].name.value, "张三");
    assert_eq!(r.people[0].email, None);
    assert_eq!(r.people[1].staff_no.value, "1.5");
    assert_eq!(r.people[1].org.value, "7");
    assert!(r.orgs.is_empty() && r.holdings.is_empty());
}

#[test]
fn headers_duplicate_unknown_or_missing_and_stray_values() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name("posts").unwrap();
    header(ws, &["org", "kind", "title", "标题", "org"]);
    ws.write_string(1, 0, "xyz").unwrap();
    ws.write_string(1, 1, "secretary").unwrap();
    ws.write_string(1, 2, "党委书记").unwrap();
    ws.write_string(1, 6, "?").unwrap();
    ws.write_string(2, 6, "?").unwrap();
    // A second sheet that is also 职务.
    book.add_worksheet().set_name("职务").unwrap();
    let problems = read_xlsx(&book.save_to_buffer().unwrap()).unwrap_err();
    assert_eq!(
        told(&problems),
        [
            "- DuplicateSheet { sheet: Posts, name: \"职务\" }",
            "职务!D1 UnknownColumn { header: \"标题\" }",
            "职务!E1 DuplicateColumn { header: \"org\" }",
            "职务!G2 NoHeader",
        ]
    );
}

#[test]
fn real_dates_and_datetimes_are_read_as_days() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name("任职").unwrap();
    header(
        ws,
        &["组织代码", "职务名称", "工号", "任职开始", "任职结束"],
    );
    ws.write_string(1, 0, "xyz").unwrap();
    ws.write_string(1, 1, "党委书记").unwrap();
    ws.write_string(1, 2, "1").unwrap();
    let dt = ExcelDateTime::from_ymd(2024, 9, 1)
        .unwrap()
        .and_hms(13, 30, 0)
        .unwrap();
    ws.write_datetime_with_format(1, 3, dt, &Format::new().set_num_format("yyyy-mm-dd hh:mm"))
        .unwrap();
    ws.write_datetime_with_format(
        1,
        4,
        xd(2025, 1, 31),
        &Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\""),
    )
    .unwrap();
    let r =
        read_xlsx(&book.save_to_buffer().unwrap()).unwrap_or_else(|p| panic!("{:#?}", told(&p)));
    assert_eq!(r.holdings[0].start.value, d("2024-09-01"));
    assert_eq!(r.holdings[0].end.as_ref().unwrap().value, d("2025-01-31"));
}

#[test]
fn an_empty_workbook_sheet_is_an_empty_list() {
    let mut book = Workbook::new();
    book.add_worksheet().set_name("组织").unwrap();
    let ws = book.add_worksheet().set_name("people").unwrap();
    header(ws, &["staff_no", "name", "org"]);
    let r =
        read_xlsx(&book.save_to_buffer().unwrap()).unwrap_or_else(|p| panic!("{:#?}", told(&p)));
    assert_eq!(r, Default::default());
}

#[test]
fn too_many_rows_are_refused_without_reading_them_all() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name("人员").unwrap();
    header(ws, &["工号", "姓名", "所属组织代码"]);
    ws.write_string(1, 0, "1").unwrap();
    ws.write_string(1_048_575, 16_383, "far away").unwrap();
    let problems = read_xlsx(&book.save_to_buffer().unwrap()).unwrap_err();
    // The sheet's own problem first, then those of the rows read before the far cell.
    assert_eq!(
        told(&problems),
        [
            "- TooManyRows { sheet: People, limit: 200000 }",
            "人员!B2 Required { header: \"姓名\" }",
            "人员!C2 Required { header: \"所属组织代码\" }",
        ]
    );
}

#[test]
fn problems_stop_at_a_thousand() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name("人员").unwrap();
    header(ws, &["工号", "姓名", "所属组织代码"]);
    for row in 1..=2000 {
        ws.write_string(row, 0, "x").unwrap();
    }
    let problems = read_xlsx(&book.save_to_buffer().unwrap()).unwrap_err();
    assert_eq!(problems.len(), 1001);
    assert_eq!(
        problems[1000].kind,
        ProblemKind::TooManyProblems { limit: 1000 }
    );
    assert_eq!(problems[0].at.unwrap().to_string(), "人员!B2");
    assert_eq!(problems[1].at.unwrap().to_string(), "人员!C2");
}
