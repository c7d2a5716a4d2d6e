//! The tables and their columns, in foreign-key order, for engine-independent backups.
//! Each migration's tables are listed in the module of its area; a test checks the whole list
//! against the live schema on both engines.

mod assessments;
mod cases;
mod feeds;
mod foundation;
mod ledger;
mod notify;
mod records;

use std::sync::LazyLock;

/// Type of a column as Zeren stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// TEXT (ids, dates, JSON).
    Text,
    /// BIGINT (integers, booleans, instants).
    Int,
}

/// A table: name, columns, and the ordering that makes a dump deterministic.
pub struct Table {
    /// Name.
    pub name: &'static str,
    /// Columns with types.
    pub columns: &'static [(&'static str, Ty)],
    /// ORDER BY for a deterministic dump.
    pub order_by: &'static str,
}

/// Columns holding values sealed with the installation key (`sealed:v1:…`, see
/// [`crate::keys`]), whole or as strings inside JSON (the directory settings' secrets): a
/// restore from another installation opens them with that installation's key and seals them
/// again with this one's.
pub const SEALED: &[(&str, &str)] = &[("users", "totp_secret"), ("settings", "value")];

/// Every table, parents before children.
pub static TABLES: LazyLock<Vec<&'static Table>> = LazyLock::new(|| {
    [
        foundation::TABLES,
        records::TABLES,
        ledger::TABLES,
        notify::TABLES,
        feeds::TABLES,
        cases::TABLES,
        assessments::TABLES,
    ]
    .iter()
    .flat_map(|part| part.iter())
    .collect()
});
