"""Plain-text paste import: a title line, then questions each followed by a possibly multi-line answer.

Pastes from study sites carry no markup, questions do not always end in '?', and answers span lines, so
each line gets a question-likeness score from its own shape and the split is the best-scoring
segmentation (a max-sum pass over Question / Question-continued / Answer states, forward and backward).
The backward pass gives, for every line, how much worse the best split is with that line read the other
way; lines where that margin is small are reported as unsure instead of silently guessed.

The work is linear in the paste by construction: every line is scored once (twice for document-style
pastes) by patterns without nested repetition, a line too long to be a question is not scored at all,
and a line or an answer too long to be a card's ends the import at once with the line it starts on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.decks.errors import DeckError, Problem
from bot.decks.importers.drafts import RawCard, finish_import, title_from_id
from bot.decks.importers.result import ImportResult
from bot.decks.importers.text_clean import clean_line
from bot.decks.model import MAX_ANSWER, MAX_CARDS, MAX_NAME, MAX_QUESTION

UNSURE_MARGIN = 2.5
DOCUMENT_STYLE_SHARE = 0.85
NON_QUESTION_PENALTY = 4.0

_FURNITURE = [
    re.compile(p, re.I)
    for p in (
        r"^\d+\s*/\s*\d+$",
        r"^looks like no tags are added yet\.?$",
        r"^no study sessions yet\.?$",
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
_DANGLING_WORDS = frozenset(
    {"over", "across", "of", "in", "to", "for", "and", "or", "the", "a", "an", "with", "by"}
    | {"is", "are", "as", "from", "into", "at", "on", "than", "that"}
)


def _dangles(text: str) -> bool:
    """Whether a line ends on a word that needs more after it ('... the', '... of')."""
    end = len(text)
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return start < end and text[start:end].lower() in _DANGLING_WORDS


_SYMBOL_LABEL = re.compile(r"^\S{1,4}:\s")
_LABEL_VALUE = re.compile(r"^([^:]{1,30}):\s+(.+)$")
_VERBS = re.compile(
    r"\b(is|are|was|were|can|could|will|would|should|may|might|must|has|have|had|does|do|makes|"
    r"uses|allows|helps|forces|pushes|reduces|increases|decreases|multiplies|prevents|causes|"
    r"provides|requires|computes|normalizes|takes|gives|means|refers|learns|works|converts|outputs|"
    r"adjusts|updates|measures|leads|lets|turns|stabilizes|speeds|ensures|becomes|tends|needs)\b",
    re.I,
)
_PARENTHESIS = re.compile(r"\(([^()]*)\)")
_OPENING_WORD = re.compile(r"[a-z]\w*?(?:ly|s|ing)\b")
_CONJUNCTION = re.compile(r"\b(?:and|or)\b")
_GAP = re.compile(r"\s\S+\s")
_PREPOSITIONS = {"in", "of", "for", "on", "at", "to", "with", "vs", "vs.", "and", "or"}


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    after_blank: bool


_RULE_CHARS = frozenset("-|: ")


def _is_furniture(text: str) -> bool:
    if "---" in text and set(text) <= _RULE_CHARS:
        return True
    return len(text) <= 200 and any(pattern.match(text) for pattern in _FURNITURE)


def _lists_with_conjunction(text: str) -> bool:
    """A comma, then 'and'/'or' later in the same stretch outside parentheses ('a, b and c')."""
    for stretch in re.split(r"\([^()]*\)|[()]", text):
        comma = stretch.find(",")
        if comma >= 0 and _CONJUNCTION.search(stretch, comma):
            return True
    return False


def _explaining_parenthetical(text: str) -> bool:
    """'(mostly used when ...)': a parenthesis opening on an -ly/-s/-ing word, three words or more."""
    for match in _PARENTHESIS.finditer(text):
        inner = match.group(1)
        opening = _OPENING_WORD.match(inner)
        if opening and _GAP.search(inner, opening.end()):
            return True
    return False


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
    if len(text) > MAX_QUESTION:
        return -50.0
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
    if not stripped.endswith("?") and _dangles(stripped):
        score -= 3.0
    letters = sum(map(str.isalpha, text))
    if " = " in text or ("=" in text and letters < len(text) * 0.6) or letters < len(text) * 0.5:
        score -= 4.0
    if _SENTENCE_START.match(text) and not stripped.endswith("?"):
        score -= 2.0
    if len(words) <= 8 and not ends_sentence:
        score += 1.5
    elif len(words) > 14 and not stripped.endswith("?"):
        score -= 3.0
    if not ends_sentence and len(words) <= 14 and _TOPIC.search(text):
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
    if _explaining_parenthetical(text):
        score -= 2.5
    if _lists_with_conjunction(text):
        score -= 1.5
    if previous is not None and _dangles(previous.rstrip(":")):
        score -= 4.0
    if blocky:
        score += 3.0 if after_blank else -2.0
    return score


_NEG = float("-inf")
_Q, _QC, _A = 0, 1, 2


def _segment(lines: Sequence[_Line], scores: Sequence[float]) -> tuple[list[int], list[float]]:
    """Best state per line and, per line, the score lost by the best split that reads it otherwise.

    A line scores `s` as a question, `s + 1` as a question's continuation (only right after a line
    ending in ':'), `-s` as answer text. A question follows an answer, a continuation follows a
    question, an answer follows anything; the paste ends on an answer."""
    n = len(lines)
    cont = [False] + [
        lines[i - 1].text.endswith(":") and not lines[i].after_blank for i in range(1, n)
    ]
    f_q, f_qc, f_a = [_NEG] * n, [_NEG] * n, [_NEG] * n
    from_a = [_A] * n
    f_q[0] = scores[0]
    for i in range(1, n):
        s = scores[i]
        q, qc, a = f_q[i - 1], f_qc[i - 1], f_a[i - 1]
        f_q[i] = a + s
        if cont[i]:
            f_qc[i] = q + (s + 1.0)
        via_q, via_qc, via_a = q - s, qc - s, a - s
        if via_q >= via_qc and via_q >= via_a:
            f_a[i], from_a[i] = via_q, _Q
        elif via_qc >= via_a:
            f_a[i], from_a[i] = via_qc, _QC
        else:
            f_a[i] = via_a
    b_q, b_qc, b_a = [_NEG] * n, [_NEG] * n, [_NEG] * n
    b_a[n - 1] = 0.0
    for i in range(n - 2, -1, -1):
        s = scores[i + 1]
        as_answer = b_a[i + 1] - s
        b_qc[i] = as_answer
        b_q[i] = max(as_answer, b_qc[i + 1] + (s + 1.0)) if cont[i + 1] else as_answer
        b_a[i] = max(as_answer, b_q[i + 1] + s)

    states = [_A] * n
    for i in range(n - 1, 0, -1):
        state = states[i]
        states[i - 1] = _A if state == _Q else _Q if state == _QC else from_a[i]
    best = f_a[n - 1]
    margins: list[float] = []
    for i in range(n):
        question = max(f_q[i] + b_q[i], f_qc[i] + b_qc[i])
        other = f_a[i] + b_a[i] if states[i] != _A else question
        margins.append(best - other if other != _NEG else float("inf"))
    return states, margins


def _split_lines(text: str, path: str) -> tuple[list[_Line], list[int]]:
    lines: list[_Line] = []
    furniture: list[int] = []
    blank = True
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = clean_line(raw)
        if not line:
            blank = True
            continue
        if len(line) > MAX_ANSWER:
            raise DeckError.single(
                path,
                f"this line is {len(line):,} characters long, more than a card's answer holds"
                f" ({MAX_ANSWER:,}); a paste is questions each followed by their answers",
                line=number,
            )
        if (not lines or len(furniture) == len(lines)) and _is_furniture(line):
            furniture.append(number)
            blank = True
            continue
        lines.append(_Line(number, line, blank and bool(lines)))
        blank = False
    return lines, furniture


def _has_title(lines: Sequence[_Line], had_furniture: bool) -> bool:
    first = lines[0].text
    if first.endswith("?") or len(lines) < 3 or len(first) > MAX_NAME:
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
    lines, furniture = _split_lines(text, path)
    warnings: list[Problem] = []
    if furniture:
        span = f"{furniture[0]}-{furniture[-1]}" if len(furniture) > 1 else str(furniture[0])
        warnings.append(Problem(path, f"dropped page furniture on lines {span}", furniture[0]))
    if not lines:
        raise DeckError.single(path, "no text found to import")
    read = len(lines)

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
    scores = [
        question_score(
            line.text,
            previous=lines[i - 1].text if i else None,
            after_blank=line.after_blank,
            blocky=blocky,
        )
        for i, line in enumerate(lines)
    ]
    states, margins = _segment(lines, scores)
    questions = [line for line, state in zip(lines, states, strict=True) if state == _Q]
    asked = sum(1 for line in questions if line.text.endswith("?"))
    if len(questions) >= 4 and asked / len(questions) >= DOCUMENT_STYLE_SHARE:
        penalized = [
            score if line.text.endswith("?") else score - NON_QUESTION_PENALTY
            for line, score in zip(lines, scores, strict=True)
        ]
        states, margins = _segment(lines, penalized)
    starts = sum(1 for state in states if state == _Q)
    if starts > MAX_CARDS:
        raise DeckError.single(
            path,
            f"reads as {starts:,} cards; a deck holds at most {MAX_CARDS:,}, so split the paste",
        )

    cards = _assemble(lines, states, path, warnings)
    for line, margin in zip(lines, margins, strict=True):
        if margin < UNSURE_MARGIN:
            warnings.append(
                Problem(
                    path,
                    "unsure whether this line starts a new card or continues an answer",
                    line.number,
                )
            )
    warnings.sort(key=lambda w: w.line or 0)
    return finish_import(
        path=path,
        deck_id=deck_id,
        name=name or title or title_from_id(deck_id),
        cards=cards,
        warnings=warnings,
        sources=read,
        unit="lines",
    )


def _assemble(
    lines: Sequence[_Line], states: Sequence[int], path: str, warnings: list[Problem]
) -> list[RawCard]:
    """Cards from the states, each question's and answer's lines gathered in lists (joined once),
    stopping at the first answer longer than a card holds."""
    cards: list[RawCard] = []
    question: list[str] = []
    answer: list[str] = []
    start = 0
    size = 0

    def close() -> None:
        if question:
            cards.append(RawCard(" ".join(question), "\n".join(answer), f"line {start}", start))

    for line, state in zip(lines, states, strict=True):
        if state == _Q:
            close()
            question, answer, start, size = [line.text], [], line.number, 0
        elif state == _QC:
            question.append(line.text)
            warnings.append(
                Problem(path, f"joined lines {start}-{line.number} into one question", line.number)
            )
        else:
            answer.append(line.text)
            size += len(line.text) + 1
            if size > MAX_ANSWER + 1:
                raise DeckError.single(
                    path,
                    f"the answer to the question on line {start} runs past {MAX_ANSWER:,}"
                    f" characters (at line {line.number}); a card's answer holds {MAX_ANSWER:,}."
                    " Is a question missing, or is this not a flashcard paste?",
                    line=start,
                )
    close()
    return cards
