"""Grading in a child process, so that it runs on another core than the event loop.

Grading is Python. In the bot's own process it holds the interpreter lock the event loop needs, so a
hundred members answering at once are graded and answered in turn on one core, whatever thread the
grading runs in. The child (`python -m bot.study.grading_process`) has an interpreter of its own and
loads the embedding model itself. It is sent each deck once, then per answer the deck's token, the
card's id and the member's text, and it sends back the Verdict. Messages are pickles of the bot's own
objects over the child's stdin and stdout, between two processes of the same program; nothing a
member or a deck wrote is ever run.

If the child cannot start or dies, answers are graded in a thread of the bot's process (as without
it) and the child is started again for later answers, `RESTARTS` times at most."""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import pickle
import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any, Protocol

from bot import child_process
from bot.decks.model import Card, Deck
from bot.grading import Verdict, grade, prepare
from bot.study.shared import settle

log = logging.getLogger("bot.grading_process")

RESTARTS = 3
"""How many times a child that died is started again before grading stays in the bot's process."""
DECKS_KEPT = 64
"""Decks the child holds at once; the least recently used is forgotten (and sent again if needed)."""
READY_TIMEOUT = 120.0
"""Seconds the child may take to import the grader and load its model."""
GRADE_TIMEOUT = 2.0
"""Seconds the child may leave its oldest answer ungraded before it is taken for stuck, stopped,
and its answers graded in the bot's process: within Discord's 3 seconds for the verdict."""


class Grader(Protocol):
    async def grade(
        self, card: Card, response: str, *, deck: Deck | None, extra_accept: Sequence[str] = ()
    ) -> Verdict: ...

    def ask(
        self, card: Card, response: str, *, deck: Deck | None, extra_accept: Sequence[str] = ()
    ) -> asyncio.Future[Verdict]:
        """Start grading now and return the verdict to come (what `grade` awaits), without a task
        of its own; cancelling it stops nobody else's grading."""
        ...

    def expect(self, deck: Deck) -> None:
        """Answers to the deck's cards are coming (a member opened a card's answer form, or a
        drill was opened): make ready to grade them, so that the first answer does not wait."""
        ...

    async def close(self) -> None: ...


class ThreadGrader:
    """`grade` in one thread of the bot's process: off the event loop, under its interpreter lock."""

    _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader")
    """One thread: grading under the lock would not go faster in more threads, only take more turns
    from the event loop."""

    async def grade(
        self, card: Card, response: str, *, deck: Deck | None, extra_accept: Sequence[str] = ()
    ) -> Verdict:
        return await self.ask(card, response, deck=deck, extra_accept=extra_accept)

    def ask(
        self, card: Card, response: str, *, deck: Deck | None, extra_accept: Sequence[str] = ()
    ) -> asyncio.Future[Verdict]:
        work = functools.partial(grade, card, response, deck=deck, extra_accept=extra_accept)
        return asyncio.get_running_loop().run_in_executor(self._executor, work)

    def expect(self, deck: Deck) -> None:
        """Nothing to do: the bot's process prepared its decks when it loaded them."""

    async def close(self) -> None:
        return None


class GradingFailed(RuntimeError):
    """The child raised while grading; its message names the error."""


class _ChildGone(Exception):
    pass


_Question = tuple[int | None, Card | str, str, tuple[str, ...]]
"""What the child is asked to grade: the deck's token, the card (its id in that deck, or itself),
the member's text and the server's approved answers."""


@dataclass
class _Request:
    question: _Question
    card: Card
    deck: Deck | None
    waiting: list[asyncio.Future[Verdict]]
    """Whoever asked this question while it was in flight (some may have given up: cancelled)."""


SEND_AFTER = 0.004
"""Seconds a message may wait for others to share its write to the child (see `_send`). Each
write wakes the child, which costs the event loop a system call of 0.1-0.25 ms here: in a burst of
100 answers, 4 ms (a few writes) gave a lower p99 than 1 ms (a write a millisecond), and 10 ms no
lower than 4."""


class ProcessGrader:
    def __init__(
        self,
        *,
        command: Sequence[str] | None = None,
        grade_timeout: float = GRADE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._command = list(command or (sys.executable, "-m", "bot.study.grading_process"))
        self._grade_timeout = grade_timeout
        self._clock = clock
        self._sleep = sleep
        self._watchdog: asyncio.Task[None] | None = None
        self._sent_at: dict[int, float] = {}
        self._heard_at = 0.0
        self._fallback = ThreadGrader()
        self._child: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None
        self._pending: dict[int, _Request] = {}
        """Requests the child has not answered yet."""
        self._asked: dict[_Question, int] = {}
        """The request in flight for each question, which later askers of it wait for too."""
        self._outbox: _Outbox | None = None
        self._ids = itertools.count()
        self._decks: OrderedDict[int, tuple[Deck, int]] = OrderedDict()
        self._tokens = itertools.count()
        self._starts = 0
        self._closed = False

    @property
    def running(self) -> bool:
        """True while answers go to the child."""
        return self._child is not None

    async def start(self) -> None:
        """Start the child and wait until it is ready; if it cannot start, say so in the log (once)
        and grade in the bot's process meanwhile."""
        if self._child is not None or self._closed:
            return
        if self._starting is None or self._starting.done():
            self._starting = asyncio.create_task(self._start())
        await asyncio.shield(self._starting)

    async def _start(self) -> None:
        self._starts += 1
        child = await child_process.start(
            self._command,
            ready_timeout=READY_TIMEOUT,
            name="grading process",
            fallback="grading in the bot's process",
            log=log,
        )
        if child is None:
            return
        self._decks.clear()
        self._child = child
        self._reader = asyncio.create_task(self._read_verdicts(child))
        self._watchdog = asyncio.create_task(self._watch(child))
        log.info("grading in process %d", child.pid)

    async def _watch(self, child: asyncio.subprocess.Process) -> None:
        """Stop a child that has sat on an answer for longer than the grade timeout (stuck or
        starved); the reader then hands its answers to the bot's process."""
        while self._child is child:
            await self._sleep(self._grade_timeout / 4)
            oldest = next(iter(self._sent_at.values()), None)
            if oldest is None:
                continue
            # A child still answering is busy, not stuck (its answers may wait for a busy loop).
            waited = self._clock() - max(oldest, self._heard_at)
            if waited > self._grade_timeout:
                log.error(
                    "grading process %d answered nothing for %.1f s; stopping it",
                    child.pid,
                    waited,
                )
                child.kill()
                return

    async def grade(
        self, card: Card, response: str, *, deck: Deck | None, extra_accept: Sequence[str] = ()
    ) -> Verdict:
        return await self.ask(card, response, deck=deck, extra_accept=extra_accept)

    def ask(
        self, card: Card, response: str, *, deck: Deck | None, extra_accept: Sequence[str] = ()
    ) -> asyncio.Future[Verdict]:
        """The request goes to the child at once (no task per answer). Members answering a drill
        card at once often write the same words: a question already in flight is not asked
        again, and its verdict goes to all who asked as soon as it is graded (asked again, each
        would wait behind every other answer in the child)."""
        child = self._child
        extra = tuple(extra_accept)
        if child is None:
            starting = self._starting is not None and not self._starting.done()
            if not self._closed and not starting and self._starts <= RESTARTS:
                self._starting = asyncio.create_task(self._start())
            return self._fallback.ask(card, response, deck=deck, extra_accept=extra)
        answered: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
        try:
            question: _Question = (
                self._deck_token(child, deck),
                _card_ref(card, deck),
                response,
                extra,
            )
            request = self._asked.get(question)
            if request is None:
                request = next(self._ids)
                idle = not self._pending
                self._send(child, ("grade", request, *question), now=idle)
                self._asked[question] = request
                self._pending[request] = _Request(question, card, deck, [answered])
                self._sent_at[request] = self._clock()
            else:
                self._pending[request].waiting.append(answered)
        except _ChildGone:
            return self._fallback.ask(card, response, deck=deck, extra_accept=extra)
        return answered

    def expect(self, deck: Deck) -> None:
        """Send the deck to the child now if it does not hold it: the child compiles a deck's
        cards when it is sent one (for the shipped decks, a third of a second), and an answer that
        brought the deck waited for that, with every answer behind it."""
        child = self._child
        if child is None:
            return
        try:
            self._deck_token(child, deck)
        except _ChildGone:
            return  # the reader hands the answers in flight to the bot's process

    def _deck_token(self, child: asyncio.subprocess.Process, deck: Deck | None) -> int | None:
        if deck is None:
            return None
        known = self._decks.get(id(deck))
        if known is not None and known[0] is deck:
            self._decks.move_to_end(id(deck))
            return known[1]
        token = next(self._tokens)
        self._send(child, ("deck", token, deck))
        self._decks[id(deck)] = (deck, token)
        while len(self._decks) > DECKS_KEPT:
            _, (_, old) = self._decks.popitem(last=False)
            self._send(child, ("forget", old))
        return token

    def _send(
        self, child: asyncio.subprocess.Process, message: tuple[Any, ...], *, now: bool = False
    ) -> None:
        """Queue a message for the child. A write to the pipe is a system call that wakes the
        child, and one per answer cost the event loop more than the pickling, so messages share
        writes: they go out at the end of this turn of the event loop, or as soon as the oldest
        has waited `SEND_AFTER` (a turn of a busy loop can take many milliseconds, and the child
        would sit idle meanwhile), or at once with `now` (the child has nothing else to do)."""
        stdin = child.stdin
        if stdin is None or stdin.is_closing():
            raise _ChildGone()
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        box = self._outbox
        if box is None or box.stdin is not stdin:
            box = self._outbox = _Outbox(stdin, [], self._clock())
            asyncio.get_running_loop().call_soon(self._flush, box)
        box.parts.append(child_process.framed(payload))
        if now or self._clock() - box.opened >= SEND_AFTER:
            self._flush(box)

    def _flush(self, box: _Outbox) -> None:
        if self._outbox is not box:
            return  # already written
        self._outbox = None
        if not box.stdin.is_closing():  # else the child is gone, and the reader fails its answers
            box.stdin.write(b"".join(box.parts))

    async def _read_verdicts(self, child: asyncio.subprocess.Process) -> None:
        assert child.stdout is not None
        try:
            while True:
                request, verdict, error = await child_process.read_message(child.stdout)
                self._heard_at = self._clock()
                self._sent_at.pop(request, None)
                asked = self._pending.pop(request, None)
                if asked is None:
                    continue
                if self._asked.get(asked.question) == request:
                    del self._asked[asked.question]
                for answered in asked.waiting:
                    if answered.done():
                        continue  # cancelled: that member's interaction gave up
                    if error is None:
                        answered.set_result(verdict)
                    else:
                        answered.set_exception(GradingFailed(error))
        except (asyncio.IncompleteReadError, pickle.UnpicklingError, ValueError) as exc:
            if not self._closed:
                log.error(
                    "grading process %d stopped (%s); grading in the bot's process",
                    child.pid,
                    type(exc).__name__,
                )
        finally:
            if self._child is child:
                self._child = None
            unanswered, self._pending = self._pending, {}
            self._asked.clear()
            self._sent_at.clear()
            for asked in unanswered.values():
                if all(answered.done() for answered in asked.waiting):
                    continue
                _, _, response, extra = asked.question
                graded = self._fallback.ask(
                    asked.card, response, deck=asked.deck, extra_accept=extra
                )
                graded.add_done_callback(functools.partial(settle, asked.waiting))
            await child_process.stop(child)

    async def close(self) -> None:
        """Stop the child; answers still being graded are finished in the bot's process."""
        self._closed = True
        if self._starting is not None:
            await asyncio.gather(self._starting, return_exceptions=True)
        child, self._child = self._child, None
        if child is not None and child.stdin is not None:
            child.stdin.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._watchdog is not None:
            self._watchdog.cancel()
            await asyncio.gather(self._watchdog, return_exceptions=True)


@dataclass
class _Outbox:
    stdin: asyncio.StreamWriter
    parts: list[bytes]
    opened: float


def _card_ref(card: Card, deck: Deck | None) -> Card | str:
    """The card's id when the child can find this very card in the deck it was sent, else the card."""
    if deck is None:
        return card
    try:
        return card.id if deck.card(card.id) is card else card
    except KeyError:
        return card


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The child's loop: decks and answers in, verdicts out, until its input closes."""
    decks: dict[int, Deck] = {}
    child_process.send(replies, child_process.pickled(("ready",)))
    while (raw := child_process.receive(requests)) is not None:
        message = pickle.loads(raw)
        kind = message[0]
        if kind == "deck":
            _, token, deck = message
            prepare(deck)
            decks[token] = deck
        elif kind == "forget":
            decks.pop(message[1], None)
        elif kind == "grade":
            _, request, token, card, response, extra = message
            try:
                deck = decks[token] if token is not None else None
                if isinstance(card, str):
                    assert deck is not None
                    card = deck.card(card)
                verdict = grade(card, response, deck=deck, extra_accept=extra)
            except Exception as exc:  # reported to the bot, which answers the member
                log.exception("grading failed")
                child_process.send(
                    replies, child_process.pickled((request, None, f"{type(exc).__name__}: {exc}"))
                )
            else:
                child_process.send(replies, child_process.pickled((request, verdict, None)))


def main() -> None:
    with child_process.protocol_stdout() as replies:
        serve(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
