from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import Storage
from bot.storage.db import (
    MIGRATIONS_DIR,
    Database,
    Migration,
    MigrationError,
    discover_migrations,
    migrate,
    split_statements,
)


def test_shipped_migrations_are_numbered_without_gaps() -> None:
    migrations = discover_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].name == "0001_initial.sql"


async def test_fresh_database_is_at_the_latest_version_with_wal_and_foreign_keys(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        assert await db.version() == len(discover_migrations())
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
        assert (await db.fetchone("PRAGMA busy_timeout"))[0] == 5000
    finally:
        await db.close()
    again = await Database.open(tmp_path / "a.sqlite3")
    try:
        assert await again.version() == len(discover_migrations())
    finally:
        await again.close()


async def test_old_database_migrates_forward_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as connection:
        await migrate(connection, target=1)
        await connection.execute(
            "INSERT INTO attempts (attempt_key, guild_id, user_id, deck_id, card_id, context, response,"
            " outcome, score, points, answered_at, local_day) VALUES"
            " ('k1', 1, 2, 'deck', 'card', 'quiz', 'LeCun', 'correct', 1.0, 10, 1000, 739000)"
        )
        cursor = await connection.execute("SELECT name FROM sqlite_master WHERE name = 'schedules'")
        assert await cursor.fetchone() is None

    storage = await Storage.open(path)
    try:
        assert await storage.db.version() == len(discover_migrations())
        attempt = await storage.attempts.by_key("k1")
        assert attempt is not None
        assert attempt.response == "LeCun"
        assert attempt.points == 10
        assert await storage.schedules.all() == []
    finally:
        await storage.close()


async def test_a_failing_migration_leaves_the_previous_version_intact(tmp_path: Path) -> None:
    good = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    bad = Migration(2, "0002_b.sql", "CREATE TABLE b (y INTEGER);\nINSERT INTO missing VALUES (1);")
    async with aiosqlite.connect(tmp_path / "m.sqlite3", isolation_level=None) as connection:
        with pytest.raises(MigrationError, match=r"0002_b\.sql failed and was rolled back"):
            await migrate(connection, [good, bad])
        cursor = await connection.execute("SELECT MAX(version) FROM schema_migrations")
        assert (await cursor.fetchone())[0] == 1
        cursor = await connection.execute("SELECT name FROM sqlite_master WHERE name = 'b'")
        assert await cursor.fetchone() is None


def test_split_statements_keeps_semicolons_inside_strings_and_skips_comments() -> None:
    sql = "-- a comment; not a statement\nCREATE TABLE t (x TEXT DEFAULT 'a;b');\nINSERT INTO t VALUES ('c;d');\n"
    assert split_statements(sql) == [
        "-- a comment; not a statement\nCREATE TABLE t (x TEXT DEFAULT 'a;b');",
        "INSERT INTO t VALUES ('c;d');",
    ]
    with pytest.raises(MigrationError):
        split_statements("CREATE TABLE t (x")


def test_badly_named_migration_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_ok.sql").write_text("SELECT 1;")
    (tmp_path / "3_bad.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_description"):
        discover_migrations(tmp_path)
    (tmp_path / "3_bad.sql").unlink()
    (tmp_path / "0003_gap.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="without gaps"):
        discover_migrations(tmp_path)


def test_every_query_the_bot_makes_uses_an_index(tmp_path: Path) -> None:
    """EXPLAIN QUERY PLAN on the hot queries: no full scans of attempts or srs_cards."""
    connection = sqlite3.connect(tmp_path / "plan.sqlite3")
    for migration in discover_migrations(MIGRATIONS_DIR):
        connection.executescript(migration.sql)
    queries = [
        "SELECT a.user_id, SUM(a.points), COUNT(*), SUM(a.outcome = 'correct') FROM attempts a"
        " WHERE a.guild_id = 1 AND a.answered_at >= 0 AND a.answered_at < 9 GROUP BY a.user_id",
        "SELECT a.user_id, SUM(a.points) FROM attempts a WHERE a.guild_id = 1 AND a.deck_id = 'd'"
        " GROUP BY a.user_id",
        "SELECT DISTINCT local_day FROM attempts WHERE guild_id = 1 AND user_id = 2",
        "SELECT deck_id, card_id, COUNT(*) FROM attempts WHERE guild_id = 1 AND deck_id = 'd' GROUP BY deck_id, card_id",
        "SELECT card_id FROM srs_cards WHERE guild_id = 1 AND user_id = 2 AND deck_id = 'd' AND due <= 5 ORDER BY due",
        "SELECT COUNT(*) FROM srs_cards WHERE guild_id = 1 AND user_id = 2 AND introduced_day = 3",
        "SELECT * FROM claims WHERE guild_id = 1 AND status = 'pending' ORDER BY created_at",
        "SELECT id FROM drills WHERE closed_at IS NULL AND closes_at <= 5",
    ]
    for query in queries:
        plan = " | ".join(row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {query}"))
        assert "USING" in plan, (query, plan)
        assert not re.search(r"SCAN (attempts|srs_cards|claims|drills)\b(?! USING)", plan), (
            query,
            plan,
        )


def test_member_stats_start_at_the_member_and_need_no_table_rows(tmp_path: Path) -> None:
    """/stats: a member's totals, cards and days come from covering indexes that start at the
    member, not from a scan of the guild's attempts, and the cards need no temporary B-tree."""
    connection = sqlite3.connect(tmp_path / "plan.sqlite3")
    for migration in discover_migrations(MIGRATIONS_DIR):
        connection.executescript(migration.sql)
    member = "FROM attempts WHERE guild_id = 1 AND user_id = 2"
    queries = [
        f"SELECT COUNT(*), SUM(outcome = 'correct'), SUM(points) {member}",
        f"SELECT deck_id, card_id, COUNT(*), SUM(outcome = 'correct') {member} GROUP BY deck_id, card_id",
        f"SELECT local_day, COUNT(*), SUM(outcome = 'correct') {member}"
        " AND local_day BETWEEN 1 AND 9 GROUP BY local_day",
        f"SELECT DISTINCT local_day {member}",
    ]
    for query in queries:
        plan = " | ".join(row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {query}"))
        assert "COVERING INDEX" in plan and "user_id=?" in plan, (query, plan)
        assert "TEMP B-TREE" not in plan, (query, plan)


async def test_duplicate_quiz_answers_are_merged_into_the_first_and_totals_follow(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v4.sqlite3"
    insert = (
        "INSERT INTO attempts (attempt_key, guild_id, user_id, deck_id, card_id, context,"
        " context_id, response, outcome, score, points, answered_at, local_day) VALUES"
        " (?, 1, 2, 'deck', ?, 'quiz', ?, 'LeCun', 'correct', 1.0, 10, 1000, 739000)"
    )
    async with aiosqlite.connect(path, isolation_level=None) as connection:
        await migrate(connection, target=4)
        for key, card, round_id in [
            ("a", "lenet", 7),
            ("b", "lenet", 7),
            ("c", "lenet", 7),
            ("d", "lenet", 8),
            ("e", "relu", 7),
        ]:
            await connection.execute(insert, (key, card, round_id))
        totals = await (await connection.execute("SELECT points FROM member_totals")).fetchone()
        assert totals == (50,)

    storage = await Storage.open(path)
    try:
        kept = await storage.db.fetchall("SELECT attempt_key FROM attempts ORDER BY attempt_key")
        assert [row[0] for row in kept] == ["a", "d", "e"]
        totals_after = await storage.db.fetchone("SELECT points, attempts FROM member_totals")
        assert totals_after is not None
        assert tuple(totals_after) == (30, 3)
    finally:
        await storage.close()
    async with aiosqlite.connect(path) as connection:
        with pytest.raises(sqlite3.IntegrityError):
            await connection.execute(insert, ("f", "lenet", 7))


async def test_work_an_earlier_version_left_half_done_is_settled_not_redone(
    tmp_path: Path,
) -> None:
    """0007: a slot left claimed cannot be tied to what it posted, so it is recorded missed rather
    than fired again; ended sessions and closed questions count as reported and revealed."""
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as connection:
        await migrate(connection, target=6)
        await connection.execute(
            "INSERT INTO schedules (id, guild_id, channel_id, kind, deck_ids, local_time, days,"
            " timezone, size, created_by, created_at) VALUES"
            " (1, 1, 2, 'session', 'deck', '09:00', 'daily', 'UTC', 2, 3, 0)"
        )
        await connection.execute(
            "INSERT INTO schedule_fires VALUES (1, '2026-03-26T09:00', 0, 'claimed', 0, NULL),"
            " (1, '2026-03-25T09:00', 0, 'posted', 0, 'session 1')"
        )
        await connection.execute(
            "INSERT INTO study_sessions (id, guild_id, channel_id, schedule_id,"
            " seconds_per_question, started_at, ended_at, status) VALUES"
            " (1, 1, 2, 1, 30, 0, 99, 'finished'), (2, 1, 2, 1, 30, 0, NULL, 'running')"
        )
        await connection.execute(
            "INSERT INTO session_cards (session_id, position, deck_id, card_id, closed_at) VALUES"
            " (1, 0, 'deck', 'a', 50), (2, 0, 'deck', 'a', NULL)"
        )
    storage = await Storage.open(path)
    try:
        assert await storage.schedules.claimed() == []
        fires = await storage.schedules.fires(1)
        assert (
            "2026-03-26T09:00",
            "missed",
            "left claimed by an earlier version of the bot",
        ) in fires
        assert await storage.sessions.unreported() == []
        assert await storage.sessions.unrevealed() == []
        finished = await storage.sessions.get(1)
        assert finished is not None and finished.results_posted_at_ms == 99
        running = await storage.sessions.get(2)
        assert running is not None and running.results_posted_at_ms is None
    finally:
        await storage.close()
