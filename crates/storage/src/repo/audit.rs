//! Reading and verifying the audit chain.

use crate::db::Db;
use crate::error::{Result, StorageError};
use sqlx::Row;
use zeren_core::audit::{AuditEntry, ChainCursor, ChainError, HashAlgorithm};

const PAGE: i64 = 5_000;

impl Db {
    /// Whether the audit chain holds the entry `seq` with `hash`: a position read in this chain
    /// can be followed from; one read before a restore replaced the chain cannot.
    pub(crate) async fn audit_holds(&self, seq: i64, hash: &str) -> Result<bool> {
        let found: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.as_deref() == Some(hash))
    }

    /// Verifies the whole chain: every entry's hash, every link, and the recorded head.
    /// `Ok(Ok(n))` is an intact chain of `n` entries; `Ok(Err(_))` names the first broken entry.
    pub async fn verify_audit(&self) -> Result<Result<u64, ChainError>> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        let mut cursor = ChainCursor::default();
        loop {
            let page = self.audit_page(cursor.last_seq(), PAGE).await?;
            if page.is_empty() {
                break;
            }
            for e in &page {
                if let Err(broken) = cursor.step(e) {
                    return Ok(Err(broken));
                }
            }
        }
        Ok(cursor.finish(head_seq, &head_hash))
    }

    /// Audit entries after `after_seq`, oldest first.
    pub async fn audit_page(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT seq, at_ms, actor, origin, action, object_type, object_id, before_json, after_json, prev_hash, hash, algorithm \
             FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from).collect()
    }
}

/// An audit entry from a row selecting every column of `audit_log`.
pub(crate) fn entry_from(r: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    let alg: String = r.try_get("algorithm")?;
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at_ms: r.try_get("at_ms")?,
        actor: r.try_get("actor")?,
        origin: r.try_get("origin")?,
        action: r.try_get("action")?,
        object_type: r.try_get("object_type")?,
        object_id: r.try_get("object_id")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
        algorithm: HashAlgorithm::parse(&alg).ok_or_else(|| {
            StorageError::Corrupt(format!("unknown audit hash algorithm `{alg}`"))
        })?,
    })
}
