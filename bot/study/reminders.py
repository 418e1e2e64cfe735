"""Due-card reminders: a member asks for one (/remind), and at that local time, on a day when they
have cards due on the server, the bot sends them a direct message with a Start review button.

Each day's reminder is claimed in the database before it is sent (one claim per member, server and
local date), as schedule slots are: a restart, a second process or the repeated hour of a fall-back
night cannot send it twice, and the direct message carries a nonce so that a try repeated after a
crash between sending and recording gets Discord's first message back. A member whose direct
messages are closed loses only their own reminder (turned off with the reason, which they are told
the next time they use a command on that server); a member who left the server gets none.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain import QuizRound, Reminder, ReminderFire
from bot.repositories import Store
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, from_ms, to_ms
from bot.study.delivery import DeliveryFailed, retrying
from bot.study.periods import local_day, zone
from bot.study.practice import Member
from bot.study.quiz import QuizService
from bot.study.slots import Slot, format_days, next_slot, parse_days, parse_time, slots_between
from bot.study.streaks import streaks

log = logging.getLogger(__name__)
DEFAULT_GRACE = timedelta(hours=2)
"""A reminder not sent within this long of its time (the bot was down) is dropped, not sent late."""
DMS_CLOSED = "your direct messages are closed to the bot"
LEFT = "not a member of the server any more"


class DirectMessagesClosed(DeliveryFailed):
    """Discord's 50007: the member does not take direct messages from the bot."""

    def __init__(self) -> None:
        super().__init__(DMS_CLOSED, permanent=True)


class NoReminder(LookupError):
    """The member has no reminder on that server that is on."""


@dataclass(frozen=True)
class ReminderMessage:
    """What a reminder's direct message says."""

    guild_id: int
    user_id: int
    due: int
    oldest_due: datetime
    decks: tuple[tuple[str, int], ...]
    """(deck name, cards due) by most due."""
    streak: int
    best_streak: int
    answered_today: bool
    nonce: str


class Messenger(Protocol):
    def serves(self, guild_id: int) -> bool:
        """Whether this process sends for the server (with shards, each process sends only
        for its own shards' servers, and claims only their reminders)."""
        ...

    async def is_member(self, guild_id: int, user_id: int) -> bool | None:
        """Whether the user is a member of the server now (None: Discord could not say)."""
        ...

    async def send_reminder(self, message: ReminderMessage) -> int:
        """Send the direct message; raises DirectMessagesClosed, or DeliveryFailed."""
        ...


@dataclass
class ReminderReport:
    sent: list[tuple[int, int, str]] = field(default_factory=list)
    skipped: list[tuple[int, int, str, str]] = field(default_factory=list)
    failed: list[tuple[int, int, str, str]] = field(default_factory=list)


def nonce_for(guild_id: int, user_id: int, local_date: str) -> str:
    """At most 25 characters, as Discord allows; the same for every try of one day's reminder."""
    digest = hashlib.sha256(f"{guild_id}:{user_id}:{local_date}".encode()).hexdigest()
    return f"rm{digest[:22]}"


class ReminderService:
    def __init__(
        self,
        storage: Store,
        catalog: DeckCatalog,
        quiz: QuizService,
        clock: Clock,
        *,
        grace: timedelta = DEFAULT_GRACE,
        retry_pauses: tuple[float, ...] | None = None,
    ) -> None:
        self.storage = storage
        self.catalog = catalog
        self.quiz = quiz
        self.clock = clock
        self.grace = grace
        self.retry_pauses = retry_pauses
        self._lock = asyncio.Lock()

    # --- what members do --------------------------------------------------------------------

    async def set(
        self,
        member: Member,
        time_text: str,
        days_text: str | None = None,
        timezone: str | None = None,
    ) -> Reminder:
        """Turn the member's reminder on. Raises BadSchedule or UnknownTimezone. A time zone given
        is the member's own from then on (for every reminder of theirs on this server)."""
        at = parse_time(time_text)
        days = parse_days(days_text or "daily")
        now_ms = to_ms(self.clock.now())
        if timezone is not None:
            zone(timezone)
            await self.storage.reminders.set_member_timezone(
                member.guild_id, member.user_id, member.display_name, timezone, now_ms
            )
        return await self.storage.reminders.set(
            member.guild_id,
            member.user_id,
            member.display_name,
            at.strftime("%H:%M"),
            format_days(days),
            now_ms,
        )

    async def off(self, member: Member) -> bool:
        return await self.storage.reminders.turn_off(
            member.guild_id, member.user_id, None, to_ms(self.clock.now())
        )

    async def get(self, member: Member) -> Reminder | None:
        """The member's reminder; reading it counts as being told why it is off."""
        reminder = await self.storage.reminders.get(member.guild_id, member.user_id)
        if reminder is not None and not reminder.told:
            await self.storage.reminders.mark_told(
                member.guild_id, member.user_id, to_ms(self.clock.now())
            )
        return reminder

    async def timezone_of(self, member: Member) -> str:
        """The member's own time zone, else the server's."""
        own = await self.storage.reminders.member_timezone(member.guild_id, member.user_id)
        return own or (await self.storage.guilds.get(member.guild_id)).timezone

    def next_time(self, reminder: Reminder) -> datetime:
        return next_slot(
            parse_days(reminder.days),
            parse_time(reminder.local_time),
            zone(reminder.timezone),
            max(self.clock.now(), from_ms(reminder.since_ms)),
        ).at

    async def notice(self, guild_id: int, user_id: int) -> str | None:
        """Why the bot turned the member's reminder off, if they were not told yet."""
        reminder = await self.storage.reminders.get(guild_id, user_id)
        if reminder is None or reminder.on or reminder.told or not reminder.off_reason:
            return None
        return reminder.off_reason

    async def told(self, guild_id: int, user_id: int) -> bool:
        """Record the member as told; False if they already were."""
        return await self.storage.reminders.mark_told(guild_id, user_id, to_ms(self.clock.now()))

    async def start_review(self, guild_id: int, user_id: int, display_name: str) -> QuizRound:
        """The /quiz round a reminder's Start review button opens: the deck with the most cards
        due (the server's first deck when none is). Only for a member with a reminder on that
        server, so a forged button cannot put anyone on a server they never joined. Raises
        NoReminder, UnknownDeck or NothingToStudy."""
        reminder = await self.storage.reminders.get(guild_id, user_id)
        if reminder is None:
            raise NoReminder(str(guild_id))
        member = Member(guild_id, user_id, display_name)
        due = [
            d
            for d in await self.storage.reminders.due_cards(
                guild_id, user_id, to_ms(self.clock.now())
            )
            if self.catalog.get(guild_id, d.deck_id) is not None
        ]
        decks = [d.deck_id for d in due] or [deck.id for deck in self.catalog.for_guild(guild_id)]
        if not decks:
            raise NoReminder(str(guild_id))
        return await self.quiz.start(member, decks[0], 10)

    # --- firing -----------------------------------------------------------------------------

    async def tick(self, messenger: Messenger) -> ReminderReport:
        """Claim every reminder whose time came since it last fired (at most one a day), then
        settle every claimed one: sent, or skipped with the reason. Safe to repeat; a tick cut
        short is finished by the next."""
        async with self._lock:
            report = ReminderReport()
            now = self.clock.now()
            last = await self.storage.reminders.last_fires()
            due: list[tuple[Reminder, Slot]] = []
            for reminder in await self.storage.reminders.active():
                if not messenger.serves(reminder.guild_id):
                    continue
                since = from_ms(
                    max(
                        last.get((reminder.guild_id, reminder.user_id), 0),
                        reminder.since_ms,
                    )
                )
                slots = list(
                    slots_between(
                        parse_days(reminder.days),
                        parse_time(reminder.local_time),
                        zone(reminder.timezone),
                        since,
                        now,
                    )
                )
                if slots:
                    due.append((reminder, slots[-1]))  # days the bot was down are not caught up
            await asyncio.gather(
                *(
                    self.storage.reminders.claim(
                        r.guild_id, r.user_id, slot.key[:10], slot.key, to_ms(slot.at), to_ms(now)
                    )
                    for r, slot in due
                )
            )
            for fire in await self.storage.reminders.claimed():
                if messenger.serves(fire.guild_id):
                    await self._settle(fire, messenger, report)
            return report

    async def _settle(
        self, fire: ReminderFire, messenger: Messenger, report: ReminderReport
    ) -> None:
        key = (fire.guild_id, fire.user_id, fire.local_date)
        now = self.clock.now()

        async def skip(reason: str) -> None:
            await self.storage.reminders.mark(*key, "skipped", reason)
            report.skipped.append((*key, reason))

        reminder = await self.storage.reminders.get(fire.guild_id, fire.user_id)
        if reminder is None or not reminder.on:
            await skip("the reminder was turned off")
            return
        if now - from_ms(fire.slot_at_ms) > self.grace:
            await self.storage.reminders.mark(*key, "missed", fire.detail or "the bot was offline")
            return
        member = await messenger.is_member(fire.guild_id, fire.user_id)
        if member is None:
            return  # Discord could not say: the next tick asks again
        if not member:
            await skip(LEFT)
            return
        message = await self._message(fire, now)
        if message is None:
            await skip("no cards due")
            return
        await self.storage.reminders.fire_try(*key)
        try:
            await retrying(
                lambda: messenger.send_reminder(message),
                f"reminder {fire.guild_id}/{fire.user_id}",
                self.retry_pauses,
            )
        except DirectMessagesClosed as closed:
            await self.storage.reminders.mark(*key, "failed", closed.reason)
            await self.storage.reminders.turn_off(
                fire.guild_id, fire.user_id, closed.reason, to_ms(now)
            )
            report.failed.append((*key, closed.reason))
            log.info("reminder of %d on %d off: %s", fire.user_id, fire.guild_id, closed.reason)
            return
        except DeliveryFailed as exc:
            if exc.permanent:
                await self.storage.reminders.mark(*key, "failed", exc.reason)
                report.failed.append((*key, exc.reason))
            else:
                await self.storage.reminders.mark(*key, "claimed", exc.reason)
            log.warning("reminder of %d on %d: %s", fire.user_id, fire.guild_id, exc.reason)
            return
        await self.storage.reminders.mark(*key, "sent")
        report.sent.append(key)

    async def _message(self, fire: ReminderFire, now: datetime) -> ReminderMessage | None:
        due = [
            d
            for d in await self.storage.reminders.due_cards(fire.guild_id, fire.user_id, to_ms(now))
            if self.catalog.get(fire.guild_id, d.deck_id) is not None
        ]
        if not due:
            return None
        settings = await self.storage.guilds.get(fire.guild_id)
        today = local_day(now, zone(settings.timezone))
        days = await self.storage.stats.active_days(fire.guild_id, fire.user_id)
        current, best = streaks(days, today)
        decks = []
        for d in due:
            deck = self.catalog.get(fire.guild_id, d.deck_id)
            assert deck is not None
            decks.append((deck.name, d.due))
        return ReminderMessage(
            guild_id=fire.guild_id,
            user_id=fire.user_id,
            due=sum(d.due for d in due),
            oldest_due=from_ms(min(d.earliest_ms for d in due)),
            decks=tuple(decks),
            streak=current,
            best_streak=best,
            answered_today=today in days,
            nonce=nonce_for(fire.guild_id, fire.user_id, fire.local_date),
        )
