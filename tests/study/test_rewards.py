"""The daily reward run on the services, with a stand-in for Discord: once per server and local day
across two processes over one database, a run cut short by Discord finished by the next tick
without giving a role twice, a member who left, and servers of another process left alone.

The same end to end through the emulator is in tests/e2e/test_rewards.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.domain import NewAttempt
from bot.storage import Storage
from bot.study.clock import ManualClock, to_ms
from bot.study.delivery import DeliveryFailed
from bot.study.rewards import BadReward, MemberGone, RewardService

GUILD, OTHER, ROLE = 10, 20, 500
ADA, BOB = 1, 2
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Roles:
    """Stands in for Discord: who holds which role, and failures to inject."""

    def __init__(self, guilds: set[int] | None = None) -> None:
        self.held: set[tuple[int, int, int]] = set()
        self.calls: list[tuple[str, int, int, int]] = []
        self.fail: list[Exception] = []
        self.guilds = guilds

    def serves(self, guild_id: int) -> bool:
        return self.guilds is None or guild_id in self.guilds

    async def grant(self, guild_id: int, user_id: int, role_id: int) -> None:
        self.calls.append(("grant", guild_id, user_id, role_id))
        if self.fail:
            raise self.fail.pop(0)
        self.held.add((guild_id, user_id, role_id))

    async def revoke(self, guild_id: int, user_id: int, role_id: int) -> None:
        self.calls.append(("revoke", guild_id, user_id, role_id))
        if self.fail:
            raise self.fail.pop(0)
        self.held.discard((guild_id, user_id, role_id))


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    store = await Storage.open(database_url)
    try:
        yield store
    finally:
        await store.close()


async def answer(storage: Storage, guild: int, user: int, when: datetime, n: int = 0) -> None:
    await storage.attempts.record(
        NewAttempt(
            attempt_key=f"{guild}-{user}-{when.isoformat()}-{n}",
            guild_id=guild,
            user_id=user,
            display_name=f"member {user}",
            deck_id="d",
            card_id=f"c{n}",
            context="quiz",
            context_id=None,
            response="x",
            outcome="correct",
            score=1.0,
            points=10,
            answered_at_ms=to_ms(when),
            local_day=when.date().toordinal(),
        )
    )


async def test_a_run_happens_once_across_two_processes(storage: Storage) -> None:
    clock = ManualClock(MONDAY)
    first, second = RewardService(storage, clock), RewardService(storage, clock)
    await first.save(GUILD, ROLE, streak_days=1, by=ADA)
    await answer(storage, GUILD, ADA, MONDAY)
    clock.set(datetime(2026, 3, 3, 0, 1, tzinfo=UTC))
    roles = Roles()
    reports = [await first.tick(roles), await second.tick(roles)]
    assert [r.runs for r in reports] == [[(GUILD, "2026-03-03")], []]
    assert roles.calls == [("grant", GUILD, ADA, ROLE)]
    assert [(run.local_date, run.done) for run in await storage.rewards.runs(GUILD)] == [
        ("2026-03-03", True)
    ]


async def test_a_run_cut_short_is_finished_by_the_next_tick(storage: Storage) -> None:
    clock = ManualClock(MONDAY)
    service = RewardService(storage, clock, retry_pauses=())
    await service.save(GUILD, ROLE, streak_days=1, by=ADA)
    await answer(storage, GUILD, ADA, MONDAY)
    await answer(storage, GUILD, BOB, MONDAY)
    clock.set(datetime(2026, 3, 3, 0, 1, tzinfo=UTC))
    roles = Roles()
    roles.fail = [DeliveryFailed("Discord could not change the role (503)", permanent=False)]
    cut = await service.tick(roles)
    assert cut.runs == [] and cut.granted == [] and cut.paused == []
    assert not (await storage.rewards.runs(GUILD))[0].done
    finished = await service.tick(roles)
    assert finished.runs == [(GUILD, "2026-03-03")]
    assert sorted(finished.granted) == [(GUILD, ROLE, ADA), (GUILD, ROLE, BOB)]
    assert roles.held == {(GUILD, ADA, ROLE), (GUILD, BOB, ROLE)}
    assert await storage.rewards.holders(GUILD, ROLE) == {ADA, BOB}

    # Bob left the server; neither answered on the 3rd: Ada loses the role, Bob's record goes.
    roles.held.discard((GUILD, BOB, ROLE))
    clock.set(datetime(2026, 3, 4, 0, 1, tzinfo=UTC))
    original = roles.revoke

    async def revoke(guild_id: int, user_id: int, role_id: int) -> None:
        if user_id == BOB:
            raise MemberGone(str(user_id))
        await original(guild_id, user_id, role_id)

    roles.revoke = revoke  # type: ignore[method-assign]
    report = await service.tick(roles)
    assert report.removed == [(GUILD, ROLE, ADA)]
    assert await storage.rewards.holders(GUILD, ROLE) == set()
    assert report.runs == [(GUILD, "2026-03-04")]


async def test_servers_of_another_process_and_bad_rewards(storage: Storage) -> None:
    clock = ManualClock(MONDAY)
    service = RewardService(storage, clock)
    with pytest.raises(BadReward):
        await service.save(GUILD, ROLE, by=ADA)
    with pytest.raises(BadReward):
        await service.save(GUILD, ROLE, streak_days=0, by=ADA)
    await service.save(GUILD, ROLE, streak_days=2, by=ADA)
    await service.save(OTHER, ROLE, rank_in_month=3, by=ADA)
    for day in (2, 3):
        when = datetime(2026, 3, day, 9, 0, tzinfo=UTC)
        await answer(storage, GUILD, ADA, when)
        await answer(storage, OTHER, ADA, when)
    await answer(storage, GUILD, BOB, datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    clock.set(datetime(2026, 3, 4, 0, 1, tzinfo=UTC))
    roles = Roles(guilds={GUILD})
    report = await service.tick(roles)
    assert report.granted == [(GUILD, ROLE, ADA)]  # Bob has one day, not two
    assert await storage.rewards.runs(OTHER) == []
    assert await service.next_run(GUILD) == datetime(2026, 3, 5, 0, 0, tzinfo=UTC)
    assert await service.remove(GUILD, ROLE)
    assert not await service.remove(GUILD, ROLE)
    assert [r.guild_id for r in await storage.rewards.in_guild(OTHER)] == [OTHER]
