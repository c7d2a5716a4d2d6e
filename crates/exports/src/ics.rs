//! iCalendar (RFC 5545) feeds of all-day events with alarms.
//!
//! Written by hand rather than through a builder so that the three details calendar clients are
//! strict about are under our control and tested: every line ends in CRLF; a content line longer
//! than 75 octets is folded (CRLF + one space), never inside a UTF-8 character; TEXT values escape
//! backslash, semicolon, comma and newlines.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// A calendar: the feed of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// PRODID, e.g. `-//Zeren//Zeren 0.1//ZH`.
    pub prodid: String,
    /// X-WR-CALNAME: the name calendar apps show.
    pub name: String,
    /// X-WR-CALDESC, if any.
    pub description: Option<String>,
    /// How often clients should refresh (REFRESH-INTERVAL and X-PUBLISHED-TTL).
    pub refresh: Duration,
    /// The events.
    pub events: Vec<Event>,
}

/// An all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Globally unique and stable across refreshes (so clients update rather than duplicate).
    pub uid: String,
    /// When this feed was produced (DTSTAMP, UTC).
    pub stamp: DateTime<Utc>,
    /// The day (DTSTART;VALUE=DATE; DTEND is the next day, exclusive).
    pub day: NaiveDate,
    /// SUMMARY.
    pub summary: String,
    /// DESCRIPTION (newlines allowed; they are escaped).
    pub description: String,
    /// URL to open the item in Zeren, if known.
    pub url: Option<String>,
    /// CATEGORIES values.
    pub categories: Vec<String>,
    /// STATUS: CONFIRMED, TENTATIVE or CANCELLED.
    pub status: Option<&'static str>,
    /// Alarms, in whole days before the day (0 = on the day).
    pub alarms_days_before: Vec<u32>,
    /// Alarm text.
    pub alarm_text: String,
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            // Other control characters are not allowed in TEXT; drop them.
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line into lines of at most 75 octets (the continuation's leading space
/// counts), never splitting a UTF-8 character, each ending in CRLF.
pub fn fold(line: &str) -> String {
    const LIMIT: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 64 * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > LIMIT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

/// A URI value (URL): it has no escapes, so control characters, which no URI holds, are dropped
/// rather than let a line break end the line.
pub fn uri_value(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

fn date_value(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn duration_value(d: Duration) -> String {
    let secs = d.num_seconds().max(60);
    if secs % 86_400 == 0 {
        format!("P{}D", secs / 86_400)
    } else if secs % 3600 == 0 {
        format!("PT{}H", secs / 3600)
    } else {
        format!("PT{}M", secs / 60)
    }
}

impl Calendar {
    /// The whole feed as text (UTF-8, CRLF line ends).
    pub fn to_ics(&self) -> String {
        let mut out = String::new();
        let mut line = |s: String| out.push_str(&fold(&s));
        line("BEGIN:VCALENDAR".into());
        line("VERSION:2.0".into());
        line(format!("PRODID:{}", escape_text(&self.prodid)));
        line("CALSCALE:GREGORIAN".into());
        line("METHOD:PUBLISH".into());
        line(format!("X-WR-CALNAME:{}", escape_text(&self.name)));
        if let Some(d) = &self.description {
            line(format!("X-WR-CALDESC:{}", escape_text(d)));
        }
        // All-day dates are floating: the day is the day in Asia/Shanghai, where the ledger lives.
        line("X-WR-TIMEZONE:Asia/Shanghai".into());
        let refresh = duration_value(self.refresh);
        line(format!("REFRESH-INTERVAL;VALUE=DURATION:{refresh}"));
        line(format!("X-PUBLISHED-TTL:{refresh}"));
        for e in &self.events {
            e.write(&mut line);
        }
        line("END:VCALENDAR".into());
        out
    }
}

impl Event {
    fn write(&self, line: &mut impl FnMut(String)) {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape_text(&self.uid)));
        line(format!("DTSTAMP:{}", self.stamp.format("%Y%m%dT%H%M%SZ")));
        line(format!("DTSTART;VALUE=DATE:{}", date_value(self.day)));
        let next = self.day.succ_opt().unwrap_or(self.day);
        line(format!("DTEND;VALUE=DATE:{}", date_value(next)));
        line(format!("SUMMARY:{}", escape_text(&self.summary)));
        if !self.description.is_empty() {
            line(format!("DESCRIPTION:{}", escape_text(&self.description)));
        }
        if let Some(url) = &self.url {
            line(format!("URL:{}", uri_value(url)));
        }
        if !self.categories.is_empty() {
            let cats: Vec<String> = self.categories.iter().map(|c| escape_text(c)).collect();
            line(format!("CATEGORIES:{}", cats.join(",")));
        }
        if let Some(s) = self.status {
            line(format!("STATUS:{s}"));
        }
        // An all-day event is not busy time.
        line("TRANSP:TRANSPARENT".into());
        for days in &self.alarms_days_before {
            line("BEGIN:VALARM".into());
            line("ACTION:DISPLAY".into());
            line(format!("DESCRIPTION:{}", escape_text(&self.alarm_text)));
            if *days == 0 {
                line("TRIGGER:PT0S".into());
            } else {
                line(format!("TRIGGER:-P{days}D"));
            }
            line("END:VALARM".into());
        }
        line("END:VEVENT".into());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use chrono::TimeZone;

    fn event(summary: &str, description: &str) -> Event {
        Event {
            uid: "obligation-1@zeren".into(),
            stamp: Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap(),
            day: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            summary: summary.into(),
            description: description.into(),
            url: Some("https://zeren.example/obligations/1".into()),
            categories: vec!["第四条第（二）项".into()],
            status: Some("CONFIRMED"),
            alarms_days_before: vec![7, 1],
            alarm_text: "提醒".into(),
        }
    }

    fn calendar(events: Vec<Event>) -> Calendar {
        Calendar {
            prodid: "-//Zeren//Zeren//ZH".into(),
            name: "李明华的责任清单".into(),
            description: None,
            refresh: Duration::hours(6),
            events,
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape_text("一\r\n二\n三\r四"), r"一\n二\n三\n四");
        assert_eq!(escape_text("x\u{7}y"), "xy");
    }

    #[test]
    fn values_without_escapes_cannot_break_a_line() {
        // Found by fuzz/ics: PRODID and URL were written as given, so a line break in one
        // ended the line and began a property of its own.
        let mut e = event("s", "");
        e.url = Some("https://zeren.example/a\r\nX-INJECTED:1".into());
        let mut cal = calendar(vec![e]);
        cal.prodid = "-//Zeren\n//ZH".into();
        let text = cal.to_ics();
        for l in text.split("\r\n") {
            assert!(!l.contains(['\r', '\n']), "{l:?}");
            assert!(!l.starts_with("X-INJECTED"), "{l:?}");
        }
        assert!(text.contains("URL:https://zeren.example/aX-INJECTED:1\r\n"));
        assert!(text.contains("PRODID:-//Zeren\\n//ZH\r\n"));
    }

    #[test]
    fn folding_keeps_characters_whole() {
        let long = format!("SUMMARY:{}", "网络意识形态工作".repeat(10));
        let folded = fold(&long);
        assert!(folded.ends_with("\r\n"));
        for l in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        // Unfolding gives the line back.
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
        // Exactly 75 octets is not folded; 76 is.
        let a75 = "A".repeat(75);
        assert_eq!(fold(&a75), format!("{a75}\r\n"));
        assert_eq!(fold(&"A".repeat(76)).matches("\r\n ").count(), 1);
        // A 3-octet character that would cross the limit moves to the next line whole.
        let l = format!("{}研", "A".repeat(74));
        assert_eq!(fold(&l), format!("{}\r\n 研\r\n", "A".repeat(74)));
    }

    #[test]
    fn feed_parses_and_lines_are_well_formed() {
        let cal = calendar(vec![
            event(
                "网络意识形态领域情况分析研判",
                "第四条第（二）项;状态：逾期, 责任人\\王建国\n第二行",
            ),
            Event {
                uid: "obligation-2@zeren".into(),
                ..event(&"长标题".repeat(30), "")
            },
        ]);
        let text = cal.to_ics();
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'));
        for l in text.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert!(text.contains("DTSTART;VALUE=DATE:20261231\r\n"));
        assert!(text.contains("DTEND;VALUE=DATE:20270101\r\n"));
        assert!(text.contains("TRIGGER:-P7D\r\n"));
        assert!(text.contains("DTSTAMP:20261128T040000Z\r\n"));

        let unfolded = icalendar::parser::unfold(&text);
        let parsed = icalendar::parser::read_calendar(&unfolded).unwrap();
        let events: Vec<_> = parsed
            .components
            .iter()
            .filter(|c| c.name == "VEVENT")
            .collect();
        assert_eq!(events.len(), 2);
        let e = events[0];
        let prop = |name: &str| {
            e.properties
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.val.to_string())
                .unwrap()
        };
        assert_eq!(prop("SUMMARY"), "网络意识形态领域情况分析研判");
        assert_eq!(
            prop("DESCRIPTION"),
            "第四条第（二）项;状态：逾期, 责任人\\王建国\n第二行"
        );
        assert_eq!(prop("UID"), "obligation-1@zeren");
        assert_eq!(
            e.components.iter().filter(|c| c.name == "VALARM").count(),
            2
        );
        let long = events[1]
            .properties
            .iter()
            .find(|p| p.name == "SUMMARY")
            .unwrap();
        assert_eq!(long.val.to_string(), "长标题".repeat(30));

        // The typed model agrees on the all-day date.
        let typed: icalendar::Calendar = unfolded.parse().unwrap();
        use icalendar::Component;
        let ev = typed.components[0].as_event().unwrap();
        assert_eq!(
            ev.get_start(),
            Some(icalendar::DatePerhapsTime::Date(
                NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
            ))
        );
        assert_eq!(ev.get_summary(), Some("网络意识形态领域情况分析研判"));
        assert_eq!(
            ev.get_description(),
            Some("第四条第（二）项;状态：逾期, 责任人\\王建国\n第二行")
        );
    }
}
