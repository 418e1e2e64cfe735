"""Points: the one place the rules live (DESIGN.md section 4)."""

from __future__ import annotations

from typing import Literal

from bot.grading import Outcome

Context = Literal["quiz", "drill", "session"]

CORRECT_POINTS = 10
FASTEST_BONUS = 5


def points_for(
    outcome: Outcome, *, context: Context, due: bool = True, first_correct: bool = False
) -> int:
    """Correct 10; close 0 until a claim is approved; wrong 0; +5 for the first correct answer to a
    card in a live session; nothing for /quiz practice on a card that is not yet due."""
    if outcome != "correct":
        return 0
    if context == "quiz" and not due:
        return 0
    bonus = FASTEST_BONUS if context == "session" and first_correct else 0
    return CORRECT_POINTS + bonus


def points_for_approved_claim() -> int:
    return CORRECT_POINTS
