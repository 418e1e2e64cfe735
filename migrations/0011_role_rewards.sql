-- Streak and rank roles (/rewards): the roles an admin set up, the members the bot gave each one
-- to (so it takes back only what it gave), and each server's daily run, claimed once per local date.

CREATE TABLE role_rewards (
    guild_id      INTEGER NOT NULL,
    role_id       INTEGER NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('streak', 'rank')),
    threshold     INTEGER NOT NULL CHECK (threshold >= 1),
    paused_reason TEXT,
    created_by    INTEGER NOT NULL,
    since         INTEGER NOT NULL,
    PRIMARY KEY (guild_id, role_id)
) WITHOUT ROWID;

CREATE TABLE role_holders (
    guild_id    INTEGER NOT NULL,
    role_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, role_id, user_id),
    FOREIGN KEY (guild_id, role_id) REFERENCES role_rewards (guild_id, role_id) ON DELETE CASCADE
) WITHOUT ROWID;

-- One row per server and local date: claimed before any role changes, so the day's update runs
-- once across restarts and processes; a run cut short stays unfinished and is picked up again.
CREATE TABLE reward_runs (
    guild_id    INTEGER NOT NULL,
    local_date  TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'claimed' CHECK (status IN ('claimed', 'done')),
    detail      TEXT,
    claimed_at  INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (guild_id, local_date)
) WITHOUT ROWID;
CREATE INDEX reward_runs_claimed ON reward_runs (status);
