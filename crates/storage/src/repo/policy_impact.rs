//! Impact before adoption, read from the database: what loading a new policy version would
//! change, computed without writing anything.

use super::obligations::{COLUMNS, obligation_from_row};
use crate::db::Db;
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::obligation::SubjectKind;
use zeren_core::policy::{LedgerImpact, Policies, PolicyPack, StoredRow, StoredState, YearPlans};

pub use zeren_core::policy::Impact;

impl Db {
    /// What loading `new` would change, on `today`: what it says differently from the version
    /// it supersedes, and what the next synchronisation of the years the ledger keeps would do
    /// to the stored obligations. Runs the checks loading runs (and fails as loading would);
    /// reads only, in no transaction, and writes nothing.
    pub async fn policy_impact(&self, new: &PolicyPack, today: NaiveDate) -> Result<Impact> {
        let loaded: Vec<PolicyPack> = self.policies().await?.into_iter().map(|p| p.pack).collect();
        let current = Policies::new(loaded.clone());
        current
            .admits(new)
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        let mut with_new = loaded;
        with_new.push(new.clone());
        let after = Policies::new(with_new);
        let model = self.load_model().await?;
        let years = crate::ledger::years_kept(today);
        let mut plans = Vec::with_capacity(years.len());
        for &year in &years {
            let events = self.events_of_year(year).await?;
            plans.push((
                year,
                current.generate(&model, year, &events),
                after.generate(&model, year, &events),
            ));
        }
        let stored = self.impact_rows(&years).await?;
        let year_plans: Vec<YearPlans<'_>> = plans
            .iter()
            .map(|(year, current, after)| YearPlans {
                year: *year,
                current,
                after,
            })
            .collect();
        let ledger = LedgerImpact::compute(&stored, &year_plans, &after, new, &model);
        Ok(Impact::new(&current, new, ledger))
    }

    /// The stored obligations of `years`, and the once-only ones of earlier years (their keys
    /// are planned again each year and never added twice).
    async fn impact_rows(&self, years: &[i32]) -> Result<Vec<StoredRow>> {
        let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS}, year FROM obligations \
             WHERE (year >= $1 AND year <= $2) OR (year < $1 AND period = 'once') \
             ORDER BY obligation_key"
        )))
        .bind(i64::from(first))
        .bind(i64::from(last))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let o = obligation_from_row(r)?;
                let year: i64 = r.try_get("year")?;
                let corrupt = |what: &str, v: &str| {
                    StorageError::Corrupt(format!("obligation `{}` has {what} `{v}`", o.id))
                };
                Ok(StoredRow {
                    year: i32::try_from(year).map_err(|_| corrupt("year", &year.to_string()))?,
                    state: StoredState::parse(&o.state)
                        .ok_or_else(|| corrupt("state", &o.state))?,
                    subject_kind: SubjectKind::parse(&o.subject_kind)
                        .ok_or_else(|| corrupt("subject kind", &o.subject_kind))?,
                    key: o.key.clone(),
                    org: o.org.clone(),
                    duty: o.duty.clone(),
                    subject: o.subject.clone(),
                    period: o.period.clone(),
                    policy: o.policy.clone(),
                    due: o.due,
                    citation: o.citation.clone(),
                })
            })
            .collect()
    }
}
