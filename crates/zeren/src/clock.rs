//! The wall clock, read in one place only.

use chrono::{DateTime, NaiveDate, Utc};
use zeren_core::clock::{Clock, noon_in_shanghai, shanghai_date};

/// The system clock, optionally shifted so that "today" is a chosen day (`--clock`).
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    shift: chrono::Duration,
}

impl SystemClock {
    /// The real time.
    pub fn real() -> Self {
        SystemClock {
            shift: chrono::Duration::zero(),
        }
    }

    /// Time running from noon of `day` (Asia/Shanghai) onwards.
    pub fn starting_on(day: NaiveDate) -> Self {
        let real = Self::wall();
        SystemClock {
            shift: noon_in_shanghai(day) - real,
        }
    }

    #[allow(clippy::disallowed_methods)] // The one place Zeren reads the wall clock.
    fn wall() -> DateTime<Utc> {
        Utc::now()
    }

    /// Whether the clock is shifted (a banner should say so).
    pub fn is_shifted(&self) -> bool {
        !self.shift.is_zero()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Self::wall() + self.shift
    }
}

/// Reads `--clock YYYY-MM-DD`.
pub fn from_arg(arg: Option<&str>) -> anyhow::Result<SystemClock> {
    match arg {
        None => Ok(SystemClock::real()),
        Some(s) => {
            let day = crate::parse_day(s, "--clock")?;
            Ok(SystemClock::starting_on(day))
        }
    }
}

/// Today in Asia/Shanghai by this clock.
pub fn today(clock: &SystemClock) -> NaiveDate {
    shanghai_date(clock.now())
}
