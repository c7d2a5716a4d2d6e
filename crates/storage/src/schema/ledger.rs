//! Tables of the duties ledger (evidence records, attachments, reminders, feeds), parents first.

use super::Table;

/// The tables, parents before children.
pub const TABLES: &[Table] = &[];
