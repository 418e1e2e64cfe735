"""The SQLite database: connection set-up, migrations, and a group-committing writer.

A writer and `READERS` reader connections (aiosqlite) share one WAL database file. The readers
serve queries from committed snapshots, so a leaderboard never waits for a write or sees half of
one. The writer runs every write inside a transaction with `synchronous=FULL`, so a write is on
disk when its call returns; writes that arrive together share one transaction (each in its own
savepoint, so one failing write never takes the others down) and therefore one disk flush. That
is what lets many members answer at once without each answer paying for its own fsync.

Opened with `writer_process` (as the bot is by default), the transactions run in a child process
(bot/storage/writer_process.py), where their Python does not take turns with the event loop at
the interpreter lock; in the writer thread here whenever the child cannot take them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import aiosqlite

from bot.storage.sql import IntegrityViolation, ScriptFactory, Statement, Together, run_sync

if TYPE_CHECKING:
    # Imported where used: `python -m bot.storage.writer_process` imports this package first,
    # and the module it runs must not be imported by it already.
    from bot.storage.writer_process import WriterProcess

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"
BUSY_TIMEOUT_MS = 5000
READERS = 3
"""Read connections, each with its own thread: a slow read (stats over a long history) does not
hold up the reads of answers behind it."""
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

T = TypeVar("T")


class MigrationError(RuntimeError):
    """A migration failed; the database stays at the last version that applied cleanly."""


class DatabaseUnavailable(RuntimeError):
    """The database file cannot be opened as SQLite; the message names the file and why."""


def _make_room(file: Path) -> None:
    """The database's folder exists, and the path is no directory."""
    if file.is_dir():
        raise DatabaseUnavailable(f"{file}: is a directory, not a database file")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseUnavailable(f"{file}: cannot create its folder ({exc.strerror})") from None


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_description.sql")
        migrations.append(Migration(int(match.group(1)), path.name, path.read_text("utf-8")))
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return migrations


def split_statements(sql: str) -> list[str]:
    """Statements of a script, so a migration can run inside one explicit transaction
    (sqlite3's executescript would commit first)."""
    statements: list[str] = []
    current = ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip().strip(";").strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in current.splitlines()
    ):
        raise MigrationError(f"incomplete SQL statement at the end: {current.strip()[:60]!r}")
    return statements


EVERY_CONNECTION = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA trusted_schema = OFF",
)
WRITE_DURABLY = "PRAGMA synchronous = FULL"
"""With EVERY_CONNECTION and WAL mode, how the writer connection is set up, in this process and
in the writer process alike."""


def check_wal(mode: object) -> None:
    """What `PRAGMA journal_mode = WAL` returned must be WAL: readers beside the writer need it."""
    if mode is None or str(mode[0]).lower() != "wal":  # type: ignore[index]
        raise RuntimeError(f"could not switch the database to WAL mode (got {mode})")


async def _configure(connection: aiosqlite.Connection, *, writer: bool) -> None:
    for pragma in EVERY_CONNECTION:
        await connection.execute(pragma)
    if writer:
        cursor = await connection.execute("PRAGMA journal_mode = WAL")
        check_wal(await cursor.fetchone())
        await connection.execute(WRITE_DURABLY)
    else:
        await connection.execute("PRAGMA query_only = ON")


async def current_version(connection: aiosqlite.Connection) -> int:
    cursor = await connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    )
    if await cursor.fetchone() is None:
        return 0
    cursor = await connection.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(
    connection: aiosqlite.Connection,
    migrations: Sequence[Migration] | None = None,
    *,
    target: int | None = None,
    now_ms: int = 0,
) -> list[str]:
    """Apply pending migrations in order, each in its own transaction. Returns the names applied."""
    migrations = list(migrations) if migrations is not None else discover_migrations()
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
    )
    version = await current_version(connection)
    applied: list[str] = []
    for migration in migrations:
        if migration.version <= version or (target is not None and migration.version > target):
            continue
        await connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in split_statements(migration.sql):
                await connection.execute(statement)
            await connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, now_ms),
            )
            await connection.execute("COMMIT")
        except sqlite3.Error as exc:
            await connection.execute("ROLLBACK")
            raise MigrationError(f"{migration.name} failed and was rolled back: {exc}") from exc
        applied.append(migration.name)
        log.info("applied migration %s", migration.name)
    return applied


@dataclass
class _PendingWrite:
    op: ScriptFactory[Any]
    together: Together[Any, Any] | None
    future: asyncio.Future[Any]


def _runner(connection: sqlite3.Connection) -> Callable[[Statement], Any]:
    """Run one statement of a script on a sqlite3 connection."""

    def run(statement: Statement) -> Any:
        try:
            if statement.kind == "all":
                return connection.execute(statement.sql, statement.params).fetchall()
            if statement.kind == "one":
                return connection.execute(statement.sql, statement.params).fetchone()
            if statement.kind == "execute":
                return connection.execute(statement.sql, statement.params).rowcount
            connection.executemany(statement.sql, statement.params)
            return None
        except sqlite3.IntegrityError as exc:
            raise IntegrityViolation(str(exc)) from exc

    return run


def _apply_batch(
    connection: sqlite3.Connection,
    writes: Sequence[tuple[ScriptFactory[Any], Together[Any, Any] | None]],
) -> list[tuple[bool, Any]]:
    """Run write operations in one transaction, each in its own savepoint. Runs in the database
    thread, so the whole batch costs one hand-off from the event loop and one flush to disk.
    Writes side by side that may run together (see Together) run as one script first."""
    results: list[tuple[bool, Any]] = []
    run = _runner(connection)
    connection.execute("BEGIN IMMEDIATE")
    try:
        start = 0
        while start < len(writes):
            together = writes[start][1]
            end = start + 1
            if together is not None:
                while end < len(writes) and _same_group(writes[end][1], together):
                    end += 1
            if end - start > 1 and together is not None:
                items = [t.item for _, t in writes[start:end] if t is not None]
                merged = _apply_together(connection, run, together, items)
                if merged is not None:
                    results.extend(merged)
                    start = end
                    continue
            for op, _ in writes[start:end]:
                results.append(_apply_one(connection, run, op))
            start = end
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return results


def _told_already(exc: Exception) -> bool:
    """The writer process logged it when it stopped with the batch."""
    from bot.storage.writer_process import WriteOutcomeUnknown

    return isinstance(exc, WriteOutcomeUnknown)


def _same_group(candidate: Together[Any, Any] | None, together: Together[Any, Any]) -> bool:
    return candidate is not None and candidate.many == together.many


# One savepoint at a time, so one name serves them all: a name per write made every write of a
# large batch a new statement for sqlite3's statement cache (128), which then pushed out and
# prepared again the writes' own statements (an attempt's INSERT and its trigger).
def _apply_one(
    connection: sqlite3.Connection, run: Callable[[Statement], Any], op: ScriptFactory[Any]
) -> tuple[bool, Any]:
    connection.execute("SAVEPOINT w")
    try:
        value = run_sync(op(), run)
    except Exception as exc:  # one failed write must not fail the others
        connection.execute("ROLLBACK TO w")
        connection.execute("RELEASE w")
        return (False, exc)
    connection.execute("RELEASE w")
    return (True, value)


def _apply_together(
    connection: sqlite3.Connection,
    run: Callable[[Statement], Any],
    together: Together[Any, Any],
    items: list[Any],
) -> list[tuple[bool, Any]] | None:
    """The writes' results from one script over all of them; None (nothing written) if it
    failed, and then each runs on its own."""
    connection.execute("SAVEPOINT w")
    try:
        values = run_sync(together.many(items), run)
        if len(values) != len(items):
            raise RuntimeError(f"{len(values)} results for {len(items)} writes")
    except Exception:
        connection.execute("ROLLBACK TO w")
        connection.execute("RELEASE w")
        log.debug("writes run together failed; running them one by one", exc_info=True)
        return None
    connection.execute("RELEASE w")
    return [(not isinstance(value, Exception), value) for value in values]


class Database:
    """One SQLite file: `read` for queries, `write` for transactions (both take scripts, see
    bot/storage/sql.py)."""

    dialect = "sqlite"

    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        readers: list[aiosqlite.Connection],
        process: WriterProcess | None = None,
    ) -> None:
        self.path = path
        self._writer = writer
        self._process = process
        self._readers = readers
        self._reading = [0] * len(readers)
        self._pending: list[_PendingWrite] = []
        self._wake = asyncio.Event()
        self._closed = False
        self._flusher = asyncio.create_task(self._flush_forever(), name="database-writer")

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        migrate_schema: bool = True,
        now_ms: int = 0,
        writer_process: bool = False,
    ) -> Database:
        """Open (and migrate) the file. With `writer_process`, transactions run in a child process
        (bot/storage/writer_process.py), and in this process's thread if it cannot start."""
        file = Path(path)
        await asyncio.to_thread(_make_room, file)
        try:
            writer = await aiosqlite.connect(file, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(f"{file}: cannot be opened ({exc})") from None
        readers: list[aiosqlite.Connection] = []
        try:
            await _configure(writer, writer=True)
            if migrate_schema:
                await migrate(writer, now_ms=now_ms)
            for _ in range(READERS):
                reader = await aiosqlite.connect(file, isolation_level=None)
                readers.append(reader)
                await _configure(reader, writer=False)
                reader.row_factory = sqlite3.Row
            writer.row_factory = sqlite3.Row
        except sqlite3.DatabaseError as exc:
            for reader in readers:
                await reader.close()
            await writer.close()
            raise DatabaseUnavailable(
                f"{file}: cannot be used as a SQLite database ({exc})"
            ) from None
        except BaseException:
            for reader in readers:
                await reader.close()
            await writer.close()
            raise
        process = None
        if writer_process:
            from bot.storage import writer_process as child

            process = child.WriterProcess(file)
            if not await process.start():
                process = None
        return cls(file, writer, readers, process)

    async def close(self) -> None:
        """Finish queued writes, then stop the writer process and close the connections."""
        if self._closed:
            return
        self._closed = True
        self._wake.set()
        await self._flusher
        if self._process is not None:
            await self._process.close()
        for reader in self._readers:
            await reader.close()
        await self._writer.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def write(self, op: ScriptFactory[T], *, together: Together[Any, T] | None = None) -> T:
        """Run the script `op()` in a write transaction, in the database thread; returns its result
        once the transaction is committed to disk. Raises what it raised (its writes undone).
        Writes with `together` that arrive side by side run as one script (see Together)."""
        if self._closed:
            raise RuntimeError("the database is closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append(_PendingWrite(op, together, future))
        self._wake.set()
        return await future

    async def _flush_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch, self._pending = self._pending, []
                await self._commit_batch(batch)
            if self._closed:
                return

    async def _commit_batch(self, batch: list[_PendingWrite]) -> None:
        ops = [(pending.op, pending.together) for pending in batch]
        try:
            results = await self._apply(ops)
        except Exception as exc:
            if not _told_already(exc):
                log.exception("write transaction failed; rolled back %d writes", len(batch))
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(exc)
            return
        for pending, (ok, value) in zip(batch, results, strict=True):
            if pending.future.done():
                continue
            if ok:
                pending.future.set_result(value)
            else:
                pending.future.set_exception(value)

    async def _apply(
        self, ops: list[tuple[ScriptFactory[Any], Together[Any, Any] | None]]
    ) -> list[tuple[bool, Any]]:
        if self._process is not None:
            from bot.storage.writer_process import WriterGone

            try:
                return await self._process.apply(ops)
            except WriterGone:
                pass
        # aiosqlite runs queued callables in its connection thread; this is the one place the
        # bot hands it a whole transaction instead of one statement.
        run_in_thread: Callable[..., Awaitable[list[tuple[bool, Any]]]] = self._writer._execute
        return await run_in_thread(_apply_batch, self._writer._conn, ops)

    async def fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a query to completion in one hand-off to the database thread. (Separate execute and
        fetch calls would let concurrent queries interleave on the reader, and a query whose
        statement is still open keeps its read snapshot: a later reader would miss fresh writes.)"""
        # One statement is one snapshot by itself: no BEGIN and COMMIT around it (each statement
        # costs the reader thread a turn at the interpreter lock).
        return await self._on_reader(lambda c: c.execute(sql, tuple(parameters)).fetchall())

    async def read(self, op: ScriptFactory[T]) -> T:
        """Run the script `op()` on the least busy reader, in its thread: several queries that
        belong together (a drill and its cards) in one hand-off and one read snapshot."""

        def snapshot(connection: sqlite3.Connection) -> T:
            connection.execute("BEGIN")
            try:
                return run_sync(op(), _runner(connection))
            finally:
                connection.execute("COMMIT")

        return await self._on_reader(snapshot)

    async def _on_reader(self, op: Callable[[sqlite3.Connection], T]) -> T:
        least = min(range(len(self._readers)), key=self._reading.__getitem__)
        reader = self._readers[least]
        self._reading[least] += 1
        try:
            run_in_thread: Callable[..., Awaitable[T]] = reader._execute
            return await run_in_thread(op, reader._conn)
        finally:
            self._reading[least] -= 1

    async def fetchone(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, parameters)
        return rows[0] if rows else None

    async def write_migrations(self, *, now_ms: int) -> list[str]:
        """Apply pending migrations on the writer (when opened with migrate_schema=False)."""
        return await migrate(self._writer, now_ms=now_ms)

    async def version(self) -> int:
        return await current_version(self._readers[0])
