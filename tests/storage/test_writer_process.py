"""SQLite's writes in a child process: the same results as in the bot's own thread, and nothing lost
or doubled when the child cannot start, dies between batches, or dies inside one."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import types
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import AlreadyAnswered, NewAttempt
from bot.storage import Storage, writer_process
from bot.storage.sql import Script, execute, one
from bot.storage.writer_process import WriteOutcomeUnknown, WriterProcess
from bot.study.srs import Rating, Review
from tests.storage.test_attempts import attempt as stored_attempt

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def attempt(key: str, user_id: int = 7) -> NewAttempt:
    """An answer to card 1 of drill 5 (one per member: a second one is AlreadyAnswered)."""
    return stored_attempt(key, user_id=user_id, context="drill", context_id=5)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = await Storage.open(tmp_path / "study.sqlite3", writer_process=True)
    try:
        yield opened
    finally:
        await opened.close()


def guild_written(guild_id: int) -> Callable[[], Script[int]]:
    """A write (a closure, as most writes are) that adds a server and says which process ran it."""

    def write() -> Script[int]:
        yield from execute("INSERT INTO guilds (guild_id, created_at) VALUES (?, 0)", (guild_id,))
        return os.getpid()

    return write


def child_of(storage: Storage) -> WriterProcess:
    process = getattr(storage.db, "_process", None)
    assert isinstance(process, WriterProcess) and process.running
    return process


async def _writes_through_a_new_child(
    storage: Storage, process: WriterProcess, gone: asyncio.subprocess.Process
) -> None:
    """The next write starts a child in place of `gone` and is stored."""
    await storage.guilds.set_timezone(1, "Asia/Tokyo", 0)
    assert process.running and process._child is not gone
    assert (await storage.guilds.get(1)).timezone == "Asia/Tokyo"


async def test_answers_recorded_together_in_the_child_read_back_as_written(
    storage: Storage,
) -> None:
    child_of(storage)
    recorded = await asyncio.gather(
        *(
            storage.attempts.record(
                attempt(f"k{n}", user_id=n), srs_update=Review(Rating.Good, NOW)
            )
            for n in range(20)
        )
    )
    assert [r.created for r in recorded] == [True] * 20
    assert all(r.srs is not None and r.srs.reviews == 1 for r in recorded)
    assert len({r.attempt.id for r in recorded}) == 20
    assert await storage.attempts.count(1) == 20
    stored = await storage.srs.get(1, 3, "deck", "card")
    assert stored is not None and stored == recorded[3].srs


async def test_a_repeated_key_and_a_second_answer_come_back_as_in_the_bot(
    storage: Storage,
) -> None:
    first = await storage.attempts.record(attempt("once"), srs_update=Review(Rating.Good, NOW))
    again, other = await asyncio.gather(
        storage.attempts.record(attempt("once"), srs_update=Review(Rating.Good, NOW)),
        storage.attempts.record(attempt("twice"), srs_update=Review(Rating.Good, NOW)),
        return_exceptions=True,
    )
    assert not isinstance(again, BaseException)
    assert not again.created and again.attempt.id == first.attempt.id
    assert isinstance(other, AlreadyAnswered)  # the same member and drill card
    assert await storage.attempts.count(1) == 1


async def test_writes_that_are_closures_run_in_the_child_and_fail_alone(storage: Storage) -> None:
    """A script that is not a `Together` goes to the child by value; one that raises takes only
    itself down, not the writes committed beside it."""
    pid = child_of(storage)._child.pid  # type: ignore[union-attr]

    def failing() -> Script[None]:
        yield from execute("INSERT INTO guilds (guild_id, created_at) VALUES (99, 0)")
        raise ValueError("no such deck: 'x'")

    results = await asyncio.gather(
        storage.guilds.set_timezone(1, "Europe/Berlin", 0),
        storage.db.write(failing),
        storage.db.write(guild_written(98)),
        return_exceptions=True,
    )
    assert results[0] is None
    assert isinstance(results[1], ValueError) and "no such deck" in str(results[1])
    assert results[2] == pid
    assert (await storage.guilds.get(1)).timezone == "Europe/Berlin"
    rows = await storage.db.fetchall("SELECT guild_id FROM guilds ORDER BY guild_id")
    assert [r["guild_id"] for r in rows] == [1, 98]


async def test_a_write_that_cannot_be_sent_runs_in_the_bot(storage: Storage) -> None:
    lock = threading.Lock()  # no pickle can carry it

    def holds_a_lock() -> Script[int]:
        with lock:
            yield from execute("INSERT INTO guilds (guild_id, created_at) VALUES (5, 0)")
        return os.getpid()

    assert await storage.db.write(holds_a_lock) == os.getpid()
    assert child_of(storage).running
    assert await storage.db.fetchone("SELECT 1 FROM guilds WHERE guild_id = 5") is not None


async def test_a_child_killed_between_writes_is_started_again(storage: Storage) -> None:
    process = child_of(storage)
    old = process._child
    assert old is not None
    await storage.guilds.set_timezone(1, "Europe/Berlin", 0)
    old.kill()
    await old.wait()
    await _writes_through_a_new_child(storage, process, old)


async def test_a_child_that_dies_inside_a_write_loses_it_whole_and_says_so(
    storage: Storage,
) -> None:
    """The child dies between writing an attempt and its card state: the caller hears that the
    write's fate is unknown, nothing of it is in the database, and the next write works."""

    def dies_half_way() -> Script[None]:
        yield from one(
            "INSERT INTO attempts (attempt_key, guild_id, user_id, deck_id, card_id, context,"
            " response, outcome, score, points, answered_at, local_day)"
            " VALUES ('doomed', 1, 7, 'deck', 'card', 'quiz', 'x', 'correct', 1, 10, 0, 0)"
            " RETURNING id"
        )
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(WriteOutcomeUnknown):
        await storage.db.write(dies_half_way)
    assert await storage.attempts.by_key("doomed") is None
    recorded = await storage.attempts.record(attempt("after"), srs_update=Review(Rating.Good, NOW))
    assert recorded.created
    assert await storage.attempts.count(1) == 1


async def test_without_a_child_the_bot_writes_itself_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(WriterProcess):
        def __init__(self, path: Path) -> None:
            super().__init__(path, command=[sys.executable, "-c", "raise SystemExit(3)"])

    monkeypatch.setattr(writer_process, "WriterProcess", Broken)
    with caplog.at_level(logging.ERROR, logger="bot.writer_process"):
        opened = await Storage.open(tmp_path / "study.sqlite3", writer_process=True)
    try:
        assert getattr(opened.db, "_process", None) is None
        recorded = await opened.attempts.record(attempt("k"), srs_update=Review(Rating.Good, NOW))
        assert recorded.created and recorded.srs is not None
    finally:
        await opened.close()
    assert len(caplog.records) == 1
    assert "writing in the bot" in caplog.records[0].getMessage()


async def test_ctrl_c_in_a_terminal_leaves_the_child_to_the_bot(storage: Storage) -> None:
    """A terminal sends SIGINT to the whole process group: the child keeps writing until the bot
    closes it, so the bot can finish its queued writes."""
    process = child_of(storage)
    child = process._child
    assert child is not None
    child.send_signal(signal.SIGINT)  # pending before the write below reaches the child

    assert await storage.db.write(guild_written(1)) == child.pid
    assert process._child is child and child.returncode is None


class Picky(Exception):
    """An error that pickles but cannot be rebuilt (its __init__ wants two arguments)."""

    def __init__(self, deck: str, line: int) -> None:
        super().__init__(f"{deck}:{line}")


async def test_what_cannot_come_back_from_the_child_fails_only_its_own_write(
    storage: Storage,
) -> None:
    def returns_a_generator() -> Script[object]:
        yield from execute("INSERT INTO guilds (guild_id, created_at) VALUES (41, 0)")
        return (n for n in range(3))

    def raises_picky() -> Script[None]:
        yield from execute("INSERT INTO guilds (guild_id, created_at) VALUES (42, 0)")
        raise Picky("deck", 3)

    results = await asyncio.gather(
        storage.db.write(returns_a_generator),
        storage.db.write(raises_picky),
        storage.guilds.set_timezone(43, "Asia/Tokyo", 0),
        return_exceptions=True,
    )
    assert isinstance(results[0], RuntimeError) and "generator" in str(results[0])
    assert isinstance(results[1], RuntimeError) and "Picky: deck:3" in str(results[1])
    assert results[2] is None
    rows = await storage.db.fetchall("SELECT guild_id FROM guilds ORDER BY guild_id")
    # The generator's write was committed (only its result could not come back); Picky's not.
    assert [r["guild_id"] for r in rows] == [41, 43]
    assert child_of(storage).running


async def test_a_child_told_to_stop_while_idle_is_replaced_at_the_next_write(
    storage: Storage,
) -> None:
    process = child_of(storage)
    child = process._child
    assert child is not None
    child.terminate()
    assert await child.wait() == 0  # it ended cleanly between batches
    await _writes_through_a_new_child(storage, process, child)


async def test_a_child_told_to_stop_inside_a_write_finishes_it_and_the_next_runs_in_the_bot(
    storage: Storage,
) -> None:
    """SIGTERM (systemd stops the whole group) while the child writes: it saves that batch and
    ends; the batch the bot sends next was never read, so the bot writes it itself."""
    child = child_of(storage)._child
    assert child is not None

    def stopped_half_way() -> Script[int]:
        yield from execute("INSERT INTO guilds (guild_id, created_at) VALUES (61, 0)")
        os.kill(os.getpid(), signal.SIGTERM)
        return os.getpid()

    assert await storage.db.write(stopped_half_way) == child.pid
    recorded = await storage.attempts.record(attempt("next"), srs_update=Review(Rating.Good, NOW))
    assert recorded.created
    assert child.returncode == 0
    assert await storage.attempts.count(1) == 1
    assert await storage.db.fetchone("SELECT 1 FROM guilds WHERE guild_id = 61") is not None


async def test_a_write_the_child_cannot_load_runs_with_its_batch_in_the_bot(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that pickles here but names what the child cannot import: nothing ran there, so
    the whole batch runs in the bot and every write in it is saved."""
    only_here = types.ModuleType("only_in_the_bot")

    class Marker:
        pass

    Marker.__module__ = only_here.__name__
    Marker.__qualname__ = "Marker"
    only_here.Marker = Marker  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, only_here.__name__, only_here)
    marker = Marker()

    def names_a_module_the_child_lacks() -> Script[int]:
        assert marker is not None
        yield from execute("INSERT INTO guilds (guild_id, created_at) VALUES (71, 0)")
        return os.getpid()

    results = await asyncio.gather(
        storage.db.write(names_a_module_the_child_lacks),
        *(
            storage.attempts.record(
                attempt(f"k{n}", user_id=n), srs_update=Review(Rating.Good, NOW)
            )
            for n in range(3)
        ),
    )
    assert results[0] == os.getpid()
    assert await storage.attempts.count(1) == 3
    assert child_of(storage).running  # and the child takes the next batches


async def test_an_answer_the_bot_cannot_read_is_unknown_not_rolled_back(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    """The child committed the batch, but a value in its answer cannot be rebuilt here (an
    exception whose constructor wants two arguments, inside a list): the writes are reported as
    of unknown outcome, never as undone."""

    def returns_picky() -> Script[list[Picky]]:
        yield from execute("INSERT INTO guilds (guild_id, created_at) VALUES (81, 0)")
        return [Picky("deck", 3)]

    with caplog.at_level(logging.ERROR):
        results = await asyncio.gather(
            storage.db.write(returns_picky),
            storage.guilds.set_timezone(82, "Asia/Tokyo", 0),
            return_exceptions=True,
        )
    assert all(isinstance(r, WriteOutcomeUnknown) for r in results)
    assert not any("rolled back" in r.getMessage() for r in caplog.records)
    rows = await storage.db.fetchall("SELECT guild_id FROM guilds ORDER BY guild_id")
    assert [r["guild_id"] for r in rows] == [81, 82]


async def test_after_its_restarts_the_bot_writes_itself_and_says_so_once(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    process = child_of(storage)
    with caplog.at_level(logging.ERROR, logger="bot.writer_process"):
        for n in range(5):
            child = process._child
            if child is not None and child.returncode is None:
                child.kill()
                await child.wait()
            await storage.guilds.set_timezone(1, f"Etc/GMT+{n}", 0)
    assert not process.running
    assert (await storage.guilds.get(1)).timezone == "Etc/GMT+4"
    gave_up = [r for r in caplog.records if "from now on" in r.getMessage()]
    assert len(gave_up) == 1
