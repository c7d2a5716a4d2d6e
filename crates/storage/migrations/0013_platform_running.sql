-- The day a platform first went active (began to run): its periodic duties (annual review) and
-- its operators' training are owed from then. Platforms kept so far ran from their opening.
ALTER TABLE platforms ADD COLUMN active_from TEXT;
UPDATE platforms SET active_from = opened_on;
