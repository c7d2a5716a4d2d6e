//! Repositories: reading and writing each kind of record, on both engines.

pub mod audit;
pub mod audit_query;
pub mod feeds;
pub mod identity;
pub mod ledger_rows;
pub mod notify;
pub mod obligations;
pub mod orgs;
pub mod people;
pub mod policies;
pub mod records;

use crate::error::{Result, StorageError};
use chrono::NaiveDate;

/// A date as stored: `YYYY-MM-DD`.
pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Reads a stored date.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StorageError::Corrupt(format!("not a date: `{s}`")))
}

/// Reads an optional stored date.
pub(crate) fn parse_opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

/// Maps a unique-constraint violation to [`StorageError::Duplicate`].
pub(crate) fn unique_violation(e: sqlx::Error, what: &'static str, key: &str) -> StorageError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StorageError::Duplicate {
            what,
            key: key.to_string(),
        };
    }
    StorageError::Database(e)
}
