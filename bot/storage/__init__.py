"""Storage: SQLite through aiosqlite, behind repositories. The only package that knows SQL.

`Storage` implements `bot.repositories.Store`; the records it returns are the domain types of
`bot.domain`, so nothing outside this package sees a database row."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.storage.db import Database, DatabaseUnavailable, MigrationError
from bot.storage.privacy import PrivacyRepository
from bot.storage.rounds import GuildDeckRepository, QuizRoundRepository
from bot.storage.schedules import DrillRepository, ScheduleRepository, SessionRepository
from bot.storage.stats import StatsRepository
from bot.storage.study import (
    AnswerRepository,
    AttemptRepository,
    GuildRepository,
    SrsRepository,
)


@dataclass
class Storage:
    db: Database
    guilds: GuildRepository
    attempts: AttemptRepository
    srs: SrsRepository
    answers: AnswerRepository
    stats: StatsRepository
    schedules: ScheduleRepository
    drills: DrillRepository
    sessions: SessionRepository
    rounds: QuizRoundRepository
    guild_decks: GuildDeckRepository
    privacy: PrivacyRepository

    @classmethod
    async def open(cls, path: str | Path, *, now_ms: int = 0) -> Storage:
        db = await Database.open(path, now_ms=now_ms)
        return cls(
            db=db,
            guilds=GuildRepository(db),
            attempts=AttemptRepository(db),
            srs=SrsRepository(db),
            answers=AnswerRepository(db),
            stats=StatsRepository(db),
            schedules=ScheduleRepository(db),
            drills=DrillRepository(db),
            sessions=SessionRepository(db),
            rounds=QuizRoundRepository(db),
            guild_decks=GuildDeckRepository(db),
            privacy=PrivacyRepository(db),
        )

    async def close(self) -> None:
        await self.db.close()


__all__ = ["Database", "DatabaseUnavailable", "MigrationError", "Storage"]
