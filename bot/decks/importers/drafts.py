"""What every importer shares once it has read its rows: the cards it found become a deck, and
everything it had to leave out or change is said, card by card.

An importer hands over `RawCard`s (text already cleaned, images marked where they stood). Here
maths is rendered, images are kept (when a `MediaStore` can copy them beside the deck) or named,
placeholder and empty answers are reported and skipped, duplicates are those with the same question
by the deck's own rule (`question_identity`), and what is too long to be a card is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Protocol

from bot.decks.errors import DeckError, Problem
from bot.decks.importers.cloze import close_math_around_cloze, expand_cloze, has_cloze
from bot.decks.importers.math_text import render_math
from bot.decks.importers.result import ImportResult
from bot.decks.importers.text_clean import IMAGE_MARKS, FieldText, image_mark
from bot.decks.model import (
    MAX_ACCEPT_ITEMS,
    MAX_ACCEPT_LEN,
    MAX_ANSWER,
    MAX_HINT,
    MAX_NAME,
    MAX_QUESTION,
    MAX_TAG_LEN,
    MAX_TAGS,
    CardDraft,
    build_deck,
    question_identity,
)

PLACEHOLDERS = frozenset(
    {"todo", "to do", "tbd", "tba", "tk", "fixme", "xxx", "placeholder", "?", "??", "???"}
    | {"...", "…", "-", "--", "—", "answer here", "fill in", "fill me in", "wip"}
)
"""Answers that only say an answer is still to be written."""


@dataclass
class RawCard:
    """A card as an importer read it. `images[n]` is the source of the image marked `n` in the
    question or answer text (see text_clean.image_mark)."""

    question: str
    answer: str
    where: str
    line: int | None = None
    images: tuple[str, ...] = ()
    accept: Sequence[str] = ()
    hint: str | None = None
    tags: Sequence[str] = ()


class MediaStore(Protocol):
    """Copies an image an imported card shows into the deck's media, if the import can."""

    def keep(self, source: str) -> str | None:
        """The image's path relative to the deck file, or None when it cannot be kept."""

    def why_not(self, source: str) -> str:
        """Why `keep` returned None for `source`, to tell the author."""

    def files(self) -> Mapping[str, bytes]:
        """Every kept file, by its path relative to the deck file."""


def join_fields(question: FieldText, answer: FieldText) -> tuple[str, str, tuple[str, ...]]:
    """Question and answer text sharing one image list (the answer's marks renumbered)."""
    offset = len(question.images)
    answer_text = IMAGE_MARKS.sub(lambda m: image_mark(int(m.group(1)) + offset), answer.text)
    return question.text, answer_text, question.images + answer.images


def row_cards(
    question: str,
    answer: str,
    *,
    where: str,
    line: int | None = None,
    images: tuple[str, ...] = (),
    tags: Sequence[str] = (),
    hint: str | None = None,
    accept: Sequence[str] = (),
) -> list[RawCard]:
    """One card, or one per cloze deletion when the question is an Anki cloze."""
    if has_cloze(question):
        expanded = expand_cloze(close_math_around_cloze(question), answer)
        return [
            RawCard(
                c.question,
                c.answer,
                where if len(expanded) == 1 else f"{where}, cloze {number}",
                line,
                images,
                c.accept,
                hint,
                tags,
            )
            for number, c in enumerate(expanded, start=1)
        ]
    return [RawCard(question, answer, where, line, images, accept, hint, tags)]


def title_from_id(deck_id: str) -> str:
    """A readable fallback deck name from an id such as 'cnn-basics' -> 'Cnn Basics'."""
    return deck_id.replace("-", " ").replace("_", " ").strip().title() or "Imported deck"


def deck_name(name: str) -> str:
    """A name read from a file, fitted to the deck name limit."""
    name = " ".join(name.split())
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1].rstrip() + "…"


def fit_tags(tags: Sequence[str]) -> tuple[str, ...]:
    """Tags as decks allow them: an Anki tag longer than the limit keeps its last `::` part."""
    kept: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if len(tag) > MAX_TAG_LEN:
            tag = tag.split("::")[-1][:MAX_TAG_LEN]
        if tag and tag not in kept:
            kept.append(tag)
    return tuple(kept[:MAX_TAGS])


@dataclass
class _Finisher:
    path: str
    media: MediaStore | None
    warnings: list[Problem] = field(default_factory=list)

    def warn(self, card: RawCard, message: str) -> None:
        snippet = " ".join(IMAGE_MARKS.sub("[image]", card.question).split())
        if len(snippet) > 60:
            snippet = snippet[:59].rstrip() + "…"
        label = f"{snippet!r}: {message}" if snippet else message
        if card.line is not None:
            self.warnings.append(Problem(self.path, label, card.line))
        else:
            self.warnings.append(Problem(self.path, label, None, card.where))

    def maths(self, card: RawCard, text: str, part: str) -> str:
        rendered = render_math(text)
        for problem in rendered.problems:
            self.warn(card, f"{part}: {problem}")
        return rendered.text

    def images_of(self, card: RawCard, text: str) -> list[str]:
        return [
            card.images[int(n)] if int(n) < len(card.images) else ""
            for n in IMAGE_MARKS.findall(text)
        ]

    def card(self, raw: RawCard) -> CardDraft | None:
        question = self.maths(raw, raw.question, "question")
        card = replace(raw, question=question)
        answer = self.maths(card, card.answer, "answer")
        hint = self.maths(card, card.hint, "hint") if card.hint else None
        accept = [self.maths(card, a, "accept") for a in card.accept]
        question_images = self.images_of(card, question)
        answer_images = self.images_of(card, answer)
        bare_question = IMAGE_MARKS.sub("", question).strip()
        bare_answer = IMAGE_MARKS.sub("", answer).strip()

        if not bare_answer:
            if answer_images:
                names = ", ".join(_name(s) for s in answer_images)
                self.warn(
                    card,
                    f"skipped: its answer is only an image ({names}), and an answer must be text to grade",
                )
            else:
                self.warn(card, "skipped: the answer is empty")
            return None
        if (
            bare_answer.casefold().rstrip(".!: ") in PLACEHOLDERS
            or bare_answer.casefold() in PLACEHOLDERS
        ):
            self.warn(
                card, f"skipped: the answer {bare_answer!r} is a placeholder, not an answer yet"
            )
            return None
        if not bare_question and not question_images:
            self.warn(card, "skipped: the question is empty")
            return None

        image: str | None = None
        for source in question_images:
            kept = self.media.keep(source) if self.media is not None and source else None
            if kept is not None and image is None:
                image = kept
            elif kept is not None:
                self.warn(
                    card, f"question: shows only its first image; {_name(source)} is marked [image]"
                )
            elif not bare_question:
                why = (
                    self.media.why_not(source)
                    if self.media is not None
                    else "a text deck cannot show it"
                )
                self.warn(
                    card, f"skipped: its question is only an image ({_name(source)}), and {why}"
                )
                return None
            elif needs_its_image(bare_question):
                why = (
                    self.media.why_not(source)
                    if self.media is not None
                    else "a text deck cannot show it"
                )
                self.warn(
                    card, f"skipped: its question asks about an image ({_name(source)}), and {why}"
                )
                return None
            else:
                why = (
                    self.media.why_not(source)
                    if self.media is not None
                    else "a text deck cannot show it"
                )
                self.warn(card, f"question: the image {_name(source)} is marked [image] ({why})")
        for source in answer_images:
            self.warn(
                card, f"answer: the image {_name(source)} is marked [image]; answers hold text only"
            )
        mark = IMAGE_MARKS.search(question)
        if not bare_question and image is not None and mark:
            question = question.replace(mark.group(0), f"[image: {PurePosixPath(image).name}]", 1)
        question = _unmark(question)
        answer = _unmark(answer)

        if len(question) > MAX_QUESTION:
            self.warn(
                card,
                f"skipped: the question is {len(question):,} characters; a card's question holds {MAX_QUESTION:,}",
            )
            return None
        if len(answer) > MAX_ANSWER:
            self.warn(
                card,
                f"skipped: the answer is {len(answer):,} characters; a card's answer holds {MAX_ANSWER:,}",
            )
            return None
        if hint is not None and len(hint) > MAX_HINT:
            answer = f"{answer}\n{hint}" if len(answer) + len(hint) < MAX_ANSWER else answer
            self.warn(card, f"hint: longer than {MAX_HINT} characters, so it is not a hint")
            hint = None
        accept = [a.strip() for a in accept if a.strip() and len(a.strip()) <= MAX_ACCEPT_LEN]
        return CardDraft(
            question=question,
            answer=answer,
            accept=list(dict.fromkeys(accept))[:MAX_ACCEPT_ITEMS],
            hint=hint or None,
            tags=fit_tags(card.tags),
            line=card.line,
            image=image,
        )


def _used_media(media: MediaStore | None, drafts: Sequence[CardDraft]) -> dict[str, bytes]:
    if media is None:
        return {}
    shown = {draft.image for draft in drafts if draft.image}
    return {path: data for path, data in media.files().items() if path in shown}


_POINTS_AT_IMAGE = re.compile(
    r"\b(this|these|shown|pictured|image|picture|photo|diagram|figure|graph|chart|"
    r"label(l?ed)?|identify|name the (structure|part))\b",
    re.I,
)


def needs_its_image(question: str) -> bool:
    """Whether a question without its image cannot be answered: a few words ('Name it'), or
    words that point at the picture ('What is shown?', 'Identify the structure')."""
    return len(question.split()) <= 3 or bool(_POINTS_AT_IMAGE.search(question))


def _name(source: str) -> str:
    return PurePosixPath(source.replace("\\", "/")).name or source or "an image with no name"


def _unmark(text: str) -> str:
    return re.sub(r"[ \t]+", " ", IMAGE_MARKS.sub("[image]", text)).strip()


def finish_import(
    *,
    path: str,
    deck_id: str,
    name: str,
    cards: Sequence[RawCard],
    warnings: list[Problem],
    sources: int,
    unit: str,
    media: MediaStore | None = None,
    source: str | None = None,
) -> ImportResult:
    """Turn raw cards into a validated deck, with a warning for each card changed or left out."""
    finisher = _Finisher(path, media)
    kept: list[CardDraft] = []
    first: dict[str, tuple[RawCard, CardDraft]] = {}
    for card in cards:
        draft = finisher.card(card)
        if draft is None:
            continue
        key = question_identity(draft.question)
        if key in first and draft.image and first[key][1].image != draft.image:
            draft = replace(
                draft, question=f"{draft.question} [image: {PurePosixPath(draft.image).name}]"
            )
            key = question_identity(draft.question)
        if key in first:
            earlier = first[key][0]
            where = f"line {earlier.line}" if earlier.line is not None else earlier.where
            shown = replace(card, question=draft.question)
            finisher.warn(shown, f"skipped: a duplicate of the question on {where}")
            continue
        first[key] = (card, draft)
        kept.append(draft)
    warnings = [*warnings, *finisher.warnings]
    if not kept:
        problems = [Problem(path, "no cards found to import")]
        raise DeckError(problems + [w for w in warnings if w.field or w.line][:50])
    deck = build_deck(path=path, deck_id=deck_id, name=deck_name(name), drafts=kept, source=source)
    return ImportResult(
        deck,
        tuple(warnings),
        media=_used_media(media, kept),
        sources=sources,
        unit=unit,
    )
