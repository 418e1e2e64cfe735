"""Anki cloze notes ("{{c1::answer::hint}}") turned into one question/answer card per cloze number."""

from __future__ import annotations

import re
from dataclasses import dataclass

CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)


@dataclass(frozen=True)
class ClozeCard:
    question: str
    answer: str
    accept: tuple[str, ...]


def has_cloze(text: str) -> bool:
    return bool(CLOZE.search(text))


def expand_cloze(text: str, extra: str = "") -> list[ClozeCard]:
    """One card per cloze ordinal: that deletion blanked (with its hint), the others filled in."""
    ordinals = sorted({int(m.group(1)) for m in CLOZE.finditer(text)})
    cards: list[ClozeCard] = []
    for ordinal in ordinals:
        answers: list[str] = []

        def replace(
            match: re.Match[str], ordinal: int = ordinal, answers: list[str] = answers
        ) -> str:
            if int(match.group(1)) != ordinal:
                return match.group(2)
            answers.append(match.group(2).strip())
            hint = (match.group(3) or "").strip()
            return f"[{hint}]" if hint else "[…]"

        question = CLOZE.sub(replace, text).strip()
        answer = ", ".join(a for a in answers if a)
        if extra.strip():
            answer = f"{answer}\n{extra.strip()}" if answer else extra.strip()
        cards.append(ClozeCard(question, answer, tuple(dict.fromkeys(a for a in answers if a))))
    return cards


_MATH_SPAN = re.compile(r"(\\\(|\\\[|\[\$\$\]|\[\$\])(.*?)(\\\)|\\\]|\[/\$\$\]|\[/\$\])", re.S)


def close_math_around_cloze(text: str) -> str:
    """Deletions inside a maths span get delimiters of their own (`\\(a + {{c1::\\frac12}}\\)` becomes
    `\\(a + \\){{c1::\\(\\frac12\\)}}\\(\\)`), so the blanked question and the answer both still read
    as maths once the note is split into cards."""
    if "{{c" not in text:
        return text

    def split(match: re.Match[str]) -> str:
        opener, inner, closer = match.groups()
        if not CLOZE.search(inner):
            return match.group(0)
        pieces: list[str] = []
        position = 0
        for deletion in CLOZE.finditer(inner):
            pieces.append(f"{opener}{inner[position : deletion.start()]}{closer}")
            hint = deletion.group(3)
            pieces.append(
                f"{{{{c{deletion.group(1)}::{opener}{deletion.group(2)}{closer}"
                + (f"::{hint}" if hint is not None else "")
                + "}}"
            )
            position = deletion.end()
        pieces.append(f"{opener}{inner[position:]}{closer}")
        return "".join(pieces)

    return _MATH_SPAN.sub(split, text)
