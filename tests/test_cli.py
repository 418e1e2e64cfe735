from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.decks import load_deck
from bot.storage import Storage
from bot.storage.db import discover_migrations
from bot.terminal import LOCAL_MEMBER
from tests.conftest import DECKS_DIR, REPO_ROOT, SEEDS_DIR
from tests.decks.anki_files import BASIC_MODEL_ID, build_apkg, png
from tests.storage.test_attempts import attempt


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_help_lists_the_subcommands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    for command in ("run", "decks", "study", "grade", "migrate", "copy-db"):
        assert command in result.stdout


def test_run_without_a_token_explains_how_to_get_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DISCORD_TOKEN" in lines[0] and "discord.com/developers" in lines[0]
    assert "Traceback" not in result.stderr


def test_decks_check_reports_the_shipped_decks_valid() -> None:
    code, out, _ = run_cli("decks", "check", str(DECKS_DIR))
    assert code == 0
    assert "5 deck(s): 5 valid, 0 invalid" in out
    deck = load_deck(Path(DECKS_DIR) / "understanding-cnns.toml")
    with_accept = sum(1 for card in deck.cards if card.accept)
    assert 0 < with_accept < len(deck.cards)
    assert (
        f"'Understanding CNNs', {len(deck.cards)} cards, {with_accept} with accepted short" in out
    )


def test_decks_check_fails_on_a_bad_deck_but_reports_the_good_ones(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text('name="Good"\n[[cards]]\nquestion="Q"\nanswer="A"\n')
    (tmp_path / "bad.toml").write_text('name="Bad"\n[[cards]]\nquestion="Q"\n')
    code, out, _ = run_cli("decks", "check", str(tmp_path))
    assert code == 1
    assert f"ok       {tmp_path / 'good.toml'}" in out
    assert f"INVALID  {tmp_path / 'bad.toml'}" in out
    assert f"{tmp_path / 'bad.toml'}:2: cards[0].answer: is missing" in out
    assert "2 deck(s): 1 valid, 1 invalid" in out


def test_decks_check_on_a_missing_directory_fails(tmp_path: Path) -> None:
    code, out, _ = run_cli("decks", "check", str(tmp_path / "nope"))
    assert code == 1
    assert "is not a directory" in out


def test_decks_import_writes_a_toml_deck_and_reports_doubts(tmp_path: Path) -> None:
    target = tmp_path / "training.toml"
    code, out, err = run_cli(
        "decks", "import", str(SEEDS_DIR / "003_cbeb11dda6d6fd03.txt"), "-o", str(target)
    )
    assert code == 0
    assert "47 cards" in out
    assert "page furniture" in err and "unsure" in err
    deck = load_deck(target)
    assert deck.id == "training" and len(deck.cards) == 47
    again, _, err = run_cli(
        "decks", "import", str(SEEDS_DIR / "003_cbeb11dda6d6fd03.txt"), "-o", str(target)
    )
    assert again == 1 and "--force" in err


def test_decks_import_of_a_bad_file_exits_non_zero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.apkg"
    bad.write_bytes(b"not a zip")
    code, out, err = run_cli("decks", "import", str(bad))
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: {bad}: ")


def test_study_in_the_terminal_completes_a_round(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_PATH": str(tmp_path / "study.sqlite3"),
    }
    answers = "A type of deep neural network for visual data\n?\nfacial recognition\n\nedges, textures and objects\n"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "study",
            str(DECKS_DIR / "understanding-cnns.toml"),
            "--count",
            "4",
        ],
        input=answers,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Understanding CNNs: 4 cards (0 due, 4 new)" in out
    assert "[1/4] What is a CNN?" in out
    assert "hint: no hint for this card" in out
    assert "skipped. Answer: A mathematical operation" in out
    assert "✓ Correct." in out
    assert "progress: 4/4" in out
    assert "Done: 2/3 correct" in out or "Done: 3/3 correct" in out
    again = subprocess.run(
        [sys.executable, "-m", "bot", "study", "understanding-cnns", "--count", "2"],
        input="q\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "Done: 0/0 correct" in again.stdout


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    code, out, _ = run_cli("migrate", "--db", str(tmp_path / "m.sqlite3"))
    assert code == 0
    assert "applied 0001_initial.sql" in out
    latest = discover_migrations()[-1]
    assert f"applied {latest.name}" in out
    assert f"schema version {latest.version}" in out
    code, out, _ = run_cli("migrate", "--db", str(tmp_path / "m.sqlite3"))
    assert "applied" not in out


def test_grade_takes_a_deck_id_and_shows_evidence_guards_and_decision() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "DECKS_DIR": str(DECKS_DIR)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "grade",
            "training-and-regularization",
            "initialization for ReLU",
            "xavier or kaiming",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "verdict:  wrong" in out
    assert "evidence: recall" in out
    assert "guards: guess list" in out
    assert "vetoed by the guess list guard" in out
    missing = subprocess.run(
        [sys.executable, "-m", "bot", "grade", "no-such-deck", "x", "y"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert missing.returncode != 0
    assert "no deck 'no-such-deck'" in missing.stderr


def test_migrate_refuses_a_file_that_is_no_database_without_a_traceback(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database, but precious", encoding="utf-8")
    code, _, err = run_cli("migrate", "--db", str(text))
    assert code == 2
    assert "notes.txt: cannot be used as a SQLite database" in err
    assert "Traceback" not in err
    assert text.read_text(encoding="utf-8") == "not a database, but precious"
    folder = tmp_path / "folder"
    folder.mkdir()
    code, _, err = run_cli("migrate", "--db", str(folder))
    assert code == 2
    assert "is a directory" in err
    code, out, _ = run_cli("migrate", "--db", str(tmp_path / "new" / "nested" / "m.sqlite3"))
    assert code == 0
    assert "schema version" in out


def test_ctrl_c_during_study_stops_at_once_with_a_summary(tmp_path: Path) -> None:
    import signal

    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_PATH": str(tmp_path / "study.sqlite3"),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "study", str(DECKS_DIR / "understanding-cnns.toml")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("[1/"):
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Stopped." in out
    assert "Done: 0/0 correct" in out
    assert "Traceback" not in err


POOLING_DECK = """name = "Pooling"
[[cards]]
id = "short"
question = "What is pooling?"
answer = "Downsampling a feature map."
accept = ["downsampling"]

[[cards]]
id = "long"
question = "What is pooling in CNNs used for?"
answer = "To make features robust to small shifts."
"""


def test_grade_takes_a_deck_file_an_id_or_a_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DECKS_DIR", str(DECKS_DIR))
    for deck in (
        str(DECKS_DIR / "understanding-cnns.toml"),
        "understanding-cnns",
        "Understanding CNNs",
    ):
        code, out, err = run_cli("grade", deck, "Who developed LeNet?", "Yann LeCun")
        assert (code, err) == (0, ""), deck
        assert "verdict:  correct" in out
    code, _, err = run_cli("grade", str(tmp_path / "missing.toml"), "x", "y")
    assert code == 2
    assert "missing.toml: cannot be read" in err
    code, _, err = run_cli("grade", str(tmp_path), "x", "y")
    assert code == 2
    assert "is a directory; give a deck id or a deck's .toml file" in err


def test_an_exact_question_wins_over_a_longer_one_that_starts_the_same_way(
    tmp_path: Path,
) -> None:
    deck = tmp_path / "pooling.toml"
    deck.write_text(POOLING_DECK, encoding="utf-8")
    for reference in ("What is pooling?", "what is  pooling", "short"):
        code, out, err = run_cli("grade", str(deck), reference, "downsampling")
        assert (code, err) == (0, ""), reference
        assert "card:     short  What is pooling?" in out
    code, out, _ = run_cli("grade", str(deck), "pooling in CNNs", "shifts")
    assert "card:     long" in out
    code, _, err = run_cli("grade", str(deck), "What is pool", "x")
    assert code == 2
    assert (
        "matches 2 cards (short: What is pooling?; long: What is pooling in CNNs used for?)" in err
    )
    assert "give a card id" in err


def test_decks_list_shows_id_name_cards_and_source(tmp_path: Path) -> None:
    code, out, _ = run_cli("decks", "list", str(DECKS_DIR))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "CARDS", "SOURCE"]
    row = next(line for line in lines if line.startswith("understanding-cnns "))
    assert "Understanding CNNs" in row
    assert " 23  Seed deck" in row
    assert lines[-1] == f"5 deck(s) in {DECKS_DIR}, 110 cards"
    (tmp_path / "good.toml").write_text('name="Good"\n[[cards]]\nquestion="Q"\nanswer="A"\n')
    (tmp_path / "bad.toml").write_text('name="Bad"\n')
    code, out, _ = run_cli("decks", "list", str(tmp_path))
    assert code == 1
    assert "good  Good      1  -" in out
    assert "bad: INVALID, see `python -m bot decks check" in out
    code, _, err = run_cli("decks", "list", str(tmp_path / "nope"))
    assert code == 2
    assert "is not a directory of decks" in err


def test_decks_import_says_when_outs_name_is_the_problem(tmp_path: Path) -> None:
    seed = str(SEEDS_DIR / "003_cbeb11dda6d6fd03.txt")
    capitals = tmp_path / "Name-With-Capitals.toml"
    code, out, err = run_cli("decks", "import", seed, "-o", str(capitals))
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: -o {capitals}: OUT's file name is the deck's id")
    assert f"try -o {tmp_path / 'name-with-capitals.toml'}" in err
    assert "003_cbeb11dda6d6fd03" not in err  # the input file is not blamed
    assert not capitals.exists()
    code, _, err = run_cli("decks", "import", seed, "-o", str(tmp_path / "deck.txt"))
    assert code == 2
    assert "OUT must be a .toml file" in err
    code, out, _ = run_cli("decks", "import", seed, "-o", str(tmp_path / "name-with-capitals.toml"))
    assert code == 0
    assert load_deck(tmp_path / "name-with-capitals.toml").id == "name-with-capitals"


def test_study_refuses_a_count_below_one_and_an_unknown_deck_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DECKS_DIR", str(DECKS_DIR))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "s.sqlite3"))
    code, _, err = run_cli("study", "understanding-cnns", "--count", "0")
    assert (code, err) == (2, "error: --count must be at least 1, not 0\n")
    code, _, err = run_cli("study", "no-such-deck")
    assert code == 2
    assert "no deck 'no-such-deck'" in err and "understanding-cnns" in err


def test_decks_import_keeps_question_images_beside_the_deck(tmp_path: Path) -> None:
    notes = [
        (BASIC_MODEL_ID, "Which organ is this? <img src='lung.png'>\x1fThe lung", ""),
        (BASIC_MODEL_ID, "Which organ pumps blood?\x1fThe heart", ""),
    ]
    package = tmp_path / "organs.apkg"
    package.write_bytes(build_apkg(notes, media={"lung.png": png()}))
    target = tmp_path / "decks" / "organs.toml"
    code, out, _ = run_cli("decks", "import", str(package), "-o", str(target))
    assert code == 0
    assert "imported 2 cards from 2 notes" in out and "1 image" in out
    deck = load_deck(target)
    pictured = next(c for c in deck.cards if c.image)
    path = deck.image_path(pictured)
    assert path is not None and path.read_bytes() == png()
    assert f"images in {path.parent}" in out


def test_study_missed_refuses_days_out_of_range(tmp_path: Path) -> None:
    code, _, err = run_cli(
        "study", "understanding-cnns", "--missed", "--days", "0", "--db", str(tmp_path / "s.db")
    )
    assert (code, err) == (2, "error: --days must be 1 to 90, not 0\n")


def test_migrate_and_study_open_the_database_url(
    database_url: str, backend: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{database_url}" if backend == "sqlite" else database_url
    code, out, _ = run_cli("migrate", "--db", url)
    assert code == 0
    assert f"schema version {discover_migrations()[-1].version}" in out
    code, out, _ = run_cli("migrate", "--db", url)
    assert "applied" not in out
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_URL": url,
        "DATABASE_PATH": str(tmp_path / "not-this-one.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "study", "understanding-cnns", "--count", "1"],
        input="a kind of neural network\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "progress: 1/1" in result.stdout
    assert not (tmp_path / "not-this-one.sqlite3").exists()

    async def answers() -> int:
        storage = await Storage.open(url)
        try:
            return await storage.attempts.count(LOCAL_MEMBER.guild_id)
        finally:
            await storage.close()

    assert asyncio.run(answers()) == 1  # recorded in the database DATABASE_URL names


def test_copy_db_moves_a_sqlite_history_into_postgresql(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql://"):
        pytest.skip("copy-db copies into PostgreSQL (set TEST_DATABASE_URL)")
    source = tmp_path / "old.sqlite3"
    code, _, _ = run_cli("migrate", "--db", str(source))
    assert code == 0

    async def record() -> None:
        storage = await Storage.open(source)
        try:
            await storage.attempts.record(attempt("k1", guild_id=7, user_id=8))
        finally:
            await storage.close()

    asyncio.run(record())
    code, out, err = run_cli("copy-db", f"sqlite:///{source}", database_url)
    assert code == 0, err
    assert re.search(r"^attempts +1 rows, copied 1$", out, re.MULTILINE)
    assert "every table's row count matches its source" in out
    code, out, _ = run_cli("copy-db", str(source), database_url)  # again: nothing twice
    assert code == 0
    assert re.search(r"^attempts +1 rows, copied 0$", out, re.MULTILINE)


def test_copy_db_refuses_what_it_cannot_copy_in_one_line(tmp_path: Path) -> None:
    code, out, err = run_cli("copy-db", str(tmp_path / "missing.sqlite3"), "postgresql://db/x")
    assert (code, out) == (1, "")
    assert err == f"error: {tmp_path / 'missing.sqlite3'}: no such SQLite database\n"
    code, _, err = run_cli("copy-db", str(tmp_path / "a.sqlite3"), "mysql://db/x")
    assert code == 1
    assert err == "error: mysql://db/x: the target must be a postgresql:// database\n"
