-- /quiz mode:missed: a round of the cards a member missed lately. Such a round earns no points,
-- so the round says which kind it is; every round before this one was a round of due cards.

ALTER TABLE quiz_rounds ADD COLUMN mode TEXT NOT NULL DEFAULT 'due' CHECK (mode IN ('due', 'missed'));
-- The cards a member missed lately: their wrong and close answers, newest first.
CREATE INDEX attempts_member_misses ON attempts (guild_id, user_id, answered_at, outcome, deck_id, card_id);
