"""The APScheduler runner is rebuilt from the database: at start-up and after every change."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.decks import Card, Deck, DeckLibrary
from bot.scheduler import ScheduleRunner
from bot.storage import Storage
from bot.study.catalog import DeckCatalog
from bot.study.clock import ManualClock
from bot.study.drills import DrillResults, DrillService
from bot.study.practice import StudyService
from bot.study.scheduling import SchedulerService
from bot.study.sessions import SessionService
from tests.study.test_scheduling import RecordingPublisher

DECK = Deck(id="d", name="D", cards=(Card(id="c", question="Q?", answer="A"),))


async def test_wake_up_job_follows_the_database(storage: Storage) -> None:
    clock = ManualClock(
        datetime.now(UTC) + timedelta(days=400)
    )  # safely in the future of real time
    catalog = DeckCatalog(DeckLibrary(decks={"d": DECK}))
    study = StudyService(storage, catalog, clock)
    service = SchedulerService(
        storage,
        catalog,
        DrillService(storage, catalog, study, clock),
        SessionService(storage, catalog, study, clock),
        clock,
        RecordingPublisher(),
    )
    runner = ScheduleRunner(service)
    await runner.start()
    try:
        assert runner.scheduler.get_job("next") is None
        assert runner.scheduler.get_job("safety-net") is not None
        schedule = await service.add(
            guild_id=1,
            channel_id=2,
            kind="drill",
            deck_ids=("d",),
            time_text="09:00",
            days_text="daily",
            timezone="Asia/Tokyo",
            size=1,
            seconds_per_question=30,
            created_by=3,
        )
        await runner.rearm()
        job = runner.scheduler.get_job("next")
        assert job is not None
        assert job.trigger.run_date == service.next_slot(schedule).at
        await storage.schedules.set_paused(schedule.id, 1, True)
        await runner.rearm()
        assert runner.scheduler.get_job("next") is None
    finally:
        runner.shutdown()


async def test_the_runner_rearms_itself_when_an_admin_changes_a_schedule(
    storage: Storage,
) -> None:
    """Adding, pausing, resuming and removing go through the service, which tells the runner: no
    command has to remember to re-arm."""
    clock = ManualClock(datetime.now(UTC) + timedelta(days=400))
    catalog = DeckCatalog(DeckLibrary(decks={"d": DECK}))
    study = StudyService(storage, catalog, clock)
    service = SchedulerService(
        storage,
        catalog,
        DrillService(storage, catalog, study, clock),
        SessionService(storage, catalog, study, clock),
        clock,
        RecordingPublisher(),
    )
    runner = ScheduleRunner(service)
    await runner.start()
    try:
        schedule = await service.add(
            guild_id=1,
            channel_id=2,
            kind="drill",
            deck_ids=("d",),
            time_text="09:00",
            days_text="daily",
            timezone="Asia/Tokyo",
            size=1,
            seconds_per_question=30,
            created_by=3,
        )
        job = runner.scheduler.get_job("next")
        assert job is not None
        assert job.trigger.run_date == service.next_slot(schedule).at
        assert not await service.pause(schedule.id, 99, by="someone else's admin")
        assert runner.scheduler.get_job("next") is not None
        assert await service.pause(schedule.id, 1, by="ada")
        assert runner.scheduler.get_job("next") is None
        assert [s.pause_reason for s in await service.paused_with_reason(1)] == ["paused by ada"]
        assert await service.resume(schedule.id, 1)
        assert runner.scheduler.get_job("next") is not None
        assert await service.find(schedule.id, 99) is None
        assert await service.remove(schedule.id, 1)
        assert runner.scheduler.get_job("next") is None
    finally:
        runner.shutdown()


async def test_reveals_run_beside_the_next_posts(storage: Storage) -> None:
    """A tick returns once the due posts are out; the reveals of closed drills go on in a task of
    their own, so a slow close never holds back the next slot."""
    clock = ManualClock(datetime.now(UTC) + timedelta(days=400))
    catalog = DeckCatalog(DeckLibrary(decks={"d": DECK}))
    study = StudyService(storage, catalog, clock)
    publisher = RecordingPublisher()
    service = SchedulerService(
        storage,
        catalog,
        DrillService(storage, catalog, study, clock),
        SessionService(storage, catalog, study, clock),
        clock,
        publisher,
    )
    schedule = await service.add(
        guild_id=1,
        channel_id=2,
        kind="drill",
        deck_ids=("d",),
        time_text="09:00",
        days_text="daily",
        timezone="UTC",
        size=1,
        seconds_per_question=30,
        created_by=3,
    )
    first = service.next_slot(schedule)
    clock.set(first.at)
    runner = ScheduleRunner(service)
    edit_allowed = asyncio.Event()
    revealed = asyncio.Event()
    reveal = publisher.reveal_drill

    async def slow_reveal(results: DrillResults) -> None:
        await edit_allowed.wait()
        await reveal(results)
        revealed.set()

    publisher.reveal_drill = slow_reveal  # type: ignore[method-assign]
    try:
        await runner.tick()
        assert len(publisher.posted) == 1
        clock.set(first.at + timedelta(days=1))  # the first drill closes, the next slot is due
        await runner.tick()
        assert len(publisher.posted) == 2
        assert publisher.closed == []
        edit_allowed.set()
        await asyncio.wait_for(revealed.wait(), timeout=10)
        assert [r.drill.id for r in publisher.closed] == [publisher.posted[0][0].id]
    finally:
        runner.shutdown()
