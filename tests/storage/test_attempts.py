from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.domain import AlreadyAnswered, NewAttempt, Recorded
from bot.storage import Storage
from bot.study.srs import Rating, review
from tests.conftest import REPO_ROOT

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def attempt(key: str, **changes: object) -> NewAttempt:
    fields: dict[str, object] = {
        "attempt_key": key,
        "guild_id": 1,
        "user_id": 7,
        "display_name": "ada",
        "deck_id": "deck",
        "card_id": "card",
        "context": "quiz",
        "context_id": None,
        "response": "LeCun",
        "outcome": "correct",
        "score": 1.0,
        "points": 10,
        "answered_at_ms": 1_772_442_000_000,
        "local_day": 739_000,
    }
    fields.update(changes)
    return NewAttempt(**fields)  # type: ignore[arg-type]


async def test_the_same_attempt_key_counts_once(storage: Storage) -> None:
    first = await storage.attempts.record(
        attempt("interaction-1"), lambda prev: review(prev, Rating.Good, NOW)
    )
    again = await storage.attempts.record(
        attempt("interaction-1", response="changed", outcome="wrong", points=0),
        lambda prev: review(prev, Rating.Again, NOW),
    )
    assert first.created
    assert not again.created
    assert again.attempt == first.attempt
    assert again.attempt.response == "LeCun"
    assert await storage.attempts.count(1) == 1
    state = await storage.srs.get(1, 7, "deck", "card")
    assert state is not None
    assert state.reviews == 1
    totals = await storage.stats.member_totals(1, 7)
    assert (totals.attempts, totals.points) == (1, 10)


async def test_a_drill_answer_delivered_twice_counts_once_without_already_answered(
    storage: Storage,
) -> None:
    """The answer path records without looking the key up first: the same key again in a drill
    (where the one-answer-per-card index conflicts too) is the stored attempt, not a refusal."""
    first = await storage.attempts.record(attempt("i-1", context="drill", context_id=5))
    again = await storage.attempts.record(
        attempt("i-1", context="drill", context_id=5, response="changed")
    )
    assert first.created
    assert not again.created
    assert again.attempt == first.attempt
    assert await storage.attempts.count(1) == 1


async def test_one_answer_per_card_per_drill(storage: Storage) -> None:
    await storage.attempts.record(attempt("a", context="drill", context_id=5))
    with pytest.raises(AlreadyAnswered):
        await storage.attempts.record(attempt("b", context="drill", context_id=5))
    await storage.attempts.record(attempt("c", context="drill", context_id=6))
    await storage.attempts.record(attempt("d", context="quiz"))
    await storage.attempts.record(attempt("e", context="quiz"))
    assert await storage.attempts.count(1) == 4


async def test_concurrent_writes_share_transactions_and_a_failure_stays_alone(
    storage: Storage,
) -> None:
    keys = [f"k{i}" for i in range(200)]
    results = await asyncio.gather(
        *(storage.attempts.record(attempt(key, user_id=i % 13)) for i, key in enumerate(keys)),
        storage.attempts.record(attempt("bad", context="drill", context_id=1)),
        storage.attempts.record(attempt("bad-twin", context="drill", context_id=1)),
        return_exceptions=True,
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1
    assert isinstance(failures[0], AlreadyAnswered)
    assert await storage.attempts.count(1) == 201


async def test_writes_survive_a_restart(database_url: str) -> None:
    path = database_url
    storage = await Storage.open(path)
    await storage.attempts.record(attempt("x"), lambda prev: review(prev, Rating.Good, NOW))
    await storage.close()
    reopened = await Storage.open(path)
    try:
        assert (await reopened.attempts.by_key("x")) is not None
        state = await reopened.srs.get(1, 7, "deck", "card")
        assert state is not None
        assert state.due > NOW
    finally:
        await reopened.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_writer_killed_mid_transaction_leaves_no_partial_attempt(
    backend: str, database_url: str
) -> None:
    """A process dies between writing an attempt and its card state: nothing of it remains."""
    path = database_url
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal
        from bot.storage import Storage
        from bot.storage.sql import execute

        async def main():
            storage = await Storage.open({path!r})

            def half_written():
                yield from execute(
                    "INSERT INTO attempts (attempt_key, guild_id, user_id, deck_id, card_id, context,"
                    " response, outcome, score, points, answered_at, local_day)"
                    " VALUES ('doomed', 1, 7, 'deck', 'card', 'quiz', 'x', 'correct', 1, 10, 0, 0)"
                )
                os.kill(os.getpid(), signal.SIGKILL)

            await storage.db.write(half_written)

        asyncio.run(main())
        """
    )
    process = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        timeout=60,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr

    async def check() -> None:
        storage = await Storage.open(path)
        try:
            assert await storage.attempts.by_key("doomed") is None
            assert await storage.attempts.count(1) == 0
            if backend == "sqlite":
                row = await storage.db.fetchone("PRAGMA integrity_check")
                assert row is not None
                assert row[0] == "ok"
        finally:
            await storage.close()

    asyncio.run(check())


async def test_all_time_totals_always_equal_the_attempts(storage: Storage) -> None:
    for i in range(30):
        await storage.attempts.record(
            attempt(
                f"t{i}",
                user_id=i % 3,
                deck_id=f"d{i % 2}",
                outcome="wrong" if i % 4 else "correct",
                points=0 if i % 4 else 10,
            )
        )
    miss = await storage.attempts.by_key("t1")
    assert miss is not None
    claim = await storage.answers.file_claim(miss.id, 0)
    await storage.answers.decide(claim.id, 1, approve=True, decided_by=9, now_ms=0, points=10)

    async def check(deck_id: str | None) -> None:
        fast = await storage.stats.leaders(1, start_ms=None, end_ms=None, deck_id=deck_id, limit=10)
        summed = await storage.stats.leaders(1, start_ms=0, end_ms=2**62, deck_id=deck_id, limit=10)
        assert fast == summed
        assert fast

    await check(None)
    await check("d0")
    await check("d1")


def _answers_of_a_burst() -> list[tuple[NewAttempt, Rating]]:
    """Answers arriving at once: many members, one member twice on one card (quiz, then a drill),
    the same interaction delivered twice, an answer stored before, and a second answer to the
    same drill card."""
    burst = [
        (attempt(f"m{i}", user_id=100 + i, display_name=f"m{i}", context="drill", context_id=5), r)
        for i, r in zip(range(70), [Rating.Good, Rating.Again, Rating.Hard] * 24, strict=False)
    ]
    burst += [
        (attempt("q1", user_id=7, display_name="ada"), Rating.Good),
        (
            attempt("q2", user_id=7, display_name="ada b", context="drill", context_id=5),
            Rating.Hard,
        ),
        (attempt("q2", user_id=7, response="again", context="drill", context_id=5), Rating.Good),
        (attempt("stored", user_id=8, response="changed"), Rating.Again),
        (attempt("q3", user_id=7, context="drill", context_id=5, outcome="wrong"), Rating.Again),
        (
            attempt("q4", user_id=7, display_name="ada c", card_id="other", outcome="wrong"),
            Rating.Again,
        ),
        (attempt("q5", user_id=9, deck_id="other"), Rating.Good),
    ]
    return burst


async def _record_burst(storage: Storage, *, together: bool) -> tuple[list[object], list[object]]:
    await storage.attempts.record(
        attempt("stored", user_id=8), lambda prev: review(prev, Rating.Good, NOW)
    )
    await storage.attempts.record(
        attempt("before", user_id=7), lambda prev: review(prev, Rating.Again, NOW)
    )

    def recording(new: NewAttempt, rating: Rating) -> Coroutine[Any, Any, Recorded]:
        return storage.attempts.record(new, lambda prev: review(prev, rating, NOW))

    burst = _answers_of_a_burst()
    if together:
        results = await asyncio.gather(*(recording(*a) for a in burst), return_exceptions=True)
    else:
        results = []
        for answer in burst:
            try:
                results.append(await recording(*answer))
            except AlreadyAnswered as exc:
                results.append(exc)
    seen: list[object] = [type(r).__name__ if isinstance(r, BaseException) else r for r in results]
    tables = []
    for table, order in (
        ("attempts", "id"),
        ("members", "guild_id, user_id"),
        ("srs_cards", "guild_id, user_id, deck_id, card_id"),
        ("member_totals", "guild_id, user_id, deck_id"),
    ):
        rows = await storage.db.fetchall(f"SELECT * FROM {table} ORDER BY {order}")
        tables.append((table, [tuple(row) for row in rows]))
    return seen, tables


async def test_answers_recorded_together_are_what_one_after_another_would_record(
    tmp_path: Path,
) -> None:
    """The writer records answers that arrive together in a few multi-row statements; the results
    and everything stored are exactly what recording them one after another gives."""
    apart = await Storage.open(tmp_path / "apart.sqlite3")
    together = await Storage.open(tmp_path / "together.sqlite3")
    try:
        one_by_one = await _record_burst(apart, together=False)
        at_once = await _record_burst(together, together=True)
    finally:
        await apart.close()
        await together.close()
    assert at_once[0] == one_by_one[0]
    assert at_once[1] == one_by_one[1]
    outcomes = at_once[0]
    assert outcomes.count("AlreadyAnswered") == 1
    duplicate = outcomes[-5]
    assert isinstance(duplicate, Recorded) and not duplicate.created
    again = outcomes[-4]
    assert isinstance(again, Recorded) and not again.created
    assert again.attempt.response == "LeCun"
    third = outcomes[-6]  # the member's third review of the card: before the burst, q1, q2
    assert isinstance(third, Recorded) and third.srs is not None
    assert third.srs.reviews == 3


async def test_one_bad_answer_among_answers_recorded_together_fails_alone(
    storage: Storage,
) -> None:
    """An answer the database refuses (here an outcome its CHECK does not allow) fails the
    multi-row statement; the answers beside it are then recorded one by one, and only it fails."""
    good = [attempt(f"g{i}", user_id=i) for i in range(20)]
    bad = attempt("bad", outcome="bogus")  # type: ignore[arg-type]
    results = await asyncio.gather(
        *(
            storage.attempts.record(a, lambda prev: review(prev, Rating.Good, NOW))
            for a in good[:10]
        ),
        storage.attempts.record(bad),
        *(
            storage.attempts.record(a, lambda prev: review(prev, Rating.Good, NOW))
            for a in good[10:]
        ),
        return_exceptions=True,
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1
    assert await storage.attempts.count(1) == 20
    assert await storage.attempts.by_key("bad") is None
    for i in range(20):
        state = await storage.srs.get(1, i, "deck", "card")
        assert state is not None and state.reviews == 1
