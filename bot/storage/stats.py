"""Read-only queries behind leaderboards and statistics."""

from __future__ import annotations

from bot.domain import CardCounts, DayCounts, LeaderRow, MemberTotals
from bot.storage.sql import Executor

_CORRECT = "SUM(CASE WHEN {} = 'correct' THEN 1 ELSE 0 END)"
"""How many of the rows are correct answers (portable: no arithmetic on a boolean)."""


class StatsRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def leaders(
        self,
        guild_id: int,
        *,
        start_ms: int | None,
        end_ms: int | None,
        deck_id: str | None = None,
        limit: int = 10,
    ) -> list[LeaderRow]:
        if start_ms is None and end_ms is None:
            return await self._all_time_leaders(guild_id, deck_id, limit)
        where = ["a.guild_id = ?"]
        params: list[object] = [guild_id]
        if deck_id is not None:
            where.append("a.deck_id = ?")
            params.append(deck_id)
        if start_ms is not None:
            where.append("a.answered_at >= ?")
            params.append(start_ms)
        if end_ms is not None:
            where.append("a.answered_at < ?")
            params.append(end_ms)
        rows = await self.db.fetchall(
            "SELECT t.user_id, COALESCE(m.display_name, '') AS display_name, t.points, t.attempts,"
            " t.correct FROM ("
            "  SELECT a.user_id, SUM(a.points) AS points, COUNT(*) AS attempts,"
            f"  {_CORRECT.format('a.outcome')} AS correct FROM attempts a"
            f"  WHERE {' AND '.join(where)} GROUP BY a.user_id"
            "  ORDER BY points DESC, correct DESC, a.user_id LIMIT ?"
            " ) t LEFT JOIN members m ON m.guild_id = ? AND m.user_id = t.user_id"
            " ORDER BY t.points DESC, t.correct DESC, t.user_id",
            (*params, limit, guild_id),
        )
        return [
            LeaderRow(r["user_id"], r["display_name"], r["points"], r["attempts"], r["correct"])
            for r in rows
        ]

    async def _all_time_leaders(
        self, guild_id: int, deck_id: str | None, limit: int
    ) -> list[LeaderRow]:
        deck_filter = "AND t.deck_id = ?" if deck_id is not None else ""
        params: tuple[object, ...] = (guild_id, deck_id) if deck_id is not None else (guild_id,)
        rows = await self.db.fetchall(
            "SELECT t.user_id, COALESCE(m.display_name, '') AS display_name, SUM(t.points) AS points,"
            " SUM(t.attempts) AS attempts, SUM(t.correct) AS correct FROM member_totals t"
            " LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id"
            f" WHERE t.guild_id = ? {deck_filter} GROUP BY t.user_id, m.display_name"
            " HAVING SUM(t.attempts) > 0"
            " ORDER BY points DESC, correct DESC, t.user_id LIMIT ?",
            (*params, limit),
        )
        return [
            LeaderRow(r["user_id"], r["display_name"], r["points"], r["attempts"], r["correct"])
            for r in rows
        ]

    async def names(self, guild_id: int, user_ids: list[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        rows = await self.db.fetchall(
            f"SELECT user_id, display_name FROM members WHERE guild_id = ? AND user_id IN ({marks})",
            (guild_id, *user_ids),
        )
        return {row["user_id"]: row["display_name"] for row in rows}

    async def active_days(self, guild_id: int, user_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT DISTINCT local_day FROM attempts WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return [row[0] for row in rows]

    async def member_totals(self, guild_id: int, user_id: int) -> MemberTotals:
        row = await self.db.fetchone(
            f"SELECT COUNT(*), COALESCE({_CORRECT.format('outcome')}, 0), COALESCE(SUM(points), 0)"
            " FROM attempts WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return MemberTotals(*(int(v) for v in row)) if row else MemberTotals(0, 0, 0)

    async def member_cards(self, guild_id: int, user_id: int) -> list[CardCounts]:
        rows = await self.db.fetchall(
            f"SELECT deck_id, card_id, COUNT(*) AS n, {_CORRECT.format('outcome')} AS ok"
            " FROM attempts WHERE guild_id = ? AND user_id = ? GROUP BY deck_id, card_id",
            (guild_id, user_id),
        )
        return [CardCounts(r["deck_id"], r["card_id"], r["n"], r["ok"]) for r in rows]

    async def member_days(
        self, guild_id: int, user_id: int, first_day: int, last_day: int
    ) -> list[DayCounts]:
        rows = await self.db.fetchall(
            f"SELECT local_day, COUNT(*) AS n, {_CORRECT.format('outcome')} AS ok FROM attempts"
            " WHERE guild_id = ? AND user_id = ? AND local_day BETWEEN ? AND ? GROUP BY local_day",
            (guild_id, user_id, first_day, last_day),
        )
        return [DayCounts(r["local_day"], r["n"], r["ok"]) for r in rows]

    async def guild_cards(self, guild_id: int, deck_id: str | None = None) -> list[CardCounts]:
        if deck_id is None:
            rows = await self.db.fetchall(
                f"SELECT deck_id, card_id, COUNT(*) AS n, {_CORRECT.format('outcome')} AS ok"
                " FROM attempts WHERE guild_id = ? GROUP BY deck_id, card_id",
                (guild_id,),
            )
        else:
            rows = await self.db.fetchall(
                f"SELECT deck_id, card_id, COUNT(*) AS n, {_CORRECT.format('outcome')} AS ok"
                " FROM attempts WHERE guild_id = ? AND deck_id = ? GROUP BY deck_id, card_id",
                (guild_id, deck_id),
            )
        return [CardCounts(r["deck_id"], r["card_id"], r["n"], r["ok"]) for r in rows]
