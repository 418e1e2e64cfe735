"""The PostgreSQL backend on a real server (TEST_DATABASE_URL): its migrations, its column types,
and what two bot processes sharing it must never do twice. Skipped without a server; the rest of
the storage, study and end-to-end suites run on it too (tests/conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.domain import ScheduleSpec
from bot.storage import Storage
from bot.storage.db import Migration, MigrationError
from bot.storage.db import discover_migrations as sqlite_migrations
from bot.storage.postgres import discover_migrations, migrate
from tests.storage.test_attempts import attempt

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture(autouse=True)
def needs_a_server(backend: str) -> None:
    from tests.conftest import TEST_DATABASE_URL

    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL server")


@pytest.fixture
async def connection(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


def test_each_dialect_has_the_same_migration_history() -> None:
    assert [m.version for m in discover_migrations()] == [m.version for m in sqlite_migrations()]
    assert [m.name for m in discover_migrations()] == [m.name for m in sqlite_migrations()]


async def test_a_fresh_database_migrates_to_the_latest_version_once(
    database_url: str, connection: asyncpg.Connection
) -> None:
    first, second = await asyncio.gather(Storage.open(database_url), Storage.open(database_url))
    try:
        assert await first.db.version() == len(discover_migrations())
        recorded = await connection.fetch("SELECT version, name FROM schema_migrations")
        assert sorted(r["version"] for r in recorded) == list(
            range(1, len(discover_migrations()) + 1)
        )
    finally:
        await first.close()
        await second.close()
    reopened = await Storage.open(database_url)
    await reopened.close()
    assert await connection.fetchval("SELECT COUNT(*) FROM schema_migrations") == len(
        discover_migrations()
    )


async def test_every_discord_id_and_time_is_a_bigint(
    storage: Storage, connection: asyncpg.Connection
) -> None:
    columns = await connection.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    )
    wide = ("_id", "_at", "_by", "first_seen", "due", "last_review")
    narrow = [
        (c["table_name"], c["column_name"], c["data_type"])
        for c in columns
        if (c["column_name"] == "id" or c["column_name"].endswith(wide))
        and c["column_name"] not in ("deck_id", "card_id")
        and c["data_type"] != "bigint"
    ]
    assert narrow == []


async def test_a_failing_migration_is_rolled_back(connection: asyncpg.Connection) -> None:
    good = Migration(1, "0001_a.sql", "CREATE TABLE a (x BIGINT);")
    bad = Migration(2, "0002_b.sql", "CREATE TABLE b (x BIGINT); SELECT no_such_function();")
    with pytest.raises(MigrationError, match=r"0002_b\.sql"):
        await migrate(connection, [good, bad])
    assert await connection.fetchval("SELECT MAX(version) FROM schema_migrations") == 1
    assert await connection.fetchval("SELECT to_regclass('b') IS NULL")
    assert await connection.fetchval("SELECT to_regclass('a') IS NOT NULL")


async def test_two_processes_claim_a_slot_once_and_record_an_answer_once(
    database_url: str, connection: asyncpg.Connection
) -> None:
    """Two pools on one database stand for two bot processes: every claim and every answer
    happens exactly once, however their writes interleave."""
    one, two = await Storage.open(database_url), await Storage.open(database_url)
    try:
        schedule = await one.schedules.create(
            ScheduleSpec(
                guild_id=1_234_567_890_123_456_789,
                channel_id=987_654_321_098_765_432,
                kind="drill",
                deck_ids=("deck",),
                local_time="09:00",
                days="daily",
                timezone="UTC",
                size=3,
                seconds_per_question=30,
                created_by=111_222_333_444_555_666,
            ),
            0,
        )
        claims = await asyncio.gather(
            *(
                storage.schedules.claim_slot(schedule.id, f"slot-{n % 5}", n, 0)
                for n in range(40)
                for storage in (one, two)
            )
        )
        assert sum(claims) == 5
        recorded = await asyncio.gather(
            *(
                storage.attempts.record(attempt(f"key-{n % 7}", guild_id=schedule.guild_id))
                for n in range(28)
                for storage in (one, two)
            )
        )
        assert sum(r.created for r in recorded) == 7
        assert await one.attempts.count(schedule.guild_id) == 7
        assert await connection.fetchval("SELECT COUNT(*) FROM attempts") == 7
        totals = await two.stats.member_totals(schedule.guild_id, 7)
        assert (totals.attempts, totals.points) == (7, 70)
        assert (await one.schedules.get(schedule.id)) == (await two.schedules.get(schedule.id))
    finally:
        await one.close()
        await two.close()
