"""grade(card, response) -> Verdict: what a fair tutor would say about a free-text answer.

Short answers are compared with each accepted answer word by word (typos, spelling, word order and
synonyms forgiven), then checked for what must never be forgiven: other numbers, a look-alike term
for a different concept, a flipped negation, a list of guesses, a missing part. Long answers are
judged by how many of the reference's key concepts the response covers. With the deck, a response
that is really another card's answer is called out as a confusion.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import OSA

from bot.decks.model import Card, Deck
from bot.grading.lexicon import ELABORATION_STARTS
from bot.grading.match import WordMatch, joined_pairs, match_word, near_miss
from bot.grading.normalize import (
    Token,
    clauses,
    formula_tokens,
    has_content,
    items,
    simplify,
    tokenize,
)
from bot.grading.reference import (
    Candidate,
    Reference,
    Weighted,
    compile_deck,
    compile_reference,
)
from bot.grading.relations import comparisons, contradicts

Outcome = Literal["correct", "close", "wrong"]
MAX_RESPONSE_CHARS = 1000
CORRECT_AT = 0.8
CLOSE_AT = 0.5
STATEMENT_CORRECT_AT = 0.65
STATEMENT_CLOSE_AT = 0.45
CONCEPT_CORRECT_AT = 0.5
CONCEPT_CLOSE_AT = 0.2
POINT_BOOST = 1.5
_RANK = {"wrong": 0, "close": 1, "correct": 2}


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    score: float
    feedback: str
    matched: str | None = None
    confused_with: str | None = None

    @property
    def correct(self) -> bool:
        return self.outcome == "correct"


class _Response:
    """A member's response, normalized once; clauses and list items are split on first use."""

    __slots__ = (
        "_clauses",
        "_items",
        "by_key",
        "content",
        "joined",
        "keys",
        "numbers",
        "raw",
        "simplified",
        "tokens",
    )

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.simplified = simplify(raw)
        self.tokens = tuple(tokenize(self.simplified))
        self.content = tuple(t for t in self.tokens if not t.stop and not t.hedge)
        self.joined = joined_pairs(self.tokens)
        self.keys = frozenset(t.key for t in self.content)
        self.numbers = frozenset(t.key for t in self.tokens if t.numeric)
        self.by_key: dict[str, list[Token]] = {}
        for token in self.tokens:
            self.by_key.setdefault(token.key, []).append(token)
        self._clauses: list[list[Token]] | None = None
        self._items: list[list[Token]] | None = None

    @property
    def clauses(self) -> list[list[Token]]:
        if self._clauses is None:
            self._clauses = clauses(self.simplified)
        return self._clauses

    @property
    def items(self) -> list[list[Token]]:
        if self._items is None:
            self._items = items(self.simplified)
        return self._items

    def match(self, target: Token) -> WordMatch | None:
        return match_word(target, self.tokens, self.joined, self.by_key)


@dataclass(frozen=True, slots=True)
class _Result:
    outcome: Outcome
    score: float
    feedback: str
    relevance: float
    matched: str | None = None
    hard: bool = False
    guesses: bool = False


def _analyse(text: str) -> _Response:
    return _Response(text)


def _display(word: str, *sources: str) -> str:
    """The word as the deck writes it ('Kaiming', not 'kaiming')."""
    for source in sources:
        found = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", source, re.IGNORECASE)
        if found:
            return found.group(0)
    return word


def _outcome(value: float, correct_at: float, close_at: float) -> Outcome:
    if value >= correct_at:
        return "correct"
    return "close" if value >= close_at else "wrong"


def _hard(feedback: str, relevance: float) -> _Result:
    return _Result("wrong", min(0.2, relevance * 0.2), feedback, relevance, hard=True)


def _negated_subjects(response: _Response, relevant: frozenset[str]) -> tuple[set[str], bool]:
    negated: set[str] = set()
    any_negation = False
    for clause in response.clauses:
        content = [t for t in clause if not t.stop and not t.negation]
        if not content or not any(t.key in relevant for t in content):
            continue
        if any(t.negation for t in clause):
            any_negation = True
            negated.update(t.key for t in content)
    return negated, any_negation


def _polarity_flipped(candidate: Candidate, response: _Response) -> bool:
    negated_words, response_negates = _negated_subjects(response, candidate.keys)
    if bool(candidate.negated_subjects) != response_negates:
        return True
    if candidate.negated_subjects and len(candidate.clause_subjects) > 1:
        return not candidate.negated_subjects <= negated_words
    return False


def _roles_swapped(candidate: Candidate, response: _Response) -> bool:
    """In 'A does X, B does Y', a response clause about A must not say more of Y than of X."""
    roles = dict(candidate.roles)
    for clause in response.clauses:
        keys = {t.key for t in clause if not t.stop and not t.negation}
        named = [subject for subject in roles if subject in keys]
        if len(named) != 1:
            continue
        own = len(roles[named[0]] & keys)
        other = max(len(words & keys) for subject, words in roles.items() if subject != named[0])
        if other > own:
            return True
    return False


_OPERATORS = frozenset("=+-/×")


def _formula_result(candidate: Candidate, response: _Response) -> _Result | None:
    """A response written as a formula must be the reference formula (brackets and spacing aside)."""
    assert candidate.formula is not None
    symbols = formula_tokens(response.simplified)
    if not _OPERATORS & set(symbols):
        return None
    joined = "".join(symbols)
    rhs = joined.rsplit("=", 1)[1] if "=" in joined else joined
    if candidate.formula in (joined, rhs) or (candidate.formula_rhs in (joined, rhs)):
        return _Result("correct", 1.0, "Correct.", 1.0, candidate.text)
    similarity = OSA.normalized_similarity(joined, candidate.formula)
    return _hard(f"That formula differs from the reference: {candidate.text}.", similarity)


def _candidate_result(ref: Reference, candidate: Candidate, response: _Response) -> _Result:
    if candidate.formula is not None:
        as_formula = _formula_result(candidate, response)
        if as_formula:
            return as_formula
    if candidate.parts:
        return _parts_result(candidate, response)
    total = candidate.total_weight
    got = 0.0
    typos: list[str] = []
    missing = []
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
    recall = got / total

    stray = response.numbers - candidate.numbers - ref.question_numbers
    if candidate.numeric and stray:
        if candidate.numbers <= response.numbers:
            feedback = (
                f"Numbers differ: the answer is {_expected_numbers(candidate)}, nothing else."
            )
        else:
            feedback = f"Numbers differ: expected {_expected_numbers(candidate)}."
        return _hard(feedback, max(recall, 0.5))
    for weighted in missing:
        if not weighted.core:
            continue
        other = near_miss(weighted.token, response.content, frozenset(used))
        if other is not None:
            expected = _display(weighted.token.surface, candidate.text)
            given = _display(other.surface, response.raw)
            return _hard(f"Not quite: “{given}” is not “{expected}”.", max(recall, 0.5))
    if recall >= CLOSE_AT and _polarity_flipped(candidate, response):
        return _hard(f"Careful with the negation: the answer is “{candidate.text}”.", recall)
    if candidate.roles and recall >= CLOSE_AT and _roles_swapped(candidate, response):
        return _hard(f"You swapped them round: the answer is “{candidate.text}”.", recall)
    if candidate.statement:
        outcome = _outcome(recall, STATEMENT_CORRECT_AT, STATEMENT_CLOSE_AT)
    else:
        outcome = _outcome(recall, CORRECT_AT, CLOSE_AT)
    if outcome == "correct" and candidate.formula is not None:
        outcome = "close"
    if outcome == "correct":
        if typos:
            spelled = ", ".join(_display(t, candidate.text, ref.card.answer) for t in typos)
            return _Result(
                outcome,
                0.9 * recall,
                f"Correct; watch the spelling: {spelled}.",
                recall,
                candidate.text,
            )
        return _Result(outcome, recall, "Correct.", recall, candidate.text)
    if outcome == "close":
        return _Result(
            outcome,
            recall * 0.8,
            f"Close: the expected answer is “{candidate.text}”.",
            recall,
            candidate.text,
        )
    return _Result(outcome, recall * 0.5, "Not the expected answer.", recall)


def _expected_numbers(candidate: Candidate) -> str:
    return candidate.text if len(candidate.text) <= 40 else ", ".join(sorted(candidate.numbers))


def _parts_result(candidate: Candidate, response: _Response) -> _Result:
    found: list[str] = []
    for part in candidate.parts:
        if all(response.match(t) for t in part.tokens):
            found.append(part.text)
    extras = _extra_items(candidate, response)
    n = len(candidate.parts)
    relevance = len(found) / n
    if len(found) == n:
        if extras:
            return _hard(f"You listed more than the card asks for: {', '.join(extras)}.", relevance)
        return _Result("correct", 1.0, "Correct.", 1.0, candidate.text)
    if found:
        named = ", ".join(found)
        if n == 2:
            feedback = f"That's {named}; the card asks for the other one too."
        else:
            feedback = f"Partly right: you named {named}, but the card asks for all {n}."
        return _Result("wrong", 0.4 * relevance, feedback, relevance, hard=True)
    return _Result("wrong", 0.0, "Not the expected answer.", 0.0)


def _extra_items(candidate: Candidate, response: _Response) -> list[str]:
    part_tokens = [t for part in candidate.parts for t in part.tokens]
    extras = []
    for item in response.items:
        content = [t for t in item if not t.stop and not t.hedge and not t.negation]
        if not content or item[0].surface in ELABORATION_STARTS or len(content) > 4:
            continue
        joined = joined_pairs(item)
        if any(match_word(t, item, joined) for t in part_tokens):
            continue
        if all(t.key in candidate.keys for t in content):
            continue
        extras.append(" ".join(t.surface for t in item))
    return extras


def _hedge(ref: Reference, response: _Response) -> _Result | None:
    """A list of alternatives where one matches and another does not is a set of guesses."""
    listed = response.items
    if len(listed) < 2:
        return None
    targets = [w.token for c in ref.candidates for w in c.content if w.core]
    targets += [w.token for w in ref.concepts if w.core]
    matched = 0
    competitors: list[str] = []
    for item in listed:
        if any(t.negation for t in item):
            continue
        words = [t for t in item if not t.hedge]
        joined = joined_pairs(words)
        if any(match_word(t, words, joined) for t in targets):
            matched += 1
            continue
        content = [t for t in words if not t.stop]
        if not content or words[0].surface in ELABORATION_STARTS or len(content) > 4:
            continue
        if any(t.key in ref.vocabulary for t in content) or (
            all(t.numeric for t in content) and not any(c.numbers for c in ref.candidates)
        ):
            continue
        competitors.append(" ".join(t.surface for t in content))
    if matched and competitors:
        return _Result(
            "wrong",
            0.1,
            "Pick one answer: a list of guesses doesn't count, even when it includes the right one.",
            1.0,
            hard=True,
            guesses=True,
        )
    return None


def _point_coverage(
    concepts: Sequence[Weighted], response: _Response, missing: list[Weighted]
) -> float:
    total = sum(w.weight for w in concepts) or 1.0
    got = 0.0
    for weighted in concepts:
        found = response.match(weighted.token)
        if found:
            got += weighted.weight * found.quality
        else:
            missing.append(weighted)
    return min(1.0, POINT_BOOST * got / total)


def _concept_result(ref: Reference, response: _Response) -> _Result:
    """Coverage of the answer's points: each line of a list, or the lead sentence of a paragraph
    above its elaborations (or any two of its sentences well covered)."""
    missing: list[Weighted] = []
    scores = []
    for point in ref.points:
        if point.items:
            named = sum(_point_coverage(item, response, []) for item in point.items)
            scores.append(min(1.0, named / min(3, len(point.items))))
        else:
            scores.append(_point_coverage(point.concepts, response, missing))
    weights = [point.weight for point in ref.points]
    coverage = sum(w * c for w, c in zip(weights, scores, strict=True)) / (sum(weights) or 1.0)
    if len(scores) >= 3 and len(set(weights)) > 1:
        best_two = sorted(scores, reverse=True)[:2]
        coverage = max(coverage, 0.85 * sum(best_two) / 2)
    substantive = [t for t in response.content if len(t.surface) > 2 and not t.numeric]
    if len(substantive) >= 8:
        relevant = sum(1 for t in substantive if t.key in ref.vocabulary)
        if relevant / len(substantive) < 0.35:
            coverage *= 0.75
    for weighted in missing:
        if weighted.core:
            other = near_miss(weighted.token, response.content)
            if other is not None and other.key not in ref.vocabulary:
                expected = _display(weighted.token.surface, ref.card.answer)
                given = _display(other.surface, response.raw)
                return _hard(f"Not quite: “{given}” is not “{expected}”.", coverage)
    if len(ref.concepts) <= 20 and coverage >= CONCEPT_CLOSE_AT:
        concept_keys = frozenset(w.token.key for w in ref.concepts)
        negated, negates = _negated_subjects(response, concept_keys)
        if negates != ref.answer_negated and (
            ref.answer_negated or len(negated & concept_keys) >= 2
        ):
            return _hard(
                "Careful with the negation: compare your answer with the reference.", coverage
            )
    outcome = _outcome(coverage, CONCEPT_CORRECT_AT, CONCEPT_CLOSE_AT)
    missing.sort(key=lambda w: -w.weight)
    shown = list(
        dict.fromkeys(
            _display(w.token.surface, ref.card.answer) for w in missing[:3] if w.weight >= 1
        )
    )[:2]
    if outcome == "correct":
        return _Result(outcome, coverage, "Correct: you have the key ideas.", coverage)
    also = (
        f" the reference also mentions {' and '.join(shown)}"
        if shown
        else " compare with the reference"
    )
    if outcome == "close":
        return _Result(outcome, coverage * 0.8, f"Partly there:{also}.", coverage)
    return _Result(outcome, coverage * 0.5, f"Not quite:{also}.", coverage)


def _best(results: Sequence[_Result], concept: _Result | None) -> _Result:
    """Any accepted answer matched wins; then a specific fault found with one of them (the member
    clearly aimed at it); then the concept judgement of a long answer; then the closest miss."""
    correct = [r for r in results if r.outcome == "correct"]
    if correct:
        return max(correct, key=lambda r: r.score)
    faults = [r for r in results if r.hard and r.relevance >= 0.5]
    if faults:
        return max(faults, key=lambda r: r.relevance)
    if concept is not None:
        results = [*results, concept]
    if not results:
        raise ValueError("nothing to judge against")
    best = max(results, key=lambda r: (_RANK[r.outcome], r.score))
    if best.outcome == "wrong":
        hard = [r for r in results if r.hard]
        if hard:
            return max(hard, key=lambda r: r.relevance)
        return max(results, key=lambda r: r.relevance)
    return best


_YES = frozenset({"yes", "yeah", "yep", "yup", "true", "correct", "right", "affirmative"})
_NO = frozenset({"no", "nope", "nah", "false", "incorrect", "not"})


_FIRST_WORD = re.compile(r"^\W*\w+\W*")


def _polar_word(response: _Response) -> str | None:
    if not response.tokens:
        return None
    first = response.tokens[0].surface
    return "yes" if first in _YES else "no" if first in _NO else None


def _judge(ref: Reference, response: _Response) -> _Result:
    hedge = _hedge(ref, response)
    if hedge:
        for candidate in ref.candidates:
            listed = _parts_result(candidate, response) if candidate.parts else None
            if listed is not None and listed.hard and listed.relevance == 1.0:
                return listed
        return hedge
    if ref.polar is not None:
        said = _polar_word(response)
        if said is not None and said != ref.polar:
            return _hard(f"The answer is {ref.polar.capitalize()}.", 1.0)
        if said == ref.polar:
            rest = _Response(_FIRST_WORD.sub("", response.raw, count=1))
            reasons = [t for t in rest.content if not t.negation]
            if not reasons or not (ref.candidates or ref.concepts):
                return _Result("correct", 1.0, "Correct.", 1.0)
            explained = _judge(ref, rest)
            if explained.outcome == "correct":
                return explained
            feedback = (
                f"Right ({ref.polar.capitalize()}), but the reason differs from the reference."
            )
            return _Result("close", 0.6, feedback, 0.6)
    if ref.comparisons and contradicts(ref.comparisons, comparisons(response.simplified)):
        return _hard("That's the wrong way round: compare your answer with the reference.", 1.0)
    results = [_candidate_result(ref, c, response) for c in ref.candidates]
    if any(r.outcome == "correct" for r in results):
        return _best(results, None)
    concept = _concept_result(ref, response) if ref.concept_mode or not results else None
    return _best(results, concept)


def _confusion(
    own: Reference, result: _Result, deck_refs: Sequence[Reference], response: _Response
) -> Verdict | None:
    own_keys = own.question_keys
    best: tuple[float, Reference] | None = None
    for other in deck_refs:
        if other.card.id == own.card.id:
            continue
        for candidate in other.candidates:
            if not (candidate.keys - own_keys) & response.keys:
                continue
            present = sum(w.weight for w in candidate.content if w.token.key in response.keys)
            if present < 0.5 * candidate.total_weight:
                continue
            outcome = _candidate_result(other, candidate, response)
            if (
                outcome.outcome == "correct"
                and outcome.score > result.score
                and (best is None or outcome.score > best[0])
            ):
                best = (outcome.score, other)
    if best is None:
        return None
    other = best[1]
    return Verdict(
        "wrong",
        min(result.score, 0.2),
        f"That's the answer to another card: “{other.card.question}”.",
        confused_with=other.card.id,
    )


def grade(
    card: Card, response: str, *, deck: Deck | None = None, extra_accept: Sequence[str] = ()
) -> Verdict:
    """Grade a member's free-text answer to a card. Pure and deterministic.

    `deck` enables confusion with other cards' answers and deck-aware word weights; `extra_accept`
    adds answers a guild approved for this card.
    """
    if not response or not response.strip():
        return Verdict("wrong", 0.0, "No answer given.")
    if len(response) > MAX_RESPONSE_CHARS:
        return Verdict(
            "wrong",
            0.0,
            f"That answer is too long to grade; keep it under {MAX_RESPONSE_CHARS} characters.",
        )
    if not has_content(response):
        return Verdict("wrong", 0.0, "That doesn't look like an answer.")
    analysed = _analyse(response)
    if not analysed.content:
        return Verdict("wrong", 0.0, "That doesn't answer the question.")

    deck_refs: tuple[Reference, ...] = ()
    ref: Reference | None = None
    if deck is not None:
        compiled = compile_deck(deck)
        deck_refs = compiled.references
        ref = compiled.by_card.get(card.id)
        if ref is not None and ref.card != card:
            ref = None
        if ref is None or extra_accept:
            ref = compile_reference(card, tuple(extra_accept), compiled.frequency)
    else:
        ref = compile_reference(card, tuple(extra_accept))
    result = _judge(ref, analysed)
    if result.outcome != "correct" and not result.guesses and deck_refs:
        confused = _confusion(ref, result, deck_refs, analysed)
        if confused:
            return confused
    return Verdict(
        result.outcome, round(max(0.0, min(1.0, result.score)), 3), result.feedback, result.matched
    )


def explain(card: Card, response: str, *, deck: Deck | None = None) -> list[str]:
    """How the response reads after normalization and how it fared against each accepted answer
    and the answer's key points: for deck authors tuning their `accept` lists."""
    analysed = _analyse(response[:MAX_RESPONSE_CHARS])
    compiled = compile_deck(deck) if deck is not None else None
    ref = compile_reference(card, (), compiled.frequency if compiled else None)
    lines = [f"reads as: {' '.join(t.surface for t in analysed.tokens) or '(nothing)'}"]
    for candidate in ref.candidates:
        result = _candidate_result(ref, candidate, analysed)
        lines.append(
            f"vs accepted “{candidate.text}”: {result.outcome} {result.score:.2f} ({result.feedback})"
        )
    if ref.concept_mode or not ref.candidates:
        result = _concept_result(ref, analysed)
        lines.append(
            f"vs key points of the answer: {result.outcome} {result.score:.2f} ({result.feedback})"
        )
    return lines
