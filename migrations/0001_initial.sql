-- Core study data: guild settings, members, every answer, spaced-repetition state, approved extra
-- answers and "I was right" claims. Times are UTC epoch milliseconds; local_day is the guild-local
-- calendar day (proleptic Gregorian ordinal) on which the answer was given.

CREATE TABLE guilds (
    guild_id           INTEGER PRIMARY KEY,
    timezone           TEXT    NOT NULL DEFAULT 'UTC',
    new_cards_per_day  INTEGER NOT NULL DEFAULT 10 CHECK (new_cards_per_day BETWEEN 0 AND 1000),
    created_at         INTEGER NOT NULL
);

CREATE TABLE members (
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    display_name  TEXT    NOT NULL DEFAULT '',
    first_seen    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

CREATE TABLE attempts (
    id           INTEGER PRIMARY KEY,
    attempt_key  TEXT    NOT NULL UNIQUE,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    deck_id      TEXT    NOT NULL,
    card_id      TEXT    NOT NULL,
    context      TEXT    NOT NULL CHECK (context IN ('quiz', 'drill', 'session')),
    context_id   INTEGER,
    response     TEXT    NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('correct', 'close', 'wrong')),
    score        REAL    NOT NULL,
    points       INTEGER NOT NULL DEFAULT 0,
    answered_at  INTEGER NOT NULL,
    local_day    INTEGER NOT NULL
);
-- Leaderboards (guild and period, optionally deck), covering the columns they sum.
CREATE INDEX attempts_guild_time ON attempts (guild_id, answered_at, user_id, points, outcome);
CREATE INDEX attempts_guild_deck_time ON attempts (guild_id, deck_id, answered_at, user_id, points, outcome);
-- Member stats, streaks and per-card difficulty.
CREATE INDEX attempts_member_day ON attempts (guild_id, user_id, local_day);
CREATE INDEX attempts_guild_card ON attempts (guild_id, deck_id, card_id, outcome);
-- One answer per member per card within a drill or session.
CREATE UNIQUE INDEX attempts_once_per_context
    ON attempts (context, context_id, user_id, deck_id, card_id)
    WHERE context IN ('drill', 'session');

CREATE TABLE srs_cards (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    deck_id         TEXT    NOT NULL,
    card_id         TEXT    NOT NULL,
    state           INTEGER NOT NULL,
    step            INTEGER,
    stability       REAL,
    difficulty      REAL,
    due             INTEGER NOT NULL,
    last_review     INTEGER,
    reviews         INTEGER NOT NULL DEFAULT 0,
    lapses          INTEGER NOT NULL DEFAULT 0,
    introduced_day  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, deck_id, card_id)
) WITHOUT ROWID;
CREATE INDEX srs_cards_due ON srs_cards (guild_id, user_id, deck_id, due);
CREATE INDEX srs_cards_introduced ON srs_cards (guild_id, user_id, introduced_day);

CREATE TABLE accepted_answers (
    guild_id     INTEGER NOT NULL,
    deck_id      TEXT    NOT NULL,
    card_id      TEXT    NOT NULL,
    answer       TEXT    NOT NULL,
    approved_by  INTEGER NOT NULL,
    approved_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, deck_id, card_id, answer)
) WITHOUT ROWID;

CREATE TABLE claims (
    id          INTEGER PRIMARY KEY,
    attempt_id  INTEGER NOT NULL UNIQUE REFERENCES attempts (id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at  INTEGER NOT NULL,
    decided_by  INTEGER,
    decided_at  INTEGER
);
CREATE INDEX claims_queue ON claims (guild_id, status, created_at);
