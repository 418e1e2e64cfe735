from __future__ import annotations

import asyncio

import pytest

from bot.study.shared import SharedReads


async def test_callers_at_the_same_moment_share_one_read_and_later_ones_read_again() -> None:
    reads = SharedReads()
    started = 0
    release = asyncio.Event()

    async def read() -> tuple[str, ...]:
        nonlocal started
        started += 1
        await release.wait()
        return ("approved", str(started))

    waiting = [asyncio.ensure_future(reads.get("card", read)) for _ in range(50)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*waiting)
    assert started == 1
    assert all(r is results[0] for r in results)
    assert await reads.get("card", read) == ("approved", "2")  # nothing is kept afterwards
    assert await reads.get("other card", read) == ("approved", "3")


async def test_a_cancelled_caller_leaves_the_read_to_the_others_and_errors_reach_everyone() -> None:
    reads = SharedReads()
    release = asyncio.Event()

    async def read() -> int:
        await release.wait()
        return 7

    first = asyncio.ensure_future(reads.get("k", read))
    second = asyncio.ensure_future(reads.get("k", read))
    await asyncio.sleep(0)
    first.cancel()
    release.set()
    assert await second == 7
    with pytest.raises(asyncio.CancelledError):
        await first

    async def broken() -> int:
        await asyncio.sleep(0)
        raise LookupError("gone")

    both = [asyncio.ensure_future(reads.get("bad", broken)) for _ in range(2)]
    for result in await asyncio.gather(*both, return_exceptions=True):
        assert isinstance(result, LookupError)
