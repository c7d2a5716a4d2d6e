-- Files attached to the entries of an incident's timeline (issue 15: "a timeline of actions, each
-- dated, by whom, with attachments"): the screenshot of the post, the statement published, the
-- notice received. The content is stored once by its SHA-256 in `attachments`, as a record's
-- files are; an attachment belongs to one entry (the incident and the entry's `seq`). Like the
-- timeline, append-only: a closed incident takes no more.
CREATE TABLE incident_attachments (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    seq BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments (sha256),
    filename TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq, sha256),
    FOREIGN KEY (incident_id, seq) REFERENCES incident_timeline (incident_id, seq)
);
