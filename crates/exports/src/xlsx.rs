//! The ledger (台账) as an Excel workbook: a cover sheet, then one sheet per kind of item with
//! Chinese headers, a frozen header row, real Excel dates and column widths that fit Chinese text.
//!
//! Data sheets are written in rust_xlsxwriter's constant-memory mode: each row goes to a temporary
//! file as soon as it is written, so memory stays flat as rows grow. Rows must therefore be
//! written in order, one sheet after another; the cover (small) is kept in memory and filled in
//! last, when the row counts are known.

use crate::display_width;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};
use std::borrow::Cow;
use std::io::{Seek, Write};
use std::path::Path;

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The xlsx writer failed (I/O, or a limit of the format).
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] XlsxError),
    /// A row was written before any sheet was begun.
    #[error("a row was written before any sheet")]
    NoSheet,
    /// The rows stopped coming before the workbook was finished (the reading side failed).
    #[error("the ledger's rows stopped before the workbook was finished")]
    Abandoned,
    /// The thread writing the workbook failed.
    #[error("the workbook writer failed: {0}")]
    Writer(String),
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Short text.
    Text,
    /// Long text (minutes, findings): wrapped, width capped.
    LongText,
    /// A date, written as an Excel date.
    Date,
    /// A day and time, written as an Excel date-time.
    DateTime,
    /// A number.
    Number,
}

/// A column of a sheet. The header is borrowed for the fixed sheets and owned for the sheets
/// of pack-defined record kinds, whose headers are the pack's labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Header (Chinese).
    pub header: Cow<'static, str>,
    /// What it holds.
    pub kind: ColumnKind,
}

impl Column {
    /// A column of any kind, with a header of its own.
    pub fn new(header: impl Into<Cow<'static, str>>, kind: ColumnKind) -> Column {
        Column {
            header: header.into(),
            kind,
        }
    }
    /// A text column.
    pub const fn text(header: &'static str) -> Column {
        Column {
            header: Cow::Borrowed(header),
            kind: ColumnKind::Text,
        }
    }
    /// A long-text column.
    pub const fn long(header: &'static str) -> Column {
        Column {
            header: Cow::Borrowed(header),
            kind: ColumnKind::LongText,
        }
    }
    /// A date column.
    pub const fn date(header: &'static str) -> Column {
        Column {
            header: Cow::Borrowed(header),
            kind: ColumnKind::Date,
        }
    }
    /// A number column.
    pub const fn number(header: &'static str) -> Column {
        Column {
            header: Cow::Borrowed(header),
            kind: ColumnKind::Number,
        }
    }
}

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// A day and time (local, as recorded).
    DateTime(NaiveDateTime),
    /// A number.
    Number(f64),
    /// Nothing.
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Cell {
        Cell::Date(d)
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(d: Option<NaiveDate>) -> Cell {
        d.map(Cell::Date).unwrap_or(Cell::Empty)
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map(Cell::Text).unwrap_or(Cell::Empty)
    }
}

/// Most a cell holds: 32 767 UTF-16 units (Excel's limit). Records keep longer texts.
const CELL_MAX: usize = 32_767;
/// What ends a text cut to fit a cell.
pub const CUT_MARK: &str = "…（全文超出 Excel 单元格上限，见 Zeren）";

/// `t` as a cell can hold it: whole when it fits, else cut at a character and marked, so a long
/// text shortens its cell instead of refusing the whole workbook.
pub fn fit_cell(t: &str) -> Cow<'_, str> {
    if t.encode_utf16().count() <= CELL_MAX {
        return Cow::Borrowed(t);
    }
    let room = CELL_MAX - CUT_MARK.encode_utf16().count();
    let mut used = 0;
    let mut end = 0;
    for (i, c) in t.char_indices() {
        used += c.len_utf16();
        if used > room {
            break;
        }
        end = i + c.len_utf8();
    }
    Cow::Owned(format!("{}{CUT_MARK}", &t[..end]))
}

/// Most a sheet name holds: 31 UTF-16 units (Excel's limit).
const SHEET_NAME_MAX: usize = 31;

/// `wanted` as an Excel sheet name unlike every name in `taken` (compared as Excel compares
/// them, ignoring case): the characters Excel refuses in a name (`[]:*?/\`) become their
/// full-width forms, apostrophes leave its ends, it is cut to 31 UTF-16 units, and a name
/// already taken gets a number (`廉政谈话记录（2）`). A blank name reads 记录.
pub fn sheet_name(wanted: &str, taken: &[String]) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| match c {
            '[' => '［',
            ']' => '］',
            ':' => '：',
            '*' => '＊',
            '?' => '？',
            '/' => '／',
            '\\' => '＼',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let clean = clean.trim().trim_matches('\'').trim();
    let base = if clean.is_empty() { "记录" } else { clean };
    let is_taken = |name: &str| {
        let lower = name.to_lowercase();
        // Excel keeps "History" for itself.
        lower == "history" || taken.iter().any(|t| t.to_lowercase() == lower)
    };
    let first = cut_name(base, SHEET_NAME_MAX);
    if !is_taken(&first) {
        return first;
    }
    (2..)
        .map(|n| {
            let suffix = format!("（{n}）");
            let room = SHEET_NAME_MAX - suffix.encode_utf16().count();
            format!("{}{suffix}", cut_name(base, room))
        })
        .find(|name| !is_taken(name))
        .unwrap_or(first)
}

/// The longest start of `name` within `max` UTF-16 units, without an apostrophe at its end.
fn cut_name(name: &str, max: usize) -> String {
    let mut used = 0;
    let cut: String = name
        .chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= max
        })
        .collect();
    cut.trim_end_matches('\'').trim_end().to_string()
}

/// Widest a column gets (in character units); longer text wraps.
const MAX_WIDTH: usize = 60;
/// Width of a long-text column.
const LONG_WIDTH: usize = 50;

struct SheetState {
    index: usize,
    columns: Vec<Column>,
    widths: Vec<usize>,
    rows: u32,
}

/// The cover sheet's facts, as (label, value).
pub type CoverFacts = Vec<(String, String)>;

/// A ledger workbook being written.
pub struct Ledger {
    workbook: Workbook,
    header: Format,
    date: Format,
    date_time: Format,
    wrap: Format,
    title: Format,
    label: Format,
    current: Option<SheetState>,
    /// (sheet name, rows) of every data sheet, for the cover.
    sheets: Vec<(String, u32)>,
    cover_index: usize,
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).unwrap_or(1900);
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

fn excel_date_time(t: NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    excel_date(t.date())?.and_hms(t.hour() as u16, t.minute() as u8, t.second())
}

impl Ledger {
    /// A new workbook with an empty cover sheet named `cover`. `tempdir` is where the
    /// constant-memory sheets are spooled (default: the system's temp dir).
    pub fn new(cover: &str, tempdir: Option<&Path>) -> Result<Ledger, ExportError> {
        let mut workbook = Workbook::new();
        if let Some(dir) = tempdir {
            workbook.set_tempdir(dir)?;
        }
        let font = "等线";
        // 等线 11 is the default of Chinese Excel (rows 18 px, columns 72 px): plain cells need no
        // format of their own, so only dates and wrapped text carry one.
        workbook.set_default_format(
            &Format::new().set_font_name(font).set_font_size(11),
            18,
            72,
        )?;
        // Deflate's fast level: a few per cent larger than the default level, about twice as
        // fast on a large ledger.
        workbook.set_zip_compression_level(2);
        workbook.add_worksheet().set_name(cover)?;
        Ok(Ledger {
            workbook,
            header: Format::new()
                .set_bold()
                .set_font_name(font)
                .set_background_color("D9E1F2")
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            date: Format::new()
                .set_font_name(font)
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Left),
            date_time: Format::new()
                .set_font_name(font)
                .set_num_format("yyyy-mm-dd hh:mm")
                .set_align(FormatAlign::Left),
            wrap: Format::new()
                .set_font_name(font)
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            title: Format::new()
                .set_bold()
                .set_font_name(font)
                .set_font_size(16),
            label: Format::new().set_bold().set_font_name(font),
            current: None,
            sheets: Vec::new(),
            cover_index: 0,
        })
    }

    /// Document properties (title, author, creation time).
    pub fn properties(&mut self, title: &str, author: &str) {
        let props = DocProperties::new()
            .set_title(title)
            .set_author(author)
            .set_company(author);
        self.workbook.set_properties(&props);
    }

    fn finish_sheet(&mut self) -> Result<(), ExportError> {
        let Some(s) = self.current.take() else {
            return Ok(());
        };
        let ws = self.workbook.worksheet_from_index(s.index)?;
        for (i, (c, w)) in s.columns.iter().zip(&s.widths).enumerate() {
            let width = match c.kind {
                ColumnKind::LongText => (*w).min(LONG_WIDTH),
                ColumnKind::Date => (*w).max(10),
                ColumnKind::DateTime => (*w).max(16),
                _ => (*w).min(MAX_WIDTH),
            };
            // A little padding for the filter button and the cell margins.
            ws.set_column_width(i as u16, (width + 2) as f64)?;
        }
        if !s.columns.is_empty() {
            ws.autofilter(0, 0, s.rows, (s.columns.len() - 1) as u16)?;
        }
        if let Some(last) = self.sheets.last_mut() {
            last.1 = s.rows;
        }
        Ok(())
    }

    /// Starts a data sheet with its header row; rows follow with [`Ledger::row`].
    pub fn begin_sheet(&mut self, name: &str, columns: &[Column]) -> Result<(), ExportError> {
        self.finish_sheet()?;
        let index = self.workbook.worksheets().len();
        let ws = self.workbook.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        ws.set_freeze_panes(1, 0)?;
        for (i, c) in columns.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, &*fit_cell(&c.header), &self.header)?;
        }
        self.current = Some(SheetState {
            index,
            columns: columns.to_vec(),
            widths: columns.iter().map(|c| display_width(&c.header)).collect(),
            rows: 0,
        });
        self.sheets.push((name.to_string(), 0));
        Ok(())
    }

    /// Writes one row of the current sheet.
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        let s = self.current.as_mut().ok_or(ExportError::NoSheet)?;
        let ws = self.workbook.worksheet_from_index(s.index)?;
        let r = s.rows + 1;
        for (i, cell) in cells.iter().enumerate().take(s.columns.len()) {
            let col = i as u16;
            let long = s.columns[i].kind == ColumnKind::LongText;
            match cell {
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    let t = &*fit_cell(t);
                    if long {
                        ws.write_string_with_format(r, col, t, &self.wrap)?;
                    } else {
                        ws.write_string(r, col, t)?;
                    }
                    let w = t.lines().map(display_width).max().unwrap_or(0);
                    s.widths[i] = s.widths[i].max(w);
                }
                Cell::Date(d) => {
                    ws.write_date_with_format(r, col, excel_date(*d)?, &self.date)?;
                    s.widths[i] = s.widths[i].max(10);
                }
                Cell::DateTime(t) => {
                    ws.write_datetime_with_format(r, col, excel_date_time(*t)?, &self.date_time)?;
                    s.widths[i] = s.widths[i].max(16);
                }
                Cell::Number(n) => {
                    ws.write_number(r, col, *n)?;
                    s.widths[i] = s.widths[i].max(n.to_string().len());
                }
                Cell::Empty => {}
            }
        }
        s.rows = r;
        Ok(())
    }

    /// Fills in the cover: a title, the facts, and the list of sheets with their row counts.
    fn write_cover(&mut self, title: &str, facts: &CoverFacts) -> Result<(), ExportError> {
        let sheets = self.sheets.clone();
        let ws = self.workbook.worksheet_from_index(self.cover_index)?;
        ws.write_string_with_format(0, 0, &*fit_cell(title), &self.title)?;
        ws.set_row_height(0, 28)?;
        let mut r = 2;
        let mut w0 = 8;
        let mut w1 = display_width(title) / 2;
        for (label, value) in facts {
            ws.write_string_with_format(r, 0, &*fit_cell(label), &self.label)?;
            ws.write_string(r, 1, &*fit_cell(value))?;
            w0 = w0.max(display_width(label));
            w1 = w1.max(display_width(value));
            r += 1;
        }
        r += 1;
        ws.write_string_with_format(r, 0, "工作表", &self.header)?;
        ws.write_string_with_format(r, 1, "条数", &self.header)?;
        r += 1;
        for (name, rows) in &sheets {
            ws.write_string(r, 0, name)?;
            ws.write_number(r, 1, f64::from(*rows))?;
            w0 = w0.max(display_width(name));
            r += 1;
        }
        ws.set_column_width(0, (w0 + 2) as f64)?;
        ws.set_column_width(1, (w1.min(MAX_WIDTH) + 2) as f64)?;
        Ok(())
    }

    /// Finishes the last sheet and the cover, and writes the workbook to `path`.
    pub fn save(
        mut self,
        title: &str,
        facts: &CoverFacts,
        path: &Path,
    ) -> Result<Vec<(String, u32)>, ExportError> {
        self.finish_sheet()?;
        self.write_cover(title, facts)?;
        self.workbook.save(path)?;
        Ok(self.sheets)
    }

    /// Like [`Ledger::save`], to any seekable writer (e.g. a temporary file for a download).
    pub fn save_to_writer<W: Write + Seek + Send>(
        mut self,
        title: &str,
        facts: &CoverFacts,
        writer: W,
    ) -> Result<Vec<(String, u32)>, ExportError> {
        self.finish_sheet()?;
        self.write_cover(title, facts)?;
        self.workbook.save_to_writer(writer)?;
        Ok(self.sheets)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook};

    #[test]
    fn sheets_headers_rows_and_dates_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.xlsx");
        let mut l = Ledger::new("封面", Some(dir.path())).unwrap();
        l.properties("台账", "Zeren");
        l.begin_sheet(
            "义务",
            &[
                Column::text("组织"),
                Column::text("职责"),
                Column::date("截止日期"),
                Column::long("说明"),
            ],
        )
        .unwrap();
        for i in 0..1000u32 {
            l.row(&[
                "材料科学与工程学院".into(),
                format!("网络意识形态领域情况分析研判 {i}").into(),
                NaiveDate::from_ymd_opt(2026, 3, 31).into(),
                Cell::Text("第一行\n第二行".into()),
            ])
            .unwrap();
        }
        l.begin_sheet("党委会", &[Column::text("会议"), Column::date("日期")])
            .unwrap();
        let facts = vec![
            ("组织".to_string(), "材料科学与工程学院".to_string()),
            ("年度".to_string(), "2026".to_string()),
        ];
        let sheets = l.save("台账", &facts, &path).unwrap();
        assert_eq!(
            sheets,
            vec![("义务".to_string(), 1000), ("党委会".to_string(), 0)]
        );

        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(wb.sheet_names(), vec!["封面", "义务", "党委会"]);
        let ob = wb.worksheet_range("义务").unwrap();
        assert_eq!(ob.height(), 1001);
        assert_eq!(ob.get((0, 0)), Some(&Data::String("组织".into())));
        assert_eq!(ob.get((0, 2)), Some(&Data::String("截止日期".into())));
        match ob.get((1, 2)) {
            Some(Data::DateTime(d)) => {
                assert_eq!(
                    d.as_datetime().unwrap().date(),
                    NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
                )
            }
            other => panic!("not a date: {other:?}"),
        }
        let cover = wb.worksheet_range("封面").unwrap();
        assert_eq!(cover.get((0, 0)), Some(&Data::String("台账".into())));
        let empty = wb.worksheet_range("党委会").unwrap();
        assert_eq!(empty.height(), 1);

        // Frozen header row and column widths are in the sheet XML.
        let xml = sheet_xml(&path, "xl/worksheets/sheet2.xml");
        assert!(xml.contains(r#"ySplit="1""#), "{}", &xml[..400]);
        assert!(xml.contains("<cols>"));
        // 组织 column: "材料科学与工程学院" is 9 CJK chars = 18 units, + 2 padding (in the
        // metrics of 等线 11, Chinese Excel's default).
        assert!(
            xml.contains(r#"<col min="1" max="1" width="20.6"#),
            "{}",
            &xml[..600]
        );
        // 等线 is the workbook's default font: every plain cell has it without a style of its own.
        let styles = sheet_xml(&path, "xl/styles.xml");
        let first_font = &styles[styles.find("<font>").unwrap()..];
        assert!(
            first_font[..first_font.find("</font>").unwrap()].contains(r#"<name val="等线"/>"#),
            "{styles}"
        );
    }

    #[test]
    fn a_text_longer_than_a_cell_is_cut_not_refused() {
        // Found with fuzz/xlsx: a record keeps up to 100 000 characters of minutes, a cell
        // 32 767 UTF-16 units, and one long text refused the whole ledger.
        let long = "纪要".repeat(20_000);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.xlsx");
        let mut l = Ledger::new("封面", Some(dir.path())).unwrap();
        l.begin_sheet("党委会", &[Column::long("会议纪要")])
            .unwrap();
        l.row(&[Cell::Text(long.clone())]).unwrap();
        l.save("台账", &vec![("说明".to_string(), long.clone())], &path)
            .unwrap();
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        for (sheet, at) in [("党委会", (1, 0)), ("封面", (2, 1))] {
            let range = wb.worksheet_range(sheet).unwrap();
            let Some(Data::String(got)) = range.get(at) else {
                panic!("{sheet}: {:?}", range.get(at));
            };
            assert!(got.encode_utf16().count() <= 32_767, "{sheet}");
            assert!(got.ends_with("见 Zeren）"), "{sheet}");
            let kept = got.split('…').next().unwrap();
            assert!(kept.len() > 30_000 && long.starts_with(kept), "{sheet}");
        }
    }

    #[test]
    fn sheet_names_are_cleaned_cut_and_kept_apart() {
        let taken = vec!["封面".to_string(), "党委会".to_string(), "Risk".to_string()];
        assert_eq!(sheet_name("廉政谈话记录", &taken), "廉政谈话记录");
        assert_eq!(sheet_name("党委会", &taken), "党委会（2）");
        assert_eq!(sheet_name("risk", &taken), "risk（2）");
        assert_eq!(sheet_name("history", &taken), "history（2）");
        assert_eq!(
            sheet_name("检查[一]: a/b\\c*?", &taken),
            "检查［一］： a／b＼c＊？"
        );
        assert_eq!(sheet_name(" 'x' ", &taken), "x");
        assert_eq!(sheet_name("  ", &taken), "记录");
        let long = "安".repeat(40);
        assert_eq!(sheet_name(&long, &taken), "安".repeat(31));
        let taken = vec!["安".repeat(31)];
        let second = sheet_name(&long, &taken);
        assert_eq!(second, format!("{}（2）", "安".repeat(28)));
        assert_eq!(second.encode_utf16().count(), 31);
        // Astral characters count two units each, and are never split.
        assert_eq!(sheet_name(&"𠀀".repeat(20), &[]), "𠀀".repeat(15));
        // Every name Excel would refuse is made acceptable.
        let mut l = Ledger::new("封面", None).unwrap();
        let mut names = vec!["封面".to_string()];
        for wanted in ["党委会", "党委会", "a[b]", &long, &long, "'q'"] {
            let name = sheet_name(wanted, &names);
            l.begin_sheet(&name, &[Column::text("组织")]).unwrap();
            names.push(name);
        }
    }

    #[test]
    fn date_times_read_back_as_date_times() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dt.xlsx");
        let mut l = Ledger::new("封面", Some(dir.path())).unwrap();
        l.begin_sheet(
            "谈话",
            &[Column::new(String::from("谈话时间"), ColumnKind::DateTime)],
        )
        .unwrap();
        let t = NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(14, 30, 0)
            .unwrap();
        l.row(&[Cell::DateTime(t)]).unwrap();
        l.save("台账", &Vec::new(), &path).unwrap();
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let range = wb.worksheet_range("谈话").unwrap();
        match range.get((1, 0)) {
            Some(Data::DateTime(d)) => assert_eq!(d.as_datetime().unwrap(), t),
            other => panic!("not a date-time: {other:?}"),
        }
    }

    fn sheet_xml(path: &Path, name: &str) -> String {
        use std::io::Read;
        let file = std::fs::File::open(path).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }
}
