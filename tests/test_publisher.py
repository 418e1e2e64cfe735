"""The publisher's per-request cost does not grow with the number of channels the bot posts in.

discord.py keeps a rate-limit bucket per route and channel, and every time it makes a new one (once
it has 256) it walks all of them for those idle for five minutes. Posting in 10,000 channels within
the same few minutes then walks ~50 million buckets, 4 ms of event loop per post at the end, on the
path between the global token and the wire. The publisher has it sweep only when the count has
doubled since the last sweep: the same clean-up, at a constant cost per bucket."""

from __future__ import annotations

import discord
import discord.http
import pytest

from bot.discord_publisher import DiscordPublisher


@pytest.fixture
def http_client() -> discord.Client:
    return discord.Client(intents=discord.Intents.none())


async def test_new_buckets_do_not_walk_all_the_others(
    http_client: discord.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    DiscordPublisher(http_client)
    walked = 0
    inactive = discord.http.Ratelimit.is_inactive

    def counting(self: discord.http.Ratelimit) -> bool:
        nonlocal walked
        walked += 1
        return inactive(self)

    monkeypatch.setattr(discord.http.Ratelimit, "is_inactive", counting)
    channels = 3_000
    for channel in range(channels):
        http_client.http.get_ratelimit(f"bucket:{channel}")
    # discord.py alone: every new bucket past 256 walks them all, ~4.5 million here.
    assert walked < 3 * channels


async def test_idle_buckets_are_still_swept(http_client: discord.Client) -> None:
    DiscordPublisher(http_client)
    http = http_client.http
    for channel in range(300):
        http.get_ratelimit(f"old:{channel}")
    for bucket in http._buckets.values():
        bucket._last_request -= 301  # five minutes without a request: discord.py drops it
    for channel in range(600):
        http.get_ratelimit(f"new:{channel}")
    assert not any(key.startswith("old:") for key in http._buckets)
    assert sum(key.startswith("new:") for key in http._buckets) == 600


async def test_a_used_bucket_is_kept(http_client: discord.Client) -> None:
    DiscordPublisher(http_client)
    http = http_client.http
    kept = http.get_ratelimit("busy:1")
    for channel in range(2_000):
        http.get_ratelimit(f"new:{channel}")
    assert http.get_ratelimit("busy:1") is kept
