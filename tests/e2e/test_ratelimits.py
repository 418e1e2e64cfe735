"""Discord's per-route rate limits in the emulator, and discord.py pacing itself by their headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord

from tests.e2e.conftest import Server
from tests.emulator.ratelimits import MESSAGE_CREATE

HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset-After",
    "X-RateLimit-Bucket",
)


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    body: Any


async def _post(
    http: aiohttp.ClientSession, server: Server, path: str, method: str = "POST"
) -> Answer:
    async with http.request(
        method,
        server.emulator.api_base + path,
        json={"content": "hello"},
        headers={"Authorization": "Bot emulated.bot.token"},
    ) as response:
        return Answer(response.status, response.headers, await response.json())


async def test_a_channel_takes_five_posts_in_five_seconds_then_says_429(server: Server) -> None:
    other = server.emulator.add_channel(server.guild, "other")
    async with aiohttp.ClientSession() as http:
        answers = [
            await _post(http, server, f"/channels/{server.channel}/messages") for _ in range(6)
        ]
        assert [a.status for a in answers] == [200] * MESSAGE_CREATE.requests + [429]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == [
            "4",
            "3",
            "2",
            "1",
            "0",
            "0",
        ]
        for answer in answers:
            assert all(name in answer.headers for name in HEADERS)
        refused = answers[-1]
        assert 0 < float(refused.headers["Retry-After"]) <= MESSAGE_CREATE.per_seconds
        assert refused.headers["X-RateLimit-Scope"] == "user"
        # Another channel has its own bucket, and edits have theirs.
        assert (await _post(http, server, f"/channels/{other}/messages")).status == 200
        first_id = answers[0].body["id"]
        edit = await _post(http, server, f"/channels/{server.channel}/messages/{first_id}", "PATCH")
        assert edit.status == 200
        assert edit.headers["X-RateLimit-Bucket"] != refused.headers["X-RateLimit-Bucket"]


async def test_discord_py_paces_a_busy_channel_by_the_headers_instead_of_being_refused(
    server: Server,
) -> None:
    emu = server.emulator
    channel = server.bot.get_channel(server.channel)
    assert isinstance(channel, discord.TextChannel)
    before = len(emu.calls)
    for n in range(12):
        await channel.send(f"post {n}", allowed_mentions=discord.AllowedMentions.none())
    posts = [c for c in emu.calls[before:] if c.method == "POST" and c.path.endswith("/messages")]
    assert [c.status for c in posts] == [200] * 12
    assert emu.route_limits.refused == []
    # It waited out the bucket twice (after posts 5 and 10), for about its 5 s each time; the test
    # skipped those waits, and the emulator's buckets count them as passed.
    waits = [s for s in emu.retry_sleeps if s > 1]
    assert len(waits) == 2 and all(4 < s <= MESSAGE_CREATE.per_seconds for s in waits)


async def test_the_bot_learns_when_a_channel_has_used_up_its_posts(server: Server) -> None:
    """The bot's view of each channel's bucket is discord.py's own, from the answers' headers: while
    discord.py waits out the channel's used-up bucket (after its fifth post), the scheduler sees
    the channel closed for that long, and another channel open."""
    buckets = server.bot.channel_buckets
    other = server.emulator.add_channel(server.guild, "other")
    channel = server.bot.get_channel(server.channel)
    assert isinstance(channel, discord.TextChannel)
    seen: list[tuple[float, float, float]] = []
    instant = discord.http.asyncio  # type: ignore[attr-defined]

    class Watching:
        """discord.py's sleeps as the emulator skips them, noting what the bot sees meanwhile."""

        def __getattr__(self, name: str) -> Any:
            return getattr(instant, name)

        async def sleep(self, delay: float, result: Any = None) -> Any:
            seen.append((delay, buckets.wait(server.channel), buckets.wait(other)))
            return await instant.sleep(delay, result)

    discord.http.asyncio = Watching()  # type: ignore[attr-defined]
    try:
        for n in range(MESSAGE_CREATE.requests - 1):
            await channel.send(f"post {n}", allowed_mentions=discord.AllowedMentions.none())
        assert seen == []
        assert buckets.wait(server.channel) == 0.0
        await channel.send("the last one", allowed_mentions=discord.AllowedMentions.none())
    finally:
        discord.http.asyncio = instant  # type: ignore[attr-defined]
    ((delay, closed_for, other_for),) = seen
    assert 4 < delay <= MESSAGE_CREATE.per_seconds
    assert delay - 0.1 < closed_for <= delay
    assert other_for == 0.0
    # discord.py waited the bucket out (the emulator counts the skipped wait as passed).
    assert buckets.wait(server.channel) == 0.0
