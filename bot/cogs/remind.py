"""/remind: a member's daily direct message when cards are due on this server; and the Discord side
of sending it (`DiscordMessenger`)."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import NO_MENTIONS, member_of, reply
from bot.cogs.minute_tick import MinuteTick
from bot.cogs.schedule import timezone_choices
from bot.domain import Reminder
from bot.services import Services
from bot.study.delivery import DeliveryFailed
from bot.study.periods import UnknownTimezone
from bot.study.reminders import DirectMessagesClosed, Messenger, ReminderMessage
from bot.study.slots import BadSchedule
from bot.ui import render
from bot.ui.components import reminder_view
from bot.ui.text import clip

log = logging.getLogger(__name__)
CANNOT_MESSAGE_USER = 50007


class DiscordMessenger:
    """Sends reminders as direct messages; asks Discord whether a member is still on a server."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def serves(self, guild_id: int) -> bool:
        return self.client.get_guild(guild_id) is not None

    async def is_member(self, guild_id: int, user_id: int) -> bool | None:
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return False  # the bot itself is no longer on that server
        try:
            await guild.fetch_member(user_id)
        except discord.NotFound:
            return False
        except (discord.HTTPException, TimeoutError, aiohttp.ClientError, OSError):
            return None
        return True

    async def send_reminder(self, message: ReminderMessage) -> int:
        guild = self.client.get_guild(message.guild_id)
        server = guild.name if guild is not None else "your server"
        try:
            channel = await self.client.create_dm(discord.Object(id=message.user_id))
            sent = await channel.send(
                embed=render.reminder_dm(message, server),
                view=reminder_view(message.guild_id),
                allowed_mentions=NO_MENTIONS,
                nonce=message.nonce,
            )
        except discord.Forbidden as exc:
            if exc.code == CANNOT_MESSAGE_USER:
                raise DirectMessagesClosed() from exc
            raise DeliveryFailed(
                f"Discord refused the message ({exc.code})", permanent=True
            ) from exc
        except discord.HTTPException as exc:
            client_error = 400 <= exc.status < 500 and exc.status != 429
            raise DeliveryFailed(
                f"Discord refused the message ({exc.status} {exc.code}: {clip(exc.text, 200)})"
                if client_error
                else f"Discord could not take the message ({exc.status})",
                permanent=client_error,
            ) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryFailed(
                f"Discord could not be reached ({type(exc).__name__})", permanent=False
            ) from exc
        return sent.id


def describe(reminder: Reminder, next_at: str) -> str:
    if reminder.on:
        return (
            f"Your reminder is **on**: {reminder.days} at **{reminder.local_time}**"
            f" ({reminder.timezone}), only on days when cards are due here. Next: {next_at}."
        )
    why = f" The bot turned it off: {reminder.off_reason}." if reminder.off_reason else ""
    return f"Your reminder is **off**.{why} `/remind set` turns it on again."


@app_commands.guild_only()
class RemindCog(
    MinuteTick,
    commands.GroupCog,
    name="Remind",
    group_name="remind",
    group_description="A direct message when you have cards due on this server",
):
    def __init__(
        self, services: Services, messenger: Messenger | None = None, *, run_loop: bool = True
    ) -> None:
        self.services = services
        self.messenger = messenger
        self.run_loop = run_loop
        super().__init__()

    def ready_client(self) -> discord.Client | None:
        """Not before the servers are known: `serves` asks the client which servers it has."""
        return self.messenger.client if isinstance(self.messenger, DiscordMessenger) else None

    async def tick(self) -> None:
        """One pass over the reminders (the loop runs it each minute; tests call it)."""
        if self.messenger is None:
            return
        try:
            report = await self.services.reminders.tick(self.messenger)
            if report.sent or report.failed:
                log.info("reminders: sent %d, failed %d", len(report.sent), len(report.failed))
        except Exception:
            log.exception("reminder tick failed")

    async def _timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return timezone_choices(current)

    @app_commands.command(
        name="set", description="A direct message at this time when cards are due"
    )
    @app_commands.describe(
        time="Local time, 24-hour HH:MM such as 19:00",
        days="daily (default), mon-fri, sat,sun, …",
        timezone="Your own IANA time zone, kept for next time (default: the server's)",
    )
    @app_commands.autocomplete(timezone=_timezone_autocomplete)
    async def set_(
        self,
        interaction: discord.Interaction,
        time: app_commands.Range[str, 1, 20],
        days: app_commands.Range[str, 1, 60] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        member = member_of(interaction)
        try:
            reminder = await self.services.reminders.set(member, time, days, timezone)
        except (BadSchedule, UnknownTimezone) as exc:
            await reply(interaction, f"{exc}.")
            return
        next_at = self.services.reminders.next_time(reminder)
        await reply(
            interaction,
            describe(reminder, f"<t:{int(next_at.timestamp())}:f>")
            + " The message says how many cards are due and since when, your streak, and has a"
            " **Start review** button. `/remind off` stops it.",
        )

    @app_commands.command(name="off", description="No more reminders from this server")
    async def off(self, interaction: discord.Interaction) -> None:
        member = member_of(interaction)
        turned_off = await self.services.reminders.off(member)
        await reply(
            interaction,
            "Reminder off: no more direct messages from this server."
            if turned_off
            else "You have no reminder on for this server.",
        )

    @app_commands.command(name="show", description="Your reminder on this server")
    async def show(self, interaction: discord.Interaction) -> None:
        member = member_of(interaction)
        reminder = await self.services.reminders.get(member)
        if reminder is None:
            zone = await self.services.reminders.timezone_of(member)
            await reply(
                interaction,
                f"You have no reminder here. `/remind set time:19:00` sends you a direct message"
                f" at 19:00 ({zone}) on days when cards are due.",
            )
            return
        next_at = self.services.reminders.next_time(reminder)
        await reply(interaction, describe(reminder, f"<t:{int(next_at.timestamp())}:f>"))

    @commands.Cog.listener()
    async def on_app_command_completion(
        self,
        interaction: discord.Interaction,
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        """A member whose reminder the bot turned off hears why the next time they use a command
        on that server (once)."""
        if interaction.guild_id is None:
            return
        try:
            reason = await self.services.reminders.notice(interaction.guild_id, interaction.user.id)
            # Recorded first (and only one command wins): the member's next command may come
            # before this reply is sent.
            if reason is None or not await self.services.reminders.told(
                interaction.guild_id, interaction.user.id
            ):
                return
            await reply(
                interaction,
                f"Your reminder on this server was turned off: {reason}. Allow direct messages"
                " from server members, then `/remind set` turns it on again.",
            )
        except Exception:
            log.exception("could not tell a member why their reminder is off")
