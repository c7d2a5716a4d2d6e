//! Tables of evidence records, attachments, directives and supervised tasks, parents before children.

use super::Table;

/// The tables, parents before children.
pub const TABLES: &[Table] = &[];
