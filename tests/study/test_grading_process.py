"""Grading in a child process: the same verdicts as in the bot's process, and answers still graded
when the child cannot start or dies."""

from __future__ import annotations

import asyncio
import io
import logging
import pickle
import struct
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import bot.study.grading_process as grading_process
from bot.decks.library import load_library
from bot.decks.model import Card, Deck
from bot.grading import Verdict, grade
from bot.study.grading_process import ProcessGrader, ThreadGrader

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "e2e_decks"


@pytest.fixture
def deck() -> Deck:
    found = load_library(FIXTURES).get("basics")
    assert found is not None
    return found


@pytest.fixture
async def child(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ProcessGrader]:
    """A started child; grading in the bot's own thread fails the test while it runs."""

    async def not_here(*args: object, **kwargs: object) -> Verdict:
        raise AssertionError("graded in the bot's process, not in the child")

    monkeypatch.setattr(ThreadGrader, "grade", not_here)
    grader = ProcessGrader()
    await grader.start()
    assert grader.running
    yield grader
    await grader.close()


ANSWERS = (
    ("lenet", "yann lecun"),
    ("lenet", "Geoffrey Hinton"),
    ("pooling", "max pooling and average pooling"),
    ("pooling", "max pooling"),
    ("regularization", "it stops the model overfitting"),
    ("paris", "paris"),
)


async def test_the_child_gives_the_verdicts_the_bot_would_give(
    deck: Deck, child: ProcessGrader
) -> None:
    results = await asyncio.gather(
        *(child.grade(deck.card(c), text, deck=deck) for c, text in ANSWERS)
    )
    assert list(results) == [grade(deck.card(c), text, deck=deck) for c, text in ANSWERS]
    lone = Card(id="lone", question="Capital of Italy?", answer="Rome", accept=("Rome",))
    assert await child.grade(lone, "rome", deck=None) == grade(lone, "rome")
    extra = ("Mr LeCun",)
    assert await child.grade(
        deck.card("lenet"), "mr lecun", deck=deck, extra_accept=extra
    ) == grade(deck.card("lenet"), "mr lecun", deck=deck, extra_accept=extra)
    assert child.running


async def test_decks_the_child_forgot_are_sent_again(
    deck: Deck, monkeypatch: pytest.MonkeyPatch, child: ProcessGrader
) -> None:
    monkeypatch.setattr(grading_process, "DECKS_KEPT", 1)
    other = Deck(
        id="other",
        name="Other",
        cards=(Card(id="sun", question="Closest star?", answer="The Sun", accept=("Sun",)),),
    )
    for _ in range(2):
        first = await child.grade(deck.card("paris"), "paris", deck=deck)
        second = await child.grade(other.card("sun"), "the sun", deck=other)
        assert (first.outcome, second.outcome) == ("correct", "correct")
    assert child.running


async def test_answers_are_graded_in_the_bot_when_the_child_cannot_start(
    deck: Deck, caplog: pytest.LogCaptureFixture
) -> None:
    grader = ProcessGrader(command=[str(FIXTURES / "no-such-program")])
    with caplog.at_level(logging.ERROR, logger="bot.grading_process"):
        await grader.start()
        verdict = await grader.grade(deck.card("lenet"), "LeCun", deck=deck)
    assert verdict == grade(deck.card("lenet"), "LeCun", deck=deck)
    assert not grader.running
    assert "could not start" in caplog.text
    await grader.close()


async def test_a_child_that_ends_before_it_is_ready_is_given_up(deck: Deck) -> None:
    grader = ProcessGrader(command=[sys.executable, "-c", "pass"])
    await grader.start()
    assert not grader.running
    assert (await grader.grade(deck.card("paris"), "Paris", deck=deck)).outcome == "correct"
    await grader.close()


async def test_when_the_child_dies_answers_are_graded_in_the_bot_and_a_new_child_starts(
    deck: Deck,
) -> None:
    grader = ProcessGrader()
    await grader.start()
    try:
        child = grader._child
        assert child is not None
        child.kill()
        await child.wait()
        verdicts = await asyncio.gather(
            *(grader.grade(deck.card(c), text, deck=deck) for c, text in ANSWERS)
        )
        assert list(verdicts) == [grade(deck.card(c), text, deck=deck) for c, text in ANSWERS]
        await grader.start()  # the new child, started by those answers
        assert grader.running
        assert grader._child is not child
        assert (await grader.grade(deck.card("paris"), "Paris", deck=deck)).outcome == "correct"
    finally:
        await grader.close()


def test_the_child_answers_each_request_and_reports_an_error_instead_of_stopping(
    deck: Deck,
) -> None:
    def frame(message: tuple[object, ...]) -> bytes:
        payload = pickle.dumps(message)
        return struct.pack("!I", len(payload)) + payload

    requests = io.BytesIO(
        frame(("deck", 7, deck))
        + frame(("grade", 1, 7, "lenet", "LeCun", ()))
        + frame(("grade", 2, 8, "lenet", "LeCun", ()))  # a deck it was never sent
        + frame(("forget", 7))
        + frame(("grade", 3, 7, "lenet", "LeCun", ()))
    )
    replies = io.BytesIO()
    grading_process.serve(requests, replies)
    replies.seek(0)
    answers = []
    while header := replies.read(4):
        answers.append(pickle.loads(replies.read(struct.unpack("!I", header)[0])))
    assert answers[0] == ("ready",)
    assert answers[1] == (1, grade(deck.card("lenet"), "LeCun", deck=deck), None)
    assert [(a[0], a[1]) for a in answers[2:]] == [(2, None), (3, None)]
    assert "KeyError" in answers[2][2] and "KeyError" in answers[3][2]


STUCK_CHILD = """
import os, pickle, struct, sys
payload = pickle.dumps(("ready",))
os.write(1, struct.pack("!I", len(payload)) + payload)
sys.stdin.buffer.read()  # reads the answers and never grades them
"""


async def test_a_child_that_stops_answering_is_stopped_and_its_answers_graded_in_the_bot(
    deck: Deck, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:  # the watchdog's time passes at once
        now[0] += seconds
        await asyncio.sleep(0)

    grader = ProcessGrader(
        command=[sys.executable, "-c", STUCK_CHILD],
        grade_timeout=60.0,
        clock=lambda: now[0],
        sleep=sleep,
    )
    await grader.start()
    assert grader.running
    with caplog.at_level(logging.ERROR, logger="bot.grading_process"):
        verdict = await asyncio.wait_for(grader.grade(deck.card("lenet"), "LeCun", deck=deck), 30)
    assert verdict == grade(deck.card("lenet"), "LeCun", deck=deck)
    assert "answered nothing" in caplog.text
    await grader.close()


def recorded_messages(
    child: ProcessGrader, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[object, ...]]:
    """Every message the bot writes to the child from now on, in order."""
    sent: list[tuple[object, ...]] = []
    send = child._send

    def recording(
        process: asyncio.subprocess.Process, message: tuple[object, ...], **how: bool
    ) -> None:
        sent.append(message)
        send(process, message, **how)

    monkeypatch.setattr(child, "_send", recording)
    return sent


async def test_the_same_answer_asked_while_it_is_being_graded_goes_to_the_child_once(
    deck: Deck, child: ProcessGrader, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = recorded_messages(child, monkeypatch)
    asked = [("lenet", "yann lecun")] * 3 + [
        ("lenet", "Geoffrey Hinton"),
        ("pooling", "yann lecun"),
    ]
    verdicts = await asyncio.gather(
        *(child.grade(deck.card(c), text, deck=deck) for c, text in asked)
    )
    assert list(verdicts) == [grade(deck.card(c), text, deck=deck) for c, text in asked]
    graded = [(m[3], m[4]) for m in sent if m[0] == "grade"]
    assert graded == [
        ("lenet", "yann lecun"),
        ("lenet", "Geoffrey Hinton"),
        ("pooling", "yann lecun"),
    ]
    # Approved answers make it another question.
    extra = ("Mr LeCun",)
    both = await asyncio.gather(
        child.grade(deck.card("lenet"), "mr lecun", deck=deck),
        child.grade(deck.card("lenet"), "mr lecun", deck=deck, extra_accept=extra),
    )
    assert list(both) == [
        grade(deck.card("lenet"), "mr lecun", deck=deck),
        grade(deck.card("lenet"), "mr lecun", deck=deck, extra_accept=extra),
    ]
    assert [m[5] for m in sent if m[0] == "grade"][-2:] == [(), extra]
    # Once answered, the next time it is asked again (the child keeps verdicts itself).
    await child.grade(deck.card("lenet"), "yann lecun", deck=deck)
    assert [(m[3], m[4]) for m in sent if m[0] == "grade"][-1] == ("lenet", "yann lecun")
    assert not child._pending


async def test_one_member_giving_up_on_a_shared_answer_leaves_the_others_theirs(
    deck: Deck, child: ProcessGrader
) -> None:
    card = deck.card("pooling")
    first = asyncio.ensure_future(child.grade(card, "max pooling", deck=deck))
    second = asyncio.ensure_future(child.grade(card, "max pooling", deck=deck))
    await asyncio.sleep(0)
    first.cancel()
    assert await second == grade(card, "max pooling", deck=deck)
    assert first.cancelled()
    assert not child._pending


async def test_answers_shared_when_the_child_dies_are_all_graded_in_the_bot(
    deck: Deck,
) -> None:
    grader = ProcessGrader(command=[sys.executable, "-c", STUCK_CHILD])
    await grader.start()
    try:
        card = deck.card("lenet")
        asked = [asyncio.ensure_future(grader.grade(card, "LeCun", deck=deck)) for _ in range(3)]
        await asyncio.sleep(0.05)
        child = grader._child
        assert child is not None
        child.kill()
        verdicts = await asyncio.wait_for(asyncio.gather(*asked), 30)
        assert verdicts == [grade(card, "LeCun", deck=deck)] * 3
        assert not grader._pending
    finally:
        await grader.close()


async def test_an_answer_asked_of_an_idle_child_is_written_to_it_at_once(
    deck: Deck, child: ProcessGrader
) -> None:
    card = deck.card("paris")
    first = child.ask(card, "paris", deck=deck)
    assert child._outbox is None  # written before the event loop's next turn
    second = child.ask(card, "Lyon", deck=deck)
    assert child._outbox is not None  # the child is busy: it shares the next write
    assert [await first, await second] == [
        grade(card, "paris", deck=deck),
        grade(card, "Lyon", deck=deck),
    ]


async def test_a_deck_expected_is_in_the_child_before_its_first_answer(
    deck: Deck, child: ProcessGrader, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = recorded_messages(child, monkeypatch)
    child.expect(deck)
    child.expect(deck)
    assert [m[0] for m in sent] == ["deck"]
    token = sent[0][1]
    verdict = await child.grade(deck.card("paris"), "paris", deck=deck)
    assert verdict == grade(deck.card("paris"), "paris", deck=deck)
    assert [m[0] for m in sent] == ["deck", "grade"]
    assert sent[1][2] == token
    child.expect(deck)
    assert len(sent) == 2


async def test_expecting_a_deck_without_a_child_grades_in_the_bot(deck: Deck) -> None:
    grader = ProcessGrader(command=[str(FIXTURES / "no-such-program")])
    grader.expect(deck)  # no child yet: nothing to send, nothing started
    ThreadGrader().expect(deck)
    verdict = await grader.grade(deck.card("paris"), "paris", deck=deck)
    assert verdict == grade(deck.card("paris"), "paris", deck=deck)
    await grader.close()
