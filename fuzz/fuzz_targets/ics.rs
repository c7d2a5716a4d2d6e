//! The calendar feed writer (`zeren_exports::ics`) fed any text: the feed is well formed —
//! every line at most 75 octets and ended by CRLF, no bare CR or LF, continuation lines start
//! with a space, no character split — and it parses back (the `icalendar` crate) to the same
//! events with the same summary, description and categories.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use libfuzzer_sys::fuzz_target;
use zeren_exports::ics::{Calendar, Event};

#[derive(Arbitrary, Debug)]
struct CalendarInput {
    prodid: String,
    name: String,
    description: Option<String>,
    refresh_minutes: u16,
    events: Vec<EventInput>,
}

#[derive(Arbitrary, Debug)]
struct EventInput {
    uid: String,
    stamp_secs: u32,
    /// Days from 1970-01-01 (the feeds carry this year's and next year's days).
    day: u16,
    summary: String,
    description: String,
    url: Option<String>,
    categories: Vec<String>,
    status: u8,
    alarms_days_before: Vec<u8>,
    alarm_text: String,
}

const STATUSES: [&str; 3] = ["CONFIRMED", "TENTATIVE", "CANCELLED"];

fn event(e: EventInput) -> Event {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    Event {
        uid: e.uid,
        stamp: DateTime::<Utc>::from_timestamp(i64::from(e.stamp_secs), 0).expect("stamp"),
        day: epoch + Duration::days(i64::from(e.day)),
        summary: e.summary,
        description: e.description,
        url: e.url,
        categories: e.categories,
        status: STATUSES.get(usize::from(e.status)).copied(),
        alarms_days_before: e.alarms_days_before.into_iter().map(u32::from).collect(),
        alarm_text: e.alarm_text,
    }
}

/// A TEXT value as it should read back: CRLF and CR are newlines, other control characters
/// (but tab) are dropped.
fn as_read(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

fn check_lines(text: &str) {
    assert!(text.ends_with("\r\n"), "the feed does not end in CRLF");
    let body = &text[..text.len() - 2];
    for (i, line) in body.split("\r\n").enumerate() {
        assert!(
            line.len() <= 75,
            "line {i} has {} octets: {line:?}",
            line.len()
        );
        assert!(
            !line.contains(['\r', '\n']),
            "bare CR or LF in line {i}: {line:?}"
        );
        assert!(!line.is_empty(), "empty line {i}");
        if line.starts_with(' ') {
            assert!(i > 0, "the feed starts with a continuation");
        } else {
            // A content line: NAME[;PARAM…]:VALUE, the name in letters, digits and dashes.
            let name_end = line
                .find([':', ';'])
                .unwrap_or_else(|| panic!("no name in {line:?}"));
            let name = &line[..name_end];
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
                "line {i} has the name {name:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(input) = CalendarInput::arbitrary(&mut u) else {
        return;
    };
    let cal = Calendar {
        prodid: input.prodid,
        name: input.name,
        description: input.description,
        refresh: Duration::minutes(i64::from(input.refresh_minutes)),
        events: input.events.into_iter().map(event).collect(),
    };
    let text = cal.to_ics();
    check_lines(&text);

    let unfolded = icalendar::parser::unfold(&text);
    let parsed = icalendar::parser::read_calendar(&unfolded)
        .unwrap_or_else(|e| panic!("the feed does not parse: {e}"));
    let events: Vec<_> = parsed
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    assert_eq!(events.len(), cal.events.len());
    for (parsed, e) in events.iter().zip(&cal.events) {
        let prop = |name: &str| {
            parsed
                .properties
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.val.to_string())
        };
        assert_eq!(
            prop("SUMMARY").as_deref(),
            Some(as_read(&e.summary).as_str())
        );
        if !e.description.is_empty() {
            assert_eq!(
                prop("DESCRIPTION").as_deref(),
                Some(as_read(&e.description).as_str())
            );
        }
        assert_eq!(prop("UID").as_deref(), Some(as_read(&e.uid).as_str()));
        let alarms = parsed
            .components
            .iter()
            .filter(|c| c.name == "VALARM")
            .count();
        assert_eq!(alarms, e.alarms_days_before.len());
    }
});
