"""How often the grader agrees with human labels, beside plain fuzzy matching in the same run.

    python benchmarks/grading_quality.py [--lexical] [--show N]

Sets, each through `bot.grading.grade` exactly as the bot calls it:
- public labelled answers, ../shared/asag/ split `test-unseen-answers` (the fit never saw them),
  per dataset;
- tests/grading/independent_cases.csv: realistic answers written by another hand before the
  grader was run, part `tune` (looked at while changing the grader) and part `frozen` (never);
- tests/grading/eval_set.csv: the first build's own set, tuned on (a unit test, not evidence);
- tests/grading/accepted_form_cases.csv: a right paraphrase and a look-alike for each card that
  gained an accepted form, a second batch for cards whose forms are older and a third for cards
  graded on their points (lists), each labelled before the grader ran on it, then used to drop
  the forms a look-alike passed and to find guard gaps (tuned on);
- tests/grading/computer_science_cases.csv: answers on a deck of another subject
  (general_decks/computer-science.toml), both written before the grader ran on them, then used to
  find guard gaps (tuned on; before any change they read 0.686 with 4 false accepts).
- tests/grading/student_style_cases.csv: a fourth batch of own answers to shipped cards, written
  as students write (slang, symbols, reversals), labelled before the grader ran on them (tuned
  on: a part meant to stay frozen was shown by mistake on the first run, so all of it is `tune`).
- tests/grading/student_style_frozen_cases.csv: a fifth batch in the same style, 30 answers to 15
  shipped cards, labelled before the grader ran on them, all `frozen` (its misses are never
  printed: `--show` skips frozen sets).
- tests/grading/blind_cases.csv: 165 answers to 55 shipped cards, written and labelled by a helper
  who read only the decks (never the grader, its cases or its output); cards alternate between
  part `tune` and part `frozen` (never looked at).
- tests/grading/near_miss_cases.csv: 128 answers to 64 shipped cards by the same kind of helper,
  70% wrong answers that share most words with the right one, all `tune`.
- tests/grading/operating_systems_cases.csv: 96 answers on general_decks/operating-systems.toml
  (16 cards of an introductory operating-systems course, reference answers as a teacher writes
  them), written and labelled by a helper who read nothing of the grader or its cases; odd cards
  `tune`, even cards `frozen`.
- tests/grading/programming_cases.csv: answers on general_decks/programming.toml (reference
  answers only, as a teacher writes them), labelled before the grader ran on them; part `tune`
  (cards 1-6) and part `frozen` (cards 7-12, never looked at).

Figures: accuracy, balanced accuracy, auto-accept precision and recall (a "correct" verdict is an
accept; close and wrong are not), the share of "close", and false accepts. The baseline accepts when
`rapidfuzz.fuzz.token_set_ratio(response, reference) >= 60` on lower-cased text, best over the
answer and its accepted forms. `--lexical` grades without the embedding model.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.asag import ROOT, rows
from bot import grading
from bot.decks import Card, Deck, load_library

TESTS = ROOT / "tests" / "grading"


@dataclass(frozen=True)
class Case:
    card: Card
    deck: Deck | None
    response: str
    correct: bool
    label: str = ""


@dataclass
class Tally:
    n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    close: int = 0
    misses: list[tuple[Case, str]] = field(default_factory=list)

    def add(self, case: Case, accepted: bool, close: bool = False, why: str = "") -> None:
        self.n += 1
        self.close += close
        if accepted and case.correct:
            self.tp += 1
        elif accepted:
            self.fp += 1
            self.misses.append((case, f"FALSE ACCEPT: {why}"))
        elif case.correct:
            self.fn += 1
            self.misses.append((case, f"false reject: {why}"))
        else:
            self.tn += 1

    def row(self) -> str:
        pos, neg = self.tp + self.fn, self.fp + self.tn
        accuracy = (self.tp + self.tn) / max(1, self.n)
        balanced = (self.tp / max(1, pos) + self.tn / max(1, neg)) / 2
        precision = self.tp / max(1, self.tp + self.fp)
        recall = self.tp / max(1, pos)
        return (
            f"acc {accuracy:.3f}  bal {balanced:.3f}  prec {precision:.3f}  rec {recall:.3f}  "
            f"close {self.close / max(1, self.n):.3f}  false-acc {self.fp:>3}"
        )


def baseline_accepts(case: Case) -> bool:
    response = case.response.lower()
    return any(
        fuzz.token_set_ratio(response, text.lower()) >= 60
        for text in (case.card.answer, *case.card.accept)
    )


def measure(name: str, cases: Iterable[Case], show: int) -> tuple[Tally, Tally]:
    ours, base = Tally(), Tally()
    started = time.perf_counter()
    for case in cases:
        verdict = grading.grade(case.card, case.response, deck=case.deck)
        ours.add(case, verdict.correct, verdict.outcome == "close", verdict.feedback)
        base.add(case, baseline_accepts(case))
    seconds = time.perf_counter() - started
    print(f"{name}: {ours.n} answers, {seconds:.1f} s")
    print(f"  grader    {ours.row()}")
    print(f"  baseline  {base.row()}")
    for case, why in ours.misses[: 0 if "frozen" in name else show]:
        print(f"    {case.label}{case.card.question[:50]!r} <- {case.response[:70]!r}: {why}")
    return ours, base


def merged(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        for counted in ("n", "tp", "fp", "fn", "tn", "close"):
            setattr(total, counted, getattr(total, counted) + getattr(tally, counted))
    return total


def asag_cases(dataset: str) -> list[Case]:
    return [
        Case(r.card, None, r.response, r.correct)
        for r in rows("test-unseen-answers")
        if r.dataset == dataset
    ]


def deck_cases(path: Path, part: str | None = None) -> list[Case]:
    decks = dict(load_library(ROOT / "decks").decks)
    general = TESTS / "general_decks"
    if general.exists():
        decks.update(load_library(general).decks)
    cases = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if part is not None and row.get("part") != part:
                continue
            deck = decks[row["deck"]]
            found = [c for c in deck.cards if c.question.startswith(row["question"])]
            if len(found) != 1:
                raise SystemExit(f"{path.name}: {row['question']!r} matches {len(found)} cards")
            cases.append(
                Case(
                    found[0],
                    deck,
                    row["response"],
                    row["expected"] == "correct",
                    f"[{row['category']}] ",
                )
            )
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lexical", action="store_true", help="grade without the embedding model")
    parser.add_argument(
        "--show",
        type=int,
        default=0,
        help="print up to N disagreements per set (never for a frozen set)",
    )
    parser.add_argument("--only", default="", help="run only sets whose name contains this")
    args = parser.parse_args()
    if args.lexical:
        grading.use_embedder(None)
    sets = {
        "asag sciEntsBank test-unseen-answers": lambda: asag_cases("sciEntsBank"),
        "asag beetle test-unseen-answers": lambda: asag_cases("beetle"),
        "independent cases, frozen": lambda: deck_cases(TESTS / "independent_cases.csv", "frozen"),
        "independent cases, tune": lambda: deck_cases(TESTS / "independent_cases.csv", "tune"),
        "eval_set.csv (first build's own, tuned on)": lambda: deck_cases(TESTS / "eval_set.csv"),
        "accepted_form_cases.csv (own, tuned on)": lambda: deck_cases(
            TESTS / "accepted_form_cases.csv"
        ),
        "computer_science_cases.csv (own, another subject, tuned on)": lambda: deck_cases(
            TESTS / "computer_science_cases.csv"
        ),
        "student_style_cases.csv (own, tuned on)": lambda: deck_cases(
            TESTS / "student_style_cases.csv"
        ),
        "student_style_frozen_cases.csv (own, frozen)": lambda: deck_cases(
            TESTS / "student_style_frozen_cases.csv", "frozen"
        ),
        "blind_cases.csv (helper's, blind), frozen": lambda: deck_cases(
            TESTS / "blind_cases.csv", "frozen"
        ),
        "blind_cases.csv (helper's, blind), tune": lambda: deck_cases(
            TESTS / "blind_cases.csv", "tune"
        ),
        "blind_cases_2.csv (helper's, blind, second batch), frozen": lambda: deck_cases(
            TESTS / "blind_cases_2.csv", "frozen"
        ),
        "blind_cases_2.csv (helper's, blind, second batch), tune": lambda: deck_cases(
            TESTS / "blind_cases_2.csv", "tune"
        ),
        "blind_cases_3.csv (helper's, blind, third batch), frozen": lambda: deck_cases(
            TESTS / "blind_cases_3.csv", "frozen"
        ),
        "blind_cases_3.csv (helper's, blind, third batch), tune": lambda: deck_cases(
            TESTS / "blind_cases_3.csv", "tune"
        ),
        "blind_cases_4.csv (helper's, blind, fourth batch), frozen": lambda: deck_cases(
            TESTS / "blind_cases_4.csv", "frozen"
        ),
        "blind_cases_4.csv (helper's, blind, fourth batch), tune": lambda: deck_cases(
            TESTS / "blind_cases_4.csv", "tune"
        ),
        "near_miss_cases.csv (helper's, blind, tuned on)": lambda: deck_cases(
            TESTS / "near_miss_cases.csv"
        ),
        "programming_cases.csv (own, another subject), frozen": lambda: deck_cases(
            TESTS / "programming_cases.csv", "frozen"
        ),
        "programming_cases.csv (own, another subject), tune": lambda: deck_cases(
            TESTS / "programming_cases.csv", "tune"
        ),
        "data_structures_cases.csv (helper's, blind, another subject), frozen": lambda: deck_cases(
            TESTS / "data_structures_cases.csv", "frozen"
        ),
        "data_structures_cases.csv (helper's, blind, another subject), tune": lambda: deck_cases(
            TESTS / "data_structures_cases.csv", "tune"
        ),
        "operating_systems_cases.csv (helper's, blind, another subject), frozen": lambda: (
            deck_cases(TESTS / "operating_systems_cases.csv", "frozen")
        ),
        "operating_systems_cases.csv (helper's, blind, another subject), tune": lambda: deck_cases(
            TESTS / "operating_systems_cases.csv", "tune"
        ),
        "databases_networks_cases.csv (helper's, blind, another subject), frozen": lambda: (
            deck_cases(TESTS / "databases_networks_cases.csv", "frozen")
        ),
        "databases_networks_cases.csv (helper's, blind, another subject), tune": lambda: deck_cases(
            TESTS / "databases_networks_cases.csv", "tune"
        ),
    }
    shipped_frozen: list[tuple[Tally, Tally]] = []
    for name, load in sets.items():
        if args.only and args.only not in name:
            continue
        if "independent" in name and not (TESTS / "independent_cases.csv").exists():
            continue
        tallies = measure(name, load(), args.show)
        if "frozen" in name and "another subject" not in name:
            shipped_frozen.append(tallies)
    if len(shipped_frozen) > 1:
        ours, base = (merged(t[i] for t in shipped_frozen) for i in (0, 1))
        print(f"shipped decks, every frozen set above together: {ours.n} answers")
        print(f"  grader    {ours.row()}")
        print(f"  baseline  {base.row()}")


if __name__ == "__main__":
    main()
