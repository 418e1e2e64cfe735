"""Runs the labelled evaluation set through bot.grading.grade and measures it."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.decks import Card, Deck, load_library
from bot.grading import Verdict, grade
from tests.conftest import DECKS_DIR

EVAL_SET = Path(__file__).with_name("eval_set.csv")
STRICT_CATEGORIES = ("number", "negation", "hedge", "junk")


@dataclass(frozen=True)
class Case:
    deck: str
    question: str
    response: str
    expected: str
    category: str


@dataclass
class Report:
    total: int = 0
    agree: int = 0
    binary_agree: int = 0
    false_accepts: list[tuple[Case, Verdict]] = field(default_factory=list)
    false_rejects: list[tuple[Case, Verdict]] = field(default_factory=list)
    disagreements: list[tuple[Case, Verdict]] = field(default_factory=list)
    negatives: int = 0
    positives: int = 0
    by_category: Counter[str] = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.binary_agree / self.total

    @property
    def three_way_accuracy(self) -> float:
        return self.agree / self.total

    @property
    def false_accept_rate(self) -> float:
        return len(self.false_accepts) / max(1, self.negatives)

    @property
    def false_reject_rate(self) -> float:
        return len(self.false_rejects) / max(1, self.positives)

    def strict_false_accepts(self) -> list[tuple[Case, Verdict]]:
        return [(c, v) for c, v in self.false_accepts if c.category in STRICT_CATEGORIES]

    def summary(self) -> str:
        lines = [
            f"{self.total} responses: accuracy {self.accuracy:.1%} (correct vs not), "
            f"3-way agreement {self.three_way_accuracy:.1%}, "
            f"false accepts {self.false_accept_rate:.1%} of {self.negatives}, "
            f"false rejects {self.false_reject_rate:.1%} of {self.positives}"
        ]
        for case, verdict in self.disagreements:
            lines.append(
                f"  [{case.category}] {case.question[:40]!r} <- {case.response[:60]!r}: "
                f"expected {case.expected}, got {verdict.outcome} ({verdict.feedback})"
            )
        return "\n".join(lines)


def _find(deck: Deck, prefix: str) -> Card:
    matches = [c for c in deck.cards if c.question.startswith(prefix)]
    if len(matches) != 1:
        raise LookupError(f"{prefix!r} matches {len(matches)} cards in {deck.id}")
    return matches[0]


def load_cases(path: Path = EVAL_SET) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Case(**row) for row in csv.DictReader(handle)]


def evaluate(cases: list[Case]) -> Report:
    decks = load_library(DECKS_DIR).decks
    report = Report()
    for case in cases:
        deck = decks[case.deck]
        verdict = grade(_find(deck, case.question), case.response, deck=deck)
        report.total += 1
        report.by_category[case.category] += 1
        expected_correct = case.expected == "correct"
        report.agree += verdict.outcome == case.expected
        report.binary_agree += verdict.correct == expected_correct
        if verdict.outcome != case.expected:
            report.disagreements.append((case, verdict))
        if expected_correct:
            report.positives += 1
            if not verdict.correct:
                report.false_rejects.append((case, verdict))
        else:
            report.negatives += 1
            if verdict.correct:
                report.false_accepts.append((case, verdict))
    return report


if __name__ == "__main__":
    print(evaluate(load_cases()).summary())
