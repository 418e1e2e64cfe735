"""The public labelled short answers in ../shared/asag/ as (card, response, label) rows.

Each question becomes a card: its best reference is the answer, the other references (Beetle has up
to 14, some minimal) are accepted forms, as a deck author would list them.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.decks import Card  # noqa: E402

ASAG = ROOT.parent / "shared" / "asag" / "semeval2013_dev.csv"


@dataclass(frozen=True, slots=True)
class Row:
    dataset: str
    split: str
    card: Card
    response: str
    correct: bool


def rows(split: str | None = None, path: Path = ASAG) -> Iterator[Row]:
    if not path.exists():
        raise SystemExit(f"{path} not found: the public answers live in ../shared/asag/")
    cards: dict[str, Card] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for raw in csv.DictReader(f):
            if split is not None and raw["split"] != split:
                continue
            key = f"{raw['dataset']}:{raw['question_id']}"
            card = cards.get(key)
            if card is None:
                best = raw["reference_answer"].strip()
                others = [r.strip() for r in raw["reference_answers"].split(" || ")]
                accept = tuple(dict.fromkeys(r for r in others if r and r != best))
                card = Card(
                    id=key.lower().replace(":", "-").replace(".", "-")[:64],
                    question=raw["question"].strip(),
                    answer=best,
                    accept=accept,
                )
                cards[key] = card
            yield Row(
                raw["dataset"],
                raw["split"],
                card,
                raw["student_answer"].strip(),
                raw["label_2way"] == "correct",
            )
