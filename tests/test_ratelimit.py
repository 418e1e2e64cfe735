"""Pacing to Discord's limits: the global token bucket serves posts before reveals, and a channel
whose message bucket Discord said is used up is known to be closed until it resets."""

from __future__ import annotations

import asyncio

from bot.ratelimit import LATER, NOW, ChannelBuckets, TokenBucket


class FakeTime:
    """A clock that moves only when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay
        await asyncio.sleep(0)


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


def test_a_used_up_channel_waits_until_its_reset() -> None:
    time = FakeTime()
    buckets = ChannelBuckets(clock=time, sleep=time.sleep)
    buckets.observe(7, {"X-RateLimit-Remaining": "3", "X-RateLimit-Reset-After": "4.0"})
    assert buckets.wait(7) == 0.0
    buckets.observe(7, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "4.5"})
    assert buckets.wait(7) == 4.5
    assert buckets.wait(8) == 0.0  # another channel is not held back
    time.now = 3.0
    assert buckets.wait(7) == 1.5
    time.now = 5.0
    assert buckets.wait(7) == 0.0


def test_answers_without_rate_limit_headers_change_nothing() -> None:
    time = FakeTime()
    buckets = ChannelBuckets(clock=time, sleep=time.sleep)
    buckets.observe(7, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "2"})
    buckets.observe(7, {})
    buckets.observe(7, {"X-RateLimit-Remaining": "many", "X-RateLimit-Reset-After": "2"})
    assert buckets.wait(7) == 2.0


async def test_ready_sleeps_only_for_a_used_up_channel() -> None:
    time = FakeTime()
    buckets = ChannelBuckets(clock=time, sleep=time.sleep)
    await buckets.ready(7)
    buckets.observe(7, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "2.5"})
    await buckets.ready(7)
    assert time.slept == [2.5]
