-- Every piece of scheduled work is a state machine whose steps are safe to repeat: the tick retries
-- a step until Discord confirms it. A drill or a session belongs to the slot that made it (so firing
-- a slot again finds the same drill instead of opening a second), each send counts its tries (a
-- retry first looks in the channel for what an earlier try may have posted), and the steps after a
-- close (a session question's reveal, a session's results table) are recorded when Discord took
-- them. A drill's reveal is a single edit, recorded since 0006.

ALTER TABLE drills ADD COLUMN slot TEXT;
ALTER TABLE drills ADD COLUMN post_tries INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX drills_slot ON drills (schedule_id, slot) WHERE slot IS NOT NULL;

ALTER TABLE study_sessions ADD COLUMN slot TEXT;
ALTER TABLE study_sessions ADD COLUMN results_tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE study_sessions ADD COLUMN results_posted_at INTEGER;
CREATE UNIQUE INDEX study_sessions_slot ON study_sessions (schedule_id, slot) WHERE slot IS NOT NULL;
UPDATE study_sessions SET results_posted_at = ended_at WHERE status != 'running';
CREATE INDEX study_sessions_unreported ON study_sessions (results_posted_at, status);

ALTER TABLE session_cards ADD COLUMN post_tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_cards ADD COLUMN revealed_at INTEGER;
UPDATE session_cards SET revealed_at = closed_at WHERE closed_at IS NOT NULL;

CREATE INDEX schedule_fires_claimed ON schedule_fires (status) WHERE status = 'claimed';

-- Slots an earlier version left claimed cannot be tied to what they posted: recorded as missed.
UPDATE schedule_fires SET status = 'missed', detail = 'left claimed by an earlier version of the bot'
WHERE status = 'claimed';
