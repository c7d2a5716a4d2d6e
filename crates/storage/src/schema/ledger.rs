//! Tables of migrations 0004 (ledger: waivers and the obligation sync state) and 0009 (the
//! ledger generation), parents before children.

use super::Table;
use super::Ty::{Int, Text};

/// The tables, parents before children.
pub const TABLES: &[Table] = &[
    Table {
        name: "obligation_waivers",
        columns: &[
            ("id", Text),
            ("obligation_id", Text),
            ("reason", Text),
            ("state", Text),
            ("requested_by", Text),
            ("requested_at", Int),
            ("decided_by", Text),
            ("decided_at", Int),
            ("decision_note", Text),
            ("version", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "obligation_sync",
        columns: &[
            ("year", Int),
            ("generation", Int),
            ("synced_at", Int),
            ("added", Int),
        ],
        order_by: "year",
    },
    Table {
        name: "ledger_generation",
        columns: &[("id", Int), ("value", Int)],
        order_by: "id",
    },
];
