-- Due-card reminders by direct message, opt-in per member and server (/remind), and a member's own
-- time zone (NULL: the server's), kept once in their member row.

ALTER TABLE members ADD COLUMN timezone TEXT;

CREATE TABLE reminders (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    local_time  TEXT    NOT NULL,
    days        TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'on' CHECK (status IN ('on', 'off')),
    off_reason  TEXT,
    told_at     INTEGER,
    since       INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE INDEX reminders_on ON reminders (status);

-- One row per member, server and local day: claimed before the direct message is sent, so a
-- reminder goes out at most once a day, across restarts and the repeated hour of a fall-back night.
CREATE TABLE reminder_fires (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    local_date  TEXT    NOT NULL,
    slot        TEXT    NOT NULL,
    slot_at     INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'claimed'
                CHECK (status IN ('claimed', 'sent', 'skipped', 'missed', 'failed')),
    detail      TEXT,
    tries       INTEGER NOT NULL DEFAULT 0,
    claimed_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, local_date)
) WITHOUT ROWID;
CREATE INDEX reminder_fires_claimed ON reminder_fires (status);
