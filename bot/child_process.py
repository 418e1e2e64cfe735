"""What the bot's child processes (the grader, the database writer) share: length-prefixed pickles
over the child's stdin and stdout, the start that waits for the child's "ready", and the stop.

Both sides are the same program; nothing a member or a deck wrote is ever unpickled as code."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import struct
import sys
from collections.abc import Sequence
from typing import IO, Any

HEADER = struct.Struct("!I")
STOP_TIMEOUT = 10.0
"""Seconds a child may take to finish and exit once its input is closed, before it is killed."""


async def start(
    command: Sequence[str], *, ready_timeout: float, name: str, fallback: str, log: logging.Logger
) -> asyncio.subprocess.Process | None:
    """Start the child and wait for its ("ready",); None, said once in `log` as '`name` ...;
    `fallback`', if it cannot start or does not get ready."""
    try:
        child = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
    except OSError as exc:
        log.error("%s could not start (%s); %s", name, exc, fallback)
        return None
    assert child.stdout is not None
    try:
        ready = await asyncio.wait_for(read_message(child.stdout), ready_timeout)
    except (TimeoutError, asyncio.IncompleteReadError, pickle.UnpicklingError) as exc:
        log.error("%s did not get ready (%s); %s", name, type(exc).__name__, fallback)
        await stop(child)
        return None
    if ready != ("ready",):
        log.error("%s said %r instead of ready; %s", name, ready, fallback)
        await stop(child)
        return None
    return child


async def stop(child: asyncio.subprocess.Process) -> None:
    """Close the child's input (its cue to finish and exit) and wait; kill it if it hangs."""
    if child.returncode is None:
        if child.stdin is not None and not child.stdin.is_closing():
            child.stdin.close()
        try:
            await asyncio.wait_for(child.wait(), STOP_TIMEOUT)
        except TimeoutError:
            child.kill()
            await child.wait()


def framed(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def pickled(message: Any) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


async def read_raw(stream: asyncio.StreamReader) -> bytes:
    (size,) = HEADER.unpack(await stream.readexactly(HEADER.size))
    return await stream.readexactly(size)


async def read_message(stream: asyncio.StreamReader) -> Any:
    return pickle.loads(await read_raw(stream))


# --- the child's side -------------------------------------------------------------------------


def send(out: IO[bytes], payload: bytes) -> None:
    out.write(framed(payload))
    out.flush()


def receive(stream: IO[bytes]) -> bytes | None:
    """The next message's bytes, or None once the bot closed the child's input."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    return stream.read(size)


def protocol_stdout() -> IO[bytes]:
    """The real stdout, for the protocol alone: anything else printed goes to stderr, as the
    child's log does."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING").upper(), stream=sys.stderr)
    return replies
