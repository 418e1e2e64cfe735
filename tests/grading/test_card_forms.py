"""Every card's own short accepted forms, framed or typed as members type them, are correct, and
'not' before one is wrong: the grader agrees with the deck about the deck's own answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.decks import Card, Deck, load_library
from bot.grading import grade
from tests.conftest import DECKS_DIR

GENERAL_DECKS = Path(__file__).parent / "general_decks"
SHORT_FORM_WORDS = 8

FORMS = [
    (deck, card, form)
    for directory in (DECKS_DIR, GENERAL_DECKS)
    for deck in load_library(directory)
    for card in deck.cards
    for form in card.accept
    if "\n" not in form and len(form.split()) <= SHORT_FORM_WORDS
]


def _as_typed(form: str) -> list[str]:
    return [f"it is {form}", f"{form}, I think", form.replace("×", "x"), form.replace("×", "*")]


def test_there_are_forms_to_check() -> None:
    assert len(FORMS) >= 100


@pytest.mark.parametrize(("deck", "card", "form"), FORMS, ids=lambda v: getattr(v, "id", v))
def test_a_form_as_members_type_it_is_correct(deck: Deck, card: Card, form: str) -> None:
    for said in _as_typed(form):
        verdict = grade(card, said, deck=deck)
        assert verdict.correct, (said, verdict.feedback)


@pytest.mark.parametrize(("deck", "card", "form"), FORMS, ids=lambda v: getattr(v, "id", v))
def test_a_form_denied_is_wrong(deck: Deck, card: Card, form: str) -> None:
    if "not" in form.lower().split():
        pytest.skip("'not' before a form that says 'not' is a double negative")
    verdict = grade(card, f"not {form}", deck=deck)
    assert not verdict.correct, verdict.feedback
