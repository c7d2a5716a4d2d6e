//! Keeping the ledger in step with the policy and the org model.

use crate::db::{Actor, Db};
use crate::error::Result;
use chrono::{DateTime, Utc};
use zeren_core::obligation::generate;
use zeren_core::policy::{BUILTIN_PACK_SOURCE, builtin_pack};

/// Creates or migrates the schema and loads the built-in policy pack if it is not loaded yet.
/// Returns true when the database was new.
pub async fn initialise(db: &Db, now: DateTime<Utc>) -> Result<bool> {
    db.migrate().await?;
    if db.is_initialised().await? {
        return Ok(false);
    }
    let pack = builtin_pack().map_err(|d| {
        crate::StorageError::Corrupt(format!("built-in pack has {} problems", d.len()))
    })?;
    let mut tx = db.begin(&Actor::system(), now).await?;
    tx.load_policy(&pack, BUILTIN_PACK_SOURCE, true).await?;
    tx.commit().await?;
    Ok(true)
}

/// Generates the obligations of `year` from every loaded policy version and stores the missing
/// ones (existing obligations and their completion data are kept). Returns how many were added.
pub async fn sync_obligations(
    db: &Db,
    actor: &Actor,
    year: i32,
    now: DateTime<Utc>,
) -> Result<usize> {
    let model = db.load_model().await?;
    let policies = db.policies().await?;
    let mut planned = Vec::new();
    for p in &policies {
        planned.extend(generate(&p.pack, &model, year, &[]));
    }
    let mut tx = db.begin(actor, now).await?;
    let added = tx.add_obligations(&planned, year).await?;
    tx.commit().await?;
    Ok(added)
}
