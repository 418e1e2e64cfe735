"""Repositories for /quiz rounds and guild-only decks."""

from __future__ import annotations

from bot.domain import QuizRound, RoundMode, StoredDeck
from bot.storage.sql import Executor, Row, Script, execute, one


def _round(row: Row) -> QuizRound:
    return QuizRound(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        deck_id=row["deck_id"],
        card_ids=tuple(row["card_ids"].split("\n")) if row["card_ids"] else (),
        practice=frozenset(p for p in row["practice"].split("\n") if p),
        position=row["position"],
        answered=row["answered"],
        correct=row["correct"],
        points=row["points"],
        finished=row["status"] == "finished",
        mode=row["mode"],
    )


class QuizRoundRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def create(
        self,
        guild_id: int,
        user_id: int,
        deck_id: str,
        card_ids: list[str],
        practice: set[str],
        now_ms: int,
        mode: RoundMode = "due",
    ) -> QuizRound:
        def op() -> Script[int]:
            row = yield from one(
                "INSERT INTO quiz_rounds"
                " (guild_id, user_id, deck_id, card_ids, practice, created_at, mode)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    guild_id,
                    user_id,
                    deck_id,
                    "\n".join(card_ids),
                    "\n".join(sorted(practice)),
                    now_ms,
                    mode,
                ),
            )
            assert row is not None
            return int(row[0])

        created = await self.get(await self.db.write(op))
        assert created is not None
        return created

    async def get(self, round_id: int) -> QuizRound | None:
        row = await self.db.fetchone("SELECT * FROM quiz_rounds WHERE id = ?", (round_id,))
        return _round(row) if row else None

    async def advance(
        self, round_id: int, from_position: int, *, answered: bool, correct: bool, points: int
    ) -> bool:
        """Move past the card at `from_position`; False if that card was already left behind."""

        def op() -> Script[bool]:
            changed = yield from execute(
                "UPDATE quiz_rounds SET position = position + 1, answered = answered + ?,"
                " correct = correct + ?, points = points + ?"
                " WHERE id = ? AND position = ? AND status = 'open'",
                (int(answered), int(correct), points, round_id, from_position),
            )
            return changed > 0

        return await self.db.write(op)

    async def finish(self, round_id: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE quiz_rounds SET status = 'finished' WHERE id = ?", (round_id,)
            )

        await self.db.write(op)


class GuildDeckRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def all(self) -> list[StoredDeck]:
        rows = await self.db.fetchall(
            "SELECT guild_id, deck_id, name, toml FROM guild_decks ORDER BY guild_id"
        )
        return [StoredDeck(r["guild_id"], r["deck_id"], r["name"], r["toml"]) for r in rows]

    async def save(self, deck: StoredDeck, created_by: int, now_ms: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "INSERT INTO guild_decks (guild_id, deck_id, name, toml, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, deck_id) DO UPDATE SET"
                " name = excluded.name, toml = excluded.toml, created_by = excluded.created_by,"
                " created_at = excluded.created_at",
                (deck.guild_id, deck.deck_id, deck.name, deck.toml, created_by, now_ms),
            )

        await self.db.write(op)

    async def remove(self, guild_id: int, deck_id: str) -> bool:
        def op() -> Script[bool]:
            removed = yield from execute(
                "DELETE FROM guild_decks WHERE guild_id = ? AND deck_id = ?", (guild_id, deck_id)
            )
            return removed > 0

        return await self.db.write(op)
