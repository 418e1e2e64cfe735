"""A cog's once-a-minute pass over its scheduled work (reminders, rewards, recaps).

The database keeps what each pass has done (every day's or week's run is claimed there first), so
the loop holds no state: a pass that is late or repeated does no work twice."""

from __future__ import annotations

from datetime import timedelta

import discord
from discord.ext import tasks

TICK = timedelta(minutes=1)


class MinuteTick:
    """Mixed into a cog: runs its `tick()` every minute once `ready_client()` is ready, if
    `run_loop` is set (tests leave it off and call `tick()` themselves)."""

    run_loop: bool

    def ready_client(self) -> discord.Client | None:
        """The client whose servers the pass needs known first; None: start at once."""
        return None

    async def tick(self) -> None:
        raise NotImplementedError

    async def cog_load(self) -> None:
        if self.run_loop:
            self.minute.start()

    async def cog_unload(self) -> None:
        self.minute.cancel()

    @tasks.loop(seconds=TICK.total_seconds())
    async def minute(self) -> None:
        await self.tick()

    @minute.before_loop
    async def _until_ready(self) -> None:
        client = self.ready_client()
        if client is not None:
            await client.wait_until_ready()
