"""APScheduler drives the scheduler service in the running bot.

The database is the source of truth, so APScheduler holds no state worth keeping: one job wakes the
service at the next slot or drill close (re-armed at start-up, after every tick and whenever an admin
changes a schedule), and a slow safety-net job ticks every minute in case the clock jumped.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.study.scheduling import SchedulerService

log = logging.getLogger(__name__)
SAFETY_NET = timedelta(minutes=1)


class ScheduleRunner:
    def __init__(self, service: SchedulerService) -> None:
        self.service = service
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._revealing: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.service.on_change(self.rearm)
        self.scheduler.start()
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=SAFETY_NET.total_seconds(),
            id="safety-net",
            coalesce=True,
            max_instances=1,
        )
        await self.tick()

    async def tick(self) -> None:
        """Post what is due; reveals run beside it in a task of their own, so that the closes of
        one slot never hold back the posts of the next."""
        try:
            report = await self.service.post_due()
            if self._revealing is None or self._revealing.done():
                self._revealing = asyncio.create_task(self._reveal(), name="drill reveals")
            if report.posted or report.missed or report.failed or report.closed:
                log.info(
                    "tick: posted %d, missed %d, failed %d, closed %d drills",
                    len(report.posted),
                    len(report.missed),
                    len(report.failed),
                    len(report.closed),
                )
        except Exception:
            log.exception("scheduler tick failed")
        await self.rearm()

    async def _reveal(self) -> None:
        try:
            await self.service.reveal_pending()
        except Exception:
            log.exception("drill reveals failed")

    async def rearm(self) -> None:
        """(Re)build the wake-up job from the database; the service calls it after any schedule
        change."""
        when = await self.service.next_fire_at()
        if when is None:
            if self.scheduler.get_job("next"):
                self.scheduler.remove_job("next")
            return
        when = max(when, datetime.now(UTC) + timedelta(milliseconds=50))
        self.scheduler.add_job(
            self.tick,
            "date",
            run_date=when,
            id="next",
            replace_existing=True,
            misfire_grace_time=None,
        )

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._revealing is not None:
            self._revealing.cancel()
