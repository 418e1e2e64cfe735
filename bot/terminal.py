"""`python -m bot study DECK`: a drill in the terminal with the same grader, spaced repetition and
database as the Discord bot, for a local member. No Discord account needed."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.decks import DeckLibrary, load_deck, load_library
from bot.storage import Storage
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, SystemClock, to_ms
from bot.study.practice import Member, StudyService

LOCAL_MEMBER = Member(guild_id=0, user_id=0, display_name="you")
MARKS = {"correct": "✓", "close": "~", "wrong": "✗"}


def resolve_deck(reference: str, decks_dir: Path) -> tuple[DeckLibrary, str]:
    """A deck file path, or the id of a deck in the decks directory."""
    path = Path(reference)
    if path.suffix == ".toml" or path.is_file():
        deck = load_deck(path)
        return DeckLibrary(decks={deck.id: deck}), deck.id
    library = load_library(decks_dir)
    if reference not in library:
        known = ", ".join(sorted(library.decks)) or "none"
        raise LookupError(f"no deck {reference!r} in {decks_dir} (available: {known})")
    return library, reference


async def run_study(
    deck_reference: str,
    *,
    database: Path,
    decks_dir: Path,
    count: int,
    ask: Callable[[str], str],
    out: TextIO,
    clock: Clock | None = None,
) -> int:
    library, deck_id = resolve_deck(deck_reference, decks_dir)
    clock = clock or SystemClock()
    storage = await Storage.open(database, now_ms=to_ms(clock.now()))
    try:
        service = StudyService(storage, DeckCatalog(library), clock)
        deck = service.deck(LOCAL_MEMBER.guild_id, deck_id)
        queue = await service.next_cards(LOCAL_MEMBER, deck_id, count)
        due = sum(1 for q in queue if q.due and not q.new)
        new = sum(1 for q in queue if q.new)
        print(f"{deck.name}: {len(queue)} cards ({due} due, {new} new). ", end="", file=out)
        print("Type your answer; '?' for a hint, empty to skip, 'q' to stop.", file=out)
        correct = points = answered = 0
        interrupted = False
        try:
            for number, queued in enumerate(queue, start=1):
                card = queued.card
                practice = "" if queued.due else "  (practice: not due yet, no points)"
                print(f"\n[{number}/{len(queue)}] {card.question}{practice}", file=out)
                response = await _ask(ask, "> ")
                if response.strip() == "?":
                    print(f"  hint: {card.hint or 'no hint for this card'}", file=out)
                    response = await _ask(ask, "> ")
                if response.strip().lower() in {"q", "quit", "exit"}:
                    break
                if not response.strip():
                    print(f"  skipped. Answer: {card.answer}", file=out)
                    continue
                result = await service.answer(
                    LOCAL_MEMBER, deck_id, card.id, response, attempt_key=f"terminal:{uuid.uuid4()}"
                )
                answered += 1
                correct += result.verdict.correct
                points += result.points
                mark = MARKS[result.verdict.outcome]
                gained = f" (+{result.points})" if result.points else ""
                print(f"  {mark} {result.verdict.feedback}{gained}", file=out)
                print(f"  answer: {card.answer}", file=out)
                print(f"  progress: {number}/{len(queue)} · {correct} correct", file=out)
        except (KeyboardInterrupt, asyncio.CancelledError):
            interrupted = True
            print("\nStopped.", file=out)
        print(f"\nDone: {correct}/{answered} correct, {points} points.", file=out)
        return 130 if interrupted else 0
    finally:
        await storage.close()


async def _ask(ask: Callable[[str], str], prompt: str) -> str:
    """Read a line in a daemon thread: Ctrl-C must not wait for Enter (the default executor joins
    its threads when the loop closes, and input() cannot be interrupted)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def settle(value: str | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value or "")

    def read() -> None:
        try:
            value = ask(prompt)
        except BaseException as exc:  # handed to the awaiting task
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, value, None)

    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    return await future


def read_line(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:
        return "q"
