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
