//! The last maintenance-log day of every website, held in memory as of a change stamp (the
//! audit head): read once a change rather than once a request (one row a website), by the
//! first reader that finds it behind while the others wait for that read. Writes do not pay
//! for it.

use crate::AppState;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zeren_storage::StorageError;

type Days = Arc<HashMap<String, NaiveDate>>;

#[derive(Default)]
pub(super) struct LastLogs {
    kept: Mutex<Option<((i64, String), Days)>>,
    /// One read at a time: a reader that finds the days behind waits for the read under way.
    reading: tokio::sync::Mutex<()>,
}

impl LastLogs {
    /// The days kept, when read as of `stamp` or later.
    fn at(&self, stamp: &(i64, String)) -> Option<Days> {
        match &*self.kept.lock().unwrap_or_else(|e| e.into_inner()) {
            Some((at, days)) if at == stamp || at.0 > stamp.0 => Some(days.clone()),
            _ => None,
        }
    }

    /// The days as of `stamp` or later: those kept, else read now (once, for every reader
    /// waiting).
    async fn read(&self, state: &AppState, stamp: &(i64, String)) -> Result<Days, StorageError> {
        if let Some(days) = self.at(stamp) {
            return Ok(days);
        }
        let _reading = self.reading.lock().await;
        if let Some(days) = self.at(stamp) {
            return Ok(days);
        }
        // As of the head before the read: a change committed during it is read again later.
        let head = state.db.change_stamp().await?;
        let days = Arc::new(state.db.last_log_days().await?);
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some((head.clone(), days.clone()));
        Ok(days)
    }
}

/// The day of each website's last log entry, as of the present change stamp.
pub(super) async fn days(state: &AppState) -> Result<Days, StorageError> {
    let stamp = state.change_stamp().await?;
    state.cache::<LastLogs>().read(state, &stamp).await
}
