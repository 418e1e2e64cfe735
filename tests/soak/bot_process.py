"""The real bot in a process of its own, on a clock the soak driver moves.

    python -m tests.soak.bot_process --db PATH --decks DIR --api URL --gateway URL --start-ms MS

It is StudyBot as `python -m bot run` builds it, logged in to the emulator, with two differences a
simulation needs: the clock is a ManualClock the driver sets, and the scheduler's tick is run when
the driver asks (over a control port on 127.0.0.1, printed as `CONTROL <port>` on stdout) instead
of by APScheduler's real-time timer. Back-off pauses return at once, as in the e2e tests. The driver
kills this process with SIGKILL at random moments and starts a fresh one on the same database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import discord
from aiohttp import web

from bot.app import StudyBot, point_at_endpoints
from bot.config import Settings
from bot.study import delivery
from bot.study.clock import ManualClock, from_ms, to_ms
from tests.emulator.server import _InstantSleep


def _control(bot: StudyBot, clock: ManualClock) -> web.Application:
    app = web.Application()
    ticking = asyncio.Lock()

    async def ready(request: web.Request) -> web.Response:
        return web.json_response({"ready": bot.is_ready()})

    async def set_clock(request: web.Request) -> web.Response:
        clock.set(from_ms(int((await request.json())["now_ms"])))
        return web.json_response({})

    async def tick(request: web.Request) -> web.Response:
        async with ticking:
            clock.set(from_ms(int((await request.json())["now_ms"])))
            report = await bot.scheduler.tick()
            following = await bot.scheduler.next_fire_at()
        return web.json_response(
            {
                "next_ms": to_ms(following) if following else None,
                "posted": len(report.posted),
                "missed": len(report.missed),
                "failed": len(report.failed),
            }
        )

    app.router.add_get("/ready", ready)
    app.router.add_post("/clock", set_clock)
    app.router.add_post("/tick", tick)
    return app


async def main(args: argparse.Namespace) -> None:
    settings = Settings(
        discord_token="emulated.bot.token",
        database_path=Path(args.db),
        decks_dir=Path(args.decks),
        dev_guild_id=None,
        log_level="WARNING",
        api_base=args.api,
        gateway_url=args.gateway,
        writer_process=True,  # as the bot runs by default: SIGKILLs then orphan its writer
    )
    point_at_endpoints(settings)
    for module in (discord.http, discord.webhook.async_):
        module.asyncio = _InstantSleep([])  # type: ignore[attr-defined]
    delivery.RETRY_PAUSES = (0.0, 0.0)
    clock = ManualClock(datetime.fromtimestamp(args.start_ms / 1000, UTC))
    bot = StudyBot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.2)
    runner = web.AppRunner(_control(bot, clock), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    print(f"CONTROL {server.sockets[0].getsockname()[1]}", flush=True)  # type: ignore[union-attr]
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    task = asyncio.create_task(bot.start(settings.discord_token or ""))
    await asyncio.wait({task, asyncio.create_task(stopping.wait())}, return_when="FIRST_COMPLETED")
    await bot.close()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for name in ("--db", "--decks", "--api", "--gateway"):
        parser.add_argument(name, required=True)
    parser.add_argument("--start-ms", type=int, required=True)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(main(parser.parse_args()))
