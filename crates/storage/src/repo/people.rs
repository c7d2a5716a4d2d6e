//! Reads the web layer needs beyond the in-memory org model: the version of a record, for
//! edits that must not overwrite a change made in between (HTTP 409).

use crate::db::Db;
use crate::error::{Result, StorageError};

impl Db {
    /// The stored version of an org (by code or id), for optimistic concurrency on edits.
    pub async fn org_version(&self, code_or_id: &str) -> Result<i64> {
        sqlx::query_scalar::<_, i64>("SELECT version FROM orgs WHERE code = $1 OR id = $1")
            .bind(code_or_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StorageError::NotFound {
                what: "org",
                id: code_or_id.into(),
            })
    }

    /// Every org's version, by org id (one query; the web snapshot keeps them).
    pub async fn org_versions(&self) -> Result<std::collections::HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT id, version FROM orgs")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().collect())
    }
}
