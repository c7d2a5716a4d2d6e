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

/// `org_id IN (…)` from argument `from` on, or nothing for every org.
fn org_condition(orgs: Option<&[String]>, from: usize) -> String {
    match orgs {
        Some(list) => format!(" AND org_id IN ({})", placeholders(from, list.len())),
        None => String::new(),
    }
}

impl Db {
    /// Open obligations due before `today` that concern a platform, or whose duty is one of
    /// `duties` (the operators' training), of `orgs` (all when `None`); by due day.
    pub async fn overdue_platform_obligations(
        &self,
        orgs: Option<&[String]>,
        duties: &[String],
        today: NaiveDate,
    ) -> Result<Vec<StoredObligation>> {
        if orgs.is_some_and(<[String]>::is_empty) {
            return Ok(Vec::new());
        }
        let duty_cond = if duties.is_empty() {
            String::new()
        } else {
            format!(" OR duty_id IN ({})", placeholders(2, duties.len()))
        };
        let org_cond = org_condition(orgs, 2 + duties.len());
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM obligations WHERE state = 'open' AND due_on < $1 \
             AND (platform_id IS NOT NULL{duty_cond}){org_cond} ORDER BY due_on, id"
        )))
        .bind(date_text(today));
        for d in duties {
            q = q.bind(d.clone());
        }
        for o in orgs.unwrap_or_default() {
            q = q.bind(o.clone());
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(obligation_from_row)
            .collect()
    }

    /// Online events of `orgs` (all when `None`) that began before `now` and stand unapproved
    /// (waiting, rejected, or voided by a change), by start.
    pub async fn unapproved_events(
        &self,
        orgs: Option<&[String]>,
        now: NaiveDateTime,
    ) -> Result<Vec<OnlineEvent>> {
        if orgs.is_some_and(<[String]>::is_empty) {
            return Ok(Vec::new());
        }
        let org_cond = org_condition(orgs, 3);
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {EVENT_COLS} FROM online_events WHERE event_day <= $1 AND starts_at <= $2 \
             AND state <> 'approved'{org_cond} ORDER BY starts_at, id"
        )))
        .bind(date_text(now.date()))
        .bind(date_time_text(now));
        for o in orgs.unwrap_or_default() {
            q = q.bind(o.clone());
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(event_from)
            .collect()
    }
}
