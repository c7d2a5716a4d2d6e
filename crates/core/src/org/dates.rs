//! A change of the days of a span that was recorded — a holding, a portfolio assignment —
//! told apart as the two things it can be: ending a span that was open (the normal course of
//! things), or correcting a recorded date, which says why (the reason is kept in the audit log;
//! a wrong date is put right, never handed over).

use chrono::NaiveDate;

/// What an edit of a span's days asks for; each `None` leaves that part as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatesEdit {
    /// A corrected first day.
    pub start: Option<NaiveDate>,
    /// `Some(Some(day))` ends the span on that day (or corrects its end); `Some(None)` makes it
    /// open again (a correction).
    pub end: Option<Option<NaiveDate>>,
    /// Why a date is corrected: required for anything but ending an open span.
    pub reason: Option<String>,
}

/// How a change of days is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateChange<'r> {
    /// Nothing changes.
    Unchanged,
    /// An open span ends on a day, its start untouched.
    End,
    /// A recorded date is corrected, with the reason given.
    Correction {
        /// Why (trimmed, not empty).
        reason: &'r str,
    },
}

/// A recorded date corrected without saying why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("say why the dates are corrected")]
pub struct ReasonRequired;

impl DatesEdit {
    /// The days `(start, end)` become.
    pub fn applied(
        &self,
        start: NaiveDate,
        end: Option<NaiveDate>,
    ) -> (NaiveDate, Option<NaiveDate>) {
        (self.start.unwrap_or(start), self.end.unwrap_or(end))
    }

    /// The reason given, trimmed, when there is one.
    pub fn reason(&self) -> Option<&str> {
        self.reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }

    /// How the edit of a span recorded as `(start, end)` is recorded: ending an open span
    /// (its start untouched) is an end; any other change is a correction and needs a reason.
    pub fn change(
        &self,
        start: NaiveDate,
        end: Option<NaiveDate>,
    ) -> Result<DateChange<'_>, ReasonRequired> {
        let (new_start, new_end) = self.applied(start, end);
        if (new_start, new_end) == (start, end) {
            return Ok(DateChange::Unchanged);
        }
        if end.is_none() && new_end.is_some() && new_start == start {
            return Ok(DateChange::End);
        }
        self.reason()
            .map(|reason| DateChange::Correction { reason })
            .ok_or(ReasonRequired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn edit(start: Option<&str>, end: Option<Option<&str>>, reason: Option<&str>) -> DatesEdit {
        DatesEdit {
            start: start.map(d),
            end: end.map(|e| e.map(d)),
            reason: reason.map(str::to_string),
        }
    }

    #[test]
    fn ending_an_open_span_is_an_end_anything_else_a_correction_with_its_reason() {
        let open = (d("2024-01-01"), None);
        let ended = (d("2024-01-01"), Some(d("2026-06-30")));
        let change = |e: &DatesEdit, (s, en): (NaiveDate, Option<NaiveDate>)| {
            e.change(s, en).map(|c| format!("{c:?}"))
        };
        let end = edit(None, Some(Some("2026-06-30")), None);
        assert_eq!(change(&end, open), Ok("End".into()));
        // The same end again changes nothing.
        assert_eq!(change(&end, ended), Ok("Unchanged".into()));
        assert_eq!(change(&DatesEdit::default(), open), Ok("Unchanged".into()));
        // Moving an end, reopening, or moving a start are corrections.
        for e in [
            edit(None, Some(Some("2026-05-31")), None),
            edit(None, Some(None), Some("   ")),
        ] {
            assert_eq!(e.change(ended.0, ended.1), Err(ReasonRequired));
        }
        assert_eq!(
            edit(Some("2024-02-01"), Some(Some("2026-06-30")), None).change(open.0, open.1),
            Err(ReasonRequired)
        );
        assert_eq!(
            edit(None, Some(None), Some(" typed the wrong year ")).change(ended.0, ended.1),
            Ok(DateChange::Correction {
                reason: "typed the wrong year"
            })
        );
        assert_eq!(
            edit(Some("2024-02-01"), None, None).applied(ended.0, ended.1),
            (d("2024-02-01"), Some(d("2026-06-30")))
        );
    }
}
