//! Zeren exports: the documents offices keep outside Zeren.
//!
//! - [`docx`]: official documents (公文) as Word files in the GB/T 9704-2012 layout (版头, 主体,
//!   版记, 22 lines × 28 characters), for the accountability decision and the duty reports.
//! - [`ics`]: a person's obligations as an iCalendar feed (RFC 5545), written by hand: CRLF line
//!   ends, lines folded at 75 octets without splitting a UTF-8 character, text escaped.
//! - [`xlsx`]: the ledger (台账) as an Excel workbook, streamed sheet by sheet in rust_xlsxwriter's
//!   constant-memory mode so memory stays flat however many rows there are.
//!
//! - [`assessment`]: the annual assessment's score sheet as an Excel workbook with live formulas
//!   (and their results cached), and a report's text as official-document blocks.
//!
//! - [`ledger`]: reads an org subtree's year from storage into the xlsx writer.
//!
//! The writers are pure (no database, no clock: the export time is a parameter); only
//! [`ledger`] reads storage.

pub mod assessment;
pub mod docx;
pub mod ics;
pub mod ledger;
pub mod xlsx;

/// Display width of text in a spreadsheet column: CJK and other wide characters count as 2.
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

#[cfg(test)]
mod tests {
    #[test]
    fn chinese_counts_double() {
        assert_eq!(super::display_width("abc"), 3);
        assert_eq!(super::display_width("研判"), 4);
        assert_eq!(super::display_width("第四条第（二）项"), 16);
    }
}
