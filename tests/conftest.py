from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SEEDS_DIR = FIXTURES / "seeds"
DECKS_DIR = REPO_ROOT / "decks"
