//! Reading a roster workbook: the archive is vetted before calamine sees it, then each sheet is
//! streamed cell by cell (calamine's cell reader), never as a dense range: a sheet with one cell
//! at A1 and one at XFD1048576 would otherwise be a range of 17 billion cells.

use crate::parse::{Flavor, MAX_ROWS, Problems, Raw, SheetReader, match_sheets};
use crate::problem::{Problem, ProblemKind};
use calamine::{DataRef, Reader, Xlsx};
use flate2::read::DeflateDecoder;
use std::borrow::Cow;
use std::io::{self, Cursor, Read};
use zeren_core::org::roster::{At, Roster, Sheet};
use zip::CompressionMethod;

/// Most bytes the archive may unpack to: a roster of 200 000 people is some tens of MiB of XML.
const MAX_UNPACKED: u64 = 256 * 1024 * 1024;
/// Most entries: a workbook has a few dozen.
const MAX_ENTRIES: usize = 10_000;
/// Highest ratio of unpacked to packed size, for entries above [`RATIO_FLOOR`]. Sheet XML packs
/// about 10:1 to 30:1; a bomb packs 1000:1.
const MAX_RATIO: u64 = 200;
/// Small entries may pack as well as they like.
const RATIO_FLOOR: u64 = 1024 * 1024;

/// Vets the archive before calamine opens it: the central directory's sizes, then each entry
/// unpacked for real (through a limit) so an entry that declares less than it holds is caught.
///
/// The zip crate itself stops reading an entry past its declared size, so calamine could not be
/// fed more than was declared anyway; unpacking here, with flate2 on the raw bytes, does not
/// lean on that and tells a lying archive apart from a damaged one. It costs a second inflate
/// of the whole workbook (see the benchmark), small next to parsing the XML.
fn vet(bytes: &[u8]) -> Result<(), ProblemKind> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ProblemKind::NotAWorkbook)?;
    if archive.len() > MAX_ENTRIES {
        return Err(ProblemKind::ZipBomb);
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|_| ProblemKind::NotAWorkbook)?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if total > MAX_UNPACKED || (size > RATIO_FLOOR && size > packed.saturating_mul(MAX_RATIO)) {
            return Err(ProblemKind::ZipBomb);
        }
    }
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|_| ProblemKind::NotAWorkbook)?;
        let declared = entry.size();
        let limit = declared.saturating_add(1);
        let real = match entry.compression() {
            CompressionMethod::Stored => io::copy(&mut entry.take(limit), &mut io::sink()),
            CompressionMethod::Deflated => {
                io::copy(&mut DeflateDecoder::new(entry).take(limit), &mut io::sink())
            }
            // Excel and WPS write only these two; calamine reads no other.
            _ => return Err(ProblemKind::NotAWorkbook),
        }
        .map_err(|_| ProblemKind::NotAWorkbook)?;
        if real > declared {
            return Err(ProblemKind::ZipBomb);
        }
    }
    Ok(())
}

fn raw<'a>(value: &DataRef<'a>) -> Raw<'a> {
    match value {
        DataRef::Int(i) => Raw::Int(*i),
        DataRef::Float(f) => Raw::Float(*f),
        DataRef::String(s) => Raw::Text(Cow::Owned(s.clone())),
        DataRef::SharedString(s) => Raw::Text(Cow::Borrowed(s)),
        DataRef::Bool(b) => Raw::Bool(*b),
        DataRef::DateTime(d) if d.is_datetime() => match d.as_datetime() {
            Some(dt) => Raw::Date(dt.date()),
            None => Raw::Other(d.as_f64().to_string()),
        },
        DataRef::DateTime(d) => Raw::Other(
            d.as_duration()
                .map(|t| t.to_string())
                .unwrap_or_else(|| d.as_f64().to_string()),
        ),
        DataRef::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(Raw::Date)
            .unwrap_or_else(|| Raw::Other(s.clone())),
        DataRef::DurationIso(s) => Raw::Other(s.clone()),
        DataRef::Error(e) => Raw::Error(e.to_string()),
        DataRef::Empty => Raw::Text(Cow::Borrowed("")),
    }
}

/// `A3:B3` (or `A3` for a single cell).
fn range_text(sheet: Sheet, start: (u32, u32), end: (u32, u32)) -> Option<(At, String)> {
    let at = |(row, col): (u32, u32)| -> Option<At> {
        Some(At {
            sheet,
            row: row.checked_add(1)?,
            col: u16::try_from(col).ok()?,
        })
    };
    let (a, b) = (at(start)?, at(end)?);
    let text = |x: At| format!("{}{}", x.col_letters(), x.row);
    let range = if a == b {
        text(a)
    } else {
        format!("{}:{}", text(a), text(b))
    };
    Some((a, range))
}

/// Hands a row (0-based `row_at`) to the sheet's reader, made from the first row handed over:
/// the header if that is row 1, else no header at all.
fn hand_over(
    reader: &mut Option<SheetReader>,
    sheet: Sheet,
    row_at: u32,
    row: &mut Vec<(u16, Raw<'_>)>,
    roster: &mut Roster,
    problems: &mut Problems,
) {
    let r = reader.get_or_insert_with(|| {
        let header: &[(u16, Raw<'_>)] = if row_at == 0 { row } else { &[] };
        SheetReader::new(sheet, Flavor::Xlsx, header, problems)
    });
    if row_at > 0 {
        r.row(row_at + 1, row, roster, problems);
    }
    row.clear();
}

fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    sheet: Sheet,
    name: &str,
    roster: &mut Roster,
    problems: &mut Problems,
) {
    let start = problems.len();
    let broken = |problems: &mut Problems| problems.push(None, ProblemKind::BrokenSheet { sheet });
    match book.merge_cells_by_sheet_name(name) {
        Ok(merged) => {
            for d in merged {
                if let Some((at, range)) = range_text(sheet, d.start, d.end) {
                    problems.push(Some(at), ProblemKind::MergedCells { range });
                }
            }
        }
        Err(_) => {
            broken(problems);
            return;
        }
    }
    let Ok(mut cells) = book.worksheet_cells_reader(name) else {
        broken(problems);
        return;
    };
    let mut reader: Option<SheetReader> = None;
    let mut row: Vec<(u16, Raw<'_>)> = Vec::new();
    let mut row_at: u32 = 0;
    loop {
        if problems.full() {
            break;
        }
        let cell = match cells.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(_) => {
                broken(problems);
                break;
            }
        };
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        if r > MAX_ROWS {
            hand_over(&mut reader, sheet, row_at, &mut row, roster, problems);
            problems.push(
                None,
                ProblemKind::TooManyRows {
                    sheet,
                    limit: MAX_ROWS,
                },
            );
            break;
        }
        let Ok(c) = u16::try_from(c) else { continue };
        if r != row_at {
            hand_over(&mut reader, sheet, row_at, &mut row, roster, problems);
            row_at = r;
        }
        row.push((c, raw(value)));
    }
    if !row.is_empty() {
        hand_over(&mut reader, sheet, row_at, &mut row, roster, problems);
    }
    problems.sort_from(start);
}

/// Reads a roster workbook (xlsx).
pub(crate) fn read(bytes: &[u8]) -> Result<Roster, Vec<Problem>> {
    let refuse = |kind| Err(vec![Problem { at: None, kind }]);
    if bytes.len() > crate::MAX_BYTES {
        return refuse(ProblemKind::TooLarge { bytes: bytes.len() });
    }
    if let Err(kind) = vet(bytes) {
        return refuse(kind);
    }
    let Ok(mut book) = Xlsx::new(Cursor::new(bytes)) else {
        return refuse(ProblemKind::NotAWorkbook);
    };
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    // A zip without a workbook part (a .docx, say) opens as a workbook of no sheets.
    if names.is_empty() {
        return refuse(ProblemKind::NotAWorkbook);
    }
    let mut problems = Problems::default();
    let found = match_sheets(
        names.iter().map(|n| (n.as_str(), n.as_str())),
        &mut problems,
    );
    let mut roster = Roster::default();
    for sheet in Sheet::ALL {
        if problems.full() {
            break;
        }
        if let Some(name) = found[sheet as usize].and_then(|i| names.get(i)) {
            read_sheet(&mut book, sheet, name, &mut roster, &mut problems);
        }
    }
    problems.finish(roster)
}
