//! The statistics of incidents: by month noticed, by severity, by platform and by the time
//! closed ones took — and the dashboard's figures, by month alone.

use super::super::placeholders;
use super::tallies::{CLOSE, MONTH, PLATFORM, SEVERITY, STATE};
use crate::db::Db;
use crate::error::Result;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

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
    /// The incidents of `orgs` (none: every org) noticed in `year`, by month (`YYYY-MM`), and
    /// how many of them are open: the dashboard's figures.
    pub async fn incident_months(
        &self,
        orgs: Option<&[String]>,
        year: i32,
    ) -> Result<(Vec<(String, i64)>, i64)> {
        let t = self.tallies(orgs, year, &[MONTH, STATE]).await?;
        let open = t
            .iter()
            .find(|(d, k, _)| *d == STATE && k == "open")
            .map_or(0, |(_, _, n)| *n);
        Ok((of(&t, MONTH), open))
    }

    /// The statistics of the incidents of `orgs` (none: every org) noticed in `year`.
    pub async fn incident_stats(
        &self,
        orgs: Option<&[String]>,
        year: i32,
    ) -> Result<IncidentStats> {
        let t = self
            .tallies(orgs, year, &[MONTH, SEVERITY, PLATFORM, STATE, CLOSE])
            .await?;
        let mut by_platform = of(&t, PLATFORM);
        by_platform.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let states = of(&t, STATE);
        let closes = of(&t, CLOSE);
        let total = states.iter().map(|(_, n)| n).sum();
        let open = states
            .iter()
            .find(|(s, _)| s == "open")
            .map_or(0, |(_, n)| *n);
        let close_n = |key: &str| closes.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n);
        Ok(IncidentStats {
            by_month: of(&t, MONTH),
            by_severity: of(&t, SEVERITY),
            by_platform,
            time_to_close: CLOSE_BUCKETS
                .iter()
                .map(|b| (Some(*b), close_n(&b.to_string())))
                .chain([(None, close_n("over"))])
                .collect(),
            total,
            open,
        })
    }

    /// The tallies of `dims` for `orgs` (none: every org) and `year`, summed over the orgs:
    /// (dimension, key, count), by dimension and key, none of them zero.
    async fn tallies(
        &self,
        orgs: Option<&[String]>,
        year: i32,
        dims: &[&'static str],
    ) -> Result<Vec<(&'static str, String, i64)>> {
        let mut args: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
        let mut cond = format!("year = $1 AND dim IN ({})", placeholders(2, dims.len()));
        if let Some(orgs) = orgs {
            if orgs.is_empty() {
                return Ok(Vec::new());
            }
            cond.push_str(&format!(
                " AND org_id IN ({})",
                placeholders(args.len() + 2, orgs.len())
            ));
            args.extend(orgs.iter().cloned());
        }
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT dim, key, CAST(SUM(n) AS BIGINT) AS n FROM incident_tallies WHERE {cond} \
             GROUP BY dim, key ORDER BY dim, key"
        )))
        .bind(i64::from(year));
        for a in &args {
            q = q.bind(a.clone());
        }
        let mut out = Vec::new();
        for r in q.fetch_all(&self.pool).await? {
            let n: i64 = r.try_get("n")?;
            let dim: String = r.try_get("dim")?;
            let Some(dim) = dims.iter().find(|d| **d == dim) else {
                continue;
            };
            if n != 0 {
                out.push((*dim, r.try_get("key")?, n));
            }
        }
        Ok(out)
    }
}

/// The (key, count) of dimension `dim` among `tallies`, in key order.
fn of(tallies: &[(&'static str, String, i64)], dim: &str) -> Vec<(String, i64)> {
    tallies
        .iter()
        .filter(|(d, _, _)| *d == dim)
        .map(|(_, k, n)| (k.clone(), *n))
        .collect()
}
