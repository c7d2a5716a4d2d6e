//! Time as a parameter. The core never reads the clock; callers pass a [`Clock`] or a day.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Something that tells the time. The binary uses the system clock; tests use a fixed one.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Today in Asia/Shanghai, the calendar the ledger keeps.
    fn today(&self) -> NaiveDate {
        shanghai_date(self.now())
    }
}

/// A clock stopped at one instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// China Standard Time (UTC+8, no daylight saving).
pub fn shanghai() -> FixedOffset {
    // 8 hours is always a valid offset; UTC is only a type-level fallback.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

use chrono::Offset as _;
use chrono::TimeZone as _;

/// The calendar day in Asia/Shanghai of an instant.
pub fn shanghai_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&shanghai()).date_naive()
}

/// Noon in Asia/Shanghai of a day, as an instant (a safe "now" for a given day).
pub fn noon_in_shanghai(day: NaiveDate) -> DateTime<Utc> {
    let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default();
    shanghai()
        .from_local_datetime(&noon)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&noon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_day_turns_at_16_utc() {
        let t = Utc.with_ymd_and_hms(2026, 6, 30, 16, 0, 0).unwrap();
        assert_eq!(shanghai_date(t).to_string(), "2026-07-01");
        let t = Utc.with_ymd_and_hms(2026, 6, 30, 15, 59, 59).unwrap();
        assert_eq!(shanghai_date(t).to_string(), "2026-06-30");
        assert_eq!(
            shanghai_date(noon_in_shanghai(
                NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
            ))
            .to_string(),
            "2026-07-01"
        );
    }
}
