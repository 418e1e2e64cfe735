"""All decks loaded from a directory: one bad file is reported, never fatal to the others."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.decks.errors import DeckError, Problem
from bot.decks.model import Deck
from bot.decks.toml_format import load_deck


@dataclass
class DeckLibrary:
    decks: dict[str, Deck] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[Deck]:
        return iter(sorted(self.decks.values(), key=lambda deck: deck.name.casefold()))

    def __len__(self) -> int:
        return len(self.decks)

    def __contains__(self, deck_id: object) -> bool:
        return deck_id in self.decks

    def get(self, deck_id: str) -> Deck | None:
        return self.decks.get(deck_id)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_library(directory: str | Path) -> DeckLibrary:
    """Load every `*.toml` deck under a directory (sorted, non-recursive)."""
    library = DeckLibrary()
    folder = Path(directory)
    if not folder.is_dir():
        library.problems.append(Problem(str(folder), "is not a directory of decks"))
        return library
    for file in sorted(folder.glob("*.toml")):
        try:
            deck = load_deck(file)
        except DeckError as exc:
            library.problems.extend(exc.problems)
            library.failed.append(str(file))
            continue
        library.decks[deck.id] = deck
    return library
