"""Shard ownership: which servers a process schedules. Two scheduler services over one SQLite
database, each owning one of two shards, stand in for two processes; the clock is moved by hand.

Across processes on PostgreSQL the same is tested end to end in tests/e2e/test_shards.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.decks import Card, Deck, DeckLibrary
from bot.domain import Drill, Kind, SessionQuestion, StudySession
from bot.shards import Shards, shard_of
from bot.storage import Storage
from bot.study.catalog import DeckCatalog
from bot.study.clock import ManualClock
from bot.study.drills import DrillCard, DrillResults, DrillService
from bot.study.practice import Member, StudyService
from bot.study.scheduling import SchedulerService
from bot.study.sessions import QuestionResult, SessionService, Standing

CARDS = tuple(
    Card(id=f"c{i}", question=f"{i} + {i}?", answer=str(2 * i), accept=(str(2 * i),))
    for i in range(1, 7)
)
DECK = Deck(id="sums", name="Sums", cards=CARDS)
ON_SHARD_0 = (1_000 << 22) + 17
ON_SHARD_1 = (1_001 << 22) + 17
THURSDAY_NINE_BERLIN = datetime(2026, 3, 26, 8, 0, tzinfo=UTC)


class Publisher:
    """Stands in for Discord: what one process posted, asked, closed and revealed."""

    def __init__(self) -> None:
        self.drills: list[Drill] = []
        self.revealed: list[int] = []
        self.asked: list[tuple[int, int]] = []
        self.closed: list[tuple[int, int]] = []
        self.results: list[int] = []

    async def channel_ready(self, channel_id: int) -> None:
        return None

    async def post_drill(self, drill: Drill, cards: list[DrillCard]) -> int:
        self.drills.append(drill)
        return 9000 + drill.id

    async def find_drill_post(self, drill: Drill) -> int | None:
        return None

    async def reveal_drill(self, results: DrillResults) -> None:
        self.revealed.append(results.drill.guild_id)

    async def ask_question(
        self, session: StudySession, question: SessionQuestion, card: Card, closes_at: datetime
    ) -> int:
        self.asked.append((session.guild_id, question.position))
        return 7000 + 10 * session.id + question.position

    async def find_question(self, session: StudySession, question: SessionQuestion) -> int | None:
        return None

    async def close_question(self, session: StudySession, result: QuestionResult) -> None:
        self.closed.append((session.guild_id, result.question.position))

    async def post_session_results(
        self, session: StudySession, standings: list[Standing], played: int
    ) -> int:
        self.results.append(session.guild_id)
        return 8000 + session.id

    async def find_session_results(self, session: StudySession) -> int | None:
        return None


class Process:
    """One process's scheduler: its own publisher, the shared database."""

    def __init__(
        self, storage: Storage, clock: ManualClock, owns: Shards | None, catalog: DeckCatalog
    ) -> None:
        study = StudyService(storage, catalog, clock)
        self.drills = DrillService(storage, catalog, study, clock)
        self.publisher = Publisher()
        self.scheduler = SchedulerService(
            storage,
            catalog,
            self.drills,
            SessionService(storage, catalog, study, clock),
            clock,
            self.publisher,
            retry_pauses=(0.0,),
            owns_guild=owns.owns if owns is not None else None,
        )


@pytest.fixture
async def storage(tmp_path: Path) -> Storage:
    opened = await Storage.open(str(tmp_path / "study.sqlite3"))
    yield opened  # type: ignore[misc]
    await opened.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(THURSDAY_NINE_BERLIN - timedelta(hours=1))


def two_processes(storage: Storage, clock: ManualClock) -> tuple[Process, Process]:
    catalog = DeckCatalog(DeckLibrary(decks={"sums": DECK}))
    return (
        Process(storage, clock, Shards(2, (0,)), catalog),
        Process(storage, clock, Shards(2, (1,)), catalog),
    )


async def schedule(
    process: Process, guild_id: int, kind: Kind, *, channel_id: int, at: str = "09:00"
) -> int:
    created = await process.scheduler.add(
        guild_id=guild_id,
        channel_id=channel_id,
        kind=kind,
        deck_ids=("sums",),
        time_text=at,
        days_text="mon-fri",
        timezone="Europe/Berlin",
        size=2,
        seconds_per_question=30,
        created_by=5,
    )
    return created.id


def test_a_server_is_on_the_shard_discord_puts_it_on() -> None:
    assert shard_of(ON_SHARD_0, 2) == 0 and shard_of(ON_SHARD_1, 2) == 1
    assert shard_of(ON_SHARD_1, 1) == 0
    assert Shards(2, (0,)).owns(ON_SHARD_0) and not Shards(2, (0,)).owns(ON_SHARD_1)
    assert Shards(2, (0, 1)).owns(ON_SHARD_1)
    assert Shards.parse("8", "0,2-4").ids == (0, 2, 3, 4)
    assert Shards.parse("3", None).ids == (0, 1, 2)
    for count, ids, problem in (
        ("2", "2", "does not exist"),
        ("2", "0,0", "named twice"),
        ("4", "3-1", "runs backwards"),
        ("2", "one", "not a shard id"),
    ):
        with pytest.raises(ValueError, match=problem):
            Shards.parse(count, ids)


async def test_each_process_fires_only_its_own_servers_slots(
    storage: Storage, clock: ManualClock
) -> None:
    first, second = two_processes(storage, clock)
    drill_0 = await schedule(first, ON_SHARD_0, "drill", channel_id=10)
    await schedule(first, ON_SHARD_0, "session", channel_id=11)
    drill_1 = await schedule(second, ON_SHARD_1, "drill", channel_id=20)
    await schedule(second, ON_SHARD_1, "session", channel_id=21)

    clock.set(THURSDAY_NINE_BERLIN)
    report = await second.scheduler.tick()  # the first process is down at the slot
    assert sorted(schedule_id for schedule_id, _ in report.posted) == [drill_1, drill_1 + 1]
    assert [d.guild_id for d in second.publisher.drills] == [ON_SHARD_1]
    assert second.publisher.asked == [(ON_SHARD_1, 0)]
    assert await storage.schedules.fires(drill_0) == []  # not even claimed for it
    clock.advance(timedelta(seconds=5))
    assert (await second.scheduler.tick()).posted == []

    report = await first.scheduler.tick()  # back: its servers' slot, once
    assert sorted(schedule_id for schedule_id, _ in report.posted) == [drill_0, drill_0 + 1]
    assert [d.guild_id for d in first.publisher.drills] == [ON_SHARD_0]
    assert first.publisher.asked == [(ON_SHARD_0, 0)]
    assert (await first.scheduler.tick()).posted == []

    ada = Member(ON_SHARD_0, 100, "Ada")
    drill = first.publisher.drills[0]
    await first.drills.answer(drill.id, 1, ada, "2", attempt_key="a1")

    for _ in range(4):  # each session's two questions run out, on its own process only
        clock.advance(timedelta(seconds=31))
        await second.scheduler.tick()
        await first.scheduler.tick()
    assert first.publisher.closed == [(ON_SHARD_0, 0), (ON_SHARD_0, 1)]
    assert second.publisher.closed == [(ON_SHARD_1, 0), (ON_SHARD_1, 1)]
    assert (first.publisher.results, second.publisher.results) == ([ON_SHARD_0], [ON_SHARD_1])

    clock.set(THURSDAY_NINE_BERLIN + timedelta(days=1) - timedelta(minutes=1))
    assert (await second.scheduler.tick()).closed == [second.publisher.drills[0].id]
    assert second.publisher.revealed == [ON_SHARD_1]
    assert (await storage.drills.get(drill.id)).closed_at_ms is None  # type: ignore[union-attr]
    assert (await first.scheduler.tick()).closed == [drill.id]
    assert first.publisher.revealed == [ON_SHARD_0]
    results = await first.drills.results(drill.id)
    assert (results.cards[0].answered, results.cards[0].correct) == (1, 1)  # Ada's answer


async def test_each_process_wakes_for_its_own_servers_only(
    storage: Storage, clock: ManualClock
) -> None:
    first, second = two_processes(storage, clock)
    await schedule(first, ON_SHARD_0, "drill", channel_id=10, at="09:00")
    await schedule(second, ON_SHARD_1, "drill", channel_id=20, at="11:00")
    everyone = Process(storage, clock, None, first.scheduler.catalog)
    assert await first.scheduler.next_fire_at() == THURSDAY_NINE_BERLIN
    assert await second.scheduler.next_fire_at() == THURSDAY_NINE_BERLIN + timedelta(hours=2)
    assert await everyone.scheduler.next_fire_at() == THURSDAY_NINE_BERLIN

    clock.set(THURSDAY_NINE_BERLIN)
    await first.scheduler.post_due()  # the drill is open until Friday's: first wakes for that
    friday = THURSDAY_NINE_BERLIN + timedelta(days=1)
    assert await first.scheduler.next_fire_at() == friday - timedelta(minutes=1)
    assert await second.scheduler.next_fire_at() == THURSDAY_NINE_BERLIN + timedelta(hours=2)
