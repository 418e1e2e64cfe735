"""Evidence: named, measurable features of (reference, response), one function each.

Nothing here decides. Every feature is a number in a known range that the fitted decision
(`decision.py`) weighs; the vetoes that no similarity may overrule live in `guards.py`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.grading import algebra, spoken
from bot.grading.normalize import formula_tokens, simplify
from bot.grading.reference import Candidate, Reference, Weighted, demoted_words, formula_spans
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
SEMANTIC_FEATURES = ("semantic", "aligned_recall", "aligned_precision", "demoted_semantic")
FEATURES = (*LEXICAL_FEATURES, *SEMANTIC_FEATURES)


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
    aligned_recall: float | None
    """Soft word alignment, words the question already says left out on both sides: the mean, over
    the closest reference text's words, of each one's best cosine to a response word ('shrink'
    for 'reduce'). None when no embedder ran."""
    aligned_precision: float | None
    """The same alignment read the other way: how much of what the response says has a counterpart
    in the reference."""
    demoted_semantic: float | None
    """Cosine similarity of response and reference with the question's words taken out of both:
    what the answer adds beyond restating the question."""
    best: CandidateMatch | None
    missing: tuple[Weighted, ...]
    """The answer's key concepts the response did not name, heaviest first."""
    formula_match: bool = False
    """The response states one of the card's formulas exactly (brackets and spacing aside)."""
    enumerated: bool = False
    """The response names enough items of one of the answer's enumerations (three, or all of
    them if fewer), each by a third of its key words at least: what a list question asks for."""

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
            values.extend(
                value if value is not None else 0.0
                for value in (
                    self.semantic,
                    self.aligned_recall,
                    self.aligned_precision,
                    self.demoted_semantic,
                )
            )
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


ENUMERATION_NAMED = 3
"""Items of an enumeration ('a, b, c and d') that cover it; all of them when it has fewer."""


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


ITEM_NAMED_AT = 1 / 3
"""Share of an enumerated item's key words that names it ('labeled data' for 'massive labeled
data', 'compute' for 'high computational requirements'); a lead-in such as 'challenges include
the need for' holds no key word."""


def _named(item: tuple[Weighted, ...], response: Response) -> bool:
    key = [w for w in item if w.core] or item
    return sum(response.match(w.token) is not None for w in key) >= ITEM_NAMED_AT * len(key)


def enumerated(ref: Reference, response: Response) -> bool:
    """A list question's answer named by enough of its items. Only when the question asks for
    several things: a definition that lists examples ('used for images, speech and text') is not
    answered by naming them."""
    if not ref.asks_for_several:
        return False
    for point in ref.points:
        if not point.items:
            continue
        named = sum(_named(item, response) for item in point.items)
        if named >= min(ENUMERATION_NAMED, len(point.items)):
            return True
    return False


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
            scores.append(min(1.0, named / min(ENUMERATION_NAMED, len(point.items))))
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
    best = process.extractOne(response.simplified, ref.simplified_texts, scorer=fuzz.ratio)
    return best[1] / 100.0 if best is not None else 0.0


def length_ratio(response: Response, reference_words: int) -> float:
    return math.log((len(response.content) + 1) / (reference_words + 1))


def spelled(ref: Reference, response: Response) -> Response:
    """The response with each word it misspelled or cut short of the card's written as the card
    spells it: the embedding reads word pieces, and 'featres' shares none with 'features'."""
    fixes: dict[int, str] = {}
    for weighted in (*ref.concepts, *(w for c in ref.candidates for w in c.content)):
        found = response.match(weighted.token)
        if found is not None and (found.typo or found.shortened):
            fixes.setdefault(found.response_index, weighted.token.surface)
    if not fixes:
        return response
    return Response(" ".join(fixes.get(t.position, t.surface) for t in response.tokens))


def semantic(ref: Reference, response: Response, embedder: Embedder) -> float:
    from bot.grading.semantic import reference_vectors, response_vector

    vectors = reference_vectors(embedder, ref.semantic_texts)
    if not len(vectors):
        return 0.0
    own = response_vector(embedder, response.raw)
    return float(max(0.0, float((vectors @ own).max())))


def alignment(ref: Reference, response: Response, embedder: Embedder) -> tuple[float, float, float]:
    """(aligned recall, aligned precision, demoted similarity) against the reference text whose
    alignment is best (harmonic mean of recall and precision). Words are embedded alone, so a
    word's vector is the same in every answer and is cached."""
    from bot.grading.semantic import embed_one, reference_vectors, text_word_vectors, word_vectors

    said = demoted_words(response.tokens, ref.question_keys)
    if not said:
        return 0.0, 0.0, 0.0
    own = word_vectors(embedder, said).T
    best: tuple[float, float, float, int] | None = None
    for index, words in enumerate(ref.demoted_texts):
        if not words:
            continue
        cosines = text_word_vectors(embedder, words) @ own
        # sum / count: ndarray.mean costs more than the product on vectors this short.
        recall = float(cosines.max(axis=1).sum()) / len(words)
        precision = float(cosines.max(axis=0).sum()) / len(said)
        f1 = 2 * recall * precision / (recall + precision) if recall + precision > 0 else 0.0
        if best is None or f1 > best[2]:
            best = (recall, precision, f1, index)
    if best is None:
        return 0.0, 0.0, 0.0
    texts = tuple(" ".join(words) for words in ref.demoted_texts)
    theirs = reference_vectors(embedder, texts)[best[3]]
    demoted = float(embed_one(embedder, " ".join(said)) @ theirs)
    return max(0.0, best[0]), max(0.0, best[1]), max(0.0, demoted)


_DIVIDED = re.compile(r"\bdivided by\b")


@lru_cache(maxsize=4096)
def _divisions(texts: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        tuple(formula_tokens(simplify(text)))
        for text in texts
        if "/" in text and len(text) <= algebra.MAX_LENGTH
    )


def spoken_division(ref: Reference, response: Response) -> bool | None:
    """'input size divided by kernel size' for the card's 'input size / kernel size': True when it
    is one of the card's divisions, False when it divides the card's names another way, None when
    it is no division in the card's names alone (no claim)."""
    if not _DIVIDED.search(response.simplified):
        return None
    divisions = _divisions(ref.texts)
    names = {s for tokens in divisions for s in tokens if s.isalpha()}
    said = response.symbols
    if not divisions or any(s.isalpha() and s not in names for s in said):
        return None
    return said in divisions


def formula_match(ref: Reference, response: Response) -> bool:
    """The response states one of the card's formulas: the same symbols (brackets and spacing
    aside) or, rearranged, the same relation (`a = F/m` for `F = ma`)."""
    if response.tokens and response.tokens[0].negation:
        return False  # 'not F = ma' denies the formula it writes
    if spoken_division(ref, response):
        return True
    if not ref.formulas:
        return False
    spans = formula_spans(response.raw)
    said = spoken.formula(response.raw, spoken.definitions(ref.card.answer))
    if any(
        algebra.equivalent(span, equation)
        for span in (*spans, *((said,) if said else ()))
        for equation in ref.equations
    ):
        return True
    joined = "".join(response.symbols)
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
        aligned_recall=None,
        aligned_precision=None,
        demoted_semantic=None,
        best=best,
        missing=missing,
        formula_match=formula_match(ref, response),
        enumerated=enumerated(ref, response),
    )


def with_semantic(
    evidence: Evidence, ref: Reference, response: Response, embedder: Embedder
) -> Evidence:
    response = spelled(ref, response)
    aligned_recall, aligned_precision, demoted = alignment(ref, response, embedder)
    return Evidence(
        recall=evidence.recall,
        concept=evidence.concept,
        precision=evidence.precision,
        fuzzy=evidence.fuzzy,
        length=evidence.length,
        question_share=evidence.question_share,
        alternatives=evidence.alternatives,
        semantic=semantic(ref, response, embedder),
        aligned_recall=aligned_recall,
        aligned_precision=aligned_precision,
        demoted_semantic=demoted,
        best=evidence.best,
        missing=evidence.missing,
        formula_match=evidence.formula_match,
        enumerated=evidence.enumerated,
    )
