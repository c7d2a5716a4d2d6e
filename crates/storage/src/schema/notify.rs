//! Tables of notifications, channels, the outbox and job claims, parents before children.

use super::Table;

/// The tables, parents before children.
pub const TABLES: &[Table] = &[];
