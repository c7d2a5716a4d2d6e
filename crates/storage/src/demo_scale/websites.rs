//! The maintenance logs of the university's websites at scale: each website written in bulk
//! logs an update, a check, a fix or a security check about every two weeks of the year up to
//! the demo's day; one in eight stopped a month or more ago — the websites the indicators view
//! lists under Art.5(6).

use super::{Batch, hash};
use crate::db::new_id;
use crate::repo::date_text;
use chrono::{Datelike, Days, NaiveDate};

const LOG_COLS: &[&str] = &[
    "id",
    "platform_id",
    "log_day",
    "kind",
    "note",
    "created_by",
    "created_at",
];

const KINDS: [(&str, &str); 4] = [
    ("update", "更新新闻与通知栏目"),
    ("check", "巡查页面与链接"),
    ("fix", "修复失效链接"),
    ("security", "检查后台账号与漏洞补丁"),
];

/// The log entries of `websites` (platform ids) over `today`'s year, and each one's last day.
pub(super) fn batches(websites: &[String], today: NaiveDate, ms: i64) -> (Batch, Batch) {
    let mut log = Batch::new("website_log", LOG_COLS);
    let mut last = Batch::new("website_last_log", &["platform_id", "log_day"]);
    let Some(first) = NaiveDate::from_ymd_opt(today.year(), 1, 1) else {
        return (log, last);
    };
    for (i, platform) in websites.iter().enumerate() {
        let h = hash(&format!("website-{i}"));
        // Where the log stops: today for most, a month to three months ago for one in eight.
        let until = if i % 8 == 0 {
            today - Days::new(30 + u64::from(h % 60))
        } else {
            today
        };
        let mut on = first + Days::new(u64::from(h % 14));
        let mut latest = None;
        let mut n = 0usize;
        while on <= until {
            let (kind, note) = KINDS[(i + n) % KINDS.len()];
            log.push(vec![
                new_id().into(),
                platform.clone().into(),
                date_text(on).into(),
                kind.into(),
                note.into(),
                "demo".into(),
                ms.into(),
            ]);
            latest = Some(on);
            n += 1;
            on = on + Days::new(10 + u64::from((h >> 4) % 9));
        }
        if let Some(day) = latest {
            last.push(vec![platform.clone().into(), date_text(day).into()]);
        }
    }
    (log, last)
}
