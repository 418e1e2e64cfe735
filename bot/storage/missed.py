"""The cards a member missed lately, for /quiz mode:missed and `python -m bot study --missed`."""

from __future__ import annotations

from bot.domain import MissedCard
from bot.storage.sql import Executor


class MissedRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def missed(
        self,
        guild_id: int,
        user_id: int,
        *,
        since_ms: int,
        deck_id: str | None = None,
        limit: int = 100,
    ) -> list[MissedCard]:
        """The cards the member answered wrong or close at or after `since_ms` (in any context:
        /quiz, drills, sessions), the most recently missed first."""
        deck_filter = " AND deck_id = ?" if deck_id is not None else ""
        params: tuple[object, ...] = (guild_id, user_id, since_ms)
        if deck_id is not None:
            params += (deck_id,)
        rows = await self.db.fetchall(
            "SELECT deck_id, card_id, MAX(answered_at) AS last_missed, COUNT(*) AS misses"
            " FROM attempts WHERE guild_id = ? AND user_id = ? AND answered_at >= ?"
            f" AND outcome IN ('wrong', 'close'){deck_filter}"
            " GROUP BY deck_id, card_id ORDER BY last_missed DESC, MAX(id) DESC LIMIT ?",
            (*params, limit),
        )
        return [
            MissedCard(r["deck_id"], r["card_id"], int(r["last_missed"]), int(r["misses"]))
            for r in rows
        ]
