"""The study service for one member answering cards: what to ask next, and what an answer is worth.

Used by /quiz, by drills and sessions, and by the terminal `python -m bot study`; nothing here knows
about Discord.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from bot.decks import Card, Deck
from bot.grading import Verdict, grade
from bot.storage import Storage
from bot.storage.study import Context, NewAttempt, Recorded
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, to_ms
from bot.study.periods import local_day, zone
from bot.study.scoring import points_for
from bot.study.srs import SrsState, rating_for, review


class UnknownDeck(LookupError):
    pass


class UnknownCard(LookupError):
    pass


@dataclass(frozen=True)
class Member:
    guild_id: int
    user_id: int
    display_name: str = ""


@dataclass(frozen=True)
class QueuedCard:
    card: Card
    due: bool
    new: bool


@dataclass(frozen=True)
class AnswerResult:
    verdict: Verdict
    points: int
    attempt_id: int
    duplicate: bool
    srs: SrsState | None
    card: Card


class StudyService:
    def __init__(self, storage: Storage, catalog: DeckCatalog, clock: Clock) -> None:
        self.storage = storage
        self.catalog = catalog
        self.clock = clock

    def deck(self, guild_id: int, deck_id: str) -> Deck:
        deck = self.catalog.get(guild_id, deck_id)
        if deck is None:
            raise UnknownDeck(deck_id)
        return deck

    def card(self, guild_id: int, deck_id: str, card_id: str) -> Card:
        try:
            return self.deck(guild_id, deck_id).card(card_id)
        except KeyError:
            raise UnknownCard(f"{deck_id}/{card_id}") from None

    async def next_cards(self, member: Member, deck_id: str, count: int) -> list[QueuedCard]:
        """Due cards first (most overdue first), then new cards up to the guild's daily limit of new
        cards; if neither is left, the cards coming due soonest, as practice that earns no points."""
        deck = self.deck(member.guild_id, deck_id)
        now = self.clock.now()
        settings = await self.storage.guilds.get(member.guild_id)
        queue: list[QueuedCard] = []
        valid = {card.id: card for card in deck.cards}
        for card_id in await self.storage.srs.due(
            member.guild_id, member.user_id, deck_id, to_ms(now), count
        ):
            if card_id in valid:
                queue.append(QueuedCard(valid[card_id], due=True, new=False))
        if len(queue) < count:
            today = local_day(now, zone(settings.timezone))
            introduced = await self.storage.srs.introduced_on(
                member.guild_id, member.user_id, today
            )
            allowance = max(0, settings.new_cards_per_day - introduced)
            seen = await self.storage.srs.seen(member.guild_id, member.user_id, deck_id)
            for card in deck.cards:
                if len(queue) >= count or allowance <= 0:
                    break
                if card.id not in seen:
                    queue.append(QueuedCard(card, due=True, new=True))
                    allowance -= 1
        if len(queue) < count:
            chosen = {q.card.id for q in queue}
            for card_id in await self.storage.srs.upcoming(
                member.guild_id, member.user_id, deck_id, count * 2
            ):
                if len(queue) >= count:
                    break
                if card_id in valid and card_id not in chosen:
                    queue.append(QueuedCard(valid[card_id], due=False, new=False))
        return queue

    async def answer(
        self,
        member: Member,
        deck_id: str,
        card_id: str,
        response: str,
        *,
        attempt_key: str,
        context: Context = "quiz",
        context_id: int | None = None,
        elapsed: timedelta | None = None,
        first_correct: bool = False,
    ) -> AnswerResult:
        """Grade and record one answer, once per attempt key; updates the member's card state."""
        deck = self.deck(member.guild_id, deck_id)
        card = self.card(member.guild_id, deck_id, card_id)
        now = self.clock.now()
        # Independent reads go to the readers together; whether the card was due only matters
        # for practice points.
        existing, settings, extra, state = await asyncio.gather(
            self.storage.attempts.by_key(attempt_key),
            self.storage.guilds.get(member.guild_id),
            self.storage.answers.accepted(member.guild_id, deck_id, card_id),
            self.storage.srs.get(member.guild_id, member.user_id, deck_id, card_id)
            if context == "quiz"
            else _nothing(),
        )
        if existing is not None:
            return await self._replay(existing.id, card)
        verdict = await asyncio.to_thread(grade, card, response, deck=deck, extra_accept=extra)
        due = state is None or state.due <= now
        points = points_for(verdict.outcome, context=context, due=due, first_correct=first_correct)
        rating = rating_for(verdict.outcome, exact=verdict.score >= 0.99, elapsed=elapsed)
        recorded: Recorded = await self.storage.attempts.record(
            NewAttempt(
                attempt_key=attempt_key,
                guild_id=member.guild_id,
                user_id=member.user_id,
                display_name=member.display_name,
                deck_id=deck_id,
                card_id=card_id,
                context=context,
                context_id=context_id,
                response=response,
                outcome=verdict.outcome,
                score=verdict.score,
                points=points,
                answered_at_ms=to_ms(now),
                local_day=local_day(now, zone(settings.timezone)),
            ),
            srs_update=lambda previous: review(previous, rating, now),
        )
        if not recorded.created:
            return await self._replay(recorded.attempt.id, card)
        return AnswerResult(verdict, points, recorded.attempt.id, False, recorded.srs, card)

    async def _replay(self, attempt_id: int, card: Card) -> AnswerResult:
        """The stored result of an answer that was already recorded (a retried interaction)."""
        attempt = await self.storage.attempts.get(attempt_id)
        assert attempt is not None
        verdict = await asyncio.to_thread(
            grade, card, attempt.response, deck=self.catalog.get(attempt.guild_id, attempt.deck_id)
        )
        if verdict.outcome != attempt.outcome:
            verdict = Verdict(attempt.outcome, attempt.score, verdict.feedback)
        srs = await self.storage.srs.get(
            attempt.guild_id, attempt.user_id, attempt.deck_id, attempt.card_id
        )
        return AnswerResult(verdict, attempt.points, attempt.id, True, srs, card)


async def _nothing() -> None:
    return None
