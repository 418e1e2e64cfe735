"""Grading throughput against a same-run baseline of one rapidfuzz WRatio call per answer.

    python benchmarks/grading.py [--rounds 15]

Every response of the labelled evaluation set is graded against its card, in rounds; each round
also times the baseline on the same pairs. Medians over rounds, and their ratio, are printed: the
machines are shared and noisy, so single timings mean little. Target: a short-answer grade costs no
more than 20x the baseline.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.decks import Card, Deck, load_library  # noqa: E402
from bot.grading import grade  # noqa: E402

TARGET_RATIO = 20.0
Pair = tuple[Card, Deck, str]


def load_pairs() -> tuple[list[Pair], list[Pair]]:
    decks = load_library(ROOT / "decks").decks
    short: list[Pair] = []
    long: list[Pair] = []
    with (ROOT / "tests" / "grading" / "eval_set.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            deck = decks[row["deck"]]
            card = next(c for c in deck.cards if c.question.startswith(row["question"]))
            (short if card.accept else long).append((card, deck, row["response"]))
    return short, long


def per_call(pairs: Sequence[Pair], call: Callable[[Card, Deck, str], object]) -> float:
    start = time.perf_counter()
    for card, deck, response in pairs:
        call(card, deck, response)
    return (time.perf_counter() - start) / len(pairs)


def measure(pairs: Sequence[Pair], rounds: int, use_deck: bool) -> tuple[float, float]:
    def ours(card: Card, deck: Deck, response: str) -> object:
        return grade(card, response, deck=deck if use_deck else None)

    def baseline(card: Card, deck: Deck, response: str) -> object:
        return fuzz.WRatio(response, card.answer)

    per_call(pairs, ours)  # compile references once, as a running bot would have
    grade_times, base_times = [], []
    for _ in range(rounds):
        base_times.append(per_call(pairs, baseline))
        grade_times.append(per_call(pairs, ours))
    return statistics.median(grade_times), statistics.median(base_times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    short, long = load_pairs()
    print(
        f"{len(short)} short-answer and {len(long)} long-answer responses, {args.rounds} rounds, medians"
    )
    print(f"{'cards':<26}{'grade µs':>10}{'grades/s':>11}{'WRatio µs':>11}{'ratio':>8}")
    worst_short = 0.0
    for label, pairs, use_deck in (
        ("short", short, False),
        ("short, deck-aware", short, True),
        ("long", long, False),
        ("long, deck-aware", long, True),
    ):
        ours, base = measure(pairs, args.rounds, use_deck)
        ratio = ours / base
        if label.startswith("short"):
            worst_short = max(worst_short, ratio)
        print(f"{label:<26}{ours * 1e6:>10.1f}{1 / ours:>11,.0f}{base * 1e6:>11.2f}{ratio:>7.1f}x")
    verdict = "meets" if worst_short <= TARGET_RATIO else "MISSES"
    print(
        f"short-answer cost {worst_short:.1f}x the baseline: {verdict} the {TARGET_RATIO:.0f}x target"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
