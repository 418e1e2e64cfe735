"""Two bot instances, each owning one of two shards, against the emulator and one PostgreSQL
database: each schedules only its own shard's servers, every slot is posted once, one instance dying
mid-slot and coming back neither posts twice nor loses an answer, and both read the same leaderboards.

Two StudyBot objects in one test stand in for two processes: each has its own gateway connection
(its own shard), its own asyncpg pool and its own scheduler, and they share nothing but the
database and Discord. Runs on PostgreSQL only (TEST_DATABASE_URL): SQLite is one process's database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.app import ShardedStudyBot, StudyBot, make_bot
from bot.shards import Shards
from bot.study.clock import ManualClock
from tests.e2e.conftest import ADMIN, Hall, settings_for
from tests.e2e.test_drills import answer_drill, drill_posts, schedule_drill
from tests.emulator import DiscordEmulator, running_bot


class Killed(Exception):
    """The process dies here: nothing after this line of the bot runs."""


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def postgresql_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("several processes share PostgreSQL (set TEST_DATABASE_URL)")


def hall_on_shard(emulator: DiscordEmulator, shard: int) -> Hall:
    guild = emulator.add_guild(f"Hall {shard}", shard=shard)
    channel = emulator.add_channel(guild, "study")
    admin = emulator.add_member(guild, "admin", permissions=ADMIN)
    return Hall(guild, channel, admin, emulator.add_member(guild, "ada"))


def instance(tmp_path: Path, clock: ManualClock, shard: int) -> Callable[[], StudyBot]:
    """A bot process owning shard `shard` of two, on the test's PostgreSQL database."""
    settings = replace(settings_for(tmp_path), shards=Shards(2, (shard,)))

    def make() -> StudyBot:
        return make_bot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.05)

    return make


def correct_answer(bot: StudyBot, guild: int, post: dict[str, object]) -> str:
    question = post["embeds"][0]["fields"][0]["value"]  # type: ignore[index]
    deck = bot.services.catalog.get(guild, "basics")
    assert deck is not None
    card = next(c for c in deck.cards if c.question == question)
    return card.accept[0] if card.accept else card.answer


async def test_a_process_hears_only_its_shards_servers_also_after_a_resume(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    emulator.shard_count = 2
    zero, one = hall_on_shard(emulator, 0), hall_on_shard(emulator, 1)
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{emulator.api_base}/gateway/bot") as response,
    ):
        assert (await response.json())["shards"] == 2
    async with running_bot(emulator, instance(tmp_path, clock, 1)) as bot:
        assert [g.id for g in bot.guilds] == [one.guild]
        assert emulator.identified_shards == [1]
        await emulator.drop_connection()
        await asyncio.wait_for(emulator.resumed.wait(), 10)
        unheard = await emulator.slash(
            "decks",
            guild_id=zero.guild,
            channel_id=zero.channel,
            user_id=zero.ada,
            subcommand="list",
        )
        handle = await emulator.slash(
            "decks", guild_id=one.guild, channel_id=one.channel, user_id=one.ada, subcommand="list"
        )
        assert "Basics" in (await emulator.response_to(handle)).text()
        assert not [c for c in emulator.calls if f"/interactions/{unheard.id}/" in c.path]
        joined = asyncio.ensure_future(bot.wait_for("guild_available", timeout=5))
        emulator.add_guild("Elsewhere", shard=0)
        added = emulator.add_guild("Later", shard=1)
        assert (await joined).id == added  # only its own shard's new server reaches it
        assert sorted(g.id for g in bot.guilds) == sorted([one.guild, added])


@pytest.mark.usefixtures("postgresql_only")
async def test_two_processes_two_shards_one_database(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    emulator.shard_count = 2
    zero, one = hall_on_shard(emulator, 0), hall_on_shard(emulator, 1)
    first, second = instance(tmp_path, clock, 0), instance(tmp_path, clock, 1)

    async with running_bot(emulator, second) as other:
        assert isinstance(other, ShardedStudyBot)
        assert [g.id for g in other.guilds] == [one.guild]  # Discord sends it only its shard's
        await schedule_drill(one.server(emulator, other, clock))

        async with running_bot(emulator, first) as bot:
            assert [g.id for g in bot.guilds] == [zero.guild]
            assert "Scheduled." in (await schedule_drill(zero.server(emulator, bot, clock))).text()

            async def killed(drill_id: int, message_id: int) -> None:
                raise Killed

            bot.services.storage.drills.set_message = killed  # type: ignore[method-assign]
            clock.set(utc(2026, 3, 26, 8, 0))  # Thursday 09:00 in Berlin, for both servers
            with contextlib.suppress(Killed):  # dies after Discord took the post, mid-slot
                await bot.scheduler.tick()
        assert sorted(emulator.identified_shards) == [0, 1]

        await other.scheduler.tick()  # the other process goes on; shard 0's slot is not its own
        assert len(drill_posts(emulator, zero.channel)) == 1
        assert len(drill_posts(emulator, one.channel)) == 1
        (other_post,) = drill_posts(emulator, one.channel)
        other_server = one.server(emulator, other, clock)
        verdict = await answer_drill(
            emulator,
            other_server,
            other_post,
            1,
            one.ada,
            correct_answer(other, one.guild, other_post),
        )
        assert "Correct" in verdict.text()

        async with running_bot(emulator, first) as bot:  # restarted within the slot's minute
            await bot.scheduler.tick()
            (post,) = drill_posts(emulator, zero.channel)  # found, not posted again
            server = zero.server(emulator, bot, clock)
            verdict = await answer_drill(
                emulator, server, post, 1, zero.ada, correct_answer(bot, zero.guild, post)
            )
            assert "Correct" in verdict.text()

        clock.set(utc(2026, 3, 27, 7, 59))  # Thursday's drills close; the first process is down
        await other.scheduler.tick()
        clock.set(utc(2026, 3, 27, 8, 0))  # Friday 09:00
        await other.scheduler.tick()
        assert "1 of 1 got it" in str(emulator.model.messages[int(other_post["id"])]["embeds"])  # type: ignore[arg-type]
        assert "closed" not in emulator.model.messages[int(post["id"])]["embeds"][0]["title"]  # type: ignore[arg-type]
        assert len(drill_posts(emulator, zero.channel)) == 1  # its Friday slot waits for it
        assert len(drill_posts(emulator, one.channel)) == 2

        async with running_bot(emulator, first) as bot:
            report = await bot.scheduler.tick()
            assert [key for _, key in report.posted] == ["2026-03-27T09:00"]
            revealed = emulator.model.messages[int(post["id"])]  # type: ignore[arg-type]
            assert "closed" in revealed["embeds"][0]["title"]
            assert "1 of 1 got it" in revealed["embeds"][0]["fields"][0]["value"]  # not lost
            assert (await bot.scheduler.tick()).posted == []
            await other.scheduler.tick()
            assert len(drill_posts(emulator, zero.channel)) == 2
            assert len(drill_posts(emulator, one.channel)) == 2

            for hall in (zero, one):
                boards = [
                    await process.services.stats.leaderboard(hall.guild, "all")
                    for process in (bot, other)
                ]
                assert boards[0] == boards[1]
                assert [(e.display_name, e.points) for e in boards[0].entries] == [("ada", 10)]
                handle = await emulator.slash(
                    "leaderboard",
                    guild_id=hall.guild,
                    channel_id=hall.channel,
                    user_id=hall.admin,
                    options={"period": "all"},
                )
                board = await emulator.response_to(handle)  # delivered to its shard's owner
                assert "ada" in board.text() and "**10** pts" in board.text()
