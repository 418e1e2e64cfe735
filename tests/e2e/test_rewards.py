"""Streak and rank roles end to end: /rewards role, list and remove; a streak role given after the
7th day in a row and taken back after a missed day (once a day, across a restart); a missing Manage
Roles permission or a role above the bot's pausing only that reward, with its reason in /rewards
list, and never another server's; a rank role following the month's top member. The clock is moved
by hand and the rewards are ticked directly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import StudyBot
from bot.cogs.rewards import NO_MANAGE_ROLES, TOO_HIGH, RewardsCog
from bot.study.clock import ManualClock
from bot.study.rewards import RewardReport
from tests.e2e.conftest import ADMIN, bot_factory
from tests.e2e.test_reminders import answer_in
from tests.emulator import Reply, running_bot
from tests.emulator.roles import MANAGE_ROLES, DiscordEmulatorWithRoles

ANSWERS = {
    "Who developed LeNet?": "Yann LeCun",
    "Two common types of pooling": "max pooling and average pooling",
    "Purpose of regularization": "to prevent overfitting",
    "Capital of France?": "Paris",
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
async def role_emulator() -> AsyncIterator[DiscordEmulatorWithRoles]:
    emu = DiscordEmulatorWithRoles()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    assert emu.refusals == [], f"payloads real Discord refuses: {emu.refusals}"


class Hall:
    """One server with a channel, an admin, two members and a role made by the admin."""

    def __init__(self, emu: DiscordEmulatorWithRoles, name: str) -> None:
        self.emu = emu
        self.guild = emu.add_guild(name)
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

    async def answer_cards(self, user: int, count: int, *, right: bool = True) -> None:
        """A /quiz round of `count` cards, each answered right (or wrong)."""
        reply = await self.command("quiz", user, deck="basics", count=count)
        assert reply.message_id is not None
        for _ in range(count):
            shown = Reply(7, self.emu.model.messages[reply.message_id], reply.message_id).text()
            question = next(q for q in ANSWERS if q in shown)
            text = ANSWERS[question] if right else "no idea at all"
            await answer_in(self.emu, reply.message_id, user, text, guild=self.guild)

    def holds(self, user: int, role: int) -> bool:
        return role in self.emu.member_roles(self.guild, user)


async def tick(bot: object) -> RewardReport:
    assert isinstance(bot, StudyBot)
    cog = bot.get_cog("Rewards")
    assert isinstance(cog, RewardsCog) and cog.roles is not None
    return await bot.services.rewards.tick(cog.roles)


def role_calls(emu: DiscordEmulatorWithRoles, method: str) -> int:
    return sum(1 for c in emu.calls if c.method == method and "/roles/" in c.path)


async def test_a_streak_role_on_day_7_taken_back_after_a_missed_day(
    role_emulator: DiscordEmulatorWithRoles, tmp_path: Path
) -> None:
    emu = role_emulator
    hall = Hall(emu, "Study Hall")
    streak = await emu.add_role(hall.guild, "Week streak")
    clock = ManualClock(utc(2026, 3, 2, 8, 0))  # Monday 09:00 in Berlin
    make = bot_factory(tmp_path, clock)
    async with running_bot(emu, make) as bot:
        await hall.command("settings", hall.admin, "timezone", name="Europe/Berlin")
        refused = await hall.command("rewards", hall.ada, "role", role=streak, streak_days=7)
        assert "Manage Server" in refused.text()
        set_ = await hall.command("rewards", hall.admin, "role", role=streak, streak_days=7)
        assert set_.ephemeral and "a streak of 7 days or more" in set_.text()
        assert "cannot give it yet" not in set_.text()
        both = await hall.command(
            "rewards", hall.admin, "role", role=streak, streak_days=7, rank_in_month=1
        )
        assert "either streak_days or rank_in_month" in both.text()
        listed = await hall.command("rewards", hall.admin, "list")
        assert f"<@&{streak}>: a streak of 7 days or more" in listed.text()
        assert "paused" not in listed.text()

        for day in range(7):  # Ada answers on seven days in a row; Bob on the first two only
            clock.set(utc(2026, 3, 2 + day, 8, 0))
            await hall.answer_cards(hall.ada, 1, right=False)
            if day < 2:
                await hall.answer_cards(hall.bob, 1, right=False)
            clock.set(utc(2026, 3, 2 + day, 22, 59))  # 23:59 in Berlin: the day is not over
            assert (await tick(bot)).granted == []
            clock.set(utc(2026, 3, 2 + day, 23, 1))  # 00:01 the next day
            report = await tick(bot)
            assert report.runs == [(hall.guild, f"2026-03-{3 + day:02d}")]
            if day < 6:
                assert report.granted == [] and not hall.holds(hall.ada, streak)
        assert report.granted == [(hall.guild, streak, hall.ada)]
        assert hall.holds(hall.ada, streak) and not hall.holds(hall.bob, streak)
        assert (await tick(bot)).granted == []  # once a day
        assert role_calls(emu, "PUT") == 1

    # A restart later that night changes nothing: the day's run was claimed and done.
    clock.set(utc(2026, 3, 9, 1, 0))
    async with running_bot(emu, make) as bot:
        assert await tick(bot) == RewardReport()
        assert role_calls(emu, "PUT") == 1

        # Monday 9 March: no answer. The streak is still alive at 23:59 ...
        clock.set(utc(2026, 3, 9, 22, 59))
        assert (await tick(bot)).removed == []
        # ... and over at midnight: the role goes.
        clock.set(utc(2026, 3, 9, 23, 0, 30))
        report = await tick(bot)
        assert report.removed == [(hall.guild, streak, hall.ada)]
        assert not hall.holds(hall.ada, streak)
        assert role_calls(emu, "DELETE") == 1

        removed = await hall.command("rewards", hall.admin, "remove", role=streak)
        assert "no longer a reward" in removed.text()
        assert "No reward roles yet" in (await hall.command("rewards", hall.admin, "list")).text()


async def test_missing_manage_roles_pauses_only_that_reward_with_its_reason(
    role_emulator: DiscordEmulatorWithRoles, tmp_path: Path
) -> None:
    emu = role_emulator
    north, south = Hall(emu, "North"), Hall(emu, "South")
    north_role = await emu.add_role(north.guild, "Daily")
    above = await emu.add_role(north.guild, "Moderator")
    south_role = await emu.add_role(south.guild, "Daily")
    clock = ManualClock(utc(2026, 3, 2, 8, 0))
    make = bot_factory(tmp_path, clock)
    async with running_bot(emu, make) as bot:
        await emu.set_bot_permissions(south.guild, 0)  # South's admins took Manage Roles away
        warned = await south.command("rewards", south.admin, "role", role=south_role, streak_days=1)
        assert f"cannot give it yet**: {NO_MANAGE_ROLES}" in warned.text()
        await north.command("rewards", north.admin, "role", role=north_role, streak_days=1)
        await north.command("rewards", north.admin, "role", role=above, rank_in_month=1)
        bot_role = emu.bot_roles[north.guild]
        await emu.move_role(north.guild, above, 10)  # Moderator now sits above the bot's role
        assert emu.roles[north.guild][bot_role]["position"] < 10

        await north.answer_cards(north.ada, 1)
        await south.answer_cards(south.ada, 1)
        clock.set(utc(2026, 3, 3, 0, 1))
        report = await tick(bot)

        # North's streak role was given; its rank role and South's reward paused with reasons.
        assert report.granted == [(north.guild, north_role, north.ada)]
        assert north.holds(north.ada, north_role) and not north.holds(north.ada, above)
        assert sorted(report.paused) == sorted(
            [(north.guild, above, TOO_HIGH), (south.guild, south_role, NO_MANAGE_ROLES)]
        )
        assert not south.holds(south.ada, south_role)
        assert sorted(report.runs) == sorted(
            [(north.guild, "2026-03-03"), (south.guild, "2026-03-03")]
        )
        refused = [c for c in emu.calls if c.method == "PUT" and c.status == 403]
        assert len(refused) == 2

        south_list = (await south.command("rewards", south.admin, "list")).text()
        assert f"**paused**: {NO_MANAGE_ROLES}" in south_list
        north_list = (await north.command("rewards", north.admin, "list")).text()
        assert f"<@&{north_role}>: a streak of 1 day or more" in north_list
        assert f"<@&{above}>: the top member of the month — **paused**: {TOO_HIGH}" in north_list

        # A paused reward is left alone: no more calls the next night.
        calls = len([c for c in emu.calls if "/roles/" in c.path])
        await north.answer_cards(north.ada, 1, right=False)
        clock.set(utc(2026, 3, 4, 0, 1))
        await tick(bot)
        assert len([c for c in emu.calls if "/roles/" in c.path]) == calls

        # South gives Manage Roles back and sets the reward again: it resumes.
        await emu.set_bot_permissions(south.guild, MANAGE_ROLES)
        resumed = await south.command(
            "rewards", south.admin, "role", role=south_role, streak_days=1
        )
        assert "cannot give it yet" not in resumed.text()
        assert "paused" not in (await south.command("rewards", south.admin, "list")).text()
        await south.answer_cards(south.ada, 1, right=False)
        clock.set(utc(2026, 3, 5, 0, 1))
        report = await tick(bot)
        assert (south.guild, south_role, south.ada) in report.granted
        assert south.holds(south.ada, south_role)


async def test_a_rank_role_follows_the_months_top_member(
    role_emulator: DiscordEmulatorWithRoles, tmp_path: Path
) -> None:
    emu = role_emulator
    hall = Hall(emu, "Study Hall")
    top = await emu.add_role(hall.guild, "Top of the month")
    clock = ManualClock(utc(2026, 3, 30, 7, 0))
    make = bot_factory(tmp_path, clock)
    async with running_bot(emu, make) as bot:
        await hall.command("settings", hall.admin, "timezone", name="Europe/Berlin")
        set_ = await hall.command("rewards", hall.admin, "role", role=top, rank_in_month=1)
        assert "the top member of the month" in set_.text()

        # 30 March: Ada 20 points, Bob 10.
        await hall.answer_cards(hall.ada, 2)
        await hall.answer_cards(hall.bob, 1)
        clock.set(utc(2026, 3, 30, 22, 1))  # 00:01 on 31 March in Berlin (summer time)
        report = await tick(bot)
        assert report.granted == [(hall.guild, top, hall.ada)] and report.removed == []

        # 31 March: Bob answers three more: 40 against Ada's 20.
        clock.set(utc(2026, 3, 31, 9, 0))
        await hall.answer_cards(hall.bob, 3)
        clock.set(utc(2026, 3, 31, 22, 1))  # 1 April: the run ranks March, the month that ended
        report = await tick(bot)
        assert report.granted == [(hall.guild, top, hall.bob)]
        assert report.removed == [(hall.guild, top, hall.ada)]
        assert hall.holds(hall.bob, top) and not hall.holds(hall.ada, top)

        # 1 April: nobody answers; on the 2nd the new month has no leader, and the role goes.
        clock.set(utc(2026, 4, 1, 22, 1))
        report = await tick(bot)
        assert report.removed == [(hall.guild, top, hall.bob)]
        assert not hall.holds(hall.bob, top)
        clock.set(clock.now() + timedelta(days=1))
        assert (await tick(bot)).runs == [(hall.guild, "2026-04-03")]
