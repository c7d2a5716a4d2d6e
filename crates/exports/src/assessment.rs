//! The annual assessment's exports (年度考核): the score sheet as an Excel workbook whose scores
//! are live formulas, and a report's plain text as the blocks of an official document.
//!
//! The score sheet has four sheets:
//!
//! - the scheme (方案): each indicator's title, method and weight, and the weights' sum;
//! - the details (明细): one row per college and indicator, with the counts from the ledger and
//!   the rate, the computed score and the final points as formulas over them and over the weight
//!   (itself a reference to the scheme sheet), a manual indicator's score and the adjustments as
//!   numbers;
//! - the summary (汇总): one row per college, each indicator's points a reference to its details
//!   row, the total a `SUM` and the rank a `RANK` over the totals;
//! - the marks (评分记录): every score and adjustment with its reason, who gave it and when.
//!
//! Every formula also carries its result as the core computed it, so a viewer that does not
//! recalculate (a previewer, calamine) shows the same figures as Zeren; Excel and WPS
//! recalculate on opening, and the figures agree because the formulas are the core's rules
//! (the rate of the method, `ROUND(weight × part / owed, 2)`, full marks when nothing was owed,
//! the sum of base and adjustments kept between 0 and the weight). Sums of points are rounded
//! to hundredths in the formulas, so binary floating point cannot make two equal totals rank
//! differently.
//!
//! Labels (sheet names, column headings, method and mark-kind names) come from the caller,
//! already translated; [`SheetLabels::zh`] gives the Chinese ones.

use crate::display_width;
use crate::docx::Block;
use crate::xlsx::{fit_cell, sheet_name};
use rust_xlsxwriter::{
    DocProperties, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};
use zeren_core::assessments::{IndicatorScore, OrgScore, outline, points_text, rank};
use zeren_core::policy::IndicatorMethod;

/// The blocks of an official document for a report's plain text: each line that
/// [`outline`] reads as a heading ("一、", "（一）", "1.", "（1）") becomes that level's heading,
/// every other line a paragraph; blank lines are left out.
pub fn report_blocks(text: &str) -> Vec<Block> {
    outline(text)
        .into_iter()
        .map(|(level, line)| match level {
            1 => Block::Heading1(line),
            2 => Block::Heading2(line),
            3 => Block::Heading3(line),
            4 => Block::Heading4(line),
            _ => Block::Paragraph(line),
        })
        .collect()
}

/// The words of a score sheet, already translated: sheet names and column headings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLabels {
    /// Name of the scheme sheet (方案).
    pub scheme_sheet: String,
    /// Name of the details sheet (明细).
    pub details_sheet: String,
    /// Name of the summary sheet (汇总).
    pub summary_sheet: String,
    /// Name of the marks sheet (评分记录).
    pub marks_sheet: String,
    /// 学院.
    pub college: String,
    /// 考核指标.
    pub indicator: String,
    /// 评分方法.
    pub method: String,
    /// 权重 (分值).
    pub weight: String,
    /// 应完成.
    pub owed: String,
    /// 已完成.
    pub done: String,
    /// 按时完成.
    pub on_time: String,
    /// 完成率 / 按时完成率 (the rate of the indicator's method).
    pub rate: String,
    /// 计算得分.
    pub computed: String,
    /// 评分 (a manual indicator's score).
    pub score: String,
    /// 调整.
    pub adjustment: String,
    /// 得分.
    pub points: String,
    /// 合计 / 总分.
    pub total: String,
    /// 排名.
    pub rank: String,
    /// 未评分指标 (manual indicators not scored yet).
    pub unscored: String,
    /// 类型 (score or adjustment).
    pub kind: String,
    /// 分值 (of a mark).
    pub mark_points: String,
    /// 理由.
    pub reason: String,
    /// 评分人.
    pub by: String,
    /// 日期.
    pub day: String,
}

impl SheetLabels {
    /// The Chinese labels.
    pub fn zh() -> SheetLabels {
        let s = |v: &str| v.to_string();
        SheetLabels {
            scheme_sheet: s("考核方案"),
            details_sheet: s("得分明细"),
            summary_sheet: s("得分汇总"),
            marks_sheet: s("评分记录"),
            college: s("学院"),
            indicator: s("考核指标"),
            method: s("评分方法"),
            weight: s("权重"),
            owed: s("应完成"),
            done: s("已完成"),
            on_time: s("按时完成"),
            rate: s("完成率／按时完成率"),
            computed: s("计算得分"),
            score: s("评分"),
            adjustment: s("调整"),
            points: s("得分"),
            total: s("总分"),
            rank: s("排名"),
            unscored: s("未评分指标"),
            kind: s("类型"),
            mark_points: s("分值"),
            reason: s("理由"),
            by: s("评分人"),
            day: s("日期"),
        }
    }
}

/// One indicator of the scheme, as the sheet shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetIndicator {
    /// The scheme's id, matched against [`IndicatorScore::indicator`].
    pub id: String,
    /// Title in the reader's language.
    pub title: String,
    /// Weight in hundredths of a point.
    pub weight: i64,
    /// How it is scored: decides the rate and score formulas.
    pub method: IndicatorMethod,
    /// The method's name in the reader's language (完成率, 按时完成率, 人工评分).
    pub method_name: String,
}

/// A reviewer's mark, as the marks sheet shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetMark {
    /// The indicator's title.
    pub indicator: String,
    /// The kind's name (评分, 调整).
    pub kind: String,
    /// Points in hundredths (an adjustment may be negative).
    pub points: i64,
    /// Why.
    pub reason: String,
    /// Who gave it.
    pub by: String,
    /// When, as the caller formats it.
    pub day: String,
}

/// One college: its name, its scores as the core computed them, and its marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetCollege {
    /// The college's name.
    pub name: String,
    /// [`zeren_core::assessments::score`]'s result for it under the same scheme.
    pub score: OrgScore,
    /// Its marks, in the order made.
    pub marks: Vec<SheetMark>,
}

/// A year's score sheet: the scheme and every college's scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreSheet {
    /// Title, on the first row of every sheet and in the document properties.
    pub title: String,
    /// Sheet names and headings.
    pub labels: SheetLabels,
    /// The scheme's indicators, in order.
    pub indicators: Vec<SheetIndicator>,
    /// The colleges, in the order the summary lists them.
    pub colleges: Vec<SheetCollege>,
}

/// Why a score sheet could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ScoreSheetError {
    /// A college's scores do not fit the scheme: an indicator has no score, or a score's weight
    /// differs from the scheme's.
    #[error("the scores of {college} do not match indicator {indicator} of the scheme")]
    Mismatch {
        /// The college.
        college: String,
        /// The indicator's id.
        indicator: String,
    },
    /// The xlsx writer failed.
    #[error("cannot write the score sheet: {0}")]
    Xlsx(#[from] XlsxError),
}

/// Rows above the data on every sheet: the title, then the headings.
const HEAD_ROWS: u32 = 2;
const MAX_WIDTH: usize = 50;

/// Hundredths of a point as a spreadsheet number.
fn num(centi: i64) -> f64 {
    centi as f64 / 100.0
}

/// Column letters of a zero-based column index (0 → A, 26 → AA).
fn col_name(mut c: u16) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// A1 reference of a zero-based cell (row 0, column 2 → C1).
fn cell(row: u32, col: u16) -> String {
    format!("{}{}", col_name(col), row + 1)
}

/// A sheet name as a formula quotes it: always quoted, apostrophes doubled.
fn quoted(sheet: &str) -> String {
    format!("'{}'", sheet.replace('\'', "''"))
}

/// The title of indicator `id` (the id itself if the scheme has none such).
fn title_of<'a>(indicators: &'a [SheetIndicator], id: &'a str) -> &'a str {
    indicators
        .iter()
        .find(|i| i.id == id)
        .map_or(id, |i| i.title.as_str())
}

/// A formula with its cached result.
fn formula(f: String, result: impl Into<String>) -> Formula {
    Formula::new(f).set_result(result)
}

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    wrap: Format,
    count: Format,
    points: Format,
    rate: Format,
    total_label: Format,
    total: Format,
}

impl Formats {
    fn new() -> Formats {
        let font = "等线";
        let cellf = || {
            Format::new()
                .set_font_name(font)
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::VerticalCenter)
        };
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_name(font)
                .set_font_size(16),
            header: cellf()
                .set_bold()
                .set_background_color("D9E1F2")
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            text: cellf(),
            wrap: cellf().set_text_wrap(),
            count: cellf().set_num_format("0"),
            points: cellf().set_num_format("0.00"),
            rate: cellf().set_num_format("0.00%"),
            total_label: cellf().set_bold(),
            total: cellf().set_bold().set_num_format("0.00"),
        }
    }
}

/// Column widths that grow with what is written.
struct Widths(Vec<usize>);

impl Widths {
    fn new(headers: &[&str]) -> Widths {
        Widths(headers.iter().map(|h| display_width(h).max(8)).collect())
    }
    fn fit(&mut self, col: u16, text: &str) {
        if let Some(w) = self.0.get_mut(usize::from(col)) {
            *w = (*w).max(display_width(text));
        }
    }
    fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (i, w) in self.0.iter().enumerate() {
            ws.set_column_width(i as u16, ((*w).min(MAX_WIDTH) + 2) as f64)?;
        }
        Ok(())
    }
}

/// Title row, heading row, frozen panes.
fn head(
    ws: &mut Worksheet,
    title: &str,
    headers: &[&str],
    freeze_cols: u16,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, &*fit_cell(title), &f.title)?;
    ws.set_row_height(0, 28)?;
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, i as u16, &*fit_cell(h), &f.header)?;
    }
    ws.set_freeze_panes(HEAD_ROWS, freeze_cols)?;
    Ok(())
}

/// Writes the score sheet as an xlsx workbook.
pub fn score_sheet(s: &ScoreSheet) -> Result<Vec<u8>, ScoreSheetError> {
    let l = &s.labels;
    let f = Formats::new();
    let mut names: Vec<String> = Vec::new();
    for wanted in [
        &l.summary_sheet,
        &l.details_sheet,
        &l.scheme_sheet,
        &l.marks_sheet,
    ] {
        let name = sheet_name(wanted, &names);
        names.push(name);
    }
    let [summary_name, details_name, scheme_name, marks_name] = [0, 1, 2, 3].map(|i| &names[i]);

    // Each college's score of each indicator, in the scheme's order, checked before writing.
    let mut scores: Vec<Vec<&IndicatorScore>> = Vec::with_capacity(s.colleges.len());
    for c in &s.colleges {
        let mut row = Vec::with_capacity(s.indicators.len());
        for i in &s.indicators {
            let sc = c
                .score
                .indicators
                .iter()
                .find(|x| x.indicator == i.id && x.weight == i.weight)
                .ok_or_else(|| ScoreSheetError::Mismatch {
                    college: c.name.clone(),
                    indicator: i.id.clone(),
                })?;
            row.push(sc);
        }
        scores.push(row);
    }

    let mut wb = Workbook::new();
    wb.set_properties(&DocProperties::new().set_title(&s.title));
    wb.set_default_format(
        &Format::new().set_font_name("等线").set_font_size(11),
        18,
        72,
    )?;
    // The summary first: it is what a reader opens the file for.
    for name in [summary_name, details_name, scheme_name, marks_name] {
        wb.add_worksheet().set_name(name)?;
    }

    // The scheme: one row per indicator; the weights' cells are what every formula refers to.
    let weight_ref =
        |n: usize| format!("{}!$C${}", quoted(scheme_name), HEAD_ROWS as usize + n + 1);
    {
        let ws = wb.worksheet_from_name(scheme_name)?;
        let headers = [l.indicator.as_str(), &l.method, &l.weight];
        head(ws, &s.title, &headers, 0, &f)?;
        let mut w = Widths::new(&headers);
        let mut r = HEAD_ROWS;
        for i in &s.indicators {
            ws.write_string_with_format(r, 0, &*fit_cell(&i.title), &f.text)?;
            ws.write_string_with_format(r, 1, &*fit_cell(&i.method_name), &f.text)?;
            ws.write_number_with_format(r, 2, num(i.weight), &f.points)?;
            w.fit(0, &i.title);
            w.fit(1, &i.method_name);
            r += 1;
        }
        ws.write_string_with_format(r, 0, &*fit_cell(&l.total), &f.total_label)?;
        ws.write_blank(r, 1, &f.total_label)?;
        let sum: i64 = s.indicators.iter().map(|i| i.weight).sum();
        let sum_f = if s.indicators.is_empty() {
            "0".to_string()
        } else {
            format!("ROUND(SUM(C{}:C{}),2)", HEAD_ROWS + 1, r)
        };
        ws.write_formula_with_format(r, 2, formula(sum_f, points_text(sum)), &f.total)?;
        w.apply(ws)?;
    }

    // The details: one row per college and indicator. Columns:
    // A college, B indicator, C method, D weight, E owed, F done, G on time, H rate,
    // I computed score, J manual score, K adjustments, L points.
    const OWED: u16 = 4;
    const RATE: u16 = 7;
    const COMPUTED: u16 = 8;
    const SCORED: u16 = 9;
    const ADJ: u16 = 10;
    const POINTS: u16 = 11;
    // Where each college's points of each indicator landed, for the summary.
    let mut points_at: Vec<Vec<String>> = Vec::with_capacity(s.colleges.len());
    {
        let ws = wb.worksheet_from_name(details_name)?;
        let headers = [
            l.college.as_str(),
            &l.indicator,
            &l.method,
            &l.weight,
            &l.owed,
            &l.done,
            &l.on_time,
            &l.rate,
            &l.computed,
            &l.score,
            &l.adjustment,
            &l.points,
        ];
        head(ws, &s.title, &headers, 2, &f)?;
        // The writer caches an empty result as 0: a rate of nothing owed is blank text, as the
        // formula gives, not 0 %.
        ws.set_formula_result_default("");
        let mut w = Widths::new(&headers);
        let mut r = HEAD_ROWS;
        for (c, row) in s.colleges.iter().zip(&scores) {
            let mut at = Vec::with_capacity(row.len());
            for (n, (i, sc)) in s.indicators.iter().zip(row).enumerate() {
                let x = |col: u16| cell(r, col);
                ws.write_string_with_format(r, 0, &*fit_cell(&c.name), &f.text)?;
                ws.write_string_with_format(r, 1, &*fit_cell(&i.title), &f.text)?;
                ws.write_string_with_format(r, 2, &*fit_cell(&i.method_name), &f.text)?;
                w.fit(0, &c.name);
                w.fit(1, &i.title);
                w.fit(2, &i.method_name);
                ws.write_formula_with_format(
                    r,
                    3,
                    formula(weight_ref(n), points_text(i.weight)),
                    &f.points,
                )?;
                let base = if i.method == IndicatorMethod::Manual {
                    for col in [OWED, OWED + 1, OWED + 2, RATE, COMPUTED] {
                        ws.write_blank(r, col, &f.text)?;
                    }
                    match sc.scored {
                        Some(p) => ws.write_number_with_format(r, SCORED, num(p), &f.points)?,
                        None => ws.write_blank(r, SCORED, &f.points)?,
                    };
                    x(SCORED)
                } else {
                    let counts = sc.counts.unwrap_or_default();
                    for (col, v) in [counts.owed, counts.done, counts.on_time]
                        .iter()
                        .enumerate()
                    {
                        ws.write_number_with_format(r, OWED + col as u16, *v as f64, &f.count)?;
                    }
                    let (part_col, part) = match i.method {
                        IndicatorMethod::OnTimeRate => (OWED + 2, counts.on_time),
                        _ => (OWED + 1, counts.done),
                    };
                    let rate = if counts.owed == 0 {
                        String::new()
                    } else {
                        (part as f64 / counts.owed as f64).to_string()
                    };
                    ws.write_formula_with_format(
                        r,
                        RATE,
                        formula(
                            format!(
                                "IF({owed}=0,\"\",{part}/{owed})",
                                owed = x(OWED),
                                part = x(part_col)
                            ),
                            rate,
                        ),
                        &f.rate,
                    )?;
                    let computed = sc.computed.unwrap_or(i.weight);
                    ws.write_formula_with_format(
                        r,
                        COMPUTED,
                        formula(
                            format!(
                                "IF({owed}=0,{w},ROUND({w}*{part}/{owed},2))",
                                owed = x(OWED),
                                part = x(part_col),
                                w = x(3)
                            ),
                            points_text(computed),
                        ),
                        &f.points,
                    )?;
                    ws.write_blank(r, SCORED, &f.points)?;
                    x(COMPUTED)
                };
                ws.write_number_with_format(r, ADJ, num(sc.adjusted), &f.points)?;
                ws.write_formula_with_format(
                    r,
                    POINTS,
                    formula(
                        format!(
                            "MIN({w},MAX(0,ROUND({base}+{adj},2)))",
                            w = x(3),
                            adj = x(ADJ)
                        ),
                        points_text(sc.points),
                    ),
                    &f.points,
                )?;
                at.push(format!("{}!{}", quoted(details_name), x(POINTS)));
                r += 1;
            }
            points_at.push(at);
        }
        w.apply(ws)?;
    }

    // The summary: one row per college; its points refer to the details, the total sums them,
    // the rank ranks the totals.
    {
        let ws = wb.worksheet_from_name(summary_name)?;
        let mut headers: Vec<&str> = vec![&l.college];
        headers.extend(s.indicators.iter().map(|i| i.title.as_str()));
        headers.extend([l.total.as_str(), &l.rank, &l.unscored]);
        head(ws, &s.title, &headers, 1, &f)?;
        let mut w = Widths::new(&headers);
        // Indicator titles can be long: their columns wrap the heading instead of widening.
        for col in 1..=s.indicators.len() {
            w.0[col] = 10;
        }
        ws.set_row_height(1, 48)?;
        let total_col = s.indicators.len() as u16 + 1;
        let first = HEAD_ROWS;
        let last = HEAD_ROWS + s.colleges.len() as u32;
        let totals: Vec<i64> = s.colleges.iter().map(|c| c.score.total).collect();
        let ranks = rank(&totals);
        for (k, (c, row)) in s.colleges.iter().zip(&scores).enumerate() {
            let r = first + k as u32;
            ws.write_string_with_format(r, 0, &*fit_cell(&c.name), &f.text)?;
            w.fit(0, &c.name);
            for (n, sc) in row.iter().enumerate() {
                let col = n as u16 + 1;
                ws.write_formula_with_format(
                    r,
                    col,
                    formula(points_at[k][n].clone(), points_text(sc.points)),
                    &f.points,
                )?;
            }
            let sum = if s.indicators.is_empty() {
                "0".to_string()
            } else {
                format!("ROUND(SUM({}:{}),2)", cell(r, 1), cell(r, total_col - 1))
            };
            ws.write_formula_with_format(
                r,
                total_col,
                formula(sum, points_text(c.score.total)),
                &f.total,
            )?;
            let range = format!(
                "${c}${a}:${c}${b}",
                c = col_name(total_col),
                a = first + 1,
                b = last
            );
            ws.write_formula_with_format(
                r,
                total_col + 1,
                formula(
                    format!("RANK({},{range})", cell(r, total_col)),
                    ranks[k].to_string(),
                ),
                &f.count,
            )?;
            let unscored: Vec<&str> = c
                .score
                .unscored
                .iter()
                .map(|u| title_of(&s.indicators, u))
                .collect();
            let unscored = unscored.join("、");
            if unscored.is_empty() {
                ws.write_blank(r, total_col + 2, &f.text)?;
            } else {
                ws.write_string_with_format(r, total_col + 2, &*fit_cell(&unscored), &f.text)?;
            }
            w.fit(total_col + 2, &unscored);
        }
        w.apply(ws)?;
    }

    // The marks: every score and adjustment with its reason.
    {
        let ws = wb.worksheet_from_name(marks_name)?;
        let headers = [
            l.college.as_str(),
            &l.indicator,
            &l.kind,
            &l.mark_points,
            &l.reason,
            &l.by,
            &l.day,
        ];
        head(ws, &s.title, &headers, 0, &f)?;
        let mut w = Widths::new(&headers);
        let mut r = HEAD_ROWS;
        for c in &s.colleges {
            for m in &c.marks {
                ws.write_string_with_format(r, 0, &*fit_cell(&c.name), &f.text)?;
                ws.write_string_with_format(r, 1, &*fit_cell(&m.indicator), &f.text)?;
                ws.write_string_with_format(r, 2, &*fit_cell(&m.kind), &f.text)?;
                ws.write_number_with_format(r, 3, num(m.points), &f.points)?;
                ws.write_string_with_format(r, 4, &*fit_cell(&m.reason), &f.wrap)?;
                ws.write_string_with_format(r, 5, &*fit_cell(&m.by), &f.text)?;
                ws.write_string_with_format(r, 6, &*fit_cell(&m.day), &f.text)?;
                for (col, t) in [(0, &c.name), (1, &m.indicator), (2, &m.kind), (5, &m.by)] {
                    w.fit(col, t);
                }
                w.fit(6, &m.day);
                let longest = m.reason.lines().map(display_width).max().unwrap_or(0);
                w.0[4] = w.0[4].max(longest.min(40));
                r += 1;
            }
        }
        w.apply(ws)?;
    }

    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_names() {
        assert_eq!(super::col_name(0), "A");
        assert_eq!(super::col_name(25), "Z");
        assert_eq!(super::col_name(26), "AA");
        assert_eq!(super::col_name(51), "AZ");
        assert_eq!(super::col_name(52), "BA");
        assert_eq!(super::col_name(701), "ZZ");
        assert_eq!(super::col_name(702), "AAA");
        assert_eq!(super::cell(2, 11), "L3");
        assert_eq!(super::quoted("a'b"), "'a''b'");
    }
}
