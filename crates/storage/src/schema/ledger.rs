//! Tables of waivers and the obligation sync state, parents before children.

use super::Table;

/// The tables, parents before children.
pub const TABLES: &[Table] = &[];
