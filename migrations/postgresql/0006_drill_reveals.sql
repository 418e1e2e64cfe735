-- A drill's reveal is its own step: closing (no more answers) is recorded first, and the reveal
-- stays pending until Discord has taken it.
-- PostgreSQL twin of migrations/0006_drill_reveals.sql.

ALTER TABLE drills ADD COLUMN revealed_at BIGINT;
UPDATE drills SET revealed_at = closed_at WHERE closed_at IS NOT NULL;
CREATE INDEX drills_unrevealed ON drills (revealed_at, closed_at);
