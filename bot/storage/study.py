"""Repositories for guild settings, members, attempts, spaced-repetition state, accepted answers and
claims: the only SQL the study services use."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TypeVar

from bot.domain import (
    MAX_NEW_CARDS_PER_DAY,
    AlreadyAnswered,
    Attempt,
    Claim,
    Context,
    GuildSettings,
    NewAttempt,
    Recorded,
    SrsState,
    SrsUpdate,
)
from bot.storage.sql import (
    Executor,
    IntegrityViolation,
    Row,
    Script,
    Together,
    execute,
    one,
    rows,
)
from bot.timeutil import from_ms, to_ms

T = TypeVar("T")


def _attempt(row: Row) -> Attempt:
    return Attempt(
        id=row["id"],
        attempt_key=row["attempt_key"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        deck_id=row["deck_id"],
        card_id=row["card_id"],
        context=row["context"],
        context_id=row["context_id"],
        response=row["response"],
        outcome=row["outcome"],
        score=row["score"],
        points=row["points"],
        answered_at_ms=row["answered_at"],
        local_day=row["local_day"],
    )


def _srs(row: Row) -> SrsState:
    return SrsState(
        state=row["state"],
        step=row["step"],
        stability=row["stability"],
        difficulty=row["difficulty"],
        due=from_ms(row["due"]),
        last_review=from_ms(row["last_review"]) if row["last_review"] is not None else None,
        reviews=row["reviews"],
        lapses=row["lapses"],
    )


def attempt_values(attempt: NewAttempt) -> tuple[object, ...]:
    """Column values for INSERT INTO attempts, in ATTEMPT_COLUMNS order."""
    return (
        attempt.attempt_key,
        attempt.guild_id,
        attempt.user_id,
        attempt.deck_id,
        attempt.card_id,
        attempt.context,
        attempt.context_id,
        attempt.response,
        attempt.outcome,
        attempt.score,
        attempt.points,
        attempt.answered_at_ms,
        attempt.local_day,
    )


ATTEMPT_COLUMNS = (
    "attempt_key, guild_id, user_id, deck_id, card_id, context, context_id, response, outcome, score,"
    " points, answered_at, local_day"
)
_PLACEHOLDERS = ", ".join("?" * len(ATTEMPT_COLUMNS.split(",")))
_SRS_COLUMNS = (
    "guild_id, user_id, deck_id, card_id, state, step, stability, difficulty, due, last_review,"
    " reviews, lapses, introduced_day"
)
_SRS_UPSERT = (
    " ON CONFLICT (guild_id, user_id, deck_id, card_id) DO UPDATE SET"
    " state = excluded.state, step = excluded.step, stability = excluded.stability,"
    " difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review,"
    " reviews = excluded.reviews, lapses = excluded.lapses"
)
_CHUNKS = (64, 16, 4, 1)
"""Rows per multi-row statement when answers are recorded together: a few fixed sizes, so that a
batch of any size reuses a few prepared statements (sqlite3 keeps 128)."""

SrsKey = tuple[int, int, str, str]


def _srs_key(attempt: NewAttempt) -> SrsKey:
    return (attempt.guild_id, attempt.user_id, attempt.deck_id, attempt.card_id)


def _srs_values(key: SrsKey, state: SrsState, introduced_day: int) -> tuple[object, ...]:
    return (
        *key,
        state.state,
        state.step,
        state.stability,
        state.difficulty,
        to_ms(state.due),
        to_ms(state.last_review) if state.last_review else None,
        state.reviews,
        state.lapses,
        introduced_day,
    )


@lru_cache(maxsize=64)
def _values(count: int, width: int) -> str:
    """Placeholders for `count` rows of `width` values: `(?, ?), (?, ?)`."""
    row = "(" + ", ".join("?" * width) + ")"
    return ", ".join([row] * count)


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    start = 0
    for size in _CHUNKS:
        while len(items) - start >= size:
            yield items[start : start + size]
            start += size


def _record_many(
    items: Sequence[tuple[NewAttempt, SrsUpdate | None]],
) -> Script[list[Recorded | Exception]]:
    """What AttemptRepository.record does for each answer in turn, for answers recorded together:
    the attempts in multi-row inserts, then the members and card states of those that are new
    (each card state updated from the one before it, as one after another would)."""
    attempts = [attempt for attempt, _ in items]
    inserted: dict[str, Row] = {}
    for chunk in _chunks(attempts):
        # Any conflict skips the row: its key was stored before (the same answer delivered again),
        # or the member answered this card of the drill already; told apart below.
        returned = yield from rows(
            f"INSERT INTO attempts ({ATTEMPT_COLUMNS}) VALUES {_values(len(chunk), 13)}"
            " ON CONFLICT DO NOTHING RETURNING *",
            [value for attempt in chunk for value in attempt_values(attempt)],
        )
        for stored in returned:
            inserted[stored["attempt_key"]] = stored
    results: list[Recorded | Exception] = []
    new: list[int] = []
    claimed: set[str] = set()
    for index, attempt in enumerate(attempts):
        row: Row | None = inserted.get(attempt.attempt_key)
        if row is not None and attempt.attempt_key not in claimed:
            claimed.add(attempt.attempt_key)
            new.append(index)
            results.append(Recorded(_attempt(row), created=True, srs=None))
            continue
        if row is None:
            row = yield from one(
                "SELECT * FROM attempts WHERE attempt_key = ?", (attempt.attempt_key,)
            )
        if row is None:
            results.append(
                AlreadyAnswered(
                    f"member {attempt.user_id} answered {attempt.deck_id}/{attempt.card_id}"
                    f" in {attempt.context} {attempt.context_id} already"
                )
            )
        else:
            results.append(Recorded(_attempt(row), created=False, srs=None))

    members: dict[tuple[int, int], list[object]] = {}
    for index in new:
        attempt = attempts[index]
        member = members.get((attempt.guild_id, attempt.user_id))
        if member is None:
            members[(attempt.guild_id, attempt.user_id)] = [
                attempt.guild_id,
                attempt.user_id,
                attempt.display_name,
                attempt.answered_at_ms,
            ]
        else:
            member[2] = attempt.display_name  # the latest name, the first time seen
    for member_chunk in _chunks(list(members.values())):
        yield from execute(
            "INSERT INTO members (guild_id, user_id, display_name, first_seen)"
            f" VALUES {_values(len(member_chunk), 4)}"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name",
            [value for member in member_chunk for value in member],
        )

    introduced: dict[SrsKey, int] = {}
    for index in new:
        attempt, update = items[index]
        if update is not None:
            introduced.setdefault(_srs_key(attempt), attempt.local_day)
    states: dict[SrsKey, SrsState | None] = {}
    for key_chunk in _chunks(list(introduced)):
        found = yield from rows(
            f"SELECT s.* FROM (VALUES {_values(len(key_chunk), 4)}) AS k JOIN srs_cards s"
            " ON s.guild_id = k.column1 AND s.user_id = k.column2 AND s.deck_id = k.column3"
            " AND s.card_id = k.column4",
            [value for key in key_chunk for value in key],
        )
        for row in found:
            states[(row["guild_id"], row["user_id"], row["deck_id"], row["card_id"])] = _srs(row)
    for index in new:
        attempt, update = items[index]
        if update is None:
            continue
        key = _srs_key(attempt)
        state = update(states.get(key))
        states[key] = state
        recorded = results[index]
        assert isinstance(recorded, Recorded)
        results[index] = Recorded(recorded.attempt, created=True, srs=state)
    updated = [
        _srs_values(key, state, introduced[key])
        for key, state in states.items()
        if state is not None and key in introduced
    ]
    for state_chunk in _chunks(updated):
        yield from execute(
            f"INSERT INTO srs_cards ({_SRS_COLUMNS}) VALUES {_values(len(state_chunk), 13)}"
            + _SRS_UPSERT,
            [value for values in state_chunk for value in values],
        )
    return results


class GuildRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def get(self, guild_id: int) -> GuildSettings:
        row = await self.db.fetchone(
            "SELECT timezone, new_cards_per_day FROM guilds WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(guild_id, row["timezone"], row["new_cards_per_day"])

    async def set_timezone(self, guild_id: int, timezone: str, now_ms: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "INSERT INTO guilds (guild_id, timezone, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET timezone = excluded.timezone",
                (guild_id, timezone, now_ms),
            )

        await self.db.write(op)

    async def set_new_cards_per_day(self, guild_id: int, count: int, now_ms: int) -> None:
        """The guild's daily limit of new cards, which applies to each deck on its own."""
        if not 0 <= count <= MAX_NEW_CARDS_PER_DAY:
            raise ValueError(f"new cards per day must be 0 to {MAX_NEW_CARDS_PER_DAY}, not {count}")

        def op() -> Script[None]:
            yield from execute(
                "INSERT INTO guilds (guild_id, new_cards_per_day, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET new_cards_per_day = excluded.new_cards_per_day",
                (guild_id, count, now_ms),
            )

        await self.db.write(op)


class AttemptRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def record(self, attempt: NewAttempt, srs_update: SrsUpdate | None = None) -> Recorded:
        """Store an answer once per attempt key, with the member's card state, atomically.

        The same key again returns the stored attempt unchanged (Discord may deliver an interaction
        twice); a second answer to the same drill or session card raises AlreadyAnswered.
        """

        def op() -> Script[Recorded]:
            try:
                inserted = yield from one(
                    f"INSERT INTO attempts ({ATTEMPT_COLUMNS}) VALUES ({_PLACEHOLDERS})"
                    " ON CONFLICT (attempt_key) DO NOTHING RETURNING *",
                    attempt_values(attempt),
                )
            except IntegrityViolation as exc:
                raise AlreadyAnswered(str(exc)) from None
            if inserted is None:
                existing = yield from one(
                    "SELECT * FROM attempts WHERE attempt_key = ?",
                    (attempt.attempt_key,),
                )
                assert existing is not None
                return Recorded(_attempt(existing), created=False, srs=None)
            # The member's row is locked from here to the commit, so two answers of one member
            # (PostgreSQL runs them side by side) update the card state one after the other.
            yield from execute(
                "INSERT INTO members (guild_id, user_id, display_name, first_seen) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name",
                (attempt.guild_id, attempt.user_id, attempt.display_name, attempt.answered_at_ms),
            )
            state = None
            if srs_update is not None:
                previous_row = yield from one(
                    "SELECT * FROM srs_cards WHERE guild_id = ? AND user_id = ? AND deck_id = ?"
                    " AND card_id = ?",
                    (attempt.guild_id, attempt.user_id, attempt.deck_id, attempt.card_id),
                )
                state = srs_update(_srs(previous_row) if previous_row else None)
                yield from execute(
                    f"INSERT INTO srs_cards ({_SRS_COLUMNS}) VALUES {_values(1, 13)}{_SRS_UPSERT}",
                    _srs_values(_srs_key(attempt), state, attempt.local_day),
                )
            return Recorded(_attempt(inserted), created=True, srs=state)

        return await self.db.write(op, together=Together(_record_many, (attempt, srs_update)))

    async def get(self, attempt_id: int) -> Attempt | None:
        row = await self.db.fetchone("SELECT * FROM attempts WHERE id = ?", (attempt_id,))
        return _attempt(row) if row else None

    async def by_key(self, attempt_key: str) -> Attempt | None:
        row = await self.db.fetchone("SELECT * FROM attempts WHERE attempt_key = ?", (attempt_key,))
        return _attempt(row) if row else None

    async def count(self, guild_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM attempts WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0]) if row else 0

    async def add_points(self, attempt_id: int, points: int) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE attempts SET points = points + ? WHERE id = ?", (points, attempt_id)
            )

        await self.db.write(op)

    async def for_context(self, context: Context, context_id: int) -> list[Attempt]:
        rows = await self.db.fetchall(
            "SELECT * FROM attempts WHERE context = ? AND context_id = ? ORDER BY answered_at, id",
            (context, context_id),
        )
        return [_attempt(row) for row in rows]


class SrsRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def get(self, guild_id: int, user_id: int, deck_id: str, card_id: str) -> SrsState | None:
        row = await self.db.fetchone(
            "SELECT * FROM srs_cards WHERE guild_id = ? AND user_id = ? AND deck_id = ? AND card_id = ?",
            (guild_id, user_id, deck_id, card_id),
        )
        return _srs(row) if row else None

    async def due_times(self, guild_id: int, user_id: int, deck_id: str) -> dict[str, int]:
        """When each card of the deck the member has studied comes due (epoch ms), by card id."""
        rows = await self.db.fetchall(
            "SELECT card_id, due FROM srs_cards WHERE guild_id = ? AND user_id = ? AND deck_id = ?",
            (guild_id, user_id, deck_id),
        )
        return {row["card_id"]: int(row["due"]) for row in rows}

    async def introduced_on(self, guild_id: int, user_id: int, deck_id: str, day: int) -> int:
        """How many of the deck's cards the member saw for the first time on a local day."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM srs_cards WHERE guild_id = ? AND user_id = ? AND deck_id = ?"
            " AND introduced_day = ?",
            (guild_id, user_id, deck_id, day),
        )
        return int(row[0]) if row else 0

    async def summary(self, guild_id: int, user_id: int, now_ms: int) -> tuple[int, int]:
        """(cards learned, cards due now) across all decks."""
        row = await self.db.fetchone(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due <= ? THEN 1 ELSE 0 END), 0) FROM srs_cards"
            " WHERE guild_id = ? AND user_id = ?",
            (now_ms, guild_id, user_id),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)


class AnswerRepository:
    """Extra accepted answers per guild and card, and the "I was right" claims that feed them."""

    def __init__(self, db: Executor) -> None:
        self.db = db

    async def accepted(self, guild_id: int, deck_id: str, card_id: str) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT answer FROM accepted_answers WHERE guild_id = ? AND deck_id = ? AND card_id = ?"
            " ORDER BY approved_at",
            (guild_id, deck_id, card_id),
        )
        return [row["answer"] for row in rows]

    async def file_claim(self, attempt_id: int, now_ms: int) -> Claim:
        """File a claim for an attempt (once: filing again returns the same claim)."""

        def op() -> Script[int]:
            attempt = yield from one(
                "SELECT guild_id, outcome FROM attempts WHERE id = ?", (attempt_id,)
            )
            if attempt is None:
                raise LookupError(f"no attempt {attempt_id}")
            if attempt["outcome"] == "correct":
                raise ValueError("that answer was already graded correct")
            yield from execute(
                "INSERT INTO claims (attempt_id, guild_id, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (attempt_id) DO NOTHING",
                (attempt_id, attempt["guild_id"], now_ms),
            )
            row = yield from one("SELECT id FROM claims WHERE attempt_id = ?", (attempt_id,))
            assert row is not None
            return int(row["id"])

        claim_id = await self.db.write(op)
        claim = await self.claim(claim_id)
        assert claim is not None
        return claim

    async def claim(self, claim_id: int) -> Claim | None:
        rows = await self._claims("WHERE c.id = ?", (claim_id,))
        return rows[0] if rows else None

    async def pending(self, guild_id: int, limit: int = 10) -> list[Claim]:
        return await self._claims(
            "WHERE c.guild_id = ? AND c.status = 'pending' ORDER BY c.created_at, c.id LIMIT ?",
            (guild_id, limit),
        )

    async def _claims(self, where: str, params: Sequence[object]) -> list[Claim]:
        rows = await self.db.fetchall(
            "SELECT c.id AS claim_id, c.status, c.created_at, a.* FROM claims c"
            f" JOIN attempts a ON a.id = c.attempt_id {where}",
            params,
        )
        return [
            Claim(row["claim_id"], _attempt(row), row["status"], row["created_at"]) for row in rows
        ]

    async def decide(
        self,
        claim_id: int,
        guild_id: int,
        *,
        approve: bool,
        decided_by: int,
        now_ms: int,
        points: int,
    ) -> Claim | None:
        """Approve or reject a pending claim. Approval makes the response an accepted answer for the
        guild and re-scores the attempt as correct. Deciding twice changes nothing."""

        def op() -> Script[None]:
            row = yield from one(
                "SELECT c.status, a.id AS attempt_id, a.deck_id, a.card_id, a.response FROM claims c"
                " JOIN attempts a ON a.id = c.attempt_id WHERE c.id = ? AND c.guild_id = ?",
                (claim_id, guild_id),
            )
            if row is None or row["status"] != "pending":
                return
            # Only the decision that moves the claim out of pending counts (two admins at once).
            if not (
                yield from execute(
                    "UPDATE claims SET status = ?, decided_by = ?, decided_at = ?"
                    " WHERE id = ? AND status = 'pending'",
                    ("approved" if approve else "rejected", decided_by, now_ms, claim_id),
                )
            ):
                return
            if not approve:
                return
            yield from execute(
                "UPDATE attempts SET outcome = 'correct', points = ? WHERE id = ?",
                (points, row["attempt_id"]),
            )
            yield from execute(
                "INSERT INTO accepted_answers (guild_id, deck_id, card_id, answer, approved_by, approved_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    guild_id,
                    row["deck_id"],
                    row["card_id"],
                    row["response"].strip(),
                    decided_by,
                    now_ms,
                ),
            )

        await self.db.write(op)
        return await self.claim(claim_id)
