//! Keeping the ledger in step with the policy and the org model.

use crate::db::{Actor, Db};
use crate::error::Result;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
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
    sync(db, actor, year, now, None).await
}

/// The years whose obligations the ledger keeps on `today` (Asia/Shanghai): the current year and,
/// from 1 December, the next one too, so next year's duties can be planned before it starts.
pub fn years_kept(today: NaiveDate) -> Vec<i32> {
    let year = today.year();
    if today.month() == 12 {
        vec![year, year + 1]
    } else {
        vec![year]
    }
}

/// The kinds of model object the obligations owed are generated from (orgs, posts and their
/// holdings, platforms, policies); a change to any other kind (a person, an account, a grant,
/// a setting) leaves the obligations owed as they were.
pub const SHAPES_OBLIGATIONS: &[&str] = &["org", "post", "holding", "platform", "policy"];

/// Brings `year` in step with the current model generation: does nothing when the year was
/// last generated from that generation (by this or another instance), otherwise generates and
/// stores the missing obligations and notes the generation. Returns how many were added, or
/// `None` when the year was already in step.
pub async fn sync_year(
    db: &Db,
    actor: &Actor,
    year: i32,
    now: DateTime<Utc>,
) -> Result<Option<usize>> {
    // Read before the model: a change made while generating leaves an older generation noted,
    // so the next round generates again.
    let generation = db.model_generation().await?;
    if db.obligation_sync_generation(year).await? == Some(generation) {
        return Ok(None);
    }
    sync(db, actor, year, now, Some(generation)).await.map(Some)
}

async fn sync(
    db: &Db,
    actor: &Actor,
    year: i32,
    now: DateTime<Utc>,
    generation: Option<i64>,
) -> Result<usize> {
    let model = db.load_model().await?;
    let policies = db.policy_set().await?;
    // The events on-event duties hang on: directives received and rectification tasks opened
    // in the year (their obligations are also added when they are recorded; a new policy
    // version adds its own here).
    let events = db.events_of_year(year).await?;
    let planned = policies.generate(&model, year, &events);
    let mut tx = db.begin(actor, now).await?;
    let added = tx.add_obligations(&planned, year).await?;
    let r = tx.reconcile_obligations(&planned, year).await?;
    if r != Default::default() {
        tracing::info!(
            year,
            withdrawn = r.withdrawn,
            restored = r.restored,
            replanned = r.replanned,
            "obligations no longer required withdrawn, required again restored, governed anew replanned"
        );
    }
    if let Some(g) = generation {
        tx.record_obligation_sync(year, g, added).await?;
    }
    tx.commit().await?;
    if added > 0 {
        db.analyze_obligations().await?;
    }
    Ok(added)
}
