//! The tallies of incidents: how many each org has per year noticed, by month, severity,
//! platform, state and — of the closed ones — hours taken to close. Every change of an incident
//! moves the tallies it left and those it joins, in the change's own transaction; the statistics
//! and the dashboard read these few rows per org instead of every incident.

use super::{CLOSE_BUCKETS, Incident};
use crate::error::Result;
use chrono::Datelike;
use std::collections::BTreeMap;

/// A tally an incident counts in: (year, dimension, org, key).
type Tally = (i64, &'static str, String, String);

/// The dimensions tallied.
pub(super) const MONTH: &str = "month";
pub(super) const SEVERITY: &str = "severity";
pub(super) const PLATFORM: &str = "platform";
pub(super) const STATE: &str = "state";
pub(super) const CLOSE: &str = "close";

/// The key of the time-to-close bucket `hours` falls in: its bound, or `over` past the last.
pub(super) fn close_key(hours: i64) -> String {
    CLOSE_BUCKETS
        .iter()
        .find(|b| hours <= **b)
        .map_or_else(|| "over".to_string(), |b| b.to_string())
}

/// The tallies `i` counts in.
fn tallies_of(i: &Incident) -> Vec<Tally> {
    let f = &i.fields;
    let year = i64::from(f.noticed_at.year());
    let org = f.org.clone();
    let mut out = vec![
        (
            year,
            MONTH,
            org.clone(),
            f.noticed_at.format("%Y-%m").to_string(),
        ),
        (year, SEVERITY, org.clone(), f.severity.clone()),
        (
            year,
            PLATFORM,
            org.clone(),
            f.platform.clone().unwrap_or_default(),
        ),
        (
            year,
            STATE,
            org.clone(),
            if i.closed { "closed" } else { "open" }.to_string(),
        ),
    ];
    if let (true, Some(closed)) = (i.closed, i.closed_at) {
        let hours = ((closed - f.noticed_at).num_minutes().max(0) + 59) / 60;
        out.push((year, CLOSE, org, close_key(hours)));
    }
    out
}

/// What a change from `before` to `after` (none: not there) does to the tallies, by tally.
fn moves(before: Option<&Incident>, after: Option<&Incident>) -> BTreeMap<Tally, i64> {
    let mut out: BTreeMap<Tally, i64> = BTreeMap::new();
    for t in before.map(tallies_of).unwrap_or_default() {
        *out.entry(t).or_default() -= 1;
    }
    for t in after.map(tallies_of).unwrap_or_default() {
        *out.entry(t).or_default() += 1;
    }
    out.retain(|_, n| *n != 0);
    out
}

/// Moves the tallies for a change of an incident from `before` to `after`, over `conn`.
pub(crate) async fn retally(
    conn: &mut sqlx::AnyConnection,
    before: Option<&Incident>,
    after: Option<&Incident>,
) -> Result<()> {
    add(conn, moves(before, after)).await
}

/// Adds `counts` to the tallies, over `conn`.
async fn add(conn: &mut sqlx::AnyConnection, counts: BTreeMap<Tally, i64>) -> Result<()> {
    for ((year, dim, org, key), n) in counts {
        sqlx::query(
            "INSERT INTO incident_tallies (year, dim, org_id, key, n) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (year, dim, org_id, key) DO UPDATE SET n = incident_tallies.n + excluded.n",
        )
        .bind(year)
        .bind(dim)
        .bind(org)
        .bind(key)
        .bind(n)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Counts every incident kept anew into empty tallies (the migration that brought them, a bulk
/// load), over `conn`, a thousand incidents read at a time.
pub(crate) async fn tally_all(conn: &mut sqlx::AnyConnection) -> Result<u64> {
    sqlx::query("DELETE FROM incident_tallies")
        .execute(&mut *conn)
        .await?;
    let mut counts: BTreeMap<Tally, i64> = BTreeMap::new();
    let mut after = String::new();
    let mut seen = 0_u64;
    loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM incidents WHERE id > $1 ORDER BY id LIMIT 1000",
            super::COLS
        )))
        .bind(&after)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else { break };
        after = sqlx::Row::try_get(last, "id")?;
        for r in &rows {
            for t in tallies_of(&super::incident_from(r)?) {
                *counts.entry(t).or_default() += 1;
            }
            seen += 1;
        }
    }
    add(conn, counts).await?;
    Ok(seen)
}
