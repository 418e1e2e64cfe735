"""Answer grading. `grade(card, response, *, deck=None, extra_accept=()) -> Verdict` is the contract.

The stages, in order (each a module of its own):

1. normalize   text to comparable tokens (case, accents, unicode, numbers, spelling variants)
2. evidence    named features of (reference, response): coverage, precision, fuzzy ratio, ...
3. guards      vetoes no similarity may overrule (numbers, contrast terms, negation, roles, ...)
4. decision    a logistic model fitted on public labelled answers: correct / close / wrong
5. semantic    only when words have not decided: embedding similarity, then guards and the
               semantic decision again
6. confusion   with the deck: a response that is clearly another card's answer
7. feedback    the sentence a tutor would say
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.decks.model import Card, Deck
from bot.grading import acronyms, feedback, semantic
from bot.grading import evidence as ev
from bot.grading.decision import Outcome, load, stated
from bot.grading.guards import QUOTE_LIMIT, RELEVANT_AT, Context, fired, first_fired
from bot.grading.normalize import has_content, unframed, written_form
from bot.grading.reference import CompiledDeck, Reference, compile_deck, compile_reference
from bot.grading.response import Response
from bot.textcut import one_line

MAX_RESPONSE_CHARS = 1000
CONFUSION_MARGIN = 0.25
"""How much more likely another card's answer must be before the response counts as confused."""
CONFUSION_CANDIDATES = 12
CONFUSION_PRECISION = 0.5
"""...and at least this share of the response's words must be that other card's."""
VETO_SCORE = 0.2

__all__ = [
    "MAX_RESPONSE_CHARS",
    "Outcome",
    "Verdict",
    "explain",
    "grade",
    "prepare",
    "use_embedder",
]


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


@dataclass(frozen=True, slots=True)
class Judgement:
    """Everything the stages found, for `explain` and for the confusion check."""

    outcome: Outcome
    probability: float
    evidence: ev.Evidence
    guard: tuple[str, str] | None
    used_semantic: bool


_override: list[semantic.Embedder | None] = []


def use_embedder(embedder: semantic.Embedder | None) -> None:
    """Grade with this embedder (None: lexical evidence only) instead of the default model."""
    _override[:] = [embedder]


def _embedder() -> semantic.Embedder | None:
    return _override[0] if _override else semantic.default_embedder()


def judge(ref: Reference, response: Response, *, embedder: semantic.Embedder | None) -> Judgement:
    decision = load()
    lexical = ev.lexical(ref, response)
    guard = first_fired(Context(ref, response, lexical))
    p = decision.lexical.probability(lexical)
    if guard is not None:
        return Judgement("wrong", p, lexical, guard, False)
    if stated(lexical):
        return Judgement("correct", max(p, decision.lexical.accept_at), lexical, None, False)
    if embedder is None:
        return Judgement(decision.lexical.outcome(p), p, lexical, None, False)
    words_checked = Context(ref, response, lexical).coverage >= RELEVANT_AT
    if p >= decision.lexical.accept_at and words_checked:
        return Judgement("correct", p, lexical, None, False)
    full = ev.with_semantic(lexical, ref, response, embedder)
    guard = first_fired(Context(ref, response, full), none_on_words=True)
    if guard is None and p >= decision.lexical.accept_at:
        # Accepted on looks (fuzzy ratio, precision) with few of the answer's words: the guards
        # could tell whether it is aimed at the answer only with the embedding, and they pass.
        return Judgement("correct", p, full, None, True)
    p = decision.semantic.probability(full)
    if guard is not None:
        return Judgement("wrong", p, full, guard, True)
    return Judgement(decision.semantic.outcome(p), p, full, None, True)


_YES = frozenset({"yes", "yeah", "yep", "yup", "true", "correct", "right", "affirmative"})
_NO = frozenset({"no", "nope", "nah", "false", "incorrect", "not"})
_FIRST_WORD = re.compile(r"^\W*\w+\W*")


def _polar_word(response: Response) -> str | None:
    if not response.tokens:
        return None
    first = response.tokens[0].surface
    return "yes" if first in _YES else "no" if first in _NO else None


def _judge_polar(
    ref: Reference, response: Response, embedder: semantic.Embedder | None
) -> Verdict | None:
    """Yes/no cards are graded on the yes or no; a reason, when given, must not contradict."""
    if ref.polar is None:
        return None
    said = _polar_word(response)
    if said is None:
        return None
    if said != ref.polar:
        return Verdict("wrong", 0.0, f"The answer is {ref.polar.capitalize()}.")
    rest = Response(_FIRST_WORD.sub("", response.raw, count=1))
    if not any(not t.negation for t in rest.content) or not (ref.candidates or ref.points):
        return Verdict("correct", 1.0, "Correct.")
    reason = judge(ref, rest, embedder=embedder)
    if reason.outcome == "correct":
        return _verdict(ref, reason)
    return Verdict(
        "close",
        0.6,
        f"Right ({ref.polar.capitalize()}), but the reason differs from the reference.",
    )


def _verdict(ref: Reference, judgement: Judgement) -> Verdict:
    score = judgement.probability
    if judgement.guard is not None:
        return Verdict("wrong", round(min(score, VETO_SCORE), 3), judgement.guard[1])
    best = judgement.evidence.best
    matched = best.candidate.text if best and judgement.outcome == "correct" else None
    return Verdict(
        judgement.outcome,
        round(max(0.0, min(1.0, score)), 3),
        feedback.sentence(ref, judgement.outcome, judgement.evidence),
        matched,
    )


def _confusion(
    own: Reference, own_p: float, deck: CompiledDeck, response: Response
) -> Verdict | None:
    """Another card's answer, clearly likelier than this card's own: a confusion worth naming.
    Only the few cards sharing most of the response's words are compared."""
    decision = load()
    best: tuple[float, Reference] | None = None
    for other in deck.sharing(response.keys, CONFUSION_CANDIDATES):
        if (
            other.card.id == own.card.id
            or not (other.answer_keys - own.question_keys) & response.keys
        ):
            continue
        lexical = ev.lexical(other, response)
        p = decision.lexical.probability(lexical)
        likelier = (
            p >= decision.lexical.accept_at
            and p >= own_p + CONFUSION_MARGIN
            and lexical.precision >= CONFUSION_PRECISION
            and (best is None or p > best[0])
        )
        # The guards last: they cost more than the rest, and most cards are not likelier.
        if likelier and first_fired(Context(other, response, lexical)) is None:
            best = (p, other)
    if best is None:
        return None
    return Verdict(
        "wrong",
        round(min(own_p, VETO_SCORE), 3),
        f"That's the answer to another card: “{one_line(best[1].card.question, QUOTE_LIMIT)}”.",
        confused_with=best[1].card.id,
    )


def _reference(
    card: Card, deck: Deck | None, extra_accept: Sequence[str]
) -> tuple[Reference, CompiledDeck | None]:
    if deck is None:
        return compile_reference(card, tuple(extra_accept)), None
    compiled = compile_deck(deck)
    ref = compiled.by_card.get(card.id)
    if ref is None or ref.card != card or extra_accept:
        ref = compile_reference(card, tuple(extra_accept), compiled.frequency)
    return ref, compiled


def _refusal(response: str) -> Verdict | None:
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
    return None


_VerdictKey = tuple[int, Card, str, tuple[str, ...], semantic.Embedder | None]
_verdicts: OrderedDict[_VerdictKey, tuple[Deck | None, Verdict]] = OrderedDict()
_verdicts_lock = threading.Lock()
VERDICTS_KEPT = 4096
"""Recent verdicts kept: in a drill, many members write the same words for the same card."""


def grade(
    card: Card, response: str, *, deck: Deck | None = None, extra_accept: Sequence[str] = ()
) -> Verdict:
    """Grade a member's free-text answer to a card. Deterministic; may take a few milliseconds
    when the embedding model runs, so call it off the event loop. The same answer to the same card
    is graded once (as long as it is among the recent ones), and the verdict given again.

    `deck` enables confusion with other cards' answers and deck-aware word weights; `extra_accept`
    adds answers a guild approved for this card.
    """
    embedder = _embedder()
    # The deck by identity, as compile_deck keys it; the entry holds the deck, so its id cannot
    # be reused while the entry lives.
    key = (id(deck), card, response, tuple(extra_accept), embedder)
    with _verdicts_lock:
        kept = _verdicts.get(key)
        if kept is not None and kept[0] is deck:
            _verdicts.move_to_end(key)
            return kept[1]
    verdict = _grade(card, response, deck, tuple(extra_accept), embedder)
    with _verdicts_lock:
        _verdicts[key] = (deck, verdict)
        if len(_verdicts) > VERDICTS_KEPT:
            _verdicts.popitem(last=False)
    return verdict


def _word_for_word(ref: Reference, response: str) -> str | None:
    """The accepted form, approved answer or answer that the response is word for word: the
    deck's own word, with nothing for evidence or guards to weigh."""
    typed = written_form(response)
    return next((text for form, text in ref.exact_forms if form == typed), None)


def _grade(
    card: Card,
    response: str,
    deck: Deck | None,
    extra_accept: tuple[str, ...],
    embedder: semantic.Embedder | None,
) -> Verdict:
    refused = _refusal(response)
    if refused:
        return refused
    ref, compiled = _reference(card, deck, extra_accept)
    exact = _word_for_word(ref, response)
    if exact is None and ref.polar is None:
        # The card's words as typed first ('I think, therefore I am'); on a yes/no card 'it is
        # true that ...' is the answer's own yes.
        response = unframed(response)
        exact = _word_for_word(ref, response)
    if exact is not None:
        return Verdict("correct", 1.0, "Correct.", exact)
    analysed = Response(
        acronyms.expand(acronyms.labelled_counts(response, ref.texts), dict(ref.acronyms))
    )
    if not analysed.content:
        return Verdict("wrong", 0.0, "That doesn't answer the question.")
    polar = _judge_polar(ref, analysed, embedder)
    if polar is not None:
        return polar
    judgement = judge(ref, analysed, embedder=embedder)
    guessed = judgement.guard is not None and judgement.guard[0] == "guess list"
    if judgement.outcome != "correct" and compiled is not None and not guessed:
        own = judgement.probability if judgement.guard is None else VETO_SCORE
        confused = _confusion(ref, own, compiled, analysed)
        if confused:
            return confused
    return _verdict(ref, judgement)


def prepare(deck: Deck) -> None:
    """Compile a deck's cards and embed their reference texts now (at load, off the event loop),
    so that the first answer after start is graded as fast as any other."""
    compiled = compile_deck(deck)
    embedder = _embedder()
    if embedder is not None:
        for ref in compiled.references:
            semantic.reference_vectors(embedder, ref.semantic_texts)


def explain(card: Card, response: str, *, deck: Deck | None = None) -> list[str]:
    """How the grader read a response: the evidence, the guards that fired and the decision, for
    deck authors tuning their `accept` lists."""
    ref, _ = _reference(card, deck, ())
    response = response[:MAX_RESPONSE_CHARS]
    response = unframed(response) if ref.polar is None else response
    written = acronyms.labelled_counts(response, ref.texts)
    analysed = Response(acronyms.expand(written, dict(ref.acronyms)))
    embedder = _embedder()
    lines = [f"reads as: {' '.join(t.surface for t in analysed.tokens) or '(nothing)'}"]
    lexical = ev.lexical(ref, analysed)
    full = ev.with_semantic(lexical, ref, analysed, embedder) if embedder else lexical
    best = lexical.best
    if best is not None:
        lines.append(f"closest accepted answer: “{best.candidate.text}” (recall {best.recall:.2f})")
    lines.append(
        "evidence: "
        + ", ".join(
            f"{name} {value:.2f}" for name, value in full.named().items() if value is not None
        )
    )
    guards = fired(Context(ref, analysed, full))
    lines.append(
        "guards: "
        + ("; ".join(f"{name} ({text})" for name, text in guards) if guards else "none fired")
    )
    judgement = judge(ref, analysed, embedder=embedder)
    model = "semantic" if judgement.used_semantic else "lexical"
    vetoed = f", vetoed by the {judgement.guard[0]} guard" if judgement.guard else ""
    lines.append(
        f"decision ({model} model): p={judgement.probability:.2f} → {judgement.outcome}{vetoed}"
        + ("" if embedder else " (no embedding model)")
    )
    exact = _word_for_word(ref, response)
    if exact is not None:
        lines.append(f"word for word “{one_line(exact, QUOTE_LIMIT)}”: correct as it stands")
    lines.append(f"verdict: {grade(card, response, deck=deck).feedback}")
    return lines
