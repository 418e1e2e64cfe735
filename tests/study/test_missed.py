"""Reviewing what a member missed: the study and quiz services on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.decks import Card, Deck, DeckLibrary
from bot.storage import Storage
from bot.study.catalog import DeckCatalog
from bot.study.clock import ManualClock
from bot.study.practice import Member, StudyService, UnknownDeck
from bot.study.quiz import NothingMissed, QuizService

CARDS = tuple(
    Card(id=f"c{i}", question=f"What is {i} + {i}?", answer=str(2 * i), accept=(str(2 * i),))
    for i in range(1, 7)
)
LIBRARY = DeckLibrary(
    decks={
        "sums": Deck(id="sums", name="Sums", cards=CARDS),
        "other": Deck(
            id="other",
            name="Other",
            cards=(Card(id="o1", question="Capital of France?", answer="Paris"),),
        ),
    }
)
ADA = Member(1, 100, "Ada")
BOB = Member(1, 200, "Bob")


def quiz_service(storage: Storage, clock: ManualClock) -> QuizService:
    return QuizService(StudyService(storage, DeckCatalog(LIBRARY), clock), storage)


async def answer(
    quiz: QuizService, member: Member, deck: str, card: str, text: str, key: str
) -> None:
    await quiz.study.answer(member, deck, card, text, attempt_key=key)


async def test_missed_cards_newest_first_within_the_window(
    storage: Storage, clock: ManualClock
) -> None:
    quiz = quiz_service(storage, clock)
    await answer(quiz, ADA, "sums", "c1", "99", "old")  # eight days ago: outside the week
    clock.advance(timedelta(days=8))
    await answer(quiz, ADA, "sums", "c2", "99", "a")
    clock.advance(timedelta(minutes=1))
    await answer(quiz, ADA, "sums", "c3", "6", "b")  # right: not missed
    clock.advance(timedelta(minutes=1))
    await answer(quiz, ADA, "sums", "c4", "nonsense", "c")
    clock.advance(timedelta(minutes=1))
    await answer(quiz, BOB, "sums", "c5", "99", "bob")  # someone else's miss
    await answer(quiz, ADA, "other", "o1", "Lyon", "other")  # another deck

    plan = await quiz.study.missed(ADA, "sums", 25)
    assert [card.id for card in plan.cards] == ["c4", "c2"]
    longer = await quiz.study.missed(ADA, "sums", 25, days=9)
    assert [card.id for card in longer.cards] == ["c4", "c2", "c1"]
    # Without a deck: the deck of the latest miss.
    assert (await quiz.study.missed(ADA, None, 25)).deck_id == "other"

    round_ = await quiz.start_missed(ADA, "sums")
    assert (round_.mode, round_.card_ids) == ("missed", ("c4", "c2"))
    before = await storage.srs.get(1, 100, "sums", "c4")
    points_before = (await storage.stats.member_totals(1, 100)).points
    answered = await quiz.answer(round_, 0, ADA, "8", attempt_key="review-1")
    assert answered is not None and answered.result.verdict.correct
    assert answered.result.points == 0  # a review earns no points
    after = await storage.srs.get(1, 100, "sums", "c4")
    assert before is not None and after is not None
    assert after.reviews == before.reviews + 1  # but the schedule moves as usual
    assert (await storage.stats.member_totals(1, 100)).points == points_before


async def test_nothing_missed_and_unknown_decks(storage: Storage, clock: ManualClock) -> None:
    quiz = quiz_service(storage, clock)
    with pytest.raises(NothingMissed):
        await quiz.start_missed(ADA, "sums")
    with pytest.raises(NothingMissed):
        await quiz.start_missed(ADA, None)
    with pytest.raises(UnknownDeck):
        await quiz.start_missed(ADA, "nope")
    await answer(quiz, ADA, "sums", "c1", "2", "right")
    with pytest.raises(NothingMissed):
        await quiz.start_missed(ADA, "sums")
    with pytest.raises(ValueError, match="days must be 1 to 90"):
        await quiz.study.missed(ADA, "sums", 5, days=0)
