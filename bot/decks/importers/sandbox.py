"""Untrusted files are imported in a separate process with a time and a memory budget.

An upload can be built to be slow or huge to read (hundreds of thousands of notes, one field of
150 MB, an expensive generated column in an Anki collection). Read in the bot's process it would
stall every member's answers; here it costs at most `seconds` of wall time and `memory` bytes of
address space in a child that is killed when either runs out, and the caller gets a DeckError
naming the file, as for any other bad deck.
"""

from __future__ import annotations

import multiprocessing
import resource
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bot.decks.errors import DeckError, Problem
from bot.decks.importers import import_bytes, read_file
from bot.decks.importers.result import ImportResult

IMPORT_SECONDS = 10.0
IMPORT_MEMORY = 768 << 20
"""Address space for the child: with the bot's own process, well under 1 GiB in all."""


def _child(
    pipe: Connection, data: bytes, filename: str, options: dict[str, Any], memory: int
) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        outcome: tuple[str, object] = ("ok", import_bytes(data, filename, **options))
    except DeckError as exc:
        outcome = ("problems", exc.problems)
    except MemoryError:
        outcome = ("memory", None)
    except RecursionError:
        outcome = ("problems", (Problem(filename, "is nested too deeply to read"),))
    except Exception as exc:  # an importer bug must still come back as a clear refusal
        outcome = ("problems", (Problem(filename, f"could not be read ({type(exc).__name__})"),))
    try:
        pipe.send(outcome)
    except MemoryError:
        pipe.send(("memory", None))
    finally:
        pipe.close()


def import_file_isolated(path: str | Path, **options: Any) -> ImportResult:
    return import_isolated(read_file(path), str(path), **options)


def import_isolated(
    data: bytes,
    filename: str,
    *,
    seconds: float = IMPORT_SECONDS,
    memory: int = IMPORT_MEMORY,
    **options: Any,
) -> ImportResult:
    """`import_bytes` in a child process; blocks the calling thread (run it in one) until done."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, data, filename, options, memory), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise DeckError.single(
                filename, f"took longer than {seconds:g} s to read; split it into smaller decks"
            )
        try:
            kind, payload = receiver.recv()
        except (EOFError, OSError):
            raise DeckError.single(filename, "could not be read (the importer stopped)") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if kind == "ok":
        assert isinstance(payload, ImportResult)
        return payload
    if kind == "memory":
        raise DeckError.single(
            filename,
            f"needs more than {memory // (1 << 20)} MB to read; split it into smaller decks",
        )
    assert isinstance(payload, tuple)
    raise DeckError(payload)
