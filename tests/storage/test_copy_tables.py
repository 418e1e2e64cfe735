"""copy-db knows every table of the schema: a table added by a migration and not listed would be
left behind when a server moves to PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import Storage
from bot.storage.copy import DERIVED, TABLES


async def test_every_table_is_copied_or_derived(tmp_path: Path) -> None:
    storage = await Storage.open(tmp_path / "s.sqlite3")
    await storage.close()
    connection = sqlite3.connect(tmp_path / "s.sqlite3")
    try:
        tables = {
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    finally:
        connection.close()
    covered = {table for table, _ in TABLES} | set(DERIVED)
    assert tables - covered <= {"schema_migrations"}
    assert covered <= tables
