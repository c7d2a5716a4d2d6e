//! Background work, apart from the HTTP handlers: started once by `zeren serve`; what must
//! happen once across instances claims its run in the database. Jobs stand on the shared layer
//! and storage, never on an area.

pub mod case_tasks;
pub mod incident_clocks;
pub mod reminders;
pub mod search_index;
pub mod sweep;
pub mod sync;

use crate::shared::state::AppState;

/// Starts every job.
pub fn spawn_all(state: &AppState) {
    sync::spawn(state);
    reminders::spawn(state);
    incident_clocks::spawn(state);
    case_tasks::spawn(state);
    sweep::spawn(state);
    search_index::spawn(state);
}
