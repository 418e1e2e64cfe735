-- /quiz mode:missed: a round of the cards a member missed lately, which earns no points.
-- PostgreSQL twin of migrations/0009_quiz_round_modes.sql.

ALTER TABLE quiz_rounds ADD COLUMN mode TEXT NOT NULL DEFAULT 'due' CHECK (mode IN ('due', 'missed'));
CREATE INDEX attempts_member_misses ON attempts (guild_id, user_id, answered_at, outcome, deck_id, card_id);
