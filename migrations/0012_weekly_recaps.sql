-- Weekly recaps (/schedule recap): the channels an admin switched a recap on for, and each week's
-- post, claimed once per (server, channel, local slot) before it is posted.

CREATE TABLE recaps (
    guild_id      INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    local_time    TEXT    NOT NULL,
    paused_reason TEXT,
    created_by    INTEGER NOT NULL,
    since         INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
) WITHOUT ROWID;

CREATE TABLE recap_posts (
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    slot        TEXT    NOT NULL,
    slot_at     INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'claimed'
                CHECK (status IN ('claimed', 'posted', 'failed', 'missed')),
    message_id  INTEGER,
    detail      TEXT,
    claimed_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id, slot)
) WITHOUT ROWID;
CREATE INDEX recap_posts_claimed ON recap_posts (status);
