//! The rule for each kind of parameter a request carries — a year, a page number, a day — the
//! same in every area. Messages naming the field are the caller's; the rules are here.

use chrono::NaiveDate;

/// The first year the ledger takes.
pub const YEAR_MIN: i32 = 2000;
/// The last year the ledger takes.
pub const YEAR_MAX: i32 = 2100;
/// The highest page number asked for (a list this long is filtered, not paged).
pub const PAGE_MAX: usize = 100_000;

/// A ledger year, `2000`–`2100`.
pub fn year(s: &str) -> Option<i32> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (YEAR_MIN..=YEAR_MAX).contains(y))
}

/// A page number: from 1 to [`PAGE_MAX`]; an empty value is the first page.
pub fn page(s: Option<&str>) -> Option<usize> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(1),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=PAGE_MAX).contains(n)),
    }
}

/// A day written `YYYY-MM-DD`, exactly.
pub fn day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years() {
        assert_eq!(year(" 2026 "), Some(2026));
        assert_eq!(year("2000"), Some(2000));
        assert_eq!(year("2100"), Some(2100));
        assert_eq!(year("1999"), None);
        assert_eq!(year("2101"), None);
        assert_eq!(year("二〇二六"), None);
        assert_eq!(year(""), None);
    }

    #[test]
    fn pages() {
        assert_eq!(page(None), Some(1));
        assert_eq!(page(Some(" ")), Some(1));
        assert_eq!(page(Some("3")), Some(3));
        assert_eq!(page(Some("0")), None);
        assert_eq!(page(Some("-1")), None);
        assert_eq!(page(Some("x")), None);
        assert_eq!(page(Some("100000")), Some(PAGE_MAX));
        assert_eq!(page(Some("100001")), None);
        assert_eq!(page(Some("99999999999999999999999")), None);
    }

    #[test]
    fn days() {
        assert!(day("2026-07-01").is_some());
        assert!(day(" 2026-07-01 ").is_some());
        assert!(day("2026-7-1").is_none());
        assert!(day("2026-13-01").is_none());
        assert!(day("2026-02-30").is_none());
        assert!(day("").is_none());
    }
}
