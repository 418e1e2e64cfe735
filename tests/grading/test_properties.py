"""Any response to any card grades without error, within bounds, deterministically."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.decks import Card, load_library
from bot.grading import grade
from tests.conftest import DECKS_DIR

LIBRARY = load_library(DECKS_DIR)
CARDS = [(card, deck) for deck in LIBRARY for card in deck.cards]

text = st.text(max_size=300) | st.sampled_from(
    [
        "max(0, z)",
        "7x7 or 5x5",
        "not not no",
        "L1, L2, L3",
        "x" * 1200,
        "(((",
        "= = =",
        "1/0",
        "²³×÷",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CARDS), text, st.booleans())
def test_grade_is_total_and_bounded(
    pair: tuple[Card, object], response: str, with_deck: bool
) -> None:
    card, deck = pair
    verdict = grade(card, response, deck=deck if with_deck else None)  # type: ignore[arg-type]
    assert verdict.outcome in {"correct", "close", "wrong"}
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.feedback
    assert verdict.correct == (verdict.outcome == "correct")
    assert grade(card, response, deck=deck if with_deck else None) == verdict  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80), st.lists(st.text(max_size=40), max_size=4), text)
def test_arbitrary_cards(answer: str, accept: list[str], response: str) -> None:
    card = Card(id="x", question="Q?", answer=answer, accept=tuple(accept))
    verdict = grade(card, response)
    assert 0.0 <= verdict.score <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([(c, d) for c, d in CARDS if c.accept]))
def test_every_accepted_answer_is_correct_for_its_own_card(pair: tuple[Card, object]) -> None:
    card, deck = pair
    for accepted in card.accept:
        assert grade(card, accepted, deck=deck).correct, (card.question, accepted)  # type: ignore[arg-type]
