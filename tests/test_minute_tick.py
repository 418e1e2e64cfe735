"""The minute loop the reminder, reward and recap cogs share: it runs the cog's pass at once on
load (and then each minute), waits for the client it names, and stops on unload."""

from __future__ import annotations

import asyncio

from bot.cogs.minute_tick import MinuteTick


class Counting(MinuteTick):
    def __init__(self, run_loop: bool) -> None:
        self.run_loop = run_loop
        self.ran = asyncio.Event()

    async def tick(self) -> None:
        self.ran.set()


async def test_the_pass_runs_on_load_and_stops_on_unload() -> None:
    cog = Counting(run_loop=True)
    await cog.cog_load()
    await asyncio.wait_for(cog.ran.wait(), timeout=5)
    await cog.cog_unload()
    await asyncio.sleep(0)
    assert not cog.minute.is_running()


async def test_without_run_loop_nothing_runs() -> None:
    cog = Counting(run_loop=False)
    await cog.cog_load()
    await asyncio.sleep(0)
    assert not cog.minute.is_running() and not cog.ran.is_set()
    await cog.cog_unload()
