//! Obligations as stored: the instances the policy requires, with their completion data.

use super::{date_text, parse_date, parse_opt_date};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::obligation::{Discharge, PlannedObligation};

/// A stored obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredObligation {
    /// Storage id.
    pub id: String,
    /// Stable key (duty/subject/period).
    pub key: String,
    /// Policy version that required it.
    pub policy: String,
    /// Duty id.
    pub duty: String,
    /// Subject kind.
    pub subject_kind: String,
    /// Subject id.
    pub subject: String,
    /// The org that owes it.
    pub org: String,
    /// Period key.
    pub period: String,
    /// Due date.
    pub due: NaiveDate,
    /// Article citation.
    pub citation: String,
    /// open, done or waived.
    pub state: String,
    /// Day it was done.
    pub completed_on: Option<NaiveDate>,
    /// Note on completion.
    pub completion_note: Option<String>,
    /// Edit version.
    pub version: i64,
}

impl StoredObligation {
    /// Its discharge state.
    pub fn discharge(&self) -> Discharge {
        match (self.state.as_str(), self.completed_on) {
            ("done", Some(d)) => Discharge::Done(d),
            ("waived", _) => Discharge::Waived,
            _ => Discharge::Open,
        }
    }
}

const COLS: &str = "id, obligation_key, policy_id, duty_id, subject_kind, subject_id, org_id, period, due_on, citation, state, completed_on, completion_note, version";

fn from_row(r: &AnyRow) -> Result<StoredObligation> {
    Ok(StoredObligation {
        id: r.try_get("id")?,
        key: r.try_get("obligation_key")?,
        policy: r.try_get("policy_id")?,
        duty: r.try_get("duty_id")?,
        subject_kind: r.try_get("subject_kind")?,
        subject: r.try_get("subject_id")?,
        org: r.try_get("org_id")?,
        period: r.try_get("period")?,
        due: parse_date(&r.try_get::<String, _>("due_on")?)?,
        citation: r.try_get("citation")?,
        state: r.try_get("state")?,
        completed_on: parse_opt_date(r.try_get("completed_on")?)?,
        completion_note: r.try_get("completion_note")?,
        version: r.try_get("version")?,
    })
}

impl Db {
    /// Obligations owed by one org in a year, by due date.
    pub async fn obligations(&self, org: &str, year: i32) -> Result<Vec<StoredObligation>> {
        sqlx::query(AssertSqlSafe(format!("SELECT {COLS} FROM obligations WHERE org_id = $1 AND year = $2 ORDER BY due_on, obligation_key")))
            .bind(org)
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// The keys of all stored obligations of a year.
    pub async fn obligation_keys(&self, year: i32) -> Result<std::collections::HashSet<String>> {
        let rows = sqlx::query("SELECT obligation_key FROM obligations WHERE year = $1")
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("obligation_key")?))
            .collect()
    }

    /// How many obligations are stored.
    pub async fn obligation_count(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM obligations")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

impl Tx {
    /// Stores the planned obligations not stored yet. Existing ones, with their completion data,
    /// are left exactly as they are. Returns how many were added.
    pub async fn add_obligations(
        &mut self,
        planned: &[PlannedObligation],
        year: i32,
    ) -> Result<usize> {
        let now = self.now_ms();
        let mut added = 0;
        for p in planned {
            let done = sqlx::query(
                "INSERT INTO obligations (id, obligation_key, policy_id, duty_id, subject_kind, subject_id, org_id, period, year, due_on, citation, state, completed_on, completion_note, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', NULL, NULL, 1, $12, $12) ON CONFLICT (obligation_key) DO NOTHING",
            )
            .bind(new_id())
            .bind(&p.key)
            .bind(&p.policy)
            .bind(&p.duty)
            .bind(p.subject_kind.as_str())
            .bind(&p.subject)
            .bind(&p.org)
            .bind(&p.period)
            .bind(i64::from(year))
            .bind(date_text(p.due))
            .bind(p.citation.to_string())
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
            added += done.rows_affected() as usize;
        }
        if added > 0 {
            let summary = json!({"year": year, "added": added, "planned": planned.len()});
            self.audit(
                "obligation.generate",
                "obligations",
                &year.to_string(),
                None,
                Some(&summary),
            )
            .await?;
        }
        Ok(added)
    }

    /// Marks an obligation done on `on`, if `expected_version` is still current.
    pub async fn complete_obligation(
        &mut self,
        id: &str,
        expected_version: i64,
        on: NaiveDate,
        note: &str,
    ) -> Result<StoredObligation> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLS} FROM obligations WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "obligation",
            id: id.into(),
        })?;
        let before = from_row(&row)?;
        if before.version != expected_version {
            return Err(StorageError::Conflict {
                what: "obligation",
                id: id.into(),
                expected: expected_version,
                actual: before.version,
            });
        }
        if on > zeren_core::clock::shanghai_date(self.now()) {
            return Err(StorageError::Invalid(format!(
                "completion date {on} is in the future"
            )));
        }
        sqlx::query("UPDATE obligations SET state = 'done', completed_on = $1, completion_note = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5")
            .bind(date_text(on))
            .bind(note)
            .bind(self.now_ms())
            .bind(id)
            .bind(expected_version)
            .execute(&mut *self.tx)
            .await?;
        let mut after = before.clone();
        after.state = "done".into();
        after.completed_on = Some(on);
        after.completion_note = Some(note.into());
        after.version += 1;
        self.audit(
            "obligation.complete",
            "obligation",
            id,
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )
        .await?;
        Ok(after)
    }
}
