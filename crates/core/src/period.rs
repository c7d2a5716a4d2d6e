//! Periods of a duty's cadence and the due dates inside them.

use chrono::{Datelike, Days, NaiveDate};
use std::fmt;

/// How often a duty recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cadence {
    /// Once per subject.
    Once,
    /// Every calendar year.
    Annual,
    /// Every half year (H1, H2).
    Semiannual,
    /// Every calendar quarter.
    Quarterly,
    /// Every calendar month.
    Monthly,
    /// Once for each event of a kind.
    OnEvent,
}

impl Cadence {
    /// Every cadence with its pack spelling.
    pub const ALL: [(Cadence, &'static str); 6] = [
        (Cadence::Once, "once"),
        (Cadence::Annual, "annual"),
        (Cadence::Semiannual, "semiannual"),
        (Cadence::Quarterly, "quarterly"),
        (Cadence::Monthly, "monthly"),
        (Cadence::OnEvent, "on-event"),
    ];

    /// Reads the pack spelling.
    pub fn parse(s: &str) -> Option<Cadence> {
        Self::ALL.iter().find(|(_, n)| *n == s).map(|(c, _)| *c)
    }

    /// The pack spelling.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(c, _)| *c == self)
            .map(|(_, n)| *n)
            .unwrap_or("once")
    }

    /// The periods of this cadence that make up `year` (empty for once/on-event).
    pub fn periods_of_year(self, year: i32) -> Vec<Period> {
        match self {
            Cadence::Annual => vec![Period::Year(year)],
            Cadence::Semiannual => (1..=2).map(|h| Period::Half(year, h)).collect(),
            Cadence::Quarterly => (1..=4).map(|q| Period::Quarter(year, q)).collect(),
            Cadence::Monthly => (1..=12).map(|m| Period::Month(year, m)).collect(),
            Cadence::Once | Cadence::OnEvent => Vec::new(),
        }
    }
}

/// One period in which an obligation falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// A calendar year.
    Year(i32),
    /// Half year 1 or 2.
    Half(i32, u8),
    /// Quarter 1..=4.
    Quarter(i32, u8),
    /// Month 1..=12.
    Month(i32, u8),
    /// The single instance of a once-only duty.
    Once,
    /// The day of an event.
    Event(NaiveDate),
}

impl Period {
    /// First day of the period (`None` for [`Period::Once`]).
    pub fn start(&self) -> Option<NaiveDate> {
        match *self {
            Period::Year(y) => ymd(y, 1, 1),
            Period::Half(y, h) => ymd(y, if h == 1 { 1 } else { 7 }, 1),
            Period::Quarter(y, q) => ymd(y, u32::from(q) * 3 - 2, 1),
            Period::Month(y, m) => ymd(y, u32::from(m), 1),
            Period::Once => None,
            Period::Event(d) => Some(d),
        }
    }

    /// Last day of the period (`None` for [`Period::Once`]).
    pub fn end(&self) -> Option<NaiveDate> {
        let next_start = match *self {
            Period::Year(y) => ymd(y + 1, 1, 1),
            Period::Half(y, 1) => ymd(y, 7, 1),
            Period::Half(y, _) => ymd(y + 1, 1, 1),
            Period::Quarter(y, 4) => ymd(y + 1, 1, 1),
            Period::Quarter(y, q) => ymd(y, u32::from(q) * 3 + 1, 1),
            Period::Month(y, 12) => ymd(y + 1, 1, 1),
            Period::Month(y, m) => ymd(y, u32::from(m) + 1, 1),
            Period::Once => None,
            Period::Event(d) => return Some(d),
        };
        next_start.and_then(|d| d.pred_opt())
    }

    /// The stable key of the period: `2026`, `2026-H1`, `2026-Q3`, `2026-07`, `once`, `2026-07-01`.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// Reads a key written by [`Period::key`].
    pub fn parse(s: &str) -> Option<Period> {
        if s == "once" {
            return Some(Period::Once);
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Some(Period::Event(d));
        }
        let (y, rest) = match s.split_once('-') {
            Some((y, r)) => (y.parse::<i32>().ok()?, Some(r)),
            None => (s.parse::<i32>().ok()?, None),
        };
        let p = match rest {
            None => Period::Year(y),
            Some(r) if r.starts_with('H') => Period::Half(y, r[1..].parse().ok()?),
            Some(r) if r.starts_with('Q') => Period::Quarter(y, r[1..].parse().ok()?),
            Some(r) => Period::Month(y, r.parse().ok()?),
        };
        let valid = match p {
            Period::Half(_, h) => (1..=2).contains(&h),
            Period::Quarter(_, q) => (1..=4).contains(&q),
            Period::Month(_, m) => (1..=12).contains(&m),
            _ => true,
        };
        valid.then_some(p)
    }

    /// The calendar year the period belongs to, if any.
    pub fn year(&self) -> Option<i32> {
        match *self {
            Period::Year(y) | Period::Half(y, _) | Period::Quarter(y, _) | Period::Month(y, _) => {
                Some(y)
            }
            Period::Event(d) => Some(d.year()),
            Period::Once => None,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Half(y, h) => write!(f, "{y}-H{h}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
            Period::Once => write!(f, "once"),
            Period::Event(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

/// A calendar day, or `None` when it does not exist.
pub fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// `date + n` days, saturating at the calendar's end.
pub fn add_days(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(n)))
        .unwrap_or(NaiveDate::MAX)
}

/// `date - n` days, saturating at the calendar's start.
pub fn sub_days(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(n)))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_bounds() {
        let q = Period::Quarter(2026, 3);
        assert_eq!(q.start(), ymd(2026, 7, 1));
        assert_eq!(q.end(), ymd(2026, 9, 30));
        assert_eq!(Period::Month(2024, 2).end(), ymd(2024, 2, 29));
        assert_eq!(Period::Half(2026, 2).end(), ymd(2026, 12, 31));
        assert_eq!(Period::Quarter(2026, 4).end(), ymd(2026, 12, 31));
    }

    #[test]
    fn keys_round_trip() {
        for p in [
            Period::Year(2026),
            Period::Half(2026, 2),
            Period::Quarter(2026, 1),
            Period::Month(2026, 11),
            Period::Once,
            Period::Event(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
        ] {
            assert_eq!(Period::parse(&p.key()), Some(p));
        }
        assert_eq!(Period::parse("2026-Q5"), None);
        assert_eq!(Period::parse("2026-13"), None);
    }
}
