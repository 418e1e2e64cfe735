"""Time as the study code sees it: an injected clock, aware UTC datetimes, and epoch milliseconds
for storage. Nothing in bot/study reads the system clock directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.timeutil import ensure_utc, from_ms, to_ms

__all__ = ["Clock", "ManualClock", "SystemClock", "ensure_utc", "from_ms", "to_ms"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant as an aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: for tests, simulations and replays."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = ensure_utc(instant)

    def advance(self, delta: timedelta) -> None:
        self._now += delta
