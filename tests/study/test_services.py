"""The study and stats services on a real temporary database, with the clock moved by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.decks import Card, Deck, DeckLibrary
from bot.grading import Verdict
from bot.storage import Storage
from bot.study.catalog import DeckCatalog
from bot.study.clock import ManualClock
from bot.study.grading_process import ThreadGrader
from bot.study.practice import Member, StudyService, outlook_sentences
from bot.study.quiz import NothingToStudy, QuizService
from bot.study.stats import StatsService

CARDS = tuple(
    Card(id=f"c{i}", question=f"What is {i} + {i}?", answer=str(2 * i), accept=(str(2 * i),))
    for i in range(1, 9)
)
DECK = Deck(id="sums", name="Sums", cards=CARDS)
OTHER = Deck(
    id="other", name="Other", cards=(Card(id="o1", question="Capital of France?", answer="Paris"),)
)
LIBRARY = DeckLibrary(decks={"sums": DECK, "other": OTHER})
ADA = Member(1, 100, "Ada")
BOB = Member(1, 200, "Bob")


def services(storage: Storage, clock: ManualClock) -> tuple[StudyService, StatsService]:
    catalog = DeckCatalog(LIBRARY)
    return StudyService(storage, catalog, clock), StatsService(storage, catalog, clock)


async def test_new_cards_are_limited_per_local_day_and_due_cards_come_first(
    storage: Storage, clock: ManualClock
) -> None:
    study, _ = services(storage, clock)
    await storage.guilds.set_new_cards_per_day(1, 3, 0)
    first = await study.next_cards(ADA, "sums", 10)
    assert [q.card.id for q in first if q.new] == ["c1", "c2", "c3"]
    for queued in first[:3]:
        await study.answer(
            ADA, "sums", queued.card.id, queued.card.answer, attempt_key=f"k-{queued.card.id}"
        )
    clock.advance(timedelta(minutes=11))
    again = await study.next_cards(ADA, "sums", 10)
    assert [q.card.id for q in again if q.due and not q.new] == ["c1", "c2", "c3"]
    assert not any(q.new for q in again)
    clock.advance(timedelta(days=1))
    tomorrow = await study.next_cards(ADA, "sums", 10)
    assert [q.card.id for q in tomorrow if q.new] == ["c4", "c5", "c6"]


async def test_the_daily_limit_of_new_cards_is_per_deck(
    storage: Storage, clock: ManualClock
) -> None:
    """A member who used up the new cards of one deck still gets the new cards of another (the
    limit used to be shared by all decks, so every other deck came up empty)."""
    study, _ = services(storage, clock)
    await storage.guilds.set_new_cards_per_day(1, 3, 0)
    for queued in await study.next_cards(ADA, "sums", 10):
        await study.answer(ADA, "sums", queued.card.id, "wrong", attempt_key=f"s-{queued.card.id}")
    assert not any(q.new for q in await study.next_cards(ADA, "sums", 10))
    other = await study.next_cards(ADA, "other", 10)
    assert [(q.card.id, q.new) for q in other] == [("o1", True)]
    assert [q.card.id for q in await study.next_cards(BOB, "sums", 10)] == ["c1", "c2", "c3"]


async def test_the_outlook_says_why_a_round_is_short_and_when_cards_come_due(
    storage: Storage, clock: ManualClock
) -> None:
    study, _ = services(storage, clock)
    await storage.guilds.set_new_cards_per_day(1, 2, 0)
    await storage.guilds.set_timezone(1, "Europe/Berlin", 0)
    fresh = await study.plan(ADA, "sums", 1)
    assert [q.card.id for q in fresh.cards] == ["c1"]
    assert (fresh.outlook.new_left_today, fresh.outlook.unseen) == (1, 7)
    assert not fresh.outlook.limit_reached
    await study.answer(ADA, "sums", "c1", "2", attempt_key="k-c1")
    await study.answer(ADA, "sums", "c2", "5", attempt_key="k-c2")
    after = await study.plan(ADA, "sums", 5)
    # Only practice is left: the wrong answer's card first, as it comes due sooner.
    assert [(q.card.id, q.due) for q in after.cards] == [("c2", False), ("c1", False)]
    outlook = after.outlook
    assert outlook.limit_reached
    assert (outlook.due_now, outlook.new_left_today, outlook.unseen) == (0, 0, 6)
    assert outlook.new_tomorrow == 2
    states = [await storage.srs.get(1, ADA.user_id, "sums", c) for c in ("c1", "c2")]
    assert outlook.next_due == min(s.due for s in states if s is not None)
    # Berlin is UTC+1 on 2 March: tomorrow starts at 23:00 UTC.
    assert outlook.tomorrow == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    sentences = outlook_sentences(outlook, lambda at: f"at {at:%H:%M}")
    assert sentences == [
        "No new cards left today for this deck (the limit is 2 new cards a day per deck);"
        " 2 new tomorrow (at 23:00).",
        f"Next card due at {outlook.next_due:%H:%M}.",
    ]
    clock.set(datetime(2026, 3, 2, 23, 0, tzinfo=UTC))
    tomorrow = await study.plan(ADA, "sums", 5)
    assert [q.card.id for q in tomorrow.cards if q.new] == ["c3", "c4"]


async def test_an_empty_round_says_why(storage: Storage, clock: ManualClock) -> None:
    study, _ = services(storage, clock)
    quiz = QuizService(study, storage)
    await storage.guilds.set_new_cards_per_day(1, 0, 0)
    with pytest.raises(NothingToStudy) as empty:
        await quiz.start(ADA, "sums", 5)
    assert empty.value.outlook.limit_reached
    assert outlook_sentences(empty.value.outlook, str) == [
        "No new cards: the daily limit of new cards is 0."
    ]
    with pytest.raises(ValueError, match="0 to 1000"):
        await storage.guilds.set_new_cards_per_day(1, 1001, 0)


async def test_an_outlook_ignores_cards_removed_from_the_deck(
    storage: Storage, clock: ManualClock
) -> None:
    study, _ = services(storage, clock)
    gone = Card(id="gone", question="Capital of Peru?", answer="Lima")
    earlier = Deck(id="other", name="Other", cards=(*OTHER.cards, gone))
    before = StudyService(storage, DeckCatalog(DeckLibrary(decks={"other": earlier})), clock)
    await before.answer(ADA, "other", "gone", "Lima", attempt_key="gone")
    await study.answer(ADA, "other", "o1", "Paris", attempt_key="o1")
    clock.advance(timedelta(days=30))
    outlook = await study.outlook(ADA, "other")
    assert (outlook.due_now, outlook.unseen) == (1, 0)
    assert (
        outlook_sentences(outlook, str)[0]
        == "No new cards left in this deck: you have seen them all."
    )


async def test_answers_are_graded_recorded_once_and_scored(
    storage: Storage, clock: ManualClock
) -> None:
    study, stats = services(storage, clock)
    result = await study.answer(ADA, "sums", "c2", " 4 ", attempt_key="i-1")
    assert result.verdict.correct
    assert result.points == 10
    assert result.srs is not None
    repeat = await study.answer(ADA, "sums", "c2", " 4 ", attempt_key="i-1")
    assert repeat.duplicate
    assert repeat.attempt_id == result.attempt_id
    wrong = await study.answer(ADA, "sums", "c3", "5", attempt_key="i-2")
    assert wrong.verdict.outcome == "wrong"
    assert wrong.points == 0
    member = await stats.member(1, ADA.user_id)
    assert (member.attempts, member.correct, member.points) == (2, 1, 10)


async def test_practice_on_a_card_not_yet_due_earns_nothing(
    storage: Storage, clock: ManualClock
) -> None:
    study, _ = services(storage, clock)
    first = await study.answer(ADA, "sums", "c1", "2", attempt_key="a")
    assert first.points == 10
    early = await study.answer(ADA, "sums", "c1", "2", attempt_key="b")
    assert early.verdict.correct
    assert early.points == 0
    clock.advance(timedelta(days=3))
    due_again = await study.answer(ADA, "sums", "c1", "2", attempt_key="c")
    assert due_again.points == 10


async def test_srs_state_survives_a_restart(database_url: str, clock: ManualClock) -> None:
    path = database_url
    storage = await Storage.open(path)
    study, _ = services(storage, clock)
    result = await study.answer(ADA, "sums", "c1", "2", attempt_key="a")
    await storage.close()
    reopened = await Storage.open(path)
    try:
        state = await reopened.srs.get(1, ADA.user_id, "sums", "c1")
        assert state == result.srs
    finally:
        await reopened.close()


async def test_an_approved_claim_rescores_and_becomes_an_accepted_answer(
    storage: Storage, clock: ManualClock
) -> None:
    study, stats = services(storage, clock)
    miss = await study.answer(ADA, "other", "o1", "the city of light", attempt_key="m")
    assert not miss.verdict.correct
    claim = await storage.answers.file_claim(miss.attempt_id, 0)
    assert (await storage.answers.file_claim(miss.attempt_id, 0)).id == claim.id
    assert [c.id for c in await storage.answers.pending(1)] == [claim.id]
    decided = await storage.answers.decide(
        claim.id, 1, approve=True, decided_by=9, now_ms=1, points=10
    )
    assert decided is not None
    assert decided.status == "approved"
    assert decided.attempt.points == 10
    assert decided.attempt.outcome == "correct"
    again = await storage.answers.decide(
        claim.id, 1, approve=False, decided_by=9, now_ms=2, points=10
    )
    assert again is not None
    assert again.status == "approved"
    assert (await stats.member(1, ADA.user_id)).points == 10
    other_member = await study.answer(BOB, "other", "o1", "The city of light", attempt_key="b")
    assert other_member.verdict.correct
    elsewhere = await study.answer(
        Member(2, 300), "other", "o1", "the city of light", attempt_key="c"
    )
    assert not elsewhere.verdict.correct


async def test_leaderboard_periods_follow_the_guild_zone_across_dst_and_week_boundaries(
    storage: Storage,
) -> None:
    await storage.guilds.set_timezone(1, "Europe/Berlin", 0)
    # Sunday 29 March 2026 is the spring-forward day in Berlin; Monday 30 March starts a new week.
    clock = ManualClock(datetime(2026, 3, 29, 21, 30, tzinfo=UTC))  # Sunday 23:30 CEST
    study, stats = services(storage, clock)
    await study.answer(ADA, "sums", "c1", "2", attempt_key="ada-sunday")
    clock.set(datetime(2026, 3, 29, 22, 30, tzinfo=UTC))  # Monday 00:30 CEST, still Sunday in UTC
    await study.answer(BOB, "sums", "c1", "2", attempt_key="bob-monday")
    await study.answer(BOB, "sums", "c2", "4", attempt_key="bob-monday-2")

    week = await stats.leaderboard(1, "week")
    assert [(e.display_name, e.points) for e in week.entries] == [("Bob", 20)]
    day = await stats.leaderboard(1, "day")
    assert [e.display_name for e in day.entries] == ["Bob"]
    everything = await stats.leaderboard(1, "all")
    assert [(e.display_name, e.points, e.rank) for e in everything.entries] == [
        ("Bob", 20, 1),
        ("Ada", 10, 2),
    ]

    clock.set(datetime(2026, 3, 29, 12, 0, tzinfo=UTC))  # back on Sunday: the previous week
    previous = await stats.leaderboard(1, "week")
    assert [(e.display_name, e.points) for e in previous.entries] == [("Ada", 10)]


async def test_leaderboard_by_deck_with_accuracy_and_streaks(storage: Storage) -> None:
    await storage.guilds.set_timezone(1, "America/Los_Angeles", 0)
    clock = ManualClock(datetime(2026, 3, 2, 7, 50, tzinfo=UTC))  # 23:50 on 1 March in Los Angeles
    study, stats = services(storage, clock)
    await study.answer(ADA, "sums", "c1", "2", attempt_key="1")
    clock.advance(timedelta(minutes=20))  # 00:10 on 2 March locally, the same UTC day
    await study.answer(ADA, "sums", "c2", "5", attempt_key="2")
    await study.answer(ADA, "other", "o1", "Paris", attempt_key="3")
    board = await stats.leaderboard(1, "all", deck_id="sums")
    (entry,) = board.entries
    assert (entry.points, entry.attempts, entry.correct) == (10, 2, 1)
    assert entry.accuracy == 0.5
    assert (entry.current_streak, entry.best_streak) == (2, 2)
    clock.advance(timedelta(days=2))
    member = await stats.member(1, ADA.user_id)
    assert (member.current_streak, member.best_streak) == (0, 2)


async def test_member_stats_and_hardest_cards(storage: Storage, clock: ManualClock) -> None:
    study, stats = services(storage, clock)
    await study.answer(ADA, "sums", "c1", "2", attempt_key="1")
    await study.answer(ADA, "sums", "c2", "5", attempt_key="2")
    await study.answer(BOB, "sums", "c2", "3", attempt_key="3")
    await study.answer(BOB, "sums", "c3", "6", attempt_key="4")
    member = await stats.member(1, ADA.user_id)
    assert member.cards_learned == 2
    assert member.due_now == 0
    assert member.best_cards[0].card_id == "c1"
    assert member.worst_cards[0].card_id == "c2"
    assert member.worst_cards[0].question == "What is 2 + 2?"
    assert len(member.daily) == 30
    assert member.daily[-1].attempts == 2
    clock.advance(timedelta(days=30))
    assert (await stats.member(1, ADA.user_id)).due_now == 2
    hardest = await stats.hardest_cards(1, "sums")
    assert [(c.card_id, c.attempts, c.correct) for c in hardest] == [
        ("c2", 2, 0),
        ("c1", 1, 1),
        ("c3", 1, 1),
    ]


async def test_concurrent_submits_of_one_quiz_card_score_once(
    storage: Storage, clock: ManualClock
) -> None:
    """Two Answer modals opened on one card and submitted at once: one answer, one score."""
    study, stats = services(storage, clock)
    quiz = QuizService(study, storage)
    started = await quiz.start(ADA, "sums", 2)
    card = quiz.card(started)
    assert card is not None
    results = await asyncio.gather(
        *(quiz.answer(started, 0, ADA, card.answer, attempt_key=f"submit-{n}") for n in range(4))
    )
    scored = [r for r in results if r is not None and not r.result.duplicate]
    assert len(scored) == 1
    member = await stats.member(1, ADA.user_id)
    assert (member.attempts, member.points) == (1, 10)
    final = await quiz.get(started.id, ADA.user_id)
    assert (final.position, final.points) == (1, 10)


class ExpectingGrader(ThreadGrader):
    """Grades in a thread, and notes which decks it was told to expect and when."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def expect(self, deck: Deck) -> None:
        self.events.append(f"expect {deck.id}")

    def ask(
        self, card: Card, response: str, *, deck: Deck | None, extra_accept: Sequence[str] = ()
    ) -> asyncio.Future[Verdict]:
        self.events.append(f"grade {card.id}")
        return super().ask(card, response, deck=deck, extra_accept=extra_accept)


async def test_a_quiz_round_tells_the_grader_its_deck_before_the_first_answer(
    storage: Storage, clock: ManualClock
) -> None:
    """/quiz and a missed-cards round, as a drill does: the grading child gets the deck when the
    round starts, so the first answer does not wait for the deck to be compiled."""
    grader = ExpectingGrader()
    study = StudyService(storage, DeckCatalog(LIBRARY), clock, grader)
    quiz = QuizService(study, storage)
    started = await quiz.start(ADA, "sums", 2)
    assert grader.events == ["expect sums"]
    card = quiz.card(started)
    assert card is not None
    await quiz.answer(started, 0, ADA, "wrong", attempt_key="first")
    assert grader.events == ["expect sums", f"grade {card.id}"]
    grader.events.clear()
    await quiz.start_missed(ADA, "sums")
    assert grader.events == ["expect sums"]


async def test_a_fast_answer_typed_as_the_card_writes_it_is_an_easy_review(
    storage: Storage, clock: ManualClock
) -> None:
    """Word for word the accepted form, within seconds: Easy, so the card comes back later than
    after a right answer in other words (Good)."""
    study, _ = services(storage, clock)
    quick = timedelta(seconds=3)
    exact = await study.answer(ADA, "sums", "c2", "4", attempt_key="exact", elapsed=quick)
    worded = await study.answer(BOB, "sums", "c2", "2 + 2 = 4", attempt_key="worded", elapsed=quick)
    assert (exact.verdict.outcome, exact.verdict.score) == ("correct", 1.0)
    assert worded.verdict.outcome == "correct"
    assert worded.verdict.score < 1.0
    assert exact.srs is not None and worded.srs is not None
    assert exact.srs.due > worded.srs.due
