//! Tables of migration 0005 (notify): channels, planned reminders, notifications, the outbox
//! with its tries, robot pacing and job claims, parents before children.

use super::Table;
use super::Ty::{Int, Text};

/// The tables, parents before children.
pub const TABLES: &[Table] = &[
    Table {
        name: "notify_person_channels",
        columns: &[
            ("person_id", Text),
            ("email", Text),
            ("email_enabled", Int),
            ("version", Int),
            ("updated_at", Int),
        ],
        order_by: "person_id",
    },
    Table {
        name: "notify_org_channels",
        columns: &[
            ("org_id", Text),
            ("wecom_url", Text),
            ("dingtalk_url", Text),
            ("dingtalk_secret", Text),
            ("version", Int),
            ("updated_at", Int),
        ],
        order_by: "org_id",
    },
    Table {
        name: "notify_reminders",
        columns: &[
            ("reminder_key", Text),
            ("obligation_id", Text),
            ("kind", Text),
            ("person_id", Text),
            ("org_id", Text),
            ("scheduled_on", Text),
            ("planned_on", Text),
            ("created_at", Int),
        ],
        order_by: "reminder_key",
    },
    Table {
        name: "notifications",
        columns: &[
            ("id", Text),
            ("person_id", Text),
            ("reminder_key", Text),
            ("obligation_id", Text),
            ("kind", Text),
            ("args", Text),
            ("created_at", Int),
            ("read_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "notify_outbox",
        columns: &[
            ("id", Text),
            ("reminder_key", Text),
            ("org_id", Text),
            ("person_id", Text),
            ("channel", Text),
            ("target", Text),
            ("payload", Text),
            ("status", Text),
            ("attempts", Int),
            ("next_attempt_at", Int),
            ("last_error", Text),
            ("claimed_by", Text),
            ("claimed_until", Int),
            ("created_at", Int),
            ("sent_at", Int),
        ],
        order_by: "id",
    },
    Table {
        name: "notify_attempts",
        columns: &[
            ("id", Text),
            ("delivery_id", Text),
            ("attempt", Int),
            ("at", Int),
            ("outcome", Text),
            ("error", Text),
            ("claimed_by", Text),
        ],
        order_by: "id",
    },
    Table {
        name: "notify_robot_pace",
        columns: &[("pace_key", Text), ("slot", Int), ("used_at", Int)],
        order_by: "pace_key, slot",
    },
    Table {
        name: "job_runs",
        columns: &[
            ("job", Text),
            ("period", Text),
            ("claimed_by", Text),
            ("lease_until", Int),
            ("started_at", Int),
            ("finished_at", Int),
            ("summary", Text),
        ],
        order_by: "job, period",
    },
];
