"""A token bucket that keeps the bot's own channel posts under Discord's global limit of 50 requests
per second, so that a thousand drills due in the same minute are paced instead of hitting 429s.
The bot paces at 40/s with no burst: requests leave evenly spaced, and event-loop stalls that bunch
them up in transit still stay under 50 in any second. discord.py still handles per-route buckets and
any 429 that gets through."""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._stamp = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)
