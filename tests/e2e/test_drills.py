"""Scheduled drills end to end: admin commands, posting at the local slot, answers, restarts,
closing and revealing, DST nights, missed slots and deleted channels. The clock is moved by hand and
the scheduler is ticked directly: nothing waits for real time."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord

from bot.app import StudyBot
from bot.study.clock import ManualClock
from tests.e2e.conftest import Hall, Server, add_hall, bot_factory
from tests.emulator import DiscordEmulator, Reply, running_bot


class Killed(Exception):
    """The process dies here: nothing after this line of the bot runs."""


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def schedule_drill(
    server: Server,
    *,
    time: str = "09:00",
    days: str = "mon-fri",
    tz: str = "Europe/Berlin",
    cards: int = 3,
) -> Reply:
    handle = await server.emulator.slash(
        "schedule",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        subcommand="drill",
        options={
            "channel": server.channel,
            "deck": "basics",
            "time": time,
            "days": days,
            "cards": cards,
            "timezone": tz,
        },
    )
    return await server.emulator.response_to(handle)


def drill_posts(emu: DiscordEmulator, channel: int) -> list[dict[str, object]]:
    return [
        m
        for m in emu.channel_messages(channel)
        if m["embeds"] and "Daily drill" in str(m["embeds"][0].get("title"))
    ]


async def answer_drill(
    emu: DiscordEmulator, server: Server, post: dict[str, object], number: int, user: int, text: str
) -> Reply:
    buttons = [c["custom_id"] for row in post["components"] for c in row["components"]]  # type: ignore[attr-defined]
    click = await emu.click(int(post["id"]), buttons[number - 1], user_id=user)  # type: ignore[arg-type]
    opened = await emu.response_to(click)
    if opened.type != 9:
        return opened
    modal = emu.modal_opened(click)
    submit = await emu.submit_modal(
        modal["custom_id"],
        {"answer": text},
        user_id=user,
        guild_id=server.guild,
        channel_id=server.channel,
    )
    return await emu.response_to(submit)


async def test_weekday_drill_at_nine_berlin_answered_closed_and_revealed(server: Server) -> None:
    emu, bot = server.emulator, server.bot
    created = await schedule_drill(server)
    assert "Scheduled." in created.text()
    assert "09:00 mon-fri (Europe/Berlin)" in created.text()

    server.clock.set(utc(2026, 3, 26, 7, 59))  # Thursday 08:59 in Berlin
    await bot.scheduler.tick()
    assert drill_posts(emu, server.channel) == []
    server.clock.set(utc(2026, 3, 26, 8, 0))  # 09:00 CET
    await bot.scheduler.tick()
    (post,) = drill_posts(emu, server.channel)
    questions = [f["value"] for f in post["embeds"][0]["fields"]]  # type: ignore[index]
    assert len(questions) == 3

    cards = {c.question: c for c in bot.services.catalog.get(server.guild, "basics").cards}  # type: ignore[union-attr]
    first = cards[questions[0]]
    verdict = await answer_drill(
        emu, server, post, 1, server.ada, first.accept[0] if first.accept else first.answer
    )
    assert verdict.ephemeral
    assert "Correct" in verdict.text()
    again = await answer_drill(emu, server, post, 1, server.ada, "second try")
    assert "already answered card 1" in again.text()
    await answer_drill(emu, server, post, 1, server.bob, "no idea")

    buttons = [c["custom_id"] for row in post["components"] for c in row["components"]]  # type: ignore[attr-defined]
    slow = await emu.click(int(post["id"]), buttons[1], user_id=server.bob)  # type: ignore[arg-type]
    slow_modal = emu.modal_opened(slow) if (await emu.response_to(slow)).type == 9 else {}

    server.clock.set(utc(2026, 3, 27, 7, 59))  # just before Friday's drill: Thursday's closes
    await bot.scheduler.tick()
    revealed = emu.model.messages[int(post["id"])]  # type: ignore[arg-type]
    assert "closed" in revealed["embeds"][0]["title"]
    assert "1 of 2 got it" in revealed["embeds"][0]["fields"][0]["value"]
    assert revealed["components"] == []
    assert "Drill closed. Today's top: ada (10)" in revealed["embeds"][0]["description"]
    assert [
        m["id"] for m in emu.channel_messages(server.channel) if not m.get("interaction_user")
    ] == [post["id"]]  # the reveal is an edit, not another message
    late = await emu.submit_modal(
        slow_modal["custom_id"],
        {"answer": "x"},
        user_id=server.bob,
        guild_id=server.guild,
        channel_id=server.channel,
    )
    assert "too late" in (await emu.response_to(late)).text()

    server.clock.set(utc(2026, 3, 27, 8, 0))  # Friday 09:00: the next drill
    await bot.scheduler.tick()
    server.clock.set(utc(2026, 3, 28, 8, 0))  # Saturday: none
    await bot.scheduler.tick()
    assert len(drill_posts(emu, server.channel)) == 2


async def test_a_non_admin_cannot_schedule(server: Server) -> None:
    handle = await server.emulator.slash(
        "schedule",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.ada,
        subcommand="drill",
        options={"channel": server.channel, "deck": "basics", "time": "09:00"},
    )
    assert "Manage Server" in (await server.emulator.response_to(handle)).text()
    assert await server.bot.services.storage.schedules.all() == []


async def test_bad_times_days_and_zones_are_refused_clearly(server: Server) -> None:
    assert "25:00" in (await schedule_drill(server, time="25:00")).text()
    assert "funday" in (await schedule_drill(server, days="funday")).text()
    assert "IANA" in (await schedule_drill(server, tz="Mars/Olympus")).text()
    handle = await server.emulator.slash(
        "settings",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        subcommand="timezone",
        options={"name": "Nowhere/Land"},
    )
    assert "IANA" in (await server.emulator.response_to(handle)).text()
    choices = await server.emulator.autocomplete(
        "settings",
        focused="name",
        value="berl",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        subcommand="timezone",
    )
    assert [c["value"] for c in choices] == ["Europe/Berlin"]


async def test_deleted_channel_pauses_the_schedule_and_tells_admins(server: Server) -> None:
    emu, bot = server.emulator, server.bot
    await schedule_drill(server)
    emu.delete_channel(server.channel)
    server.clock.set(utc(2026, 3, 26, 8, 0))
    report = await bot.scheduler.tick()
    assert report.failed
    other = emu.add_channel(server.guild, "elsewhere")
    handle = await emu.slash(
        "schedule", guild_id=server.guild, channel_id=other, user_id=server.admin, subcommand="list"
    )
    listed = (await emu.response_to(handle)).text()
    assert "paused" in listed
    assert "was deleted" in listed


async def test_dst_nights_post_exactly_once(server: Server) -> None:
    emu, bot = server.emulator, server.bot
    await schedule_drill(server, time="02:30", days="daily")
    for instant in (utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2, 0)):
        server.clock.set(instant)  # spring forward: 02:30 does not exist; it fires at 03:30 CEST
        await bot.scheduler.tick()
    assert len(drill_posts(emu, server.channel)) == 1
    for instant in (
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 1, 0),
        utc(2026, 10, 25, 1, 30),
        utc(2026, 10, 25, 2, 0),
    ):
        server.clock.set(instant)  # fall back: 02:30 CEST, the repeated hour, then 02:30 CET again
        await bot.scheduler.tick()
    assert len(drill_posts(emu, server.channel)) == 2


async def test_restarts_during_the_slot_and_missed_slots(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    hall = add_hall(emulator)
    make = bot_factory(tmp_path, clock)

    async with running_bot(emulator, make) as bot:
        server = hall.server(emulator, bot, clock)
        await schedule_drill(server)
        clock.set(utc(2026, 3, 26, 8, 0))
        await bot.scheduler.tick()  # type: ignore[attr-defined]
    async with running_bot(emulator, make) as bot:  # restarted within the same minute
        await bot.scheduler.tick()  # type: ignore[attr-defined]
        (post,) = drill_posts(emulator, hall.channel)
        verdict = await answer_drill(
            emulator,
            Server(emulator, bot, clock, hall.guild, hall.channel, hall.ada, hall.ada, hall.admin),
            post,
            1,
            hall.ada,
            "LeCun",
        )  # type: ignore[arg-type]
        assert verdict.ephemeral
    clock.set(utc(2026, 3, 27, 9, 30))  # offline through Friday 09:00 CET; 90 minutes late
    async with running_bot(emulator, make) as bot:
        report = await bot.scheduler.tick()  # type: ignore[attr-defined]
        assert [key for _, key in report.posted] == ["2026-03-27T09:00"]
        assert report.closed  # Thursday's drill closed at start-up
    clock.set(utc(2026, 3, 30, 12, 0))  # offline through Monday 09:00 CEST; 5 hours late
    async with running_bot(emulator, make) as bot:
        report = await bot.scheduler.tick()  # type: ignore[attr-defined]
        assert report.posted == []
        assert [key for _, key in report.missed] == ["2026-03-30T09:00"]
    assert len(drill_posts(emulator, hall.channel)) == 2


async def test_schedule_commands_pause_resume_test_and_remove(server: Server) -> None:
    emu = server.emulator
    await schedule_drill(server)

    async def run(subcommand: str, **options: object) -> str:
        handle = await emu.slash(
            "schedule",
            guild_id=server.guild,
            channel_id=server.channel,
            user_id=server.admin,
            subcommand=subcommand,
            options=options,
        )
        return (await emu.response_to(handle)).text()

    assert "#1** drill" in await run("list")
    assert "paused" in await run("pause", id=1)
    assert "paused" in await run("list")
    assert "resumed" in await run("resume", id=1)
    assert "fired" in await run("test", id=1)
    assert len(drill_posts(emu, server.channel)) == 1
    assert "removed" in await run("remove", id=1)
    assert "No schedules" in await run("list")
    assert "no schedule #7" in await run("pause", id=7)


async def test_lost_permission_pauses_the_schedule(server: Server) -> None:
    emu, bot = server.emulator, server.bot
    await schedule_drill(server)
    emu.deny_bot(server.channel, discord.Permissions(send_messages=True).value)
    server.clock.set(utc(2026, 3, 26, 8, 0))
    report = await bot.scheduler.tick()
    assert report.failed
    schedule = (await bot.services.storage.schedules.all())[0]
    assert schedule.paused
    assert "may not post" in (schedule.pause_reason or "")
    handle = await emu.slash(
        "settings",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        subcommand="timezone",
        options={"name": "Europe/Berlin"},
    )
    told = (await emu.response_to(handle)).text()
    assert "Schedule #1 is paused" in told
    assert "Time zone set to **Europe/Berlin**" in told


async def test_a_post_discord_refuses_pauses_the_schedule_instead_of_retrying(
    server: Server,
) -> None:
    emu, bot = server.emulator, server.bot
    await schedule_drill(server)
    emu.fail_next("POST", rf"/channels/{server.channel}/messages$", status=400, times=10)
    server.clock.set(utc(2026, 3, 26, 8, 0))
    report = await bot.scheduler.tick()
    assert report.failed
    schedule = (await bot.services.storage.schedules.all())[0]
    assert schedule.paused
    assert "refused" in (schedule.pause_reason or "")
    assert drill_posts(emu, server.channel) == []


async def test_a_failed_closing_edit_is_retried_until_discord_has_the_reveal(
    server: Server,
) -> None:
    emu, bot = server.emulator, server.bot
    await schedule_drill(server)
    server.clock.set(utc(2026, 3, 26, 8, 0))
    await bot.scheduler.tick()
    (post,) = drill_posts(emu, server.channel)
    emu.fail_next("PATCH", rf"/messages/{post['id']}$", status=503, times=20)
    server.clock.set(utc(2026, 3, 27, 7, 59))
    first = await bot.scheduler.tick()
    assert first.closed
    assert "closed" not in emu.model.messages[int(post["id"])]["embeds"][0]["title"]  # type: ignore[arg-type]
    assert await bot.scheduler.next_fire_at() is not None
    emu._failures.clear()
    server.clock.advance(timedelta(minutes=1))
    await bot.scheduler.tick()
    revealed = emu.model.messages[int(post["id"])]  # type: ignore[arg-type]
    assert "closed" in revealed["embeds"][0]["title"]
    assert revealed["components"] == []
    assert "Drill closed" in revealed["embeds"][0]["description"]
    edits = len([c for c in emu.calls if c.method == "PATCH" and c.status == 200])
    server.clock.advance(timedelta(minutes=1))
    await bot.scheduler.tick()
    assert len([c for c in emu.calls if c.method == "PATCH" and c.status == 200]) == edits
    assert not [
        m
        for m in emu.channel_messages(server.channel)
        if m["content"] and not m.get("interaction_user")
    ]  # the reveal is an edit: no extra line


async def killed_after_posting_a_drill(
    emulator: DiscordEmulator, hall: Hall, make: Callable[[], StudyBot], clock: ManualClock
) -> None:
    """A bot schedules a weekday drill and dies in Thursday's tick after Discord took the post,
    before the message id was stored."""
    async with running_bot(emulator, make) as bot:
        server = hall.server(emulator, bot, clock)
        await schedule_drill(server)

        async def killed(drill_id: int, message_id: int) -> None:
            raise Killed

        bot.services.storage.drills.set_message = killed  # type: ignore[attr-defined,method-assign]
        clock.set(utc(2026, 3, 26, 8, 0))
        with contextlib.suppress(Killed):
            await bot.scheduler.tick()  # type: ignore[attr-defined]


async def test_killed_between_posting_a_drill_and_storing_its_message(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    hall = add_hall(emulator)
    make = bot_factory(tmp_path, clock)
    await killed_after_posting_a_drill(emulator, hall, make, clock)
    assert len(drill_posts(emulator, hall.channel)) == 1
    clock.advance(timedelta(minutes=1))
    async with running_bot(emulator, make) as bot:
        server = hall.server(emulator, bot, clock)
        await bot.scheduler.tick()  # type: ignore[attr-defined]
        (post,) = drill_posts(emulator, hall.channel)
        drill = await bot.services.storage.drills.get(1)  # type: ignore[attr-defined]
        assert drill.message_id == int(post["id"])  # type: ignore[arg-type]
        verdict = await answer_drill(emulator, server, post, 1, hall.ada, "anything")
        assert verdict.ephemeral
