"""The weekly recap's minute tick and its Discord side (`DiscordRecapPoster`). Admins switch a
recap on and off with `/schedule recap` and `/schedule recap_off` (bot/cogs/schedule.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

import aiohttp
import discord
from discord.ext import commands, tasks

from bot.cogs.common import NO_MENTIONS
from bot.domain import Recap
from bot.services import Services
from bot.study.delivery import DeliveryFailed
from bot.study.recaps import RecapPoster, WeeklyRecap
from bot.ui.recap import recap_chart, recap_embed
from bot.ui.text import clip

log = logging.getLogger(__name__)
TICK = timedelta(minutes=1)


class DiscordRecapPoster:
    """Posts a recap in its channel through Discord's REST API; turns Discord's errors into
    DeliveryFailed (permanent for a channel the bot may not post in, or that is gone)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def serves(self, guild_id: int) -> bool:
        """Whether this process runs the server's recaps (with shards: its own servers only)."""
        return self.client.get_guild(guild_id) is not None

    async def post_recap(self, recap: Recap, content: WeeklyRecap, nonce: str) -> int:
        try:
            try:
                return await self._send(recap, content, nonce, chart=True)
            except discord.Forbidden:
                # Without Attach Files the recap still goes out, without its chart.
                if recap_chart(content) is None:
                    raise
                return await self._send(recap, content, nonce + "t", chart=False)
        except discord.NotFound as exc:
            raise DeliveryFailed(
                f"the channel <#{recap.channel_id}> was deleted", permanent=True
            ) from exc
        except discord.Forbidden as exc:
            raise DeliveryFailed(
                f"the bot may not post in <#{recap.channel_id}> (it needs View Channel, Send"
                " Messages, Embed Links and Attach Files)",
                permanent=True,
            ) from exc
        except discord.HTTPException as exc:
            client_error = 400 <= exc.status < 500 and exc.status != 429
            raise DeliveryFailed(
                f"Discord refused the recap ({exc.status} {exc.code}: {clip(exc.text, 200)})"
                if client_error
                else f"Discord could not take the recap ({exc.status})",
                permanent=client_error,
            ) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryFailed(
                f"Discord could not be reached ({type(exc).__name__})", permanent=False
            ) from exc

    async def _send(self, recap: Recap, content: WeeklyRecap, nonce: str, *, chart: bool) -> int:
        channel = self.client.get_partial_messageable(recap.channel_id, guild_id=recap.guild_id)
        embed = recap_embed(content)
        picture = recap_chart(content) if chart else None
        if picture is None:
            embed.set_image(url=None)
        message = await channel.send(
            embed=embed,
            files=[picture] if picture is not None else [],
            allowed_mentions=NO_MENTIONS,
            nonce=nonce,
        )
        return message.id


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
