//! Tables of evidence records, attachments, directives and supervised tasks, parents before children.

use super::Table;
use super::Ty::{Int, Text};

/// The tables, parents before children.
pub const TABLES: &[Table] = &[
    Table {
        name: "records",
        columns: &[
            ("id", Text),
            ("kind", Text),
            ("org_id", Text),
            ("record_date", Text),
            ("title", Text),
            ("body", Text),
            ("topics", Text),
            ("platforms", Text),
            ("attendees", Text),
            ("covers", Text),
            ("event_id", Text),
            ("version", Int),
            ("archived", Int),
            ("created_by", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "record_versions",
        columns: &[
            ("record_id", Text),
            ("version", Int),
            ("data", Text),
            ("changed_by", Text),
            ("changed_at", Int),
        ],
        order_by: "record_id, version",
    },
    Table {
        name: "obligation_evidence",
        columns: &[
            ("obligation_id", Text),
            ("record_id", Text),
            ("linked_at", Int),
            ("linked_by", Text),
        ],
        order_by: "obligation_id, record_id",
    },
    Table {
        name: "attachments",
        columns: &[
            ("sha256", Text),
            ("size", Int),
            ("mime", Text),
            ("created_at", Int),
        ],
        order_by: "sha256",
    },
    Table {
        name: "record_attachments",
        columns: &[
            ("record_id", Text),
            ("sha256", Text),
            ("filename", Text),
            ("added_at", Int),
            ("added_by", Text),
        ],
        order_by: "record_id, sha256",
    },
    Table {
        name: "directives",
        columns: &[
            ("id", Text),
            ("org_id", Text),
            ("issuer", Text),
            ("document_number", Text),
            ("received_on", Text),
            ("title", Text),
            ("content", Text),
            ("version", Int),
            ("archived", Int),
            ("created_by", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "tasks",
        columns: &[
            ("id", Text),
            ("directive_id", Text),
            ("title", Text),
            ("owner_id", Text),
            ("deadline", Text),
            ("status", Text),
            ("completed_on", Text),
            ("version", Int),
            ("created_by", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "task_reports",
        columns: &[
            ("id", Text),
            ("task_id", Text),
            ("kind", Text),
            ("report_date", Text),
            ("content", Text),
            ("created_by", Text),
            ("created_at", Int),
        ],
        order_by: "id",
    },
];
