"""Spaced repetition with FSRS: outcome -> rating, and a card's next state. Pure; the caller passes
the time. Fuzzing is off so that a review always schedules the same way (tests and replays)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from bot.domain import SrsState
from bot.study.clock import ensure_utc

if TYPE_CHECKING:  # the grader is not imported where answers are only recorded (writer process)
    from bot.grading import Outcome

__all__ = ["FAST_ANSWER", "SCHEDULER", "Review", "SrsState", "rating_for", "review"]

SCHEDULER = Scheduler(enable_fuzzing=False)
FAST_ANSWER = timedelta(seconds=8)


def rating_for(
    outcome: Outcome, *, exact: bool = False, elapsed: timedelta | None = None
) -> Rating:
    """wrong -> Again, close -> Hard, correct -> Good; Easy for a fast, exact correct answer."""
    if outcome == "wrong":
        return Rating.Again
    if outcome == "close":
        return Rating.Hard
    if exact and elapsed is not None and elapsed <= FAST_ANSWER:
        return Rating.Easy
    return Rating.Good


def review(previous: SrsState | None, rating: Rating, now: datetime) -> SrsState:
    now = ensure_utc(now)
    # fsrs sleeps 1 ms to invent a card_id when none is given; we never read it, so give one.
    if previous is None:
        card = FsrsCard(card_id=0, due=now)
        reviews = lapses = 0
    else:
        card = FsrsCard(
            card_id=0,
            state=State(previous.state),
            step=previous.step,
            stability=previous.stability,
            difficulty=previous.difficulty,
            due=previous.due,
            last_review=previous.last_review,
        )
        reviews, lapses = previous.reviews, previous.lapses
    lapsed = card.state == State.Review and rating == Rating.Again
    updated, _ = SCHEDULER.review_card(card, rating, review_datetime=now)
    return SrsState(
        state=int(updated.state),
        step=updated.step,
        stability=updated.stability,
        difficulty=updated.difficulty,
        due=ensure_utc(updated.due),
        last_review=ensure_utc(updated.last_review) if updated.last_review else None,
        reviews=reviews + 1,
        lapses=lapses + (1 if lapsed else 0),
    )


@dataclass(frozen=True)
class Review:
    """`review` with its rating and time given, as the update recording an answer applies to the
    card's stored state. Plain data, so the answer's write can go to the database writer process
    by value instead of as a closure."""

    rating: Rating
    now: datetime

    def __call__(self, previous: SrsState | None) -> SrsState:
        return review(previous, self.rating, self.now)
