"""The deck model every format loads into, and the validation that makes a deck trustworthy.

A card's id must survive answer edits because SRS history and statistics hang off it, so when the
author gives none it is derived from the normalized question only.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bot.decks.errors import DeckError, Problem

CARD_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DECK_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

MAX_CARDS = 5000
MAX_QUESTION = 1500
MAX_ANSWER = 3500
MAX_ACCEPT_ITEMS = 50
MAX_ACCEPT_LEN = 200
MAX_HINT = 500
MAX_NAME = 100
MAX_DESCRIPTION = 1000
MAX_TAGS = 20
MAX_TAG_LEN = 40
MAX_IMAGE_PATH = 200
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
"""Image files a card may show beside its question: the formats Discord displays in an embed."""
_IMAGE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

_Fail = Callable[[str, int | None, str], None]


@dataclass(frozen=True, slots=True)
class Card:
    id: str
    question: str
    answer: str
    accept: tuple[str, ...] = ()
    hint: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    """A picture shown with the question: a path relative to the deck file's folder."""


@dataclass(frozen=True, slots=True)
class Deck:
    id: str
    name: str
    cards: tuple[Card, ...]
    description: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()
    path: str | None = field(default=None, compare=False)

    def card(self, card_id: str) -> Card:
        for card in self.cards:
            if card.id == card_id:
                return card
        raise KeyError(card_id)

    def __iter__(self) -> Iterator[Card]:
        return iter(self.cards)

    def __len__(self) -> int:
        return len(self.cards)

    def image_path(self, card: Card) -> Path | None:
        """Where the card's image file is: beside the deck file. None when the card has no image
        or the deck was not loaded from a file (check `exists()` before showing it)."""
        if card.image is None or self.path is None:
            return None
        return Path(self.path).parent / card.image


def question_key(text: str) -> str:
    """Question text reduced to lowercase ASCII-ish words: what derived card ids are made from."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.findall(r"[^\W_]+", stripped.casefold())
    return " ".join(words)


_TRAILING = re.compile(r"[\s?.!:;。？！]+$")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def question_identity(text: str) -> str:
    """What makes two questions the same card: the text up to case, spacing, quote style and its
    closing punctuation. Punctuation inside carries meaning (`list[:i]` is not `list[i:]`)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _TRAILING.sub("", " ".join(text.split()))


def derive_card_id(question: str) -> str:
    """A readable, stable id: the first words of the question plus a short hash of all of it."""
    key = question_key(question)
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]
    slug = ""
    for word in re.findall(r"[a-z0-9]+", key):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > 40:
            break
        slug = candidate
    return f"{slug}-{digest}" if slug else f"card-{digest}"


def _distinct_card_id(question: str, taken: dict[str, int]) -> str:
    """An id for a question whose derived id another, different question already has: the same
    slug with a hash of the question's exact identity, so it does not depend on card order."""
    base = derive_card_id(question)
    slug = base.rsplit("-", 1)[0]
    digest = hashlib.sha1(question_identity(question).encode("utf-8")).hexdigest()
    for start in range(0, len(digest) - 6):
        candidate = f"{slug}-{digest[start : start + 6]}"
        if candidate not in taken:
            return candidate
    counter = 2
    while f"{base}-{counter}" in taken:
        counter += 1
    return f"{base}-{counter}"


def check_image_path(value: str) -> str | None:
    """Why `value` cannot be a card's image path, or None when it can."""
    if len(value) > MAX_IMAGE_PATH:
        return f"is longer than {MAX_IMAGE_PATH} characters"
    parts = PurePosixPath(value).parts
    if value.startswith("/") or "\\" in value or not parts:
        return "must be a relative path inside the deck's folder, like 'biology.media/cell.png'"
    if not all(_IMAGE_PART.match(part) for part in parts) or ".." in parts:
        return "must be a relative path of letters, digits, '.', '-' and '_' (no '..')"
    if not value.lower().endswith(IMAGE_SUFFIXES):
        return f"must name an image file ({', '.join(IMAGE_SUFFIXES)})"
    return None


def deck_id_from_stem(stem: str) -> str:
    """A deck id from a file stem: lowercase, runs of other characters become '-'."""
    slug = re.sub(r"[^a-z0-9_]+", "-", question_key(stem).replace(" ", "-")).strip("-_")
    return slug[:64] or "deck"


@dataclass(slots=True)
class CardDraft:
    """A card before validation, with the source line where it starts (for error messages)."""

    question: str
    answer: str
    accept: Sequence[str] = ()
    id: str | None = None
    hint: str | None = None
    tags: Sequence[str] = ()
    line: int | None = None
    field_lines: dict[str, int] = field(default_factory=dict)
    image: str | None = None


def build_deck(
    *,
    path: str,
    deck_id: str,
    name: str,
    drafts: Sequence[CardDraft],
    description: str | None = None,
    source: str | None = None,
    tags: Sequence[str] = (),
    name_line: int | None = None,
) -> Deck:
    """Validate drafts into a Deck, or raise DeckError listing every problem found."""
    problems: list[Problem] = []

    def fail(message: str, line: int | None, where: str) -> None:
        problems.append(Problem(path, message, line, where))

    if not DECK_ID_PATTERN.match(deck_id):
        fail(f"deck id {deck_id!r} must be lowercase letters, digits, '-' or '_'", None, "id")
    name = name.strip()
    if not name:
        fail("must be a non-empty string", name_line, "name")
    elif len(name) > MAX_NAME:
        fail(f"is {len(name)} characters; the limit is {MAX_NAME}", name_line, "name")
    if description is not None and len(description) > MAX_DESCRIPTION:
        fail(f"is longer than {MAX_DESCRIPTION} characters", None, "description")
    _check_tags(tags, "tags", None, fail)
    if not drafts:
        fail("the deck has no cards", None, "cards")
    elif len(drafts) > MAX_CARDS:
        fail(f"has {len(drafts)} cards; the limit is {MAX_CARDS}", None, "cards")

    cards: list[Card] = []
    seen_ids: dict[str, int] = {}
    seen_questions: dict[str, int] = {}
    for index, draft in enumerate(drafts):
        label = f"cards[{index}]"
        before = len(problems)

        def line_of(key: str, draft: CardDraft = draft) -> int | None:
            return draft.field_lines.get(key, draft.line)

        question = draft.question.strip()
        answer = draft.answer.strip()
        if not question:
            fail("must be a non-empty string", line_of("question"), f"{label}.question")
        elif len(question) > MAX_QUESTION:
            fail(
                f"is longer than {MAX_QUESTION} characters",
                line_of("question"),
                f"{label}.question",
            )
        if not answer:
            fail("must be a non-empty string", line_of("answer"), f"{label}.answer")
        elif len(answer) > MAX_ANSWER:
            fail(f"is longer than {MAX_ANSWER} characters", line_of("answer"), f"{label}.answer")
        accept = tuple(a.strip() for a in draft.accept)
        if len(accept) > MAX_ACCEPT_ITEMS:
            fail(f"has more than {MAX_ACCEPT_ITEMS} entries", line_of("accept"), f"{label}.accept")
        for position, item in enumerate(accept):
            if not item:
                fail("entries must be non-empty", line_of("accept"), f"{label}.accept[{position}]")
            elif len(item) > MAX_ACCEPT_LEN:
                fail(
                    f"is longer than {MAX_ACCEPT_LEN} characters",
                    line_of("accept"),
                    f"{label}.accept[{position}]",
                )
        hint = draft.hint.strip() if draft.hint is not None else None
        if hint is not None and not hint:
            fail("must be non-empty when given", line_of("hint"), f"{label}.hint")
        elif hint is not None and len(hint) > MAX_HINT:
            fail(f"is longer than {MAX_HINT} characters", line_of("hint"), f"{label}.hint")
        _check_tags(draft.tags, f"{label}.tags", line_of("tags"), fail)
        if draft.image is not None and (why := check_image_path(draft.image)):
            fail(why, line_of("image"), f"{label}.image")

        key = question_identity(question)
        if draft.id is not None:
            card_id = draft.id
            if not CARD_ID_PATTERN.match(card_id):
                fail(
                    f"{card_id!r} must be 1-64 lowercase letters, digits, '-' or '_'",
                    line_of("id"),
                    f"{label}.id",
                )
        else:
            card_id = derive_card_id(question)
            if card_id in seen_ids and key not in seen_questions:
                card_id = _distinct_card_id(question, seen_ids)
        if question and key in seen_questions:
            first = seen_questions[key]
            fail(
                f"duplicate question (same as cards[{first}])",
                line_of("question"),
                f"{label}.question",
            )
        elif card_id in seen_ids:
            first = seen_ids[card_id]
            fail(
                f"duplicate card id {card_id!r} (first used by cards[{first}])",
                line_of("id"),
                label,
            )
        seen_questions.setdefault(key, index)
        seen_ids.setdefault(card_id, index)

        if len(problems) == before:
            cards.append(
                Card(
                    id=card_id,
                    question=question,
                    answer=answer,
                    accept=tuple(dict.fromkeys(accept)),
                    hint=hint,
                    tags=tuple(draft.tags),
                    image=draft.image,
                )
            )

    if problems:
        raise DeckError(problems)
    return Deck(
        id=deck_id,
        name=name,
        cards=tuple(cards),
        description=description.strip() if description else None,
        source=source.strip() if source else None,
        tags=tuple(tags),
        path=path,
    )


def _check_tags(tags: Sequence[str], where: str, line: int | None, fail: _Fail) -> None:
    if len(tags) > MAX_TAGS:
        fail(f"has more than {MAX_TAGS} tags", line, where)
    for position, tag in enumerate(tags):
        if not tag.strip() or len(tag) > MAX_TAG_LEN:
            fail(
                f"tags must be non-empty and at most {MAX_TAG_LEN} characters",
                line,
                f"{where}[{position}]",
            )
