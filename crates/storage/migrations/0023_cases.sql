-- Accountability cases (问责, Art.5–6): kept by the discipline commission, confidential. A case
-- is about an org or a person in a post over a period, on grounds of the pack; its procedure
-- runs from a referral or its opening to its closing (`state`), each step dated on the row and
-- on the case file. The decision and the appeal's decision are kept as JSON (findings per
-- ground, forms of accountability). Nothing is deleted; a closed case takes only addenda.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    title TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    person_id TEXT REFERENCES people (id),
    post_id TEXT REFERENCES posts (id),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    grounds TEXT NOT NULL,
    background TEXT NOT NULL,
    state TEXT NOT NULL,
    referred_by TEXT,
    referred_on TEXT,
    decline_reason TEXT,
    opened_on TEXT,
    respondent_id TEXT REFERENCES people (id),
    invitation TEXT,
    invited_on TEXT,
    statement_due TEXT,
    statement TEXT,
    statement_on TEXT,
    lapsed_on TEXT,
    decision TEXT,
    decided_on TEXT,
    notified_on TEXT,
    appeal TEXT,
    appealed_on TEXT,
    appeal_decision TEXT,
    appeal_decided_on TEXT,
    closed_on TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- The commission's list (of its orgs, newest first), by state; a respondent's cases; a
-- secretary's referrals.
CREATE INDEX cases_org ON cases (org_id, created_at, id);
CREATE INDEX cases_state ON cases (state, created_at, id);
CREATE INDEX cases_respondent ON cases (respondent_id);
CREATE INDEX cases_referrer ON cases (referred_by, created_at);

-- The case file, append-only: facts (each linked to the ledger or a document of its own),
-- investigation notes and tasks (an inquiry names its assignee and due day; the note that
-- reports it done `answers` it by its `seq`), the procedure's steps as they were taken, and
-- addenda to a closed case.
CREATE TABLE case_entries (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    fact_kind TEXT,
    reference TEXT,
    ground TEXT,
    indicator TEXT,
    step TEXT,
    text TEXT NOT NULL,
    day TEXT NOT NULL,
    person_id TEXT REFERENCES people (id),
    assignee_id TEXT REFERENCES people (id),
    due_on TEXT,
    answers BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX case_entries_seq ON case_entries (case_id, seq);

-- Remediation (整改) a decision asks for: owned by a person of the case's org, reported done by
-- them with its evidence, verified by someone else (or returned to them with a reason). Its
-- owner is reminded before the deadline and when it passes, and whoever set it (`set_by`) is
-- told once it is long overdue — each once, on the day kept here, and only in the notification
-- centre: a case is not announced in a group chat.
CREATE TABLE case_tasks (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    title TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES people (id),
    opened_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    reported_on TEXT,
    evidence TEXT,
    verified_on TEXT,
    verified_by TEXT REFERENCES people (id),
    verification_note TEXT,
    set_by TEXT REFERENCES people (id),
    reminded_on TEXT,
    overdue_on TEXT,
    escalated_on TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks (case_id);
-- The tasks not verified, by deadline: what the daily look reminds and escalates.
CREATE INDEX case_tasks_open ON case_tasks (deadline) WHERE verified_on IS NULL;
CREATE INDEX case_tasks_owner ON case_tasks (owner_id, verified_on);

-- Files on the entries of a case file: the respondent's statement and appeal with what they
-- bring, a document the commission adds. Stored once by content in `attachments`, as a record's
-- files are; each belongs to one entry (the case and the entry's `seq`). A closed case takes none.
CREATE TABLE case_attachments (
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments (sha256),
    filename TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (case_id, seq, sha256),
    FOREIGN KEY (case_id, seq) REFERENCES case_entries (case_id, seq)
);
