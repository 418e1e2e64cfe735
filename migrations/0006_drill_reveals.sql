-- A drill's reveal is its own step: closing (no more answers) is recorded first, and the reveal
-- stays pending until Discord has taken the edit and the results line, so a 5xx at close time is
-- retried instead of losing the reveal. Drills closed before this were revealed then, or never
-- will be: they are not posted again.

ALTER TABLE drills ADD COLUMN revealed_at INTEGER;
UPDATE drills SET revealed_at = closed_at WHERE closed_at IS NOT NULL;
CREATE INDEX drills_unrevealed ON drills (revealed_at, closed_at);
