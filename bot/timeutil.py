"""Instants as aware UTC datetimes and as epoch milliseconds (how storage keeps them). Pure helpers
that both the study services and storage use, so neither has to import the other."""

from __future__ import annotations

from datetime import UTC, datetime


def ensure_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return instant.astimezone(UTC)


def to_ms(instant: datetime) -> int:
    return int(ensure_utc(instant).timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)
