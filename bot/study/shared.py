"""Reads that callers asking for the same thing at the same moment share.

When a hundred members answer the same drill card at once, each answer needs the same server
settings and the same approved answers for that card. Asking the database a hundred times for them
costs a hundred hand-offs to a reader thread, each taking the interpreter lock from the event loop
and back. `SharedReads` lets the calls that arrive while a read for their key is in flight wait
for that read instead of starting their own. Nothing is kept once the read completes, so no value
is older than the read that was in flight when the caller asked: a caller may get the result of
a read that started a few milliseconds before it asked, never an older one.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


class SharedReads:
    def __init__(self) -> None:
        self._in_flight: dict[Hashable, list[asyncio.Future[Any]]] = {}

    def get(self, key: Hashable, read: Callable[[], Awaitable[T]]) -> asyncio.Future[T]:
        """The result of `read()`, or of the read for `key` already in flight, to await. `read`
        must return a value the callers do not change (they all get the same object). A future
        rather than a coroutine, so that a caller can start several reads at once without a task
        for each; each caller has its own, so one caller cancelled (its interaction timed out)
        cancels nobody else's read. The read's end settles all of them in one callback (a shield
        per caller cost three callbacks each)."""
        mine: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiting = self._in_flight.get(key)
        if waiting is None:
            waiting = self._in_flight[key] = []
            task = asyncio.ensure_future(read())
            task.add_done_callback(functools.partial(self._settle, key, waiting))
        waiting.append(mine)
        return mine

    def _settle(
        self, key: Hashable, waiting: list[asyncio.Future[Any]], task: asyncio.Future[Any]
    ) -> None:
        if self._in_flight.get(key) is waiting:
            del self._in_flight[key]
        if not task.cancelled():
            task.exception()  # retrieved here, in case every caller was cancelled meanwhile
        settle(waiting, task)


def settle(waiting: Iterable[asyncio.Future[T]], source: asyncio.Future[T]) -> None:
    """Give `source`'s outcome (result, error or cancellation) to each future still waiting; one
    already done was cancelled by its caller, who gave up."""
    for caller in waiting:
        if caller.done():
            continue
        if source.cancelled():
            caller.cancel()
        elif (error := source.exception()) is not None:
            caller.set_exception(error)
        else:
            caller.set_result(source.result())
