"""What every importer returns: a validated deck plus the things it was unsure about."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.decks.errors import Problem
from bot.decks.model import Deck


@dataclass(frozen=True)
class ImportResult:
    deck: Deck
    warnings: tuple[Problem, ...] = field(default=())
