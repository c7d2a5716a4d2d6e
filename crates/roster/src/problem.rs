//! What can be wrong with the form of a roster file, located and told in Chinese or English.

use crate::columns;
use zeren_core::Lang;
use zeren_core::org::roster::{At, Sheet};

/// A problem with the form of a roster file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The cell it is in; `None` for problems of the whole file or of a whole sheet (the kind
    /// then names the sheet where there is one).
    pub at: Option<At>,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a roster file. Values found in the file are carried as data; the texts
/// are made by [`Problem::message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file is larger than [`crate::MAX_BYTES`].
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// Not an xlsx workbook (not a zip, a zip without a workbook, or a workbook that cannot be
    /// read).
    NotAWorkbook,
    /// The archive would unpack to far more than a roster needs (a zip bomb, or sizes that lie).
    ZipBomb,
    /// A sheet (or CSV file) that is none of the six and not instructions: likely misspelt.
    UnknownSheet {
        /// Its name (the file name, for CSV).
        name: String,
    },
    /// Two sheets (or CSV files) are the same sheet, e.g. `人员` and `people`.
    DuplicateSheet {
        /// The sheet.
        sheet: Sheet,
        /// The name of the second one.
        name: String,
    },
    /// The sheet's content cannot be read (damaged XML).
    BrokenSheet {
        /// The sheet.
        sheet: Sheet,
    },
    /// The sheet has more rows than a roster may hold.
    TooManyRows {
        /// The sheet.
        sheet: Sheet,
        /// Most data rows allowed.
        limit: u32,
    },
    /// A required column is not in the header row.
    MissingColumn {
        /// The sheet.
        sheet: Sheet,
        /// The column's header as the template writes it.
        header: &'static str,
    },
    /// A header that names no column of the sheet.
    UnknownColumn {
        /// The header found.
        header: String,
    },
    /// A column given twice.
    DuplicateColumn {
        /// The header found.
        header: String,
    },
    /// A value in a column that has no header.
    NoHeader,
    /// A required cell is empty.
    Required {
        /// The column's header as the template writes it.
        header: &'static str,
    },
    /// A date column holds something that is not a date.
    NotADate {
        /// What it holds.
        found: String,
    },
    /// A date column of a workbook holds a date typed as text (`2024-09-01` in a text cell).
    DateAsText {
        /// The text.
        text: String,
    },
    /// Merged cells in a data sheet.
    MergedCells {
        /// The merged range, e.g. `A3:B3`.
        range: String,
    },
    /// A text column holds an error (`#N/A`), a boolean or a date.
    NotText {
        /// What it holds.
        found: String,
    },
    /// A CSV file that is neither UTF-8 nor GB18030.
    BadEncoding {
        /// The file name.
        file: String,
    },
    /// A CSV file that cannot be split into records.
    Csv {
        /// The file name.
        file: String,
        /// The line (from 1) where the record begins.
        line: u64,
        /// What is wrong.
        fault: CsvFault,
    },
    /// More problems than are worth telling; the rest were not looked for.
    TooManyProblems {
        /// How many were told.
        limit: usize,
    },
}

/// What is wrong with a CSV record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvFault {
    /// The record has another number of fields than the header.
    FieldCount {
        /// Fields in the header.
        expected: u64,
        /// Fields in this record.
        found: u64,
    },
    /// A quoted field runs over a line end: most likely a closing quote is missing.
    OpenQuote,
    /// Another fault of the CSV reader.
    Unreadable,
}

fn field_of(sheet: Option<Sheet>, header: &str) -> &'static str {
    sheet
        .and_then(|s| columns::find(s, header).map(|i| columns::columns(s)[i].field))
        .or_else(|| {
            Sheet::ALL
                .into_iter()
                .find_map(|s| columns::find(s, header).map(|i| columns::columns(s)[i].field))
        })
        .unwrap_or("?")
}

impl Problem {
    /// The problem told in `lang`: `人员!B7: …` when it is in a cell, `people.csv:12: …` for a
    /// CSV record, otherwise naming the sheet or file.
    pub fn message(&self, lang: Lang) -> String {
        let text = self.text(lang);
        match (&self.kind, self.at) {
            (ProblemKind::Csv { .. }, _) | (_, None) => text,
            (_, Some(at)) => format!("{at}: {text}"),
        }
    }

    fn text(&self, lang: Lang) -> String {
        let sheet = self.at.map(|a| a.sheet);
        match &self.kind {
            ProblemKind::TooLarge { bytes } => {
                let mib = (*bytes as f64) / (1024.0 * 1024.0);
                let max = crate::MAX_BYTES / (1024 * 1024);
                match lang {
                    Lang::Zh => format!("文件过大（{mib:.1} MB），名册文件最大 {max} MB"),
                    Lang::En => {
                        format!("the file is too large ({mib:.1} MB); a roster is at most {max} MB")
                    }
                }
            }
            ProblemKind::NotAWorkbook => lang
                .pick(
                    "不是可读取的 Excel 工作簿（.xlsx）；请用 Excel 或 WPS 另存为 .xlsx 后重试",
                    "not a readable Excel workbook (.xlsx); save it as .xlsx in Excel or WPS and try again",
                )
                .to_string(),
            ProblemKind::ZipBomb => lang
                .pick(
                    "文件解压后异常巨大或大小声明不实，已拒绝读取",
                    "the file would unpack to an abnormal size, or misstates its sizes; refused",
                )
                .to_string(),
            ProblemKind::UnknownSheet { name } => match lang {
                Lang::Zh => format!(
                    "无法识别的工作表“{name}”：工作表应为 组织、人员、职务、任职、分管、阵地（或 说明）"
                ),
                Lang::En => format!(
                    "unknown sheet \"{name}\": sheets are 组织, 人员, 职务, 任职, 分管, 阵地 (or orgs, people, posts, holdings, assignments, platforms) and 说明/README"
                ),
            },
            ProblemKind::DuplicateSheet { sheet, name } => match lang {
                Lang::Zh => format!("工作表“{name}”与另一个工作表同为“{}”", sheet.title()),
                Lang::En => format!(
                    "sheet \"{name}\" is a second {} ({}) sheet",
                    sheet.title(),
                    sheet.stem()
                ),
            },
            ProblemKind::BrokenSheet { sheet } => match lang {
                Lang::Zh => format!("工作表“{}”已损坏，无法读取", sheet.title()),
                Lang::En => format!("sheet {} is damaged and cannot be read", sheet.title()),
            },
            ProblemKind::TooManyRows { sheet, limit } => match lang {
                Lang::Zh => format!(
                    "工作表“{}”超过 {limit} 行，请分批导入",
                    sheet.title()
                ),
                Lang::En => format!(
                    "sheet {} has more than {limit} rows; import it in parts",
                    sheet.title()
                ),
            },
            ProblemKind::MissingColumn { sheet, header } => match lang {
                Lang::Zh => format!("工作表“{}”缺少必填列“{header}”", sheet.title()),
                Lang::En => format!(
                    "sheet {} lacks the required column {header} ({})",
                    sheet.title(),
                    field_of(Some(*sheet), header)
                ),
            },
            ProblemKind::UnknownColumn { header } => match lang {
                Lang::Zh => format!("无法识别的列“{header}”"),
                Lang::En => format!("unknown column \"{header}\""),
            },
            ProblemKind::DuplicateColumn { header } => match lang {
                Lang::Zh => format!("列“{header}”重复出现"),
                Lang::En => format!("column \"{header}\" appears twice"),
            },
            ProblemKind::NoHeader => lang
                .pick(
                    "此列没有表头，其中的内容无法识别",
                    "this column has no header, so its values cannot be read",
                )
                .to_string(),
            ProblemKind::Required { header } => match lang {
                Lang::Zh => format!("“{header}”为必填项"),
                Lang::En => format!("{header} ({}) is required", field_of(sheet, header)),
            },
            ProblemKind::NotADate { found } => match lang {
                Lang::Zh => format!("“{found}”不是日期；请填写日期，如 2024-09-01"),
                Lang::En => format!("\"{found}\" is not a date; enter a date such as 2024-09-01"),
            },
            ProblemKind::DateAsText { text } => match lang {
                Lang::Zh => format!(
                    "日期“{text}”是以文本形式保存的；请将单元格格式设为日期后重新输入"
                ),
                Lang::En => format!(
                    "the date \"{text}\" is stored as text; format the cell as a date and enter it again"
                ),
            },
            ProblemKind::MergedCells { range } => match lang {
                Lang::Zh => format!("数据表中不能有合并单元格（{range}），请取消合并"),
                Lang::En => format!("merged cells ({range}) in a data sheet; unmerge them"),
            },
            ProblemKind::NotText { found } => match lang {
                Lang::Zh => format!("此处应为文本，实为“{found}”"),
                Lang::En => format!("text expected here, found \"{found}\""),
            },
            ProblemKind::BadEncoding { file } => match lang {
                Lang::Zh => format!(
                    "{file}: 文件编码无法识别；请保存为 UTF-8 或 GB18030（GBK）编码的 CSV"
                ),
                Lang::En => format!(
                    "{file}: unknown text encoding; save the CSV as UTF-8 or GB18030 (GBK)"
                ),
            },
            ProblemKind::Csv { file, line, fault } => {
                let what = match (fault, lang) {
                    (CsvFault::FieldCount { expected, found }, Lang::Zh) => {
                        format!("此行有 {found} 个字段，表头有 {expected} 个（检查逗号和引号）")
                    }
                    (CsvFault::FieldCount { expected, found }, Lang::En) => format!(
                        "this record has {found} fields, the header {expected} (check commas and quotes)"
                    ),
                    (CsvFault::OpenQuote, Lang::Zh) => {
                        "带引号的字段跨越多行，可能缺少右引号".to_string()
                    }
                    (CsvFault::OpenQuote, Lang::En) => {
                        "a quoted field runs over several lines; a closing quote may be missing"
                            .to_string()
                    }
                    (CsvFault::Unreadable, Lang::Zh) => "此行无法按 CSV 读取".to_string(),
                    (CsvFault::Unreadable, Lang::En) => {
                        "this record cannot be read as CSV".to_string()
                    }
                };
                format!("{file}:{line}: {what}")
            }
            ProblemKind::TooManyProblems { limit } => match lang {
                Lang::Zh => format!("问题超过 {limit} 个，其余未再检查"),
                Lang::En => format!("more than {limit} problems; the rest were not looked for"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> Vec<ProblemKind> {
        vec![
            ProblemKind::TooLarge { bytes: 60 << 20 },
            ProblemKind::NotAWorkbook,
            ProblemKind::ZipBomb,
            ProblemKind::UnknownSheet {
                name: "人事".into(),
            },
            ProblemKind::DuplicateSheet {
                sheet: Sheet::People,
                name: "people".into(),
            },
            ProblemKind::BrokenSheet {
                sheet: Sheet::Posts,
            },
            ProblemKind::TooManyRows {
                sheet: Sheet::People,
                limit: 200_000,
            },
            ProblemKind::MissingColumn {
                sheet: Sheet::People,
                header: "工号",
            },
            ProblemKind::UnknownColumn {
                header: "性别".into(),
            },
            ProblemKind::DuplicateColumn {
                header: "姓名".into(),
            },
            ProblemKind::NoHeader,
            ProblemKind::Required { header: "工号" },
            ProblemKind::NotADate {
                found: "明天".into(),
            },
            ProblemKind::DateAsText {
                text: "2024-09-01".into(),
            },
            ProblemKind::MergedCells {
                range: "A3:B3".into(),
            },
            ProblemKind::NotText {
                found: "#N/A".into(),
            },
            ProblemKind::BadEncoding {
                file: "people.csv".into(),
            },
            ProblemKind::Csv {
                file: "people.csv".into(),
                line: 12,
                fault: CsvFault::FieldCount {
                    expected: 7,
                    found: 3,
                },
            },
            ProblemKind::Csv {
                file: "people.csv".into(),
                line: 12,
                fault: CsvFault::OpenQuote,
            },
            ProblemKind::Csv {
                file: "people.csv".into(),
                line: 12,
                fault: CsvFault::Unreadable,
            },
            ProblemKind::TooManyProblems { limit: 1000 },
        ]
    }

    fn has_chinese(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_kind_is_told_in_both_languages() {
        let at = At {
            sheet: Sheet::People,
            row: 7,
            col: 1,
        };
        for kind in every_kind() {
            for at in [None, Some(at)] {
                let p = Problem {
                    at,
                    kind: kind.clone(),
                };
                let zh = p.message(Lang::Zh);
                let en = p.message(Lang::En);
                assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{kind:?}");
                assert!(has_chinese(&zh), "not Chinese: {zh}");
                assert_ne!(zh, en, "{kind:?}");
                // The English text is English, apart from names of sheets and columns.
                let words = en
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .filter(|w| w.len() > 2)
                    .count();
                assert!(words >= 2, "not English: {en}");
            }
        }
    }

    #[test]
    fn a_located_problem_begins_with_its_cell() {
        let p = Problem {
            at: Some(At {
                sheet: Sheet::People,
                row: 7,
                col: 1,
            }),
            kind: ProblemKind::Required { header: "工号" },
        };
        assert!(p.message(Lang::Zh).starts_with("人员!B7: "));
        assert_eq!(p.message(Lang::En), "人员!B7: 工号 (staff_no) is required");
        let csv = Problem {
            at: Some(At {
                sheet: Sheet::People,
                row: 12,
                col: 0,
            }),
            kind: ProblemKind::Csv {
                file: "people.csv".into(),
                line: 12,
                fault: CsvFault::OpenQuote,
            },
        };
        assert!(csv.message(Lang::En).starts_with("people.csv:12: "));
        let sheet = Problem {
            at: None,
            kind: ProblemKind::MissingColumn {
                sheet: Sheet::Holdings,
                header: "任职开始",
            },
        };
        assert!(sheet.message(Lang::Zh).contains("任职"));
        assert!(sheet.message(Lang::En).contains("(start)"));
    }
}
