//! What the indicators view reads (Art.5): the open obligations about platforms (and their
//! operators) past due, and the online events that began without standing approval — within a
//! set of orgs, by index (due day, event day), never the whole ledger.

use super::events::{COLS as EVENT_COLS, OnlineEvent, event_from};
use super::obligations::{COLUMNS, StoredObligation, obligation_from_row};
use super::{date_text, placeholders};
use crate::db::Db;
use crate::error::Result;
use chrono::{NaiveDate, NaiveDateTime};
use sqlx::AssertSqlSafe;
use zeren_core::events::date_time_text;

/// An event that began (at or before `$1`) and stands unapproved, unless recorded as not held
/// (`state` first: the partial index of unapproved events, which holds every column asked).
const UNAPPROVED: &str = "state <> 'approved' AND starts_at <= $1 AND (held IS NULL OR held <> 0)";

/// `org_id IN (…)` from argument `from` on, or nothing for every org.
fn org_condition(orgs: Option<&[String]>, from: usize) -> String {
    match orgs {
        Some(list) => format!(" AND org_id IN ({})", placeholders(from, list.len())),
        None => String::new(),
    }
}

/// Which overdue obligations the indicators view lists: the open ones of `orgs` (all when
/// `None`) that concern a platform, or whose duty is one of `operator_duties` (the operators'
/// training), save those of the duty `except` (an online event's approval, which the event
/// itself stands for) — due before `today` when their duty is one of `at_once` (the annual
/// review), else due on or before `long_before` (long overdue).
#[derive(Debug, Clone, Copy)]
pub struct Overdue<'a> {
    /// Orgs (`None`: every org).
    pub orgs: Option<&'a [String]>,
    /// Duties about a platform's operators rather than the platform.
    pub operator_duties: &'a [String],
    /// A duty left out.
    pub except: Option<&'a str>,
    /// Duties listed as soon as they are overdue.
    pub at_once: &'a [String],
    /// The last due day of an obligation long overdue today.
    pub long_before: NaiveDate,
    /// Today.
    pub today: NaiveDate,
}

impl Overdue<'_> {
    /// The condition (state first: the partial index of open obligations) and its arguments.
    fn condition(&self) -> (String, Vec<String>) {
        let mut args = vec![
            date_text(self.today),
            self.except.unwrap_or_default().to_string(),
            date_text(self.long_before),
        ];
        let list = |items: &[String], args: &mut Vec<String>| {
            let marks = placeholders(args.len() + 1, items.len());
            args.extend(items.iter().cloned());
            marks
        };
        let operators = if self.operator_duties.is_empty() {
            String::new()
        } else {
            format!(" OR duty_id IN ({})", list(self.operator_duties, &mut args))
        };
        let at_once = if self.at_once.is_empty() {
            String::new()
        } else {
            format!(" OR duty_id IN ({})", list(self.at_once, &mut args))
        };
        let orgs = match self.orgs {
            Some(o) => format!(" AND org_id IN ({})", list(o, &mut args)),
            None => String::new(),
        };
        (
            format!(
                "state = 'open' AND due_on < $1 AND duty_id <> $2 \
                 AND (platform_id IS NOT NULL{operators}) AND (due_on <= $3{at_once}){orgs}"
            ),
            args,
        )
    }
}

impl Db {
    /// How many open obligations `f` lists.
    pub async fn count_overdue_platform_obligations(&self, f: &Overdue<'_>) -> Result<i64> {
        if f.orgs.is_some_and(<[String]>::is_empty) {
            return Ok(0);
        }
        let (cond, args) = f.condition();
        let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM obligations WHERE {cond}"
        )));
        for a in args {
            q = q.bind(a);
        }
        Ok(q.fetch_one(&self.pool).await?)
    }

    /// The open obligations `f` lists, by due day, `limit` of them from `offset` on.
    pub async fn overdue_platform_obligations(
        &self,
        f: &Overdue<'_>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StoredObligation>> {
        if f.orgs.is_some_and(<[String]>::is_empty) || limit <= 0 {
            return Ok(Vec::new());
        }
        let (cond, args) = f.condition();
        let n = args.len();
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM obligations WHERE {cond} ORDER BY due_on, id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        )));
        for a in args {
            q = q.bind(a);
        }
        q.bind(limit)
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(obligation_from_row)
            .collect()
    }

    /// How many online events of `orgs` (all when `None`) began before `now` and stand
    /// unapproved (waiting, rejected, or voided by a change) without being recorded as not
    /// held.
    pub async fn count_unapproved_events(
        &self,
        orgs: Option<&[String]>,
        now: NaiveDateTime,
    ) -> Result<i64> {
        if orgs.is_some_and(<[String]>::is_empty) {
            return Ok(0);
        }
        let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM online_events WHERE {UNAPPROVED}{}",
            org_condition(orgs, 2)
        )))
        .bind(date_time_text(now));
        for o in orgs.unwrap_or_default() {
            q = q.bind(o.clone());
        }
        Ok(q.fetch_one(&self.pool).await?)
    }

    /// Those events, by start, `limit` of them from `offset` on.
    pub async fn unapproved_events(
        &self,
        orgs: Option<&[String]>,
        now: NaiveDateTime,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<OnlineEvent>> {
        if orgs.is_some_and(<[String]>::is_empty) || limit <= 0 {
            return Ok(Vec::new());
        }
        let n = orgs.map_or(0, <[String]>::len);
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {EVENT_COLS} FROM online_events WHERE {UNAPPROVED}{} \
             ORDER BY starts_at, id LIMIT ${} OFFSET ${}",
            org_condition(orgs, 2),
            2 + n,
            3 + n
        )))
        .bind(date_time_text(now));
        for o in orgs.unwrap_or_default() {
            q = q.bind(o.clone());
        }
        q.bind(limit)
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(event_from)
            .collect()
    }
}
