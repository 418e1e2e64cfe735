"""Schedules: creating them, and firing their slots exactly once.

The database is the source of truth. `tick()` looks at every active schedule, works out the slots
due since it last fired (through the schedule's own time zone), claims each slot in the database
before posting, and hands the post to a Publisher (the Discord adapter). A slot older than the grace
window is recorded as missed instead of posted late. The same tick closes drills whose window ended,
so a drill that should have closed while the bot was down is closed at start-up.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.storage import Storage
from bot.storage.schedules import Drill, Kind, Schedule, ScheduleSpec
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, from_ms, to_ms
from bot.study.drills import DrillCard, DrillResults, DrillService
from bot.study.periods import zone
from bot.study.quoting import quoted
from bot.study.sessions import SessionPublisher, SessionService
from bot.study.slots import Slot, format_days, next_slot, parse_days, parse_time, slots_between

log = logging.getLogger(__name__)
DEFAULT_GRACE = timedelta(hours=2)
CLOSE_BEFORE_NEXT = timedelta(minutes=1)
MAX_DRILL_WINDOW = timedelta(days=7)
REVEAL_RETRY = timedelta(minutes=1)
"""How soon a reveal Discord could not take is tried again."""
CONCURRENT_FIRES = 64
RETRY_PAUSES = (2.0, 8.0, 30.0, 0.0)


class DeliveryFailed(Exception):
    """The post could not be made. `permanent` failures (channel deleted, no permission) pause the
    schedule until an admin fixes the cause; others are retried at the next slot."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Publisher(SessionPublisher, Protocol):
    async def post_drill(self, drill: Drill, cards: list[DrillCard]) -> int: ...

    async def close_drill(self, results: DrillResults) -> None: ...


@dataclass
class TickReport:
    posted: list[tuple[int, str]] = field(default_factory=list)
    missed: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str, str]] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)


class SchedulerService:
    def __init__(
        self,
        storage: Storage,
        catalog: DeckCatalog,
        drills: DrillService,
        sessions: SessionService,
        clock: Clock,
        publisher: Publisher,
        *,
        grace: timedelta = DEFAULT_GRACE,
        retry_pauses: tuple[float, ...] = RETRY_PAUSES,
    ) -> None:
        self.storage = storage
        self.catalog = catalog
        self.drills = drills
        self.sessions = sessions
        self.clock = clock
        self.publisher = publisher
        self.grace = grace
        self.retry_pauses = retry_pauses

    async def add(
        self,
        *,
        guild_id: int,
        channel_id: int,
        kind: Kind,
        deck_ids: tuple[str, ...],
        time_text: str,
        days_text: str,
        timezone: str | None,
        size: int,
        seconds_per_question: int,
        created_by: int,
    ) -> Schedule:
        """Validate and store a schedule. Raises BadSchedule, UnknownTimezone or LookupError."""
        at = parse_time(time_text)
        days = parse_days(days_text)
        tz_name = timezone or (await self.storage.guilds.get(guild_id)).timezone
        zone(tz_name)
        for deck_id in deck_ids:
            if self.catalog.get(guild_id, deck_id) is None:
                raise LookupError(f"there is no deck {quoted(deck_id)}")
        return await self.storage.schedules.create(
            ScheduleSpec(
                guild_id=guild_id,
                channel_id=channel_id,
                kind=kind,
                deck_ids=deck_ids,
                local_time=at.strftime("%H:%M"),
                days=format_days(days),
                timezone=tz_name,
                size=size,
                seconds_per_question=seconds_per_question,
                created_by=created_by,
            ),
            to_ms(self.clock.now()),
        )

    def next_slot(self, schedule: Schedule, after: datetime | None = None) -> Slot:
        return next_slot(
            parse_days(schedule.days),
            parse_time(schedule.local_time),
            zone(schedule.timezone),
            after or self.clock.now(),
        )

    async def next_fire_at(self) -> datetime | None:
        """When the earliest active schedule fires next, an open drill closes, or a pending reveal
        is tried again."""
        times = [self.next_slot(s).at for s in await self.storage.schedules.all() if not s.paused]
        for drill_id in await self.storage.drills.open_drills():
            drill = await self.storage.drills.get(drill_id)
            if drill is not None:
                times.append(from_ms(drill.closes_at_ms))
        if await self.storage.drills.unrevealed():
            times.append(self.clock.now() + REVEAL_RETRY)
        for session_id in await self.storage.sessions.running():
            session = await self.storage.sessions.get(session_id)
            if session is not None:
                times += [
                    from_ms(q.closes_at_ms)
                    for q in session.questions
                    if q.closes_at_ms and not q.closed_at_ms
                ]
        return min(times) if times else None

    async def tick(self) -> TickReport:
        report = TickReport()
        now = self.clock.now()
        last_slots = await self.storage.schedules.last_slots()
        due: list[tuple[Schedule, Slot]] = []
        for schedule in await self.storage.schedules.all():
            if schedule.paused:
                continue
            since = from_ms(last_slots.get(schedule.id, schedule.created_at_ms))
            days, at, tz = (
                parse_days(schedule.days),
                parse_time(schedule.local_time),
                zone(schedule.timezone),
            )
            due += [(schedule, slot) for slot in slots_between(days, at, tz, since, now)]
        gate = asyncio.Semaphore(CONCURRENT_FIRES)

        async def handle(schedule: Schedule, slot: Slot) -> None:
            async with gate:
                if not await self.storage.schedules.claim_slot(
                    schedule.id, slot.key, to_ms(slot.at), to_ms(now)
                ):
                    return
                if now - slot.at > self.grace:
                    await self.storage.schedules.mark_slot(
                        schedule.id, slot.key, "missed", "bot was offline"
                    )
                    report.missed.append((schedule.id, slot.key))
                    log.info("schedule %d missed slot %s (beyond grace)", schedule.id, slot.key)
                    return
                await self._fire(schedule, slot, report)

        await self._post_unposted()
        await asyncio.gather(*(handle(schedule, slot) for schedule, slot in due))
        for session_id in await self.storage.sessions.running():
            try:
                await self.sessions.advance(session_id, self.publisher, self.grace)
            except DeliveryFailed as exc:
                log.warning("session %d could not go on: %s", session_id, exc.reason)
                await self.storage.sessions.finish(session_id, "aborted", to_ms(self.clock.now()))
        for drill_id in await self.storage.drills.due_to_close(to_ms(now)):
            if await self.drills.close(drill_id) is not None:
                report.closed.append(drill_id)
        await self._reveal_pending()
        return report

    async def _post_unposted(self) -> None:
        """Drills opened but never stored as posted (the bot stopped in between) are posted now;
        the post's nonce makes Discord hand back the first one if it had gone out."""
        for drill_id in await self.storage.drills.unposted():
            drill = await self.storage.drills.get(drill_id)
            if drill is None:
                continue
            try:
                message_id = await self._post_with_retries(drill)
            except DeliveryFailed as exc:
                log.warning("drill %d could not be posted: %s", drill_id, exc.reason)
                if exc.permanent:
                    await self.storage.drills.close(drill_id, to_ms(self.clock.now()))
                continue
            await self.storage.drills.set_message(drill_id, message_id)

    async def _reveal_pending(self) -> None:
        """Reveal every closed drill Discord does not have the reveal of yet; a passing failure
        (5xx, 429) leaves it pending for the next tick, a permanent one (the channel or post is
        gone) gives it up."""
        for drill_id in await self.storage.drills.unrevealed():
            results = await self.drills.results(drill_id)
            try:
                await self.publisher.close_drill(results)
            except DeliveryFailed as exc:
                log.warning("could not reveal drill %d yet: %s", drill_id, exc.reason)
                if not exc.permanent:
                    continue
            await self.storage.drills.mark_revealed(drill_id, to_ms(self.clock.now()))

    async def fire_now(self, schedule: Schedule) -> TickReport:
        """/schedule test: fire a schedule immediately, outside its slots."""
        report = TickReport()
        now = self.clock.now()
        key = f"test-{to_ms(now)}"
        if await self.storage.schedules.claim_slot(schedule.id, key, to_ms(now) - 1, to_ms(now)):
            await self._fire(schedule, Slot(key, now), report)
        return report

    async def _fire(self, schedule: Schedule, slot: Slot, report: TickReport) -> None:
        missing = [d for d in schedule.deck_ids if self.catalog.get(schedule.guild_id, d) is None]
        if missing:
            await self._fail(
                schedule, slot, f"deck {missing[0]!r} was removed", permanent=True, report=report
            )
            return
        refs = await self.drills.choose_cards(schedule.guild_id, schedule.deck_ids, schedule.size)
        if not refs:
            await self._fail(
                schedule, slot, "its decks have no cards", permanent=True, report=report
            )
            return
        if schedule.kind == "session":
            session = await self.sessions.start(
                guild_id=schedule.guild_id,
                channel_id=schedule.channel_id,
                schedule_id=schedule.id,
                cards=refs,
                seconds=schedule.seconds_per_question,
            )
            try:
                await self.sessions.advance(session.id, self.publisher, self.grace)
            except DeliveryFailed as exc:
                await self.storage.sessions.finish(session.id, "aborted", to_ms(self.clock.now()))
                await self._fail(schedule, slot, exc.reason, permanent=exc.permanent, report=report)
                return
            await self.storage.schedules.mark_slot(
                schedule.id, slot.key, "posted", f"session {session.id}"
            )
            report.posted.append((schedule.id, slot.key))
            return
        following = self.next_slot(schedule, slot.at).at - CLOSE_BEFORE_NEXT
        closes_at = min(following, slot.at + MAX_DRILL_WINDOW)
        drill = await self.drills.open(
            schedule.guild_id, schedule.channel_id, refs, closes_at, schedule.id
        )
        try:
            message_id = await self._post_with_retries(drill)
        except DeliveryFailed as exc:
            await self.storage.drills.close(drill.id, to_ms(self.clock.now()))
            await self._fail(schedule, slot, exc.reason, permanent=exc.permanent, report=report)
            return
        await self.storage.drills.set_message(drill.id, message_id)
        await self.storage.schedules.mark_slot(schedule.id, slot.key, "posted", f"drill {drill.id}")
        report.posted.append((schedule.id, slot.key))

    async def _post_with_retries(self, drill: Drill) -> int:
        """Post a drill, retrying transient failures (rate limits, Discord errors) a few times."""
        for attempt, pause in enumerate(self.retry_pauses):
            try:
                return await self.publisher.post_drill(drill, self.drills.cards(drill))
            except DeliveryFailed as exc:
                if exc.permanent or attempt == len(self.retry_pauses) - 1:
                    raise
                log.info("drill %d: %s; retrying in %.0f s", drill.id, exc.reason, pause)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    async def _fail(
        self, schedule: Schedule, slot: Slot, reason: str, *, permanent: bool, report: TickReport
    ) -> None:
        await self.storage.schedules.mark_slot(schedule.id, slot.key, "failed", reason)
        report.failed.append((schedule.id, slot.key, reason))
        log.warning("schedule %d slot %s failed: %s", schedule.id, slot.key, reason)
        if permanent:
            await self.storage.schedules.set_paused(schedule.id, schedule.guild_id, True, reason)
