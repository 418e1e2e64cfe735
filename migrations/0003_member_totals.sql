-- All-time totals per member and deck, kept by triggers in the same transaction as every change to
-- attempts (inserts, re-scored claims, deletions), so they always equal what the attempts say.
-- All-time leaderboards read these few rows instead of summing every attempt of a guild.

CREATE TABLE member_totals (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    deck_id   TEXT    NOT NULL,
    points    INTEGER NOT NULL DEFAULT 0,
    attempts  INTEGER NOT NULL DEFAULT 0,
    correct   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, user_id, deck_id)
) WITHOUT ROWID;
CREATE INDEX member_totals_board ON member_totals (guild_id, deck_id, points);

INSERT INTO member_totals (guild_id, user_id, deck_id, points, attempts, correct)
SELECT guild_id, user_id, deck_id, SUM(points), COUNT(*), SUM(outcome = 'correct')
FROM attempts GROUP BY guild_id, user_id, deck_id;

CREATE TRIGGER attempts_totals_insert AFTER INSERT ON attempts
BEGIN
    INSERT INTO member_totals (guild_id, user_id, deck_id, points, attempts, correct)
    VALUES (NEW.guild_id, NEW.user_id, NEW.deck_id, NEW.points, 1, NEW.outcome = 'correct')
    ON CONFLICT (guild_id, user_id, deck_id) DO UPDATE SET
        points = points + excluded.points,
        attempts = attempts + 1,
        correct = correct + excluded.correct;
END;

CREATE TRIGGER attempts_totals_update AFTER UPDATE OF points, outcome ON attempts
BEGIN
    UPDATE member_totals SET
        points = points - OLD.points + NEW.points,
        correct = correct - (OLD.outcome = 'correct') + (NEW.outcome = 'correct')
    WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id AND deck_id = NEW.deck_id;
END;

CREATE TRIGGER attempts_totals_delete AFTER DELETE ON attempts
BEGIN
    UPDATE member_totals SET
        points = points - OLD.points,
        attempts = attempts - 1,
        correct = correct - (OLD.outcome = 'correct')
    WHERE guild_id = OLD.guild_id AND user_id = OLD.user_id AND deck_id = OLD.deck_id;
END;
