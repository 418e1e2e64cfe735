"""Settings from the environment, with a `.env` file in the working directory as a fallback."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from bot.shards import Shards

TOKEN_HELP = (
    "DISCORD_TOKEN is not set: create an application at https://discord.com/developers/applications, "
    "copy its bot token (Bot > Reset Token) and put DISCORD_TOKEN=<token> in the environment or in .env"
)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line meant for the person running us."""


DEFAULT_DATABASE = "data/study-tutor.sqlite3"


@dataclass(frozen=True)
class Settings:
    discord_token: str | None
    database_path: Path
    """The SQLite file: DATABASE_URL when it names one, else DATABASE_PATH (the older setting)."""
    decks_dir: Path
    dev_guild_id: int | None
    log_level: str
    api_base: str | None
    gateway_url: str | None
    grace_minutes: int = 120
    database_url: str | None = None
    """DATABASE_URL as given: a path, sqlite:///path or postgresql://… (None: database_path)."""
    shards: Shards | None = None
    """SHARD_COUNT and SHARD_IDS: the shards this process runs (None: one unsharded connection)."""
    grading_process: bool = False
    """GRADING_PROCESS: grade answers in a child process, on another core than the event loop
    (on unless GRADING_PROCESS=0; off when Settings are built by hand, as tests do)."""
    writer_process: bool = False
    """WRITER_PROCESS: run SQLite's write transactions in a child process, on another core than
    the event loop (on unless WRITER_PROCESS=0; off when Settings are built by hand)."""

    @property
    def database(self) -> str:
        """What to open: the PostgreSQL URL, or the SQLite file."""
        if self.database_url and not self.uses_sqlite:
            return self.database_url
        return str(self.database_path)

    @property
    def uses_sqlite(self) -> bool:
        return not (self.database_url or "").startswith(_POSTGRES_SCHEMES)

    def require_token(self) -> str:
        if not self.discord_token:
            raise ConfigError(TOKEN_HELP)
        return self.discord_token


_SWITCH = {
    "1": True,
    "on": True,
    "true": True,
    "yes": True,
    "0": False,
    "off": False,
    "false": False,
    "no": False,
}
_LEVELS = {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"}
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_SQLITE_SCHEME = "sqlite:///"


def _database(url: str | None, path: str | None) -> tuple[str | None, Path]:
    """(DATABASE_URL, the SQLite file). DATABASE_URL wins; DATABASE_PATH still names the file
    when DATABASE_URL is not set."""
    if url is None:
        return None, Path(path or DEFAULT_DATABASE)
    if url.startswith(_POSTGRES_SCHEMES):
        return url, Path(path or DEFAULT_DATABASE)
    if url.startswith(_SQLITE_SCHEME):
        file = url[len(_SQLITE_SCHEME) :]
        if not file:
            raise ConfigError(f"DATABASE_URL {url!r} names no file: use sqlite:///path/to/file")
        return url, Path(file)
    if "://" in url or url.startswith("sqlite:"):
        raise ConfigError(
            f"DATABASE_URL must be a file path, sqlite:///path or postgresql://user@host/database,"
            f" not {url.split('://', 1)[0]}://…"
        )
    return url, Path(url)


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: str | Path | None = ".env"
) -> Settings:
    """Read settings; real environment variables win over the `.env` file."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    guild = get("DEV_GUILD_ID")
    if guild is not None and not guild.isdigit():
        raise ConfigError(f"DEV_GUILD_ID must be a numeric Discord server id, not {guild!r}")
    grace = get("DRILL_GRACE_MINUTES") or "120"
    if not grace.isdigit():
        raise ConfigError(f"DRILL_GRACE_MINUTES must be a whole number of minutes, not {grace!r}")
    level = (get("LOG_LEVEL") or "INFO").upper()
    if level not in _LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(sorted(_LEVELS))}, not {level!r}")
    database_url, database_path = _database(get("DATABASE_URL"), get("DATABASE_PATH"))
    shards = _shards(get("SHARD_COUNT"), get("SHARD_IDS"))
    process = (get("GRADING_PROCESS") or "1").lower()
    if process not in _SWITCH:
        raise ConfigError(f"GRADING_PROCESS must be 1 or 0 (on or off), not {process!r}")
    writer = (get("WRITER_PROCESS") or "1").lower()
    if writer not in _SWITCH:
        raise ConfigError(f"WRITER_PROCESS must be 1 or 0 (on or off), not {writer!r}")
    return Settings(
        discord_token=get("DISCORD_TOKEN"),
        database_path=database_path,
        database_url=database_url,
        decks_dir=Path(get("DECKS_DIR") or "decks"),
        dev_guild_id=int(guild) if guild else None,
        log_level=level,
        api_base=get("DISCORD_API_BASE"),
        gateway_url=get("DISCORD_GATEWAY_URL"),
        grace_minutes=int(grace),
        shards=shards,
        grading_process=_SWITCH[process],
        writer_process=_SWITCH[writer],
    )


def _shards(count: str | None, ids: str | None) -> Shards | None:
    if count is None:
        if ids is not None:
            raise ConfigError("SHARD_IDS needs SHARD_COUNT: how many shards the bot has in all")
        return None
    if not count.isdigit() or int(count) < 1:
        raise ConfigError(f"SHARD_COUNT must be a whole number of shards, 1 or more, not {count!r}")
    try:
        return Shards.parse(count, ids)
    except ValueError as exc:
        raise ConfigError(f"SHARD_IDS {ids!r}: {exc}") from None
