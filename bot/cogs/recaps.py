"""The weekly recap's minute tick and its Discord side (`DiscordRecapPoster`). Admins switch a
recap on and off with `/schedule recap` and `/schedule recap_off` (bot/cogs/schedule.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord
from discord.ext import commands, tasks

from bot.discord_publisher import DiscordPublisher
from bot.domain import Recap
from bot.services import Services
from bot.study.recaps import RecapPoster, WeeklyRecap
from bot.ui.recap import recap_chart, recap_embed

log = logging.getLogger(__name__)
TICK = timedelta(minutes=1)


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


class RecapsCog(commands.Cog, name="Recaps"):
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

    async def cog_load(self) -> None:
        if self.run_loop:
            self.loop.start()

    async def cog_unload(self) -> None:
        self.loop.cancel()

    @tasks.loop(seconds=TICK.total_seconds())
    async def loop(self) -> None:
        await self.tick()

    @loop.before_loop
    async def _until_ready(self) -> None:
        if self.poster is not None:
            await self.poster.client.wait_until_ready()

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
