//! The tables and their columns, in foreign-key order, for engine-independent backups.
//! A test checks this list against the live schema on both engines.

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

use Ty::{Int, Text};

/// Every table, parents before children.
pub const TABLES: &[Table] = &[
    Table {
        name: "policies",
        columns: &[
            ("id", Text),
            ("series", Text),
            ("version", Int),
            ("document_number", Text),
            ("title", Text),
            ("effective_from", Text),
            ("effective_until", Text),
            ("source", Text),
            ("source_sha256", Text),
            ("builtin", Int),
            ("loaded_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "orgs",
        columns: &[
            ("id", Text),
            ("code", Text),
            ("name", Text),
            ("kind", Text),
            ("parent_id", Text),
            ("established_on", Text),
            ("closed_on", Text),
            ("version", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "people",
        columns: &[
            ("id", Text),
            ("name", Text),
            ("org_id", Text),
            ("archived", Int),
            ("version", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "posts",
        columns: &[
            ("id", Text),
            ("org_id", Text),
            ("kind", Text),
            ("title", Text),
            ("portfolios", Text),
            ("archived", Int),
            ("version", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "holdings",
        columns: &[
            ("id", Text),
            ("post_id", Text),
            ("person_id", Text),
            ("start_on", Text),
            ("end_on", Text),
            ("note", Text),
            ("version", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "platforms",
        columns: &[
            ("id", Text),
            ("code", Text),
            ("name", Text),
            ("kind", Text),
            ("org_id", Text),
            ("portfolio", Text),
            ("news_function", Int),
            ("opened_on", Text),
            ("closed_on", Text),
            ("version", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "platform_operators",
        columns: &[("platform_id", Text), ("person_id", Text)],
        order_by: "platform_id, person_id",
    },
    Table {
        name: "obligations",
        columns: &[
            ("id", Text),
            ("obligation_key", Text),
            ("policy_id", Text),
            ("duty_id", Text),
            ("subject_kind", Text),
            ("subject_id", Text),
            ("org_id", Text),
            ("period", Text),
            ("year", Int),
            ("due_on", Text),
            ("citation", Text),
            ("state", Text),
            ("completed_on", Text),
            ("completion_note", Text),
            ("version", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "users",
        columns: &[
            ("id", Text),
            ("username", Text),
            ("display_name", Text),
            ("person_id", Text),
            ("admin_role", Text),
            ("password_hash", Text),
            ("must_change_password", Int),
            ("totp_secret", Text),
            ("totp_enabled", Int),
            ("totp_last_step", Int),
            ("failed_logins", Int),
            ("locked_until", Int),
            ("disabled", Int),
            ("lang", Text),
            ("version", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "grants",
        columns: &[
            ("id", Text),
            ("user_id", Text),
            ("role", Text),
            ("org_id", Text),
            ("granted_by", Text),
            ("created_at", Int),
            ("revoked_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "sessions",
        columns: &[
            ("id", Text),
            ("user_id", Text),
            ("csrf", Text),
            ("second_factor_pending", Int),
            ("origin", Text),
            ("created_at", Int),
            ("last_seen_at", Int),
            ("ended_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Text),
            ("user_id", Text),
            ("name", Text),
            ("token_hash", Text),
            ("created_at", Int),
            ("last_used_at", Int),
            ("revoked_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "settings",
        columns: &[
            ("key", Text),
            ("value", Text),
            ("version", Int),
            ("updated_at", Int),
        ],
        order_by: "key",
    },
    Table {
        name: "model_generation",
        columns: &[("id", Int), ("value", Int)],
        order_by: "id",
    },
    Table {
        name: "audit_log",
        columns: &[
            ("seq", Int),
            ("at_ms", Int),
            ("actor", Text),
            ("origin", Text),
            ("action", Text),
            ("object_type", Text),
            ("object_id", Text),
            ("before_json", Text),
            ("after_json", Text),
            ("prev_hash", Text),
            ("hash", Text),
            ("algorithm", Text),
        ],
        order_by: "seq",
    },
    Table {
        name: "audit_head",
        columns: &[("id", Int), ("seq", Int), ("hash", Text)],
        order_by: "id",
    },
];
