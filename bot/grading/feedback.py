"""The sentence a tutor would say about a verdict: what was right, or which concept was missed.

Missed concepts are named only when they are real terms of the subject (rare in everyday English),
never filler such as 'focuses' or 'sorts'; otherwise the member is pointed to the reference.
"""

from __future__ import annotations

from bot.grading.decision import Outcome
from bot.grading.evidence import Evidence
from bot.grading.guards import QUOTE_LIMIT, display
from bot.grading.reference import Reference
from bot.grading.words import zipf
from bot.textcut import one_line

CONCEPT_ZIPF_BELOW = 4.0
"""Words rarer than this in everyday English are the subject's terms, worth naming."""


def missed_concepts(ref: Reference, evidence: Evidence, most: int = 2) -> list[str]:
    named: list[str] = []
    for weighted in evidence.missing:
        surface = weighted.token.surface
        if not weighted.core or weighted.token.numeric or len(surface) < 4:
            continue
        if zipf(surface) >= CONCEPT_ZIPF_BELOW:
            continue
        shown = display(surface, ref.card.answer)
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
