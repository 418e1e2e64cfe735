"""Due-card reminders end to end: /remind, the direct message at 19:00 Europe/Berlin on a day with
due cards and none on a day without, a review started from the DM and recorded for the server it
came from, exactly one DM per day across a restart and both DST nights, closed DMs turning only that
member's reminder off (and telling them at their next command), and nothing for a member who left.
The clock is moved by hand and the reminders are ticked directly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import StudyBot
from bot.cogs.remind import RemindCog
from bot.study.clock import ManualClock
from bot.study.reminders import ReminderReport
from tests.e2e.conftest import ADMIN, bot_factory
from tests.emulator import Reply, running_bot
from tests.emulator.dms import DiscordEmulatorWithDMs
from tests.emulator.server import JSON


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
async def dm_emulator() -> AsyncIterator[DiscordEmulatorWithDMs]:
    emu = DiscordEmulatorWithDMs()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    assert emu.refusals == [], f"payloads real Discord refuses: {emu.refusals}"


class World:
    def __init__(self, emu: DiscordEmulatorWithDMs) -> None:
        self.emu = emu
        self.guild = emu.add_guild("Study Hall")
        self.channel = emu.add_channel(self.guild, "study")
        self.admin = emu.add_member(self.guild, "admin", permissions=ADMIN)
        self.ada = emu.add_member(self.guild, "ada")
        self.bob = emu.add_member(self.guild, "bob")

    async def command(
        self, command: str, user: int, subcommand: str | None = None, /, **options: object
    ) -> Reply:
        handle = await self.emu.slash(
            command,
            guild_id=self.guild,
            channel_id=self.channel,
            user_id=user,
            subcommand=subcommand,
            options=options,
        )
        return await self.emu.response_to(handle)

    async def quiz(self, user: int, answers: list[str]) -> None:
        """A /quiz round of len(answers) cards, answered in order."""
        reply = await self.command("quiz", user, deck="basics", count=len(answers))
        assert reply.message_id is not None
        for text in answers:
            await answer_in(self.emu, reply.message_id, user, text, guild=self.guild)

    def reminders(self, user: int) -> list[JSON]:
        return [m for m in self.emu.direct_messages(user) if "Cards due" in _title(m)]


def _title(message: JSON) -> str:
    return str(message["embeds"][0].get("title", "")) if message.get("embeds") else ""


async def answer_in(
    emu: DiscordEmulatorWithDMs, message_id: int, user: int, text: str, *, guild: int | None
) -> Reply:
    """Press Answer on a round's message (in a server or a DM) and submit `text`."""
    buttons = [
        c["custom_id"]
        for row in emu.model.messages[message_id]["components"]
        for c in row["components"]
    ]
    click = await emu.click(message_id, next(b for b in buttons if ":answer:" in b), user_id=user)
    assert (await emu.response_to(click)).type == 9
    modal = emu.modal_opened(click)
    if guild is None:
        submit = await emu.submit_dm_modal(
            modal["custom_id"], {"answer": text}, user_id=user, message_id=message_id
        )
    else:
        channel = int(emu.model.messages[message_id]["channel_id"])
        submit = await emu.submit_modal(
            modal["custom_id"],
            {"answer": text},
            user_id=user,
            guild_id=guild,
            channel_id=channel,
            message_id=message_id,
        )
    return await emu.response_to(submit)


async def tick(bot: object) -> ReminderReport:
    assert isinstance(bot, StudyBot)
    cog = bot.get_cog("Remind")
    assert isinstance(cog, RemindCog) and cog.messenger is not None
    return await bot.services.reminders.tick(cog.messenger)


async def test_a_reminder_at_19_berlin_a_review_from_the_dm_and_a_restart(
    dm_emulator: DiscordEmulatorWithDMs, tmp_path: Path
) -> None:
    emu, world = dm_emulator, World(dm_emulator)
    clock = ManualClock(utc(2026, 3, 26, 7, 0))  # Thursday; Berlin is UTC+1 until Sunday
    make = bot_factory(tmp_path, clock)
    async with running_bot(emu, make) as bot:
        set_ = await world.command(
            "remind", world.ada, "set", time="19:00", timezone="Europe/Berlin"
        )
        assert set_.ephemeral and "reminder is **on**" in set_.text()
        assert "19:00" in set_.text() and "Europe/Berlin" in set_.text()
        await world.command("remind", world.bob, "set", time="19:00")  # the server's zone: UTC
        await world.command("settings", world.admin, "timezone", name="Europe/Berlin")
        shown = await world.command("remind", world.bob, "show")
        assert "(Europe/Berlin)" in shown.text()  # no zone of his own: the server's

        # Ada misses two cards (due again within minutes); Bob has none due.
        await world.quiz(world.ada, ["Geoffrey Hinton", "min pooling"])

        clock.set(utc(2026, 3, 26, 17, 59))
        assert (await tick(bot)).sent == []
        clock.set(utc(2026, 3, 26, 18, 0, 20))  # 19:00:20 in Berlin
        report = await tick(bot)
        assert [(g, u) for g, u, _ in report.sent] == [(world.guild, world.ada)]
        assert ("not a member" not in str(report.skipped)) and "no cards due" in str(
            report.skipped
        )  # Bob: nothing due, no DM
        assert world.reminders(world.bob) == []
        [dm] = world.reminders(world.ada)
        assert dm["guild_id"] is None
        text = Reply(4, dm, int(dm["id"])).text()
        assert "Study Hall" in text and "**2** cards are due" in text
        assert "Streak" in text and "1 day" in text
        assert [c["label"] for row in dm["components"] for c in row["components"]] == [
            "Start review"
        ]
        assert dm["allowed_mentions"] == {"parse": []}
        await tick(bot)
    async with running_bot(emu, make) as bot:  # restarted in the same minute
        clock.advance(timedelta(seconds=20))
        assert (await tick(bot)).sent == []
        assert len(world.reminders(world.ada)) == 1

        # Start review in the DM: the /quiz round, recorded for the server.
        [dm] = world.reminders(world.ada)
        start = next(c["custom_id"] for row in dm["components"] for c in row["components"])
        click = await emu.click(int(dm["id"]), start, user_id=world.ada)
        round_reply = await emu.response_to(click)
        assert round_reply.type == 4 and not round_reply.ephemeral
        assert "Review for **Study Hall**" in round_reply.text()
        assert "Who developed LeNet?" in round_reply.text()
        assert round_reply.message_id is not None
        before = await bot.services.storage.attempts.count(world.guild)  # type: ignore[attr-defined]
        answered = await answer_in(emu, round_reply.message_id, world.ada, "LeCun", guild=None)
        assert "Correct" in answered.text()
        storage = bot.services.storage  # type: ignore[attr-defined]
        assert await storage.attempts.count(world.guild) == before + 1
        totals = await storage.stats.member_totals(world.guild, world.ada)
        assert totals.points == 10  # a due card, answered right: its points count on the server

        # The next day Bob still has nothing due: no DM; Ada, who left a card due, gets one.
        clock.set(utc(2026, 3, 27, 18, 1))
        report = await tick(bot)
        assert [(g, u) for g, u, _ in report.sent] == [(world.guild, world.ada)]
        assert world.reminders(world.bob) == []
        assert len(world.reminders(world.ada)) == 2


async def test_exactly_one_dm_a_day_across_both_dst_nights(
    dm_emulator: DiscordEmulatorWithDMs, tmp_path: Path
) -> None:
    """02:30 Berlin: on the spring-forward night it does not exist (sent at 03:30 CEST), on the
    fall-back night it comes twice (sent once, at the first)."""
    emu, world = dm_emulator, World(dm_emulator)
    clock = ManualClock(utc(2026, 3, 27, 12, 0))
    async with running_bot(emu, bot_factory(tmp_path, clock)) as bot:
        await world.command("remind", world.ada, "set", time="02:30", timezone="Europe/Berlin")
        await world.quiz(world.ada, ["Geoffrey Hinton"])  # one card due from now on
        sent: list[datetime] = []
        for start in (utc(2026, 3, 28, 12, 0), utc(2026, 10, 24, 12, 0)):
            clock.set(start)
            for _ in range(24 * 6):  # every ten minutes for a day
                clock.advance(timedelta(minutes=10))
                if (await tick(bot)).sent:
                    sent.append(clock.now())
        assert sent == [
            utc(2026, 3, 29, 1, 30),  # 03:30 CEST: the gap moved on by an hour
            utc(2026, 10, 25, 0, 30),  # 02:30 CEST, the first of the two
        ]
        assert len(world.reminders(world.ada)) == 2
        fires = await bot.services.storage.reminders.fires(world.guild, world.ada)  # type: ignore[attr-defined]
        assert [(f.local_date, f.status) for f in fires] == [
            ("2026-03-28", "missed"),  # the clock jumped past it: not sent hours late
            ("2026-03-29", "sent"),
            ("2026-10-24", "missed"),
            ("2026-10-25", "sent"),
        ]


async def test_closed_dms_turn_only_that_reminder_off_and_a_member_who_left_gets_none(
    dm_emulator: DiscordEmulatorWithDMs, tmp_path: Path
) -> None:
    emu, world = dm_emulator, World(dm_emulator)
    carol = emu.add_member(world.guild, "carol")
    clock = ManualClock(utc(2026, 3, 26, 7, 0))
    async with running_bot(emu, bot_factory(tmp_path, clock)) as bot:
        for user in (world.ada, world.bob, carol):
            await world.command("remind", user, "set", time="19:00", timezone="Europe/Berlin")
            await world.quiz(user, ["Geoffrey Hinton"])
        emu.close_dms(world.ada)
        emu.remove_member(world.guild, carol)
        clock.set(utc(2026, 3, 26, 18, 5))
        report = await tick(bot)
        assert [u for _, u, _ in report.sent] == [world.bob]
        assert [(u, why) for _, u, _, why in report.failed] == [
            (world.ada, "your direct messages are closed to the bot")
        ]
        assert [(u, why) for _, u, _, why in report.skipped] == [
            (carol, "not a member of the server any more")
        ]
        assert world.reminders(world.ada) == [] and world.reminders(carol) == []
        refused = [c for c in emu.calls if c.status == 403 and c.path.endswith("/messages")]
        assert len(refused) == 1  # Discord's 50007 once, not retried

        # Ada hears why at her next command, once; Bob's reminder is untouched.
        stats = await emu.slash(
            "decks",
            guild_id=world.guild,
            channel_id=world.channel,
            user_id=world.ada,
            subcommand="list",
        )
        await emu.response_to(stats)
        notice = await emu.wait_for(
            "POST", rf"/webhooks/{emu.application_id}/{stats.token}", after=stats.first_call
        )
        assert "Your reminder on this server was turned off" in notice.json["content"]
        assert "direct messages are closed" in notice.json["content"]
        assert notice.json["flags"] == 64
        again = await emu.slash(
            "decks",
            guild_id=world.guild,
            channel_id=world.channel,
            user_id=world.ada,
            subcommand="list",
        )
        await emu.response_to(again)
        shown = await world.command("remind", world.ada, "show")
        assert "**off**" in shown.text() and "direct messages are closed" in shown.text()
        assert not [
            c
            for c in emu.calls[again.first_call :]
            if again.token in c.path and "webhooks" in c.path
        ]
        bob = await world.command("remind", world.bob, "show")
        assert "**on**" in bob.text()

        # The next day: Bob again, Ada (off) and Carol (gone) nothing.
        clock.set(utc(2026, 3, 27, 18, 5))
        report = await tick(bot)
        assert [u for _, u, _ in report.sent] == [world.bob]
        assert len(world.reminders(world.bob)) == 2


async def test_remind_refuses_bad_times_and_zones_and_can_be_turned_off(
    dm_emulator: DiscordEmulatorWithDMs, tmp_path: Path
) -> None:
    emu, world = dm_emulator, World(dm_emulator)
    clock = ManualClock(utc(2026, 3, 26, 7, 0))
    async with running_bot(emu, bot_factory(tmp_path, clock)) as bot:
        bad = await world.command("remind", world.ada, "set", time="25:00")
        assert "not a time of day" in bad.text()
        zone = await world.command("remind", world.ada, "set", time="19:00", timezone="Mars/Base")
        assert "not an IANA time zone" in zone.text()
        none = await world.command("remind", world.ada, "show")
        assert "no reminder here" in none.text()
        await world.command("remind", world.ada, "set", time="7pm", days="mon-fri")
        assert "mon-fri at **19:00**" in (await world.command("remind", world.ada, "show")).text()
        assert "Reminder off" in (await world.command("remind", world.ada, "off")).text()
        await world.quiz(world.ada, ["Geoffrey Hinton"])
        clock.set(utc(2026, 3, 26, 19, 5))
        assert (await tick(bot)).sent == []
        assert "no reminder on" in (await world.command("remind", world.ada, "off")).text()
        await world.command("remind", world.ada, "set", time="19:00", timezone="Asia/Tokyo")
        await world.command("privacy", world.ada, "forget", confirm=True)
        gone = await world.command("remind", world.ada, "show")
        assert "no reminder here" in gone.text() and "(UTC)" in gone.text()  # the zone went too
