//! The ledger workbook writer (`zeren_exports::xlsx::Ledger`, what `zeren export ledger` and the
//! ledger download write) fed any text, dates and numbers in its cells, cover facts, document
//! properties and sheet names: it writes a workbook or says why not, never panics; a workbook
//! written opens as a zip and as a workbook (`calamine`), with the sheets in order and every
//! text cell read back as written.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use libfuzzer_sys::fuzz_target;
use rust_xlsxwriter::XlsxError;
use std::io::Cursor;
use zeren_core::records::TEXT_MAX;
use zeren_exports::xlsx::{Cell, Column, ExportError, Ledger};

#[derive(Arbitrary, Debug)]
struct WorkbookInput {
    cover: String,
    title: String,
    author: String,
    cover_title: String,
    facts: Vec<(String, String)>,
    sheets: Vec<SheetInput>,
}

#[derive(Arbitrary, Debug)]
struct SheetInput {
    name: String,
    columns: Vec<u8>,
    rows: Vec<Vec<CellInput>>,
}

#[derive(Arbitrary, Debug)]
enum CellInput {
    Text(String),
    /// A long text: the string repeated (records keep up to `TEXT_MAX` characters, far more
    /// than a fuzz input holds).
    Long(String, u16),
    /// Days from 1900-01-01.
    Date(u16),
    Number(f64),
    Empty,
}

const COLUMNS: [Column; 4] = [
    Column::text("组织"),
    Column::long("完成说明"),
    Column::date("截止日期"),
    Column::number("条数"),
];

/// The text of a text cell, as a record may hold it.
fn text_of(c: &CellInput) -> Option<String> {
    match c {
        CellInput::Text(s) => Some(s.clone()),
        CellInput::Long(s, times) => {
            let long = s.repeat(usize::from(*times).min(TEXT_MAX / s.len().max(1)));
            Some(long.chars().take(TEXT_MAX).collect())
        }
        _ => None,
    }
}

fn cell(c: &CellInput) -> Cell {
    if let Some(t) = text_of(c) {
        return Cell::Text(t);
    }
    match c {
        CellInput::Text(_) | CellInput::Long(..) => Cell::Empty,
        CellInput::Date(days) => {
            let start = NaiveDate::from_ymd_opt(1900, 1, 1).expect("1900");
            Cell::Date(start + Duration::days(i64::from(*days)))
        }
        CellInput::Number(n) => Cell::Number(*n),
        CellInput::Empty => Cell::Empty,
    }
}

/// The workbook, or `None` when a sheet name is refused (Excel's rules on names; the ledger's
/// names are fixed). Cells a record may hold are never refused.
fn write(input: &WorkbookInput) -> Option<Vec<u8>> {
    let mut ledger = Ledger::new(&input.cover, None).ok()?;
    ledger.properties(&input.title, &input.author);
    for sheet in &input.sheets {
        let columns: Vec<Column> = sheet
            .columns
            .iter()
            .map(|c| COLUMNS[usize::from(*c) % COLUMNS.len()].clone())
            .collect();
        ledger.begin_sheet(&sheet.name, &columns).ok()?;
        for row in &sheet.rows {
            let cells: Vec<Cell> = row.iter().map(cell).collect();
            if let Err(e) = ledger.row(&cells) {
                panic!("a row of cells a record may hold is refused: {e}");
            }
        }
    }
    let mut out = Cursor::new(Vec::new());
    match ledger.save_to_writer(&input.cover_title, &input.facts, &mut out) {
        Ok(_) => Some(out.into_inner()),
        Err(ExportError::Xlsx(XlsxError::MaxStringLengthExceeded)) => {
            panic!("a cover text over a cell's limit refuses the workbook")
        }
        Err(_) => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(input) = WorkbookInput::arbitrary(&mut u) else {
        return;
    };
    let Some(bytes) = write(&input) else {
        return;
    };
    let zip = zip::ZipArchive::new(Cursor::new(&bytes)).expect("the workbook is a zip");
    assert!(zip.index_for_name("xl/workbook.xml").is_some());
    let mut wb = Xlsx::new(Cursor::new(&bytes)).expect("the workbook opens");
    let mut names = vec![input.cover.clone()];
    names.extend(input.sheets.iter().map(|s| s.name.clone()));
    assert_eq!(wb.sheet_names(), names);
    for sheet in &input.sheets {
        let range = wb.worksheet_range(&sheet.name).expect("the sheet reads");
        let width = sheet.columns.len();
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate().take(width) {
                let got = range.get_value(((r + 1) as u32, c as u32));
                match (value, text_of(value)) {
                    (_, Some(s)) if !s.is_empty() => {
                        let want = zeren_exports::xlsx::fit_cell(&s).into_owned();
                        assert_eq!(got, Some(&Data::String(want)), "row {r} column {c}");
                    }
                    (CellInput::Number(n), _) if n.is_finite() => {
                        assert_eq!(got, Some(&Data::Float(*n)), "row {r} column {c}");
                    }
                    _ => {}
                }
            }
        }
    }
});
