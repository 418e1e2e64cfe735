from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SEEDS_DIR = FIXTURES / "seeds"
DECKS_DIR = REPO_ROOT / "decks"


import pytest  # noqa: E402

from bot.decks import DeckLibrary, load_library  # noqa: E402


@pytest.fixture(scope="session")
def library() -> DeckLibrary:
    return load_library(DECKS_DIR)
