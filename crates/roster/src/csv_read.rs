//! Reading a roster from CSV files, one per sheet. Excel in a Chinese locale saves CSV as GBK
//! (GB18030 reads it), scripts and newer Excel as UTF-8, often with a BOM: both are read.

use crate::parse::{Flavor, MAX_ROWS, Problems, Raw, SheetReader, match_sheets};
use crate::problem::{CsvFault, Problem, ProblemKind};
use std::borrow::Cow;
use zeren_core::org::roster::{At, Roster, Sheet};

/// The text of a file: UTF-8 when it is valid UTF-8 (GB18030 text with Chinese in it almost
/// never is), else GB18030; `None` when it is neither.
fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)?
        }
    };
    Some(match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.strip_prefix('\u{feff}').unwrap_or(s)),
        Cow::Owned(s) => match s.strip_prefix('\u{feff}') {
            Some(rest) => Cow::Owned(rest.to_string()),
            None => Cow::Owned(s),
        },
    })
}

/// The file's name without folders, and its stem (`people` of `roster/people.csv`).
fn names(path: &str) -> (&str, &str) {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = match name.rsplit_once('.') {
        Some((stem, ext)) if ext.eq_ignore_ascii_case("csv") || ext.eq_ignore_ascii_case("txt") => {
            stem
        }
        _ => name,
    };
    (name, stem)
}

/// Line numbers of records. The CSV reader's own count is off after CRLF line ends and blank
/// lines, so lines are counted here from the record's byte offset (which points at the end of
/// the previous record, before any line ends and blank lines).
struct Lines<'t> {
    text: &'t [u8],
    /// Counted up to here.
    pos: usize,
    /// Line ends before `pos`.
    ends: u64,
}

impl Lines<'_> {
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.pos {
            self.pos = 0;
            self.ends = 0;
        }
        let between = self.text.get(self.pos..start).unwrap_or_default();
        self.ends += between.iter().filter(|&&b| b == b'\n').count() as u64;
        self.pos = start;
        self.ends + 1
    }
}

fn read_file(sheet: Sheet, file: &str, bytes: &[u8], roster: &mut Roster, problems: &mut Problems) {
    let Some(text) = decode(bytes) else {
        problems.push(
            None,
            ProblemKind::BadEncoding {
                file: file.to_string(),
            },
        );
        return;
    };
    let start = problems.len();
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut lines = Lines {
        text: text.as_bytes(),
        pos: 0,
        ends: 0,
    };
    let mut reader: Option<SheetReader> = None;
    let fault = |problems: &mut Problems, line: u64, fault: CsvFault| {
        problems.push(
            Some(At {
                sheet,
                row: u32::try_from(line).unwrap_or(u32::MAX),
                col: 0,
            }),
            ProblemKind::Csv {
                file: file.to_string(),
                line,
                fault,
            },
        );
    };
    while !problems.full() {
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        fault(
                            problems,
                            line,
                            CsvFault::FieldCount {
                                expected: *expected_len,
                                found: *len,
                            },
                        );
                        // The bad record was consumed; the next one can be read.
                        continue;
                    }
                    _ => {
                        fault(problems, line, CsvFault::Unreadable);
                        break;
                    }
                }
            }
        }
        let Some(pos) = record.position() else { break };
        // A blank line is no record to the CSV reader, so lines, not records, are what a text
        // editor and Excel number as rows.
        let line = lines.line_at(pos.byte());
        if pos.record() > u64::from(MAX_ROWS) {
            problems.push(
                None,
                ProblemKind::TooManyRows {
                    sheet,
                    limit: MAX_ROWS,
                },
            );
            break;
        }
        if record.iter().any(|f| f.contains(['\n', '\r'])) {
            fault(problems, line, CsvFault::OpenQuote);
            continue;
        }
        let cells: Vec<(u16, Raw<'_>)> = record
            .iter()
            .enumerate()
            .map_while(|(i, f)| Some((u16::try_from(i).ok()?, Raw::Text(Cow::Borrowed(f)))))
            .collect();
        match &mut reader {
            None => reader = Some(SheetReader::new(sheet, Flavor::Csv, &cells, problems)),
            Some(r) => r.row(
                u32::try_from(line).unwrap_or(u32::MAX),
                &cells,
                roster,
                problems,
            ),
        }
    }
    problems.sort_from(start);
}

/// Reads a roster from CSV files named after their sheets.
pub(crate) fn read(files: &[(String, Vec<u8>)]) -> Result<Roster, Vec<Problem>> {
    let bytes = files
        .iter()
        .fold(0usize, |n, (_, b)| n.saturating_add(b.len()));
    if bytes > crate::MAX_BYTES {
        return Err(vec![Problem {
            at: None,
            kind: ProblemKind::TooLarge { bytes },
        }]);
    }
    let mut problems = Problems::default();
    let named: Vec<(&str, &str)> = files.iter().map(|(path, _)| names(path)).collect();
    let found = match_sheets(
        named.iter().map(|(name, stem)| (*stem, *name)),
        &mut problems,
    );
    let mut roster = Roster::default();
    for sheet in Sheet::ALL {
        if problems.full() {
            break;
        }
        if let Some(((name, _), (_, bytes))) =
            found[sheet as usize].and_then(|i| Some((named.get(i)?, files.get(i)?)))
        {
            read_file(sheet, name, bytes, &mut roster, &mut problems);
        }
    }
    problems.finish(roster)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_stem() {
        assert_eq!(names("people.csv"), ("people.csv", "people"));
        assert_eq!(names("名册/人员.CSV"), ("人员.CSV", "人员"));
        assert_eq!(names(r"C:\x\任职.csv"), ("任职.csv", "任职"));
        assert_eq!(names("orgs"), ("orgs", "orgs"));
    }

    #[test]
    fn lines_are_counted_across_crlf_and_blank_lines() {
        let text = "h1,h2\r\na,b\r\nc,d\r\n\r\ne,f\r\n";
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut lines = Lines {
            text: text.as_bytes(),
            pos: 0,
            ends: 0,
        };
        let found: Vec<u64> = csv
            .records()
            .filter_map(|r| Some(lines.line_at(r.ok()?.position()?.byte())))
            .collect();
        assert_eq!(found, [1, 2, 3, 5]);
    }

    #[test]
    fn encodings() {
        assert_eq!(decode("\u{feff}工号".as_bytes()).as_deref(), Some("工号"));
        let (gb, _, _) = encoding_rs::GB18030.encode("工号,姓名");
        assert_eq!(decode(&gb).as_deref(), Some("工号,姓名"));
        assert_eq!(decode(&[0xff, 0xfe, 0x41, 0x00]), None);
    }
}
