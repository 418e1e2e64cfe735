-- Scheduled drills and live study sessions. The schedules table is the source of truth for the
-- scheduler; schedule_fires claims each local slot once, so a restart or the repeated hour of a
-- daylight-saving fall-back never posts twice.

CREATE TABLE schedules (
    id                    INTEGER PRIMARY KEY,
    guild_id              INTEGER NOT NULL,
    channel_id            INTEGER NOT NULL,
    kind                  TEXT    NOT NULL CHECK (kind IN ('drill', 'session')),
    deck_ids              TEXT    NOT NULL,
    local_time            TEXT    NOT NULL,
    days                  TEXT    NOT NULL,
    timezone              TEXT    NOT NULL,
    size                  INTEGER NOT NULL CHECK (size BETWEEN 1 AND 25),
    seconds_per_question  INTEGER NOT NULL DEFAULT 30 CHECK (seconds_per_question BETWEEN 5 AND 600),
    paused                INTEGER NOT NULL DEFAULT 0,
    pause_reason          TEXT,
    created_by            INTEGER NOT NULL,
    created_at            INTEGER NOT NULL
);
CREATE INDEX schedules_guild ON schedules (guild_id);

CREATE TABLE schedule_fires (
    schedule_id  INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    slot         TEXT    NOT NULL,
    slot_at      INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('claimed', 'posted', 'missed', 'failed')),
    claimed_at   INTEGER NOT NULL,
    detail       TEXT,
    PRIMARY KEY (schedule_id, slot)
) WITHOUT ROWID;

CREATE TABLE drills (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    schedule_id  INTEGER REFERENCES schedules (id) ON DELETE SET NULL,
    message_id   INTEGER,
    opened_at    INTEGER NOT NULL,
    closes_at    INTEGER NOT NULL,
    closed_at    INTEGER
);
CREATE INDEX drills_open ON drills (closed_at, closes_at);
CREATE INDEX drills_guild ON drills (guild_id, opened_at);

CREATE TABLE drill_cards (
    drill_id  INTEGER NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    deck_id   TEXT    NOT NULL,
    card_id   TEXT    NOT NULL,
    PRIMARY KEY (drill_id, position)
) WITHOUT ROWID;

CREATE TABLE study_sessions (
    id                    INTEGER PRIMARY KEY,
    guild_id              INTEGER NOT NULL,
    channel_id            INTEGER NOT NULL,
    schedule_id           INTEGER REFERENCES schedules (id) ON DELETE SET NULL,
    seconds_per_question  INTEGER NOT NULL,
    started_at            INTEGER NOT NULL,
    ended_at              INTEGER,
    status                TEXT    NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'aborted'))
);
CREATE INDEX study_sessions_running ON study_sessions (status);

CREATE TABLE session_cards (
    session_id  INTEGER NOT NULL REFERENCES study_sessions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    deck_id     TEXT    NOT NULL,
    card_id     TEXT    NOT NULL,
    message_id  INTEGER,
    asked_at    INTEGER,
    closes_at   INTEGER,
    closed_at   INTEGER,
    PRIMARY KEY (session_id, position)
) WITHOUT ROWID;
