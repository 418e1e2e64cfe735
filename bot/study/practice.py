"""The study service for one member answering cards: what to ask next, and what an answer is worth.

Used by /quiz, by drills and sessions, and by the terminal `python -m bot study`; nothing here knows
about Discord.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.decks import Card, Deck
from bot.domain import Context, GuildSettings, NewAttempt, Recorded
from bot.grading import Verdict
from bot.repositories import Store
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, from_ms, to_ms
from bot.study.grading_process import Grader, ThreadGrader
from bot.study.periods import local_date, local_day, local_midnight, zone
from bot.study.scoring import points_for
from bot.study.shared import SharedReads
from bot.study.srs import Review, SrsState, rating_for


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
class DeckOutlook:
    """A member's position in one deck at one instant (the round just planned counted as taken)."""

    due_now: int
    """Studied cards due now."""
    next_due: datetime | None
    """When the soonest studied card not due now comes due (None: no such card)."""
    new_per_day: int
    """The server's daily limit of new cards, per deck."""
    new_left_today: int
    """New cards the limit still allows today (never more than the deck has left)."""
    unseen: int
    """Cards of the deck never studied."""
    tomorrow: datetime
    """The start of the next local day, when the limit starts again (aware UTC)."""

    @property
    def new_tomorrow(self) -> int:
        """New cards available tomorrow if none more are studied today."""
        return min(self.new_per_day, self.unseen)

    @property
    def limit_reached(self) -> bool:
        """The deck has new cards, but none more are allowed today."""
        return self.unseen > 0 and self.new_left_today == 0


@dataclass(frozen=True)
class RoundPlan:
    cards: list[QueuedCard]
    outlook: DeckOutlook


@dataclass(frozen=True)
class MissedPlan:
    """The cards a member missed (answered wrong or close) since `since`, the most recently missed
    first, all from one deck: the one asked for, or else the deck of the latest miss."""

    deck_id: str | None
    """None: nothing was missed in any deck of this server."""
    cards: list[Card]
    since: datetime
    days: int


DEFAULT_MISSED_DAYS = 7
MAX_MISSED_DAYS = 90


@dataclass(frozen=True)
class AnswerResult:
    verdict: Verdict
    points: int
    attempt_id: int
    duplicate: bool
    srs: SrsState | None
    card: Card


class StudyService:
    def __init__(
        self, storage: Store, catalog: DeckCatalog, clock: Clock, grader: Grader | None = None
    ) -> None:
        self.storage = storage
        self.catalog = catalog
        self.clock = clock
        self.grader: Grader = grader or ThreadGrader()
        self._reads = SharedReads()

    def deck(self, guild_id: int, deck_id: str) -> Deck:
        deck = self.catalog.get(guild_id, deck_id)
        if deck is None:
            raise UnknownDeck(deck_id)
        return deck

    def expect(self, guild_id: int, deck_id: str) -> None:
        """Answers to the deck's cards are coming: the grader makes ready (see Grader.expect)."""
        deck = self.catalog.get(guild_id, deck_id)
        if deck is not None:
            self.grader.expect(deck)

    def card(self, guild_id: int, deck_id: str, card_id: str) -> Card:
        try:
            return self.deck(guild_id, deck_id).card(card_id)
        except KeyError:
            raise UnknownCard(f"{deck_id}/{card_id}") from None

    async def next_cards(self, member: Member, deck_id: str, count: int) -> list[QueuedCard]:
        return (await self.plan(member, deck_id, count)).cards

    async def plan(self, member: Member, deck_id: str, count: int) -> RoundPlan:
        """Due cards first (most overdue first), then new cards up to the guild's daily limit of
        new cards for this deck (each deck has its own, as in Anki); if neither fills the round,
        the cards coming due soonest, as practice that earns no points. With the round comes the
        member's outlook on the deck, to say why a round is short and when more comes due."""
        deck = self.deck(member.guild_id, deck_id)
        now = self.clock.now()
        now_ms = to_ms(now)
        settings = await self.storage.guilds.get(member.guild_id)
        tz = zone(settings.timezone)
        today = local_date(now, tz)
        due_times, introduced = await asyncio.gather(
            self.storage.srs.due_times(member.guild_id, member.user_id, deck_id),
            self.storage.srs.introduced_on(
                member.guild_id, member.user_id, deck_id, today.toordinal()
            ),
        )
        # Cards removed from the deck since they were studied are neither asked nor counted.
        valid = {card.id: card for card in deck.cards}
        studied = sorted(((due, card_id) for card_id, due in due_times.items() if card_id in valid))
        unseen = [card for card in deck.cards if card.id not in due_times]
        allowance = max(0, settings.new_cards_per_day - introduced)
        queue = [
            QueuedCard(valid[card_id], due=True, new=False)
            for due, card_id in studied
            if due <= now_ms
        ][:count]
        for card in unseen[: max(0, min(allowance, count - len(queue)))]:
            queue.append(QueuedCard(card, due=True, new=True))
        chosen = {q.card.id for q in queue}
        for _, card_id in studied:
            if len(queue) >= count:
                break
            if card_id not in chosen:
                queue.append(QueuedCard(valid[card_id], due=False, new=False))
        new_taken = sum(1 for q in queue if q.new)
        return RoundPlan(
            queue, self._outlook(settings, now, tz, studied, unseen, allowance, new_taken)
        )

    async def missed(
        self,
        member: Member,
        deck_id: str | None,
        count: int,
        *,
        days: int = DEFAULT_MISSED_DAYS,
    ) -> MissedPlan:
        """The cards the member answered wrong or close in the last `days` days (in /quiz, drills
        or sessions), the most recently missed first, at most `count`. Without a deck, the deck
        of the latest miss. Cards since removed from their deck are left out."""
        if not 1 <= days <= MAX_MISSED_DAYS:
            raise ValueError(f"days must be 1 to {MAX_MISSED_DAYS}, not {days}")
        if deck_id is not None:
            self.deck(member.guild_id, deck_id)  # UnknownDeck for a deck the server lacks
        since = self.clock.now() - timedelta(days=days)
        misses = await self.storage.missed.missed(
            member.guild_id, member.user_id, since_ms=to_ms(since), deck_id=deck_id, limit=1000
        )
        chosen = deck_id
        cards: list[Card] = []
        for miss in misses:
            if chosen is not None and miss.deck_id != chosen:
                continue
            deck = self.catalog.get(member.guild_id, miss.deck_id)
            if deck is None:
                continue
            try:
                card = deck.card(miss.card_id)
            except KeyError:
                continue
            chosen = miss.deck_id
            if len(cards) < count:
                cards.append(card)
        return MissedPlan(chosen, cards, since, days)

    async def outlook(self, member: Member, deck_id: str) -> DeckOutlook:
        """Where the member stands in a deck now: what is due, when the next card comes due, and
        how many new cards today's limit still allows."""
        return (await self.plan(member, deck_id, 0)).outlook

    @staticmethod
    def _outlook(
        settings: GuildSettings,
        now: datetime,
        tz: ZoneInfo,
        studied: list[tuple[int, str]],
        unseen: list[Card],
        allowance: int,
        new_taken: int,
    ) -> DeckOutlook:
        now_ms = to_ms(now)
        later = [due for due, _ in studied if due > now_ms]
        return DeckOutlook(
            due_now=sum(1 for due, _ in studied if due <= now_ms),
            next_due=from_ms(later[0]) if later else None,
            new_per_day=settings.new_cards_per_day,
            new_left_today=max(0, min(allowance, len(unseen)) - new_taken),
            unseen=len(unseen) - new_taken,
            tomorrow=local_midnight(local_date(now, tz) + timedelta(days=1), tz),
        )

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
        scored: bool = True,
    ) -> AnswerResult:
        """Grade and record one answer, once per attempt key; updates the member's card state.
        `scored=False` (a review of missed cards): no points, whatever the outcome."""
        deck = self.deck(member.guild_id, deck_id)
        card = self.card(member.guild_id, deck_id, card_id)
        now = self.clock.now()
        # Grading starts at once, beside the reads (it needs them only when the server approved
        # answers for this card, and then grades again). Members answering the same card at once
        # share the reads of the server's settings and approved answers (SharedReads: one
        # future each for both); whether the card was due only matters for practice points. The
        # attempt key is not looked up first: recording is idempotent on it, and a retried
        # interaction (rare) is answered from what was stored.
        early = self.grader.ask(card, response, deck=deck)
        reads = self._reads.get(
            ("card", member.guild_id, deck_id, card_id),
            lambda: self._answer_reads(member.guild_id, deck_id, card_id),
        )
        state_read = (
            asyncio.ensure_future(
                self.storage.srs.get(member.guild_id, member.user_id, deck_id, card_id)
            )
            if context == "quiz"
            else None
        )
        # The verdict comes last as a rule (the reads take one trip to a reader thread, grading
        # a place in the child's queue): awaited first, the reads are then ready, and this answer
        # waits once instead of twice.
        verdict = await early
        settings, extra = await reads
        state = await state_read if state_read is not None else None
        if extra:
            verdict = await self.grader.grade(card, response, deck=deck, extra_accept=extra)
        due = state is None or state.due <= now
        points = (
            points_for(verdict.outcome, context=context, due=due, first_correct=first_correct)
            if scored
            else 0
        )
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
            srs_update=Review(rating, now),
        )
        if not recorded.created:
            return await self._replay(recorded.attempt.id, card)
        return AnswerResult(verdict, points, recorded.attempt.id, False, recorded.srs, card)

    async def _answer_reads(
        self, guild_id: int, deck_id: str, card_id: str
    ) -> tuple[GuildSettings, tuple[str, ...]]:
        """What grading and recording an answer to the card read: the server's settings and the
        answers it approved for the card."""
        settings, accepted = await asyncio.gather(
            self.storage.guilds.get(guild_id),
            self.storage.answers.accepted(guild_id, deck_id, card_id),
        )
        return settings, tuple(accepted)

    async def _replay(self, attempt_id: int, card: Card) -> AnswerResult:
        """The stored result of an answer that was already recorded (a retried interaction)."""
        attempt = await self.storage.attempts.get(attempt_id)
        assert attempt is not None
        verdict = await self.grader.grade(
            card, attempt.response, deck=self.catalog.get(attempt.guild_id, attempt.deck_id)
        )
        if verdict.outcome != attempt.outcome:
            verdict = Verdict(attempt.outcome, attempt.score, verdict.feedback)
        srs = await self.storage.srs.get(
            attempt.guild_id, attempt.user_id, attempt.deck_id, attempt.card_id
        )
        return AnswerResult(verdict, attempt.points, attempt.id, True, srs, card)


def _cards(count: int, kind: str = "") -> str:
    return f"{count} {kind}card" if count == 1 else f"{count} {kind}cards"


def outlook_sentences(outlook: DeckOutlook, when: Callable[[datetime], str]) -> list[str]:
    """The outlook in plain sentences (shared by the terminal and Discord); `when` writes an
    instant for the reader ("in 9 minutes", or a Discord timestamp)."""
    sentences = []
    if outlook.limit_reached:
        if outlook.new_per_day == 0:
            sentences.append("No new cards: the daily limit of new cards is 0.")
        else:
            sentences.append(
                f"No new cards left today for this deck (the limit is {outlook.new_per_day} new"
                f" cards a day per deck); {outlook.new_tomorrow} new tomorrow"
                f" ({when(outlook.tomorrow)})."
            )
    elif outlook.new_left_today:
        sentences.append(f"{_cards(outlook.new_left_today, 'new ')} left today.")
    elif outlook.unseen == 0:
        sentences.append("No new cards left in this deck: you have seen them all.")
    if outlook.due_now:
        sentences.append(f"{_cards(outlook.due_now)} due now.")
    if outlook.next_due is not None:
        sentences.append(f"Next card due {when(outlook.next_due)}.")
    return sentences
