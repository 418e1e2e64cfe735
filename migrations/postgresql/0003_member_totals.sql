-- All-time totals per member and deck, kept by triggers in the same transaction as every change to
-- attempts (inserts, re-scored claims, deletions), so they always equal what the attempts say.
-- All-time leaderboards read these few rows instead of summing every attempt of a guild.
-- PostgreSQL twin of migrations/0003_member_totals.sql (row triggers calling PL/pgSQL functions).

CREATE TABLE member_totals (
    guild_id  BIGINT  NOT NULL,
    user_id   BIGINT  NOT NULL,
    deck_id   TEXT    NOT NULL,
    points    INTEGER NOT NULL DEFAULT 0,
    attempts  INTEGER NOT NULL DEFAULT 0,
    correct   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, user_id, deck_id)
);
CREATE INDEX member_totals_board ON member_totals (guild_id, deck_id, points);

INSERT INTO member_totals (guild_id, user_id, deck_id, points, attempts, correct)
SELECT guild_id, user_id, deck_id, SUM(points), COUNT(*),
       SUM(CASE WHEN outcome = 'correct' THEN 1 ELSE 0 END)
FROM attempts GROUP BY guild_id, user_id, deck_id;

CREATE FUNCTION attempts_totals_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_totals AS t (guild_id, user_id, deck_id, points, attempts, correct)
    VALUES (NEW.guild_id, NEW.user_id, NEW.deck_id, NEW.points, 1,
            CASE WHEN NEW.outcome = 'correct' THEN 1 ELSE 0 END)
    ON CONFLICT (guild_id, user_id, deck_id) DO UPDATE SET
        points = t.points + EXCLUDED.points,
        attempts = t.attempts + 1,
        correct = t.correct + EXCLUDED.correct;
    RETURN NULL;
END;
$$;

CREATE FUNCTION attempts_totals_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_totals SET
        points = points - OLD.points + NEW.points,
        correct = correct - (CASE WHEN OLD.outcome = 'correct' THEN 1 ELSE 0 END)
                          + (CASE WHEN NEW.outcome = 'correct' THEN 1 ELSE 0 END)
    WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id AND deck_id = NEW.deck_id;
    RETURN NULL;
END;
$$;

CREATE FUNCTION attempts_totals_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_totals SET
        points = points - OLD.points,
        attempts = attempts - 1,
        correct = correct - (CASE WHEN OLD.outcome = 'correct' THEN 1 ELSE 0 END)
    WHERE guild_id = OLD.guild_id AND user_id = OLD.user_id AND deck_id = OLD.deck_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_totals_insert AFTER INSERT ON attempts
    FOR EACH ROW EXECUTE FUNCTION attempts_totals_insert();
CREATE TRIGGER attempts_totals_update AFTER UPDATE OF points, outcome ON attempts
    FOR EACH ROW EXECUTE FUNCTION attempts_totals_update();
CREATE TRIGGER attempts_totals_delete AFTER DELETE ON attempts
    FOR EACH ROW EXECUTE FUNCTION attempts_totals_delete();
