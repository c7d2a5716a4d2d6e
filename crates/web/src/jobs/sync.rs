//! The obligation sync: the obligations of the years kept follow the org model and the
//! policy (added, withdrawn, restored).

use crate::shared::state::AppState;
use zeren_storage::{Actor, ModelPosition, ledger};

/// Seconds between two rounds of the sync. A round with nothing new is two small queries, so
/// it runs often: a college entered by its forms or a roster owes its obligations seconds later,
/// not a minute.
const SYNC_EVERY_SECS: u64 = 10;

/// Model changes followed one by one before a round syncs without asking what changed.
const CHANGES_MAX: usize = 10_000;

/// The background sync: brings the obligations of the years kept (this year, and the next one
/// from 1 December) in step with the model generation. Each round reads where the model stands
/// (two small queries) and does nothing more when neither it nor the years changed since the
/// last round, or when what changed cannot change which obligations are owed (people, accounts,
/// grants, settings: see [`ledger::SHAPES_OBLIGATIONS`]) — a province's busy morning of new
/// people does not generate its year again every round; a year another instance already
/// brought in step is skipped too (noted in the database).
#[derive(Debug, Default)]
pub struct Syncer {
    last: Option<(ModelPosition, Vec<i32>)>,
}

impl Syncer {
    /// A syncer that has not run yet.
    pub fn new() -> Syncer {
        Syncer::default()
    }

    /// One round; returns how many obligations were added.
    pub async fn tick(&mut self, state: &AppState) -> zeren_storage::Result<usize> {
        let years = ledger::years_kept(state.today());
        let position = state.db.model_position().await?;
        if let Some((from, kept)) = &self.last
            && *kept == years
        {
            if from.generation == position.generation {
                return Ok(0);
            }
            if let Some(changes) = state.db.model_changes(from, CHANGES_MAX).await?
                && !changes
                    .kinds
                    .iter()
                    .any(|k| ledger::SHAPES_OBLIGATIONS.contains(&k.as_str()))
            {
                self.last = Some((changes.position, years));
                return Ok(0);
            }
        }
        let mut added = 0;
        for year in &years {
            if let Some(n) =
                ledger::sync_year(&state.db, &Actor::system(), *year, state.clock.now()).await?
            {
                added += n;
            }
        }
        self.last = Some((position, years));
        Ok(added)
    }
}

/// Background work of this area, started once by `zeren serve`: the obligation sync, once at
/// start and then every [`SYNC_EVERY_SECS`] seconds.
pub fn spawn(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut syncer = Syncer::new();
        let mut every = tokio::time::interval(std::time::Duration::from_secs(SYNC_EVERY_SECS));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match syncer.tick(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(added = n, "obligations brought in step"),
                Err(e) => tracing::warn!(error = %e, "obligation sync failed; retrying next round"),
            }
        }
    });
}
