//! From cells to rows, shared by the xlsx and CSV readers: headers found by name, cells typed,
//! required cells checked, problems collected in order.

use crate::columns::{self, Kind};
use crate::problem::{Problem, ProblemKind};
use chrono::NaiveDate;
use std::borrow::Cow;
use zeren_core::org::roster::{
    AssignmentRow, At, Day, HoldingRow, OrgRow, PersonRow, PlatformRow, PostRow, Roster, Sheet,
    Text,
};

/// Most data rows a sheet may hold: a roster of a whole province fits, and a sheet claiming a
/// million rows is refused before its rows fill memory.
pub(crate) const MAX_ROWS: u32 = 200_000;
/// Most problems told; past that the reader stops looking.
pub(crate) const MAX_PROBLEMS: usize = 1000;

/// A cell as a reader found it, before it is typed by its column.
#[derive(Debug, Clone)]
pub(crate) enum Raw<'a> {
    Text(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A real date (a date-formatted number or an ISO date cell of a workbook).
    Date(NaiveDate),
    /// An error value such as `#N/A`.
    Error(String),
    /// Anything else: durations and times.
    Other(String),
}

impl Raw<'_> {
    fn is_blank(&self) -> bool {
        matches!(self, Raw::Text(t) if t.trim().is_empty())
    }
}

/// Where the cells come from: a date typed as text is an error in a workbook (the user should
/// format the cell) but the normal form in CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Xlsx,
    Csv,
}

/// Problems found so far, at most [`MAX_PROBLEMS`].
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
    overflow: bool,
}

impl Problems {
    pub(crate) fn push(&mut self, at: Option<At>, kind: ProblemKind) {
        if self.list.len() >= MAX_PROBLEMS {
            self.overflow = true;
        } else {
            self.list.push(Problem { at, kind });
        }
    }

    /// Whether looking further is pointless: one problem more than can be told was found.
    pub(crate) fn full(&self) -> bool {
        self.overflow
    }

    /// How many have been told: where a sheet's own begin, to sort them when it ends.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// Puts the problems told since `start` in row then column order (problems of the whole
    /// sheet first): merged ranges and required cells are found out of that order.
    pub(crate) fn sort_from(&mut self, start: usize) {
        if let Some(tail) = self.list.get_mut(start..) {
            tail.sort_by_key(|p| p.at.map(|a| (a.row, a.col)));
        }
    }

    /// The roster if nothing was wrong, else every problem told.
    pub(crate) fn finish(mut self, roster: Roster) -> Result<Roster, Vec<Problem>> {
        if self.overflow {
            self.list.push(Problem {
                at: None,
                kind: ProblemKind::TooManyProblems {
                    limit: MAX_PROBLEMS,
                },
            });
        }
        if self.list.is_empty() {
            Ok(roster)
        } else {
            Err(self.list)
        }
    }
}

/// What a column of the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// No header: a value there is a problem.
    Unheaded,
    /// The column of the sheet at this index.
    Column(usize),
    /// Already told as unknown or duplicate: its values are not looked at.
    Ignored,
}

#[derive(Debug)]
enum Slot {
    Text(Text),
    Day(Day),
}

/// Reads the rows of one sheet, once its header row is known.
pub(crate) struct SheetReader {
    sheet: Sheet,
    flavor: Flavor,
    roles: Vec<Role>,
    /// The file column of each column of the sheet, if it has one.
    placed: Vec<Option<u16>>,
    /// Unheaded file columns already told about, so a stray column is told once, not per row.
    told_unheaded: Vec<u16>,
    slots: Vec<Option<Slot>>,
    /// Which columns of the row hold something, even something wrong.
    filled: Vec<bool>,
}

fn header_text(raw: &Raw<'_>) -> String {
    match raw {
        Raw::Text(t) => t.trim().to_string(),
        Raw::Int(i) => i.to_string(),
        Raw::Float(f) => number_text(*f),
        Raw::Bool(b) => bool_text(*b).to_string(),
        Raw::Date(d) => d.to_string(),
        Raw::Error(e) | Raw::Other(e) => e.clone(),
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "TRUE" } else { "FALSE" }
}

/// A number as text: integers as their digits (a staff number stored as a number, even as a
/// float), others in Rust's shortest form.
fn number_text(f: f64) -> String {
    // Below 2^53 every integer is exact, so the digits are the ones typed.
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A date typed as text. `loose` also takes the forms people type into a text cell
/// (`2024.9.1`, `2024年9月1日`), to tell them to make it a real date; CSV takes `2024-09-01`
/// and `2024/9/1`.
pub(crate) fn parse_date(s: &str, loose: bool) -> Option<NaiveDate> {
    let s = s.trim();
    let s = if loose {
        s.strip_suffix('日').unwrap_or(s)
    } else {
        s
    };
    let is_sep = |c: char| c == '-' || c == '/' || (loose && (c == '.' || c == '年' || c == '月'));
    let mut parts = s.split(is_sep);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
        || ![y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn convert(kind: Kind, flavor: Flavor, raw: &Raw<'_>, at: At) -> Result<Option<Slot>, ProblemKind> {
    match kind {
        Kind::Text => {
            let value = match raw {
                Raw::Text(t) => t.trim().to_string(),
                Raw::Int(i) => i.to_string(),
                Raw::Float(f) => number_text(*f),
                Raw::Bool(b) => {
                    return Err(ProblemKind::NotText {
                        found: bool_text(*b).to_string(),
                    });
                }
                Raw::Date(d) => {
                    return Err(ProblemKind::NotText {
                        found: d.to_string(),
                    });
                }
                Raw::Error(e) | Raw::Other(e) => {
                    return Err(ProblemKind::NotText { found: e.clone() });
                }
            };
            Ok((!value.is_empty()).then_some(Slot::Text(Text { value, at })))
        }
        Kind::Date => match raw {
            Raw::Date(d) => Ok(Some(Slot::Day(Day { value: *d, at }))),
            Raw::Text(t) => {
                let t = t.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                match (flavor, parse_date(t, flavor == Flavor::Xlsx)) {
                    (Flavor::Csv, Some(d)) => Ok(Some(Slot::Day(Day { value: d, at }))),
                    (Flavor::Xlsx, Some(_)) => Err(ProblemKind::DateAsText {
                        text: t.to_string(),
                    }),
                    (_, None) => Err(ProblemKind::NotADate {
                        found: t.to_string(),
                    }),
                }
            }
            Raw::Int(i) => Err(ProblemKind::NotADate {
                found: i.to_string(),
            }),
            Raw::Float(f) => Err(ProblemKind::NotADate {
                found: number_text(*f),
            }),
            Raw::Bool(b) => Err(ProblemKind::NotADate {
                found: bool_text(*b).to_string(),
            }),
            Raw::Error(e) | Raw::Other(e) => Err(ProblemKind::NotADate { found: e.clone() }),
        },
    }
}

impl SheetReader {
    /// Reads the header row (`cells` of row 1, in column order; empty when the sheet has none).
    pub(crate) fn new(
        sheet: Sheet,
        flavor: Flavor,
        header: &[(u16, Raw<'_>)],
        problems: &mut Problems,
    ) -> SheetReader {
        let cols = columns::columns(sheet);
        let mut roles = Vec::new();
        let mut placed = vec![None; cols.len()];
        for (col, raw) in header {
            let text = header_text(raw);
            if text.is_empty() {
                continue;
            }
            let i = usize::from(*col);
            if roles.len() <= i {
                roles.resize(i + 1, Role::Unheaded);
            }
            let at = At {
                sheet,
                row: 1,
                col: *col,
            };
            let role = match columns::find(sheet, &text) {
                Some(c) if placed[c].is_none() => {
                    placed[c] = Some(*col);
                    Role::Column(c)
                }
                Some(_) => {
                    problems.push(Some(at), ProblemKind::DuplicateColumn { header: text });
                    Role::Ignored
                }
                None => {
                    problems.push(Some(at), ProblemKind::UnknownColumn { header: text });
                    Role::Ignored
                }
            };
            if let Some(r) = roles.get_mut(i) {
                *r = role;
            }
        }
        for (c, col) in cols.iter().enumerate() {
            if col.required && placed[c].is_none() {
                problems.push(
                    None,
                    ProblemKind::MissingColumn {
                        sheet,
                        header: col.header,
                    },
                );
            }
        }
        SheetReader {
            sheet,
            flavor,
            roles,
            placed,
            told_unheaded: Vec::new(),
            slots: (0..cols.len()).map(|_| None).collect(),
            filled: vec![false; cols.len()],
        }
    }

    /// Reads data row `row` (from 2): `cells` in column order. A row with nothing in it is skipped.
    pub(crate) fn row(
        &mut self,
        row: u32,
        cells: &[(u16, Raw<'_>)],
        roster: &mut Roster,
        problems: &mut Problems,
    ) {
        if cells.iter().all(|(_, raw)| raw.is_blank()) {
            return;
        }
        let cols = columns::columns(self.sheet);
        self.slots.iter_mut().for_each(|s| *s = None);
        self.filled.iter_mut().for_each(|f| *f = false);
        let mut wrong = false;
        for (col, raw) in cells {
            if raw.is_blank() {
                continue;
            }
            let at = At {
                sheet: self.sheet,
                row,
                col: *col,
            };
            match self
                .roles
                .get(usize::from(*col))
                .copied()
                .unwrap_or(Role::Unheaded)
            {
                Role::Column(c) => match convert(cols[c].kind, self.flavor, raw, at) {
                    Ok(slot) => {
                        self.filled[c] = slot.is_some();
                        self.slots[c] = slot;
                    }
                    Err(kind) => {
                        // Told as what it is, not also as missing.
                        self.filled[c] = true;
                        problems.push(Some(at), kind);
                        wrong = true;
                    }
                },
                Role::Unheaded => {
                    if !self.told_unheaded.contains(col) {
                        self.told_unheaded.push(*col);
                        problems.push(Some(at), ProblemKind::NoHeader);
                    }
                    wrong = true;
                }
                Role::Ignored => {}
            }
        }
        // A row whose only values are in columns without a known header was told about those;
        // telling every required cell of it empty too would bury that.
        if !self.filled.iter().any(|f| *f) {
            return;
        }
        for (c, col) in cols.iter().enumerate() {
            if col.required && !self.filled[c] {
                wrong = true;
                // A column missing altogether was told once for the sheet.
                if let Some(file_col) = self.placed[c] {
                    problems.push(
                        Some(At {
                            sheet: self.sheet,
                            row,
                            col: file_col,
                        }),
                        ProblemKind::Required { header: col.header },
                    );
                }
            }
        }
        if !wrong {
            build(self.sheet, &mut self.slots, roster);
        }
    }
}

fn text(slots: &mut [Option<Slot>], i: usize) -> Option<Text> {
    match slots.get_mut(i)?.take()? {
        Slot::Text(t) => Some(t),
        Slot::Day(_) => None,
    }
}

fn day(slots: &mut [Option<Slot>], i: usize) -> Option<Day> {
    match slots.get_mut(i)?.take()? {
        Slot::Day(d) => Some(d),
        Slot::Text(_) => None,
    }
}

/// The row from its typed cells, indexed as [`columns::columns`] lists them. Required cells
/// were checked; a `None` here cannot happen and drops the row rather than panic.
fn build(sheet: Sheet, s: &mut [Option<Slot>], roster: &mut Roster) -> Option<()> {
    match sheet {
        Sheet::Orgs => roster.orgs.push(OrgRow {
            code: text(s, 0)?,
            name: text(s, 1)?,
            kind: text(s, 2)?,
            parent: text(s, 3),
            established_on: day(s, 4),
            closed_on: day(s, 5),
        }),
        Sheet::People => roster.people.push(PersonRow {
            staff_no: text(s, 0)?,
            name: text(s, 1)?,
            org: text(s, 2)?,
            email: text(s, 3),
            wecom: text(s, 4),
            dingtalk: text(s, 5),
            left_on: day(s, 6),
        }),
        Sheet::Posts => roster.posts.push(PostRow {
            org: text(s, 0)?,
            kind: text(s, 1)?,
            title: text(s, 2)?,
            closed_on: day(s, 3),
        }),
        Sheet::Holdings => roster.holdings.push(HoldingRow {
            org: text(s, 0)?,
            post: text(s, 1)?,
            staff_no: text(s, 2)?,
            start: day(s, 3)?,
            end: day(s, 4),
        }),
        Sheet::Assignments => roster.assignments.push(AssignmentRow {
            org: text(s, 0)?,
            post: text(s, 1)?,
            staff_no: text(s, 2)?,
            portfolio: text(s, 3)?,
            start: day(s, 4)?,
            end: day(s, 5),
        }),
        Sheet::Platforms => roster.platforms.push(PlatformRow {
            code: text(s, 0)?,
            name: text(s, 1)?,
            kind: text(s, 2)?,
            org: text(s, 3)?,
            portfolio: text(s, 4),
            news_function: text(s, 5),
            opened_on: day(s, 6),
            state: text(s, 7),
            operators: text(s, 8),
            icp: text(s, 9),
            account_id: text(s, 10),
            registered_on: day(s, 11),
            registering_body: text(s, 12),
        }),
    }
    Some(())
}

/// Which sheet each sheet (or file) is, telling unknown and duplicate ones. Each item is the
/// name to match (a sheet name, a file stem) and the name to tell (the file name, for CSV);
/// instructions sheets are skipped. Returns, for each of [`Sheet::ALL`], the index of its item.
pub(crate) fn match_sheets<'n>(
    names: impl IntoIterator<Item = (&'n str, &'n str)>,
    problems: &mut Problems,
) -> [Option<usize>; Sheet::ALL.len()] {
    let mut found = [None; Sheet::ALL.len()];
    for (i, (key, shown)) in names.into_iter().enumerate() {
        if columns::is_instructions(key) {
            continue;
        }
        match Sheet::named(key) {
            Some(sheet) => {
                let slot = &mut found[sheet as usize];
                if slot.is_some() {
                    problems.push(
                        None,
                        ProblemKind::DuplicateSheet {
                            sheet,
                            name: shown.to_string(),
                        },
                    );
                } else {
                    *slot = Some(i);
                }
            }
            None => problems.push(
                None,
                ProblemKind::UnknownSheet {
                    name: shown.to_string(),
                },
            ),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_text_columns_are_their_digits() {
        assert_eq!(number_text(20230001.0), "20230001");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(1e300), format!("{}", 1e300));
        assert_eq!(number_text(f64::NAN), "NaN");
    }

    #[test]
    fn dates_typed_as_text() {
        let d = NaiveDate::from_ymd_opt(2024, 9, 1);
        assert_eq!(parse_date("2024-09-01", false), d);
        assert_eq!(parse_date(" 2024/9/1 ", false), d);
        assert_eq!(parse_date("2024.9.1", false), None);
        assert_eq!(parse_date("2024.9.1", true), d);
        assert_eq!(parse_date("2024年9月1日", true), d);
        assert_eq!(parse_date("2024-02-30", false), None);
        assert_eq!(parse_date("24-9-1", false), None);
        assert_eq!(parse_date("2024-9-1-1", false), None);
        assert_eq!(parse_date("2024-+9-1", false), None);
        assert_eq!(parse_date("", true), None);
    }
}
