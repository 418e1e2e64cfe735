from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.study.periods import zone
from bot.study.slots import (
    BadSchedule,
    format_days,
    next_slot,
    parse_days,
    parse_time,
    slots_between,
)

BERLIN = zone("Europe/Berlin")
NEW_YORK = zone("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("daily", set(range(7))),
        ("every day", set(range(7))),
        ("everyday", set(range(7))),
        ("Daily ", set(range(7))),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("weekends", {5, 6}),
        ("weekend", {5, 6}),
        ("sat,sun", {5, 6}),
        ("sun,sat", {5, 6}),
        ("Mon, Wed-Fri", {0, 2, 3, 4}),
        ("mon,,wed", {0, 2}),
        ("fri-mon", {4, 5, 6, 0}),
        ("sun-sat", set(range(7))),
        ("mon-mon", {0}),
        ("mon,mon", {0}),
        ("tuesday", {1}),
        ("Tues", {1}),
        ("weds", {2}),
        ("thur,thurs", {3}),
        ("SATURDAY-sunday", {5, 6}),
    ],
)
def test_days(text: str, days: set[int]) -> None:
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "funday",
        "mon-xyz",
        ",",
        "monkey",
        "mo",
        "m",
        "1-5",
        "mon-",
        "-fri",
        "mon-wed-fri",
        "weekday",
    ],
)
def test_bad_days(text: str) -> None:
    with pytest.raises(BadSchedule):
        parse_days(text)


def test_format_days() -> None:
    assert format_days(parse_days("daily")) == "daily"
    assert format_days(parse_days("mon-fri")) == "mon-fri"
    assert format_days(parse_days("sun,sat")) == "sat,sun"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("09:00", time(9)),
        ("9", time(9)),
        ("9:05", time(9, 5)),
        (" 18:30 ", time(18, 30)),
        ("0:00", time(0)),
        ("00:00", time(0)),
        ("23:59", time(23, 59)),
        ("7:30pm", time(19, 30)),
        ("7:30 PM", time(19, 30)),
        ("7am", time(7)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("12:30am", time(0, 30)),
    ],
)
def test_times(text: str, parsed: time) -> None:
    assert parse_time(text) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "24:00",
        "25:00",
        "9:60",
        "9:75",
        "9:5",
        "noon",
        "13pm",
        "0am",
        "0pm",
        "",
        "9.30",
        "-1:00",
        "9:00:00",
        "1" * 3000,
    ],
)
def test_bad_times(text: str) -> None:
    with pytest.raises(BadSchedule) as refused:
        parse_time(text)
    assert len(str(refused.value)) <= 200


def test_weekday_drills_at_nine_in_berlin_follow_the_clock_change() -> None:
    weekdays = parse_days("mon-fri")
    found = list(slots_between(weekdays, time(9), BERLIN, utc(2026, 3, 26), utc(2026, 4, 1)))
    assert [s.key for s in found] == [
        "2026-03-26T09:00",
        "2026-03-27T09:00",
        "2026-03-30T09:00",
        "2026-03-31T09:00",
    ]
    assert [s.at.hour for s in found] == [8, 8, 7, 7]  # CET then CEST


def test_spring_forward_gap_still_fires_once_just_after_the_gap() -> None:
    found = list(
        slots_between(
            parse_days("daily"), time(2, 30), BERLIN, utc(2026, 3, 28), utc(2026, 3, 30, 12)
        )
    )
    assert [s.key for s in found] == ["2026-03-28T02:30", "2026-03-29T02:30", "2026-03-30T02:30"]
    gap = found[1]
    assert gap.at == utc(2026, 3, 29, 1, 30)  # 03:30 CEST: 02:30 moved on by the skipped hour
    assert found[2].at - found[1].at == timedelta(hours=23)


def test_fall_back_repeated_hour_has_one_slot() -> None:
    found = list(
        slots_between(
            parse_days("daily"), time(2, 30), BERLIN, utc(2026, 10, 24), utc(2026, 10, 26)
        )
    )
    assert [s.key for s in found] == ["2026-10-24T02:30", "2026-10-25T02:30"]
    assert found[1].at == utc(2026, 10, 25, 0, 30)  # the first 02:30 (CEST)


def test_next_slot_skips_days_off() -> None:
    friday_evening = utc(2026, 11, 20, 20)  # Friday 15:00 in New York
    slot = next_slot(parse_days("mon-fri"), time(9), NEW_YORK, friday_evening)
    assert slot.key == "2026-11-23T09:00"
    assert slot.at == utc(2026, 11, 23, 14)
