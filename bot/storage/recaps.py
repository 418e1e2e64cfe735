"""Weekly recaps: the channels they are on for, each week's claimed post, and the server-wide
counts a recap shows (answers per local day, and per card within a time range)."""

from __future__ import annotations

from bot.domain import CardCounts, DayCounts, Recap, RecapPost, RecapStatus
from bot.storage.sql import Executor, Row, Script, execute, one

_COLUMNS = "guild_id, channel_id, weekday, local_time, paused_reason, created_by, since"
_CORRECT = "SUM(CASE WHEN outcome = 'correct' THEN 1 ELSE 0 END)"


def _recap(row: Row) -> Recap:
    return Recap(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        weekday=row["weekday"],
        local_time=row["local_time"],
        paused_reason=row["paused_reason"],
        created_by=row["created_by"],
        since_ms=row["since"],
    )


def _post(row: Row) -> RecapPost:
    return RecapPost(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        slot=row["slot"],
        slot_at_ms=row["slot_at"],
        status=row["status"],
        message_id=row["message_id"],
        detail=row["detail"],
    )


class RecapRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def save(
        self,
        guild_id: int,
        channel_id: int,
        weekday: int,
        local_time: str,
        created_by: int,
        now_ms: int,
    ) -> Recap:
        """Switch the channel's recap on (or move it); a paused one is active again."""

        def op() -> Script[Recap]:
            row = yield from one(
                f"INSERT INTO recaps ({_COLUMNS}) VALUES (?, ?, ?, ?, NULL, ?, ?)"
                " ON CONFLICT (guild_id, channel_id) DO UPDATE SET weekday = excluded.weekday,"
                " local_time = excluded.local_time, paused_reason = NULL,"
                " created_by = excluded.created_by, since = excluded.since"
                f" RETURNING {_COLUMNS}",
                (guild_id, channel_id, weekday, local_time, created_by, now_ms),
            )
            assert row is not None
            return _recap(row)

        return await self.db.write(op)

    async def in_guild(self, guild_id: int) -> list[Recap]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM recaps WHERE guild_id = ? ORDER BY channel_id", (guild_id,)
        )
        return [_recap(row) for row in rows]

    async def active(self) -> list[Recap]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM recaps WHERE paused_reason IS NULL"
            " ORDER BY guild_id, channel_id"
        )
        return [_recap(row) for row in rows]

    async def remove(self, guild_id: int, channel_id: int) -> bool:
        def op() -> Script[bool]:
            removed = yield from execute(
                "DELETE FROM recaps WHERE guild_id = ? AND channel_id = ?", (guild_id, channel_id)
            )
            return removed > 0

        return await self.db.write(op)

    async def pause(self, guild_id: int, channel_id: int, reason: str) -> bool:
        def op() -> Script[bool]:
            changed = yield from execute(
                "UPDATE recaps SET paused_reason = ? WHERE guild_id = ? AND channel_id = ?",
                (reason, guild_id, channel_id),
            )
            return changed > 0

        return await self.db.write(op)

    async def claim(
        self, guild_id: int, channel_id: int, slot: str, slot_at_ms: int, now_ms: int
    ) -> bool:
        """Claim one week's post; True for the one claim that wins, across processes."""

        def op() -> Script[bool]:
            row = yield from one(
                "INSERT INTO recap_posts (guild_id, channel_id, slot, slot_at, claimed_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, channel_id, slot) DO NOTHING RETURNING slot",
                (guild_id, channel_id, slot, slot_at_ms, now_ms),
            )
            return row is not None

        return await self.db.write(op)

    async def claimed(self) -> list[RecapPost]:
        rows = await self.db.fetchall(
            "SELECT * FROM recap_posts WHERE status = 'claimed' ORDER BY slot_at, guild_id,"
            " channel_id"
        )
        return [_post(row) for row in rows]

    async def mark(
        self,
        guild_id: int,
        channel_id: int,
        slot: str,
        status: RecapStatus,
        *,
        message_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE recap_posts SET status = ?, message_id = ?, detail = ?"
                " WHERE guild_id = ? AND channel_id = ? AND slot = ?",
                (status, message_id, detail, guild_id, channel_id, slot),
            )

        await self.db.write(op)

    async def posts(self, guild_id: int, channel_id: int) -> list[RecapPost]:
        rows = await self.db.fetchall(
            "SELECT * FROM recap_posts WHERE guild_id = ? AND channel_id = ? ORDER BY slot",
            (guild_id, channel_id),
        )
        return [_post(row) for row in rows]

    async def guild_days(self, guild_id: int, first_day: int, last_day: int) -> list[DayCounts]:
        rows = await self.db.fetchall(
            f"SELECT local_day, COUNT(*) AS n, {_CORRECT} AS ok FROM attempts"
            " WHERE guild_id = ? AND local_day BETWEEN ? AND ? GROUP BY local_day",
            (guild_id, first_day, last_day),
        )
        return [DayCounts(r["local_day"], r["n"], r["ok"]) for r in rows]

    async def guild_cards(self, guild_id: int, start_ms: int, end_ms: int) -> list[CardCounts]:
        rows = await self.db.fetchall(
            f"SELECT deck_id, card_id, COUNT(*) AS n, {_CORRECT} AS ok FROM attempts"
            " WHERE guild_id = ? AND answered_at >= ? AND answered_at < ?"
            " GROUP BY deck_id, card_id",
            (guild_id, start_ms, end_ms),
        )
        return [CardCounts(r["deck_id"], r["card_id"], r["n"], r["ok"]) for r in rows]
