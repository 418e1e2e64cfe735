"""PostgreSQL through an asyncpg connection pool: the backend for several bot processes sharing one
database (DATABASE_URL=postgresql://…).

Each write is one transaction on a pooled connection, committed (and so on disk, with the server's
default synchronous_commit) before its call returns. PostgreSQL's own concurrency replaces the
SQLite writer's group commit: writes run side by side, the server batches their WAL flushes, and
the row locks that the repositories' upserts take serialize what must be serialized (one member's
answers, one slot's claim). A write that loses a deadlock or a serialization conflict is run
again, which is safe because a script decides everything from what it reads in its transaction.

Migrations are the files in migrations/postgresql/, numbered like the SQLite ones; each runs in
its own transaction with its version recorded, under an advisory lock so that two processes
starting at once do not both apply it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]

from bot.storage.db import MIGRATIONS_DIR, DatabaseUnavailable, Migration, MigrationError
from bot.storage.db import discover_migrations as _discover
from bot.storage.sql import (
    IntegrityViolation,
    Row,
    ScriptFactory,
    Statement,
    Together,
    numbered,
    run_async,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

POSTGRES_MIGRATIONS_DIR = MIGRATIONS_DIR / "postgresql"
MIGRATION_LOCK = 0x5354_4259  # pg_advisory_lock key: "STBY"
POOL_MIN, POOL_MAX = 1, 10
WRITE_ATTEMPTS = 5
_RETRYABLE = (asyncpg.exceptions.DeadlockDetectedError, asyncpg.exceptions.SerializationError)


def discover_migrations(directory: Path = POSTGRES_MIGRATIONS_DIR) -> list[Migration]:
    return _discover(directory)


def _status_count(status: str) -> int:
    """Rows affected, from a command tag such as 'UPDATE 3' or 'INSERT 0 1'."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def _runner(connection: Any) -> Any:
    async def run(statement: Statement) -> Any:
        sql = numbered(statement.sql)
        try:
            if statement.kind == "all":
                return await connection.fetch(sql, *statement.params)
            if statement.kind == "one":
                return await connection.fetchrow(sql, *statement.params)
            if statement.kind == "execute":
                return _status_count(await connection.execute(sql, *statement.params))
            await connection.executemany(sql, statement.params)
            return None
        except asyncpg.exceptions.IntegrityConstraintViolationError as exc:
            raise IntegrityViolation(str(exc)) from exc

    return run


async def current_version(connection: Any) -> int:
    exists = await connection.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return 0
    return int(await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))


async def migrate(
    connection: Any,
    migrations: Sequence[Migration] | None = None,
    *,
    target: int | None = None,
    now_ms: int = 0,
) -> list[str]:
    """Apply pending migrations in order, each in its own transaction. Returns the names applied."""
    migrations = list(migrations) if migrations is not None else discover_migrations()
    applied: list[str] = []
    await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        )
        version = await current_version(connection)
        for migration in migrations:
            if migration.version <= version or (target is not None and migration.version > target):
                continue
            try:
                async with connection.transaction():
                    await connection.execute(migration.sql)
                    await connection.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at)"
                        " VALUES ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        now_ms,
                    )
            except asyncpg.PostgresError as exc:
                raise MigrationError(f"{migration.name} failed and was rolled back: {exc}") from exc
            applied.append(migration.name)
            log.info("applied migration %s", migration.name)
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    return applied


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{host}"


class PostgresDatabase:
    """A PostgreSQL database: `read` for queries, `write` for transactions (scripts, see sql.py)."""

    dialect = "postgresql"

    def __init__(self, url: str, pool: Any) -> None:
        self.url = url
        self._pool = pool

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        migrate_schema: bool = True,
        now_ms: int = 0,
        min_size: int = POOL_MIN,
        max_size: int = POOL_MAX,
    ) -> PostgresDatabase:
        try:
            pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
            raise DatabaseUnavailable(f"{_redacted(url)}: cannot connect ({exc})") from None
        db = cls(url, pool)
        try:
            if migrate_schema:
                await db.write_migrations(now_ms=now_ms)
        except BaseException:
            await pool.close()
            raise
        return db

    async def close(self) -> None:
        await self._pool.close()

    async def __aenter__(self) -> PostgresDatabase:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def write(self, op: ScriptFactory[T], *, together: Together[Any, T] | None = None) -> T:
        """Each write in a transaction of its own (`together` is for the SQLite writer's batches:
        here writes run side by side on the pool)."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                async with self._pool.acquire() as connection, connection.transaction():
                    result: T = await run_async(op(), _runner(connection))
                    return result
            except _RETRYABLE:
                if attempt == WRITE_ATTEMPTS:
                    raise
                log.info("write conflicted with another; running it again (%d)", attempt)
        raise AssertionError("unreachable")

    async def read(self, op: ScriptFactory[T]) -> T:
        async with (
            self._pool.acquire() as connection,
            connection.transaction(isolation="repeatable_read", readonly=True),
        ):
            result: T = await run_async(op(), _runner(connection))
            return result

    async def fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        async with self._pool.acquire() as connection:
            found: list[Row] = await connection.fetch(numbered(sql), *parameters)
            return found

    async def fetchone(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        async with self._pool.acquire() as connection:
            found: Row | None = await connection.fetchrow(numbered(sql), *parameters)
            return found

    async def write_migrations(self, *, now_ms: int) -> list[str]:
        async with self._pool.acquire() as connection:
            return await migrate(connection, now_ms=now_ms)

    async def version(self) -> int:
        async with self._pool.acquire() as connection:
            return await current_version(connection)
