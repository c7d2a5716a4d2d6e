//! Writing a roster into the template workbook: the six sheets with their headers and rows,
//! then 说明 (instructions). Codes and staff numbers are text cells in text-formatted columns,
//! so neither the written `00123` nor one typed later loses its zeros; dates are real dates.

use crate::columns::{self, Kind};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use zeren_core::org::roster::{Day, Roster, Sheet, Text};

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The xlsx writer failed (a limit of the format: rows, text length).
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A date Excel cannot hold (before 1900 or after 9999).
    #[error("Excel cannot hold the date {0}")]
    Date(NaiveDate),
}

/// A cell to write.
enum Out<'a> {
    Text(&'a str),
    Date(NaiveDate),
    Empty,
}

fn t(c: &Text) -> Out<'_> {
    Out::Text(&c.value)
}

fn ot(c: &Option<Text>) -> Out<'_> {
    c.as_ref().map_or(Out::Empty, t)
}

fn d(c: &Day) -> Out<'static> {
    Out::Date(c.value)
}

fn od(c: &Option<Day>) -> Out<'static> {
    c.as_ref().map_or(Out::Empty, d)
}

struct Formats {
    header: Format,
    text: Format,
    date: Format,
    title: Format,
    wrap: Format,
}

const FONT: &str = "等线";

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_font_name(FONT)
                .set_background_color("D9E1F2")
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            text: Format::new().set_font_name(FONT).set_num_format("@"),
            date: Format::new()
                .set_font_name(FONT)
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Left),
            title: Format::new()
                .set_bold()
                .set_font_name(FONT)
                .set_font_size(14),
            wrap: Format::new()
                .set_font_name(FONT)
                .set_text_wrap()
                .set_align(FormatAlign::Top),
        }
    }
}

fn excel_date(day: NaiveDate) -> Result<ExcelDateTime, WriteError> {
    let year = u16::try_from(day.year()).map_err(|_| WriteError::Date(day))?;
    // Day and month always fit a byte.
    ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8)
        .map_err(|_| WriteError::Date(day))
}

fn write_row(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    cells: &[Out<'_>],
) -> Result<(), WriteError> {
    for (col, cell) in (0u16..).zip(cells) {
        match cell {
            Out::Text(s) => {
                ws.write_string_with_format(row, col, *s, &f.text)?;
            }
            Out::Date(day) => {
                ws.write_datetime_with_format(row, col, excel_date(*day)?, &f.date)?;
            }
            Out::Empty => {}
        }
    }
    Ok(())
}

fn data_sheet(
    book: &mut Workbook,
    f: &Formats,
    sheet: Sheet,
    roster: &Roster,
) -> Result<(), WriteError> {
    let ws = book.add_worksheet();
    ws.set_name(sheet.title())?;
    for (col, c) in (0u16..).zip(columns::columns(sheet)) {
        ws.set_column_width(col, c.width)?;
        ws.set_column_format(
            col,
            match c.kind {
                Kind::Text => &f.text,
                Kind::Date => &f.date,
            },
        )?;
        ws.write_string_with_format(0, col, c.header, &f.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut row = 0u32;
    let mut next = || {
        row += 1;
        row
    };
    match sheet {
        Sheet::Orgs => {
            for r in &roster.orgs {
                let cells = [
                    t(&r.code),
                    t(&r.name),
                    t(&r.kind),
                    ot(&r.parent),
                    od(&r.established_on),
                    od(&r.closed_on),
                ];
                write_row(ws, f, next(), &cells)?;
            }
        }
        Sheet::People => {
            for r in &roster.people {
                let cells = [
                    t(&r.staff_no),
                    t(&r.name),
                    t(&r.org),
                    ot(&r.email),
                    ot(&r.wecom),
                    ot(&r.dingtalk),
                    od(&r.left_on),
                ];
                write_row(ws, f, next(), &cells)?;
            }
        }
        Sheet::Posts => {
            for r in &roster.posts {
                let cells = [t(&r.org), t(&r.kind), t(&r.title), od(&r.closed_on)];
                write_row(ws, f, next(), &cells)?;
            }
        }
        Sheet::Holdings => {
            for r in &roster.holdings {
                let cells = [
                    t(&r.org),
                    t(&r.post),
                    t(&r.staff_no),
                    d(&r.start),
                    od(&r.end),
                ];
                write_row(ws, f, next(), &cells)?;
            }
        }
        Sheet::Assignments => {
            for r in &roster.assignments {
                let cells = [
                    t(&r.org),
                    t(&r.post),
                    t(&r.staff_no),
                    t(&r.portfolio),
                    d(&r.start),
                    od(&r.end),
                ];
                write_row(ws, f, next(), &cells)?;
            }
        }
        Sheet::Platforms => {
            for r in &roster.platforms {
                let cells = [
                    t(&r.code),
                    t(&r.name),
                    t(&r.kind),
                    t(&r.org),
                    ot(&r.portfolio),
                    ot(&r.news_function),
                    od(&r.opened_on),
                    ot(&r.state),
                    ot(&r.operators),
                    ot(&r.icp),
                    ot(&r.account_id),
                    od(&r.registered_on),
                    ot(&r.registering_body),
                ];
                write_row(ws, f, next(), &cells)?;
            }
        }
    }
    Ok(())
}

const NOTES: [&str; 7] = [
    "本工作簿共六张数据表：组织、人员、职务、任职、分管、阵地。请勿修改工作表名称和第一行表头；列的顺序可以调整。",
    "每行一条记录；空行会被忽略。数据表中不要合并单元格。",
    "日期请填写为日期格式的单元格（如 2024-09-01），不要以文本形式保存。",
    "组织代码、工号等请保持文本格式，以免 Excel 去掉开头的 0。",
    "“必填”列不能留空；可留空的列表示没有或尚未结束。",
    "也可以每张表保存为一个 CSV 文件（如 人员.csv 或 people.csv），UTF-8 或 GBK 编码，表头可用中文或英文字段名，日期写作 2024-09-01。",
    "本说明表在导入时会被忽略。",
];

fn instructions(book: &mut Workbook, f: &Formats) -> Result<(), WriteError> {
    let ws = book.add_worksheet();
    ws.set_name("说明")?;
    ws.write_string_with_format(0, 0, "组织机构/人员/任职 名册 填写说明", &f.title)?;
    let mut row = 1u32;
    for note in NOTES {
        ws.write_string(row, 0, note)?;
        row += 1;
    }
    row += 1;
    let header = ["工作表", "列名", "英文字段名", "必填", "填写说明"];
    for (col, h) in (0u16..).zip(header) {
        ws.write_string_with_format(row, col, h, &f.header)?;
    }
    for sheet in Sheet::ALL {
        for c in columns::columns(sheet) {
            row += 1;
            ws.write_string(row, 0, sheet.title())?;
            ws.write_string(row, 1, c.header)?;
            ws.write_string(row, 2, c.field)?;
            ws.write_string(row, 3, if c.required { "是" } else { "否" })?;
            ws.write_string_with_format(row, 4, c.note, &f.wrap)?;
        }
    }
    for (col, width) in [(0u16, 10.0), (1, 14.0), (2, 16.0), (3, 6.0), (4, 60.0)] {
        ws.set_column_width(col, width)?;
    }
    Ok(())
}

/// The workbook: six data sheets in [`Sheet::ALL`] order, then 说明.
pub(crate) fn workbook(roster: &Roster) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    // 等线 11 is the default of Chinese Excel; setting it keeps row heights as Excel expects.
    book.set_default_format(&Format::new().set_font_name(FONT).set_font_size(11), 18, 72)?;
    let f = Formats::new();
    for sheet in Sheet::ALL {
        data_sheet(&mut book, &f, sheet, roster)?;
    }
    instructions(&mut book, &f)?;
    Ok(book.save_to_buffer()?)
}
