"""Plain-text paste import: a title line, then questions each followed by a possibly multi-line answer.

Pastes from study sites carry no markup, questions do not always end in '?', and answers span lines, so
each line gets a question-likeness score from its own shape and the split is the best-scoring
segmentation (a max-sum pass over Question / Question-continued / Answer states, forward and backward).
The backward pass gives, for every line, how much worse the best split is with that line read the other
way; lines where that margin is small are reported as unsure instead of silently guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.decks.errors import DeckError, Problem
from bot.decks.importers.drafts import finish_import, title_from_id
from bot.decks.importers.result import ImportResult
from bot.decks.importers.text_clean import clean_line
from bot.decks.model import CardDraft

UNSURE_MARGIN = 2.5
DOCUMENT_STYLE_SHARE = 0.85
NON_QUESTION_PENALTY = 4.0

_FURNITURE = [
    re.compile(p, re.I)
    for p in (
        r"^\d+\s*/\s*\d+$",
        r"^looks like no tags are added yet\.?$",
        r"^no study sessions yet\.?$",
        r"^[-|: ]*---[-|: ]*$",
        r"^(name\s*\|.*\|?)$",
        r"^terms in this set\s*\(\d+\)$",
        r"^(save|share|study|learn|test|match|flashcards|spaced repetition|print)$",
        r"^(original|alphabetical|shuffle|show more|see more|created by.*|log in|sign up)$",
        r"^(preview|view this set|add to folder|report this set)$",
    )
]
_TITLE_WORDS = re.compile(
    r"\b(flash\s*cards?|lesson|chapter|deck|quiz|study\s*set|unit|module|week|lecture)", re.I
)
_INTERROGATIVE = re.compile(
    r"^(what|why|how|when|who|whom|whose|which|where|can|could|does|do|did|is|are|was|were|should|"
    r"explain|define|describe|name|list|give|find|compare|state|identify|outline|contrast|calculate)\b",
    re.I,
)
_TOPIC = re.compile(
    r"\b(differences?|similarit(y|ies)|vs\.?|versus|types? of|formula|features of|purpose of|role of|"
    r"benefits? of|limitations? of|problem with|effect of|cause of|usefulness|definition|example|"
    r"characteristics|advantages?|disadvantages?|key applications|importance of|need for|"
    r"parameters?|params|count|rule|specifics|best|worst|main|most common|common)\b",
    re.I,
)
_BULLET = re.compile(r"^([-•*–—=>→✓·]|\d{1,2}[.)]\s|[a-z][.)]\s)")
_SENTENCE_START = re.compile(
    r"^(it|they|this|these|that|those|a|an|the|to|by|if|because|for example|e\.g\.|i\.e\.|"
    r"we|you|there|so|but|and|or|also|then|thus|hence|therefore|therefor)\b",
    re.I,
)
_DANGLING = re.compile(
    r"\b(over|across|of|in|to|for|and|or|the|a|an|with|by|is|are|as|from|into|at|on|than|that)$",
    re.I,
)
_SYMBOL_LABEL = re.compile(r"^\S{1,4}:\s")
_LABEL_VALUE = re.compile(r"^([^:]{1,30}):\s+(.+)$")
_VERBS = re.compile(
    r"\b(is|are|was|were|can|could|will|would|should|may|might|must|has|have|had|does|do|makes|"
    r"uses|allows|helps|forces|pushes|reduces|increases|decreases|multiplies|prevents|causes|"
    r"provides|requires|computes|normalizes|takes|gives|means|refers|learns|works|converts|outputs|"
    r"adjusts|updates|measures|leads|lets|turns|stabilizes|speeds|ensures|becomes|tends|needs)\b",
    re.I,
)
_EXPLAINING_PARENTHETICAL = re.compile(r"\(([a-z]\w*(ly|s|ing))\b[^()]*\s\S+\s[^()]*\)")
_PREPOSITIONS = {"in", "of", "for", "on", "at", "to", "with", "vs", "vs.", "and", "or"}


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    after_blank: bool


def _is_furniture(text: str) -> bool:
    return any(pattern.match(text) for pattern in _FURNITURE)


def _verb_led(text: str) -> bool:
    """'Reduces feature map size', 'Normalizes': a third-person verb opening an answer bullet."""
    words = text.split()
    first = words[0]
    if not first[:1].isupper() or not first.isalpha() or len(first) < 4:
        return False
    lower = first.lower()
    if len(words) == 1:
        return lower.endswith(("izes", "ises", "ates", "uces"))
    if not lower.endswith("s") or lower.endswith(("ss", "us", "is", "ics")):
        return False
    second = words[1].lower()
    return second.isalpha() and second not in _PREPOSITIONS and words[1][:1].islower()


def question_score(text: str, *, previous: str | None, after_blank: bool, blocky: bool) -> float:
    """Positive when a line reads like a question or a card's term, negative like answer text."""
    score = 0.0
    words = text.split()
    stripped = text.rstrip()
    ends_sentence = stripped.endswith((".", "!", ";")) and not stripped.endswith("...")
    if stripped.endswith("?"):
        score += 5.0
    if _INTERROGATIVE.match(text) and not ends_sentence:
        score += 2.0
    if ends_sentence:
        score -= 3.0
    if _BULLET.match(text):
        score -= 5.0
    first = text[:1]
    if first.islower() and not re.match(r"^[a-z]{1,3}-[A-Z]", text):
        score -= 3.0
    if first in "([{" or (not first.isalnum() and first not in "\"'“‘¿¡"):
        score -= 2.0
    if _DANGLING.search(stripped) and not stripped.endswith("?"):
        score -= 3.0
    letters = sum(ch.isalpha() for ch in text)
    if " = " in text or ("=" in text and letters < len(text) * 0.6) or letters < len(text) * 0.5:
        score -= 4.0
    if _SENTENCE_START.match(text) and not stripped.endswith("?"):
        score -= 2.0
    if len(words) <= 8 and not ends_sentence:
        score += 1.5
    elif len(words) > 14 and not stripped.endswith("?"):
        score -= 3.0
    if _TOPIC.search(text) and not ends_sentence and len(words) <= 14:
        score += 2.0
    if _SYMBOL_LABEL.match(text):
        score -= 3.0
    else:
        label = _LABEL_VALUE.match(text)
        if label and (
            len(label.group(2).split()) >= 8 or ends_sentence or _VERBS.search(label.group(2))
        ):
            score -= 2.0
    if _verb_led(text):
        score -= 2.5
    if (
        len(words) >= 5
        and not _INTERROGATIVE.match(text)
        and not stripped.endswith("?")
        and _VERBS.search(text)
    ):
        score -= 2.5
    if _EXPLAINING_PARENTHETICAL.search(text):
        score -= 2.5
    if re.search(r",[^()]*\b(and|or)\b", re.sub(r"\([^()]*\)", "()", text)):
        score -= 1.5
    if previous is not None and _DANGLING.search(previous.rstrip(":")):
        score -= 4.0
    if blocky:
        score += 3.0 if after_blank else -2.0
    return score


_NEG = float("-inf")
_Q, _QC, _A = 0, 1, 2
_ALLOWED_FROM = {_Q: (_A, _QC), _QC: (_A,), _A: (_A, _Q)}


def _emission(score: float, state: int) -> float:
    return score if state == _Q else score + 1.0 if state == _QC else -score


def _segment(lines: Sequence[_Line], scores: Sequence[float]) -> tuple[list[int], list[float]]:
    """Best state per line and, per line, the score lost by the best split that reads it otherwise."""
    n = len(lines)

    def can_continue(i: int) -> bool:
        return i > 0 and lines[i - 1].text.endswith(":") and not lines[i].after_blank

    forward = [[_NEG] * 3 for _ in range(n)]
    back_ptr = [[-1] * 3 for _ in range(n)]
    forward[0][_Q] = _emission(scores[0], _Q)
    for i in range(1, n):
        for prev in (_Q, _QC, _A):
            if forward[i - 1][prev] == _NEG:
                continue
            for state in _ALLOWED_FROM[prev]:
                if state == _QC and not can_continue(i):
                    continue
                value = forward[i - 1][prev] + _emission(scores[i], state)
                if value > forward[i][state]:
                    forward[i][state] = value
                    back_ptr[i][state] = prev
    backward = [[_NEG] * 3 for _ in range(n)]
    backward[n - 1][_A] = 0.0
    for i in range(n - 2, -1, -1):
        for state in (_Q, _QC, _A):
            for nxt in _ALLOWED_FROM[state]:
                if nxt == _QC and not can_continue(i + 1):
                    continue
                if backward[i + 1][nxt] == _NEG:
                    continue
                value = backward[i + 1][nxt] + _emission(scores[i + 1], nxt)
                backward[i][state] = max(backward[i][state], value)

    states = [_A] * n
    states[-1] = _A
    for i in range(n - 1, 0, -1):
        states[i - 1] = back_ptr[i][states[i]]
    best = forward[n - 1][_A]
    margins: list[float] = []
    for i in range(n):
        totals = [forward[i][s] + backward[i][s] for s in (_Q, _QC, _A)]
        mine_is_question = states[i] != _A
        other = totals[_A] if mine_is_question else max(totals[_Q], totals[_QC])
        margins.append(best - other if other != _NEG else float("inf"))
    return states, margins


def _split_lines(text: str) -> tuple[list[_Line], list[int]]:
    lines: list[_Line] = []
    furniture: list[int] = []
    blank = True
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = clean_line(raw)
        if not line:
            blank = True
            continue
        if _is_furniture(line) and (not lines or len(furniture) == len(lines)):
            furniture.append(number)
            blank = True
            continue
        lines.append(_Line(number, line, blank and bool(lines)))
        blank = False
    return lines, furniture


def _has_title(lines: Sequence[_Line], had_furniture: bool) -> bool:
    first = lines[0].text
    if first.endswith("?") or len(lines) < 3:
        return False
    if _TITLE_WORDS.search(first) or lines[1].after_blank:
        return True
    if had_furniture:
        return False
    follower = question_score(lines[1].text, previous=first, after_blank=False, blocky=False)
    return follower >= 4.0


def import_paste(
    text: str,
    *,
    path: str = "<paste>",
    deck_id: str = "imported",
    name: str | None = None,
    has_title: bool | None = None,
) -> ImportResult:
    """Split pasted flashcard text into cards. Raises DeckError when no card can be found."""
    lines, furniture = _split_lines(text)
    warnings: list[Problem] = []
    if furniture:
        span = f"{furniture[0]}-{furniture[-1]}" if len(furniture) > 1 else str(furniture[0])
        warnings.append(Problem(path, f"dropped page furniture on lines {span}", furniture[0]))
    if not lines:
        raise DeckError.single(path, "no text found to import")

    title: str | None = None
    if has_title if has_title is not None else _has_title(lines, bool(furniture)):
        title = lines[0].text
        lines = lines[1:]
    if len(lines) < 2:
        raise DeckError.single(
            path, "found no question followed by an answer", line=lines[0].number if lines else None
        )

    blocks = sum(1 for line in lines if line.after_blank)
    blocky = blocks >= 2 and blocks >= len(lines) / 6

    def scores_with(penalty: float) -> list[float]:
        result = []
        for i, line in enumerate(lines):
            score = question_score(
                line.text,
                previous=lines[i - 1].text if i else None,
                after_blank=line.after_blank,
                blocky=blocky,
            )
            if penalty and not line.text.endswith("?"):
                score -= penalty
            result.append(score)
        return result

    states, margins = _segment(lines, scores_with(0.0))
    questions = [line for line, state in zip(lines, states, strict=True) if state == _Q]
    asked = sum(1 for line in questions if line.text.endswith("?"))
    if len(questions) >= 4 and asked / len(questions) >= DOCUMENT_STYLE_SHARE:
        states, margins = _segment(lines, scores_with(NON_QUESTION_PENALTY))

    drafts: list[CardDraft] = []
    unsure: list[int] = []
    for line, state, margin in zip(lines, states, margins, strict=True):
        if margin < UNSURE_MARGIN:
            unsure.append(line.number)
        if state == _Q:
            drafts.append(CardDraft(question=line.text, answer="", line=line.number))
        elif state == _QC:
            drafts[-1].question = f"{drafts[-1].question} {line.text}"
            warnings.append(
                Problem(
                    path,
                    f"joined lines {drafts[-1].line}-{line.number} into one question",
                    line.number,
                )
            )
        else:
            drafts[-1].answer = (
                f"{drafts[-1].answer}\n{line.text}" if drafts[-1].answer else line.text
            )
    for number in unsure:
        warnings.append(
            Problem(
                path, "unsure whether this line starts a new card or continues an answer", number
            )
        )
    warnings.sort(key=lambda w: w.line or 0)
    return finish_import(
        path=path,
        deck_id=deck_id,
        name=name or title or title_from_id(deck_id),
        drafts=drafts,
        warnings=warnings,
    )
