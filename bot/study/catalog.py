"""Which decks a server can use: the shipped decks plus the ones its admins imported."""

from __future__ import annotations

from bot.decks import Deck, DeckLibrary


class DuplicateDeck(ValueError):
    pass


class DeckCatalog:
    def __init__(self, shipped: DeckLibrary) -> None:
        self.shipped = shipped
        self._guild: dict[int, dict[str, Deck]] = {}

    def get(self, guild_id: int, deck_id: str) -> Deck | None:
        return self._guild.get(guild_id, {}).get(deck_id) or self.shipped.get(deck_id)

    def for_guild(self, guild_id: int) -> list[Deck]:
        decks = [*self.shipped.decks.values(), *self._guild.get(guild_id, {}).values()]
        return sorted(decks, key=lambda deck: deck.name.casefold())

    def is_guild_deck(self, guild_id: int, deck_id: str) -> bool:
        return deck_id in self._guild.get(guild_id, {})

    def add(self, guild_id: int, deck: Deck) -> None:
        if deck.id in self.shipped:
            raise DuplicateDeck(f"a shipped deck already uses the id {deck.id!r}; rename the file")
        self._guild.setdefault(guild_id, {})[deck.id] = deck

    def remove(self, guild_id: int, deck_id: str) -> bool:
        return self._guild.get(guild_id, {}).pop(deck_id, None) is not None
