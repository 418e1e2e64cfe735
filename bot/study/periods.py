"""Calendar periods in a guild's own time zone: local days for streaks, and the UTC bounds of
today / this week (from Monday) / this month for leaderboards. Bounds come from local midnights
converted to UTC, so a daylight-saving day is 23 or 25 hours long, as it is for the members."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.study.quoting import quoted

Period = Literal["day", "week", "month", "all"]
PERIODS: tuple[Period, ...] = get_args(Period)


class UnknownTimezone(ValueError):
    pass


def zone(name: str) -> ZoneInfo:
    """An IANA zone by name, or UnknownTimezone with a clear message."""
    try:
        if not name or name != name.strip() or ".." in name or name.startswith("/"):
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimezone(
            f"{quoted(name)} is not an IANA time zone name such as Europe/Berlin"
        ) from None


def timezone_names() -> list[str]:
    return sorted(available_timezones())


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def local_day(instant: datetime, tz: ZoneInfo) -> int:
    """The local calendar day as an ordinal, for counting consecutive days."""
    return local_date(instant, tz).toordinal()


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def period_bounds(
    period: Period, now: datetime, tz: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC of the local period containing `now`; (None, None) for all time."""
    if period == "all":
        return None, None
    today = local_date(now, tz)
    if period == "day":
        start, end = today, today + timedelta(days=1)
    elif period == "week":
        start = today - timedelta(days=today.weekday())
        end = start + timedelta(days=7)
    elif period == "month":
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"unknown period {period!r}")
    return local_midnight(start, tz), local_midnight(end, tz)
