"""Periods, local days and streaks in a guild's time zone, across DST and week boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.study.periods import UnknownTimezone, local_day, period_bounds, zone
from bot.study.streaks import streaks

BERLIN = zone("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_week_starts_on_local_monday_midnight_and_spans_the_spring_forward() -> None:
    start, end = period_bounds("week", utc(2026, 3, 29, 12), BERLIN)
    assert start == utc(2026, 3, 22, 23)  # Monday 00:00 CET
    assert end == utc(2026, 3, 29, 22)  # next Monday 00:00 CEST
    assert end - start == timedelta(hours=167)


def test_day_of_the_fall_back_is_25_hours() -> None:
    start, end = period_bounds("day", utc(2026, 10, 25, 12), BERLIN)
    assert start == utc(2026, 10, 24, 22)
    assert end == utc(2026, 10, 25, 23)
    assert end - start == timedelta(hours=25)


def test_month_and_all_time() -> None:
    start, end = period_bounds(
        "month", utc(2026, 12, 31, 23, 30), BERLIN
    )  # already January locally
    assert start == utc(2026, 12, 31, 23)
    assert end == utc(2027, 1, 31, 23)
    assert period_bounds("all", utc(2026, 1, 1), BERLIN) == (None, None)


def test_local_day_follows_the_zone_not_utc() -> None:
    la = zone("America/Los_Angeles")
    before_midnight = utc(2026, 3, 2, 7, 50)  # 23:50 on Mar 1 in Los Angeles
    after_midnight = utc(2026, 3, 2, 8, 10)  # 00:10 on Mar 2
    assert local_day(after_midnight, la) - local_day(before_midnight, la) == 1
    assert before_midnight.date() == after_midnight.date()


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "", "../etc/passwd", " Europe/Berlin", "/etc/localtime"]
)
def test_unknown_zones_are_rejected_clearly(name: str) -> None:
    with pytest.raises(UnknownTimezone, match="IANA"):
        zone(name)


@pytest.mark.parametrize(
    ("days", "today", "expected"),
    [
        ([], 100, (0, 0)),
        ([100], 100, (1, 1)),
        ([99], 100, (1, 1)),
        ([98], 100, (0, 1)),
        ([95, 96, 97, 99, 100], 100, (2, 3)),
        ([97, 98, 99], 100, (3, 3)),
        ([100, 100, 99, 99], 100, (2, 2)),
        ([1, 2, 3, 4, 50, 51], 100, (0, 4)),
    ],
)
def test_streaks(days: list[int], today: int, expected: tuple[int, int]) -> None:
    assert streaks(days, today) == expected
