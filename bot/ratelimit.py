"""Pacing the bot's own channel posts to Discord's limits, so that ten thousand drills due in the same
minute go out at the rate Discord takes instead of drawing 429s.

Two limits apply (https://discord.com/developers/docs/topics/rate-limits). The global one, 50
requests per second per bot, is paced here by a token bucket with no burst: requests leave evenly
spaced, at the times a clock says rather than one sleep after another (which lost a timer's
overshoot on every token), and after an event-loop stall that held up requests already on their way
the spacing starts again from the stall's end, so they still stay under 50 in any second as Discord
sees them. Waiting requests are served by priority, so posts due now go before work that can wait (a
drill's reveal). The per-route ones (message create: 5 per 5 s per channel) are learnt from the
`X-RateLimit-*` headers of Discord's answers, which discord.py keeps: `ChannelBuckets` reads which
channels have used up their bucket and until when, so a caller with work for many channels can do
the others first.
discord.py still honours every bucket itself and retries any 429 that gets through."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable

import discord.http

NOW = 0
"""Priority of work due now (posts)."""
LATER = 1
"""Priority of work that can wait behind it (reveals)."""


_EPSILON = 1e-9
"""Float rounding slack on due times (else a wait of 1e-17 s could never end)."""

CATCH_UP = 0.25
"""How late, in token intervals, the grant loop may wake and still be made up (see TokenBucket)."""


class TokenBucket:
    """Tokens at `rate` per second, up to `burst` saved up while idle.

    While requests wait, tokens are due at absolute times, one interval after another: the grant
    loop sleeps until the next one is due, and an asyncio timer that wakes it late (by the
    millisecond the selector rounds up to, or behind other callbacks on a busy loop) delays that
    token only, not every token after it. Sleeping for one interval after each grant instead lost
    the overshoot every time: 48/s became 45/s. Only a wake-up up to `catch_up` intervals late is
    taken for timer overshoot. Later than that, the event loop stalled, and the requests granted
    just before the stall were held up in transit with it and reach Discord only now: nothing is
    made up, and the next token comes one interval after the wake-up. So with a burst of one, any
    n tokens granted in a row span at least n - 1 - catch_up intervals, and the ones after a stall
    an interval more."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        catch_up: float = CATCH_UP,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._interval = 1 / rate
        self._credit = (burst - 1) * self._interval
        """How far ahead of the schedule a token may go: what a full bucket saved up."""
        self._lag = catch_up * self._interval
        self._due = clock()
        """When the next token is due on the schedule; it may be taken `_credit` early."""
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._pump: asyncio.Task[None] | None = None

    async def acquire(self, priority: int = NOW) -> None:
        """Wait for a token; among waiters, lower `priority` first, then first come."""
        now = self._clock()
        if not self._waiting and now >= self._due - self._credit - _EPSILON:
            # Nobody waited: a token not taken on time is saved up only to the burst.
            self._due = max(self._due, now) + self._interval
            return
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), granted))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._grant())
        await granted

    async def _grant(self) -> None:
        while self._waiting:
            while self._waiting and self._waiting[0][2].done():  # cancelled while waiting
                heapq.heappop(self._waiting)
            if not self._waiting:
                return
            now = self._clock()
            opens = self._due - self._credit
            if now < opens - _EPSILON:
                await self._sleep(opens - now)
            elif now > opens + self._lag:
                # The loop stalled, and the requests granted just before it did too: they reach
                # Discord only now. The schedule starts again an interval after the stall.
                self._due = now + self._credit + self._interval
            else:
                # Late by up to `_lag`: the schedule stands, the next token is as due as it was.
                self._due += self._interval
                heapq.heappop(self._waiting)[2].set_result(None)


class ChannelBuckets:
    """When each channel's message-create bucket has room again, as discord.py's own rate limiter
    last heard it from Discord (the `X-RateLimit-*` headers of the channel's latest post).

    discord.py keeps that state per route and channel to pace its own requests; reading it costs
    nothing per request, where an aiohttp trace on the client's session (how this was learnt
    before) ran its hooks on every request the bot makes, a good part of answering an interaction.
    A discord.py that keeps it differently reads as "room now": its own pacing still applies.
    So does a 429 for the route, which discord.py waits out without updating the bucket (the
    bucket then reads as before it): its own pacing makes one rare, and it retries it."""

    def __init__(self, *, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.sleep = sleep
        self._http: object | None = None

    def watch(self, http: object) -> None:
        """Read the buckets of this client's HTTP session (`discord.Client.http`)."""
        self._http = http

    def wait(self, channel_id: int) -> float:
        """Seconds until a post to the channel would not have to wait for its bucket."""
        limit = _message_bucket(self._http, channel_id)
        if limit is None:
            return 0.0
        remaining = getattr(limit, "remaining", 1)
        expires = getattr(limit, "expires", None)
        loop = getattr(limit, "_loop", None)
        if not isinstance(remaining, int) or remaining > 0 or not isinstance(expires, float):
            return 0.0
        if not isinstance(loop, asyncio.AbstractEventLoop):
            return 0.0
        return max(0.0, expires - loop.time())

    async def ready(self, channel_id: int) -> None:
        """Return once the channel's bucket has room (at once if nothing says otherwise)."""
        left = self.wait(channel_id)
        if left > 0:
            await self.sleep(left)


def _message_bucket(http: object, channel_id: int) -> object | None:
    """discord.py's rate limit for posting in the channel, if it has one (see ChannelBuckets)."""
    hashes = getattr(http, "_bucket_hashes", None)
    buckets = getattr(http, "_buckets", None)
    if not isinstance(hashes, dict) or not isinstance(buckets, dict):
        return None
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
    key = hashes.get(route.key, route.key)
    return buckets.get(f"{key}:{route.major_parameters}")
