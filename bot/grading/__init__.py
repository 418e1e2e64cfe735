"""Answer grading: `grade(card, response, *, deck=None) -> Verdict` is the public contract."""

from bot.grading.grader import MAX_RESPONSE_CHARS, Outcome, Verdict, explain, grade

__all__ = ["MAX_RESPONSE_CHARS", "Outcome", "Verdict", "explain", "grade"]
