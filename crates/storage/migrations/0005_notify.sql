-- Reminders and escalation: channel settings, the reminders planned (one row per stable key,
-- the anchor of exactly-once), in-app notifications, the outbox of deliveries with every try,
-- robot pacing, and claims of periodic jobs across instances.

-- A person's channels: an email address and whether they want email at all. In-app
-- notifications are always kept.
CREATE TABLE notify_person_channels (
    person_id TEXT PRIMARY KEY REFERENCES people (id),
    email TEXT,
    email_enabled BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- An org's group robots: 企业微信 webhook URL; 钉钉 webhook URL and signing secret.
CREATE TABLE notify_org_channels (
    org_id TEXT PRIMARY KEY REFERENCES orgs (id),
    wecom_url TEXT,
    dingtalk_url TEXT,
    dingtalk_secret TEXT,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per reminder key (`obligation-id/before-7`, `/overdue`, `/escalate`): a reminder is
-- planned once, whichever instance plans it and however often.
CREATE TABLE notify_reminders (
    reminder_key TEXT PRIMARY KEY,
    obligation_id TEXT NOT NULL REFERENCES obligations (id),
    kind TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people (id),
    org_id TEXT NOT NULL REFERENCES orgs (id),
    scheduled_on TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX notify_reminders_obligation ON notify_reminders (obligation_id);

-- The notification centre: text as a catalog key and its arguments (JSON), shown in the
-- reader's language.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    reminder_key TEXT REFERENCES notify_reminders (reminder_key),
    obligation_id TEXT REFERENCES obligations (id),
    kind TEXT NOT NULL,
    args TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    UNIQUE (reminder_key, person_id)
);
CREATE INDEX notifications_person ON notifications (person_id, created_at);

-- The outbox. A row is claimed with a lease (claimed_by, claimed_until); a claim whose instance
-- died is taken again after the lease. Marked sent in the transaction that records the try.
CREATE TABLE notify_outbox (
    id TEXT PRIMARY KEY,
    reminder_key TEXT NOT NULL REFERENCES notify_reminders (reminder_key),
    org_id TEXT NOT NULL REFERENCES orgs (id),
    person_id TEXT REFERENCES people (id),
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    claimed_by TEXT,
    claimed_until BIGINT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    UNIQUE (reminder_key, channel, target)
);
CREATE INDEX notify_outbox_due ON notify_outbox (status, next_attempt_at);
CREATE INDEX notify_outbox_org ON notify_outbox (org_id, created_at);

-- Every try of a delivery, with its outcome: sent, retry (with the error), failed, paced.
CREATE TABLE notify_attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES notify_outbox (id),
    attempt BIGINT NOT NULL,
    at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    claimed_by TEXT NOT NULL
);
CREATE INDEX notify_attempts_delivery ON notify_attempts (delivery_id, at);

-- Robot pacing: twenty slots per robot (keyed by a hash of its URL); a message takes the slot
-- used longest ago, and only if that was more than a minute ago.
CREATE TABLE notify_robot_pace (
    pace_key TEXT NOT NULL,
    slot BIGINT NOT NULL,
    used_at BIGINT NOT NULL,
    PRIMARY KEY (pace_key, slot)
);

-- Periodic jobs across instances: a run of a job for a period is claimed once
-- (INSERT … ON CONFLICT DO NOTHING); a claim whose lease ran out is taken over.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    period TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    lease_until BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    summary TEXT,
    PRIMARY KEY (job, period)
);
