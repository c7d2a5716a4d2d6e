//! What a year's obligations came to for the assessment, per org and duty: one grouped count
//! over the year's index, with the orgs asked for named in the query or kept as rows stream in.

use crate::db::Db;
use crate::error::Result;
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Row};
use std::collections::{HashMap, HashSet};
use zeren_core::assessments::Counts;

use crate::repo::date_text;

/// Orgs named in one query (as the ledger's aggregates name them).
pub(super) const ORGS_IN_QUERY: usize = 500;

/// Above this many orgs, [`Db::assessment_counts`] reads the whole year and keeps the orgs asked
/// for rather than naming them 500 at a time. Measured on PostgreSQL with 10 million obligations
/// of 100 000 orgs: 500 orgs named took 55 ms, 5 000 (10 queries) 0.5 s, the whole year 4 s — as
/// much as naming some 35 000. A longer list is a province's: most of the year anyway.
const ORGS_NAMED_MAX: usize = 5_000;

impl Db {
    /// What the live obligations of `year` came to, per org and duty (in that order): of `orgs`
    /// (every org when `None`), of `duties` (every duty when empty). An obligation is owed once
    /// it falls due by `due_by` (every one when `None`), or once it is done. Counted by the
    /// database, grouped over the year's index. A few orgs are named in the query (up to 500 at
    /// a time); a province's list is not: the year is read whole and the orgs kept here, which
    /// is cheaper than thousands of named lookups.
    pub async fn assessment_counts(
        &self,
        year: i32,
        due_by: Option<NaiveDate>,
        orgs: Option<&[String]>,
        duties: &[&str],
    ) -> Result<Vec<(String, String, Counts)>> {
        let Some(orgs) = orgs else {
            return self.counts_of(year, due_by, None, duties, None).await;
        };
        let mut seen = HashSet::new();
        let orgs: Vec<String> = orgs
            .iter()
            .filter(|o| seen.insert(o.as_str()))
            .cloned()
            .collect();
        if orgs.len() > ORGS_NAMED_MAX {
            let keep: HashSet<&str> = orgs.iter().map(String::as_str).collect();
            return self
                .counts_of(year, due_by, None, duties, Some(&keep))
                .await;
        }
        let mut out = Vec::new();
        for chunk in orgs.chunks(ORGS_IN_QUERY) {
            out.extend(
                self.counts_of(year, due_by, Some(chunk), duties, None)
                    .await?,
            );
        }
        Ok(out)
    }

    /// One grouped count of the year: of the orgs `named` in the query (all when `None`), of
    /// `duties` (all when empty), the rows of orgs not in `keep` (when given) left out as they
    /// stream in.
    async fn counts_of(
        &self,
        year: i32,
        due_by: Option<NaiveDate>,
        named: Option<&[String]>,
        duties: &[&str],
        keep: Option<&HashSet<&str>>,
    ) -> Result<Vec<(String, String, Counts)>> {
        use crate::repo::obligations::LIVE;
        use futures_util::TryStreamExt;
        let mut args: Vec<String> = Vec::new();
        let mut cond = format!("ob.year = $1 AND {LIVE}");
        if let Some(o) = named {
            cond.push_str(&format!(
                " AND ob.org_id IN ({})",
                crate::repo::placeholders(3 + args.len(), o.len())
            ));
            args.extend(o.iter().cloned());
        }
        if !duties.is_empty() {
            cond.push_str(&format!(
                " AND ob.duty_id IN ({})",
                crate::repo::placeholders(3 + args.len(), duties.len())
            ));
            args.extend(duties.iter().map(|d| d.to_string()));
        }
        // Every column read is in the index on (year, org_id, duty_id, state, due_on,
        // completed_on), in the order grouped by: an index-only scan, no sort. Dates are
        // `YYYY-MM-DD`, so text order is day order.
        let done = "ob.state = 'done' AND ob.completed_on IS NOT NULL";
        let sql = format!(
            "SELECT ob.org_id AS org, ob.duty_id AS duty, \
             CAST(SUM(CASE WHEN ob.state = 'waived' THEN 0 WHEN {done} THEN 1 WHEN ob.due_on <= $2 THEN 1 ELSE 0 END) AS BIGINT) AS owed, \
             CAST(SUM(CASE WHEN {done} THEN 1 ELSE 0 END) AS BIGINT) AS done, \
             CAST(SUM(CASE WHEN {done} AND ob.completed_on <= ob.due_on THEN 1 ELSE 0 END) AS BIGINT) AS on_time, \
             CAST(SUM(CASE WHEN ob.state = 'waived' THEN 1 ELSE 0 END) AS BIGINT) AS waived \
             FROM obligations ob WHERE {cond} GROUP BY ob.org_id, ob.duty_id ORDER BY ob.org_id, ob.duty_id"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(i64::from(year))
            .bind(due_by.map_or_else(|| "9999-12-31".to_string(), date_text));
        for a in args {
            q = q.bind(a);
        }
        let mut rows = q.fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(r) = rows.try_next().await? {
            let org: String = r.try_get("org")?;
            if keep.is_some_and(|k| !k.contains(org.as_str())) {
                continue;
            }
            out.push((
                org,
                r.try_get("duty")?,
                Counts {
                    owed: r.try_get("owed")?,
                    done: r.try_get("done")?,
                    on_time: r.try_get("on_time")?,
                    waived: r.try_get("waived")?,
                },
            ));
        }
        Ok(out)
    }

    /// [`Db::assessment_counts`] gathered by org: each org's counts by duty id, as
    /// `assessments::score` takes them.
    pub async fn assessment_counts_by_org(
        &self,
        year: i32,
        due_by: Option<NaiveDate>,
        orgs: Option<&[String]>,
        duties: &[&str],
    ) -> Result<HashMap<String, HashMap<String, Counts>>> {
        let mut out: HashMap<String, HashMap<String, Counts>> = HashMap::new();
        for (org, duty, c) in self.assessment_counts(year, due_by, orgs, duties).await? {
            out.entry(org).or_default().insert(duty, c);
        }
        Ok(out)
    }
}
