"""Start the real bot against the emulator and tear it down cleanly, failing loudly on problems."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable

import discord
from discord.ext import commands

from bot.ratelimit import ChannelBuckets
from tests.emulator.server import DiscordEmulator


@contextlib.asynccontextmanager
async def running_bot(
    emulator: DiscordEmulator,
    make_bot: Callable[[], commands.Bot],
    *,
    timeout: float = 10,
    fast_retries: bool = True,
) -> AsyncIterator[commands.Bot]:
    """Run `make_bot()` logged in to the emulator until the block ends.

    Raises if the client task crashed, or if the bot used a route the emulator does not know or
    sent something it could not read.
    """
    with emulator.patched(fast_retries=fast_retries):
        bot = make_bot()
        buckets = getattr(bot, "channel_buckets", None)
        if fast_retries and isinstance(buckets, ChannelBuckets):
            buckets.sleep = emulator.instant_sleep
        task = asyncio.create_task(bot.start(emulator.token), name="bot under test")
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if task in done:
            ready.cancel()
            task.result()
            raise RuntimeError("the bot stopped before it was ready")
        if ready not in done:
            ready.cancel()
            await bot.close()
            raise TimeoutError("the bot did not become ready")
        try:
            yield bot
        finally:
            await bot.close()
            for keep_alive in _heartbeats(bot):
                keep_alive.join(timeout=2)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout)
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise RuntimeError("the bot crashed") from task.exception()
    if emulator.unknown_routes or emulator.errors:
        raise AssertionError(
            f"emulator problems: unknown routes {emulator.unknown_routes}, errors {emulator.errors}"
        )


def _heartbeats(bot: commands.Bot) -> list[threading.Thread]:
    """The heartbeat threads of the bot's gateway connections: one, or one per shard."""
    sockets = [bot.ws] if bot.ws else []
    if isinstance(bot, discord.AutoShardedClient):
        sockets = [shard._parent.ws for shard in bot.shards.values()]
    threads = [getattr(socket, "_keep_alive", None) for socket in sockets]
    return [thread for thread in threads if isinstance(thread, threading.Thread)]
