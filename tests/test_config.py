"""DATABASE_URL picks the backend; DATABASE_PATH still works where it was set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.storage import DatabaseUnavailable, parse_database_url


def settings(**environ: str):  # type: ignore[no-untyped-def]
    return load_settings(environ, env_file=None)


def test_the_default_is_the_sqlite_file_of_before() -> None:
    chosen = settings()
    assert chosen.database_path == Path("data/study-tutor.sqlite3")
    assert chosen.database == "data/study-tutor.sqlite3"
    assert chosen.uses_sqlite


def test_database_path_still_names_the_sqlite_file() -> None:
    chosen = settings(DATABASE_PATH="/srv/bot.sqlite3")
    assert chosen.database == "/srv/bot.sqlite3"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("study.sqlite3", "study.sqlite3"),
        ("sqlite:///data/x.sqlite3", "data/x.sqlite3"),
        ("sqlite:////srv/x.sqlite3", "/srv/x.sqlite3"),
    ],
)
def test_database_url_names_a_sqlite_file(url: str, path: str) -> None:
    chosen = settings(DATABASE_URL=url, DATABASE_PATH="ignored.sqlite3")
    assert chosen.uses_sqlite
    assert chosen.database_path == Path(path)
    assert chosen.database == path
    assert parse_database_url(url) == ("sqlite", path)


def test_database_url_names_a_postgresql_server() -> None:
    url = "postgresql://bot:secret@db.internal:5432/study"
    chosen = settings(DATABASE_URL=url)
    assert not chosen.uses_sqlite
    assert chosen.database == url
    assert parse_database_url(url) == ("postgresql", url)
    assert parse_database_url("postgres://db/study")[0] == "postgresql"


@pytest.mark.parametrize("url", ["mysql://db/study", "sqlite://", "sqlite:///"])
def test_other_urls_are_refused_in_one_line(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        settings(DATABASE_URL=url)
    with pytest.raises(DatabaseUnavailable):
        parse_database_url(url)


def test_without_shard_settings_the_bot_is_unsharded() -> None:
    assert settings().shards is None


def test_shard_count_and_ids_name_the_shards_this_process_runs() -> None:
    chosen = settings(SHARD_COUNT="4", SHARD_IDS="0, 2-3")
    assert chosen.shards is not None
    assert (chosen.shards.count, chosen.shards.ids) == (4, (0, 2, 3))
    everything = settings(SHARD_COUNT="2").shards
    assert everything is not None and everything.ids == (0, 1)


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be a whole number"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT must be a whole number"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "shard 2 does not exist"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,0"}, "named twice"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "first"}, "not a shard id or range"),
    ],
)
def test_bad_shard_settings_are_refused_in_one_line(environ: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        settings(**environ)


def test_answers_are_graded_in_a_child_process_unless_switched_off() -> None:
    assert settings().grading_process
    assert not settings(GRADING_PROCESS="0").grading_process
    assert not settings(GRADING_PROCESS="off").grading_process
    with pytest.raises(ConfigError, match="GRADING_PROCESS must be 1 or 0"):
        settings(GRADING_PROCESS="maybe")


def test_writes_run_in_a_child_process_unless_switched_off() -> None:
    assert settings().writer_process
    assert not settings(WRITER_PROCESS="0").writer_process
    assert settings(WRITER_PROCESS="0").grading_process  # each switch on its own
    with pytest.raises(ConfigError, match="WRITER_PROCESS must be 1 or 0"):
        settings(WRITER_PROCESS="sometimes")
