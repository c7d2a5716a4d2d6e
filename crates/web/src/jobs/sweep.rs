//! Files no record holds are swept from the data dir: content stored for a record whose save
//! then failed, and uploads cut off by a crash. Sign-ins begun at a portal or provider are
//! forgotten a day after they began (used or not; a CAS ticket lives minutes at its portal).

use crate::shared::state::AppState;

/// How long a stored or staged file may lie unreferenced before the sweep removes it: far
/// longer than any request takes between storing its files and committing their rows.
const SWEEP_GRACE: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// How long a sign-in begun at a portal or provider is remembered (it is usable ten minutes).
const ATTEMPTS_KEPT_MS: i64 = 24 * 60 * 60 * 1000;

/// Background work of this area, started once by `zeren serve`: every hour, sign-ins begun a
/// day ago are forgotten, and the files no record holds (a record's transaction failed after
/// its files were stored; an upload cut off by a crash) are swept from the data dir.
pub fn spawn(state: &AppState) {
    let db = state.db.clone();
    let clock = state.clock.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_GRACE);
        let mut files = true;
        loop {
            every.tick().await;
            let day_ago = clock.now().timestamp_millis() - ATTEMPTS_KEPT_MS;
            match db.forget_sign_in_attempts(day_ago).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(forgotten = n, "forgot sign-in attempts a day old"),
                Err(e) => tracing::warn!(error = %e, "cannot forget old sign-in attempts"),
            }
            if !files {
                continue;
            }
            match db.sweep_files(SWEEP_GRACE).await {
                Ok(swept) if swept != Default::default() => {
                    tracing::info!(
                        unreferenced = swept.unreferenced,
                        staged = swept.staged,
                        "removed files no record holds"
                    );
                }
                Ok(_) => {}
                // No files directory (attachments not configured): no files to sweep.
                Err(zeren_storage::StorageError::Invalid(_)) => files = false,
                Err(e) => tracing::warn!(error = %e, "cannot sweep the files directory"),
            }
        }
    });
}
