"""Helpers every importer shares for turning raw rows into card drafts and a deck."""

from __future__ import annotations

from collections.abc import Sequence

from bot.decks.errors import DeckError, Problem
from bot.decks.importers.cloze import expand_cloze, has_cloze
from bot.decks.importers.result import ImportResult
from bot.decks.model import CardDraft, build_deck, question_key


def row_drafts(
    question: str,
    answer: str,
    *,
    line: int | None,
    tags: Sequence[str] = (),
    hint: str | None = None,
    accept: Sequence[str] = (),
) -> list[CardDraft]:
    """One draft, or one per cloze deletion when the question is an Anki cloze."""
    if has_cloze(question):
        return [
            CardDraft(c.question, c.answer, accept=c.accept, tags=tags, hint=hint, line=line)
            for c in expand_cloze(question, answer)
        ]
    return [CardDraft(question, answer, accept=accept, tags=tags, hint=hint, line=line)]


def finish_import(
    *,
    path: str,
    deck_id: str,
    name: str,
    drafts: Sequence[CardDraft],
    warnings: list[Problem],
    source: str | None = None,
) -> ImportResult:
    """Drop empty and duplicate cards with a warning each, then validate the rest into a deck."""
    kept: list[CardDraft] = []
    first_line: dict[str, int | None] = {}
    for draft in drafts:
        if not draft.question.strip() or not draft.answer.strip():
            missing = "question" if not draft.question.strip() else "answer"
            warnings.append(
                Problem(path, f"skipped a card with an empty {missing}", draft.line, missing)
            )
            continue
        key = question_key(draft.question)
        if key in first_line:
            where = f"line {first_line[key]}" if first_line[key] else "an earlier card"
            warnings.append(
                Problem(
                    path, f"skipped a duplicate of the question on {where}", draft.line, "question"
                )
            )
            continue
        first_line[key] = draft.line
        kept.append(draft)
    if not kept:
        problems = [Problem(path, "no cards found to import")]
        raise DeckError(problems + [w for w in warnings if w.field])
    deck = build_deck(path=path, deck_id=deck_id, name=name, drafts=kept, source=source)
    return ImportResult(deck, tuple(warnings))


def title_from_id(deck_id: str) -> str:
    """A readable fallback deck name from an id such as 'cnn-basics' -> 'Cnn Basics'."""
    return deck_id.replace("-", " ").replace("_", " ").strip().title() or "Imported deck"
