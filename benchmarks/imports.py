"""How long importing a paste takes at the size limit, beside reading the same text line by line.

    python benchmarks/imports.py [--megabytes 4.9] [--rounds 3]

Three pastes of the given size, all made here from the seed decks' own lines (renumbered so no two
questions repeat):

- `many cards`: questions and answers as the seeds have them, too many for one deck (the import is
  refused after reading it all);
- `one answer`: one question followed by megabytes of answer lines (refused at the first answer
  past a card's length, with its line);
- `long lines`: lines longer than any answer (refused on the first).

The baseline is `str.splitlines` plus `str.split` on every line of the same text, the least any
line-based importer does. Each figure is the median of the rounds; the ratio is what to read on a
shared machine. The issue asked for a few seconds at 5 MB, where the importer took 62 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.decks.errors import DeckError
from bot.decks.importers import import_bytes

SEEDS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "seeds"


def many_cards(size: int) -> str:
    seed = (SEEDS / "001_dbe7e23f1359843d.txt").read_text(encoding="utf-8")
    title, body = seed.split("\n", 1)
    parts = [title]
    total = len(title)
    copy = 0
    while total < size:
        copy += 1
        block = body.replace("?", f" ({copy})?")
        parts.append(block)
        total += len(block) + 1
    return "\n".join(parts)[:size]


def one_answer(size: int) -> str:
    line = "the answer goes on, line after line, as a pasted page would.\n"
    return "Deck flashcards\nWhat is it?\n" + line * (size // len(line))


def long_lines(size: int) -> str:
    line = "a, " * 2000 + "b\n"
    return "Deck flashcards\n" + ("What is x?\n" + line) * (size // (len(line) + 11))


def timed(work: Callable[[], object], rounds: int) -> tuple[float, str]:
    times: list[float] = []
    outcome = ""
    for _ in range(rounds):
        start = time.perf_counter()
        try:
            result = work()
            outcome = str(getattr(result, "summary", ""))
        except DeckError as exc:
            outcome = str(exc.problems[0])
        times.append(time.perf_counter() - start)
    return statistics.median(times), outcome


def baseline(text: str) -> int:
    return sum(len(line.split()) for line in text.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=4.9)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    size = int(args.megabytes * 1_000_000)
    print(f"paste import at {args.megabytes:g} MB, median of {args.rounds} rounds")
    print(f"{'paste':<12} {'import s':>9} {'splitlines s':>13} {'ratio':>7}  outcome")
    for name, make in (
        ("many cards", many_cards),
        ("one answer", one_answer),
        ("long lines", long_lines),
    ):
        text = make(size)
        data = text.encode("utf-8")[:size]
        seconds, outcome = timed(lambda data=data: import_bytes(data, "paste.txt"), args.rounds)
        base, _ = timed(lambda text=text: baseline(text), args.rounds)
        print(f"{name:<12} {seconds:>9.2f} {base:>13.3f} {seconds / base:>7.0f}x  {outcome[:90]}")


if __name__ == "__main__":
    main()
