//! The obligation sync: the obligations of the years kept follow the org model and the
//! policy (added, withdrawn, restored).

use crate::shared::state::AppState;
use zeren_storage::{Actor, ledger};

/// Seconds between two rounds of the sync.
const SYNC_EVERY_SECS: u64 = 60;

/// The background sync: brings the obligations of the years kept (this year, and the next one
/// from 1 December) in step with the model generation. Each round reads the generation (one
/// small query) and does nothing more when neither it nor the years changed since the last round;
/// a year another instance already brought in step is skipped too (noted in the database).
#[derive(Debug, Default)]
pub struct Syncer {
    last: Option<(i64, Vec<i32>)>,
}

impl Syncer {
    /// A syncer that has not run yet.
    pub fn new() -> Syncer {
        Syncer::default()
    }

    /// One round; returns how many obligations were added.
    pub async fn tick(&mut self, state: &AppState) -> zeren_storage::Result<usize> {
        let years = ledger::years_kept(state.today());
        let generation = state.db.model_generation().await?;
        if self.last.as_ref() == Some(&(generation, years.clone())) {
            return Ok(0);
        }
        let mut added = 0;
        for year in &years {
            if let Some(n) =
                ledger::sync_year(&state.db, &Actor::system(), *year, state.clock.now()).await?
            {
                added += n;
            }
        }
        self.last = Some((generation, years));
        Ok(added)
    }
}

/// Background work of this area, started once by `zeren serve`: the obligation sync, once at
/// start and then every minute.
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
