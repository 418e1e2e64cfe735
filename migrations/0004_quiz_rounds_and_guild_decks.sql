-- Personal /quiz rounds (so their buttons keep working after a restart) and decks that a server's
-- admins imported for that server only (kept as validated TOML text).

CREATE TABLE quiz_rounds (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    deck_id     TEXT    NOT NULL,
    card_ids    TEXT    NOT NULL,
    practice    TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    answered    INTEGER NOT NULL DEFAULT 0,
    correct     INTEGER NOT NULL DEFAULT 0,
    points      INTEGER NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finished')),
    created_at  INTEGER NOT NULL
);
CREATE INDEX quiz_rounds_member ON quiz_rounds (guild_id, user_id, status);

CREATE TABLE guild_decks (
    guild_id    INTEGER NOT NULL,
    deck_id     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    toml        TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, deck_id)
) WITHOUT ROWID;
