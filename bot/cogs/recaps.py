"""The weekly recap's minute tick and its Discord side (`DiscordRecapPoster`). Admins switch a
recap on and off with `/schedule recap` and `/schedule recap_off` (bot/cogs/schedule.py)."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.cogs.minute_tick import MinuteTick
from bot.discord_publisher import DiscordPublisher
from bot.domain import Recap
from bot.services import Services
from bot.study.recaps import RecapPoster, WeeklyRecap
from bot.ui.recap import recap_chart, recap_embed

log = logging.getLogger(__name__)


class DiscordRecapPoster:
    """Posts a recap in its channel through the publisher, which paces it with the other posts and
    turns Discord's errors into DeliveryFailed."""

    def __init__(self, client: discord.Client, publisher: DiscordPublisher) -> None:
        self.client = client
        self.publisher = publisher

    def serves(self, guild_id: int) -> bool:
        """Whether this process runs the server's recaps (with shards: its own servers only)."""
        return self.client.get_guild(guild_id) is not None

    async def post_recap(self, recap: Recap, content: WeeklyRecap, nonce: str) -> int:
        embed = recap_embed(content)
        chart = recap_chart(content)
        if chart is None:
            embed.set_image(url=None)
        return await self.publisher.post_recap(
            recap.channel_id, recap.guild_id, embed, chart, nonce
        )


class RecapsCog(MinuteTick, commands.Cog, name="Recaps"):
    """Runs the weekly recaps: each minute, posts the ones whose slot has come."""

    def __init__(
        self,
        services: Services,
        poster: DiscordRecapPoster | None = None,
        *,
        run_loop: bool = True,
    ) -> None:
        self.services = services
        self.poster = poster
        self.run_loop = run_loop

    def ready_client(self) -> discord.Client | None:
        return self.poster.client if self.poster is not None else None

    async def tick(self) -> None:
        """One pass over the recaps (the loop runs it each minute; tests call it)."""
        if self.poster is None:
            return
        poster: RecapPoster = self.poster
        try:
            report = await self.services.recaps.tick(poster, self.poster.serves)
            if report.posted or report.paused:
                log.info("recaps: %d posted, %d paused", len(report.posted), len(report.paused))
        except Exception:
            log.exception("recap tick failed")
