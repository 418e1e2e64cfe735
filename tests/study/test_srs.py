from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from bot.study.srs import rating_for, review

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_outcomes_map_to_ratings() -> None:
    assert rating_for("wrong") == Rating.Again
    assert rating_for("close") == Rating.Hard
    assert rating_for("correct") == Rating.Good
    assert rating_for("correct", exact=True, elapsed=timedelta(seconds=3)) == Rating.Easy
    assert rating_for("correct", exact=True, elapsed=timedelta(seconds=30)) == Rating.Good
    assert rating_for("correct", exact=False, elapsed=timedelta(seconds=3)) == Rating.Good


def test_due_dates_move_exactly_as_fsrs_says() -> None:
    reference = Scheduler(enable_fuzzing=False)
    card = FsrsCard(due=NOW)
    state = None
    when = NOW
    for rating in (Rating.Good, Rating.Good, Rating.Good, Rating.Again, Rating.Good, Rating.Easy):
        card, _ = reference.review_card(card, rating, review_datetime=when)
        state = review(state, rating, when)
        assert state.due == card.due
        assert state.stability == card.stability
        assert state.difficulty == card.difficulty
        when = card.due
    assert state is not None
    assert state.reviews == 6
    assert state.lapses == 1


def test_a_correct_answer_pushes_a_card_further_than_a_wrong_one() -> None:
    good = review(review(None, Rating.Good, NOW), Rating.Good, NOW + timedelta(minutes=10))
    again = review(review(None, Rating.Good, NOW), Rating.Again, NOW + timedelta(minutes=10))
    assert good.due - NOW > timedelta(days=1)
    assert again.due - NOW < timedelta(hours=1)
    assert good.due.tzinfo is not None
