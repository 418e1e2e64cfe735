-- Every piece of scheduled work is a state machine whose steps are safe to repeat: a drill or a
-- session belongs to the slot that made it, each send counts its tries, and the steps after a close
-- are recorded when Discord took them.
-- PostgreSQL twin of migrations/0007_durable_scheduled_work.sql.

ALTER TABLE drills ADD COLUMN slot TEXT;
ALTER TABLE drills ADD COLUMN post_tries INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX drills_slot ON drills (schedule_id, slot) WHERE slot IS NOT NULL;

ALTER TABLE study_sessions ADD COLUMN slot TEXT;
ALTER TABLE study_sessions ADD COLUMN results_tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE study_sessions ADD COLUMN results_posted_at BIGINT;
CREATE UNIQUE INDEX study_sessions_slot ON study_sessions (schedule_id, slot) WHERE slot IS NOT NULL;
UPDATE study_sessions SET results_posted_at = ended_at WHERE status != 'running';
CREATE INDEX study_sessions_unreported ON study_sessions (results_posted_at, status);

ALTER TABLE session_cards ADD COLUMN post_tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_cards ADD COLUMN revealed_at BIGINT;
UPDATE session_cards SET revealed_at = closed_at WHERE closed_at IS NOT NULL;

CREATE INDEX schedule_fires_claimed ON schedule_fires (status) WHERE status = 'claimed';

UPDATE schedule_fires SET status = 'missed', detail = 'left claimed by an earlier version of the bot'
WHERE status = 'claimed';
