"""The SQLite writer in a child process, so that writing runs on another core than the event loop.

A write is Python (the script's logic, building rows, the member's next FSRS state) between short
stretches of SQLite. In a thread of the bot's process it takes turns at the interpreter lock with the
event loop: when a hundred members answer at once, the loop replying to the first of them and the
writer recording the rest slow each other down, and each answer waits for both. The child
(`python -m bot.storage.writer_process FILE`) holds the database's write connection and runs each
group-commit batch exactly as the thread would (`bot.storage.db._apply_batch`: one transaction,
a savepoint per write, one flush to disk).

What crosses the pipe are pickles between two processes of the same program, never anything a
member or a deck wrote as code. A write that may run together with others (`Together`) goes as its
`many` function, by name, and its item: a few microseconds of the event loop. Any other write is a
closure over its arguments and goes by value (cloudpickle), which costs more but is rare (settings,
schedules, claims). A write that cannot be sent, or that the child cannot load, makes its batch
run in the bot's process (nothing of it ran in the child).

If the child cannot start, the bot's process writes (in its thread, as without it). If the child
dies during a batch, that batch's writes fail with `WriteOutcomeUnknown` (the child may have
committed them just before it died), and later batches start a new child, `RESTARTS` times at most.
SIGTERM ends the child between batches only; a batch it never read then runs in the bot.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import cloudpickle

from bot import child_process
from bot.child_process import pickled
from bot.storage.sql import Script, ScriptFactory, Together

log = logging.getLogger("bot.writer_process")

RESTARTS = 3
"""How many times a child that died is started again before writes stay in the bot's process."""
READY_TIMEOUT = 30.0
"""Seconds the child may take to start and open the database."""

Write = tuple[ScriptFactory[Any], Together[Any, Any] | None]
Result = tuple[bool, Any]


class WriterGone(Exception):
    """The batch was not sent (no child, or it could not be pickled): nothing was written, and it
    may run in the bot's process instead."""


class WriteOutcomeUnknown(RuntimeError):
    """The writer process stopped while it had this write, or its answer could not be read: it
    may or may not have been saved."""


class SavedResultLost(RuntimeError):
    """The write was saved, but what its script returned could not come back from the child."""


class WriterProcess:
    def __init__(self, path: Path, *, command: Sequence[str] | None = None) -> None:
        self.path = path
        self._command = list(command or (sys.executable, "-m", "bot.storage.writer_process"))
        self._child: asyncio.subprocess.Process | None = None
        self._starts = 0
        self._gave_up = False
        self._lock = asyncio.Lock()
        self.batches = 0
        """Batches the child has committed (or rolled back whole) and answered."""

    @property
    def running(self) -> bool:
        return self._child is not None and self._child.returncode is None

    async def start(self) -> bool:
        """Start the child and wait until it has opened the database; False (and one log line) if
        it could not."""
        self._starts += 1
        child = await child_process.start(
            [*self._command, str(self.path)],
            ready_timeout=READY_TIMEOUT,
            name="database writer process",
            fallback="writing in the bot",
            log=log,
        )
        if child is None:
            return False
        self._child = child
        log.info("database writes in process %d", child.pid)
        return True

    async def _restart(self) -> bool:
        if self._starts - 1 < RESTARTS:
            return await self.start()
        if not self._gave_up:
            self._gave_up = True
            log.error(
                "database writer process started %d times; writing in the bot from now on",
                self._starts,
            )
        return False

    async def apply(self, writes: Sequence[Write]) -> list[Result]:
        """Run a batch in the child: each write's (ok, result or exception), as `_apply_batch`
        gives them. Raises WriterGone when the batch was not sent, WriteOutcomeUnknown when the
        child stopped with it, and what `_apply_batch` raised (the whole batch rolled back)."""
        async with self._lock:
            if not self.running and not await self._restart():
                raise WriterGone()
            child = self._child
            assert child is not None and child.stdin is not None and child.stdout is not None
            try:
                message = _batch_message(writes)
            except Exception as exc:
                log.debug("a write cannot go to the writer process: %r", exc)
                raise WriterGone() from exc
            try:
                child.stdin.write(child_process.framed(message))
                await child.stdin.drain()
            except OSError as exc:  # the child is gone and read none of it
                self._child = None
                await child_process.stop(child)
                raise WriterGone() from exc
            try:
                raw = await child_process.read_raw(child.stdout)
            except (OSError, asyncio.IncompleteReadError) as exc:
                self._child = None
                await child_process.stop(child)
                if child.returncode == 0 and _nothing_read(exc):
                    # It ended between batches (SIGTERM, or its input closed) and never read
                    # this one: nothing of it was written.
                    log.info("database writer process %d ended; writing in the bot", child.pid)
                    raise WriterGone() from exc
                log.error(
                    "database writer process %d stopped (%s); %d writes may be lost",
                    child.pid,
                    type(exc).__name__,
                    len(writes),
                )
                raise WriteOutcomeUnknown(
                    "the database writer stopped while saving this; it may or may not be saved"
                ) from exc
        self.batches += 1
        try:
            kind, value = pickle.loads(raw)
        except Exception as exc:  # the batch is decided; only its answer cannot be read here
            log.error("database writer's answer to %d writes cannot be read: %r", len(writes), exc)
            raise WriteOutcomeUnknown(
                "the database writer's answer could not be read; this may or may not be saved"
            ) from exc
        if kind == "unloadable":
            log.error("the database writer process could not load a write: %s", value)
            raise WriterGone()
        if kind == "failed":
            raise value
        results: list[Result] = value
        return results

    async def close(self) -> None:
        async with self._lock:
            child, self._child = self._child, None
            if child is not None:
                await child_process.stop(child)


_Shipped = tuple[Any, Any] | bytes
"""A write as the child receives it: a `Together`'s function (by name) and item, or the pickled
script factory (by value)."""


def _batch_message(writes: Sequence[Write]) -> bytes:
    """The batch in one pickle when every write goes as a `Together` (the answers of a burst: one
    call, and the function, enums and time zones they share written once); else write by write."""
    entries: list[_Shipped] = [
        (together.many, together.item) if together is not None else _by_value(op)
        for op, together in writes
    ]
    try:
        return pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        pass  # an item that holds a closure
    entries = [_shipped(op, together) for op, together in writes]
    return pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)


def _shipped(op: ScriptFactory[Any], together: Together[Any, Any] | None) -> _Shipped:
    if together is not None:
        try:
            pickle.dumps(together.item, protocol=pickle.HIGHEST_PROTOCOL)
            return (together.many, together.item)
        except (pickle.PicklingError, AttributeError, TypeError):
            pass  # the write goes by value below
    return _by_value(op)


def _by_value(op: ScriptFactory[Any]) -> bytes:
    blob: bytes = cloudpickle.dumps(op, protocol=pickle.HIGHEST_PROTOCOL)
    return blob


def _received(entry: _Shipped) -> Write:
    if isinstance(entry, bytes):
        return pickle.loads(entry), None
    together: Together[Any, Any] = Together(*entry)
    return (lambda: _alone(together)), together


def _alone(together: Together[Any, Any]) -> Script[Any]:
    """A write that came as its `Together` item, on its own (its batch's `many` failed):
    `many` over that item alone does what its own script does."""
    (value,) = yield from together.many([together.item])
    if isinstance(value, Exception):
        raise value
    return value


def _portable(results: list[Result], *, values: bool) -> list[Result]:
    """Results that reach the bot: an exception (and with `values`, a value) that does not survive
    pickling becomes an error that says what it was. A write that failed stays failed; one that
    was saved says so (SavedResultLost), so that nobody takes it for undone."""
    portable: list[Result] = []
    for ok, value in results:
        if ok and not values:
            portable.append((ok, value))
            continue
        try:
            pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:
            what = f"{type(value).__name__}: {value}"
            portable.append((False, SavedResultLost(what) if ok else RuntimeError(what)))
        else:
            portable.append((ok, value))
    return portable


def _open(path: str) -> sqlite3.Connection:
    """The write connection, set up as the bot's own writer is (bot.storage.db)."""
    from bot.storage.db import EVERY_CONNECTION, WRITE_DURABLY, check_wal

    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in EVERY_CONNECTION:
        connection.execute(pragma)
    check_wal(connection.execute("PRAGMA journal_mode = WAL").fetchone())
    connection.execute(WRITE_DURABLY)
    connection.row_factory = sqlite3.Row
    return connection


class _Stopping:
    """SIGTERM ends the child between batches, never inside one; Ctrl-C (SIGINT, which a terminal
    sends the whole process group) is the bot's to handle: it finishes its queued writes here,
    then closes the child's input."""

    def __init__(self) -> None:
        self.busy = False
        self.asked = False
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, self._terminate)

    def _terminate(self, signum: int, frame: object) -> None:
        self.asked = True
        if not self.busy:
            raise SystemExit(0)


def serve(path: str, requests: IO[bytes], replies: IO[bytes]) -> None:
    """The child's loop: batches in, results out, until its input closes."""
    # What the bot's writes run on, imported before the first of them waits for it.
    import bot.storage
    import bot.study.srs  # noqa: F401

    stopping = _Stopping()
    connection = _open(path)
    child_process.send(replies, pickled(("ready",)))
    try:
        while not stopping.asked and (raw := child_process.receive(requests)) is not None:
            stopping.busy = True
            try:
                child_process.send(replies, _answer(connection, raw))
            finally:
                stopping.busy = False
    finally:
        connection.close()


def _answer(connection: sqlite3.Connection, raw: bytes) -> bytes:
    """What the bot hears of a batch, pickled: ("done", each write's result), ("failed", the
    error that rolled it back whole), or ("unloadable", why) when a write could not even be
    loaded here (nothing ran: the bot runs the batch itself)."""
    from bot.storage.db import _apply_batch

    try:
        writes = [_received(entry) for entry in pickle.loads(raw)]
    except Exception as exc:
        return pickled(("unloadable", f"{type(exc).__name__}: {exc}"))
    try:
        results = _apply_batch(connection, writes)
    except Exception as exc:
        return pickled(("failed", _portable([(False, exc)], values=False)[0][1]))
    results = _portable(results, values=False)
    try:
        return pickled(("done", results))
    except Exception:  # a script returned what no pickle carries: those writes alone say so
        return pickled(("done", _portable(results, values=True)))


def _nothing_read(exc: BaseException) -> bool:
    return isinstance(exc, asyncio.IncompleteReadError) and not exc.partial


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m bot.storage.writer_process DATABASE_FILE")
    with child_process.protocol_stdout() as replies:
        serve(sys.argv[1], sys.stdin.buffer, replies)


if __name__ == "__main__":
    # Run as the module by its own name, so that what it pickles (SavedResultLost) is found in
    # the bot as bot.storage.writer_process, not as __main__.
    from bot.storage.writer_process import main as run

    run()
