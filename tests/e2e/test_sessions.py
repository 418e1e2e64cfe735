"""A live study session played to its results table, and one that survives a restart."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.study.clock import ManualClock
from tests.e2e.conftest import Server, add_hall, bot_factory
from tests.emulator import DiscordEmulator, Reply, running_bot


class Killed(Exception):
    """The process dies here: nothing after this line of the bot runs."""


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def posts(emu: DiscordEmulator, channel: int, title: str) -> list[dict[str, object]]:
    return [
        m
        for m in emu.channel_messages(channel)
        if m["embeds"] and title in str(m["embeds"][0].get("title"))
    ]


async def schedule_session(server: Server, questions: int = 2) -> None:
    handle = await server.emulator.slash(
        "schedule",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        subcommand="session",
        options={
            "channel": server.channel,
            "deck": "basics",
            "time": "18:00",
            "timezone": "UTC",
            "questions": questions,
            "seconds_per_question": 30,
        },
    )
    assert "Scheduled." in (await server.emulator.response_to(handle)).text()


async def answer(server: Server, message: dict[str, object], user: int, text: str) -> Reply:
    emu = server.emulator
    custom_id = message["components"][0]["components"][0]["custom_id"]  # type: ignore[index]
    click = await emu.click(int(message["id"]), custom_id, user_id=user)  # type: ignore[arg-type]
    opened = await emu.response_to(click)
    if opened.type != 9:
        return opened
    submit = await emu.submit_modal(
        emu.modal_opened(click)["custom_id"],
        {"answer": text},
        user_id=user,
        guild_id=server.guild,
        channel_id=server.channel,
    )
    return await emu.response_to(submit)


def correct_answer(server: Server, message: dict[str, object]) -> str:
    question = message["embeds"][0]["description"]  # type: ignore[index]
    deck = server.bot.services.catalog.get(server.guild, "basics")
    assert deck is not None
    card = next(c for c in deck.cards if c.question == question)
    return card.accept[0] if card.accept else card.answer


async def test_a_live_session_played_to_its_results_table(server: Server) -> None:
    emu, bot, clock = server.emulator, server.bot, server.clock
    await schedule_session(server)
    clock.set(utc(2026, 3, 26, 18, 0))
    await bot.scheduler.tick()
    (first,) = posts(emu, server.channel, "question 1/2")
    right = correct_answer(server, first)
    assert "Correct" in (await answer(server, first, server.ada, right)).text()
    clock.advance(timedelta(seconds=5))
    assert "Correct" in (await answer(server, first, server.bob, right)).text()
    assert "already answered" in (await answer(server, first, server.bob, right)).text()

    clock.advance(timedelta(seconds=26))
    await bot.scheduler.tick()
    closed = emu.model.messages[int(first["id"])]  # type: ignore[arg-type]
    assert "closed" in closed["embeds"][0]["title"]
    assert "2 of 2 correct · fastest: ada" in str(closed["embeds"][0]["fields"])
    (second,) = posts(emu, server.channel, "question 2/2")
    clock.advance(timedelta(seconds=31))
    late = await answer(server, second, server.ada, "whatever")
    assert "Time is up" in late.text()
    await bot.scheduler.tick()
    (results,) = posts(emu, server.channel, "results")
    table = results["embeds"][0]["description"]  # type: ignore[index]
    assert table.splitlines() == [
        "**1.** ada — **15** pts (1 correct)",
        "**2.** bob — **10** pts (1 correct)",
    ]
    board = await emu.response_to(
        await emu.slash(
            "leaderboard",
            guild_id=server.guild,
            channel_id=server.channel,
            user_id=server.ada,
            options={"period": "day"},
        )
    )
    assert "**15** pts" in board.text()


async def test_a_session_interrupted_by_a_restart_carries_on(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    hall = add_hall(emulator)
    make = bot_factory(tmp_path, clock)
    async with running_bot(emulator, make) as bot:
        server = hall.server(emulator, bot, clock)
        await schedule_session(server, questions=3)
        clock.set(utc(2026, 3, 26, 18, 0))
        await bot.scheduler.tick()  # type: ignore[attr-defined]
    clock.advance(timedelta(seconds=40))
    async with running_bot(emulator, make) as bot:
        await bot.scheduler.tick()  # type: ignore[attr-defined]
        assert posts(emulator, hall.channel, "question 2/3")
    clock.advance(timedelta(hours=5))  # down for hours: the session ends with what was played
    async with running_bot(emulator, make) as bot:
        await bot.scheduler.tick()  # type: ignore[attr-defined]
        (results,) = posts(emulator, hall.channel, "ended early")
        assert "2 of 3 played" in results["embeds"][0]["title"]  # type: ignore[index]
        session = await bot.services.storage.sessions.get(1)  # type: ignore[attr-defined]
        assert session.status == "aborted"


async def test_session_buttons_posted_before_a_restart_still_answer(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    hall = add_hall(emulator)
    make = bot_factory(tmp_path, clock)
    async with running_bot(emulator, make) as bot:
        server = hall.server(emulator, bot, clock)
        await schedule_session(server, questions=2)
        clock.set(utc(2026, 3, 26, 18, 0))
        await bot.scheduler.tick()  # type: ignore[attr-defined]
    (first,) = posts(emulator, hall.channel, "question 1/2")
    clock.advance(timedelta(seconds=5))
    async with running_bot(emulator, make) as bot:
        server = hall.server(emulator, bot, clock)
        reply = await answer(server, first, hall.ada, correct_answer(server, first))
        assert "Correct" in reply.text()


async def test_killed_between_asking_a_question_and_storing_it(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    hall = add_hall(emulator)
    make = bot_factory(tmp_path, clock)
    async with running_bot(emulator, make) as bot:
        server = hall.server(emulator, bot, clock)
        await schedule_session(server, questions=2)

        async def killed(*args: object) -> None:
            raise Killed

        bot.services.storage.sessions.set_question_message = killed  # type: ignore[attr-defined]
        clock.set(utc(2026, 3, 26, 18, 0))
        with contextlib.suppress(Killed):
            await bot.scheduler.tick()  # type: ignore[attr-defined]
    assert len(posts(emulator, hall.channel, "question 1/2")) == 1
    clock.advance(timedelta(seconds=5))
    async with running_bot(emulator, make) as bot:
        server = hall.server(emulator, bot, clock)
        await bot.scheduler.tick()  # type: ignore[attr-defined]
        (first,) = posts(emulator, hall.channel, "question 1/2")
        reply = await answer(server, first, hall.ada, correct_answer(server, first))
        assert "Correct" in reply.text()
