//! Official documents (公文) as Word files in the GB/T 9704-2012 layout.
//!
//! One writer for every document Zeren issues in the official format: the accountability
//! decision (问责决定书) and, later, the annual assessment and duty reports (述职报告). The caller
//! hands over plain text already worded and numbered; this module only places it:
//!
//! - A4, margins 37/35/28/26 mm (top/bottom/left/right), so the text block is 156 × 225 mm, with
//!   a lines-and-characters document grid of 22 lines × 28 characters. Body lines also use an
//!   exact line height equal to the grid pitch, so a substituted font that is taller than
//!   仿宋_GB2312 still gives 22 lines a page.
//! - 版头: the issuer (red 方正小标宋简体, sized to fit one line) 35 mm below the top of the text
//!   block, the document number two lines below it, and a red rule 4 mm under the number.
//! - 主体: title (方正小标宋简体 二号) two lines under the rule, addressee, body text and the four
//!   heading levels (黑体, 楷体_GB2312, 仿宋 bold, 仿宋; 三号, first line indented two
//!   characters), tables, page breaks, the attachment note, signer and date.
//! - 版记: the distribution note between rules, floated to the bottom of the last page's text
//!   block.
//! - Page numbers "— 1 —" in 4号 宋体, right on odd pages and left on even pages, one character
//!   in from the edge of the text block.
//!
//! Fonts are named, not embedded: Word and WPS substitute a font that is not installed.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, BreakType, DocGrid, DocGridType, Docx, FieldCharType, Footer,
    InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, SpecialIndentType, Tab, TabValueType,
    Table, TableAlignmentType, TableBorder, TableBorderPosition, TableBorders, TableCell,
    TableCellMargins, TableLayoutType, TablePositionProperty, TableRow, VAlignType, WidthType,
};

/// An official document (公文), as plain text placed by [`official_doc`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficialDoc {
    /// 发文机关标志, e.g. "中共重庆大学纪律检查委员会"; red, centered. Omitted when blank.
    pub issuer: String,
    /// 发文字号, e.g. "重大纪〔2026〕3号", centered under the issuer, above the red rule.
    pub number: Option<String>,
    /// 标题, centered; a `\n` forces a line break where the meaning allows one.
    pub title: String,
    /// 主送机关, flush left, ending with "：" as given.
    pub addressee: Option<String>,
    /// The body, in order.
    pub blocks: Vec<Block>,
    /// 发文机关署名, centered over the date.
    pub signer: Option<String>,
    /// 成文日期 as the caller formats it, e.g. "2026年12月6日".
    pub date: Option<String>,
    /// 附件说明, e.g. "附件：1. 问责情况登记表\n2. 整改清单"; one paragraph per line, the
    /// lines after the first aligned under the first attachment's name.
    pub attachments_note: Option<String>,
    /// 版记 (抄送, 印发), one row per line between rules at the foot of the last page; a `\t`
    /// in a line pushes what follows to the right edge (印发机关 left, 印发日期 right).
    pub footer_note: Option<String>,
}

/// One element of an official document's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Body text: 仿宋_GB2312 三号, first line indented two characters, justified.
    Paragraph(String),
    /// First-level heading "一、…": 黑体 三号; the caller supplies the numbering.
    Heading1(String),
    /// Second-level heading "（一）…": 楷体_GB2312 三号.
    Heading2(String),
    /// Third-level heading "1. …": 仿宋_GB2312 三号 bold.
    Heading3(String),
    /// Fourth-level heading "（1）…": 仿宋_GB2312 三号.
    Heading4(String),
    /// A bordered table the width of the text block, 仿宋_GB2312 四号, header row in 黑体;
    /// short rows are padded with empty cells.
    Table {
        /// Column headings; may be empty for a table without a header row.
        header: Vec<String>,
        /// The rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// Start the next block on a new page.
    PageBreak,
}

/// Writing the Word file failed.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    /// A part docx-rs wrote could not be re-read to put its elements in schema order.
    #[error("cannot reorder the Word document's XML")]
    Reorder(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// docx-rs could not write the zip package.
    #[error("cannot write the Word document")]
    Pack(#[source] Box<dyn std::error::Error + Send + Sync>),
}

// Page geometry, in twips (1/20 pt; 1 mm = 1440 / 25.4 twips).
const PAGE_WIDTH: u32 = mm(210); // 11906
const PAGE_HEIGHT: u32 = mm(297); // 16838
const MARGIN_TOP: u32 = mm(37); // 2098
const MARGIN_BOTTOM: u32 = mm(35); // 1984
const MARGIN_LEFT: u32 = mm(28); // 1587
const MARGIN_RIGHT: u32 = mm(26); // 1474
const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT; // 8845 (156 mm)
const TEXT_HEIGHT: u32 = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM; // 12756 (225 mm)
const LINES_PER_PAGE: u32 = 22;
const CHARS_PER_LINE: u32 = 28;
/// Grid line pitch, rounded down so that 22 lines fit: 579 twips ≈ 28.95 pt.
const LINE_PITCH: u32 = TEXT_HEIGHT / LINES_PER_PAGE;
/// Word's `w:charSpace` for a lines-and-characters grid is the difference between the character
/// pitch and the default font size (16 pt), in 1/4096 pt; rounded down so that 28 fit: -842.
const CHAR_SPACE: i64 =
    (TEXT_WIDTH as i64 * 4096).div_euclid(20 * CHARS_PER_LINE as i64) - BODY_SIZE as i64 / 2 * 4096;

// Font sizes in half-points.
const SIZE_2: usize = 44; // 二号, 22 pt
const BODY_SIZE: usize = 32; // 三号, 16 pt
const SIZE_4: usize = 28; // 四号, 14 pt
/// The issuer's size is chosen to fit one line, but no larger than 42 pt (the 15 mm character
/// width GB/T 9704-1999 set as the largest).
const ISSUER_MAX_SIZE: usize = 84;

const XIAOBIAOSONG: &str = "方正小标宋简体";
const FANGSONG: &str = "仿宋_GB2312";
const HEITI: &str = "黑体";
const KAITI: &str = "楷体_GB2312";
const SONGTI: &str = "宋体";
const LATIN: &str = "Times New Roman";
const RED: &str = "FF0000";

/// Rule widths in eighths of a point: the red rule of the 版头 (1.5 pt); the 版记's first and
/// last rules (1 pt ≈ 0.35 mm) and the rules between its lines (0.75 pt ≈ 0.25 mm).
const RED_RULE: usize = 12;
const THICK_RULE: usize = 8;
const THIN_RULE: usize = 6;
/// The red rule sits 4 mm (11 pt; `w:space` is in points) under the number.
const RED_RULE_SPACE: usize = 11;
/// The page-number line: 4号 text on an exact 18 pt line.
const FOOTER_LINE: u32 = 360;

// 22 grid lines fit the text block and a 23rd does not.
const _: () = assert!(
    LINE_PITCH * LINES_PER_PAGE <= TEXT_HEIGHT && (LINE_PITCH + 1) * LINES_PER_PAGE > TEXT_HEIGHT
);

/// Millimetres to twips, rounded to the nearest.
const fn mm(v: u32) -> u32 {
    (v * 14400 + 127) / 254
}

/// `n` characters of the body grid, in twips.
fn chars(n: f64) -> i32 {
    (n * f64::from(TEXT_WIDTH) / f64::from(CHARS_PER_LINE)).round() as i32
}

/// Writes `doc` as a .docx file in the GB/T 9704-2012 layout.
pub fn official_doc(doc: &OfficialDoc) -> Result<Vec<u8>, DocxError> {
    let mut body = Body::default();
    head(&mut body, doc);

    let title = clean(&doc.title);
    if !title.trim().is_empty() {
        let title_font = Font::new(XIAOBIAOSONG, SIZE_2);
        body.paragraph(text(
            line_paragraph(&title_font).align(AlignmentType::Center),
            &title,
            &title_font,
        ));
        body.blank();
    }

    let body_font = Font::new(FANGSONG, BODY_SIZE);
    if let Some(addressee) = &doc.addressee {
        body.paragraph(text(
            line_paragraph(&body_font).align(AlignmentType::Both),
            addressee,
            &body_font,
        ));
    }
    for block in &doc.blocks {
        self::block(&mut body, block);
    }

    if let Some(note) = &doc.attachments_note {
        attachments(&mut body, note);
    }
    signature(&mut body, doc.signer.as_deref(), doc.date.as_deref());
    if let Some(note) = &doc.footer_note
        && let Some(table) = imprint(note)
    {
        body.table(table);
    }

    let mut docx = body
        .finish()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP as i32)
                .bottom(MARGIN_BOTTOM as i32)
                .left(MARGIN_LEFT as i32)
                .right(MARGIN_RIGHT as i32)
                .header(mm(15) as i32)
                .footer(footer_distance())
                .gutter(0),
        )
        .default_fonts(fonts(FANGSONG, LATIN))
        .default_size(BODY_SIZE)
        .footer(page_number_footer(AlignmentType::Right))
        .even_footer(page_number_footer(AlignmentType::Left));
    docx.document = docx.document.doc_grid(
        DocGrid::new()
            .grid_type(DocGridType::LinesAndChars)
            .line_pitch(LINE_PITCH as usize)
            .char_space(CHAR_SPACE as isize),
    );

    let mut xml = docx.build();
    for part in [
        &mut xml.document,
        &mut xml.styles,
        &mut xml.settings,
        &mut xml.numberings,
    ]
    .into_iter()
    .chain(&mut xml.headers)
    .chain(&mut xml.footers)
    {
        *part = schema_order::reorder(part).map_err(|e| DocxError::Reorder(Box::new(e)))?;
    }
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| DocxError::Pack(Box::new(e)))?;
    Ok(out.into_inner())
}

/// 版头: issuer, number and the red rule under the last of them.
fn head(body: &mut Body, doc: &OfficialDoc) {
    let issuer = clean(&doc.issuer);
    let issuer = issuer.trim();
    let number = doc.number.as_deref().map(clean);
    let red_rule = |mut p: Paragraph| {
        p.property = p.property.set_borders(
            ParagraphBorders::with_empty().set(
                ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                    .val(BorderType::Single)
                    .size(RED_RULE)
                    .space(RED_RULE_SPACE)
                    .color(RED),
            ),
        );
        p
    };

    if !issuer.is_empty() {
        let font = Font::new(XIAOBIAOSONG, issuer_size(issuer)).color(RED);
        // The issuer's top edge is 35 mm below the top of the text block. Its size varies, so it
        // takes a single line of its own height rather than the grid's.
        let p = font
            .mark(Paragraph::new())
            .align(AlignmentType::Center)
            .snap_to_grid(false)
            .line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Auto)
                    .line(240)
                    .before(mm(35)),
            );
        let p = text(p, issuer, &font);
        body.paragraph(if number.is_some() { p } else { red_rule(p) });
    }
    if let Some(number) = &number {
        if !issuer.is_empty() {
            body.blank();
            body.blank();
        }
        let font = Font::new(FANGSONG, BODY_SIZE);
        let p = line_paragraph(&font).align(AlignmentType::Center);
        body.paragraph(red_rule(text(p, number, &font)));
    }
    if !issuer.is_empty() || number.is_some() {
        body.blank();
        body.blank();
    }
}

/// The issuer's font size in half-points: as large as fits one line, up to [`ISSUER_MAX_SIZE`].
fn issuer_size(issuer: &str) -> usize {
    // display_width counts a CJK character as 2, so this is in half-characters.
    let half_chars = crate::display_width(issuer).max(1);
    // TEXT_WIDTH twips / (half_chars / 2) characters, in half-points (10 twips each), rounded down.
    let fit = (TEXT_WIDTH as usize * 2) / (half_chars * 10);
    fit.clamp(BODY_SIZE, ISSUER_MAX_SIZE)
}

fn block(body: &mut Body, block: &Block) {
    match block {
        Block::Paragraph(t) => body.paragraph(body_text(t)),
        Block::Heading1(t) => body.paragraph(heading(t, Font::new(HEITI, BODY_SIZE), 0)),
        Block::Heading2(t) => body.paragraph(heading(t, Font::new(KAITI, BODY_SIZE), 1)),
        Block::Heading3(t) => body.paragraph(heading(t, Font::new(FANGSONG, BODY_SIZE).bold(), 2)),
        Block::Heading4(t) => body.paragraph(heading(t, Font::new(FANGSONG, BODY_SIZE), 3)),
        Block::Table { header, rows } => {
            if let Some(table) = table(header, rows) {
                body.table(table);
            }
        }
        Block::PageBreak => body.page_break(),
    }
}

/// A heading: indented like body text, kept with what follows, and at `outline` level in Word's
/// navigation pane.
fn heading(t: &str, font: Font, outline: usize) -> Paragraph {
    let p = indented(line_paragraph(&font))
        .keep_next(true)
        .outline_lvl(outline);
    text(p, t, &font)
}

/// A body paragraph: 仿宋 三号, first line indented two characters, justified.
fn body_text(t: &str) -> Paragraph {
    let font = Font::new(FANGSONG, BODY_SIZE);
    text(indented(line_paragraph(&font)), t, &font)
}

fn indented(p: Paragraph) -> Paragraph {
    p.align(AlignmentType::Both).indent(
        None,
        Some(SpecialIndentType::FirstLine(chars(2.0))),
        None,
        None,
    )
}

/// 附件说明: one blank line under the body, "附件：" indented two characters, further lines aligned
/// under the text after "附件：".
fn attachments(body: &mut Body, note: &str) {
    let note = clean(note);
    let lines: Vec<&str> = note
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return;
    }
    body.blank();
    let font = Font::new(FANGSONG, BODY_SIZE);
    for (i, line) in lines.iter().enumerate() {
        let p = line_paragraph(&font).align(AlignmentType::Both);
        let p = if i == 0 {
            // Starts two characters in; a long name wraps under itself, after "附件：".
            p.indent(
                Some(chars(5.0)),
                Some(SpecialIndentType::Hanging(chars(3.0))),
                None,
                None,
            )
        } else {
            p.indent(Some(chars(5.0)), None, None, None)
        };
        body.paragraph(text(p, line, &font));
    }
}

/// 发文机关署名 and 成文日期 in the layout for a sealed document: two blank lines under the body for
/// the seal, the date four characters from the right edge, the signer centered over the date.
fn signature(body: &mut Body, signer: Option<&str>, date: Option<&str>) {
    let signer = signer.map(clean).filter(|s| !s.trim().is_empty());
    let date = date.map(clean).filter(|s| !s.trim().is_empty());
    if signer.is_none() && date.is_none() {
        return;
    }
    body.blank();
    body.blank();
    let font = Font::new(FANGSONG, BODY_SIZE);
    let width = |s: &str| crate::display_width(s.trim()) as f64 / 2.0;
    let date_right = 4.0;
    if let Some(signer) = &signer {
        let right = match &date {
            Some(date) => (date_right + (width(date) - width(signer)) / 2.0).max(0.0),
            None => date_right,
        };
        let p = line_paragraph(&font)
            .align(AlignmentType::Right)
            .indent(None, None, Some(chars(right)), None)
            .keep_next(true);
        body.paragraph(text(p, signer.trim(), &font));
    }
    if let Some(date) = &date {
        let p = line_paragraph(&font).align(AlignmentType::Right).indent(
            None,
            None,
            Some(chars(date_right)),
            None,
        );
        body.paragraph(text(p, date.trim(), &font));
    }
}

/// A bordered table as wide as the text block, in equal columns; `None` when it has no cells.
fn table(header: &[String], rows: &[Vec<String>]) -> Option<Table> {
    let columns = rows
        .iter()
        .map(Vec::len)
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    if columns == 0 {
        return None;
    }
    let column_width = TEXT_WIDTH as usize / columns;
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            if i + 1 == columns {
                TEXT_WIDTH as usize - column_width * (columns - 1)
            } else {
                column_width
            }
        })
        .collect();

    let row = |cells: &[String], font: &Font, align: AlignmentType| {
        let cells = widths
            .iter()
            .enumerate()
            .map(|(i, width)| {
                let p = font
                    .mark(Paragraph::new())
                    .align(align)
                    .snap_to_grid(false)
                    .line_spacing(
                        LineSpacing::new()
                            .line_rule(LineSpacingType::Auto)
                            .line(240),
                    );
                let p = text(p, cells.get(i).map_or("", String::as_str), font);
                TableCell::new()
                    .width(*width, WidthType::Dxa)
                    .vertical_align(VAlignType::Center)
                    .add_paragraph(p)
            })
            .collect();
        TableRow::new(cells).cant_split()
    };

    let mut table_rows = Vec::with_capacity(rows.len() + 1);
    if !header.is_empty() {
        table_rows.push(row(
            header,
            &Font::new(HEITI, SIZE_4),
            AlignmentType::Center,
        ));
    }
    let cell_font = Font::new(FANGSONG, SIZE_4);
    table_rows.extend(rows.iter().map(|r| row(r, &cell_font, AlignmentType::Both)));

    let border = |position| {
        TableBorder::new(position)
            .border_type(BorderType::Single)
            .size(4)
    };
    Some(
        Table::new(table_rows)
            .set_grid(widths)
            .width(TEXT_WIDTH as usize, WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .align(TableAlignmentType::Center)
            .set_borders(
                TableBorders::with_empty()
                    .set(border(TableBorderPosition::Top))
                    .set(border(TableBorderPosition::Left))
                    .set(border(TableBorderPosition::Bottom))
                    .set(border(TableBorderPosition::Right))
                    .set(border(TableBorderPosition::InsideH))
                    .set(border(TableBorderPosition::InsideV)),
            ),
    )
}

/// 版记: one row per line, 仿宋 四号 one character in from each side, a thick rule above and below
/// and thin rules between; floated so that the last rule lies on the bottom of the text block.
fn imprint(note: &str) -> Option<Table> {
    let note = clean(note);
    let lines: Vec<&str> = note
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return None;
    }
    let font = Font::new(FANGSONG, SIZE_4);
    // One character of 四号 (14 pt).
    let inset = SIZE_4 as i32 * 10;
    let rows = lines
        .iter()
        .map(|line| {
            let p = line_paragraph(&font)
                .align(AlignmentType::Left)
                .indent(Some(inset), None, Some(inset), None)
                .add_tab(
                    Tab::new()
                        .val(TabValueType::Right)
                        .pos(TEXT_WIDTH as usize - inset as usize),
                );
            let cell = TableCell::new()
                .width(TEXT_WIDTH as usize, WidthType::Dxa)
                .add_paragraph(text(p, line, &font));
            TableRow::new(vec![cell]).cant_split()
        })
        .collect();
    let rule = |position, size| {
        TableBorder::new(position)
            .border_type(BorderType::Single)
            .size(size)
    };
    Some(
        Table::new(rows)
            .set_grid(vec![TEXT_WIDTH as usize])
            .width(TEXT_WIDTH as usize, WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .margins(TableCellMargins::new().margin(0, 0, 0, 0))
            .set_borders(
                TableBorders::with_empty()
                    .set(rule(TableBorderPosition::Top, THICK_RULE))
                    .set(rule(TableBorderPosition::Bottom, THICK_RULE))
                    .set(rule(TableBorderPosition::InsideH, THIN_RULE))
                    .clear(TableBorderPosition::Left)
                    .clear(TableBorderPosition::Right)
                    .clear(TableBorderPosition::InsideV),
            )
            .position(
                TablePositionProperty::new()
                    .vertical_anchor("margin")
                    .horizontal_anchor("margin")
                    .position_x_alignment("center")
                    .position_y_alignment("bottom"),
            ),
    )
}

/// The footer: "— n —" in 4号 宋体 with a PAGE field, one character in from the `align` side.
fn page_number_footer(align: AlignmentType) -> Footer {
    let font = Font::new(SONGTI, SIZE_4).ascii(SONGTI);
    let inset = SIZE_4 as i32 * 10;
    let indent = match align {
        AlignmentType::Left => (Some(inset), None),
        _ => (None, Some(inset)),
    };
    let p = font
        .mark(Paragraph::new())
        .align(align)
        .indent(indent.0, None, indent.1, None)
        .snap_to_grid(false)
        .line_spacing(
            LineSpacing::new()
                .line_rule(LineSpacingType::Exact)
                .line(FOOTER_LINE as i32),
        )
        .add_run(font.run().add_text("— "))
        .add_run(font.run().add_field_char(FieldCharType::Begin, false))
        .add_run(font.run().add_instr_text(InstrText::PAGE(InstrPAGE::new())))
        .add_run(font.run().add_field_char(FieldCharType::Separate, false))
        .add_run(font.run().add_text("1"))
        .add_run(font.run().add_field_char(FieldCharType::End, false))
        .add_run(font.run().add_text(" —"));
    Footer::new().add_paragraph(p)
}

/// Word's footer distance (page edge to the bottom of the footer) that puts the middle of the
/// page-number line, where the dashes are, 7 mm under the text block.
fn footer_distance() -> i32 {
    (MARGIN_BOTTOM - mm(7) - FOOTER_LINE / 2) as i32
}

/// A paragraph on the body grid: exactly one grid line per line of text.
fn line_paragraph(font: &Font) -> Paragraph {
    font.mark(Paragraph::new()).line_spacing(
        LineSpacing::new()
            .line_rule(LineSpacingType::Exact)
            .line(LINE_PITCH as i32),
    )
}

/// Appends `t` to `p` in `font`: `\n` becomes a line break and `\t` a tab.
fn text(mut p: Paragraph, t: &str, font: &Font) -> Paragraph {
    let t = clean(t);
    for (i, line) in t.split('\n').enumerate() {
        if i > 0 {
            p = p.add_run(font.run().add_break(BreakType::TextWrapping));
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                p = p.add_run(font.run().add_tab());
            }
            if !piece.is_empty() {
                p = p.add_run(font.run().add_text(piece));
            }
        }
    }
    p
}

/// Drops what XML 1.0 cannot carry (control characters other than tab and line feed, and the
/// noncharacters U+FFFE/U+FFFF) and carriage returns; docx-rs escapes `& < > " '` itself.
fn clean(t: &str) -> String {
    t.chars()
        .filter(|&c| {
            c == '\t' || c == '\n' || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
        })
        .collect()
}

fn fonts(east_asia: &str, ascii: &str) -> RunFonts {
    RunFonts::new()
        .ascii(ascii)
        .hi_ansi(ascii)
        .cs(ascii)
        .east_asia(east_asia)
        // Characters both scripts share (“” ‘’ — …) take the Chinese font, full width.
        .hint("eastAsia")
}

/// The character formatting of one kind of text.
#[derive(Debug, Clone)]
struct Font {
    east_asia: &'static str,
    ascii: &'static str,
    size: usize,
    bold: bool,
    color: Option<&'static str>,
}

impl Font {
    fn new(east_asia: &'static str, size: usize) -> Font {
        Font {
            east_asia,
            ascii: LATIN,
            size,
            bold: false,
            color: None,
        }
    }

    fn ascii(mut self, ascii: &'static str) -> Font {
        self.ascii = ascii;
        self
    }

    fn bold(mut self) -> Font {
        self.bold = true;
        self
    }

    fn color(mut self, color: &'static str) -> Font {
        self.color = Some(color);
        self
    }

    fn run(&self) -> Run {
        let run = Run::new()
            .fonts(fonts(self.east_asia, self.ascii))
            .size(self.size);
        let run = if self.bold { run.bold() } else { run };
        match self.color {
            Some(c) => run.color(c),
            None => run,
        }
    }

    /// The paragraph mark's formatting, so that an empty paragraph has this font's height.
    fn mark(&self, p: Paragraph) -> Paragraph {
        let p = p.fonts(fonts(self.east_asia, self.ascii)).size(self.size);
        let p = if self.bold { p.bold() } else { p };
        match self.color {
            Some(c) => p.color(c),
            None => p,
        }
    }
}

/// The document as its body is built. A page break is carried to the next paragraph as "page
/// break before", so that the new page does not begin with an empty line.
#[derive(Default)]
struct Body {
    docx: Docx,
    break_pending: bool,
}

impl Body {
    fn paragraph(&mut self, p: Paragraph) {
        let p = if std::mem::take(&mut self.break_pending) {
            p.page_break_before(true)
        } else {
            p
        };
        self.docx = std::mem::take(&mut self.docx).add_paragraph(p);
    }

    fn table(&mut self, t: Table) {
        if self.break_pending {
            self.break_paragraph();
        }
        self.docx = std::mem::take(&mut self.docx).add_table(t);
    }

    /// One empty grid line (the standard's "空一行").
    fn blank(&mut self) {
        let font = Font::new(FANGSONG, BODY_SIZE);
        self.paragraph(line_paragraph(&font));
    }

    fn page_break(&mut self) {
        if self.break_pending {
            // Two breaks in a row: an empty page between them.
            self.break_paragraph();
        }
        self.break_pending = true;
    }

    /// A paragraph that only starts a new page, one point high.
    fn break_paragraph(&mut self) {
        self.break_pending = false;
        let p = Paragraph::new()
            .page_break_before(true)
            .snap_to_grid(false)
            .size(2)
            .line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Exact)
                    .line(20),
            );
        self.docx = std::mem::take(&mut self.docx).add_paragraph(p);
    }

    fn finish(mut self) -> Docx {
        if self.break_pending {
            self.break_paragraph();
        }
        self.docx
    }
}

/// docx-rs 0.4 writes the children of several property elements out of the sequence the
/// WordprocessingML schema (ECMA-376 Part 1) prescribes: `w:sz` and `w:color` before `w:rFonts` in
/// `w:rPr`, `w:rPr` first and `w:jc` before `w:spacing` in `w:pPr`, the footer references last in
/// `w:sectPr`, `w:tblpPr` last in `w:tblPr`. LibreOffice does not mind; Word has been reported to
/// drop properties that come out of sequence (colour, fonts), and validators reject the file. So
/// each part is re-read and the children of those elements are put in schema order (a stable
/// sort; names not listed keep their order, after the listed ones). Hand-written because no crate
/// does this; quick-xml does the XML, and text and attributes pass through untouched.
mod schema_order {
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::{Reader, Writer};

    /// CT_RPr (EG_RPrBase), with CT_ParaRPr's revision marks first and the change record last.
    #[rustfmt::skip]
    const RPR: &[&str] = &[
        "w:ins", "w:del", "w:moveFrom", "w:moveTo", "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i",
        "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike", "w:outline", "w:shadow",
        "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden", "w:color",
        "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u",
        "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
        "w:eastAsianLayout", "w:specVanish", "w:oMath", "w:rPrChange",
    ];

    /// CT_PPr.
    #[rustfmt::skip]
    const PPR: &[&str] = &[
        "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
        "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
        "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
        "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
        "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
        "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
        "w:sectPr", "w:pPrChange",
    ];

    /// CT_SectPr; header and footer references may come in any order among themselves.
    #[rustfmt::skip]
    const SECT_PR: &[&str] = &[
        "w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
        "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols",
        "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
        "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange",
    ];

    /// CT_TblPr.
    #[rustfmt::skip]
    const TBL_PR: &[&str] = &[
        "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
        "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
        "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
        "w:tblPrChange",
    ];

    /// CT_TcPr.
    #[rustfmt::skip]
    const TC_PR: &[&str] = &[
        "w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
        "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
        "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange",
    ];

    /// CT_Style.
    #[rustfmt::skip]
    const STYLE: &[&str] = &[
        "w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine", "w:hidden",
        "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat", "w:locked", "w:personal",
        "w:personalCompose", "w:personalReply", "w:rsid", "w:pPr", "w:rPr", "w:tblPr", "w:trPr",
        "w:tcPr", "w:tblStylePr",
    ];

    /// CT_Settings, the elements docx-rs writes (w14/w15 ones are not listed and go last).
    #[rustfmt::skip]
    const SETTINGS: &[&str] = &[
        "w:zoom", "w:defaultTabStop", "w:evenAndOddHeaders", "w:characterSpacingControl",
        "w:compat", "w:docVars",
    ];

    fn order_of(name: &[u8]) -> Option<&'static [&'static str]> {
        Some(match name {
            b"w:rPr" => RPR,
            b"w:pPr" => PPR,
            b"w:sectPr" => SECT_PR,
            b"w:tblPr" => TBL_PR,
            b"w:tcPr" => TC_PR,
            b"w:style" => STYLE,
            b"w:settings" => SETTINGS,
            _ => return None,
        })
    }

    enum Node {
        Element {
            start: BytesStart<'static>,
            children: Vec<Node>,
            empty: bool,
        },
        Other(Event<'static>),
    }

    /// `xml` with the children of the elements above in schema order.
    pub(super) fn reorder(xml: &[u8]) -> Result<Vec<u8>, quick_xml::Error> {
        let mut reader = Reader::from_reader(xml);
        let mut open: Vec<(BytesStart<'static>, Vec<Node>)> = Vec::new();
        let mut top: Vec<Node> = Vec::new();
        loop {
            let node = match reader.read_event()? {
                Event::Eof => break,
                Event::Start(start) => {
                    open.push((start.into_owned(), Vec::new()));
                    continue;
                }
                // The reader checks that end tags match, so an element is open here.
                Event::End(end) => match open.pop() {
                    Some((start, mut children)) => {
                        if let Some(order) = order_of(start.name().as_ref()) {
                            children.sort_by_key(|child| rank(order, child));
                        }
                        Node::Element {
                            start,
                            children,
                            empty: false,
                        }
                    }
                    None => Node::Other(Event::End(end.into_owned())),
                },
                Event::Empty(start) => Node::Element {
                    start: start.into_owned(),
                    children: Vec::new(),
                    empty: true,
                },
                other => Node::Other(other.into_owned()),
            };
            match open.last_mut() {
                Some((_, children)) => children.push(node),
                None => top.push(node),
            }
        }
        let mut writer = Writer::new(Vec::with_capacity(xml.len()));
        for node in &top {
            write(&mut writer, node)?;
        }
        Ok(writer.into_inner())
    }

    fn rank(order: &[&str], node: &Node) -> usize {
        match node {
            Node::Element { start, .. } => order
                .iter()
                .position(|name| name.as_bytes() == start.name().as_ref())
                .unwrap_or(order.len()),
            Node::Other(_) => order.len(),
        }
    }

    fn write(writer: &mut Writer<Vec<u8>>, node: &Node) -> std::io::Result<()> {
        match node {
            Node::Element {
                start,
                children,
                empty: true,
            } if children.is_empty() => writer.write_event(Event::Empty(start.borrow())),
            Node::Element {
                start, children, ..
            } => {
                writer.write_event(Event::Start(start.borrow()))?;
                for child in children {
                    write(writer, child)?;
                }
                writer.write_event(Event::End(start.to_end()))
            }
            Node::Other(event) => writer.write_event(event.borrow()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_follows_the_standard() {
        assert_eq!((PAGE_WIDTH, PAGE_HEIGHT), (11906, 16838));
        assert_eq!(
            (MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT),
            (2098, 1984, 1587, 1474)
        );
        assert_eq!(LINE_PITCH, 579);
        assert_eq!(CHAR_SPACE, -842);
        // 28 characters at 16 pt + charSpace/4096 fit the text block, 29 do not.
        let pitch = 16.0 + CHAR_SPACE as f64 / 4096.0;
        assert!(pitch * 28.0 * 20.0 <= f64::from(TEXT_WIDTH));
        assert!(pitch * 29.0 * 20.0 > f64::from(TEXT_WIDTH));
    }

    #[test]
    fn issuer_fits_one_line() {
        // 13 characters in 156 mm: 34 pt each.
        assert_eq!(issuer_size("中共重庆大学纪律检查委员会"), 68);
        assert_eq!(issuer_size("重庆大学文件"), ISSUER_MAX_SIZE);
        assert_eq!(issuer_size(&"很".repeat(40)), BODY_SIZE);
    }

    #[test]
    fn properties_come_in_schema_order() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:p><w:pPr><w:rPr><w:sz w:val="32" /><w:color w:val="FF0000" /><w:rFonts w:eastAsia="&#20223;" /></w:rPr><w:jc w:val="center" /><w:spacing w:line="579" /><w:pBdr><w:bottom w:val="single" /></w:pBdr><w:keepNext /></w:pPr><w:r><w:t xml:space="preserve">R&amp;D &lt;x&gt; </w:t></w:r></w:p>"#;
        let out = String::from_utf8(schema_order::reorder(xml).unwrap()).unwrap();
        assert_eq!(
            out,
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:p><w:pPr><w:keepNext /><w:pBdr><w:bottom w:val="single" /></w:pBdr><w:spacing w:line="579" /><w:jc w:val="center" /><w:rPr><w:rFonts w:eastAsia="&#20223;" /><w:color w:val="FF0000" /><w:sz w:val="32" /></w:rPr></w:pPr><w:r><w:t xml:space="preserve">R&amp;D &lt;x&gt; </w:t></w:r></w:p>"#
        );
    }

    #[test]
    fn clean_drops_what_xml_cannot_carry() {
        assert_eq!(clean("a\u{0}b\u{7}c\r\n\td\u{FFFF}"), "abc\n\td");
    }
}
