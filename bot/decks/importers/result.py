"""What every importer returns: a validated deck, the things it was unsure about, and the image
files its cards show (to be written beside the deck file)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.decks.errors import Problem
from bot.decks.model import Deck


@dataclass(frozen=True)
class ImportResult:
    deck: Deck
    warnings: tuple[Problem, ...] = field(default=())
    media: Mapping[str, bytes] = field(default_factory=dict)
    """Image files by their path relative to the deck file (what each card's `image` names)."""
    sources: int | None = None
    """How many notes, rows or lines the cards were read from."""
    unit: str = "notes"

    @property
    def summary(self) -> str:
        """One line for the author, such as 'imported 61 cards from 32 notes; 3 warnings'."""
        cards = len(self.deck.cards)
        text = f"imported {cards} card{'s' if cards != 1 else ''}"
        if self.sources is not None:
            text += f" from {self.sources} {self.unit}"
        count = len(self.warnings)
        text += f"; {count} warning{'s' if count != 1 else ''}"
        if self.media:
            text += f"; {len(self.media)} image{'s' if len(self.media) != 1 else ''}"
        return text
