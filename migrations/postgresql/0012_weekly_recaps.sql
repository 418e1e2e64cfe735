-- PostgreSQL twin of migrations/0012_weekly_recaps.sql.
-- Weekly recaps (/schedule recap): the channels an admin switched a recap on for, and each week's
-- post, claimed once per (server, channel, local slot) before it is posted.

CREATE TABLE recaps (
    guild_id      BIGINT  NOT NULL,
    channel_id    BIGINT  NOT NULL,
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    local_time    TEXT    NOT NULL,
    paused_reason TEXT,
    created_by    BIGINT  NOT NULL,
    since         BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

CREATE TABLE recap_posts (
    guild_id    BIGINT  NOT NULL,
    channel_id  BIGINT  NOT NULL,
    slot        TEXT    NOT NULL,
    slot_at     BIGINT  NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'claimed'
                CHECK (status IN ('claimed', 'posted', 'failed', 'missed')),
    message_id  BIGINT,
    detail      TEXT,
    claimed_at  BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, channel_id, slot)
);
CREATE INDEX recap_posts_claimed ON recap_posts (status);
