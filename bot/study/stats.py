"""Leaderboards and statistics in the guild's own time zone."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from bot.domain import CardCounts, DayCounts
from bot.repositories import Store
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, to_ms
from bot.study.periods import Period, local_day, period_bounds, zone
from bot.study.streaks import streaks


@dataclass(frozen=True)
class LeaderboardEntry:
    rank: int
    user_id: int
    display_name: str
    points: int
    attempts: int
    correct: int
    current_streak: int
    best_streak: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class Leaderboard:
    guild_id: int
    period: Period
    deck_id: str | None
    timezone: str
    entries: tuple[LeaderboardEntry, ...]


@dataclass(frozen=True)
class CardStat:
    deck_id: str
    card_id: str
    question: str
    attempts: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class MemberStats:
    guild_id: int
    user_id: int
    attempts: int
    correct: int
    points: int
    cards_learned: int
    due_now: int
    current_streak: int
    best_streak: int
    best_cards: tuple[CardStat, ...]
    worst_cards: tuple[CardStat, ...]
    daily: tuple[DayCounts, ...]
    timezone: str

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


class StatsService:
    def __init__(self, storage: Store, catalog: DeckCatalog, clock: Clock) -> None:
        self.storage = storage
        self.catalog = catalog
        self.clock = clock

    async def leaderboard(
        self, guild_id: int, period: Period = "week", deck_id: str | None = None, limit: int = 10
    ) -> Leaderboard:
        settings = await self.storage.guilds.get(guild_id)
        tz = zone(settings.timezone)
        now = self.clock.now()
        start, end = period_bounds(period, now, tz)
        rows = await self.storage.stats.leaders(
            guild_id,
            start_ms=to_ms(start) if start else None,
            end_ms=to_ms(end) if end else None,
            deck_id=deck_id,
            limit=limit,
        )
        today = local_day(now, tz)
        entries = []
        for rank, row in enumerate(rows, start=1):
            current, best = streaks(
                await self.storage.stats.active_days(guild_id, row.user_id), today
            )
            entries.append(
                LeaderboardEntry(
                    rank,
                    row.user_id,
                    row.display_name,
                    row.points,
                    row.attempts,
                    row.correct,
                    current,
                    best,
                )
            )
        return Leaderboard(guild_id, period, deck_id, settings.timezone, tuple(entries))

    def _card_stat(self, guild_id: int, counts: CardCounts) -> CardStat:
        deck = self.catalog.get(guild_id, counts.deck_id)
        question = counts.card_id
        if deck is not None:
            with contextlib.suppress(KeyError):
                question = deck.card(counts.card_id).question
        return CardStat(counts.deck_id, counts.card_id, question, counts.attempts, counts.correct)

    async def member(
        self, guild_id: int, user_id: int, *, days: int = 30, top: int = 3
    ) -> MemberStats:
        settings = await self.storage.guilds.get(guild_id)
        tz = zone(settings.timezone)
        now = self.clock.now()
        today = local_day(now, tz)
        totals = await self.storage.stats.member_totals(guild_id, user_id)
        learned, due = await self.storage.srs.summary(guild_id, user_id, to_ms(now))
        current, best = streaks(await self.storage.stats.active_days(guild_id, user_id), today)
        cards = [
            self._card_stat(guild_id, c)
            for c in await self.storage.stats.member_cards(guild_id, user_id)
        ]
        best_cards = sorted(cards, key=lambda c: (-c.accuracy, -c.attempts, c.question))[:top]
        worst_cards = sorted(
            (c for c in cards if c.correct < c.attempts),
            key=lambda c: (c.accuracy, -c.attempts, c.question),
        )[:top]
        first = today - (days - 1)
        recorded = {
            d.day: d for d in await self.storage.stats.member_days(guild_id, user_id, first, today)
        }
        daily = tuple(recorded.get(day, DayCounts(day, 0, 0)) for day in range(first, today + 1))
        return MemberStats(
            guild_id=guild_id,
            user_id=user_id,
            attempts=totals.attempts,
            correct=totals.correct,
            points=totals.points,
            cards_learned=learned,
            due_now=due,
            current_streak=current,
            best_streak=best,
            best_cards=tuple(best_cards),
            worst_cards=tuple(worst_cards),
            daily=daily,
            timezone=settings.timezone,
        )

    async def hardest_cards(
        self, guild_id: int, deck_id: str | None = None, limit: int = 10
    ) -> list[CardStat]:
        """The guild's most-missed cards: lowest accuracy first, then most attempts."""
        cards = [
            self._card_stat(guild_id, c)
            for c in await self.storage.stats.guild_cards(guild_id, deck_id)
        ]
        return sorted(cards, key=lambda c: (c.accuracy, -c.attempts, c.question))[:limit]
