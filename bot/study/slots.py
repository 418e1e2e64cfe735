"""Schedule slot maths: which local days and time a schedule fires, and the UTC instants of those
slots, daylight-saving changes included.

A slot is named by its local date and time ("2026-03-29T02:30"); that name is what the database
claims once, so the repeated hour of a fall-back night cannot fire twice. A local time that does not
exist (the spring-forward gap) fires as far past the gap as it fell into it, so the drill still comes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.study.quoting import quoted

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ALIASES = {
    "daily": "mon-sun",
    "everyday": "mon-sun",
    "every day": "mon-sun",
    "weekdays": "mon-fri",
    "weekends": "sat-sun",
    "weekend": "sat-sun",
}
_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*$", re.I)


class BadSchedule(ValueError):
    """A time or day list a person typed that cannot be read; the message says what is expected."""


_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SPELLINGS = {
    **{name: i for i, name in enumerate(DAY_NAMES)},
    **{name: i for i, name in enumerate(_FULL_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}


def _day(token: str) -> int:
    key = token.strip().lower()
    if key not in _SPELLINGS:
        raise BadSchedule(f"{quoted(token)} is not a day; use mon, tue, wed, thu, fri, sat or sun")
    return _SPELLINGS[key]


def parse_days(text: str) -> frozenset[int]:
    """'mon-fri', 'daily', 'sat,sun', 'mon,wed-fri' -> weekday numbers (Monday = 0)."""
    cleaned = _ALIASES.get(text.strip().lower(), text.strip().lower())
    if not cleaned:
        raise BadSchedule("give at least one day, e.g. daily, mon-fri or sat,sun")
    days: set[int] = set()
    for part in cleaned.replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            ends = part.split("-")
            if len(ends) != 2:
                raise BadSchedule(f"{quoted(part)}: a range is two days, e.g. mon-fri")
            first, last = (_day(p) for p in ends)
            span = (
                range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
            )
            days.update(span)
        else:
            days.add(_day(part))
    if not days:
        raise BadSchedule("give at least one day, e.g. daily, mon-fri or sat,sun")
    return frozenset(days)


def format_days(days: frozenset[int]) -> str:
    if days == frozenset(range(7)):
        return "daily"
    if days == frozenset(range(5)):
        return "mon-fri"
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def parse_time(text: str) -> time:
    """'09:00', '9', '7:30pm' -> a local time of day."""
    match = _TIME.match(text)
    if not match:
        raise BadSchedule(f"{quoted(text)} is not a time; use 24-hour HH:MM such as 09:00 or 18:30")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise BadSchedule(f"{quoted(text)}: with am/pm the hour is 1-12")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise BadSchedule(f"{quoted(text)} is not a time of day")
    return time(hour, minute)


@dataclass(frozen=True)
class Slot:
    key: str
    at: datetime

    @property
    def local_date(self) -> date:
        return date.fromisoformat(self.key[:10])


def slot_at(day: date, at: time, tz: ZoneInfo) -> Slot:
    """The UTC instant of a local date and time (PEP 495 fold=0): in a fall-back night the first of
    the two, and in a spring-forward gap the wall time moved on by the gap (02:30 -> 03:30)."""
    instant = datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)
    return Slot(f"{day.isoformat()}T{at.strftime('%H:%M')}", instant)


def slots_between(
    days: frozenset[int], at: time, tz: ZoneInfo, start: datetime, end: datetime
) -> Iterator[Slot]:
    """Slots whose instant is in (start, end], in order."""
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        if day.weekday() in days:
            slot = slot_at(day, at, tz)
            if start < slot.at <= end:
                yield slot
        day += timedelta(days=1)


def next_slot(days: frozenset[int], at: time, tz: ZoneInfo, after: datetime) -> Slot:
    if not days:
        raise BadSchedule("a schedule needs at least one day")
    return next(slots_between(days, at, tz, after, after + timedelta(days=8)))
