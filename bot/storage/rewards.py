"""Streak and rank roles: the rewards an admin set up, who the bot gave each role to, and each
server's daily run."""

from __future__ import annotations

from bot.domain import RewardKind, RewardRun, RoleReward
from bot.storage.sql import Executor, Row, Script, execute, one

_COLUMNS = "guild_id, role_id, kind, threshold, paused_reason, created_by, since"


def _reward(row: Row) -> RoleReward:
    return RoleReward(
        guild_id=row["guild_id"],
        role_id=row["role_id"],
        kind=row["kind"],
        threshold=row["threshold"],
        paused_reason=row["paused_reason"],
        created_by=row["created_by"],
        since_ms=row["since"],
    )


def _run(row: Row) -> RewardRun:
    return RewardRun(
        guild_id=row["guild_id"],
        local_date=row["local_date"],
        done=row["status"] == "done",
        detail=row["detail"],
    )


class RewardRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def save(
        self,
        guild_id: int,
        role_id: int,
        kind: RewardKind,
        threshold: int,
        created_by: int,
        now_ms: int,
    ) -> RoleReward:
        """Create or replace the role's reward; a paused one is active again. Whom the bot gave
        the role to is kept: the next run takes it back from those the new rule leaves out."""

        def op() -> Script[RoleReward]:
            row = yield from one(
                f"INSERT INTO role_rewards ({_COLUMNS}) VALUES (?, ?, ?, ?, NULL, ?, ?)"
                " ON CONFLICT (guild_id, role_id) DO UPDATE SET kind = excluded.kind,"
                " threshold = excluded.threshold, paused_reason = NULL,"
                " created_by = excluded.created_by, since = excluded.since"
                f" RETURNING {_COLUMNS}",
                (guild_id, role_id, kind, threshold, created_by, now_ms),
            )
            assert row is not None
            return _reward(row)

        return await self.db.write(op)

    async def in_guild(self, guild_id: int) -> list[RoleReward]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM role_rewards WHERE guild_id = ? ORDER BY kind DESC,"
            " threshold, role_id",
            (guild_id,),
        )
        return [_reward(row) for row in rows]

    async def remove(self, guild_id: int, role_id: int) -> bool:
        def op() -> Script[bool]:
            yield from execute(
                "DELETE FROM role_holders WHERE guild_id = ? AND role_id = ?", (guild_id, role_id)
            )
            removed = yield from execute(
                "DELETE FROM role_rewards WHERE guild_id = ? AND role_id = ?", (guild_id, role_id)
            )
            return removed > 0

        return await self.db.write(op)

    async def pause(self, guild_id: int, role_id: int, reason: str) -> bool:
        def op() -> Script[bool]:
            changed = yield from execute(
                "UPDATE role_rewards SET paused_reason = ? WHERE guild_id = ? AND role_id = ?",
                (reason, guild_id, role_id),
            )
            return changed > 0

        return await self.db.write(op)

    async def guilds(self) -> list[int]:
        """The servers with at least one reward that is not paused."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT guild_id FROM role_rewards WHERE paused_reason IS NULL"
            " ORDER BY guild_id"
        )
        return [int(row[0]) for row in rows]

    async def last_runs(self) -> dict[int, str]:
        rows = await self.db.fetchall(
            "SELECT guild_id, MAX(local_date) FROM reward_runs GROUP BY guild_id"
        )
        return {int(row[0]): str(row[1]) for row in rows}

    async def claim_run(self, guild_id: int, local_date: str, now_ms: int) -> bool:
        """Claim the server's run of one local date; True for the one claim that wins."""

        def op() -> Script[bool]:
            row = yield from one(
                "INSERT INTO reward_runs (guild_id, local_date, claimed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id, local_date) DO NOTHING RETURNING local_date",
                (guild_id, local_date, now_ms),
            )
            return row is not None

        return await self.db.write(op)

    async def unfinished_runs(self) -> list[RewardRun]:
        rows = await self.db.fetchall(
            "SELECT * FROM reward_runs WHERE status = 'claimed' ORDER BY local_date, guild_id"
        )
        return [_run(row) for row in rows]

    async def finish_run(
        self, guild_id: int, local_date: str, detail: str | None, now_ms: int
    ) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE reward_runs SET status = 'done', detail = ?, finished_at = ?"
                " WHERE guild_id = ? AND local_date = ?",
                (detail, now_ms, guild_id, local_date),
            )

        await self.db.write(op)

    async def runs(self, guild_id: int) -> list[RewardRun]:
        rows = await self.db.fetchall(
            "SELECT * FROM reward_runs WHERE guild_id = ? ORDER BY local_date", (guild_id,)
        )
        return [_run(row) for row in rows]

    async def holders(self, guild_id: int, role_id: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT user_id FROM role_holders WHERE guild_id = ? AND role_id = ?",
            (guild_id, role_id),
        )
        return {int(row[0]) for row in rows}

    async def add_holder(self, guild_id: int, role_id: int, user_id: int, now_ms: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "INSERT INTO role_holders (guild_id, role_id, user_id, granted_at)"
                " SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS BIGINT),"
                " CAST(?4 AS BIGINT) WHERE EXISTS (SELECT 1 FROM role_rewards"
                "  WHERE guild_id = ?1 AND role_id = ?2)"
                " ON CONFLICT (guild_id, role_id, user_id) DO NOTHING",
                (guild_id, role_id, user_id, now_ms),
            )

        await self.db.write(op)

    async def remove_holder(self, guild_id: int, role_id: int, user_id: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "DELETE FROM role_holders WHERE guild_id = ? AND role_id = ? AND user_id = ?",
                (guild_id, role_id, user_id),
            )

        await self.db.write(op)

    async def answered_every_day(self, guild_id: int, first_day: int, last_day: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT user_id FROM attempts WHERE guild_id = ? AND local_day BETWEEN ? AND ?"
            " GROUP BY user_id HAVING COUNT(DISTINCT local_day) = ?",
            (guild_id, first_day, last_day, last_day - first_day + 1),
        )
        return {int(row[0]) for row in rows}
