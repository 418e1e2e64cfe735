"""The sentence a tutor would say about a verdict: what was right, or which concept was missed.

Missed concepts are named as the reference's phrases ('vanishing gradient'), and only when they are
real terms of the subject (rare in everyday English), never a verb or filler of its prose
('leverages', 'sorts'); otherwise the member is pointed to the reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.grading.decision import Outcome
from bot.grading.evidence import Evidence
from bot.grading.guards import QUOTE_LIMIT, display
from bot.grading.normalize import clauses, simplify
from bot.grading.reference import Reference
from bot.grading.words import is_real_word, zipf
from bot.textcut import one_line

CONCEPT_ZIPF_BELOW = 4.0
"""Words rarer than this in everyday English are the subject's terms, worth naming."""
_VERB_ENDINGS = ("ing", "ed", "ize", "ise", "ify")
"""A word in one of these forms is the reference's prose ('guiding', 'utilize'), unless it opens a
term ('vanishing gradient', 'Rectified Linear Unit')."""
MOST_PHRASE_WORDS = 3
COMMON_ZIPF = 5.0
"""A word this common ('because', 'important') is never part of a term."""


@lru_cache(maxsize=8192)
def _words(text: str) -> frozenset[str]:
    """A text's words, lower-cased, hyphens dropped ('multi-layered' is 'multilayered'); '_' splits
    a symbol ('E_total' is 'e' and 'total')."""
    return frozenset(w.replace("-", "") for w in re.findall(r"[^\W_]+(?:-[^\W_]+)*", text.lower()))


def _verb_like(word: str) -> bool:
    return word.endswith(_VERB_ENDINGS)


def _says_what(word: str) -> bool:
    """A third-person verb of the prose ('leverages', 'reduces'): '-es' on a real word."""
    return word.endswith("es") and len(word) > 5 and is_real_word(word[:-1])


@dataclass(frozen=True, slots=True)
class _BodyWord:
    surface: str
    key: str
    eligible: bool
    """Not a stop word, nor as common as COMMON_ZIPF: could be part of a term."""
    prose: bool
    """A verb of the prose: no term runs across it."""
    says_what: bool


@lru_cache(maxsize=4096)
def _body_words(body: str) -> tuple[tuple[_BodyWord, ...], ...]:
    """The answer's words by clause, each read once per card rather than once per answer."""
    return tuple(
        tuple(
            _BodyWord(
                token.surface,
                token.key,
                not token.stop and zipf(token.surface) < COMMON_ZIPF,
                _says_what(token.surface) or _verb_like(token.surface),
                _says_what(token.surface),
            )
            for token in clause
        )
        for clause in clauses(simplify(body))
    )


def _phrases(ref: Reference, evidence: Evidence) -> list[tuple[float, list[str]]]:
    """Runs of adjacent missed words within one clause of the answer, each holding at least one
    missed key word, heaviest first, as (weight, surfaces)."""
    weights: dict[str, float] = {}
    missed: set[str] = set()
    for weighted in evidence.missing:
        if not weighted.token.numeric:
            missed.add(weighted.token.key)
            if weighted.core:
                weights.setdefault(weighted.token.key, weighted.weight)
    runs: list[tuple[float, list[str]]] = []
    if not missed:
        return runs
    for clause in _body_words(ref.body):
        run: list[str] = []
        total = 0.0
        for word in (*clause, None):
            take = word is not None and word.eligible and word.key in missed
            breaks = word is not None and word.prose
            if run and (not take or breaks or len(run) == MOST_PHRASE_WORDS):
                if total > 0:
                    runs.append((total, run))
                run, total = [], 0.0
            if word is not None and take and not word.says_what:
                run.append(word.surface)
                total += weights.pop(word.key, 0.0)
                missed.discard(word.key)
    runs.sort(key=lambda r: -r[0])
    return runs


def missed_concepts(ref: Reference, evidence: Evidence, most: int = 2) -> list[str]:
    named: list[str] = []
    for _, words in _phrases(ref, evidence):
        if len(words) == 1:
            (word,) = words
            if len(word) < 4 or zipf(word) >= CONCEPT_ZIPF_BELOW or _verb_like(word):
                continue
        elif all(zipf(word) >= CONCEPT_ZIPF_BELOW for word in words):
            continue
        shown = display(" ".join(words), ref.card.answer)
        if not _words(shown) <= _words(ref.card.answer):
            continue  # a normalizer's reading ('etotal' of 'E_total'), not the card's words
        if shown not in named:
            named.append(shown)
        if len(named) == most:
            break
    return named


def sentence(ref: Reference, outcome: Outcome, evidence: Evidence) -> str:
    best = evidence.best
    short = best is not None and best.recall >= evidence.concept
    if outcome == "correct":
        if best and short and best.typos:
            spelled = ", ".join(
                display(t, best.candidate.text, ref.card.answer) for t in best.typos
            )
            return f"Correct; watch the spelling: {spelled}."
        return "Correct." if short else "Correct: you have the key ideas."
    missed = missed_concepts(ref, evidence)
    if outcome == "close":
        if best and short:
            return f"Close: the expected answer is “{one_line(best.candidate.text, QUOTE_LIMIT)}”."
        if missed:
            return f"Partly there: the reference also mentions {' and '.join(missed)}."
        return "Partly there: compare your answer with the reference."
    if missed and max(evidence.recall, evidence.concept) >= 0.2:
        return f"Not quite: the reference mentions {' and '.join(missed)}."
    return "Not the expected answer."
