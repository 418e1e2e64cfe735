"""Files built to freeze or crash an importer: each ends quickly with the project's own error (or
a deck and a warning), never a traceback, and never in the bot's own process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.decks.errors import DeckError
from bot.decks.importers import import_bytes
from bot.decks.importers.sandbox import import_isolated
from tests.conftest import REPO_ROOT
from tests.decks import hostile_files


def test_hundreds_of_thousands_of_notes_are_read_up_to_the_cap() -> None:
    started = time.perf_counter()
    with pytest.raises(DeckError, match="holds more than 20,000 notes"):
        import_bytes(hostile_files.many_notes(), "many.apkg")
    assert time.perf_counter() - started < 15


def test_a_huge_field_is_skipped_unread() -> None:
    result = import_bytes(hostile_files.huge_field(), "huge.apkg")
    assert [c.question for c in result.deck.cards] == ["Normal question"]
    assert any("longer than" in str(w) for w in result.warnings)


def test_ids_stored_as_text_are_no_ids() -> None:
    result = import_bytes(hostile_files.text_ids(), "ids.apkg")
    assert result.deck.cards[0].question == "Question"


def test_a_damaged_deflate_stream_is_a_damaged_file() -> None:
    with pytest.raises(DeckError, match=r"damaged|not an Anki package"):
        import_bytes(hostile_files.damaged_deflate(), "broken.apkg")


def test_deeply_nested_toml() -> None:
    with pytest.raises(DeckError, match="nested too deeply"):
        import_bytes(hostile_files.nested_toml(), "nested.toml")


def test_a_slow_file_is_stopped_by_the_time_budget() -> None:
    data = hostile_files.slow_generated_column()
    started = time.perf_counter()
    with pytest.raises(DeckError, match=r"took longer than 1\.5 s"):
        import_isolated(data, "slow.apkg", seconds=1.5)
    assert time.perf_counter() - started < 10


def test_a_file_too_big_for_memory_is_refused_not_crashed() -> None:
    data = hostile_files.huge_field(chars=150_000_000)
    with pytest.raises(DeckError, match="needs more than 300 MB"):
        import_isolated(data, "hog.apkg", memory=300 << 20)


def test_the_isolated_import_gives_the_same_deck_and_errors() -> None:
    plain = import_bytes(hostile_files.huge_field(), "huge.apkg")
    isolated = import_isolated(hostile_files.huge_field(), "huge.apkg")
    assert isolated.deck == plain.deck
    with pytest.raises(DeckError, match="nested too deeply"):
        import_isolated(hostile_files.nested_toml(), "nested.toml")


def test_the_cli_ends_each_hostile_file_with_a_clear_message(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    for name, data in (
        ("many.apkg", hostile_files.many_notes()),
        ("broken.apkg", hostile_files.damaged_deflate()),
        ("nested.toml", hostile_files.nested_toml()),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot",
                "decks",
                "import",
                str(path),
                "-o",
                str(tmp_path / "o.toml"),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert time.perf_counter() - started < 15, name
        assert result.returncode != 0, name
        assert "Traceback" not in result.stderr, (name, result.stderr)
        assert name in result.stderr, (name, result.stderr)
