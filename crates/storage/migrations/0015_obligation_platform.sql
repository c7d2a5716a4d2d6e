-- The platform an obligation concerns: the platform itself for a platform duty, the platform of
-- the event for a duty hanging on an event about one (an online event held on it, a
-- rectification its annual review opened). A `portfolio:subject` duty answers by that
-- platform's portfolio. None for the others.
ALTER TABLE obligations ADD COLUMN platform_id TEXT;
UPDATE obligations SET platform_id = subject_id WHERE subject_kind = 'platform';
