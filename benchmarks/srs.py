"""The cost of one spaced-repetition update, beside a bare fsrs review in the same run.

    python benchmarks/srs.py [--reviews 5000]

`bot.study.srs.review` turns our stored state into an fsrs Card, reviews it and turns it back. The
baseline is `Scheduler.review_card` on a Card built with its id, the least any caller of fsrs pays.
Each figure is the median of 7 rounds; the ratio is what to read on a shared machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fsrs import Card, Rating

from bot.study.srs import SCHEDULER, SrsState, review

NOW = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)


def per_call_us(work: Callable[[], None], n: int) -> float:
    rounds = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(n):
            work()
        rounds.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=5000)
    n = parser.parse_args().reviews
    seen = review(None, Rating.Good, NOW - timedelta(days=3))

    def ours_new() -> None:
        review(None, Rating.Good, NOW)

    def ours_seen() -> None:
        review(seen, Rating.Good, NOW)

    def bare_new() -> None:
        SCHEDULER.review_card(Card(card_id=1, due=NOW), Rating.Good, review_datetime=NOW)

    def bare_seen() -> None:
        card = Card(
            card_id=1,
            state=seen.state,  # type: ignore[arg-type]
            step=seen.step,
            stability=seen.stability,
            difficulty=seen.difficulty,
            due=seen.due,
            last_review=seen.last_review,
        )
        SCHEDULER.review_card(card, Rating.Good, review_datetime=NOW)

    assert isinstance(seen, SrsState)
    print(f"{'per review':<28}{'ours µs':>10}{'bare fsrs µs':>14}{'ratio':>8}")
    for label, ours, bare in (
        ("first review of a card", ours_new, bare_new),
        ("a card seen before", ours_seen, bare_seen),
    ):
        a, b = per_call_us(ours, n), per_call_us(bare, n)
        print(f"{label:<28}{a:>10.1f}{b:>14.1f}{a / b:>8.2f}")


if __name__ == "__main__":
    main()
