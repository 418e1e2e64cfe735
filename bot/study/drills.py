"""Daily drills: choosing the cards, taking answers, closing and revealing."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.decks import Card
from bot.domain import AlreadyAnswered, CardRef, Drill
from bot.repositories import Store
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, from_ms, to_ms
from bot.study.periods import period_bounds, zone
from bot.study.practice import AnswerResult, Member, StudyService
from bot.study.shared import SharedReads

NO_REPEAT_WINDOW = timedelta(hours=36)
DRILLS_KEPT = 1024
"""Open drills kept in memory for answering (the least recently answered are forgotten first)."""


class DrillClosed(Exception):
    pass


@dataclass(frozen=True)
class DrillCard:
    number: int
    deck_id: str
    card: Card


@dataclass(frozen=True)
class CardTally:
    number: int
    card: Card
    answered: int
    correct: int


@dataclass(frozen=True)
class DrillResults:
    drill: Drill
    cards: tuple[CardTally, ...]
    top: tuple[tuple[int, str, int], ...]


class DrillService:
    def __init__(
        self, storage: Store, catalog: DeckCatalog, study: StudyService, clock: Clock
    ) -> None:
        self.storage = storage
        self.catalog = catalog
        self.study = study
        self.clock = clock
        self._answering: OrderedDict[int, Drill] = OrderedDict()
        self._reads = SharedReads()

    async def choose_cards(
        self, guild_id: int, deck_ids: tuple[str, ...], size: int
    ) -> list[CardRef]:
        """The cards the server misses most, then cards nobody has seen yet; never yesterday's."""
        now = self.clock.now()
        recent = await self.storage.drills.recent_cards(guild_id, to_ms(now - NO_REPEAT_WINDOW))
        candidates: list[CardRef] = []
        for deck_id in deck_ids:
            deck = self.catalog.get(guild_id, deck_id)
            if deck is not None:
                candidates.extend(CardRef(deck_id, card.id) for card in deck.cards)
        fresh = [c for c in candidates if c not in recent] or candidates
        tallies = {}
        for deck_id in deck_ids:
            for counts in await self.storage.stats.guild_cards(guild_id, deck_id):
                tallies[CardRef(counts.deck_id, counts.card_id)] = counts
        missed = sorted(
            (c for c in fresh if c in tallies and tallies[c].correct < tallies[c].attempts),
            key=lambda c: (tallies[c].correct / tallies[c].attempts, -tallies[c].attempts),
        )
        unseen = [c for c in fresh if c not in tallies]
        rest = sorted(
            (c for c in fresh if c in tallies and c not in missed),
            key=lambda c: (tallies[c].correct / tallies[c].attempts, tallies[c].attempts),
        )
        half = (size + 1) // 2
        chosen = missed[:half]
        chosen += unseen[: size - len(chosen)]
        chosen += [c for c in missed[half:] + rest if c not in chosen][: size - len(chosen)]
        return chosen[:size]

    def cards(self, drill: Drill) -> list[DrillCard]:
        """The drill's cards that still exist, numbered as when it was opened."""
        found = (self._card(drill, n) for n in range(1, len(drill.cards) + 1))
        return [card for card in found if card is not None]

    def _card(self, drill: Drill, number: int) -> DrillCard | None:
        ref = drill.cards[number - 1]
        deck = self.catalog.get(drill.guild_id, ref.deck_id)
        if deck is None:
            return None
        try:
            return DrillCard(number, ref.deck_id, deck.card(ref.card_id))
        except KeyError:
            return None

    async def open(
        self,
        guild_id: int,
        channel_id: int,
        cards: list[CardRef],
        closes_at: datetime,
        schedule_id: int | None,
        *,
        slot: str | None = None,
    ) -> Drill:
        """Open a drill; for a slot that has one already, that drill. The grader is told its
        decks are coming (see Grader.expect)."""
        for deck_id in dict.fromkeys(ref.deck_id for ref in cards):
            self.study.expect(guild_id, deck_id)
        return await self.storage.drills.create(
            guild_id=guild_id,
            channel_id=channel_id,
            schedule_id=schedule_id,
            opened_at_ms=to_ms(self.clock.now()),
            closes_at_ms=to_ms(closes_at),
            cards=cards,
            slot=slot,
        )

    async def open_card(self, drill_id: int, number: int, guild_id: int) -> DrillCard:
        """The card a member may answer now; LookupError if there is none, DrillClosed if late."""
        drill = await self._for_answers(drill_id)
        if drill is None or drill.guild_id != guild_id or not 1 <= number <= len(drill.cards):
            raise LookupError("no such drill card")
        if drill.closed_at_ms is not None or to_ms(self.clock.now()) >= drill.closes_at_ms:
            raise DrillClosed("this drill is closed")
        card = self._card(drill, number)
        if card is None:
            raise LookupError("that card's deck was removed")
        # A member who opens the card's form answers in a moment (once the grader holds the
        # deck, this is a dictionary look-up).
        self.study.expect(guild_id, card.deck_id)
        return card

    async def _for_answers(self, drill_id: int) -> Drill | None:
        """The drill, read once and then kept while members answer it. What answering needs of
        it never changes once it is opened (its server, cards and closing time); it closes when
        its closing time has passed, which open_card checks on the clock, or earlier only when it
        was never posted (abandon), which forgets it here. Members clicking at once share the
        first read."""
        drill = self._answering.get(drill_id)
        if drill is not None:
            self._answering.move_to_end(drill_id)
            return drill
        drill = await self._reads.get(drill_id, lambda: self.storage.drills.get(drill_id))
        if drill is not None and drill.closed_at_ms is None:
            self._answering[drill_id] = drill
            while len(self._answering) > DRILLS_KEPT:
                self._answering.popitem(last=False)
        return drill

    async def answer(
        self, drill_id: int, number: int, member: Member, response: str, *, attempt_key: str
    ) -> AnswerResult:
        card = await self.open_card(drill_id, number, member.guild_id)
        return await self.study.answer(
            member,
            card.deck_id,
            card.card.id,
            response,
            attempt_key=attempt_key,
            context="drill",
            context_id=drill_id,
        )

    async def close(self, drill_id: int) -> bool:
        """Close a drill to answers; True only for the call that closed it. Its reveal is a step
        of its own (the scheduler retries it until Discord takes it)."""
        self._answering.pop(drill_id, None)
        return await self.storage.drills.close(drill_id, to_ms(self.clock.now()))

    async def abandon(self, drill_id: int) -> None:
        """Close a drill that was never posted: there is nothing to reveal."""
        self._answering.pop(drill_id, None)
        await self.storage.drills.abandon(drill_id, to_ms(self.clock.now()))

    async def results(self, drill_id: int) -> DrillResults:
        drill = await self.storage.drills.get(drill_id)
        assert drill is not None
        attempts = await self.storage.attempts.for_context("drill", drill_id)
        tallies = []
        for item in self.cards(drill):
            mine = [a for a in attempts if a.deck_id == item.deck_id and a.card_id == item.card.id]
            tallies.append(
                CardTally(
                    item.number, item.card, len(mine), sum(a.outcome == "correct" for a in mine)
                )
            )
        settings = await self.storage.guilds.get(drill.guild_id)
        start, end = period_bounds("day", from_ms(drill.opened_at_ms), zone(settings.timezone))
        leaders = await self.storage.stats.leaders(
            drill.guild_id,
            start_ms=to_ms(start) if start else None,
            end_ms=to_ms(end) if end else None,
            limit=3,
        )
        top = tuple(
            (row.user_id, row.display_name, row.points) for row in leaders if row.points > 0
        )
        return DrillResults(drill, tuple(tallies), top)


__all__ = ["AlreadyAnswered", "DrillClosed", "DrillResults", "DrillService"]
