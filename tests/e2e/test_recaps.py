"""Weekly recaps end to end: /schedule recap (Manage Server), the recap posted once at its slot on
Monday 09:00 Europe/Berlin with the week's top member, the weakest card and its answer, and the
chart attached, pinging nobody; nothing on the other days; a restart does not post it again; a
channel the bot may not post in pauses that recap with its reason in /schedule list; recap_off.
The clock is moved by hand and the recaps are ticked directly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest

from bot.app import StudyBot
from bot.cogs.recaps import RecapsCog
from bot.study.clock import ManualClock
from tests.e2e.conftest import ADMIN, bot_factory
from tests.e2e.test_reminders import answer_in
from tests.emulator import Reply, running_bot
from tests.emulator.dms import DiscordEmulatorWithDMs

ANSWERS = {
    "Who developed LeNet?": "Yann LeCun",
    "Two common types of pooling": "max pooling and average pooling",
    "Purpose of regularization": "to prevent overfitting",
    "Capital of France?": "Paris",
}
LENET = "Who developed LeNet?"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulatorWithDMs]:
    emulator = DiscordEmulatorWithDMs()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()
    assert emulator.refusals == [], f"payloads real Discord refuses: {emulator.refusals}"


class Hall:
    def __init__(self, emu: DiscordEmulatorWithDMs) -> None:
        self.emu = emu
        self.guild = emu.add_guild("Study Hall")
        self.channel = emu.add_channel(self.guild, "study")
        self.recaps = emu.add_channel(self.guild, "recaps")
        self.admin = emu.add_member(self.guild, "admin", permissions=ADMIN)
        self.ada = emu.add_member(self.guild, "ada")
        self.bob = emu.add_member(self.guild, "bob")
        self.cy = emu.add_member(self.guild, "cy")

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

    async def answer_all(self, user: int, wrong: set[str]) -> None:
        """A /quiz round of the four cards, each answered right unless its question is in `wrong`."""
        reply = await self.command("quiz", user, deck="basics", count=4)
        assert reply.message_id is not None
        for _ in range(4):
            shown = Reply(7, self.emu.model.messages[reply.message_id], reply.message_id).text()
            question = next(q for q in ANSWERS if q in shown)
            text = "no idea at all" if question in wrong else ANSWERS[question]
            await answer_in(self.emu, reply.message_id, user, text, guild=self.guild)

    def posts(self, channel: int) -> list[dict[str, object]]:
        return self.emu.channel_messages(channel)


async def tick(bot: object) -> None:
    assert isinstance(bot, StudyBot)
    cog = bot.get_cog("Recaps")
    assert isinstance(cog, RecapsCog)
    await cog.tick()


def recap_calls(emu: DiscordEmulatorWithDMs, channel: int) -> list[object]:
    return [
        c
        for c in emu.calls
        if c.method == "POST" and c.path == f"/channels/{channel}/messages" and c.status == 200
    ]


async def test_the_weekly_recap_posts_once_at_its_slot(
    emu: DiscordEmulatorWithDMs, tmp_path: Path
) -> None:
    hall = Hall(emu)
    clock = ManualClock(utc(2026, 3, 2, 8, 0))  # Monday 09:00 in Berlin
    make = bot_factory(tmp_path, clock)
    async with running_bot(emu, make) as bot:
        await hall.command("settings", hall.admin, "timezone", name="Europe/Berlin")
        refused = await hall.command("schedule", hall.ada, "recap", channel=hall.recaps)
        assert "Manage Server" in refused.text()
        on = await hall.command("schedule", hall.admin, "recap", channel=hall.recaps)
        assert on.ephemeral and "Mondays at 09:00" in on.text()
        assert f"<t:{int(utc(2026, 3, 9, 8, 0).timestamp())}:f>" in on.text()
        listed = await hall.command("schedule", hall.admin, "list")
        assert f"**Weekly recap** in <#{hall.recaps}> on Mondays at 09:00" in listed.text()

        # Tuesday: Ada gets all four right, Bob misses three, Cy misses LeNet only.
        clock.set(utc(2026, 3, 3, 17, 0))
        await hall.answer_all(hall.ada, set())
        await hall.answer_all(hall.bob, {LENET, "Capital of France?", "Purpose of regularization"})
        await hall.answer_all(hall.cy, {LENET})
        await tick(bot)

        for day in range(4, 9):  # Wednesday to Sunday 09:00 Berlin: no recap
            clock.set(utc(2026, 3, day, 8, 0))
            await tick(bot)
        clock.set(utc(2026, 3, 9, 7, 59))  # Monday 08:59
        await tick(bot)
        assert hall.posts(hall.recaps) == []

        clock.set(utc(2026, 3, 9, 8, 0))
        await tick(bot)
        await tick(bot)
        posts = hall.posts(hall.recaps)
        assert len(posts) == 1
        embed = posts[0]["embeds"][0]  # type: ignore[index]
        text = str(embed)
        assert "Weekly recap" in embed["title"] and "02 Mar" in embed["title"]
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        top = fields["Top members"].splitlines()
        assert f"<@{hall.ada}>" in top[0] and "**40** points" in top[0]
        weakest = fields["The server's weakest cards"].splitlines()
        assert LENET in weakest[0] and "(1/3 correct)" in weakest[0]
        assert "Yann LeCun." in weakest[1]
        assert "Most improved" not in fields  # nobody answered the week before
        assert embed["image"]["url"] == "attachment://recap.png" and "12" in text
        (call,) = recap_calls(emu, hall.recaps)
        assert call.files == ["recap.png"]  # type: ignore[attr-defined]
        assert call.json["allowed_mentions"] == {"parse": []}  # type: ignore[attr-defined]

    # A restart the same morning posts nothing more; nor does the rest of the week.
    clock.set(utc(2026, 3, 9, 8, 30))
    async with running_bot(emu, make) as bot:
        await tick(bot)
        for day in range(10, 16):
            clock.set(utc(2026, 3, day, 8, 0))
            await tick(bot)
        assert len(hall.posts(hall.recaps)) == 1
        # The next Monday posts again: a week without answers says so, with no chart.
        clock.set(utc(2026, 3, 16, 8, 0))
        await tick(bot)
        posts = hall.posts(hall.recaps)
        assert len(posts) == 2
        assert "Nobody answered" in posts[1]["embeds"][0]["description"]  # type: ignore[index]
        assert recap_calls(emu, hall.recaps)[-1].files == []  # type: ignore[attr-defined]

        off = await hall.command("schedule", hall.admin, "recap_off", channel=hall.recaps)
        assert "is off" in off.text()
        clock.set(utc(2026, 3, 23, 8, 0))
        await tick(bot)
        assert len(hall.posts(hall.recaps)) == 2


async def test_a_channel_the_bot_may_not_post_in_pauses_the_recap(
    emu: DiscordEmulatorWithDMs, tmp_path: Path
) -> None:
    hall = Hall(emu)
    other = emu.add_channel(hall.guild, "general")
    emu.deny_bot(hall.recaps, discord.Permissions(send_messages=True).value)
    clock = ManualClock(utc(2026, 3, 2, 8, 0))
    async with running_bot(emu, bot_factory(tmp_path, clock)) as bot:
        await hall.command("schedule", hall.admin, "recap", channel=hall.recaps, day="fri")
        await hall.command("schedule", hall.admin, "recap", channel=other, day="fri")
        clock.set(utc(2026, 3, 6, 9, 0))  # Friday 09:00 UTC (the server's default zone)
        await tick(bot)
        assert hall.posts(hall.recaps) == [] and len(hall.posts(other)) == 1
        listed = (await hall.command("schedule", hall.admin, "list")).text()
        assert f"<#{hall.recaps}> on Fridays at 09:00" in listed
        assert "paused: the bot may not post in" in listed
        clock.set(utc(2026, 3, 13, 9, 0))
        await tick(bot)
        assert hall.posts(hall.recaps) == [] and len(hall.posts(other)) == 2


async def test_without_attach_files_the_recap_goes_out_without_its_chart(
    emu: DiscordEmulatorWithDMs, tmp_path: Path
) -> None:
    hall = Hall(emu)
    emu.deny_bot(hall.recaps, discord.Permissions(attach_files=True).value)
    clock = ManualClock(utc(2026, 3, 2, 8, 0))
    async with running_bot(emu, bot_factory(tmp_path, clock)) as bot:
        await hall.command("schedule", hall.admin, "recap", channel=hall.recaps)
        clock.set(utc(2026, 3, 3, 12, 0))
        await hall.answer_all(hall.ada, set())
        clock.set(utc(2026, 3, 9, 9, 0))  # Monday 09:00 UTC
        await tick(bot)
        (post,) = hall.posts(hall.recaps)
        embed = post["embeds"][0]  # type: ignore[index]
        assert f"<@{hall.ada}>" in embed["fields"][0]["value"] and "image" not in embed
        assert recap_calls(emu, hall.recaps)[-1].files == []  # type: ignore[attr-defined]
        recaps = await bot.services.recaps.in_guild(hall.guild)  # type: ignore[attr-defined]
        assert not recaps[0].paused
