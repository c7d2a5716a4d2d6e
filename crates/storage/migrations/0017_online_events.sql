-- Online events held through a platform (报告会、讲座、论坛、直播 …, Art.4(4)): registered
-- before they happen, approved (or rejected) by the leader who answers for them, recorded after
-- they took place. An event is also the event the pack's online-event duty hangs on (the
-- obligation's subject id is the event id). An edit after approval voids the approval: the
-- event is approved again or stands unapproved (`changed_after_approval` keeps that it was).
CREATE TABLE online_events (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    platform_id TEXT NOT NULL REFERENCES platforms (id),
    title TEXT NOT NULL,
    form TEXT NOT NULL,
    organiser TEXT NOT NULL,
    responsible_id TEXT NOT NULL REFERENCES people (id),
    speakers TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    event_day TEXT NOT NULL,
    audience BIGINT NOT NULL,
    outline TEXT NOT NULL,
    major BIGINT NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT REFERENCES people (id),
    decided_on TEXT,
    decision_note TEXT,
    changed_after_approval BIGINT NOT NULL,
    held BIGINT,
    held_audience BIGINT,
    held_summary TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX online_events_org_day ON online_events (org_id, event_day);
CREATE INDEX online_events_day ON online_events (event_day);
CREATE INDEX online_events_platform ON online_events (platform_id, event_day);
