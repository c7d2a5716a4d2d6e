//! Zeren roster files: the org tree, people, posts, holdings, portfolio assignments and
//! platforms (组织机构/人员/任职 名册) read from an xlsx workbook or CSV files into
//! [`zeren_core::org::roster::Roster`], and written back into the template workbook.
//!
//! Only the form is checked here: sheets, headers, required cells, types of cells. Whether a
//! parent exists or a staff number is given twice is for core to check on the [`Roster`], which
//! keeps the cell of every value so those problems can be located too.
//!
//! Files come from users, so nothing in them is trusted: a file larger than [`MAX_BYTES`] is
//! refused unread, a workbook is vetted as a zip (entry count, sizes declared and real) before
//! it is parsed, sheets are read cell by cell with a cap on rows, and problems stop being
//! collected after a thousand.

#![deny(missing_docs)]

mod columns;
mod csv_read;
mod parse;
mod problem;
mod write;
mod xlsx_read;

pub use problem::{CsvFault, Problem, ProblemKind};
pub use write::WriteError;

use chrono::NaiveDate;
use zeren_core::org::roster::{
    AssignmentRow, At, Cell, HoldingRow, OrgRow, PersonRow, PlatformRow, PostRow, Roster, Sheet,
};

/// Largest roster file read (for CSV, all files together); larger input is refused before
/// parsing.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;

/// Reads a roster workbook (xlsx). Every problem of form is reported, in sheet, row and column
/// order (at most a thousand); the roster is returned only when there is none.
pub fn read_xlsx(bytes: &[u8]) -> Result<Roster, Vec<Problem>> {
    xlsx_read::read(bytes)
}

/// Reads a roster from CSV files, one per sheet, each given as (file name, content). A file is
/// matched to its sheet by its stem, the sheet's title or CSV stem (`人员.csv`, `people.csv`);
/// sheets without a file are empty. Files are UTF-8 (with or without BOM) or GB18030; dates are
/// `YYYY-MM-DD` or `YYYY/M/D`.
pub fn read_csv(files: &[(String, Vec<u8>)]) -> Result<Roster, Vec<Problem>> {
    csv_read::read(files)
}

/// Writes `roster` into the template workbook: the six sheets with headers and rows, then the
/// 说明 sheet. The `at` of each value is ignored; reading the workbook back gives the same values
/// with their new cells.
pub fn write_xlsx(roster: &Roster) -> Result<Vec<u8>, WriteError> {
    write::workbook(roster)
}

/// The empty roster workbook to fill in, with one example row per sheet: a college, a person, a
/// deputy secretary post held by the person, the post's portfolio, and a platform of the
/// college the person operates.
pub fn template() -> Result<Vec<u8>, WriteError> {
    write::workbook(&example())
}

/// The template's example rows. Ids of post kinds and portfolios are those of the built-in
/// policy pack, so the example imports as it is under an org `xyz`.
fn example() -> Roster {
    let at = |sheet, col| At { sheet, row: 2, col };
    let text = |sheet, col, s: &str| Cell {
        value: s.to_string(),
        at: at(sheet, col),
    };
    let day = |sheet, col, y, m, d| {
        NaiveDate::from_ymd_opt(y, m, d).map(|value| Cell {
            value,
            at: at(sheet, col),
        })
    };
    let o = Sheet::Orgs;
    let p = Sheet::People;
    let s = Sheet::Posts;
    let h = Sheet::Holdings;
    let a = Sheet::Assignments;
    let f = Sheet::Platforms;
    let mut roster = Roster {
        orgs: vec![OrgRow {
            code: text(o, 0, "xyz-chem"),
            name: text(o, 1, "化学化工学院"),
            kind: text(o, 2, "college"),
            parent: Some(text(o, 3, "xyz")),
            established_on: day(o, 4, 2001, 9, 1),
            closed_on: None,
        }],
        people: vec![PersonRow {
            staff_no: text(p, 0, "20230001"),
            name: text(p, 1, "张三"),
            org: text(p, 2, "xyz-chem"),
            email: Some(text(p, 3, "zhangsan@xyz.edu.cn")),
            wecom: Some(text(p, 4, "ZhangSan")),
            dingtalk: None,
            left_on: None,
        }],
        posts: vec![PostRow {
            org: text(s, 0, "xyz-chem"),
            kind: text(s, 1, "deputy-secretary"),
            title: text(s, 2, "党委副书记"),
            closed_on: None,
        }],
        holdings: Vec::new(),
        assignments: Vec::new(),
        platforms: vec![PlatformRow {
            code: text(f, 0, "xyz-chem-wechat"),
            name: text(f, 1, "化学化工学院微信公众号"),
            kind: text(f, 2, "wechat-official"),
            org: text(f, 3, "xyz-chem"),
            portfolio: Some(text(f, 4, "publicity")),
            news_function: Some(text(f, 5, "是")),
            opened_on: day(f, 6, 2023, 9, 1),
            state: Some(text(f, 7, "active")),
            operators: Some(text(f, 8, "20230001")),
            icp: None,
            account_id: Some(text(f, 10, "gh_0123456789ab")),
            registered_on: day(f, 11, 2023, 8, 20),
            registering_body: Some(text(f, 12, "某大学化学化工学院")),
        }],
    };
    if let Some(start) = day(h, 3, 2023, 9, 1) {
        roster.holdings.push(HoldingRow {
            org: text(h, 0, "xyz-chem"),
            post: text(h, 1, "党委副书记"),
            staff_no: text(h, 2, "20230001"),
            start,
            end: None,
        });
    }
    if let Some(start) = day(a, 4, 2023, 9, 1) {
        roster.assignments.push(AssignmentRow {
            org: text(a, 0, "xyz-chem"),
            post: text(a, 1, "党委副书记"),
            staff_no: text(a, 2, "20230001"),
            portfolio: text(a, 3, "publicity"),
            start,
            end: None,
        });
    }
    roster
}
