"""Repositories for schedules (and the slots they fired), drills and live study sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bot.domain import (
    CardRef,
    ClaimedSlot,
    Drill,
    Schedule,
    ScheduleSpec,
    SessionQuestion,
    SessionStatus,
    SlotStatus,
    StudySession,
)
from bot.storage.sql import Executor, Row, Script, execute, execute_many, one, rows


def _schedule(row: Row) -> Schedule:
    return Schedule(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        kind=row["kind"],
        deck_ids=tuple(row["deck_ids"].split(",")),
        local_time=row["local_time"],
        days=row["days"],
        timezone=row["timezone"],
        size=row["size"],
        seconds_per_question=row["seconds_per_question"],
        paused=bool(row["paused"]),
        pause_reason=row["pause_reason"],
        created_by=row["created_by"],
        created_at_ms=row["created_at"],
    )


def _insert_returning_id(sql: str, params: Sequence[object]) -> Script[int]:
    row = yield from one(sql + " RETURNING id", params)
    assert row is not None
    return int(row[0])


def _next_try(table: str, column: str, where: str, params: Sequence[object]) -> Script[int]:
    """Count one more try of a send; returns how many tries came before this one."""
    row = yield from one(
        f"UPDATE {table} SET {column} = {column} + 1 WHERE {where} RETURNING {column}", params
    )
    return int(row[0]) - 1 if row else 0


def _insert_cards(
    table: Literal["drill_cards", "session_cards"],
    owner_id: int,
    cards: Sequence[CardRef],
) -> Script[None]:
    """The ordered cards of a drill or a session."""
    owner = "drill_id" if table == "drill_cards" else "session_id"
    yield from execute_many(
        f"INSERT INTO {table} ({owner}, position, deck_id, card_id) VALUES (?, ?, ?, ?)",
        [(owner_id, position, card.deck_id, card.card_id) for position, card in enumerate(cards)],
    )


class ScheduleRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def create(self, spec: ScheduleSpec, now_ms: int) -> Schedule:
        def op() -> Script[int]:
            return (
                yield from _insert_returning_id(
                    "INSERT INTO schedules (guild_id, channel_id, kind, deck_ids, local_time, days, timezone,"
                    " size, seconds_per_question, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        spec.guild_id,
                        spec.channel_id,
                        spec.kind,
                        ",".join(spec.deck_ids),
                        spec.local_time,
                        spec.days,
                        spec.timezone,
                        spec.size,
                        spec.seconds_per_question,
                        spec.created_by,
                        now_ms,
                    ),
                )
            )

        schedule = await self.get(await self.db.write(op))
        assert schedule is not None
        return schedule

    async def get(self, schedule_id: int) -> Schedule | None:
        row = await self.db.fetchone("SELECT * FROM schedules WHERE id = ?", (schedule_id,))
        return _schedule(row) if row else None

    async def for_guild(self, guild_id: int) -> list[Schedule]:
        rows = await self.db.fetchall(
            "SELECT * FROM schedules WHERE guild_id = ? ORDER BY id", (guild_id,)
        )
        return [_schedule(row) for row in rows]

    async def all(self) -> list[Schedule]:
        return [
            _schedule(row) for row in await self.db.fetchall("SELECT * FROM schedules ORDER BY id")
        ]

    async def set_paused(
        self, schedule_id: int, guild_id: int, paused: bool, reason: str | None = None
    ) -> bool:
        def op() -> Script[bool]:
            changed = yield from execute(
                "UPDATE schedules SET paused = ?, pause_reason = ? WHERE id = ? AND guild_id = ?",
                (paused, reason if paused else None, schedule_id, guild_id),
            )
            return changed > 0

        return await self.db.write(op)

    async def remove(self, schedule_id: int, guild_id: int) -> bool:
        def op() -> Script[bool]:
            removed = yield from execute(
                "DELETE FROM schedules WHERE id = ? AND guild_id = ?", (schedule_id, guild_id)
            )
            return removed > 0

        return await self.db.write(op)

    async def claim_slot(self, schedule_id: int, slot: str, slot_at_ms: int, now_ms: int) -> bool:
        """Claim one local slot of a schedule. True exactly once per (schedule, slot)."""

        def op() -> Script[bool]:
            inserted = yield from execute(
                "INSERT INTO schedule_fires (schedule_id, slot, slot_at, status, claimed_at)"
                " VALUES (?, ?, ?, 'claimed', ?) ON CONFLICT DO NOTHING",
                (schedule_id, slot, slot_at_ms, now_ms),
            )
            return inserted > 0

        return await self.db.write(op)

    async def mark_slot(
        self, schedule_id: int, slot: str, status: SlotStatus, detail: str | None = None
    ) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE schedule_fires SET status = ?, detail = ? WHERE schedule_id = ? AND slot = ?",
                (status, detail, schedule_id, slot),
            )

        await self.db.write(op)

    async def note_slot(self, schedule_id: int, slot: str, detail: str) -> None:
        """Keep why a claimed slot is not posted yet (the reason it is missed with, if it never is)."""

        def op() -> Script[None]:
            yield from execute(
                "UPDATE schedule_fires SET detail = ? WHERE schedule_id = ? AND slot = ?"
                " AND status = 'claimed'",
                (detail, schedule_id, slot),
            )

        await self.db.write(op)

    async def claimed(self) -> list[ClaimedSlot]:
        rows = await self.db.fetchall(
            "SELECT schedule_id, slot, slot_at, detail FROM schedule_fires WHERE status = 'claimed'"
            " ORDER BY slot_at"
        )
        return [
            ClaimedSlot(row["schedule_id"], row["slot"], row["slot_at"], row["detail"])
            for row in rows
        ]

    async def fires(self, schedule_id: int) -> list[tuple[str, str, str | None]]:
        """(slot, status, detail) of every slot a schedule claimed, oldest first."""
        rows = await self.db.fetchall(
            "SELECT slot, status, detail FROM schedule_fires WHERE schedule_id = ? ORDER BY slot_at",
            (schedule_id,),
        )
        return [(row["slot"], row["status"], row["detail"]) for row in rows]

    async def last_slots(self) -> dict[int, int]:
        """The latest claimed slot instant of every schedule that has fired."""
        rows = await self.db.fetchall(
            "SELECT schedule_id, MAX(slot_at) AS last FROM schedule_fires GROUP BY schedule_id"
        )
        return {row["schedule_id"]: row["last"] for row in rows}


class DrillRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int,
        schedule_id: int | None,
        opened_at_ms: int,
        closes_at_ms: int,
        cards: Sequence[CardRef],
        slot: str | None = None,
    ) -> Drill:
        """Open a drill; for a slot that already has one, that drill (opening is safe to repeat)."""

        def op() -> Script[int]:
            row = yield from one(
                "INSERT INTO drills (guild_id, channel_id, schedule_id, opened_at, closes_at, slot)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (guild_id, channel_id, schedule_id, opened_at_ms, closes_at_ms, slot),
            )
            if row is None:
                existing = yield from one(
                    "SELECT id FROM drills WHERE schedule_id = ? AND slot = ?", (schedule_id, slot)
                )
                assert existing is not None
                return int(existing[0])
            yield from _insert_cards("drill_cards", int(row[0]), cards)
            return int(row[0])

        drill = await self.get(await self.db.write(op))
        assert drill is not None
        return drill

    async def get(self, drill_id: int) -> Drill | None:
        def op() -> Script[tuple[Row | None, list[Row]]]:
            row = yield from one("SELECT * FROM drills WHERE id = ?", (drill_id,))
            cards = yield from rows(
                "SELECT deck_id, card_id FROM drill_cards WHERE drill_id = ? ORDER BY position",
                (drill_id,),
            )
            return row, cards

        row, cards = await self.db.read(op)
        if row is None:
            return None
        return Drill(
            id=row["id"],
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            schedule_id=row["schedule_id"],
            message_id=row["message_id"],
            opened_at_ms=row["opened_at"],
            closes_at_ms=row["closes_at"],
            closed_at_ms=row["closed_at"],
            cards=tuple(CardRef(c["deck_id"], c["card_id"]) for c in cards),
            slot=row["slot"],
            revealed_at_ms=row["revealed_at"],
            post_tries=row["post_tries"],
        )

    async def for_slot(self, schedule_id: int, slot: str) -> Drill | None:
        row = await self.db.fetchone(
            "SELECT id FROM drills WHERE schedule_id = ? AND slot = ?", (schedule_id, slot)
        )
        return await self.get(row["id"]) if row else None

    async def post_try(self, drill_id: int) -> int:
        """Count a try at posting; returns the tries before it (more than 0: look before posting)."""
        return await self.db.write(lambda: _next_try("drills", "post_tries", "id = ?", (drill_id,)))

    async def set_message(self, drill_id: int, message_id: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE drills SET message_id = ? WHERE id = ?", (message_id, drill_id)
            )

        await self.db.write(op)

    async def due_to_close(self, now_ms: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM drills WHERE closed_at IS NULL AND closes_at <= ? ORDER BY closes_at",
            (now_ms,),
        )
        return [row["id"] for row in rows]

    async def open_drills(self) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM drills WHERE closed_at IS NULL ORDER BY closes_at"
        )
        return [row["id"] for row in rows]

    async def unrevealed(self) -> list[int]:
        """Closed drills whose reveal Discord has not taken yet."""
        rows = await self.db.fetchall(
            "SELECT id FROM drills WHERE revealed_at IS NULL AND closed_at IS NOT NULL"
            " ORDER BY closed_at"
        )
        return [row["id"] for row in rows]

    async def mark_revealed(self, drill_id: int, now_ms: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE drills SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL",
                (now_ms, drill_id),
            )

        await self.db.write(op)

    async def abandon(self, drill_id: int, now_ms: int) -> None:
        """Close a drill that was never posted: there is nothing to reveal."""

        def op() -> Script[None]:
            yield from execute(
                "UPDATE drills SET closed_at = COALESCE(closed_at, ?),"
                " revealed_at = COALESCE(revealed_at, ?) WHERE id = ?",
                (now_ms, now_ms, drill_id),
            )

        await self.db.write(op)

    async def close(self, drill_id: int, now_ms: int) -> bool:
        """Mark a drill closed. True only for the call that closed it."""

        def op() -> Script[bool]:
            closed = yield from execute(
                "UPDATE drills SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                (now_ms, drill_id),
            )
            return closed > 0

        return await self.db.write(op)

    async def recent_cards(self, guild_id: int, since_ms: int) -> set[CardRef]:
        rows = await self.db.fetchall(
            "SELECT dc.deck_id, dc.card_id FROM drill_cards dc JOIN drills d ON d.id = dc.drill_id"
            " WHERE d.guild_id = ? AND d.opened_at >= ?",
            (guild_id, since_ms),
        )
        return {CardRef(row["deck_id"], row["card_id"]) for row in rows}


class SessionRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int,
        schedule_id: int | None,
        seconds_per_question: int,
        started_at_ms: int,
        cards: Sequence[CardRef],
        slot: str | None = None,
    ) -> StudySession:
        """Start a session; for a slot that already has one, that session (safe to repeat)."""

        def op() -> Script[int]:
            row = yield from one(
                "INSERT INTO study_sessions (guild_id, channel_id, schedule_id, seconds_per_question,"
                " started_at, slot) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (guild_id, channel_id, schedule_id, seconds_per_question, started_at_ms, slot),
            )
            if row is None:
                existing = yield from one(
                    "SELECT id FROM study_sessions WHERE schedule_id = ? AND slot = ?",
                    (schedule_id, slot),
                )
                assert existing is not None
                return int(existing[0])
            yield from _insert_cards("session_cards", int(row[0]), cards)
            return int(row[0])

        session = await self.get(await self.db.write(op))
        assert session is not None
        return session

    async def get(self, session_id: int) -> StudySession | None:
        def op() -> Script[tuple[Row | None, list[Row]]]:
            row = yield from one("SELECT * FROM study_sessions WHERE id = ?", (session_id,))
            questions = yield from rows(
                "SELECT * FROM session_cards WHERE session_id = ? ORDER BY position",
                (session_id,),
            )
            return row, questions

        row, questions = await self.db.read(op)
        if row is None:
            return None
        return StudySession(
            id=row["id"],
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            schedule_id=row["schedule_id"],
            seconds_per_question=row["seconds_per_question"],
            started_at_ms=row["started_at"],
            ended_at_ms=row["ended_at"],
            status=row["status"],
            questions=tuple(
                SessionQuestion(
                    q["position"],
                    CardRef(q["deck_id"], q["card_id"]),
                    q["message_id"],
                    q["asked_at"],
                    q["closes_at"],
                    q["closed_at"],
                    q["revealed_at"],
                )
                for q in questions
            ),
            slot=row["slot"],
            results_posted_at_ms=row["results_posted_at"],
        )

    async def for_slot(self, schedule_id: int, slot: str) -> StudySession | None:
        row = await self.db.fetchone(
            "SELECT id FROM study_sessions WHERE schedule_id = ? AND slot = ?", (schedule_id, slot)
        )
        return await self.get(row["id"]) if row else None

    async def unreported(self) -> list[int]:
        """Sessions that ended but whose results table Discord has not taken yet."""
        rows = await self.db.fetchall(
            "SELECT id FROM study_sessions WHERE results_posted_at IS NULL AND status != 'running'"
            " ORDER BY id"
        )
        return [row["id"] for row in rows]

    async def unrevealed(self) -> list[tuple[int, int]]:
        """(session, position) of closed questions whose reveal Discord has not taken yet."""
        rows = await self.db.fetchall(
            "SELECT session_id, position FROM session_cards WHERE closed_at IS NOT NULL"
            " AND revealed_at IS NULL ORDER BY session_id, position"
        )
        return [(row["session_id"], row["position"]) for row in rows]

    async def question_try(self, session_id: int, position: int) -> int:
        return await self.db.write(
            lambda: _next_try(
                "session_cards",
                "post_tries",
                "session_id = ? AND position = ?",
                (session_id, position),
            )
        )

    async def results_try(self, session_id: int) -> int:
        return await self.db.write(
            lambda: _next_try("study_sessions", "results_tries", "id = ?", (session_id,))
        )

    async def mark_question_revealed(self, session_id: int, position: int, now_ms: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE session_cards SET revealed_at = ? WHERE session_id = ? AND position = ?"
                " AND revealed_at IS NULL",
                (now_ms, session_id, position),
            )

        await self.db.write(op)

    async def mark_results_posted(self, session_id: int, now_ms: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE study_sessions SET results_posted_at = ? WHERE id = ?"
                " AND results_posted_at IS NULL",
                (now_ms, session_id),
            )

        await self.db.write(op)

    async def running(self) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM study_sessions WHERE status = 'running' ORDER BY id"
        )
        return [row["id"] for row in rows]

    async def ask(
        self, session_id: int, position: int, asked_at_ms: int, closes_at_ms: int
    ) -> None:
        """Record that a question is being asked, before it is posted; a question whose post never
        reached Discord is asked again with a fresh window."""

        def op() -> Script[None]:
            yield from execute(
                "UPDATE session_cards SET asked_at = ?, closes_at = ?"
                " WHERE session_id = ? AND position = ? AND message_id IS NULL"
                " AND closed_at IS NULL",
                (asked_at_ms, closes_at_ms, session_id, position),
            )

        await self.db.write(op)

    async def set_question_message(self, session_id: int, position: int, message_id: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE session_cards SET message_id = ? WHERE session_id = ? AND position = ?",
                (message_id, session_id, position),
            )

        await self.db.write(op)

    async def close_question(
        self, session_id: int, position: int, now_ms: int, fastest_bonus: int = 0
    ) -> bool:
        """Close a question and, in the same transaction, give the first correct answer its bonus:
        True only for the call that closed it, so the bonus is paid once."""

        def op() -> Script[bool]:
            closed = yield from execute(
                "UPDATE session_cards SET closed_at = ? WHERE session_id = ? AND position = ?"
                " AND closed_at IS NULL",
                (now_ms, session_id, position),
            )
            if closed == 0:
                return False
            if fastest_bonus:
                yield from execute(
                    "UPDATE attempts SET points = points + ? WHERE id = ("
                    " SELECT a.id FROM attempts a JOIN session_cards q"
                    " ON q.session_id = a.context_id AND q.deck_id = a.deck_id AND q.card_id = a.card_id"
                    " WHERE a.context = 'session' AND a.context_id = ? AND q.position = ?"
                    " AND a.outcome = 'correct' ORDER BY a.answered_at, a.id LIMIT 1)",
                    (fastest_bonus, session_id, position),
                )
            return True

        return await self.db.write(op)

    async def finish(self, session_id: int, status: SessionStatus, now_ms: int) -> bool:
        def op() -> Script[bool]:
            finished = yield from execute(
                "UPDATE study_sessions SET status = ?, ended_at = ? WHERE id = ? AND status = 'running'",
                (status, now_ms, session_id),
            )
            return finished > 0

        return await self.db.write(op)
