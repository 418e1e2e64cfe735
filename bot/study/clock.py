"""Time as the study code sees it: an injected clock, aware UTC datetimes, and epoch milliseconds
for storage. Nothing in bot/study reads the system clock directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


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


def ensure_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return instant.astimezone(UTC)


def to_ms(instant: datetime) -> int:
    return int(ensure_utc(instant).timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)
