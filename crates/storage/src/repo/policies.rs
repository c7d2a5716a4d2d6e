//! Policy versions as loaded: the source text is kept verbatim, so a version is exactly what was loaded.

use super::date_text;
use crate::db::{Db, Tx};
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use sha2::Digest as _;
use sqlx::Row;
use zeren_core::policy::{Policies, PolicyMeta, PolicyPack, parse_pack, version_in_force};

/// A loaded policy version.
#[derive(Debug, Clone)]
pub struct StoredPolicy {
    /// The parsed pack.
    pub pack: PolicyPack,
    /// Compiled into the binary.
    pub builtin: bool,
    /// When it was loaded (epoch ms).
    pub loaded_at: i64,
}

fn parse_stored(id: &str, source: &str) -> Result<PolicyPack> {
    parse_pack(source).map_err(|d| {
        StorageError::Corrupt(format!(
            "stored policy `{id}` no longer parses ({} problems)",
            d.len()
        ))
    })
}

impl Db {
    /// Every loaded policy version, oldest first.
    pub async fn policies(&self) -> Result<Vec<StoredPolicy>> {
        let rows = sqlx::query(
            "SELECT id, source, builtin, loaded_at FROM policies ORDER BY series, version",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let source: String = r.try_get("source")?;
                Ok(StoredPolicy {
                    pack: parse_stored(&id, &source)?,
                    builtin: r.try_get::<i64, _>("builtin")? != 0,
                    loaded_at: r.try_get("loaded_at")?,
                })
            })
            .collect()
    }

    /// Every loaded policy version, as one set.
    pub async fn policy_set(&self) -> Result<Policies> {
        Ok(Policies::new(
            self.policies().await?.into_iter().map(|p| p.pack).collect(),
        ))
    }

    /// One policy version by id.
    pub async fn policy(&self, id: &str) -> Result<StoredPolicy> {
        self.policies()
            .await?
            .into_iter()
            .find(|p| p.pack.meta.id == id)
            .ok_or_else(|| StorageError::NotFound {
                what: "policy",
                id: id.into(),
            })
    }

    /// The version of `series` in force on `day`.
    pub async fn policy_in_force(
        &self,
        series: &str,
        day: NaiveDate,
    ) -> Result<Option<PolicyPack>> {
        let all = self.policies().await?;
        let metas: Vec<PolicyMeta> = all.iter().map(|p| p.pack.meta.clone()).collect();
        let id = version_in_force(&metas, series, day).map(|m| m.id.clone());
        Ok(id.and_then(|id| {
            all.into_iter()
                .find(|p| p.pack.meta.id == id)
                .map(|p| p.pack)
        }))
    }
}

impl Tx {
    /// Every loaded policy version, as one set, as this transaction sees them.
    pub(crate) async fn policy_set(&mut self) -> Result<Policies> {
        let rows = sqlx::query("SELECT id, source FROM policies")
            .fetch_all(&mut *self.tx)
            .await?;
        let mut packs = Vec::new();
        for r in &rows {
            let id: String = r.try_get("id")?;
            let src: String = r.try_get("source")?;
            packs.push(parse_stored(&id, &src)?);
        }
        Ok(Policies::new(packs))
    }

    /// Loads a policy version. Refuses an id already loaded and versions whose dates overlap wrongly.
    pub async fn load_policy(
        &mut self,
        pack: &PolicyPack,
        source: &str,
        builtin: bool,
    ) -> Result<()> {
        let loaded = self.policy_set().await?;
        loaded
            .admits(pack)
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        let m = &pack.meta;
        let sha = hex::encode(sha2::Sha256::digest(source.as_bytes()));
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO policies (id, series, version, document_number, title, effective_from, effective_until, source, source_sha256, builtin, loaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&m.id)
        .bind(&m.series)
        .bind(i64::from(m.version))
        .bind(&m.document_number)
        .bind(&m.title)
        .bind(date_text(m.effective_from))
        .bind(m.effective_until.map(date_text))
        .bind(source)
        .bind(&sha)
        .bind(i64::from(builtin))
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        let after = serde_json::json!({
            "id": m.id, "series": m.series, "version": m.version,
            "document_number": m.document_number, "effective_from": date_text(m.effective_from),
            "source_sha256": sha, "builtin": builtin,
        });
        let mut packs = loaded.packs().to_vec();
        packs.push(pack.clone());
        self.refresh_search_duties(&packs).await?;
        self.audit("policy.load", "policy", &m.id, None, Some(&after))
            .await
    }
}
