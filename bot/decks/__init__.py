"""Decks: the model, the native TOML format, importers for other formats, and the library."""

from bot.decks.errors import DeckError, Problem
from bot.decks.library import DeckLibrary, load_library
from bot.decks.model import Card, Deck, derive_card_id
from bot.decks.toml_format import dump_deck, load_deck, loads_deck

__all__ = [
    "Card",
    "Deck",
    "DeckError",
    "DeckLibrary",
    "Problem",
    "derive_card_id",
    "dump_deck",
    "load_deck",
    "load_library",
    "loads_deck",
]
