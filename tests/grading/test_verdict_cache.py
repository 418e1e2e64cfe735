"""The same answer to the same card is graded once; a changed card, deck or embedder grades anew."""

from __future__ import annotations

from dataclasses import replace

from bot import grading
from bot.decks import Card, Deck
from bot.grading import grade, use_embedder
from tests.grading.test_pipeline import STRIDE, SameForEverything

CARD = Card(id="pool", question="Which pooling takes the largest value?", answer="max pooling")


def test_a_repeated_answer_gets_the_same_verdict() -> None:
    deck = Deck(id="d", name="D", cards=(CARD,))
    first = grade(CARD, "max pooling", deck=deck)
    assert first.correct
    assert grade(CARD, "max pooling", deck=deck) is first


def test_a_reloaded_deck_with_a_changed_answer_is_graded_anew() -> None:
    deck = Deck(id="d", name="D", cards=(CARD,))
    assert grade(CARD, "average pooling", deck=deck).outcome == "wrong"
    changed = replace(CARD, answer="average pooling")
    reloaded = Deck(id="d", name="D", cards=(changed,))
    assert grade(changed, "average pooling", deck=reloaded).correct


def test_answers_a_server_approved_since_count() -> None:
    assert not grade(CARD, "the biggest one wins", deck=None).correct
    assert grade(
        CARD, "the biggest one wins", deck=None, extra_accept=("the biggest one wins",)
    ).correct


def test_another_embedder_grades_anew() -> None:
    paraphrase = "the distance the kernel shifts across the image"
    try:
        use_embedder(None)
        assert not grade(STRIDE, paraphrase).correct
        use_embedder(SameForEverything())
        assert grade(STRIDE, paraphrase).correct
    finally:
        grading._override.clear()
