-- PostgreSQL twin of migrations/0011_role_rewards.sql.
-- Streak and rank roles (/rewards): the roles an admin set up, the members the bot gave each one
-- to (so it takes back only what it gave), and each server's daily run, claimed once per local date.

CREATE TABLE role_rewards (
    guild_id      BIGINT  NOT NULL,
    role_id       BIGINT  NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('streak', 'rank')),
    threshold     INTEGER NOT NULL CHECK (threshold >= 1),
    paused_reason TEXT,
    created_by    BIGINT  NOT NULL,
    since         BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, role_id)
);

CREATE TABLE role_holders (
    guild_id    BIGINT  NOT NULL,
    role_id     BIGINT  NOT NULL,
    user_id     BIGINT  NOT NULL,
    granted_at  BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, role_id, user_id),
    FOREIGN KEY (guild_id, role_id) REFERENCES role_rewards (guild_id, role_id) ON DELETE CASCADE
);

-- One row per server and local date: claimed before any role changes, so the day's update runs
-- once across restarts and processes; a run cut short stays unfinished and is picked up again.
CREATE TABLE reward_runs (
    guild_id    BIGINT  NOT NULL,
    local_date  TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'claimed' CHECK (status IN ('claimed', 'done')),
    detail      TEXT,
    claimed_at  BIGINT  NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (guild_id, local_date)
);
CREATE INDEX reward_runs_claimed ON reward_runs (status);
