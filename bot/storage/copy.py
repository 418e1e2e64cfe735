"""Moving up: copy a SQLite database into PostgreSQL, so a bot that outgrows SQLite keeps its
history.

    python -m bot.storage.copy data/study-tutor.sqlite3 postgresql://bot@db/study

Both databases are first migrated to the version this bot runs. Every table is copied in key
order with `ON CONFLICT DO NOTHING`, in one transaction on the target, so a rerun copies only what
is missing and never a row twice; then the target's rows are compared with the source's, row for
row, and anything else (a target holding other data) undoes the whole copy. The all-time totals
are not copied: the target's triggers build them from the attempts as they arrive, and they are
checked against the source's like every other table's row count. Identity sequences are moved past
the highest id copied, so the bot's next rows do not collide with the copied ones.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bot.storage.db import Database, DatabaseUnavailable
from bot.storage.postgres import PostgresDatabase, _redacted
from bot.storage.sql import numbered

TABLES: tuple[tuple[str, str], ...] = (
    # (table, key order) in an order that respects the foreign keys
    ("guilds", "guild_id"),
    ("members", "guild_id, user_id"),
    ("attempts", "id"),
    ("srs_cards", "guild_id, user_id, deck_id, card_id"),
    ("accepted_answers", "guild_id, deck_id, card_id, answer"),
    ("claims", "id"),
    ("schedules", "id"),
    ("schedule_fires", "schedule_id, slot"),
    ("drills", "id"),
    ("drill_cards", "drill_id, position"),
    ("study_sessions", "id"),
    ("session_cards", "session_id, position"),
    ("quiz_rounds", "id"),
    ("guild_decks", "guild_id, deck_id"),
    ("reminders", "guild_id, user_id"),
    ("reminder_fires", "guild_id, user_id, local_date"),
    ("role_rewards", "guild_id, role_id"),
    ("role_holders", "guild_id, role_id, user_id"),
    ("reward_runs", "guild_id, local_date"),
    ("recaps", "guild_id, channel_id"),
    ("recap_posts", "guild_id, channel_id, slot"),
)
DERIVED = ("member_totals",)
"""Kept by triggers from the copied rows, so checked by count rather than copied."""
IDENTITIES = ("attempts", "claims", "schedules", "drills", "study_sessions", "quiz_rounds")
BOOLEANS = {("schedules", "paused")}
BATCH = 2000


class CopyError(RuntimeError):
    """The copy could not be made or does not match its source; the message says which table."""


@dataclass(frozen=True)
class TableCopy:
    table: str
    source_rows: int
    target_rows: int
    copied: int


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]


def _read_batches(
    path: Path, table: str, order: str
) -> tuple[list[str], list[list[tuple[Any, ...]]]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        columns = _columns(connection, table)
        cursor = connection.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
        batches = []
        while rows := cursor.fetchmany(BATCH):
            batches.append(rows)
        return columns, batches
    finally:
        connection.close()


_LIVE_TOTALS = "SELECT COUNT(*) FROM member_totals WHERE attempts > 0"
"""Totals rows that stand for answers (a row whose answers all went may linger at zero)."""


def _count(path: Path, sql: str) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(connection.execute(sql).fetchone()[0])
    finally:
        connection.close()


def _convert(table: str, columns: Sequence[str], row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        bool(value) if (table, column) in BOOLEANS and value is not None else value
        for column, value in zip(columns, row, strict=True)
    )


async def copy_database(source: str | Path, target: str) -> list[TableCopy]:
    """Copy the SQLite database `source` into the PostgreSQL database `target` (see the module
    docstring); returns each table's counts. Raises CopyError if a count differs after the copy."""
    if not target.startswith(("postgresql://", "postgres://")):
        raise CopyError(f"{_redacted(target)}: the target must be a postgresql:// database")
    path = Path(str(source).removeprefix("sqlite:///"))
    if not await asyncio.to_thread(path.is_file):
        raise CopyError(f"{path}: no such SQLite database")
    source_db = await Database.open(path)  # brought to this bot's schema version
    source_version = await source_db.version()
    await source_db.close()
    target_db = await PostgresDatabase.open(target)
    await target_db.close()
    try:
        connection = await asyncpg.connect(target)
    except (OSError, asyncpg.PostgresError) as exc:
        raise DatabaseUnavailable(f"{_redacted(target)}: cannot connect ({exc})") from None
    report: list[TableCopy] = []
    try:
        target_version = int(
            await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        )
        if target_version != source_version:
            raise CopyError(
                f"schema versions differ: source {source_version}, target {target_version}"
            )
        async with connection.transaction():
            for table, order in TABLES:
                columns, batches = await asyncio.to_thread(_read_batches, path, table, order)
                before = int(await connection.fetchval(f"SELECT COUNT(*) FROM {table}"))
                marks = ", ".join("?" * len(columns))
                insert = numbered(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                    " ON CONFLICT DO NOTHING"
                )
                for batch in batches:
                    await connection.executemany(
                        insert, [_convert(table, columns, row) for row in batch]
                    )
                after = int(await connection.fetchval(f"SELECT COUNT(*) FROM {table}"))
                report.append(TableCopy(table, sum(len(b) for b in batches), after, after - before))
                # Row for row, not just counted: a target that already held other rows with the
                # same keys would otherwise pass with the copied rows silently skipped.
                copied = {
                    tuple(row)
                    for row in await connection.fetch(f"SELECT {', '.join(columns)} FROM {table}")
                }
                wanted = {_convert(table, columns, row) for batch in batches for row in batch}
                if copied != wanted:
                    raise CopyError(
                        f"{table} differs from its source after the copy (nothing was committed):"
                        f" {len(wanted - copied)} source rows missing, {len(copied - wanted)} rows"
                        " that are not in the source; copy into an empty database"
                    )
            for table in IDENTITIES:
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
                )
            # Kept by the target's triggers from the attempts: compared, not copied.
            totals = int(await connection.fetchval(_LIVE_TOTALS))
            expected = await asyncio.to_thread(_count, path, _LIVE_TOTALS)
            report.append(TableCopy("member_totals", expected, totals, 0))
            wrong = [t for t in report if t.source_rows != t.target_rows]
            if wrong:
                raise CopyError(
                    "row counts differ after the copy (nothing was committed): "
                    + ", ".join(f"{t.table} {t.source_rows} → {t.target_rows}" for t in wrong)
                )
    finally:
        await connection.close()
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.storage.copy",
        description="Copy a SQLite database into an empty (or partly copied) PostgreSQL one.",
    )
    parser.add_argument("source", help="the SQLite file (a path or sqlite:///path)")
    parser.add_argument("target", help="postgresql://user@host/database")
    args = parser.parse_args(argv)
    try:
        report = asyncio.run(copy_database(args.source, args.target))
    except (CopyError, DatabaseUnavailable) as exc:
        print(f"copy-db: {exc}", file=sys.stderr)
        return 1
    for line in describe(report, args.target):
        print(line)
    return 0


def describe(report: list[TableCopy], target: str) -> list[str]:
    """What a copy did, a line per table and a last line naming the target (without password)."""
    lines = [f"{t.table:18} {t.source_rows:>10} rows, copied {t.copied}" for t in report]
    lines.append(f"copied into {_redacted(target)}; every table's row count matches its source")
    return lines


if __name__ == "__main__":
    sys.exit(main())
