"""Grading throughput against a same-run baseline of one rapidfuzz WRatio call per answer.

    python benchmarks/grading.py [--rounds 15]

Every response of the labelled evaluation set is graded against its card, in rounds; each round
also times the baseline on the same pairs. Medians over rounds, and their ratio, are printed: the
machines are shared and noisy, so single timings mean little. Three settings: lexical evidence only,
the default static embedding table, and the int8 ONNX model when installed; for each, the cold start
(fresh interpreter to the first graded answer) and the p50/p99 of one full grade. Targets: a short
answer that words decide costs no more than 20x the baseline; a full grade with the model, p50 at
most 5 ms on one core.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import grading  # noqa: E402
from bot.decks import Card, Deck, load_library  # noqa: E402
from bot.grading import grade, judge, semantic, use_embedder  # noqa: E402
from bot.grading.normalize import simplify  # noqa: E402
from bot.grading.reference import compile_reference  # noqa: E402
from bot.grading.response import Response  # noqa: E402

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


def forget_responses() -> None:
    """Every response graded anew: the verdict cache, the response's embedding and its normalized
    text dropped (references stay compiled and embedded, as in a running bot)."""
    grading._verdicts.clear()
    semantic.response_vector.cache_clear()
    simplify.cache_clear()


def measure(pairs: Sequence[Pair], rounds: int, use_deck: bool) -> tuple[float, float]:
    def ours(card: Card, deck: Deck, response: str) -> object:
        return grade(card, response, deck=deck if use_deck else None)

    def baseline(card: Card, deck: Deck, response: str) -> object:
        return fuzz.WRatio(response, card.answer)

    per_call(pairs, ours)  # compile and embed references once, as a running bot would have
    grade_times, base_times = [], []
    for _ in range(rounds):
        base_times.append(per_call(pairs, baseline))
        forget_responses()
        grade_times.append(per_call(pairs, ours))
    return statistics.median(grade_times), statistics.median(base_times)


def decided_by_words(pairs: Sequence[Pair], embedder: semantic.Embedder) -> list[Pair]:
    """The responses whose verdict needs no embedding (accepted or vetoed on words alone)."""
    return [
        (card, deck, response)
        for card, deck, response in pairs
        if not judge(compile_reference(card), Response(response), embedder=embedder).used_semantic
    ]


def single_grades(pairs: Sequence[Pair]) -> list[float]:
    forget_responses()
    times = []
    for card, deck, response in pairs:
        start = time.perf_counter()
        grade(card, response, deck=deck)
        times.append(time.perf_counter() - start)
    return times


COLD = """
import time
start = time.perf_counter()
from bot.decks import load_library
from bot.grading import grade
deck = load_library("decks").decks["understanding-cnns"]
card = deck.cards[5]
grade(card, "how far the filter moves at each step", deck=deck)
print(time.perf_counter() - start)
"""


def cold_start(setting: str) -> float:
    """Seconds from a fresh interpreter to the first graded answer (model load included)."""
    env = {**os.environ, "STUDYBOT_SEMANTIC": setting, "PYTHONPATH": str(ROOT)}
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD], cwd=ROOT, env=env, capture_output=True, text=True
            ).stdout.strip()
            or "nan"
        )
        for _ in range(3)
    ]
    return statistics.median(runs)


def embedders() -> list[tuple[str, str, semantic.Embedder | None]]:
    found: list[tuple[str, str, semantic.Embedder | None]] = [("lexical only", "off", None)]
    found.append(("static MiniLM (default)", "", semantic.StaticMiniLM.load()))
    try:
        found.append(("int8 MiniLM (onnx)", "onnx", semantic.OnnxMiniLM.load()))
    except semantic.SemanticUnavailable as e:
        print(f"(int8 MiniLM skipped: {e})")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    short, long = load_pairs()
    print(
        f"{len(short)} short-answer and {len(long)} long-answer responses, {args.rounds} rounds, "
        "medians; WRatio is one rapidfuzz call on the same pairs in the same rounds"
    )
    header = f"{'cards':<34}{'grade µs':>10}{'grades/s':>11}{'WRatio µs':>11}{'ratio':>8}"
    worst_decided = 0.0
    for name, setting, embedder in embedders():
        use_embedder(embedder)
        print(f"\n{name}: cold start to the first grade {cold_start(setting or 'static'):.2f} s")
        print(header)
        rows: list[tuple[str, Sequence[Pair], bool]] = [
            ("short", short, False),
            ("short, deck-aware", short, True),
            ("long", long, False),
            ("long, deck-aware", long, True),
        ]
        if embedder is not None:
            rows.insert(0, ("short, decided by words", decided_by_words(short, embedder), False))
        for label, pairs, use_deck in rows:
            ours, base = measure(pairs, args.rounds, use_deck)
            ratio = ours / base
            if label.startswith("short, decided") or (embedder is None and label == "short"):
                worst_decided = max(worst_decided, ratio)
            print(
                f"{label:<34}{ours * 1e6:>10.1f}{1 / ours:>11,.0f}{base * 1e6:>11.2f}{ratio:>7.1f}x"
            )
        each = sorted(single_grades([*short, *long]))
        print(
            f"one full grade, deck-aware: p50 {each[len(each) // 2] * 1e3:.2f} ms, "
            f"p99 {each[int(len(each) * 0.99)] * 1e3:.2f} ms"
        )
    verdict = "meets" if worst_decided <= TARGET_RATIO else "MISSES"
    print(
        f"\nshort answers decided by words: {worst_decided:.1f}x the baseline at worst: "
        f"{verdict} the {TARGET_RATIO:.0f}x target"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
