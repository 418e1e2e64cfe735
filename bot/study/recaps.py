"""Weekly recaps: an admin switches one on for a channel (a weekday and a local time, by default
Monday 09:00 in the server's time zone), and at that slot each week the bot posts the week that
ended: the top members by points, the most improved member, the server's weakest cards with their
answers, and a chart of the week's answers.

"The week" is the seven local days before the slot's date (for a Monday recap: Monday to Sunday),
bounded by local midnights, so a daylight-saving week is 167 or 169 hours long as it is for the
members. The slot is named by its local date and time (bot/study/slots.py) and claimed in the
database before the post, so it goes once across restarts, processes and the fall-back hour. A
slot missed while the bot was down is posted late if still within GRACE, else skipped. A channel
Discord will not let the bot post in pauses that recap with the reason; setting it again resumes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol

from bot.domain import DayCounts, LeaderRow, Recap, RecapPost
from bot.repositories import Store
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, from_ms, to_ms
from bot.study.delivery import DeliveryFailed, retrying
from bot.study.periods import local_midnight, zone
from bot.study.slots import DAY_NAMES, BadSchedule, Slot, next_slot, parse_time, slots_between
from bot.study.stats import CardStat

log = logging.getLogger(__name__)
DEFAULT_DAY = 0
DEFAULT_TIME = time(9, 0)
GRACE = timedelta(hours=12)
"""How late a recap missed while the bot was down is still posted."""
TOP_MEMBERS = 5
WEAKEST_CARDS = 3
MIN_CARD_ATTEMPTS = 3
"""A card is among the weakest only with at least this many answers in the week."""
MIN_MEMBER_ATTEMPTS = 3
"""The most improved member answered at least this many cards in each of the two weeks."""
_MANY = 10_000


@dataclass(frozen=True)
class RankedMember:
    user_id: int
    display_name: str
    points: int
    attempts: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class Improvement:
    user_id: int
    display_name: str
    accuracy_before: float
    accuracy_now: float
    points_before: int
    points_now: int


@dataclass(frozen=True)
class WeakCard(CardStat):
    """A card's week, with its answer for the recap to show."""

    answer: str


@dataclass(frozen=True)
class WeeklyRecap:
    guild_id: int
    first_day: date
    """The week's first local day; it ends before first_day + 7."""
    timezone: str
    answers: int
    correct: int
    members: int
    top: tuple[RankedMember, ...]
    improved: Improvement | None
    weakest: tuple[WeakCard, ...]
    daily: tuple[DayCounts, ...]
    """One entry per local day of the week, in order (days without answers are zero)."""

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=6)


class RecapPoster(Protocol):
    async def post_recap(self, recap: Recap, content: WeeklyRecap, nonce: str) -> int:
        """Post the recap in its channel and return the message id; raises DeliveryFailed."""
        ...


@dataclass
class RecapReport:
    posted: list[tuple[int, int, str]] = field(default_factory=list)
    """(guild, channel, slot) of every recap posted."""
    paused: list[tuple[int, int, str]] = field(default_factory=list)
    """(guild, channel, reason)."""
    missed: list[tuple[int, int, str]] = field(default_factory=list)


def parse_weekday(text: str) -> int:
    """'mon', 'Monday', … -> 0..6; raises BadSchedule."""
    key = text.strip().lower()
    for index, name in enumerate(DAY_NAMES):
        if key in (name, _FULL[index]) or (len(key) >= 3 and _FULL[index].startswith(key)):
            return index
    raise BadSchedule(f"{text.strip()[:40]!r} is not a day; use mon, tue, … or sun")


_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def day_name(weekday: int) -> str:
    return _FULL[weekday].capitalize()


class RecapService:
    def __init__(
        self,
        storage: Store,
        catalog: DeckCatalog,
        clock: Clock,
        *,
        retry_pauses: tuple[float, ...] | None = None,
    ) -> None:
        self.storage = storage
        self.catalog = catalog
        self.clock = clock
        self.retry_pauses = retry_pauses
        self._lock = asyncio.Lock()

    # --- what admins do ---------------------------------------------------------------------

    async def save(
        self,
        guild_id: int,
        channel_id: int,
        *,
        day: str | None = None,
        at: str | None = None,
        by: int,
    ) -> Recap:
        """Switch the channel's weekly recap on, or move it; resumes a paused one. Raises
        BadSchedule for a day or time that cannot be read."""
        weekday = DEFAULT_DAY if day is None else parse_weekday(day)
        local_time = DEFAULT_TIME if at is None else parse_time(at)
        return await self.storage.recaps.save(
            guild_id,
            channel_id,
            weekday,
            local_time.strftime("%H:%M"),
            by,
            to_ms(self.clock.now()),
        )

    async def in_guild(self, guild_id: int) -> list[Recap]:
        return await self.storage.recaps.in_guild(guild_id)

    async def remove(self, guild_id: int, channel_id: int) -> bool:
        return await self.storage.recaps.remove(guild_id, channel_id)

    async def next_post(self, recap: Recap) -> datetime:
        tz = zone((await self.storage.guilds.get(recap.guild_id)).timezone)
        return next_slot(
            frozenset({recap.weekday}), parse_time(recap.local_time), tz, self.clock.now()
        ).at

    # --- what the recap shows ---------------------------------------------------------------

    async def week(self, guild_id: int, first_day: date) -> WeeklyRecap:
        """The recap of the seven local days from `first_day`, compared with the seven before."""
        settings = await self.storage.guilds.get(guild_id)
        tz = zone(settings.timezone)
        start, end = local_midnight(first_day, tz), local_midnight(first_day + timedelta(7), tz)
        before = local_midnight(first_day - timedelta(7), tz)
        rows = await self.storage.stats.leaders(
            guild_id, start_ms=to_ms(start), end_ms=to_ms(end), limit=_MANY
        )
        earlier = await self.storage.stats.leaders(
            guild_id, start_ms=to_ms(before), end_ms=to_ms(start), limit=_MANY
        )
        top = tuple(_ranked(r) for r in rows if r.points > 0)[:TOP_MEMBERS]
        first = first_day.toordinal()
        recorded = {
            d.day: d for d in await self.storage.recaps.guild_days(guild_id, first, first + 6)
        }
        daily = tuple(recorded.get(day, DayCounts(day, 0, 0)) for day in range(first, first + 7))
        return WeeklyRecap(
            guild_id=guild_id,
            first_day=first_day,
            timezone=settings.timezone,
            answers=sum(r.attempts for r in rows),
            correct=sum(r.correct for r in rows),
            members=len(rows),
            top=top,
            improved=_most_improved(earlier, rows),
            weakest=tuple(await self._weakest(guild_id, to_ms(start), to_ms(end))),
            daily=daily,
        )

    async def _weakest(self, guild_id: int, start_ms: int, end_ms: int) -> list[WeakCard]:
        cards = []
        for counts in await self.storage.recaps.guild_cards(guild_id, start_ms, end_ms):
            if counts.attempts < MIN_CARD_ATTEMPTS or counts.correct >= counts.attempts:
                continue
            deck = self.catalog.get(guild_id, counts.deck_id)
            if deck is None:
                continue
            with contextlib.suppress(KeyError):
                card = deck.card(counts.card_id)
                cards.append(
                    WeakCard(
                        counts.deck_id,
                        counts.card_id,
                        card.question,
                        counts.attempts,
                        counts.correct,
                        card.answer,
                    )
                )
        cards.sort(key=lambda c: (c.accuracy, -c.attempts, c.question))
        return cards[:WEAKEST_CARDS]

    # --- the weekly post --------------------------------------------------------------------

    async def tick(
        self, poster: RecapPoster, serves: Callable[[int], bool] = lambda _: True
    ) -> RecapReport:
        """Claim each active recap's latest slot that has come (once), then post every claimed
        one. Safe to repeat and to run in several processes."""
        async with self._lock:
            report = RecapReport()
            now = self.clock.now()
            for recap in await self.storage.recaps.active():
                if not serves(recap.guild_id):
                    continue
                slot = await self._latest_slot(recap, now)
                if slot is not None:
                    await self.storage.recaps.claim(
                        recap.guild_id, recap.channel_id, slot.key, to_ms(slot.at), to_ms(now)
                    )
            recaps = {(r.guild_id, r.channel_id): r for r in await self.storage.recaps.active()}
            for post in await self.storage.recaps.claimed():
                if not serves(post.guild_id):
                    continue
                owner = recaps.get((post.guild_id, post.channel_id))
                if owner is None:
                    continue  # removed or paused since the claim: it waits
                try:
                    await self._post(owner, post, now, poster, report)
                except Exception:
                    log.exception(
                        "recap of channel %d on server %d failed", post.channel_id, post.guild_id
                    )
            return report

    async def _latest_slot(self, recap: Recap, now: datetime) -> Slot | None:
        tz = zone((await self.storage.guilds.get(recap.guild_id)).timezone)
        since = max(from_ms(recap.since_ms), now - GRACE)
        slots = list(
            slots_between(frozenset({recap.weekday}), parse_time(recap.local_time), tz, since, now)
        )
        return slots[-1] if slots else None

    async def _post(
        self,
        recap: Recap,
        post: RecapPost,
        now: datetime,
        poster: RecapPoster,
        report: RecapReport,
    ) -> None:
        g, c = post.guild_id, post.channel_id
        if now - from_ms(post.slot_at_ms) > GRACE:
            await self.storage.recaps.mark(g, c, post.slot, "missed", detail="past its grace")
            report.missed.append((g, c, post.slot))
            return
        slot_day = date.fromisoformat(post.slot[:10])
        content = await self.week(g, slot_day - timedelta(days=7))
        nonce = f"recap-{c % 10**9}-{slot_day.strftime('%y%m%d')}"
        try:
            message_id = await retrying(
                lambda: poster.post_recap(recap, content, nonce),
                f"recap in {c} on {g}",
                self.retry_pauses,
            )
        except DeliveryFailed as exc:
            if not exc.permanent:
                log.warning("recap in channel %d on server %d: %s", c, g, exc.reason)
                return  # still claimed: the next tick tries again within the grace
            await self.storage.recaps.mark(g, c, post.slot, "failed", detail=exc.reason)
            await self.storage.recaps.pause(g, c, exc.reason)
            report.paused.append((g, c, exc.reason))
            log.info("recap in channel %d on server %d paused: %s", c, g, exc.reason)
            return
        await self.storage.recaps.mark(g, c, post.slot, "posted", message_id=message_id)
        report.posted.append((g, c, post.slot))


def _ranked(row: LeaderRow) -> RankedMember:
    return RankedMember(row.user_id, row.display_name, row.points, row.attempts, row.correct)


def _most_improved(before: list[LeaderRow], now: list[LeaderRow]) -> Improvement | None:
    """The member active in both weeks (MIN_MEMBER_ATTEMPTS each) whose accuracy rose the most;
    ties go to the larger rise in points. None when nobody improved."""
    earlier = {r.user_id: r for r in before if r.attempts >= MIN_MEMBER_ATTEMPTS}
    best: tuple[float, int, int] | None = None
    found: Improvement | None = None
    for row in now:
        old = earlier.get(row.user_id)
        if old is None or row.attempts < MIN_MEMBER_ATTEMPTS:
            continue
        rise = row.correct / row.attempts - old.correct / old.attempts
        gain = row.points - old.points
        if rise <= 0 and gain <= 0:
            continue
        key = (round(rise, 6), gain, -row.user_id)
        if best is None or key > best:
            best = key
            found = Improvement(
                row.user_id,
                row.display_name,
                old.correct / old.attempts,
                row.correct / row.attempts,
                old.points,
                row.points,
            )
    return found
