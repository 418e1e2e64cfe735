"""What the bot keeps about one member of one server, and deleting it."""

from __future__ import annotations

from bot.domain import MemberData
from bot.storage.sql import Executor, Script, execute


class PrivacyRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def member(self, guild_id: int, user_id: int) -> MemberData:
        key = (guild_id, user_id)
        member = await self.db.fetchone(
            "SELECT display_name, first_seen FROM members WHERE guild_id = ? AND user_id = ?", key
        )
        answers = await self.db.fetchone(
            "SELECT COUNT(*), MIN(answered_at), MAX(answered_at) FROM attempts"
            " WHERE guild_id = ? AND user_id = ?",
            key,
        )
        decks = await self.db.fetchall(
            "SELECT DISTINCT deck_id FROM attempts WHERE guild_id = ? AND user_id = ?"
            " ORDER BY deck_id",
            key,
        )
        counts = await self.db.fetchone(
            "SELECT (SELECT COUNT(*) FROM srs_cards WHERE guild_id = ?1 AND user_id = ?2),"
            " (SELECT COUNT(*) FROM quiz_rounds WHERE guild_id = ?1 AND user_id = ?2),"
            " (SELECT COUNT(*) FROM claims c JOIN attempts a ON a.id = c.attempt_id"
            "  WHERE a.guild_id = ?1 AND a.user_id = ?2)",
            key,
        )
        assert answers is not None and counts is not None
        return MemberData(
            display_name=member["display_name"] if member else None,
            first_seen_ms=member["first_seen"] if member else None,
            answers=answers[0],
            first_answer_ms=answers[1],
            last_answer_ms=answers[2],
            decks=tuple(row[0] for row in decks),
            review_cards=counts[0],
            quiz_rounds=counts[1],
            claims=counts[2],
        )

    async def forget(self, guild_id: int, user_id: int) -> int:
        """Delete everything kept about the member in this server, in one transaction; returns
        how many answers went. Leaderboard totals follow through the attempts' delete trigger,
        and claims go with their answers."""

        def op() -> Script[int]:
            key = (guild_id, user_id)
            removed = yield from execute(
                "DELETE FROM attempts WHERE guild_id = ? AND user_id = ?", key
            )
            for table in (
                "srs_cards",
                "quiz_rounds",
                "member_totals",
                "reminders",
                "reminder_fires",
                "role_holders",
                "members",
            ):
                yield from execute(f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", key)
            return removed

        return await self.db.write(op)
