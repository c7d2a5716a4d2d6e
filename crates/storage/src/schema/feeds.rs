//! Tables of calendar tokens, parents before children. The search index (tables, views and
//! triggers named `search_…`) is derived from the other tables, created in code per engine, and
//! kept out of backups.

use super::Table;
use super::Ty::{Int, Text};

/// The tables, parents before children.
pub const TABLES: &[Table] = &[Table {
    name: "calendar_tokens",
    columns: &[
        ("id", Text),
        ("user_id", Text),
        ("token_hash", Text),
        ("created_at", Int),
        ("last_used_at", Int),
        ("revoked_at", Int),
    ],
    order_by: "id",
}];
