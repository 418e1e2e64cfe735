"""Schedules: creating them, and firing their slots exactly once.

The database is the source of truth, and every piece of scheduled work is a state machine in it.
`tick()` claims each due slot of every active schedule (worked out in the schedule's own time zone),
then moves every claimed slot on: open its drill or session (once per slot), post it, record it
posted. A step Discord does not take stays pending and the next tick tries it again, first looking
in the channel for what an earlier try may have posted; a slot that could not be posted within the
grace window is recorded as missed with the reason. The same tick closes drills and session
questions whose time is up and reveals them, so work cut short by a crash or a restart is finished
by the next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain import CardRef, ClaimedSlot, Drill, Kind, Schedule, ScheduleSpec
from bot.repositories import Store
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, from_ms, to_ms
from bot.study.delivery import DeliveryFailed, retrying
from bot.study.drills import DrillCard, DrillResults, DrillService
from bot.study.periods import zone
from bot.study.quoting import quoted
from bot.study.sessions import SessionPublisher, SessionService
from bot.study.slots import Slot, format_days, next_slot, parse_days, parse_time, slots_between

log = logging.getLogger(__name__)
DEFAULT_GRACE = timedelta(hours=2)
CLOSE_BEFORE_NEXT = timedelta(minutes=1)
MAX_DRILL_WINDOW = timedelta(days=7)
RETRY_AFTER = timedelta(minutes=1)
"""How soon work Discord could not take (a post, a reveal, a results table) is tried again."""
CONCURRENT_FIRES = 64
CONCURRENT_REVEALS = 16
"""Reveals take only the tokens posts leave, so a few in flight keep up with them; more would only
compete with the posts for the loop and the database."""


class Publisher(SessionPublisher, Protocol):
    async def channel_ready(self, channel_id: int) -> None:
        """Return once the channel can take a post without waiting for its rate limit."""
        ...

    async def post_drill(self, drill: Drill, cards: list[DrillCard]) -> int: ...

    async def find_drill_post(self, drill: Drill) -> int | None:
        """The message of an earlier try at posting this drill, if Discord has it."""
        ...

    async def reveal_drill(self, results: DrillResults) -> None:
        """Edit the post to show the answers and results; safe to repeat."""
        ...


class PriorityGate:
    """At most `places` holders at once; waiters get in lowest priority number first, then in
    the order they came."""

    def __init__(self, places: int) -> None:
        self._free = places
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @contextlib.asynccontextmanager
    async def place(self, priority: int) -> AsyncIterator[None]:
        if self._free > 0 and not self._waiting:
            self._free -= 1
        else:
            turn = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._order), turn))
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._hand_on()
                raise
        try:
            yield
        finally:
            self._hand_on()

    def _hand_on(self) -> None:
        while self._waiting:
            turn = heapq.heappop(self._waiting)[2]
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1


@dataclass
class TickReport:
    posted: list[tuple[int, str]] = field(default_factory=list)
    missed: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str, str]] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)


class SchedulerService:
    def __init__(
        self,
        storage: Store,
        catalog: DeckCatalog,
        drills: DrillService,
        sessions: SessionService,
        clock: Clock,
        publisher: Publisher,
        *,
        grace: timedelta = DEFAULT_GRACE,
        retry_pauses: tuple[float, ...] | None = None,
        owns_guild: Callable[[int], bool] | None = None,
    ) -> None:
        """`owns_guild` says which servers' scheduled work this process does (a process owning
        some of the bot's shards does only their servers'); None: every server's."""
        self.storage = storage
        self.catalog = catalog
        self.drills = drills
        self.sessions = sessions
        self.clock = clock
        self.publisher = publisher
        self.grace = grace
        self.retry_pauses = retry_pauses
        self.owns_guild = owns_guild
        self._listeners: list[Callable[[], Awaitable[None]]] = []

    def on_change(self, listener: Callable[[], Awaitable[None]]) -> None:
        """Call `listener` after every change an admin makes to the schedules (the runner
        registers its re-arm here, so no command has to remember to)."""
        self._listeners.append(listener)

    async def _changed(self) -> None:
        for listener in self._listeners:
            await listener()

    def _mine(self, guild_id: int) -> bool:
        return self.owns_guild is None or self.owns_guild(guild_id)

    async def _my_schedules(self) -> dict[int, Schedule]:
        """The schedules of the servers this process owns, by id."""
        return {s.id: s for s in await self.storage.schedules.all() if self._mine(s.guild_id)}

    async def _my_claims(self, schedules: dict[int, Schedule]) -> list[ClaimedSlot]:
        """The claimed slots still to settle of `schedules` (those of other processes' servers, and
        of removed schedules, are left alone)."""
        return [c for c in await self.storage.schedules.claimed() if c.schedule_id in schedules]

    async def _my_drills(self, drill_ids: list[int]) -> list[int]:
        if self.owns_guild is None:
            return drill_ids
        drills = [await self.storage.drills.get(drill_id) for drill_id in drill_ids]
        return [d.id for d in drills if d is not None and self._mine(d.guild_id)]

    async def _my_sessions(self, session_ids: list[int]) -> set[int]:
        if self.owns_guild is None:
            return set(session_ids)
        sessions = [await self.storage.sessions.get(session_id) for session_id in set(session_ids)]
        return {s.id for s in sessions if s is not None and self._mine(s.guild_id)}

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
        schedule = await self.storage.schedules.create(
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
        await self._changed()
        return schedule

    async def in_guild(self, guild_id: int) -> list[Schedule]:
        return await self.storage.schedules.for_guild(guild_id)

    async def find(self, schedule_id: int, guild_id: int) -> Schedule | None:
        """The schedule, if it belongs to this server (ids are global; admins see only theirs)."""
        schedule = await self.storage.schedules.get(schedule_id)
        return schedule if schedule is not None and schedule.guild_id == guild_id else None

    async def paused_with_reason(self, guild_id: int) -> list[Schedule]:
        """The server's schedules that were paused for a reason worth telling its admins."""
        return [s for s in await self.in_guild(guild_id) if s.paused and s.pause_reason]

    async def pause(self, schedule_id: int, guild_id: int, *, by: str) -> bool:
        """Pause a schedule of this server; False if it has none with that id."""
        return await self._set_paused(schedule_id, guild_id, True, f"paused by {by}")

    async def resume(self, schedule_id: int, guild_id: int) -> bool:
        return await self._set_paused(schedule_id, guild_id, False, None)

    async def _set_paused(
        self, schedule_id: int, guild_id: int, paused: bool, reason: str | None
    ) -> bool:
        changed = await self.storage.schedules.set_paused(schedule_id, guild_id, paused, reason)
        if changed:
            await self._changed()
        return changed

    async def remove(self, schedule_id: int, guild_id: int) -> bool:
        """Delete a schedule of this server; False if it has none with that id."""
        removed = await self.storage.schedules.remove(schedule_id, guild_id)
        if removed:
            await self._changed()
        return removed

    def next_slot(self, schedule: Schedule, after: datetime | None = None) -> Slot:
        return next_slot(
            parse_days(schedule.days),
            parse_time(schedule.local_time),
            zone(schedule.timezone),
            after or self.clock.now(),
        )

    async def next_fire_at(self) -> datetime | None:
        """When the earliest active schedule fires next, an open drill or session question
        closes, or pending work (a slot not posted yet, a reveal, a results table) is tried again."""
        now = self.clock.now()
        schedules = await self._my_schedules()
        times = [self.next_slot(s).at for s in schedules.values() if not s.paused]
        for drill_id in await self.storage.drills.open_drills():
            drill = await self.storage.drills.get(drill_id)
            if drill is not None and self._mine(drill.guild_id):
                times.append(from_ms(drill.closes_at_ms))
        pending = bool(
            await self._my_claims(schedules)
            or await self._my_drills(await self.storage.drills.unrevealed())
            or await self._my_sessions([s for s, _ in await self.storage.sessions.unrevealed()])
            or await self._my_sessions(await self.storage.sessions.unreported())
        )
        for session_id in await self.storage.sessions.running():
            session = await self.storage.sessions.get(session_id)
            if session is None or not self._mine(session.guild_id):
                continue
            current = next((q for q in session.questions if q.closed_at_ms is None), None)
            if current is None or current.message_id is None:
                pending = True
            elif current.closes_at_ms is not None:
                times.append(from_ms(current.closes_at_ms))
        if pending:
            times.append(now + RETRY_AFTER)
        return min(times) if times else None

    async def tick(self) -> TickReport:
        """One pass over all scheduled work: claim the slots that came due, move every claimed slot,
        running session and closed drill on by the steps Discord takes, and leave the rest pending
        for the next tick. Every step is safe to repeat, so a tick cut short anywhere (a crash, a
        restart) is finished by the next one."""
        report = await self.post_due()
        await self.reveal_pending()
        return report

    async def post_due(self) -> TickReport:
        """Everything in a tick that cannot wait: claim and post due slots, move running sessions
        on, close drills whose time is up. Their reveals (`reveal_pending`) can run beside it."""
        report = TickReport()
        now = self.clock.now()
        schedules = await self._my_schedules()
        last_slots = await self.storage.schedules.last_slots()
        due: list[tuple[Schedule, Slot]] = []
        for schedule in schedules.values():
            if schedule.paused:
                continue
            since = from_ms(last_slots.get(schedule.id, schedule.created_at_ms))
            days, at, tz = (
                parse_days(schedule.days),
                parse_time(schedule.local_time),
                zone(schedule.timezone),
            )
            due.extend((schedule, slot) for slot in slots_between(days, at, tz, since, now))
        # All at once, so that the writer commits them together: ten thousand schedules due in one
        # minute are claimed in a few commits, not ten thousand.
        won = await asyncio.gather(
            *(
                self.storage.schedules.claim_slot(s.id, slot.key, to_ms(slot.at), to_ms(now))
                for s, slot in due
            )
        )
        for (schedule, slot), claimed_now in zip(due, won, strict=True):
            if claimed_now and now - slot.at > self.grace:
                await self.storage.schedules.mark_slot(
                    schedule.id, slot.key, "missed", "the bot was offline"
                )
                report.missed.append((schedule.id, slot.key))
                log.info("schedule %d missed slot %s (beyond grace)", schedule.id, slot.key)
        await self._settle_claimed(schedules, report)
        running = await self.storage.sessions.running()
        mine = await self._my_sessions(running)
        for session_id in running:
            if session_id not in mine:
                continue
            try:
                await self.sessions.advance(session_id, self.publisher, self.grace)
            except DeliveryFailed as exc:
                log.warning("session %d could not go on: %s", session_id, exc.reason)
        for drill_id in await self._my_drills(await self.storage.drills.due_to_close(to_ms(now))):
            if await self.drills.close(drill_id):
                report.closed.append(drill_id)
        unrevealed = await self.storage.sessions.unrevealed()
        mine = await self._my_sessions([session_id for session_id, _ in unrevealed])
        for session_id, position in unrevealed:
            if session_id in mine:
                await self.sessions.reveal_question(session_id, position, self.publisher)
        unreported = await self.storage.sessions.unreported()
        mine = await self._my_sessions(unreported)
        for session_id in unreported:
            if session_id in mine:
                await self.sessions.report(session_id, self.publisher)
        return report

    async def _settle_claimed(self, schedules: dict[int, Schedule], report: TickReport) -> None:
        """Settle every claimed slot, a lane per channel so that no channel holds back another.

        Discord lets a channel take about 5 posts per 5 s. A lane settles its channel's slots in
        order and, while the channel's bucket is used up, waits outside the gate, so the gate's
        places go to channels that can take a post now. Of the lanes that can, the one with the
        most slots left goes first: a busy channel then posts at its own limit while the others
        share the rest of the global budget, instead of its slots all waiting to the end."""
        lanes: dict[int, list[ClaimedSlot]] = {}
        for claimed in await self._my_claims(schedules):
            lanes.setdefault(schedules[claimed.schedule_id].channel_id, []).append(claimed)
        gate = PriorityGate(CONCURRENT_FIRES)

        async def lane(channel_id: int, slots: list[ClaimedSlot]) -> None:
            for index, claimed in enumerate(slots):
                await self.publisher.channel_ready(channel_id)
                async with gate.place(index - len(slots)):
                    await self._settle(schedules.get(claimed.schedule_id), claimed, report)

        await asyncio.gather(*(lane(channel, slots) for channel, slots in lanes.items()))

    async def _settle(
        self, schedule: Schedule | None, claimed: ClaimedSlot, report: TickReport
    ) -> None:
        """Take one claimed slot a step further: open its drill or session (once: opening again
        finds the same one), post it, and record it posted; or, when it could not be posted within
        the grace window, missed with the reason."""
        slot = Slot(claimed.slot, from_ms(claimed.slot_at_ms))
        if schedule is None:
            return
        now = self.clock.now()
        late = now - slot.at > self.grace
        if schedule.kind == "session":
            await self._settle_session(schedule, slot, claimed, late, report)
        else:
            await self._settle_drill(schedule, slot, claimed, late, report)

    async def _settle_session(
        self,
        schedule: Schedule,
        slot: Slot,
        claimed: ClaimedSlot,
        late: bool,
        report: TickReport,
    ) -> None:
        """A session slot is posted once its first question is."""
        key = (schedule.id, slot.key)
        session = await self.storage.sessions.for_slot(schedule.id, slot.key)
        if session is None:
            refs = await self._cards_to_open(schedule, slot, claimed, late, report)
            if refs is None:
                return
            session = await self.sessions.start(
                guild_id=schedule.guild_id,
                channel_id=schedule.channel_id,
                schedule_id=schedule.id,
                cards=refs,
                seconds=schedule.seconds_per_question,
                slot=slot.key,
            )
        try:
            await self.sessions.advance(session.id, self.publisher, self.grace)
        except DeliveryFailed as exc:  # only a permanent failure gets this far
            await self._fail(schedule, slot, exc.reason, permanent=exc.permanent, report=report)
            return
        session = await self.storage.sessions.get(session.id) or session
        if any(q.message_id is not None for q in session.questions):
            await self.storage.schedules.mark_slot(
                schedule.id, slot.key, "posted", f"session {session.id}"
            )
            report.posted.append(key)
        elif session.status != "running":
            await self._miss(
                schedule, slot, "Discord did not take its first question in time", report
            )

    async def _settle_drill(
        self,
        schedule: Schedule,
        slot: Slot,
        claimed: ClaimedSlot,
        late: bool,
        report: TickReport,
    ) -> None:
        key = (schedule.id, slot.key)
        now = self.clock.now()
        drill = await self.storage.drills.for_slot(schedule.id, slot.key)
        if drill is None:
            refs = await self._cards_to_open(schedule, slot, claimed, late, report)
            if refs is None:
                return
            following = self.next_slot(schedule, slot.at).at - CLOSE_BEFORE_NEXT
            drill = await self.drills.open(
                schedule.guild_id,
                schedule.channel_id,
                refs,
                min(following, slot.at + MAX_DRILL_WINDOW),
                schedule.id,
                slot=slot.key,
            )
        if drill.message_id is None and to_ms(now) >= drill.closes_at_ms:
            # Too late to post; but an earlier try may have reached Discord, and that post
            # must still be closed and revealed.
            unposted = drill
            try:
                found = (
                    await retrying(
                        lambda: self.publisher.find_drill_post(unposted),
                        f"drill {drill.id}",
                        self.retry_pauses,
                    )
                    if drill.post_tries
                    else None
                )
            except DeliveryFailed as exc:
                if not exc.permanent:
                    await self.storage.schedules.note_slot(schedule.id, slot.key, exc.reason)
                    return
                found = None
            if found is None:
                await self.drills.abandon(drill.id)
                await self._miss(
                    schedule,
                    slot,
                    claimed.detail or "not posted before it was due to close",
                    report,
                )
                return
            await self.storage.drills.set_message(drill.id, found)
            drill = await self.storage.drills.get(drill.id) or drill
        if drill.message_id is None:
            try:
                message_id = await self._post(drill)
            except DeliveryFailed as exc:
                if exc.permanent:
                    await self.drills.abandon(drill.id)
                    await self._fail(schedule, slot, exc.reason, permanent=True, report=report)
                elif late or to_ms(now) >= drill.closes_at_ms:
                    await self.drills.abandon(drill.id)
                    await self._miss(schedule, slot, f"not posted in time: {exc.reason}", report)
                else:
                    await self.storage.schedules.note_slot(schedule.id, slot.key, exc.reason)
                    log.warning(
                        "schedule %d slot %s not posted yet: %s", schedule.id, slot.key, exc.reason
                    )
                return
            await self.storage.drills.set_message(drill.id, message_id)
        await self.storage.schedules.mark_slot(schedule.id, slot.key, "posted", f"drill {drill.id}")
        report.posted.append(key)

    async def _cards_to_open(
        self,
        schedule: Schedule,
        slot: Slot,
        claimed: ClaimedSlot,
        late: bool,
        report: TickReport,
    ) -> list[CardRef] | None:
        """The cards for a slot's first drill or session; None (the slot settled as missed or
        failed) when it is too late, the schedule was paused, or its decks are gone or empty."""
        if late or schedule.paused:
            await self._miss(schedule, slot, claimed.detail or "the bot was offline", report)
            return None
        missing = [d for d in schedule.deck_ids if self.catalog.get(schedule.guild_id, d) is None]
        if missing:
            await self._fail(
                schedule, slot, f"deck {missing[0]!r} was removed", permanent=True, report=report
            )
            return None
        refs = await self.drills.choose_cards(schedule.guild_id, schedule.deck_ids, schedule.size)
        if not refs:
            await self._fail(
                schedule, slot, "its decks have no cards", permanent=True, report=report
            )
            return None
        return refs

    async def _post(self, drill: Drill) -> int:
        """Post a drill, or find the post of an earlier try that may have reached Discord."""
        earlier_tries = await self.storage.drills.post_try(drill.id)

        async def send() -> int:
            if earlier_tries:
                found = await self.publisher.find_drill_post(drill)
                if found is not None:
                    return found
            return await self.publisher.post_drill(drill, self.drills.cards(drill))

        return await retrying(send, f"drill {drill.id}", self.retry_pauses)

    async def reveal_pending(self) -> None:
        """Reveal every closed drill Discord does not have the reveal of yet: one edit of its post,
        safe to repeat. A passing failure leaves it pending for the next tick; a permanent one (the
        channel or post is gone) gives it up. A drill that was never posted has nothing to reveal.
        The publisher serves reveals after posts, so a slot's posts never wait behind the reveals of
        the slot before."""
        lanes: dict[int, list[Drill]] = {}
        for drill_id in await self.storage.drills.unrevealed():
            drill = await self.storage.drills.get(drill_id)
            if drill is not None and self._mine(drill.guild_id):
                lanes.setdefault(drill.channel_id, []).append(drill)
        gate = asyncio.Semaphore(CONCURRENT_REVEALS)

        async def reveal(drill: Drill) -> None:
            if drill.message_id is not None:
                try:
                    await self._reveal(drill)
                except DeliveryFailed as exc:
                    log.warning("could not reveal drill %d yet: %s", drill.id, exc.reason)
                    if not exc.permanent:
                        return
            await self.storage.drills.mark_revealed(drill.id, to_ms(self.clock.now()))

        async def lane(drills: list[Drill]) -> None:
            """One channel's reveals one after another: its edits share one bucket."""
            for drill in drills:
                async with gate:
                    await reveal(drill)

        await asyncio.gather(*(lane(drills) for drills in lanes.values()))

    async def _reveal(self, drill: Drill) -> None:
        results = await self.drills.results(drill.id)
        await retrying(
            lambda: self.publisher.reveal_drill(results),
            f"drill {drill.id} reveal",
            self.retry_pauses,
        )

    async def fire_now(self, schedule: Schedule) -> TickReport:
        """/schedule test: fire a schedule immediately, outside its slots."""
        report = TickReport()
        now = self.clock.now()
        key = f"test-{to_ms(now)}"
        if await self.storage.schedules.claim_slot(schedule.id, key, to_ms(now) - 1, to_ms(now)):
            await self._settle(
                schedule, ClaimedSlot(schedule.id, key, to_ms(now) - 1, None), report
            )
        await self._changed()
        return report

    async def _miss(self, schedule: Schedule, slot: Slot, reason: str, report: TickReport) -> None:
        await self.storage.schedules.mark_slot(schedule.id, slot.key, "missed", reason)
        report.missed.append((schedule.id, slot.key))
        log.warning("schedule %d missed slot %s: %s", schedule.id, slot.key, reason)

    async def _fail(
        self, schedule: Schedule, slot: Slot, reason: str, *, permanent: bool, report: TickReport
    ) -> None:
        await self.storage.schedules.mark_slot(schedule.id, slot.key, "failed", reason)
        report.failed.append((schedule.id, slot.key, reason))
        log.warning("schedule %d slot %s failed: %s", schedule.id, slot.key, reason)
        if permanent:
            await self.storage.schedules.set_paused(schedule.id, schedule.guild_id, True, reason)
