"""Scheduled work that Discord does not take at once, or that a crash cuts short, still reaches the
channel exactly once: retried until Discord confirms it, and found again (not posted twice) when
an earlier try had reached Discord before the bot stopped. Discord's nonce memory follows the
simulated clock here, so a restart long after a post cannot lean on it."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

from bot.study.clock import ManualClock
from tests.e2e.conftest import Server, add_hall, bot_factory
from tests.e2e.test_drills import (
    Killed,
    answer_drill,
    drill_posts,
    killed_after_posting_a_drill,
    utc,
)
from tests.e2e.test_sessions import answer, correct_answer, posts, schedule_session
from tests.emulator import DiscordEmulator, running_bot


def follow_clock(emulator: DiscordEmulator, clock: ManualClock) -> None:
    emulator.message_clock = lambda: clock.now().timestamp()


async def test_a_drill_post_that_reached_discord_before_a_crash_is_found_after_a_long_restart(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    follow_clock(emulator, clock)
    hall = add_hall(emulator)
    make = bot_factory(tmp_path, clock)
    await killed_after_posting_a_drill(emulator, hall, make, clock)
    clock.advance(timedelta(minutes=40))  # far past Discord's nonce window
    async with running_bot(emulator, make) as bot:
        server = hall.server(emulator, bot, clock)
        report = await bot.scheduler.tick()  # type: ignore[attr-defined]
        assert [key for _, key in report.posted] == ["2026-03-26T09:00"]
        (post,) = drill_posts(emulator, hall.channel)
        drill = await bot.services.storage.drills.get(1)  # type: ignore[attr-defined]
        assert drill.message_id == int(post["id"])  # type: ignore[arg-type]
        assert (await answer_drill(emulator, server, post, 1, hall.ada, "x")).ephemeral
        clock.set(utc(2026, 3, 27, 7, 59))
        await bot.scheduler.tick()  # type: ignore[attr-defined]
        assert drill_posts(emulator, hall.channel) == [post]  # and no other post
        revealed = emulator.model.messages[int(post["id"])]  # type: ignore[arg-type]
        assert "Drill closed" in revealed["embeds"][0]["description"]


async def test_503s_while_asking_revealing_and_reporting_do_not_end_a_session(
    server: Server,
) -> None:
    emu, bot, clock = server.emulator, server.bot, server.clock
    await schedule_session(server, questions=2)
    clock.set(utc(2026, 3, 26, 18, 0))
    await bot.scheduler.tick()
    (first,) = posts(emu, server.channel, "question 1/2")
    assert (
        "Correct" in (await answer(server, first, server.ada, correct_answer(server, first))).text()
    )
    messages = rf"^/channels/{server.channel}/messages"
    emu.fail_next("POST", messages + "$", status=503, times=7)  # more than two ticks try
    emu.fail_next("PATCH", messages + r"/\d+$", status=503, times=7)
    clock.advance(timedelta(seconds=31))
    await bot.scheduler.tick()
    assert posts(emu, server.channel, "question 2/2") == []
    session = await bot.services.storage.sessions.get(1)
    assert session is not None and session.status == "running"
    for _ in range(2):
        clock.advance(timedelta(minutes=1))
        await bot.scheduler.tick()
    (second,) = posts(emu, server.channel, "question 2/2")
    assert "closed" in emu.model.messages[int(first["id"])]["embeds"][0]["title"]  # type: ignore[arg-type]
    emu.fail_next("POST", messages + "$", status=503, times=7)
    clock.advance(timedelta(seconds=31))
    await bot.scheduler.tick()
    assert posts(emu, server.channel, "results") == []
    clock.advance(timedelta(minutes=1))
    await bot.scheduler.tick()
    (results,) = posts(emu, server.channel, "results")
    assert "ada — **15** pts" in results["embeds"][0]["description"]  # type: ignore[index]
    assert "closed" in emu.model.messages[int(second["id"])]["embeds"][0]["title"]  # type: ignore[arg-type]
    session = await bot.services.storage.sessions.get(1)
    assert session is not None and session.status == "finished"
    clock.advance(timedelta(minutes=1))
    await bot.scheduler.tick()
    assert len(posts(emu, server.channel, "results")) == 1
    assert await bot.scheduler.next_fire_at() is not None  # the schedule's next day only
    assert await bot.services.storage.sessions.unreported() == []


async def test_a_session_results_table_posted_before_a_crash_is_found_not_doubled(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    follow_clock(emulator, clock)
    hall = add_hall(emulator)
    make = bot_factory(tmp_path, clock)
    async with running_bot(emulator, make) as bot:
        server = hall.server(emulator, bot, clock)
        await schedule_session(server, questions=1)
        clock.set(utc(2026, 3, 26, 18, 0))
        await bot.scheduler.tick()  # type: ignore[attr-defined]

        async def killed(session_id: int, now_ms: int) -> None:
            raise Killed

        bot.services.storage.sessions.mark_results_posted = killed  # type: ignore[attr-defined]
        clock.advance(timedelta(seconds=31))
        with contextlib.suppress(Killed):
            await bot.scheduler.tick()  # type: ignore[attr-defined]
    assert len(posts(emulator, hall.channel, "results")) == 1
    clock.advance(timedelta(minutes=30))
    async with running_bot(emulator, make) as bot:
        await bot.scheduler.tick()  # type: ignore[attr-defined]
        assert len(posts(emulator, hall.channel, "results")) == 1
        assert await bot.services.storage.sessions.unreported() == []  # type: ignore[attr-defined]
