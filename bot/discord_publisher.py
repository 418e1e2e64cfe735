"""The Discord side of scheduled work: posting, finding and editing drills, session questions and
results in channels, paced by the per-channel buckets and the global budget (bot/ratelimit.py).

The scheduler (bot/study/scheduling.py) sees it only through its `Publisher` protocol; the app wires
this implementation in."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import discord
import discord.http

from bot.cogs.common import NO_MENTIONS
from bot.decks import Card
from bot.domain import Drill, SessionQuestion, StudySession
from bot.ratelimit import LATER, NOW, ChannelBuckets, TokenBucket
from bot.study.clock import from_ms
from bot.study.delivery import DeliveryFailed
from bot.study.drills import DrillCard, DrillResults
from bot.study.sessions import QuestionResult, Standing
from bot.ui import render
from bot.ui.components import drill_view, session_view
from bot.ui.pictures import picture_file, within_upload
from bot.ui.text import clip

T = TypeVar("T")
log = logging.getLogger(__name__)
GLOBAL_BUDGET = 48.0
"""Requests per second the channel posts may use: Discord allows a bot 50 across all routes
(interaction answers are exempt); two are left for the bot's other REST calls."""


PictureFinder = Callable[[int, str, Card], Path | None]
"""Where a card's image file is, given the server, the deck id and the card (None: it has none)."""


class DiscordPublisher:
    """Posts and edits scheduled work in channels; turns Discord errors into DeliveryFailed.

    Posts carry a nonce with enforce_nonce, so a retry within Discord's nonce window gets the first
    message back instead of a second post. For a retry after longer (the bot was down), the
    `find_*` methods look through the channel's recent messages for the post an earlier try made:
    a drill post and a session question by their buttons' custom_ids,
    a session's results table by its footer. A drill's reveal is one edit of its post (the answers,
    the tallies and the day's top members), so repeating it is harmless."""

    HISTORY = 100
    """How many of a channel's latest messages a lookup reads (one request)."""

    def __init__(
        self,
        client: discord.Client,
        limiter: TokenBucket | None = None,
        buckets: ChannelBuckets | None = None,
        pictures: PictureFinder | None = None,
    ) -> None:
        self.client = client
        _sweep_buckets_when_doubled(client.http)
        self.limiter = limiter or TokenBucket(rate=GLOBAL_BUDGET, burst=1)
        if buckets is None:
            buckets = ChannelBuckets()
            buckets.watch(client.http)
        self.buckets = buckets
        self.pictures = pictures

    def _picture_path(self, guild_id: int, deck_id: str, card: Card) -> Path | None:
        return self.pictures(guild_id, deck_id, card) if self.pictures else None

    async def channel_ready(self, channel_id: int) -> None:
        await self.buckets.ready(channel_id)

    def _channel(self, channel_id: int, guild_id: int) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)

    async def post_drill(self, drill: Drill, cards: list[DrillCard]) -> int:
        embed = render.drill_post(drill, cards, from_ms(drill.closes_at_ms))
        view = drill_view(drill.id, [c.number for c in cards])
        # Each card's picture is attached under its number; the embed can show only one.
        files = within_upload(
            (self._picture_path(drill.guild_id, c.deck_id, c.card), f"card-{c.number}")
            for c in cards
        )
        message = await self._send(
            drill.channel_id,
            drill.guild_id,
            files,
            embed=embed,
            view=view,
            nonce=f"drill-{drill.id}",
        )
        return message.id

    async def find_drill_post(self, drill: Drill) -> int | None:
        prefix = f"sb:drill:{drill.id}:"
        return await self._find(
            drill.channel_id,
            drill.guild_id,
            lambda m: any(custom_id.startswith(prefix) for custom_id in _custom_ids(m)),
        )

    async def reveal_drill(self, results: DrillResults) -> None:
        drill = results.drill
        if drill.message_id is None:
            return
        message = self._channel(drill.channel_id, drill.guild_id).get_partial_message(
            drill.message_id
        )
        await self._deliver(
            message.edit(
                embed=render.drill_reveal(results), view=None, allowed_mentions=NO_MENTIONS
            ),
            drill.channel_id,
            priority=LATER,
        )

    async def ask_question(
        self, session: StudySession, question: SessionQuestion, card: Card, closes_at: datetime
    ) -> int:
        embed = render.session_question(session, question, card, closes_at)
        picture = picture_file(
            self._picture_path(session.guild_id, question.card.deck_id, card), "card"
        )
        if picture is not None:
            embed.set_image(url=f"attachment://{picture.filename}")
        message = await self._send(
            session.channel_id,
            session.guild_id,
            [picture] if picture is not None else [],
            embed=embed,
            view=session_view(session.id, question.position),
            nonce=f"question-{session.id}-{question.position}",
        )
        return message.id

    async def _send(
        self,
        channel_id: int,
        guild_id: int,
        files: list[discord.File],
        *,
        embed: discord.Embed,
        view: discord.ui.View | None,
        nonce: str,
    ) -> discord.Message:
        """Post with the cards' pictures; where the bot may post but not attach files, post
        without them rather than lose the post (and so pause the schedule) over a picture."""
        channel = self._channel(channel_id, guild_id)
        extra: dict[str, Any] = {} if view is None else {"view": view}
        if files:
            try:
                return await self._deliver(
                    channel.send(
                        embed=embed, allowed_mentions=NO_MENTIONS, nonce=nonce, files=files, **extra
                    ),
                    channel_id,
                )
            except DeliveryFailed as exc:
                cause = exc.__cause__
                # 403: no Attach Files in this channel; 413: more than this server takes.
                if not isinstance(cause, discord.HTTPException) or cause.status not in (403, 413):
                    raise
                log.warning("posting in <#%d> without its pictures (%d)", channel_id, cause.status)
                if embed.image.url and embed.image.url.startswith("attachment://"):
                    embed.set_image(url=None)
        return await self._deliver(
            channel.send(embed=embed, allowed_mentions=NO_MENTIONS, nonce=nonce, **extra),
            channel_id,
        )

    async def post_recap(
        self,
        channel_id: int,
        guild_id: int,
        embed: discord.Embed,
        chart: discord.File | None,
        nonce: str,
    ) -> int:
        """A weekly recap, with its chart where the bot may attach files."""
        files = [chart] if chart is not None else []
        message = await self._send(channel_id, guild_id, files, embed=embed, view=None, nonce=nonce)
        return message.id

    async def find_question(self, session: StudySession, question: SessionQuestion) -> int | None:
        custom_id = f"sb:session:{session.id}:{question.position}"
        return await self._find(
            session.channel_id, session.guild_id, lambda m: custom_id in _custom_ids(m)
        )

    async def close_question(self, session: StudySession, result: QuestionResult) -> None:
        if result.question.message_id is None:
            return
        message = self._channel(session.channel_id, session.guild_id).get_partial_message(
            result.question.message_id
        )
        await self._deliver(
            message.edit(
                embed=render.session_question_closed(session, result),
                view=None,
                allowed_mentions=NO_MENTIONS,
            ),
            session.channel_id,
        )

    async def post_session_results(
        self, session: StudySession, standings: list[Standing], played: int
    ) -> int:
        embed = render.session_results(standings, played, len(session.questions))
        embed.set_footer(text=_session_footer(session))
        message = await self._deliver(
            self._channel(session.channel_id, session.guild_id).send(
                embed=embed,
                allowed_mentions=NO_MENTIONS,
                nonce=f"session-results-{session.id}",
            ),
            session.channel_id,
        )
        return message.id

    async def find_session_results(self, session: StudySession) -> int | None:
        footer = _session_footer(session)
        return await self._find(
            session.channel_id,
            session.guild_id,
            lambda m: any(e.footer.text == footer for e in m.embeds),
        )

    async def _find(
        self, channel_id: int, guild_id: int, wanted: Callable[[discord.Message], bool]
    ) -> int | None:
        """The id of the newest of the bot's recent messages in a channel that `wanted` accepts."""
        me = self.client.user
        channel = self._channel(channel_id, guild_id)

        async def scan() -> int | None:
            async for message in channel.history(limit=self.HISTORY):
                if me is not None and message.author.id == me.id and wanted(message):
                    return message.id
            return None

        await self.limiter.acquire()
        return await self._deliver(scan(), channel_id, limited=False)

    async def _deliver(
        self, call: Awaitable[T], channel_id: int, *, limited: bool = True, priority: int = NOW
    ) -> T:
        if limited:
            await self.limiter.acquire(priority)
        try:
            return await call
        except discord.NotFound as exc:
            raise DeliveryFailed(
                f"the channel <#{channel_id}> or its message was deleted", permanent=True
            ) from exc
        except discord.Forbidden as exc:
            raise DeliveryFailed(
                f"the bot may not post in <#{channel_id}> (it needs View Channel, Send Messages,"
                " Embed Links, Attach Files and Read Message History)",
                permanent=True,
            ) from exc
        except discord.HTTPException as exc:
            # A 4xx says the request itself is wrong (a 400 for a payload past Discord's limits):
            # sending it again will not help. 5xx and 429 are Discord's side and pass.
            client_error = 400 <= exc.status < 500 and exc.status != 429
            raise DeliveryFailed(
                f"Discord refused the post ({exc.status} {exc.code}: {clip(exc.text, 200)})"
                if client_error
                else f"Discord could not take the post ({exc.status})",
                permanent=client_error,
            ) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryFailed(
                f"Discord could not be reached ({type(exc).__name__})", permanent=False
            ) from exc


def _sweep_buckets_when_doubled(http: discord.http.HTTPClient) -> None:
    """Have discord.py look for idle rate-limit buckets only when it has twice as many as after
    its last look, instead of at every new one.

    discord.py keeps a bucket per route and channel and, once it has 256, walks all of them for
    those idle five minutes each time it makes a new one: posting in 10,000 channels in a few
    minutes walks ~50 million buckets, up to 4 ms of event loop per post, between the global token
    and the wire (which bunches the posts as Discord sees them). The same buckets still go, at a
    constant cost per bucket; until then they take memory only. Left alone if this discord.py
    does not work that way."""
    sweep = getattr(http, "_try_clear_expired_ratelimits", None)
    buckets = getattr(http, "_buckets", None)
    if sweep is None or not isinstance(buckets, dict) or getattr(sweep, "_amortized", False):
        return
    next_sweep = _FIRST_SWEEP

    def sweep_when_doubled() -> None:
        nonlocal next_sweep
        if len(buckets) >= next_sweep:
            sweep()
            next_sweep = max(_FIRST_SWEEP, 2 * len(buckets))

    sweep_when_doubled._amortized = True  # type: ignore[attr-defined]
    setattr(http, "_try_clear_expired_ratelimits", sweep_when_doubled)  # noqa: B010


_FIRST_SWEEP = 256
"""discord.py's own threshold."""


def _custom_ids(message: discord.Message) -> list[str]:
    return [
        child.custom_id
        for row in message.components
        if isinstance(row, discord.ActionRow)
        for child in row.children
        if isinstance(child, discord.Button) and child.custom_id
    ]


def _session_footer(session: StudySession) -> str:
    return f"Session #{session.id}"
