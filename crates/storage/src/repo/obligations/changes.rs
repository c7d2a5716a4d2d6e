//! Which obligations changed after a point of the audit chain, so that what is counted or held
//! from them (a year's rows, a year's counted ledger) follows the database by reading only
//! what changed.
//!
//! Every change to an obligation is audited as `obligation` (one row, by id) or `obligations`
//! (many rows of a year, e.g. a year generated), in the transaction that makes it; audit
//! sequence numbers are taken in commit order, so the entries after a head name every
//! obligation changed since.

use super::*;

/// The obligations changed between two heads of the audit chain.
#[derive(Debug, Clone, Default)]
pub struct ObligationChanges {
    /// Obligations changed one by one, by id, in the order first changed.
    pub ids: Vec<String>,
    /// Years whose obligations changed many at once (read the year again).
    pub whole_years: BTreeSet<i32>,
}

/// The orgs whose obligations of a year changed (see [`Db::ledger_changes`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerChanges {
    /// The audit head they run to.
    pub stamp: (i64, String),
    /// Per year: the orgs whose obligations of that year changed.
    pub orgs: BTreeMap<i32, BTreeSet<String>>,
    /// Years whose obligations changed many at once: count them again whole.
    pub whole_years: BTreeSet<i32>,
}

impl Db {
    /// The obligations changed after `from` up to `to` (both audit heads); `None` when the
    /// chain cannot tell — it no longer holds `from` (a restore replaced it, or `from` is the
    /// empty chain's head, the same in every database) — or when more than `limit` entries
    /// were written in between (then reading the whole is cheaper).
    pub async fn obligation_changes(
        &self,
        from: &(i64, String),
        to: &(i64, String),
        limit: i64,
    ) -> Result<Option<ObligationChanges>> {
        if to.0 < from.0 || from.0 == 0 {
            return Ok(None);
        }
        if to.0 == from.0 {
            return Ok((to.1 == from.1).then(ObligationChanges::default));
        }
        if to.0 - from.0 > limit || !self.audit_holds(from.0, &from.1).await? {
            return Ok(None);
        }
        let entries = sqlx::query(
            "SELECT object_type, object_id FROM audit_log WHERE seq > $1 AND seq <= $2 \
             AND object_type IN ('obligation', 'obligations') ORDER BY seq",
        )
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&self.pool)
        .await?;
        let mut out = ObligationChanges::default();
        let mut seen = std::collections::HashSet::new();
        for e in &entries {
            let kind: String = e.try_get("object_type")?;
            let id: String = e.try_get("object_id")?;
            if kind == "obligations" {
                // The id of a many-row entry is the year; one that is not names no year this
                // code knows to read again alone.
                match id.parse::<i32>() {
                    Ok(year) => {
                        out.whole_years.insert(year);
                    }
                    Err(_) => return Ok(None),
                }
            } else if seen.insert(id.clone()) {
                out.ids.push(id);
            }
        }
        Ok(Some(out))
    }

    /// `SELECT {columns} FROM obligations WHERE id IN (…)` for `ids`, 500 ids a query.
    pub(crate) async fn obligations_by_id(
        &self,
        columns: &str,
        ids: &[String],
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "SELECT {columns} FROM obligations WHERE id IN ({})",
                marks.join(", ")
            )));
            for id in chunk {
                q = q.bind(id.clone());
            }
            out.extend(q.fetch_all(&self.pool).await?);
        }
        Ok(out)
    }

    /// The orgs whose obligations changed after the audit head `from`, per year, up to the
    /// head now; `None` as for [`Db::obligation_changes`]. An obligation keeps its org and year
    /// for life, so the org and year of each changed one say which counts it can have moved.
    pub async fn ledger_changes(
        &self,
        from: &(i64, String),
        limit: i64,
    ) -> Result<Option<LedgerChanges>> {
        let stamp = self.change_stamp().await?;
        let Some(changes) = self.obligation_changes(from, &stamp, limit).await? else {
            return Ok(None);
        };
        let mut orgs: BTreeMap<i32, BTreeSet<String>> = BTreeMap::new();
        for r in self
            .obligations_by_id("DISTINCT org_id, year", &changes.ids)
            .await?
        {
            let year: i64 = r.try_get("year")?;
            let year = i32::try_from(year)
                .map_err(|_| StorageError::Corrupt(format!("obligation year {year}")))?;
            orgs.entry(year).or_default().insert(r.try_get("org_id")?);
        }
        Ok(Some(LedgerChanges {
            stamp,
            orgs,
            whole_years: changes.whole_years,
        }))
    }
}
