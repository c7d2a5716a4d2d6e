-- A platform's annual review (年审) is a record of kind `annual-review`. A "rectify" outcome opens
-- rectification tasks (整改任务): each is the event the pack's `rectification` duty hangs on (the
-- obligation's subject id is the task id), owned by a person, due by its deadline, and closed by
-- a rectification report linked as the obligation's evidence. Its status is its obligation's.
CREATE TABLE rectifications (
    id TEXT PRIMARY KEY,
    review_id TEXT NOT NULL REFERENCES records (id),
    platform_id TEXT NOT NULL REFERENCES platforms (id),
    org_id TEXT NOT NULL REFERENCES orgs (id),
    item_id TEXT,
    title TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES people (id),
    opened_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX rectifications_platform ON rectifications (platform_id, opened_on);
CREATE INDEX rectifications_opened ON rectifications (opened_on);
CREATE INDEX obligations_platform ON obligations (platform_id);
