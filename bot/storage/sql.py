"""The dialect layer: the repositories' SQL is written once and runs on SQLite and PostgreSQL.

A write (or a read of several queries that belong together) is a *script*: a generator that yields
`Statement`s and receives each one's result, e.g.

    def op() -> Script[int]:
        row = yield from one("INSERT INTO t (a) VALUES (?) RETURNING id", (a,))
        if (yield from execute("UPDATE u SET n = n + 1 WHERE id = ?", (b,))) == 0:
            ...
        return int(row["id"])

    await db.write(op)

A backend drives the script: SQLite synchronously in its writer thread, inside the group-commit
batch (so a batch still costs one hand-off and one flush); PostgreSQL asynchronously on a pooled
connection, in a transaction of its own. The script never sees the driver, so the repositories
never import one.

The SQL is the portable subset both engines accept, with `?` placeholders (`?1`, `?2` to reuse a
parameter) that the PostgreSQL backend rewrites to `$1, $2, …`. Portable means: no boolean
arithmetic (`SUM(CASE WHEN … THEN 1 ELSE 0 END)`, not `SUM(x = y)`), every selected column grouped
or aggregated, `ON CONFLICT` for idempotent inserts, `RETURNING` instead of `lastrowid`, row counts
from `execute` instead of `cursor.rowcount`. A statement that breaks a constraint raises
`IntegrityViolation` inside the script, whatever the driver called it; after one, a script may
only clean up and raise (PostgreSQL has aborted the transaction).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, Literal, Protocol, TypeAlias, TypeVar, cast

T = TypeVar("T")
Item = TypeVar("Item")

Kind = Literal["all", "one", "execute", "many"]


class Row(Protocol):
    """A result row: by column name or position, and iterable over its values (sqlite3.Row and
    asyncpg.Record are both)."""

    def __getitem__(self, key: int | str, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...


@dataclass(frozen=True)
class Statement:
    kind: Kind
    sql: str
    params: Sequence[Any]


Script: TypeAlias = Generator[Statement, Any, T]
ScriptFactory: TypeAlias = Callable[[], Script[T]]


@dataclass(frozen=True)
class Together(Generic[Item, T]):
    """Says that a write may run in one script with the writes beside it that have the same `many`:
    `many(items)` does what the writes' own scripts would do one after another, in that order,
    and gives each one's result, or the exception its own script would have raised (and then it
    wrote nothing for that item). The SQLite writer uses it for writes that arrive together: a
    few statements over many rows instead of a few statements per write, each of which hands
    the interpreter lock back and forth with a busy event loop. If `many` raises, its writes are
    undone and each write's own script runs instead. PostgreSQL runs each write's own script. The
    SQLite writer process (bot/storage/writer_process.py) is sent only `many` (by name) and the
    item, and runs `many([item])` where the others would run the write's own script: an item
    that is plain data costs the event loop microseconds to send, a script's closure far more."""

    many: Callable[[Sequence[Item]], Script[list[T | Exception]]]
    item: Item


class IntegrityViolation(Exception):
    """A statement broke a unique, check, not-null or foreign-key constraint."""


def rows(sql: str, params: Sequence[Any] = ()) -> Generator[Statement, Any, list[Row]]:
    result = yield Statement("all", sql, tuple(params))
    return cast(list[Row], result)


def one(sql: str, params: Sequence[Any] = ()) -> Generator[Statement, Any, Row | None]:
    result = yield Statement("one", sql, tuple(params))
    return cast(Row | None, result)


def execute(sql: str, params: Sequence[Any] = ()) -> Generator[Statement, Any, int]:
    """Run a statement; returns how many rows it inserted, updated or deleted."""
    result = yield Statement("execute", sql, tuple(params))
    return int(result)


def execute_many(sql: str, params: Sequence[Sequence[Any]]) -> Generator[Statement, Any, None]:
    if params:
        yield Statement("many", sql, [tuple(p) for p in params])


def run_sync(script: Script[T], run: Callable[[Statement], Any]) -> T:
    """Drive a script with a synchronous driver; `run` raises IntegrityViolation for a broken
    constraint, which is thrown into the script."""
    try:
        statement = next(script)
        while True:
            try:
                result = run(statement)
            except IntegrityViolation as exc:
                statement = script.throw(exc)
            else:
                statement = script.send(result)
    except StopIteration as stop:
        return cast(T, stop.value)


async def run_async(script: Script[T], run: Callable[[Statement], Any]) -> T:
    """Drive a script with an asynchronous driver (`run` returns an awaitable)."""
    try:
        statement = next(script)
        while True:
            try:
                result = await run(statement)
            except IntegrityViolation as exc:
                statement = script.throw(exc)
            else:
                statement = script.send(result)
    except StopIteration as stop:
        return cast(T, stop.value)


_MARK = re.compile(r"\?(\d*)")


@lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, …` (`?N` becomes `$N`). Our SQL has no `?` inside
    string literals, so a plain scan is exact."""
    counter = 0

    def mark(match: re.Match[str]) -> str:
        nonlocal counter
        if match.group(1):
            return f"${match.group(1)}"
        counter += 1
        return f"${counter}"

    return _MARK.sub(mark, sql)


class Executor(Protocol):
    """What the repositories need of a database backend."""

    async def write(self, op: ScriptFactory[T], *, together: Together[Any, T] | None = None) -> T:
        """Run the script in a write transaction; returns once it is committed to disk. Raises
        what the script raised, its writes undone. With `together`, the backend may instead run
        it with others like it in one script (see Together)."""
        ...

    async def read(self, op: ScriptFactory[T]) -> T:
        """Run a read-only script on one consistent snapshot."""
        ...

    async def fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> Sequence[Row]: ...

    async def fetchone(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None: ...
