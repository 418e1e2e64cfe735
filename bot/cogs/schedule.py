"""/schedule and /settings: admins set up drills and the server's time zone."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import deck_choices, reply, require_admin
from bot.domain import DEFAULT_NEW_CARDS_PER_DAY, MAX_NEW_CARDS_PER_DAY, Kind
from bot.services import Services
from bot.study.periods import UnknownTimezone, timezone_names
from bot.study.recaps import day_name
from bot.study.scheduling import SchedulerService
from bot.study.slots import DAY_NAMES, BadSchedule
from bot.ui import render
from bot.ui.recap import recap_line


async def paused_notice(scheduler: SchedulerService, guild_id: int) -> str:
    """A line for admins about schedules that paused themselves, and why."""
    return render.paused_notice(await scheduler.paused_with_reason(guild_id))


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ScheduleCog(commands.GroupCog, group_name="schedule", group_description="Scheduled drills"):
    def __init__(self, services: Services, scheduler: SchedulerService) -> None:
        self.services = services
        self.scheduler = scheduler
        super().__init__()

    async def _deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.services, interaction.guild_id, current)

    async def _timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return timezone_choices(current)

    @app_commands.command(
        name="drill", description="Post a drill in a channel at a local time on chosen days"
    )
    @app_commands.describe(
        channel="Where to post",
        deck="Which deck",
        time="Local time, 24-hour HH:MM (e.g. 09:00)",
        days="daily, mon-fri, sat,sun … (default daily)",
        cards="Cards per drill (1-10, default 5)",
        timezone="IANA zone such as Europe/Berlin (default: the server's)",
    )
    @app_commands.autocomplete(deck=_deck_autocomplete, timezone=_timezone_autocomplete)
    async def drill(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        deck: str,
        time: str,
        days: str = "daily",
        cards: app_commands.Range[int, 1, 10] = 5,
        timezone: str | None = None,
    ) -> None:
        await self._create(interaction, "drill", channel, deck, time, days, cards, 30, timezone)

    async def _create(
        self,
        interaction: discord.Interaction,
        kind: Kind,
        channel: discord.TextChannel,
        deck: str,
        time: str,
        days: str,
        size: int,
        seconds: int,
        timezone: str | None,
    ) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        try:
            schedule = await self.scheduler.add(
                guild_id=interaction.guild_id,
                channel_id=channel.id,
                kind=kind,
                deck_ids=(deck,),
                time_text=time,
                days_text=days,
                timezone=timezone,
                size=size,
                seconds_per_question=seconds,
                created_by=interaction.user.id,
            )
        except (BadSchedule, UnknownTimezone, LookupError) as exc:
            await reply(interaction, f"Not scheduled: {exc}.")
            return
        next_at = self.scheduler.next_slot(schedule).at
        notice = await paused_notice(self.scheduler, interaction.guild_id)
        await reply(interaction, f"{notice}Scheduled. {render.schedule_line(schedule, next_at)}")

    @app_commands.command(
        name="session", description="Run a live study session in a channel at a local time"
    )
    @app_commands.describe(
        channel="Where to hold it",
        deck="Which deck",
        time="Local time, 24-hour HH:MM (e.g. 18:00)",
        days="daily, mon-fri, sat,sun … (default daily)",
        questions="Questions per session (1-20, default 5)",
        seconds_per_question="Seconds to answer each (10-300, default 30)",
        timezone="IANA zone such as Europe/Berlin (default: the server's)",
    )
    @app_commands.autocomplete(deck=_deck_autocomplete, timezone=_timezone_autocomplete)
    async def session(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        deck: str,
        time: str,
        days: str = "daily",
        questions: app_commands.Range[int, 1, 20] = 5,
        seconds_per_question: app_commands.Range[int, 10, 300] = 30,
        timezone: str | None = None,
    ) -> None:
        await self._create(
            interaction,
            "session",
            channel,
            deck,
            time,
            days,
            questions,
            seconds_per_question,
            timezone,
        )

    @app_commands.command(name="list", description="This server's schedules")
    async def list_schedules(self, interaction: discord.Interaction) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        schedules = await self.scheduler.in_guild(interaction.guild_id)
        recaps = await self.services.recaps.in_guild(interaction.guild_id)
        if not schedules and not recaps:
            await reply(interaction, "No schedules yet. Create one with `/schedule drill`.")
            return
        lines = [
            render.schedule_line(s, None if s.paused else self.scheduler.next_slot(s).at)
            for s in schedules
        ]
        for recap in recaps:
            next_at = None if recap.paused else await self.services.recaps.next_post(recap)
            lines.append(recap_line(recap, int(next_at.timestamp()) if next_at else None))
        await reply(interaction, "\n".join(lines)[:1900])

    @app_commands.command(
        name="recap", description="Post a weekly recap in a channel (default Mondays 09:00)"
    )
    @app_commands.describe(
        channel="Where to post it",
        day="The weekday (default Monday); the recap covers the seven days before it",
        time="Local time in the server's time zone, 24-hour HH:MM (default 09:00)",
    )
    @app_commands.choices(
        day=[app_commands.Choice(name=day_name(i), value=DAY_NAMES[i]) for i in range(7)]
    )
    async def recap(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        day: str | None = None,
        time: str | None = None,
    ) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        try:
            recap = await self.services.recaps.save(
                interaction.guild_id, channel.id, day=day, at=time, by=interaction.user.id
            )
        except BadSchedule as exc:
            await reply(interaction, f"Not scheduled: {exc}.")
            return
        next_at = await self.services.recaps.next_post(recap)
        await reply(
            interaction,
            f"Weekly recap on in <#{channel.id}>: {day_name(recap.weekday)}s at"
            f" {recap.local_time} (server time zone), next <t:{int(next_at.timestamp())}:f>."
            " It shows the week's top members, the most improved, the weakest cards with their"
            " answers and a chart. `/schedule recap_off` turns it off.",
        )

    @app_commands.command(name="recap_off", description="Stop a channel's weekly recap")
    @app_commands.describe(channel="The channel whose recap to stop")
    async def recap_off(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        if await self.services.recaps.remove(interaction.guild_id, channel.id):
            await reply(interaction, f"The weekly recap in <#{channel.id}> is off.")
        else:
            await reply(interaction, f"<#{channel.id}> has no weekly recap.")

    async def _toggle(
        self, interaction: discord.Interaction, schedule_id: int, paused: bool
    ) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        if paused:
            done = await self.scheduler.pause(
                schedule_id, interaction.guild_id, by=interaction.user.display_name
            )
        else:
            done = await self.scheduler.resume(schedule_id, interaction.guild_id)
        if not done:
            await reply(interaction, f"There is no schedule #{schedule_id} on this server.")
            return
        await reply(interaction, f"Schedule #{schedule_id} {'paused' if paused else 'resumed'}.")

    @app_commands.command(name="pause", description="Pause a schedule")
    async def pause(self, interaction: discord.Interaction, id: int) -> None:
        await self._toggle(interaction, id, True)

    @app_commands.command(name="resume", description="Resume a paused schedule")
    async def resume(self, interaction: discord.Interaction, id: int) -> None:
        await self._toggle(interaction, id, False)

    @app_commands.command(name="remove", description="Delete a schedule")
    async def remove(self, interaction: discord.Interaction, id: int) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        if await self.scheduler.remove(id, interaction.guild_id):
            await reply(interaction, f"Schedule #{id} removed.")
        else:
            await reply(interaction, f"There is no schedule #{id} on this server.")

    @app_commands.command(name="test", description="Fire a schedule now, to check it")
    async def test(self, interaction: discord.Interaction, id: int) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        schedule = await self.scheduler.find(id, interaction.guild_id)
        if schedule is None:
            await reply(interaction, f"There is no schedule #{id} on this server.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.scheduler.fire_now(schedule)
        if report.failed:
            await reply(
                interaction,
                f"The test failed: {report.failed[0][2]}. The schedule is paused until fixed.",
            )
        elif report.posted:
            await reply(interaction, f"Schedule #{id} fired: check <#{schedule.channel_id}>.")
        else:
            await reply(
                interaction,
                f"Discord did not take schedule #{id}'s post yet; the bot keeps trying every"
                " minute until it does (or the grace window ends).",
            )


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SettingsCog(commands.GroupCog, group_name="settings", group_description="Server settings"):
    def __init__(self, services: Services, scheduler: SchedulerService) -> None:
        self.services = services
        self.scheduler = scheduler
        super().__init__()

    async def _timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return timezone_choices(current)

    @app_commands.command(
        name="timezone", description="The server's time zone for drills, days and leaderboards"
    )
    @app_commands.describe(name="An IANA time zone such as Europe/Berlin or America/New_York")
    @app_commands.autocomplete(name=_timezone_autocomplete)
    async def timezone(self, interaction: discord.Interaction, name: str) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        try:
            await self.services.settings.set_timezone(interaction.guild_id, name)
        except UnknownTimezone as exc:
            await reply(interaction, f"{exc}.")
            return
        notice = await paused_notice(self.scheduler, interaction.guild_id)
        await reply(
            interaction,
            f"{notice}Time zone set to **{name}**. Leaderboards and new schedules use it.",
        )

    @app_commands.command(
        name="new_per_day",
        description="How many new cards each member may start per deck per day (as in Anki)",
    )
    @app_commands.describe(
        count=f"New cards per deck per day, 0-{MAX_NEW_CARDS_PER_DAY} (default {DEFAULT_NEW_CARDS_PER_DAY})"
    )
    async def new_per_day(
        self,
        interaction: discord.Interaction,
        count: app_commands.Range[int, 0, MAX_NEW_CARDS_PER_DAY],
    ) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        try:
            await self.services.settings.set_new_cards_per_day(interaction.guild_id, count)
        except ValueError as exc:
            await reply(interaction, f"{exc}.")
            return
        await reply(
            interaction,
            f"Members may now start **{count}** new cards a day in each deck. Cards already"
            " studied come back when due, whatever the limit.",
        )


def timezone_choices(current: str) -> list[app_commands.Choice[str]]:
    wanted = current.casefold().replace(" ", "_")
    names = [n for n in timezone_names() if wanted in n.casefold()]
    names.sort(key=lambda n: (not n.casefold().startswith(wanted), n))
    return [app_commands.Choice(name=n, value=n) for n in names[:25]]
