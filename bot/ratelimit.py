"""Pacing the bot's own channel posts to Discord's limits, so that ten thousand drills due in the same
minute go out at the rate Discord takes instead of drawing 429s.

Two limits apply (https://discord.com/developers/docs/topics/rate-limits). The global one, 50 requests
per second per bot, is paced here by a token bucket with no burst: requests leave evenly spaced, so
event-loop stalls that bunch them up in transit still stay under 50 in any second. Waiting requests are
served by priority, so posts due now go before work that can wait (a drill's reveal). The per-route
ones (message create: 5 per 5 s per channel) are learnt from the `X-RateLimit-*` headers of Discord's
answers: `ChannelBuckets` knows which channels have used up their bucket and until when, so a caller
with work for many channels can do the others first. discord.py still honours every bucket itself and
retries any 429 that gets through."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from types import SimpleNamespace

import aiohttp

NOW = 0
"""Priority of work due now (posts)."""
LATER = 1
"""Priority of work that can wait behind it (reveals)."""


_WHOLE = 1 - 1e-9
"""A token, give or take float rounding (else a wait of 1e-17 s could never end)."""


class TokenBucket:
    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._pump: asyncio.Task[None] | None = None

    async def acquire(self, priority: int = NOW) -> None:
        """Wait for a token; among waiters, lower `priority` first, then first come."""
        self._refill()
        if not self._waiting and self._tokens >= _WHOLE:
            self._tokens -= 1
            return
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), granted))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._grant())
        await granted

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def _grant(self) -> None:
        while self._waiting:
            self._refill()
            while self._waiting and self._waiting[0][2].done():  # cancelled while waiting
                heapq.heappop(self._waiting)
            if not self._waiting:
                return
            if self._tokens >= _WHOLE:
                self._tokens -= 1
                heapq.heappop(self._waiting)[2].set_result(None)
            else:
                await self._sleep((1 - self._tokens) / self.rate)


_MESSAGES = re.compile(r"/channels/(\d+)/messages$")


class ChannelBuckets:
    """When each channel's message-create bucket has room again, as Discord's answers said.

    Only channels whose bucket is used up are remembered, until it resets."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self.sleep = sleep
        self._open_at: dict[int, float] = {}

    def trace(self) -> aiohttp.TraceConfig:
        """An aiohttp trace for the client's HTTP session that feeds every message post's answer
        headers to `observe`."""
        config = aiohttp.TraceConfig()
        config.on_request_end.append(self._on_request_end)
        return config

    async def _on_request_end(
        self,
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        if params.method != "POST":
            return
        match = _MESSAGES.search(params.url.path)
        if match is not None:
            self.observe(int(match[1]), params.response.headers)

    def observe(self, channel_id: int, headers: Mapping[str, str]) -> None:
        try:
            remaining = int(headers["X-RateLimit-Remaining"])
            reset_after = float(headers["X-RateLimit-Reset-After"])
        except (KeyError, ValueError):
            return
        if remaining > 0:
            self._open_at.pop(channel_id, None)
        else:
            self._open_at[channel_id] = self._clock() + reset_after

    def wait(self, channel_id: int) -> float:
        """Seconds until a post to the channel would not have to wait for its bucket."""
        open_at = self._open_at.get(channel_id)
        if open_at is None:
            return 0.0
        left = open_at - self._clock()
        if left <= 0:
            del self._open_at[channel_id]
            return 0.0
        return left

    async def ready(self, channel_id: int) -> None:
        """Return once the channel's bucket has room (at once if nothing says otherwise)."""
        left = self.wait(channel_id)
        if left > 0:
            await self.sleep(left)
