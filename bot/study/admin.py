"""What server admins do outside the schedule: import and remove server decks, review claims."""

from __future__ import annotations

import asyncio

from bot.decks import Deck, DeckError, dump_deck, loads_deck
from bot.decks.importers.sandbox import import_isolated
from bot.decks.model import deck_id_from_stem
from bot.domain import Claim, StoredDeck
from bot.grading import prepare
from bot.repositories import Store
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, to_ms
from bot.study.scoring import points_for_approved_claim

MAX_UPLOAD_BYTES = 2_000_000


class DeckAdmin:
    def __init__(self, storage: Store, catalog: DeckCatalog, clock: Clock) -> None:
        self.storage = storage
        self.catalog = catalog
        self.clock = clock

    async def load_saved(self) -> list[str]:
        """Put every saved server deck back in the catalog; returns problems, one line each."""
        problems = []
        for stored in await self.storage.guild_decks.all():
            try:
                deck = loads_deck(
                    stored.toml,
                    path=f"guild {stored.guild_id}/{stored.deck_id}",
                    deck_id=stored.deck_id,
                )
                self.catalog.add(stored.guild_id, deck)
                await asyncio.to_thread(prepare, deck)
            except (DeckError, ValueError) as exc:
                problems.append(str(exc))
        return problems

    async def import_upload(
        self, guild_id: int, filename: str, data: bytes, admin_id: int
    ) -> tuple[Deck, list[str]]:
        """Validate an uploaded file into a server deck. Raises DeckError with file, line and field."""
        if len(data) > MAX_UPLOAD_BYTES:
            raise DeckError.single(filename, f"is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")
        deck_id = deck_id_from_stem(filename.rsplit(".", 1)[0])
        deck, toml, warnings = await asyncio.to_thread(_validated, data, filename, deck_id)
        self.catalog.add(guild_id, deck)
        await self.storage.guild_decks.save(
            StoredDeck(guild_id, deck.id, deck.name, toml), admin_id, to_ms(self.clock.now())
        )
        return deck, warnings

    async def remove(self, guild_id: int, deck_id: str) -> bool:
        if not self.catalog.is_guild_deck(guild_id, deck_id):
            return False
        self.catalog.remove(guild_id, deck_id)
        return await self.storage.guild_decks.remove(guild_id, deck_id)

    async def next_claim(self, guild_id: int) -> Claim | None:
        pending = await self.storage.answers.pending(guild_id, limit=1)
        return pending[0] if pending else None

    async def pending_count(self, guild_id: int) -> int:
        return len(await self.storage.answers.pending(guild_id, limit=100))

    async def decide(
        self, guild_id: int, claim_id: int, *, approve: bool, admin_id: int
    ) -> Claim | None:
        return await self.storage.answers.decide(
            claim_id,
            guild_id,
            approve=approve,
            decided_by=admin_id,
            now_ms=to_ms(self.clock.now()),
            points=points_for_approved_claim(),
        )


def _validated(data: bytes, filename: str, deck_id: str) -> tuple[Deck, str, list[str]]:
    """Import in a child process, then round-trip through TOML exactly as the deck will be
    stored, and compile it for grading: all of it slow work kept off the event loop."""
    result = import_isolated(data, filename, deck_id=deck_id)
    toml = dump_deck(result.deck)
    deck = loads_deck(toml, path=filename, deck_id=deck_id)
    prepare(deck)
    return deck, toml, [str(w) for w in result.warnings]
