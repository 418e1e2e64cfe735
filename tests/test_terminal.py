"""`python -m bot study` through its public entry point, with injected input, output and clock, on a
real database; and once in a real pseudo-terminal, where Ctrl-C and Ctrl-D come from the keyboard."""

from __future__ import annotations

import asyncio
import io
import os
import re
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.study.clock import ManualClock
from bot.terminal import colour_wanted, hanging, relative, run_study
from tests.conftest import DECKS_DIR, REPO_ROOT

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Step = str | BaseException


def keyboard(steps: Iterable[Step]) -> Callable[[str], str]:
    """A reader that types each step in turn; an exception step is raised (Ctrl-C, Ctrl-D)."""
    pending = list(steps)

    def ask(prompt: str) -> str:
        if not pending:
            raise EOFError
        step = pending.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step

    return ask


def study(
    tmp_path: Path,
    steps: Iterable[Step],
    *,
    deck: str = "understanding-cnns",
    count: int = 4,
    clock: ManualClock | None = None,
    colour: bool = False,
) -> tuple[int, str]:
    out = io.StringIO()
    code = run_study(
        deck,
        database=tmp_path / "study.sqlite3",
        decks_dir=DECKS_DIR,
        count=count,
        ask=keyboard(steps),
        out=out,
        clock=clock or ManualClock(START),
        colour=colour,
    )
    return code, out.getvalue()


def test_ctrl_c_at_a_prompt_ends_at_once_with_the_summary(tmp_path: Path) -> None:
    code, out = study(tmp_path, ["tomatoes", "", KeyboardInterrupt()])
    assert code == 130
    assert "\nStopped.\n" in out
    summary = out[out.index("Stopped.") :]
    assert "Done: 0/1 correct, 0 points, 1 skipped." in summary
    # The cards missed are listed for review, each with its reference answer.
    assert "  ✗ What is a CNN?\n    A type of deep neural network designed" in summary
    assert "– What are key applications of CNNs? (skipped)\n    Used in facial" in summary
    assert "Next: " in summary
    assert "[3/4]" in out and "[4/4]" not in out


class InterruptingClock(ManualClock):
    """Presses Ctrl-C (a real SIGINT to this process) when armed and the time is next read: in
    the middle of grading and recording an answer."""

    armed = False

    def now(self) -> datetime:
        if self.armed:
            self.armed = False
            os.kill(os.getpid(), signal.SIGINT)
        return super().now()


def test_ctrl_c_while_an_answer_is_graded_ends_at_once_with_the_summary(tmp_path: Path) -> None:
    clock = InterruptingClock(START)

    def ask(prompt: str) -> str:
        clock.armed = True
        return "tomatoes"

    out = io.StringIO()
    code = run_study(
        "understanding-cnns",
        database=tmp_path / "study.sqlite3",
        decks_dir=DECKS_DIR,
        count=3,
        ask=ask,
        out=out,
        clock=clock,
        colour=False,
    )
    assert code == 130
    text = out.getvalue()
    assert "[1/3] What is a CNN?\n\nStopped.\n" in text
    assert "Done: 0/0 correct, 0 points." in text
    assert "Next: 10 new cards left today." in text


def test_ctrl_d_ends_the_round_with_the_summary_too(tmp_path: Path) -> None:
    code, out = study(tmp_path, ["facial recognition", EOFError()])
    assert code == 0
    assert "Stopped." not in out
    assert "Done: 0/1 correct, 0 points." in out
    assert re.search(r"To review:\n  [✗~] What is a CNN\?\n    A type of deep neural", out)


def test_the_summary_lists_missed_cards_with_answers_and_when_the_deck_is_next_due(
    tmp_path: Path,
) -> None:
    code, out = study(
        tmp_path,
        [
            "A type of deep neural network for visual data",
            "tomatoes",
            "",
            "edges, textures and objects",
        ],
    )
    assert code == 0
    assert "Done: 2/3 correct, 20 points, 1 skipped." in out
    review = out[out.index("To review:") :]
    assert "✗ What are key applications of CNNs?" in review
    assert "    Used in facial recognition" in review
    assert "– What is Convolution? (skipped)" in review
    assert "What is a CNN?" not in review
    # Ten new cards a day per deck: four were asked, three answered and recorded.
    assert "Next: 7 new cards left today. Next card due in 1 minute." in review


def test_skipping_prints_the_progress_line_as_answering_does(tmp_path: Path) -> None:
    _, out = study(tmp_path, ["", "", "q"], count=3)
    blocks = out.split("\n[")
    assert "  skipped. Answer: A type of deep neural network" in blocks[1]
    assert blocks[1].rstrip().endswith("progress: 1/3 · 0 correct")
    assert blocks[2].rstrip().endswith("progress: 2/3 · 0 correct")
    assert "Done: 0/0 correct, 0 points, 2 skipped." in out


def test_lines_after_the_first_of_a_multi_line_answer_are_indented_under_it() -> None:
    assert hanging("  answer: ", "first\nsecond\n third") == (
        "  answer: first\n          second\n           third"
    )


def test_multi_line_answers_are_indented_in_a_round(tmp_path: Path) -> None:
    # Card 7 of the deck is "What is padding in CNNs?", whose answer has two lines.
    _, out = study(tmp_path, [""] * 7 + ["q"], count=7)
    assert (
        "  skipped. Answer: padding='valid': no padding, reducing the output size.\n"
        "                   padding='same': pads the input" in out
    )
    assert "    padding='valid': no padding, reducing the output size.\n    padding='same'" in out


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert colour_wanted(Tty(), {})
    assert not colour_wanted(Tty(), {"NO_COLOR": "1"})
    assert colour_wanted(Tty(), {"NO_COLOR": ""})  # the convention: set and not empty
    assert not colour_wanted(Tty(), {"TERM": "dumb"})
    assert not colour_wanted(io.StringIO(), {})
    _, plain = study(tmp_path / "plain", ["", "q"])
    assert "\x1b[" not in plain
    _, painted = study(
        tmp_path / "painted", ["A type of deep neural network for visual data", "q"], colour=True
    )
    assert "\x1b[32m  ✓ " in painted
    assert "\x1b[1mUnderstanding CNNs\x1b[0m" in painted


def test_times_are_said_relative_to_now() -> None:
    now = START
    assert relative(now, now) == "now"
    assert relative(now + timedelta(seconds=30), now) == "in under a minute"
    assert relative(now + timedelta(minutes=9, seconds=50), now) == "in 10 minutes"
    assert relative(now + timedelta(hours=5), now) == "in 5 hours"
    assert relative(now + timedelta(days=3, hours=2), now) == "in 3 days"


def test_every_deck_has_its_own_new_cards_after_the_tryout(tmp_path: Path) -> None:
    """The first hour of a new user: a full tryout, then another deck still has new cards."""
    clock = ManualClock(START)
    _, out = study(tmp_path, ["no idea"] * 10, count=10, clock=clock)
    assert "10 cards (0 due, 10 new)" in out
    assert "No new cards left today for this deck" in out
    assert "10 new tomorrow (in 15 hours)" in out
    _, other = study(tmp_path, ["q"], deck="cnn-fundamentals", clock=clock)
    assert "4 cards (0 due, 4 new)" in other


def test_an_empty_round_says_why_and_when_cards_come(tmp_path: Path) -> None:
    async def no_new_cards() -> None:
        storage = await Storage.open(tmp_path / "study.sqlite3")
        try:
            await storage.guilds.set_new_cards_per_day(0, 0, 0)
        finally:
            await storage.close()

    asyncio.run(no_new_cards())
    code, out = study(tmp_path, [])
    assert code == 0
    assert out == (
        "Understanding CNNs: nothing to study right now. "
        "No new cards: the daily limit of new cards is 0.\n"
    )


def test_a_practice_round_says_why_nothing_is_due(tmp_path: Path) -> None:
    clock = ManualClock(START)

    async def limit(count: int) -> None:
        storage = await Storage.open(tmp_path / "study.sqlite3")
        try:
            await storage.guilds.set_new_cards_per_day(0, count, 0)
        finally:
            await storage.close()

    asyncio.run(limit(2))
    study(
        tmp_path,
        [
            "A type of deep neural network for visual data",
            "facial recognition, object detection, medical imaging and self-driving cars",
        ],
        clock=clock,
    )
    _, out = study(tmp_path, ["q"], clock=clock)
    first = out.splitlines()[0]
    assert first.startswith(
        "Understanding CNNs: 2 cards (0 due, 0 new, 2 practice). Nothing is due"
    )
    assert (
        "No new cards left today for this deck (the limit is 2 new cards a day per deck);" in first
    )
    assert "2 new tomorrow (in 15 hours)" in first
    assert re.search(r"Next card due in (under a minute|\d+ minutes)\.$", first)


def test_a_count_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="at least 1"):
        study(tmp_path, [], count=0)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize(("key", "status"), [(b"\x03", 130), (b"\x04", 0)])
def test_in_a_real_terminal_ctrl_c_and_ctrl_d_end_at_once_with_the_summary(
    tmp_path: Path, key: bytes, status: int
) -> None:
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, as a person starts it
        os.chdir(REPO_ROOT)
        os.environ.update(DATABASE_PATH=str(tmp_path / "tty.sqlite3"), NO_COLOR="1")
        os.execv(sys.executable, [sys.executable, "-m", "bot", "study", "understanding-cnns"])
    seen = b""

    def read_until(done: Callable[[], bool], seconds: float) -> bool:
        """Read what the terminal shows until `done`; False once the child closed it."""
        nonlocal seen
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: no process has the terminal open any more
                    return False
                if not chunk:
                    return False
                seen += chunk
        return True

    exited: list[int] = []
    waiter = threading.Thread(
        target=lambda: exited.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])),
        daemon=True,
    )
    try:
        read_until(lambda: b"\n> " in seen, 60)
        assert b"[1/10] What is a CNN?" in seen, seen
        os.write(fd, key)
        pressed = time.monotonic()
        assert not read_until(lambda: False, 10), f"still running after the key: {seen!r}"
        waiter.start()
        waiter.join(10)
        assert exited == [status], seen
        assert time.monotonic() - pressed < 5
    finally:
        if not exited:
            os.kill(pid, 9)
        os.close(fd)
    text = seen.decode()
    assert "Done: 0/0 correct, 0 points." in text
    assert "Next: 10 new cards left today." in text
    assert "Traceback" not in text


def test_the_line_reader_reads_lines_a_last_line_without_enter_and_then_the_end() -> None:
    from bot.terminal import LineReader

    read_end, write_end = os.pipe()
    os.write(write_end, "first\r\nsecönd\nlast".encode())
    os.close(write_end)
    shown = io.StringIO()
    with open(read_end, encoding="utf-8") as stdin:
        reader = LineReader(stdin, shown)
        assert [reader("> "), reader("> "), reader("> ")] == ["first", "secönd", "last"]
        with pytest.raises(EOFError):
            reader("> ")
    assert shown.getvalue() == "> > > \n"


def test_ctrl_c_interrupts_the_prompt_even_when_another_thread_receives_the_signal() -> None:
    """The kernel may hand SIGINT to any thread (the database's threads too); Python then only
    notes it, and a prompt blocked in read() waited for Enter. The prompt notices within 0.1 s."""
    from bot.terminal import LineReader

    prompted = threading.Event()

    class Screen(io.StringIO):
        def write(self, text: str) -> int:
            prompted.set()
            return super().write(text)

    def press_ctrl_c_in_this_thread() -> None:
        prompted.wait(10)
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    read_end, write_end = os.pipe()
    rescue = threading.Timer(5, os.write, (write_end, b"\n"))  # a prompt that hangs fails
    presser = threading.Thread(target=press_ctrl_c_in_this_thread)
    with open(read_end, encoding="utf-8") as stdin:
        reader = LineReader(stdin, Screen())
        rescue.start()
        presser.start()
        started = time.monotonic()
        try:
            with pytest.raises(KeyboardInterrupt):
                reader("> ")
        finally:
            rescue.cancel()
            presser.join()
            os.close(write_end)
    assert time.monotonic() - started < 2


def test_a_card_with_an_image_names_its_file(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    (decks / "organs.media").mkdir(parents=True)
    picture = decks / "organs.media" / "lung.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    (decks / "organs.toml").write_text(
        'name = "Organs"\n\n[[cards]]\nid = "lung"\nquestion = "Which organ is this?"\n'
        'answer = "the lung"\nimage = "organs.media/lung.png"\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    run_study(
        "organs",
        database=tmp_path / "study.sqlite3",
        decks_dir=decks,
        count=1,
        ask=keyboard(["lung"]),
        out=out,
        clock=ManualClock(START),
        colour=False,
    )
    assert f"[1/1] Which organ is this?\n  image: {picture}\n" in out.getvalue()


def test_missed_reviews_the_cards_answered_wrong_lately_without_points(tmp_path: Path) -> None:
    clock = ManualClock(START)
    study(
        tmp_path,
        ["A type of deep neural network for visual data", "tomatoes", "", "the weather"],
        clock=clock,
    )
    clock.advance(timedelta(hours=2))
    out = io.StringIO()
    code = run_study(
        "understanding-cnns",
        database=tmp_path / "study.sqlite3",
        decks_dir=DECKS_DIR,
        count=25,
        ask=keyboard(["edges, textures and objects", "facial recognition, object detection"]),
        out=out,
        clock=clock,
        colour=False,
        missed=True,
    )
    text = out.getvalue()
    assert code == 0
    # The wrong answers only (not the skipped card, not the right one), the latest first.
    assert "Understanding CNNs: 2 cards missed in the last 7 days, the latest first." in text
    assert "[1/2] What do CNN filters detect?" in text
    assert "[2/2] What are key applications of CNNs?" in text
    assert "What is Convolution?" not in text.split("To review:")[0]
    assert re.search(r"Done: [12]/2 correct, 0 points\.", text)  # right answers earn nothing

    clock.advance(timedelta(days=8))
    out = io.StringIO()
    run_study(
        "understanding-cnns",
        database=tmp_path / "study.sqlite3",
        decks_dir=DECKS_DIR,
        count=25,
        ask=keyboard([]),
        out=out,
        clock=clock,
        colour=False,
        missed=True,
    )
    assert "nothing to review: no card was answered wrong or close in the last 7 days" in (
        out.getvalue()
    )
