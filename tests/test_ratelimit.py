"""Pacing to Discord's limits: the global token bucket serves posts before reveals. (A channel
whose message bucket Discord said is used up: tests/e2e/test_ratelimits.py, through discord.py.)"""

from __future__ import annotations

import asyncio

import discord.http
import pytest

from bot.ratelimit import LATER, NOW, ChannelBuckets, TokenBucket


class FakeTime:
    """A clock that moves only when something sleeps on it; each sleep may wake late by
    `overshoot` seconds (and the ones listed in `stalls` by more), as asyncio's timers do on a busy
    loop."""

    def __init__(self, overshoot: float = 0.0, stalls: dict[int, float] | None = None) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self.overshoot = overshoot
        self.stalls = stalls or {}

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        # Whoever was woken before the sleep runs first, at the time it was woken.
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        self.now += delay + self.overshoot + self.stalls.get(len(self.slept), 0.0)
        self.slept.append(delay)


async def grant_times(bucket: TokenBucket, time: FakeTime, waiters: int) -> list[float]:
    """When each of `waiters` queued acquirers got its token."""
    granted: list[float] = []

    async def take() -> None:
        await bucket.acquire()
        granted.append(time.now)

    await asyncio.gather(*(take() for _ in range(waiters)))
    return granted


async def test_waiting_posts_go_before_waiting_reveals() -> None:
    time = FakeTime()
    bucket = TokenBucket(rate=10, burst=1, clock=time, sleep=time.sleep)
    order: list[str] = []

    async def take(name: str, priority: int) -> None:
        await bucket.acquire(priority)
        order.append(name)

    await bucket.acquire()  # the one token there is: everyone below waits
    reveals = [asyncio.create_task(take(f"reveal {i}", LATER)) for i in range(3)]
    await asyncio.sleep(0)
    posts = [asyncio.create_task(take(f"post {i}", NOW)) for i in range(2)]
    await asyncio.gather(*reveals, *posts)
    assert order == ["post 0", "post 1", "reveal 0", "reveal 1", "reveal 2"]
    assert time.now == 0.5  # five tokens at 10 per second: the rate holds


async def test_a_cancelled_waiter_does_not_take_a_token() -> None:
    time = FakeTime()
    bucket = TokenBucket(rate=10, burst=1, clock=time, sleep=time.sleep)
    await bucket.acquire()
    gone = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0)
    gone.cancel()
    await bucket.acquire()
    assert gone.cancelled()
    assert time.now == 0.1


async def test_timers_that_wake_late_do_not_slow_the_rate() -> None:
    """Tokens are due at absolute times: a grant loop that wakes 2 ms late each time still grants
    at the rate, each token at most those 2 ms after its time, instead of 2 ms later every token."""
    time = FakeTime(overshoot=0.002)
    bucket = TokenBucket(rate=10, burst=1, clock=time, sleep=time.sleep)
    await bucket.acquire()
    granted = await grant_times(bucket, time, 20)
    for k, at in enumerate(granted, start=1):
        assert k * 0.1 - 1e-9 <= at <= k * 0.1 + 0.002 + 1e-9
    assert time.now == pytest.approx(2.002)


async def test_a_stalled_loop_is_not_made_up_in_a_burst() -> None:
    """A grant loop that wakes later than the catch-up allows (a quarter of an interval) was held
    up by a stalled event loop, which held up the requests granted just before the stall too: they
    reach Discord only now. So nothing is made up and the next token comes one interval after the
    loop woke; the ones after it are an interval apart again."""
    time = FakeTime(stalls={2: 0.5})
    bucket = TokenBucket(rate=10, burst=1, clock=time, sleep=time.sleep)
    await bucket.acquire()
    granted = await grant_times(bucket, time, 8)
    assert granted[:2] == pytest.approx([0.1, 0.2])
    # The third was due at 0.3; the loop woke at 0.8.
    assert granted[2:] == pytest.approx([0.9, 1.0, 1.1, 1.2, 1.3, 1.4])


async def test_waking_just_past_the_catch_up_is_a_stall_too() -> None:
    """Waking 40 ms late at 10 per second (past the 25 ms catch-up) is a stall too."""
    time = FakeTime(stalls={1: 0.04})
    bucket = TokenBucket(rate=10, burst=1, clock=time, sleep=time.sleep)
    await bucket.acquire()
    granted = await grant_times(bucket, time, 4)
    assert granted == pytest.approx([0.1, 0.34, 0.44, 0.54])


async def test_no_burst_after_an_idle_spell() -> None:
    """A bucket of one token saves nothing up while idle: the second of two posts after a quiet
    minute waits a whole interval."""
    time = FakeTime()
    bucket = TokenBucket(rate=10, burst=1, clock=time, sleep=time.sleep)
    await bucket.acquire()
    time.now = 60.0
    await bucket.acquire()
    await bucket.acquire()
    assert time.now == pytest.approx(60.1)


async def test_a_burst_bucket_starts_full_and_refills_at_the_rate() -> None:
    time = FakeTime()
    bucket = TokenBucket(rate=10, burst=3, clock=time, sleep=time.sleep)
    granted = await grant_times(bucket, time, 5)
    assert granted == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.2])


def test_a_channel_discord_py_knows_nothing_of_has_room() -> None:
    buckets = ChannelBuckets()
    assert buckets.wait(7) == 0.0  # not watching any client yet
    buckets.watch(object())  # a client that keeps its buckets some other way
    assert buckets.wait(7) == 0.0


async def test_ready_sleeps_until_discord_py_s_bucket_for_the_channel_resets() -> None:
    """What discord.py's rate limiter holds after a post's headers said 0 remaining, under the
    key it files the channel's posts by (first the route, then the bucket hash Discord named)."""
    loop = asyncio.get_running_loop()
    http = discord.http.HTTPClient(loop)
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=7)
    time = FakeTime()
    buckets = ChannelBuckets(sleep=time.sleep)
    buckets.watch(http)
    limit = http.get_ratelimit(f"{route.key}:{route.major_parameters}")
    limit.remaining, limit.expires = 0, loop.time() + 2.5
    await buckets.ready(7)
    await buckets.ready(8)  # another channel is not held back
    assert time.slept == [pytest.approx(2.5, abs=0.05)]
    http._bucket_hashes[route.key] = "abcd"
    hashed = http.get_ratelimit(f"abcd:{route.major_parameters}")
    hashed.remaining, hashed.expires = 0, loop.time() + 4.0
    assert buckets.wait(7) == pytest.approx(4.0, abs=0.05)
    hashed.remaining = 1  # room again
    assert buckets.wait(7) == 0.0


async def test_ready_does_not_sleep_for_a_channel_with_room() -> None:
    time = FakeTime()
    buckets = ChannelBuckets(sleep=time.sleep)
    buckets.watch(object())
    await buckets.ready(7)
    assert time.slept == []
