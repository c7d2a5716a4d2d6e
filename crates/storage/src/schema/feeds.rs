//! Tables of calendar tokens and full-text search, parents before children.

use super::Table;

/// The tables, parents before children.
pub const TABLES: &[Table] = &[];
