"""The fitted decision: evidence to a probability that a tutor would accept the answer, and the
thresholds that turn it into correct / close / wrong.

The numbers live in decision.json, written by `python benchmarks/fit_grader.py` from public labelled
answers (never from our own test cases). Two models are fitted: one on lexical evidence alone, used
when no embedding model is available and to skip the embedding when words already decide, and one
that also weighs semantic similarity.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from bot.grading.evidence import FEATURES, LEXICAL_FEATURES, Evidence

Outcome = Literal["correct", "close", "wrong"]


@dataclass(frozen=True, slots=True)
class Model:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    accept_at: float
    close_at: float

    def probability(self, evidence: Evidence) -> float:
        values = evidence.vector(semantic="semantic" in self.features)
        z = self.bias + sum(w * x for w, x in zip(self.weights, values, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def outcome(self, probability: float) -> Outcome:
        if probability >= self.accept_at:
            return "correct"
        return "close" if probability >= self.close_at else "wrong"

    def contributions(self, evidence: Evidence) -> dict[str, float]:
        values = evidence.vector(semantic="semantic" in self.features)
        return {n: w * x for n, w, x in zip(self.features, self.weights, values, strict=True)}


STATED_RECALL = 0.8
STATED_PRECISION = 0.75
"""An accepted form stated in full (its words, typos and synonyms forgiven) with little beside it is
correct by the deck's own word: that is what `accept` means, so no fit overrides it."""


def stated(evidence: Evidence) -> bool:
    best = evidence.best
    return (
        evidence.formula_match
        or evidence.enumerated
        or (
            best is not None
            and best.recall >= STATED_RECALL
            and evidence.precision >= STATED_PRECISION
        )
    )


@dataclass(frozen=True, slots=True)
class Decision:
    lexical: Model
    semantic: Model
    source: str


def _model(raw: dict[str, object], expected: tuple[str, ...]) -> Model:
    features = tuple(str(f) for f in raw["features"])  # type: ignore[attr-defined]
    if features != expected:
        raise ValueError(f"decision.json was fitted on {features}, the grader computes {expected}")
    return Model(
        features=features,
        weights=tuple(float(w) for w in raw["weights"]),  # type: ignore[attr-defined]
        bias=float(raw["bias"]),  # type: ignore[arg-type]
        accept_at=float(raw["accept_at"]),  # type: ignore[arg-type]
        close_at=float(raw["close_at"]),  # type: ignore[arg-type]
    )


def parse(text: str) -> Decision:
    raw = json.loads(text)
    return Decision(
        lexical=_model(raw["lexical"], LEXICAL_FEATURES),
        semantic=_model(raw["semantic"], FEATURES),
        source=str(raw.get("source", "")),
    )


@cache
def load() -> Decision:
    return parse(resources.files("bot.grading").joinpath("decision.json").read_text("utf-8"))
