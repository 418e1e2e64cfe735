"""Storage: SQLite through aiosqlite (the embedded default) or PostgreSQL through an asyncpg pool,
behind the same repositories. The only package that knows SQL.

`Storage` implements `bot.repositories.Store`; the records it returns are the domain types of
`bot.domain`, so nothing outside this package sees a database row. The repositories' SQL is
written once (bot/storage/sql.py says how); each backend has its own migrations history
(migrations/ for SQLite, migrations/postgresql/ for PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.storage.db import Database, DatabaseUnavailable, MigrationError
from bot.storage.missed import MissedRepository
from bot.storage.postgres import PostgresDatabase
from bot.storage.privacy import PrivacyRepository
from bot.storage.recaps import RecapRepository
from bot.storage.reminders import ReminderRepository
from bot.storage.rewards import RewardRepository
from bot.storage.rounds import GuildDeckRepository, QuizRoundRepository
from bot.storage.schedules import DrillRepository, ScheduleRepository, SessionRepository
from bot.storage.sql import Executor
from bot.storage.stats import StatsRepository
from bot.storage.study import (
    AnswerRepository,
    AttemptRepository,
    GuildRepository,
    SrsRepository,
)

Backend = Literal["sqlite", "postgresql"]
DEFAULT_DATABASE = "data/study-tutor.sqlite3"
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_SQLITE_SCHEME = "sqlite:///"


def parse_database_url(target: str | Path) -> tuple[Backend, str]:
    """Which backend a DATABASE_URL names, and what to open: a SQLite file path (a plain path, or
    `sqlite:///relative/path`, `sqlite:////absolute/path`) or a PostgreSQL URL."""
    text = str(target).strip()
    if text.startswith(_POSTGRES_SCHEMES):
        return "postgresql", text
    if text.startswith(_SQLITE_SCHEME):
        path = text[len(_SQLITE_SCHEME) :]
        if not path:
            raise DatabaseUnavailable(f"{text}: names no database file")
        return "sqlite", path
    if "://" in text or text.startswith("sqlite:"):
        raise DatabaseUnavailable(
            f"{text}: not a database this bot knows; use a file path, sqlite:///path or"
            " postgresql://user@host/database"
        )
    if not text:
        raise DatabaseUnavailable("the database URL is empty")
    return "sqlite", text


async def open_database(
    target: str | Path,
    *,
    migrate_schema: bool = True,
    now_ms: int = 0,
    writer_process: bool = False,
) -> Database | PostgresDatabase:
    """The database a path or DATABASE_URL names (both kinds have write_migrations and version,
    for `python -m bot migrate`). `writer_process`: SQLite's writes in a child process (PostgreSQL
    writes in its server anyway)."""
    backend, where = parse_database_url(target)
    if backend == "postgresql":
        return await PostgresDatabase.open(where, migrate_schema=migrate_schema, now_ms=now_ms)
    return await Database.open(
        where, migrate_schema=migrate_schema, now_ms=now_ms, writer_process=writer_process
    )


@dataclass
class Storage:
    db: Database | PostgresDatabase
    guilds: GuildRepository
    attempts: AttemptRepository
    srs: SrsRepository
    answers: AnswerRepository
    stats: StatsRepository
    schedules: ScheduleRepository
    drills: DrillRepository
    sessions: SessionRepository
    rounds: QuizRoundRepository
    missed: MissedRepository
    reminders: ReminderRepository
    rewards: RewardRepository
    recaps: RecapRepository
    guild_decks: GuildDeckRepository
    privacy: PrivacyRepository

    @property
    def backend(self) -> Backend:
        return "sqlite" if isinstance(self.db, Database) else "postgresql"

    @classmethod
    async def open(
        cls, target: str | Path, *, now_ms: int = 0, writer_process: bool = False
    ) -> Storage:
        """Open (and migrate) the database a path or DATABASE_URL names."""
        return cls.over(await open_database(target, now_ms=now_ms, writer_process=writer_process))

    @classmethod
    def over(cls, db: Database | PostgresDatabase) -> Storage:
        executor: Executor = db
        return cls(
            db=db,
            guilds=GuildRepository(executor),
            attempts=AttemptRepository(executor),
            srs=SrsRepository(executor),
            answers=AnswerRepository(executor),
            stats=StatsRepository(executor),
            schedules=ScheduleRepository(executor),
            drills=DrillRepository(executor),
            sessions=SessionRepository(executor),
            rounds=QuizRoundRepository(executor),
            missed=MissedRepository(executor),
            reminders=ReminderRepository(executor),
            rewards=RewardRepository(executor),
            recaps=RecapRepository(executor),
            guild_decks=GuildDeckRepository(executor),
            privacy=PrivacyRepository(executor),
        )

    async def close(self) -> None:
        await self.db.close()


__all__ = [
    "DEFAULT_DATABASE",
    "Database",
    "DatabaseUnavailable",
    "MigrationError",
    "PostgresDatabase",
    "Storage",
    "open_database",
    "parse_database_url",
]
