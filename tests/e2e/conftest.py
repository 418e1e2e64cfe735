from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest

from bot.app import StudyBot
from bot.config import Settings
from bot.study import delivery
from bot.study.clock import ManualClock
from tests.conftest import FIXTURES
from tests.emulator import DiscordEmulator, running_bot

ADMIN = discord.Permissions(manage_guild=True).value


@dataclass
class Server:
    emulator: DiscordEmulator
    bot: StudyBot
    clock: ManualClock
    guild: int
    channel: int
    ada: int
    bob: int
    admin: int


@dataclass
class Hall:
    """A server with a study channel, an admin and a member, made before any bot runs: for tests
    that start the bot more than once on the same database."""

    guild: int
    channel: int
    admin: int
    ada: int

    def server(self, emulator: DiscordEmulator, bot: object, clock: ManualClock) -> Server:
        assert isinstance(bot, StudyBot)
        return Server(
            emulator, bot, clock, self.guild, self.channel, self.ada, self.ada, self.admin
        )


def add_hall(emulator: DiscordEmulator) -> Hall:
    guild = emulator.add_guild("Study Hall")
    channel = emulator.add_channel(guild, "study")
    admin = emulator.add_member(guild, "admin", permissions=ADMIN)
    return Hall(guild, channel, admin, emulator.add_member(guild, "ada"))


_DATABASES: dict[Path, str] = {}
"""The PostgreSQL database of each test run on that backend, by the test's tmp_path (see
`database_per_test`), so that every bot a test starts with `settings_for(tmp_path)` shares it."""


@pytest.fixture(autouse=True)
def database_per_test(backend: str, database_url: str, tmp_path: Path) -> Iterator[None]:
    """Every end-to-end test runs on each backend: SQLite in tmp_path, and PostgreSQL (a schema of
    its own) when TEST_DATABASE_URL names a server."""
    if backend == "sqlite":
        yield
        return
    _DATABASES[tmp_path] = database_url
    try:
        yield
    finally:
        _DATABASES.pop(tmp_path, None)


def settings_for(tmp_path: Path) -> Settings:
    return Settings(
        discord_token="emulated.bot.token",
        database_path=tmp_path / "bot.sqlite3",
        database_url=_DATABASES.get(tmp_path),
        decks_dir=FIXTURES / "e2e_decks",
        dev_guild_id=None,
        log_level="INFO",
        api_base=None,
        gateway_url=None,
    )


def bot_factory(tmp_path: Path, clock: ManualClock) -> Callable[[], StudyBot]:
    def make() -> StudyBot:
        return StudyBot(
            settings_for(tmp_path), clock=clock, run_scheduler=False, guild_ready_timeout=0.05
        )

    return make


@pytest.fixture(autouse=True)
def instant_delivery_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot's own retries of a send within a tick pause for real seconds: not in a test."""
    monkeypatch.setattr(delivery, "RETRY_PAUSES", (0.0, 0.0))


@pytest.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    assert emu.refusals == [], f"payloads real Discord refuses: {emu.refusals}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 26, 7, 0, tzinfo=UTC))


@pytest.fixture
async def server(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[Server]:
    guild = emulator.add_guild("Study Hall")
    channel = emulator.add_channel(guild, "study")
    ada = emulator.add_member(guild, "ada")
    bob = emulator.add_member(guild, "bob")
    admin = emulator.add_member(guild, "admin", permissions=ADMIN)

    def make() -> StudyBot:
        return StudyBot(
            settings_for(tmp_path), clock=clock, run_scheduler=False, guild_ready_timeout=0.05
        )

    async with running_bot(emulator, make) as bot:
        assert isinstance(bot, StudyBot)
        yield Server(emulator, bot, clock, guild, channel, ada, bob, admin)
