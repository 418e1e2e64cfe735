from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SEEDS_DIR = FIXTURES / "seeds"
DECKS_DIR = REPO_ROOT / "decks"


from collections.abc import AsyncIterator  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

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


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = await Storage.open(tmp_path / "study.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()
