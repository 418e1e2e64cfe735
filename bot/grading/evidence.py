"""Evidence: named, measurable features of (reference, response), one function each.

Nothing here decides. Every feature is a number in a known range that the fitted decision
(`decision.py`) weighs; the vetoes that no similarity may overrule live in `guards.py`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.grading.normalize import formula_tokens
from bot.grading.reference import Candidate, Reference, Weighted
from bot.grading.response import Response

if TYPE_CHECKING:
    from bot.grading.semantic import Embedder

LEXICAL_FEATURES = (
    "recall",
    "concept",
    "precision",
    "fuzzy",
    "length",
    "question_share",
    "alternatives",
)
FEATURES = (*LEXICAL_FEATURES, "semantic")


@dataclass(frozen=True, slots=True)
class CandidateMatch:
    """How one accepted answer fared: weighted share of its words found, and which were missed."""

    candidate: Candidate
    recall: float
    typos: tuple[str, ...]
    missing: tuple[Weighted, ...]
    used: frozenset[int]


@dataclass(frozen=True, slots=True)
class Evidence:
    recall: float
    """Best weighted share of an accepted answer's words found in the response (0 without one)."""
    concept: float
    """Weighted coverage of the answer's key points (each line, or the lead sentence)."""
    precision: float
    """Share of the response's own words (not the question's) that the reference speaks of."""
    fuzzy: float
    """Edit-distance similarity (rapidfuzz ratio) to the closest reference text, 0..1. Not
    token_set_ratio: that scores any subset of the reference 100 ('neural network' for
    'convolutional neural network')."""
    length: float
    """log of (response words + 1) / (reference words + 1): padding or a fragment."""
    question_share: float
    """Share of the response's words that only restate the question."""
    alternatives: float
    """log(1 + accepted forms): the best of many forms is weaker evidence than the best of one."""
    semantic: float | None
    """Cosine similarity to the closest reference text, or None when no embedder ran."""
    best: CandidateMatch | None
    missing: tuple[Weighted, ...]
    """The answer's key concepts the response did not name, heaviest first."""
    formula_match: bool = False
    """The response states one of the card's formulas exactly (brackets and spacing aside)."""

    def vector(self, *, semantic: bool) -> list[float]:
        values = [
            self.recall,
            self.concept,
            self.precision,
            self.fuzzy,
            self.length,
            self.question_share,
            self.alternatives,
        ]
        if semantic:
            values.append(self.semantic if self.semantic is not None else 0.0)
        return values

    def named(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in FEATURES}


def candidate_match(candidate: Candidate, response: Response) -> CandidateMatch:
    got = 0.0
    typos: list[str] = []
    missing: list[Weighted] = []
    used: set[int] = set()
    for weighted in candidate.content:
        found = response.match(weighted.token)
        if found is None:
            missing.append(weighted)
            continue
        used.add(found.response_index)
        got += weighted.weight * found.quality
        if found.typo and weighted.core:
            typos.append(weighted.token.surface)
    return CandidateMatch(
        candidate, got / candidate.total_weight, tuple(typos), tuple(missing), frozenset(used)
    )


def best_candidate(ref: Reference, response: Response) -> CandidateMatch | None:
    matches = [candidate_match(c, response) for c in ref.candidates]
    return max(matches, key=lambda m: m.recall, default=None)


def _point_coverage(
    concepts: Sequence[Weighted], response: Response, missing: list[Weighted], used: set[int]
) -> float:
    total = sum(w.weight for w in concepts) or 1.0
    got = 0.0
    for weighted in concepts:
        found = response.match(weighted.token)
        if found:
            got += weighted.weight * found.quality
            used.add(found.response_index)
        else:
            missing.append(weighted)
    return got / total


def concept_coverage(
    ref: Reference, response: Response
) -> tuple[float, tuple[Weighted, ...], frozenset[int]]:
    """Coverage of the answer's points: each line of a list, or for a paragraph the lead sentence
    above its elaborations, or any one of its sentences said in full. An enumerating point
    ('a, b, c and d') is covered by naming three of its items."""
    missing: list[Weighted] = []
    used: set[int] = set()
    scores = []
    for point in ref.points:
        if point.items:
            named = sum(_point_coverage(item, response, [], used) for item in point.items)
            scores.append(min(1.0, named / min(3, len(point.items))))
        else:
            scores.append(_point_coverage(point.concepts, response, missing, used))
    weights = [point.weight for point in ref.points]
    coverage = sum(w * c for w, c in zip(weights, scores, strict=True)) / (sum(weights) or 1.0)
    if len(set(weights)) > 1:
        # A paragraph (lead sentence, then elaborations): any one sentence said well is its gist.
        coverage = max(coverage, *scores)
    missing.sort(key=lambda w: -w.weight)
    return coverage, tuple(missing), frozenset(used)


def precision(ref: Reference, response: Response, used: frozenset[int]) -> tuple[float, float]:
    """(share of the response's own words that the reference speaks of, share that only restate
    the question). Words matched as typos or synonyms count through `used`."""
    words = [t for t in response.content if not t.negation]
    if not words:
        return 0.0, 1.0
    own = [t for t in words if t.key not in ref.question_keys or t.key in ref.answer_keys]
    restated = len(words) - len(own)
    if not own:
        return 0.0, 1.0
    spoken = sum(1 for t in own if t.key in ref.answer_keys or t.position in used)
    return spoken / len(own), restated / len(words)


def fuzzy(ref: Reference, response: Response) -> float:
    return (
        max(
            (fuzz.ratio(response.simplified, text) for text in ref.simplified_texts),
            default=0.0,
        )
        / 100.0
    )


def length_ratio(response: Response, reference_words: int) -> float:
    return math.log((len(response.content) + 1) / (reference_words + 1))


def semantic(ref: Reference, response: Response, embedder: Embedder) -> float:
    from bot.grading.semantic import reference_vectors, response_vector

    vectors = reference_vectors(embedder, ref.semantic_texts)
    if not len(vectors):
        return 0.0
    own = response_vector(embedder, response.raw)
    return float(max(0.0, float((vectors @ own).max())))


def formula_match(ref: Reference, response: Response) -> bool:
    if not ref.formulas:
        return False
    joined = "".join(formula_tokens(response.simplified))
    if not joined:
        return False
    rhs = joined.rsplit("=", 1)[1] if "=" in joined else joined
    return any(
        whole in (joined, rhs) or (right is not None and right in (joined, rhs))
        for whole, right in ref.formulas
    )


def lexical(ref: Reference, response: Response) -> Evidence:
    best = best_candidate(ref, response)
    concept, missing, concept_used = concept_coverage(ref, response)
    used = concept_used | (best.used if best else frozenset())
    share, restated = precision(ref, response, used)
    return Evidence(
        recall=best.recall if best else 0.0,
        concept=concept,
        precision=share,
        fuzzy=fuzzy(ref, response),
        length=length_ratio(response, len(best.candidate.content) if best else len(ref.concepts)),
        question_share=restated,
        alternatives=math.log1p(len(ref.candidates)),
        semantic=None,
        best=best,
        missing=missing,
        formula_match=formula_match(ref, response),
    )


def with_semantic(
    evidence: Evidence, ref: Reference, response: Response, embedder: Embedder
) -> Evidence:
    return Evidence(
        recall=evidence.recall,
        concept=evidence.concept,
        precision=evidence.precision,
        fuzzy=evidence.fuzzy,
        length=evidence.length,
        question_share=evidence.question_share,
        alternatives=evidence.alternatives,
        semantic=semantic(ref, response, embedder),
        best=evidence.best,
        missing=evidence.missing,
        formula_match=evidence.formula_match,
    )
