//! The annual assessment (migration 24).

use super::Table;
use super::Ty::{Int, Text};

/// The tables of this area, parents before children.
pub const TABLES: &[Table] = &[
    Table {
        name: "assessment_rounds",
        columns: &[
            ("id", Text),
            ("policy_id", Text),
            ("scope_org_id", Text),
            ("year", Int),
            ("stage", Text),
            ("scheme_version", Int),
            ("newest_version", Int),
            ("published_on", Text),
            ("document_number", Text),
            ("version", Int),
            ("created_by", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "assessment_schemes",
        columns: &[
            ("round_id", Text),
            ("version", Int),
            ("body", Text),
            ("state", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("published_on", Text),
            ("published_by", Text),
        ],
        order_by: "round_id, version",
    },
    Table {
        name: "assessment_entries",
        columns: &[
            ("round_id", Text),
            ("org_id", Text),
            ("self_assessment", Text),
            ("self_submitted_on", Text),
            ("self_submitted_by", Text),
            ("review", Text),
            ("reviewed_on", Text),
            ("reviewed_by", Text),
            ("duty_report", Text),
            ("duty_report_submitted_on", Text),
            ("duty_report_submitted_by", Text),
            ("version", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "round_id, org_id",
    },
    Table {
        name: "assessment_marks",
        columns: &[
            ("id", Text),
            ("round_id", Text),
            ("org_id", Text),
            ("scheme_version", Int),
            ("indicator_id", Text),
            ("kind", Text),
            ("points", Int),
            ("reason", Text),
            ("marked_by", Text),
            ("marked_on", Text),
            ("at_ms", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "assessment_results",
        columns: &[
            ("round_id", Text),
            ("org_id", Text),
            ("total", Int),
            ("rank", Int),
            ("score", Text),
        ],
        order_by: "round_id, org_id",
    },
];
