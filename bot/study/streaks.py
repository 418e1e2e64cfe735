"""Streaks: consecutive local days with at least one answer."""

from __future__ import annotations

from collections.abc import Iterable


def streaks(days: Iterable[int], today: int) -> tuple[int, int]:
    """(current, best) from the local day ordinals on which a member answered.

    The current streak is still alive on a day with no answer yet: it counts up to yesterday.
    """
    ordered = sorted(set(days))
    best = run = 0
    previous: int | None = None
    for day in ordered:
        run = run + 1 if previous is not None and day == previous + 1 else 1
        best = max(best, run)
        previous = day
    current = 0
    if ordered and ordered[-1] >= today - 1:
        current = 1
        for later, earlier in zip(reversed(ordered), reversed(ordered[:-1]), strict=False):
            if later - earlier != 1:
                break
            current += 1
    return current, best
