//! Files no record holds are swept from the data dir: content stored for a record whose save
//! then failed, and uploads cut off by a crash.

use crate::shared::state::AppState;

/// How long a stored or staged file may lie unreferenced before the sweep removes it: far
/// longer than any request takes between storing its files and committing their rows.
const SWEEP_GRACE: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Background work of this area, started once by `zeren serve`: every hour, the files no record
/// holds (a record's transaction failed after its files were stored; an upload cut off by a
/// crash) are swept from the data dir.
pub fn spawn(state: &AppState) {
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_GRACE);
        loop {
            every.tick().await;
            match db.sweep_files(SWEEP_GRACE).await {
                Ok(swept) if swept != Default::default() => {
                    tracing::info!(
                        unreferenced = swept.unreferenced,
                        staged = swept.staged,
                        "removed files no record holds"
                    );
                }
                Ok(_) => {}
                // No files directory (attachments not configured): nothing to sweep.
                Err(zeren_storage::StorageError::Invalid(_)) => return,
                Err(e) => tracing::warn!(error = %e, "cannot sweep the files directory"),
            }
        }
    });
}
