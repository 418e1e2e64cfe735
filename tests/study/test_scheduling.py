"""Drill schedules through the scheduler service, on a real database, with the clock moved by hand.

The Publisher here records what would be posted; the Discord side of the same flow is tested end to
end through the emulator in tests/e2e."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.decks import Card, Deck, DeckLibrary
from bot.domain import AlreadyAnswered, CardRef, Drill
from bot.storage import Storage
from bot.study.catalog import DeckCatalog
from bot.study.clock import ManualClock
from bot.study.drills import DrillCard, DrillClosed, DrillResults, DrillService
from bot.study.practice import Member, StudyService
from bot.study.scheduling import DeliveryFailed, PriorityGate, SchedulerService
from bot.study.sessions import SessionService
from bot.study.slots import BadSchedule

CARDS = tuple(
    Card(id=f"c{i}", question=f"{i} + {i}?", answer=str(2 * i), accept=(str(2 * i),))
    for i in range(1, 13)
)
DECK = Deck(id="sums", name="Sums", cards=CARDS)


class RecordingPublisher:
    """Stands in for Discord: keeps what was posted, so a retry can find an earlier post."""

    def __init__(self) -> None:
        self.posted: list[tuple[Drill, list[DrillCard]]] = []
        self.closed: list[DrillResults] = []
        self.fail_with: DeliveryFailed | None = None
        self.transient_failures = 0
        self.waited_for: list[int] = []

    async def channel_ready(self, channel_id: int) -> None:
        self.waited_for.append(channel_id)

    def _maybe_fail(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        if self.transient_failures:
            self.transient_failures -= 1
            raise DeliveryFailed("Discord could not take the post (503)", permanent=False)

    async def post_drill(self, drill: Drill, cards: list[DrillCard]) -> int:
        self._maybe_fail()
        self.posted.append((drill, cards))
        return 9000 + drill.id

    async def find_drill_post(self, drill: Drill) -> int | None:
        self._maybe_fail()
        return 9000 + drill.id if any(d.id == drill.id for d, _ in self.posted) else None

    async def reveal_drill(self, results: DrillResults) -> None:
        self._maybe_fail()
        self.closed.append(results)


class World:
    def __init__(self, storage: Storage, clock: ManualClock) -> None:
        self.storage = storage
        self.clock = clock
        self.catalog = DeckCatalog(DeckLibrary(decks={"sums": DECK}))
        self.study = StudyService(storage, self.catalog, clock)
        self.drills = DrillService(storage, self.catalog, self.study, clock)
        self.publisher = RecordingPublisher()
        self.sessions = SessionService(storage, self.catalog, self.study, clock)
        self.scheduler = SchedulerService(
            storage,
            self.catalog,
            self.drills,
            self.sessions,
            clock,
            self.publisher,
            grace=timedelta(hours=2),
            retry_pauses=(0.0, 0.0, 0.0),
        )

    async def weekday_drill(self) -> int:
        schedule = await self.scheduler.add(
            guild_id=1,
            channel_id=10,
            kind="drill",
            deck_ids=("sums",),
            time_text="09:00",
            days_text="mon-fri",
            timezone="Europe/Berlin",
            size=3,
            seconds_per_question=30,
            created_by=5,
        )
        return schedule.id


@pytest.fixture
async def world(database_url: str) -> World:
    storage = await Storage.open(database_url)
    clock = ManualClock(datetime(2026, 3, 26, 7, 0, tzinfo=UTC))  # Thursday 08:00 in Berlin
    yield World(storage, clock)  # type: ignore[misc]
    await storage.close()


async def test_drill_posts_at_nine_berlin_on_weekdays_only(world: World) -> None:
    await world.weekday_drill()
    world.clock.set(datetime(2026, 3, 26, 7, 59, tzinfo=UTC))
    assert (await world.scheduler.tick()).posted == []
    world.clock.set(datetime(2026, 3, 26, 8, 0, tzinfo=UTC))  # 09:00 CET
    report = await world.scheduler.tick()
    assert [key for _, key in report.posted] == ["2026-03-26T09:00"]
    assert (await world.scheduler.tick()).posted == []
    world.clock.set(
        datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    )  # Saturday: Friday's slot passed unseen
    report = await world.scheduler.tick()
    assert report.posted == []
    assert [key for _, key in report.missed] == ["2026-03-27T09:00"]
    world.clock.set(
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    )  # Monday 09:00 CEST, after the clock change
    report = await world.scheduler.tick()
    assert [key for _, key in report.posted] == ["2026-03-30T09:00"]
    assert len(world.publisher.posted) == 2


async def test_answers_close_reveal_and_no_repeats(world: World) -> None:
    await world.weekday_drill()
    world.clock.set(datetime(2026, 3, 26, 8, 0, tzinfo=UTC))
    await world.scheduler.tick()
    drill, cards = world.publisher.posted[0]
    assert len(cards) == 3
    ada, bob = Member(1, 100, "Ada"), Member(1, 200, "Bob")
    first = cards[0]
    ok = await world.drills.answer(drill.id, 1, ada, first.card.answer, attempt_key="a1")
    assert ok.verdict.correct
    assert ok.points == 10
    await world.drills.answer(drill.id, 1, bob, "nope", attempt_key="b1")
    with pytest.raises(AlreadyAnswered):
        await world.drills.answer(drill.id, 1, ada, first.card.answer, attempt_key="a2")
    repeat = await world.drills.answer(drill.id, 1, ada, first.card.answer, attempt_key="a1")
    assert repeat.duplicate
    world.clock.set(datetime(2026, 3, 27, 7, 59, tzinfo=UTC))  # just before Friday's drill
    report = await world.scheduler.tick()
    assert report.closed == [drill.id]
    results = world.publisher.closed[0]
    assert [(t.number, t.answered, t.correct) for t in results.cards] == [
        (1, 2, 1),
        (2, 0, 0),
        (3, 0, 0),
    ]
    with pytest.raises(DrillClosed):
        await world.drills.answer(drill.id, 2, ada, "x", attempt_key="late")
    world.clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    await world.scheduler.tick()
    _, friday = world.publisher.posted[1]
    assert not {c.card.id for c in friday} & {c.card.id for c in cards}


async def test_a_drill_kept_for_answering_refuses_answers_once_abandoned(world: World) -> None:
    """Answering reads a drill once and keeps it; a drill closed before its closing time (one
    that was never posted) must still refuse answers from then on."""
    drill = await world.drills.open(
        1,
        10,
        [CardRef("sums", "c1"), CardRef("sums", "c2")],
        world.clock.now() + timedelta(hours=20),
        None,
    )
    ada = Member(1, 100, "Ada")
    assert (await world.drills.answer(drill.id, 1, ada, "2", attempt_key="k1")).verdict.correct
    await world.drills.abandon(drill.id)
    with pytest.raises(DrillClosed):
        await world.drills.open_card(drill.id, 2, 1)
    with pytest.raises(DrillClosed):
        await world.drills.answer(drill.id, 2, ada, "4", attempt_key="k2")
    with pytest.raises(LookupError):
        await world.drills.open_card(drill.id, 1, guild_id=2)  # another server's member


async def test_missed_slots_within_and_beyond_grace(world: World) -> None:
    await world.weekday_drill()
    world.clock.set(datetime(2026, 3, 26, 9, 30, tzinfo=UTC))  # 90 minutes late: within grace
    report = await world.scheduler.tick()
    assert [key for _, key in report.posted] == ["2026-03-26T09:00"]
    world.clock.set(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))  # 4 hours late: beyond grace
    report = await world.scheduler.tick()
    assert report.posted == []
    assert [key for _, key in report.missed] == ["2026-03-27T09:00"]
    assert report.closed  # Thursday's drill closed on the way


async def test_permanent_failures_pause_the_schedule_with_a_reason(world: World) -> None:
    schedule_id = await world.weekday_drill()
    world.publisher.fail_with = DeliveryFailed("the channel was deleted", permanent=True)
    world.clock.set(datetime(2026, 3, 26, 8, 0, tzinfo=UTC))
    report = await world.scheduler.tick()
    assert report.failed == [(schedule_id, "2026-03-26T09:00", "the channel was deleted")]
    schedule = await world.storage.schedules.get(schedule_id)
    assert schedule is not None
    assert schedule.paused
    assert schedule.pause_reason == "the channel was deleted"
    world.clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    assert (await world.scheduler.tick()).failed == []


async def test_bad_input_is_refused(world: World) -> None:
    with pytest.raises(BadSchedule):
        await world.scheduler.add(
            guild_id=1,
            channel_id=1,
            kind="drill",
            deck_ids=("sums",),
            time_text="25:00",
            days_text="daily",
            timezone="UTC",
            size=3,
            seconds_per_question=30,
            created_by=1,
        )
    with pytest.raises(LookupError):
        await world.scheduler.add(
            guild_id=1,
            channel_id=1,
            kind="drill",
            deck_ids=("nope",),
            time_text="09:00",
            days_text="daily",
            timezone="UTC",
            size=3,
            seconds_per_question=30,
            created_by=1,
        )


async def test_transient_failures_are_retried_not_dropped(world: World) -> None:
    schedule_id = await world.weekday_drill()
    world.publisher.transient_failures = 2
    world.clock.set(datetime(2026, 3, 26, 8, 0, tzinfo=UTC))
    report = await world.scheduler.tick()
    assert [key for _, key in report.posted] == ["2026-03-26T09:00"]
    assert report.failed == []
    world.publisher.transient_failures = 5  # more than one tick tries
    world.clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    report = await world.scheduler.tick()
    assert report.posted == report.failed == report.missed == []
    assert await world.scheduler.next_fire_at() == datetime(2026, 3, 27, 8, 1, tzinfo=UTC)
    world.clock.set(datetime(2026, 3, 27, 8, 1, tzinfo=UTC))
    report = await world.scheduler.tick()
    assert [key for _, key in report.posted] == ["2026-03-27T09:00"]
    assert len(world.publisher.posted) == 2
    fires = await world.storage.schedules.fires(schedule_id)
    assert [status for _, status, _ in fires] == ["posted", "posted"]
    schedule = await world.storage.schedules.get(schedule_id)
    assert schedule is not None
    assert not schedule.paused


async def test_a_slot_discord_never_takes_is_missed_with_the_reason(world: World) -> None:
    schedule_id = await world.weekday_drill()
    world.publisher.transient_failures = 10_000
    world.clock.set(datetime(2026, 3, 26, 8, 0, tzinfo=UTC))
    for minute in range(0, 130, 5):  # the grace window is two hours
        world.clock.set(datetime(2026, 3, 26, 8, 0, tzinfo=UTC) + timedelta(minutes=minute))
        await world.scheduler.tick()
    fires = await world.storage.schedules.fires(schedule_id)
    assert fires == [
        ("2026-03-26T09:00", "missed", "not posted in time: Discord could not take the post (503)")
    ]
    world.publisher.transient_failures = 0
    world.clock.set(datetime(2026, 3, 27, 7, 59, tzinfo=UTC))
    await world.scheduler.tick()
    assert world.publisher.closed == []  # nothing to reveal


async def killed_after_discord_took_the_post(world: World) -> None:
    """Thursday's tick, with the bot dying after the post and before its message id is stored."""
    world.clock.set(datetime(2026, 3, 26, 8, 0, tzinfo=UTC))
    real_set_message = world.storage.drills.set_message

    async def crash(drill_id: int, message_id: int) -> None:
        raise RuntimeError("killed")

    world.storage.drills.set_message = crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await world.scheduler.tick()
    world.storage.drills.set_message = real_set_message  # type: ignore[method-assign]


async def test_a_post_that_reached_discord_is_found_not_posted_twice(world: World) -> None:
    """The bot stopped after Discord took the post but before the message id was stored."""
    schedule_id = await world.weekday_drill()
    await killed_after_discord_took_the_post(world)
    world.clock.set(datetime(2026, 3, 26, 8, 30, tzinfo=UTC))
    report = await world.scheduler.tick()
    assert [key for _, key in report.posted] == ["2026-03-26T09:00"]
    assert len(world.publisher.posted) == 1
    drill = await world.storage.drills.for_slot(schedule_id, "2026-03-26T09:00")
    assert drill is not None
    assert drill.message_id == 9000 + drill.id


async def test_a_removed_deck_pauses_the_schedule(world: World) -> None:
    schedule_id = await world.weekday_drill()
    world.catalog.shipped.decks.pop("sums")
    world.clock.set(datetime(2026, 3, 26, 8, 0, tzinfo=UTC))
    report = await world.scheduler.tick()
    assert [reason for _, _, reason in report.failed] == ["deck 'sums' was removed"]
    schedule = await world.storage.schedules.get(schedule_id)
    assert schedule is not None
    assert schedule.paused
    assert world.publisher.posted == []


async def test_a_post_found_after_its_close_is_still_revealed(world: World) -> None:
    """Down from just after Discord took the post until after the drill's close: the post is
    found, recorded as posted, and revealed, instead of left with live buttons."""
    schedule_id = await world.weekday_drill()
    await killed_after_discord_took_the_post(world)
    world.clock.set(datetime(2026, 3, 27, 7, 59, 30, tzinfo=UTC))  # past Thursday's close
    await world.scheduler.tick()
    assert len(world.publisher.posted) == 1
    fires = await world.storage.schedules.fires(schedule_id)
    assert fires[0] == ("2026-03-26T09:00", "posted", "drill 1")
    assert [r.drill.id for r in world.publisher.closed] == [1]


async def test_a_channel_out_of_posts_does_not_hold_back_the_others(world: World) -> None:
    """Discord lets a channel take about 5 posts per 5 s; while one channel's bucket is used up,
    the drills for other channels are posted."""
    for channel in (10, 10, 10, 11, 12):
        await world.scheduler.add(
            guild_id=1,
            channel_id=channel,
            kind="drill",
            deck_ids=("sums",),
            time_text="09:00",
            days_text="daily",
            timezone="Europe/Berlin",
            size=1,
            seconds_per_question=30,
            created_by=5,
        )
    refilled = asyncio.Event()
    ready = world.publisher.channel_ready

    async def channel_ready(channel_id: int) -> None:
        await ready(channel_id)
        if channel_id == 10 and world.publisher.waited_for.count(10) > 1:
            await refilled.wait()

    three_posted = asyncio.Event()
    post = world.publisher.post_drill

    async def post_drill(drill: Drill, cards: list[DrillCard]) -> int:
        message_id = await post(drill, cards)
        if len(world.publisher.posted) == 3:
            three_posted.set()
        return message_id

    world.publisher.channel_ready = channel_ready  # type: ignore[method-assign]
    world.publisher.post_drill = post_drill  # type: ignore[method-assign]
    world.clock.set(datetime(2026, 3, 26, 8, 0, tzinfo=UTC))
    tick = asyncio.create_task(world.scheduler.tick())
    await asyncio.wait_for(three_posted.wait(), timeout=10)
    assert sorted(d.channel_id for d, _ in world.publisher.posted) == [10, 11, 12]
    assert not tick.done()
    refilled.set()
    report = await tick
    assert len(report.posted) == 5
    assert sorted(d.channel_id for d, _ in world.publisher.posted) == [10, 10, 10, 11, 12]


async def test_the_gate_lets_the_lowest_priority_number_in_first() -> None:
    gate = PriorityGate(1)
    order: list[int] = []

    async def enter(priority: int) -> None:
        async with gate.place(priority):
            order.append(priority)
            await asyncio.sleep(0)

    async with gate.place(0):
        waiting = [asyncio.create_task(enter(p)) for p in (5, -3, 0)]
        await asyncio.sleep(0)
        cancelled = asyncio.create_task(enter(-9))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.sleep(0)
    await asyncio.gather(*waiting)
    assert order == [-3, 0, 5]
    async with gate.place(0):  # the cancelled waiter gave its place back
        pass


async def test_a_drill_card_gone_from_its_deck_is_refused_and_the_others_keep_their_numbers(
    world: World,
) -> None:
    drill = await world.drills.open(
        1,
        10,
        [CardRef("sums", "c1"), CardRef("sums", "gone"), CardRef("sums", "c2")],
        world.clock.now() + timedelta(hours=20),
        None,
    )
    assert [(c.number, c.card.id) for c in world.drills.cards(drill)] == [(1, "c1"), (3, "c2")]
    with pytest.raises(LookupError):
        await world.drills.open_card(drill.id, 2, 1)
    with pytest.raises(LookupError):
        await world.drills.open_card(drill.id, 4, 1)
    assert (await world.drills.open_card(drill.id, 3, 1)).card.id == "c2"
