-- Due-card reminders by direct message (/remind), and a member's own time zone.
-- PostgreSQL twin of migrations/0010_reminders.sql.

ALTER TABLE members ADD COLUMN timezone TEXT;

CREATE TABLE reminders (
    guild_id    BIGINT  NOT NULL,
    user_id     BIGINT  NOT NULL,
    local_time  TEXT    NOT NULL,
    days        TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'on' CHECK (status IN ('on', 'off')),
    off_reason  TEXT,
    told_at     BIGINT,
    since       BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX reminders_on ON reminders (status);

CREATE TABLE reminder_fires (
    guild_id    BIGINT  NOT NULL,
    user_id     BIGINT  NOT NULL,
    local_date  TEXT    NOT NULL,
    slot        TEXT    NOT NULL,
    slot_at     BIGINT  NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'claimed'
                CHECK (status IN ('claimed', 'sent', 'skipped', 'missed', 'failed')),
    detail      TEXT,
    tries       INTEGER NOT NULL DEFAULT 0,
    claimed_at  BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, user_id, local_date)
);
CREATE INDEX reminder_fires_claimed ON reminder_fires (status);
