"""Streak and rank roles: an admin names a role for a streak of N days or for the top K of the month,
and the bot gives and takes it back once a day, just after the server's local midnight.

At that run, for the day that ended: a member who answered on each of the last N local days has a
streak of at least N and gets the streak role; one who missed a day loses it. The top K members by
points of the month so far (the month of the day that ended, so on the 1st it is last month's final
table) get the rank role; the others lose it. The bot takes a role back only from members it gave
it to (kept in the database), never from someone an admin gave it to by hand.

Each server's run is claimed in the database for its local date before any role changes, so it
happens once a day across restarts and processes; a run cut short (Discord unreachable) stays
unfinished and the next tick finishes it (giving a role twice does nothing). When Discord refuses
a change (the bot lacks Manage Roles, or the role is not below the bot's highest role), only that
reward pauses, with the reason; the server's other rewards and every other server go on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Protocol

from bot.domain import RewardKind, RewardRun, RoleReward
from bot.repositories import Store
from bot.study.clock import Clock, to_ms
from bot.study.delivery import DeliveryFailed, retrying
from bot.study.periods import local_date, local_midnight, zone
from bot.study.slots import slot_at

log = logging.getLogger(__name__)
RUN_AT = time(0, 0)
"""The local time of each server's daily run: the day that ended is complete."""
MAX_STREAK_DAYS = 365
MAX_RANK = 25


class BadReward(ValueError):
    """A reward an admin asked for that cannot be set up; the message says why."""


class RoleRefused(DeliveryFailed):
    """Discord will not let the bot give or take this role (403, or the role is gone): the
    reward pauses with the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


class MemberGone(Exception):
    """The member is not on the server any more."""


class RoleManager(Protocol):
    def serves(self, guild_id: int) -> bool:
        """Whether this process runs the server's rewards (with shards: its own servers only)."""
        ...

    async def grant(self, guild_id: int, user_id: int, role_id: int) -> None:
        """Give the member the role; raises RoleRefused, MemberGone or DeliveryFailed."""
        ...

    async def revoke(self, guild_id: int, user_id: int, role_id: int) -> None:
        """Take the role from the member; raises RoleRefused, MemberGone or DeliveryFailed."""
        ...


@dataclass
class RewardReport:
    runs: list[tuple[int, str]] = field(default_factory=list)
    """(guild, local date) of every run finished."""
    granted: list[tuple[int, int, int]] = field(default_factory=list)
    """(guild, role, member)."""
    removed: list[tuple[int, int, int]] = field(default_factory=list)
    paused: list[tuple[int, int, str]] = field(default_factory=list)
    """(guild, role, reason)."""


def describe_rule(kind: RewardKind, threshold: int) -> str:
    if kind == "streak":
        return f"a streak of {threshold} day{'s' if threshold != 1 else ''} or more"
    if threshold == 1:
        return "the top member of the month"
    return f"the top {threshold} of the month"


class RewardService:
    def __init__(
        self,
        storage: Store,
        clock: Clock,
        *,
        retry_pauses: tuple[float, ...] | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.retry_pauses = retry_pauses
        self._lock = asyncio.Lock()

    # --- what admins do ---------------------------------------------------------------------

    async def save(
        self,
        guild_id: int,
        role_id: int,
        *,
        streak_days: int | None = None,
        rank_in_month: int | None = None,
        by: int,
    ) -> RoleReward:
        """The role for a streak of `streak_days` or for the top `rank_in_month` of the month
        (exactly one of them). Replaces what the role was for, and resumes it if it was paused.
        Raises BadReward."""
        if (streak_days is None) == (rank_in_month is None):
            raise BadReward("give either streak_days or rank_in_month, not both or neither")
        if streak_days is not None:
            if not 1 <= streak_days <= MAX_STREAK_DAYS:
                raise BadReward(f"streak_days is 1 to {MAX_STREAK_DAYS}")
            kind: RewardKind = "streak"
            threshold = streak_days
        else:
            assert rank_in_month is not None
            if not 1 <= rank_in_month <= MAX_RANK:
                raise BadReward(f"rank_in_month is 1 to {MAX_RANK}")
            kind, threshold = "rank", rank_in_month
        return await self.storage.rewards.save(
            guild_id, role_id, kind, threshold, by, to_ms(self.clock.now())
        )

    async def in_guild(self, guild_id: int) -> list[RoleReward]:
        return await self.storage.rewards.in_guild(guild_id)

    async def remove(self, guild_id: int, role_id: int) -> bool:
        """Stop managing the role; members who have it keep it."""
        return await self.storage.rewards.remove(guild_id, role_id)

    async def next_run(self, guild_id: int) -> datetime:
        """When the server's rewards are next updated."""
        tz = zone((await self.storage.guilds.get(guild_id)).timezone)
        now = self.clock.now()
        day = local_date(now, tz)
        while (slot := slot_at(day, RUN_AT, tz)).at <= now:
            day += timedelta(days=1)
        return slot.at

    # --- the daily run ----------------------------------------------------------------------

    async def tick(self, roles: RoleManager) -> RewardReport:
        """Claim today's run of every server whose local midnight has passed since its last run
        (days the bot was down are not caught up one by one: the latest covers them), then
        finish every unfinished run. Safe to repeat."""
        async with self._lock:
            report = RewardReport()
            now = self.clock.now()
            last = await self.storage.rewards.last_runs()
            for guild_id in await self.storage.rewards.guilds():
                if not roles.serves(guild_id):
                    continue
                tz = zone((await self.storage.guilds.get(guild_id)).timezone)
                day = local_date(now, tz)
                if slot_at(day, RUN_AT, tz).at > now:
                    day -= timedelta(days=1)
                key = day.isoformat()
                if last.get(guild_id, "") < key:
                    await self.storage.rewards.claim_run(guild_id, key, to_ms(now))
            for run in await self.storage.rewards.unfinished_runs():
                if not roles.serves(run.guild_id):
                    continue
                try:
                    await self._settle(run, roles, report)
                except Exception:
                    log.exception("rewards of server %d on %s failed", run.guild_id, run.local_date)
            return report

    async def _wanted(self, reward: RoleReward, day: date, tz_name: str) -> set[int]:
        """Who should hold the role after the day before `day`."""
        today = day.toordinal()
        if reward.kind == "streak":
            return await self.storage.rewards.answered_every_day(
                reward.guild_id, today - reward.threshold, today - 1
            )
        tz = zone(tz_name)
        month = (day - timedelta(days=1)).replace(day=1)
        leaders = await self.storage.stats.leaders(
            reward.guild_id,
            start_ms=to_ms(local_midnight(month, tz)),
            end_ms=to_ms(local_midnight(day, tz)),
            limit=reward.threshold,
        )
        return {row.user_id for row in leaders if row.points > 0}

    async def _settle(self, run: RewardRun, roles: RoleManager, report: RewardReport) -> None:
        guild_id = run.guild_id
        day = date.fromisoformat(run.local_date)
        tz_name = (await self.storage.guilds.get(guild_id)).timezone
        unfinished = False
        for reward in await self.storage.rewards.in_guild(guild_id):
            if reward.paused:
                continue
            outcome = await self._apply(reward, await self._wanted(reward, day, tz_name), roles)
            report.granted += [(guild_id, reward.role_id, u) for u in outcome.granted]
            report.removed += [(guild_id, reward.role_id, u) for u in outcome.removed]
            if outcome.paused is not None:
                report.paused.append((guild_id, reward.role_id, outcome.paused))
            unfinished = unfinished or outcome.unfinished
        if unfinished:
            return  # the next tick goes on from where Discord stopped taking changes
        await self.storage.rewards.finish_run(
            guild_id, run.local_date, None, to_ms(self.clock.now())
        )
        report.runs.append((guild_id, run.local_date))

    async def _apply(self, reward: RoleReward, wanted: set[int], roles: RoleManager) -> _Outcome:
        outcome = _Outcome()
        g, r = reward.guild_id, reward.role_id
        holders = await self.storage.rewards.holders(g, r)
        changes = [(u, True) for u in sorted(wanted - holders)]
        changes += [(u, False) for u in sorted(holders - wanted)]
        for user_id, give in changes:
            change = partial(roles.grant if give else roles.revoke, g, user_id, r)
            try:
                await retrying(change, f"role {r} for {user_id} on {g}", self.retry_pauses)
            except MemberGone:
                if not give:
                    await self.storage.rewards.remove_holder(g, r, user_id)
                continue
            except DeliveryFailed as exc:
                if not exc.permanent:
                    log.warning("role %d on server %d: %s", r, g, exc.reason)
                    outcome.unfinished = True
                    return outcome
                await self.storage.rewards.pause(g, r, exc.reason)
                outcome.paused = exc.reason
                log.info("role reward %d on server %d paused: %s", r, g, exc.reason)
                return outcome
            now_ms = to_ms(self.clock.now())
            if give:
                await self.storage.rewards.add_holder(g, r, user_id, now_ms)
                outcome.granted.append(user_id)
            else:
                await self.storage.rewards.remove_holder(g, r, user_id)
                outcome.removed.append(user_id)
        return outcome


@dataclass
class _Outcome:
    granted: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    paused: str | None = None
    unfinished: bool = False
