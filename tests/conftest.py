from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SEEDS_DIR = FIXTURES / "seeds"
DECKS_DIR = REPO_ROOT / "decks"


import os  # noqa: E402
import uuid  # noqa: E402
from collections.abc import AsyncIterator  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit  # noqa: E402

import asyncpg  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from bot.decks import DeckLibrary, load_library  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.study.clock import ManualClock  # noqa: E402

# Fuzzing in CI is bounded and repeatable: the same examples on every run.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.load_profile("repeatable")


@pytest.fixture(scope="session")
def library() -> DeckLibrary:
    return load_library(DECKS_DIR)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
"""A PostgreSQL server to run the storage, study and end-to-end suites on as well as on SQLite
(e.g. postgresql://postgres@127.0.0.1:5432/postgres; .ci/run starts one of its own)."""
BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]


def with_search_path(url: str, schema: str) -> str:
    """The URL with PostgreSQL's search_path set to `schema` (asyncpg passes query parameters it
    does not know to the server as settings), so every table the bot makes goes there."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"]
    query.append(("search_path", schema))
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database for one test: a SQLite file in tmp_path, or a schema of its own on
    the TEST_DATABASE_URL server, dropped after the test."""
    if backend == "sqlite":
        yield str(tmp_path / "study.sqlite3")
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield with_search_path(TEST_DATABASE_URL, schema)
        finally:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await admin.close()


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    opened = await Storage.open(database_url)
    try:
        yield opened
    finally:
        await opened.close()
