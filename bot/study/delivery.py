"""Sending scheduled work to Discord: what a failed send means, and retrying the passing ones.

Every send of scheduled work (a drill post, its results line, a session question, a session's
results) is a step the scheduler's tick repeats until Discord confirms it. Within one tick a passing
failure is tried again after a short pause; past that, the work stays pending and the next tick
(a minute later) tries again, first looking in the channel for what an earlier try may have posted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_PAUSES: tuple[float, ...] = (1.0, 4.0)
"""Pauses between the tries of one send within a tick (seconds of real time)."""


class DeliveryFailed(Exception):
    """A send Discord did not take. `permanent` failures (the channel or message is gone, the bot may
    not post there, Discord refused the payload) will not pass by trying again: the schedule pauses
    with the reason. Others (429, 5xx, timeouts, a dropped connection) are retried."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


async def retrying(
    send: Callable[[], Awaitable[T]], what: str, pauses: tuple[float, ...] | None = None
) -> T:
    """`send()`, tried again after each pause while it fails in a passing way."""
    pauses = RETRY_PAUSES if pauses is None else pauses
    for pause in pauses:
        try:
            return await send()
        except DeliveryFailed as exc:
            if exc.permanent:
                raise
            log.info("%s: %s; trying again in %.1f s", what, exc.reason, pause)
            await asyncio.sleep(pause)
    return await send()
