//! The statistics of incidents: by month noticed, by severity, by platform and by the time
//! closed ones took — and the dashboard's figures, by month alone.

use super::IncidentFilter;
use crate::db::Db;
use crate::error::Result;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::events::parse_date_time;

/// Counts of incidents for the statistics: by month noticed, by severity, by platform, and the
/// time closed ones took, in hours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IncidentStats {
    /// (`YYYY-MM`, count), in order.
    pub by_month: Vec<(String, i64)>,
    /// (severity id, count).
    pub by_severity: Vec<(String, i64)>,
    /// (platform id, or empty for the unit itself, count), most first.
    pub by_platform: Vec<(String, i64)>,
    /// Closed incidents by hours to close: (upper bound in hours, count); the last bucket has
    /// no bound (`None`).
    pub time_to_close: Vec<(Option<i64>, i64)>,
    /// All incidents counted.
    pub total: i64,
    /// Of which open.
    pub open: i64,
}

/// Bounds of the time-to-close buckets, in hours.
pub const CLOSE_BUCKETS: &[i64] = &[24, 72, 168, 720];

impl Db {
    /// The incidents of `orgs` (none: every org) noticed in `from..=to`, by month (`YYYY-MM`),
    /// and how many of them are open: the dashboard's figures, without the statistics' scan.
    pub async fn incident_months(
        &self,
        orgs: Option<&[String]>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(Vec<(String, i64)>, i64)> {
        let f = IncidentFilter {
            orgs: orgs.map(<[String]>::to_vec),
            from: Some(from),
            to: Some(to),
            ..IncidentFilter::default()
        };
        let Some((cond, args)) = f.clause() else {
            return Ok((Vec::new(), 0));
        };
        let mut conn = self.pool.acquire().await?;
        let months = counts(
            &mut conn,
            format!(
                "SELECT SUBSTR(noticed_at, 1, 7) AS k, CAST(COUNT(*) AS BIGINT) AS n FROM incidents WHERE {cond} GROUP BY SUBSTR(noticed_at, 1, 7) ORDER BY SUBSTR(noticed_at, 1, 7)"
            ),
            &args,
        )
        .await?;
        let open = counts(
            &mut conn,
            format!(
                "SELECT state AS k, CAST(COUNT(*) AS BIGINT) AS n FROM incidents WHERE {cond} AND state = 'open' GROUP BY state"
            ),
            &args,
        )
        .await?
        .first()
        .map_or(0, |(_, n)| *n);
        Ok((months, open))
    }

    /// The statistics of the incidents of `orgs` (none: every org) noticed in `from..=to`.
    pub async fn incident_stats(
        &self,
        orgs: Option<&[String]>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<IncidentStats> {
        let f = IncidentFilter {
            orgs: orgs.map(<[String]>::to_vec),
            from: Some(from),
            to: Some(to),
            ..IncidentFilter::default()
        };
        let Some((cond, args)) = f.clause() else {
            return Ok(IncidentStats::default());
        };
        let mut conn = self.pool.acquire().await?;
        let grouped = |expr: &str| {
            format!(
                "SELECT {expr} AS k, CAST(COUNT(*) AS BIGINT) AS n FROM incidents WHERE {cond} GROUP BY {expr} ORDER BY {expr}"
            )
        };
        let by_month = counts(&mut conn, grouped("SUBSTR(noticed_at, 1, 7)"), &args).await?;
        let by_severity = counts(&mut conn, grouped("severity"), &args).await?;
        let mut by_platform = counts(&mut conn, grouped("platform_id"), &args).await?;
        by_platform.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let states = counts(&mut conn, grouped("state"), &args).await?;
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT noticed_at, closed_at FROM incidents WHERE {cond} AND state = 'closed'"
        )));
        for a in &args {
            q = q.bind(a.clone());
        }
        let mut buckets = vec![0_i64; CLOSE_BUCKETS.len() + 1];
        for r in q.fetch_all(&mut *conn).await? {
            let (Some(n), Some(c)) = (
                parse_date_time(&r.try_get::<String, _>("noticed_at")?),
                r.try_get::<Option<String>, _>("closed_at")?
                    .as_deref()
                    .and_then(parse_date_time),
            ) else {
                continue;
            };
            let hours = ((c - n).num_minutes().max(0) + 59) / 60;
            let i = CLOSE_BUCKETS
                .iter()
                .position(|b| hours <= *b)
                .unwrap_or(CLOSE_BUCKETS.len());
            buckets[i] += 1;
        }
        let total = states.iter().map(|(_, n)| n).sum();
        let open = states
            .iter()
            .find(|(s, _)| s == "open")
            .map_or(0, |(_, n)| *n);
        Ok(IncidentStats {
            by_month,
            by_severity,
            by_platform,
            time_to_close: CLOSE_BUCKETS
                .iter()
                .map(|b| Some(*b))
                .chain([None])
                .zip(buckets)
                .collect(),
            total,
            open,
        })
    }
}

/// The (key, count) rows of a grouped count `sql` (columns `k`, `n`) with `args`.
async fn counts(
    conn: &mut sqlx::AnyConnection,
    sql: String,
    args: &[String],
) -> Result<Vec<(String, i64)>> {
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for a in args {
        q = q.bind(a.clone());
    }
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<Option<String>, _>("k")?.unwrap_or_default(),
                r.try_get::<i64, _>("n")?,
            ))
        })
        .collect()
}
