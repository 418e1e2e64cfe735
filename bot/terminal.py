"""`python -m bot study DECK`: a drill in the terminal with the same grader, spaced repetition and
database as the Discord bot, for a local member. No Discord account needed.

Input is read in the main thread, between steps run on one event loop (`asyncio.Runner`), by a
reader that notices Ctrl-C within 0.1 s whichever thread the signal reached (see LineReader); a
Ctrl-C while an answer is graded cancels that step. Ctrl-C and Ctrl-D both end the round at once
with its summary.
"""

from __future__ import annotations

import asyncio
import os
import select
import sys
import uuid
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

from bot.decks import Card, Deck, DeckError, DeckLibrary, load_deck, load_library
from bot.grading import Outcome
from bot.storage import Storage
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, SystemClock, to_ms
from bot.study.practice import (
    DEFAULT_MISSED_DAYS,
    MAX_MISSED_DAYS,
    DeckOutlook,
    Member,
    QueuedCard,
    StudyService,
    outlook_sentences,
)

LOCAL_MEMBER = Member(guild_id=0, user_id=0, display_name="you")
MARKS: dict[Outcome, str] = {"correct": "✓", "close": "~", "wrong": "✗"}
STOP_WORDS = {"q", "quit", "exit"}
T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# Finding decks and cards by what a person types


def resolve_deck(reference: str, decks_dir: Path) -> tuple[DeckLibrary, str]:
    """A deck file path, or a deck in the decks directory by id (or by name, ignoring case)."""
    path = Path(reference)
    if path.is_file() or path.suffix == ".toml" or (os.sep in reference and not path.exists()):
        deck = load_deck(path)
        return DeckLibrary(decks={deck.id: deck}), deck.id
    if path.is_dir():
        raise LookupError(f"{reference} is a directory; give a deck id or a deck's .toml file")
    library = load_library(decks_dir)
    wanted = reference.strip().casefold()
    for deck in library.decks.values():
        if deck.id == reference or deck.id.casefold() == wanted:
            return library, deck.id
    named = [deck for deck in library.decks.values() if deck.name.casefold() == wanted]
    if len(named) == 1:
        return library, named[0].id
    for failed in library.failed:
        if Path(failed).stem.casefold() == wanted:
            problems = [p for p in library.problems if p.path == failed]
            raise DeckError(problems)
    if not Path(decks_dir).is_dir():
        raise LookupError(
            f"no deck {reference!r}: {decks_dir} is not a directory of decks"
            " (set DECKS_DIR, or give a deck's .toml file)"
        )
    known = ", ".join(sorted(library.decks)) or "none"
    raise LookupError(f"no deck {reference!r} in {decks_dir} (available: {known})")


def _question_key(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip("?.!: ")


def find_card(deck: Deck, reference: str) -> Card:
    """A card by its id, else by its exact question, else by the start of its question, else by
    words in it (ignoring case and spacing). An exact question wins over a longer question that
    starts the same way."""
    for card in deck.cards:
        if card.id == reference:
            return card
    wanted = _question_key(reference)
    if not wanted:
        raise DeckError.single(deck.path or deck.id, "name a card by its id or its question")
    for step in (
        lambda question: question == wanted,
        lambda question: question.startswith(wanted),
        lambda question: wanted in question,
    ):
        matches = [card for card in deck.cards if step(_question_key(card.question))]
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = "; ".join(f"{c.id}: {c.question[:50]}" for c in matches[:5])
            raise DeckError.single(
                deck.path or deck.id,
                f"{reference!r} matches {len(matches)} cards ({listed}); give a card id",
            )
    raise DeckError.single(
        deck.path or deck.id, f"no card has id {reference!r} or a question with it"
    )


# ---------------------------------------------------------------------------------------------
# Output


def colour_wanted(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour for a terminal that shows it: `stream` is a tty, `NO_COLOR` is unset or empty
    (https://no-color.org) and TERM is not "dumb"."""
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:  # a closed stream
        return False


@dataclass(frozen=True)
class Style:
    colour: bool

    def _paint(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour and text else text

    def bold(self, text: str) -> str:
        return self._paint("1", text)

    def dim(self, text: str) -> str:
        return self._paint("2", text)

    def outcome(self, outcome: Outcome | None, text: str) -> str:
        code = {"correct": "32", "close": "33", "wrong": "31"}.get(outcome or "", "2")
        return self._paint(code, text)


def hanging(label: str, text: str) -> str:
    """`label` then `text`, the lines after the first indented under the first's start."""
    lines = text.strip("\n").splitlines() or [""]
    pad = " " * len(label)
    return "\n".join([label + lines[0], *(pad + line for line in lines[1:])])


def relative(at: datetime, now: datetime) -> str:
    """ "in 9 minutes", "in 3 hours", "in 2 days": a time the reader needs no time zone for."""
    seconds = (at - now).total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 60:
        return "in under a minute"
    for size, unit, until in ((60, "minute", 90 * 60), (3600, "hour", 36 * 3600)):
        if seconds < until:
            amount = round(seconds / size)
            return f"in {amount} {unit}{'' if amount == 1 else 's'}"
    days = round(seconds / 86400)
    return f"in {days} day{'' if days == 1 else 's'}"


# ---------------------------------------------------------------------------------------------
# The round


@dataclass(frozen=True)
class _Missed:
    card: Card
    outcome: Outcome | None  # None: skipped


class _Round:
    def __init__(
        self,
        runner: asyncio.Runner,
        service: StudyService,
        deck_id: str,
        ask: Callable[[str], str],
        out: TextIO,
        style: Style,
    ) -> None:
        self.runner = runner
        self.service = service
        self.deck_id = deck_id
        self.ask = ask
        self.out = out
        self.style = style
        self.correct = self.points = self.answered = 0
        self.missed: list[_Missed] = []
        self.scored = True

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def when(self, at: datetime) -> str:
        return relative(at, self.service.clock.now())

    def play(self, count: int) -> int:
        deck = self.service.deck(LOCAL_MEMBER.guild_id, self.deck_id)
        plan = self.run(self.service.plan(LOCAL_MEMBER, self.deck_id, count))
        queue = plan.cards
        if not queue:
            why = " ".join(outlook_sentences(plan.outlook, self.when))
            self.say(f"{self.style.bold(deck.name)}: nothing to study right now. {why}")
            return 0
        due = sum(1 for q in queue if q.due and not q.new)
        new = sum(1 for q in queue if q.new)
        practice = len(queue) - due - new
        counts = f"{len(queue)} cards ({due} due, {new} new{f', {practice} practice' if practice else ''})"
        self.say(
            f"{self.style.bold(deck.name)}: {counts}. {self._why_practice(plan.outlook, due + new)}"
            "Type your answer; '?' for a hint, empty to skip, 'q' to stop."
        )
        return self._ask_all(queue)

    def play_missed(self, count: int, days: int) -> int:
        """A review of the cards missed (wrong or close) in the last `days` days, the latest
        first: no points, but each answer reschedules its card as usual."""
        deck = self.service.deck(LOCAL_MEMBER.guild_id, self.deck_id)
        plan = self.run(self.service.missed(LOCAL_MEMBER, self.deck_id, count, days=days))
        period = "day" if days == 1 else f"{days} days"
        if not plan.cards:
            self.say(
                f"{self.style.bold(deck.name)}: nothing to review: no card was answered wrong or"
                f" close in the last {period}."
            )
            return 0
        self.scored = False
        self.say(
            f"{self.style.bold(deck.name)}: {len(plan.cards)} cards missed in the last {period},"
            " the latest first. A review earns no points; each answer still reschedules its"
            " card.\nType your answer; '?' for a hint, empty to skip, 'q' to stop."
        )
        return self._ask_all([QueuedCard(card, due=True, new=False) for card in plan.cards])

    def _ask_all(self, queue: list[QueuedCard]) -> int:
        stopped = "finished"
        try:
            for number, queued in enumerate(queue, start=1):
                if not self._card(number, len(queue), queued.card, queued.due):
                    stopped = "quit"
                    break
        except KeyboardInterrupt:
            stopped = "interrupted"
            self.say("\nStopped.")
        except EOFError:
            stopped = "quit"
            self.say()
        self._summary()
        return 130 if stopped == "interrupted" else 0

    def _why_practice(self, outlook: DeckOutlook, studying: int) -> str:
        if studying:
            return ""
        why = " ".join(outlook_sentences(outlook, self.when))
        return f"Nothing is due, so this is practice (no points). {why}\n"

    def _card(self, number: int, total: int, card: Card, due: bool) -> bool:
        """Ask one card; False when the member asked to stop."""
        practice = "" if due else self.style.dim("  (practice: not due yet, no points)")
        self.say()
        self.say(hanging(f"[{number}/{total}] ", self.style.bold(card.question)) + practice)
        picture = self.service.deck(LOCAL_MEMBER.guild_id, self.deck_id).image_path(card)
        if picture is not None:
            shown = picture if picture.is_file() else f"{picture} (missing)"
            self.say(hanging("  image: ", str(shown)))
        response = self.ask("> ")
        if response.strip() == "?":
            self.say(hanging("  hint: ", card.hint or "no hint for this card"))
            response = self.ask("> ")
        if response.strip().lower() in STOP_WORDS:
            return False
        if not response.strip():
            self.missed.append(_Missed(card, None))
            text = hanging("  skipped. Answer: ", card.answer)
            self.say(f"  {self.style.dim('skipped.')}{text[len('  skipped.') :]}")
            self._progress(number, total)
            return True
        result = self.run(
            self.service.answer(
                LOCAL_MEMBER,
                self.deck_id,
                card.id,
                response,
                attempt_key=f"terminal:{uuid.uuid4()}",
                scored=self.scored,
            )
        )
        outcome = result.verdict.outcome
        self.answered += 1
        self.correct += result.verdict.correct
        self.points += result.points
        if not result.verdict.correct:
            self.missed.append(_Missed(card, outcome))
        gained = f" (+{result.points})" if result.points else ""
        self.say(
            self.style.outcome(outcome, f"  {MARKS[outcome]} {result.verdict.feedback}{gained}")
        )
        self.say(hanging("  answer: ", card.answer))
        self._progress(number, total)
        return True

    def _progress(self, number: int, total: int) -> None:
        self.say(self.style.dim(f"  progress: {number}/{total} · {self.correct} correct"))

    def _summary(self) -> None:
        skipped = sum(1 for m in self.missed if m.outcome is None)
        extra = f", {skipped} skipped" if skipped else ""
        self.say()
        self.say(
            self.style.bold(
                f"Done: {self.correct}/{self.answered} correct, {self.points} points{extra}."
            )
        )
        if self.missed:
            self.say("To review:")
            for missed in self.missed:
                mark = MARKS[missed.outcome] if missed.outcome else "–"
                label = "" if missed.outcome else " (skipped)"
                self.say(
                    self.style.outcome(
                        missed.outcome, hanging(f"  {mark} ", missed.card.question + label)
                    )
                )
                self.say(hanging("    ", missed.card.answer))
        outlook = self.run(self.service.outlook(LOCAL_MEMBER, self.deck_id))
        self.say(hanging("Next: ", " ".join(outlook_sentences(outlook, self.when))))


def run_study(
    deck_reference: str,
    *,
    database: str | Path,
    decks_dir: Path,
    count: int,
    ask: Callable[[str], str],
    out: TextIO,
    clock: Clock | None = None,
    colour: bool | None = None,
    missed: bool = False,
    days: int = DEFAULT_MISSED_DAYS,
) -> int:
    """One round in the terminal. `ask` reads a line (raising EOFError at the end of input, or
    KeyboardInterrupt on Ctrl-C); the exit status is 130 after Ctrl-C, else 0. With `missed`, a
    review of the cards answered wrong or close in the last `days` days instead."""
    if count < 1:
        raise LookupError(f"--count must be at least 1, not {count}")
    if not 1 <= days <= MAX_MISSED_DAYS:
        raise LookupError(f"--days must be 1 to {MAX_MISSED_DAYS}, not {days}")
    library, deck_id = resolve_deck(deck_reference, decks_dir)
    clock = clock or SystemClock()
    style = Style(colour_wanted(out) if colour is None else colour)
    with asyncio.Runner() as runner:
        storage = runner.run(Storage.open(database, now_ms=to_ms(clock.now())))
        try:
            service = StudyService(storage, DeckCatalog(library), clock)
            round_ = _Round(runner, service, deck_id, ask, out, style)
            return round_.play_missed(count, days) if missed else round_.play(count)
        finally:
            runner.run(storage.close())


class LineReader:
    """Lines typed at the keyboard (or piped in), read so that Ctrl-C always interrupts at once.

    `input()` cannot promise that: a SIGINT that arrives just before it blocks in read() (or in
    readline's select()) is noted by Python's C handler, but nothing wakes the blocked call, so the
    prompt waits for Enter. Here the wait is a select() with a short timeout, so a pending Ctrl-C
    is acted on within a tenth of a second wherever it arrived. (This forgoes readline's arrow keys;
    the terminal's own line editing, backspace and Ctrl-U, still works.)"""

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self._pending = bytearray()
        self._ended = False

    def __call__(self, prompt: str) -> str:
        """The next line without its line ending; EOFError at the end of input (Ctrl-D)."""
        try:
            fd = self.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            return input(prompt)  # no file descriptor to wait on (an embedded interpreter)
        if os.name != "posix":
            return input(prompt)  # select() waits on sockets only on Windows
        if self._ended and not self._pending:
            raise EOFError
        self.stdout.write(prompt)
        self.stdout.flush()
        while b"\n" not in self._pending and not self._ended:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                # The end of input: Ctrl-D, or the end of a pipe. A last line typed without
                # Enter is still an answer, and the one after it is the end.
                self._ended = True
                if not self._pending:
                    raise EOFError
                self.stdout.write("\n")
            self._pending += chunk
        line, _, rest = bytes(self._pending).partition(b"\n")
        self._pending = bytearray(rest)
        return line.decode("utf-8", errors="replace").rstrip("\r")


def read_line(prompt: str) -> str:
    """A line from standard input (see LineReader)."""
    return _STDIN(prompt)


_STDIN = LineReader()
