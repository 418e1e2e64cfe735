"""The five curated decks in decks/: valid, complete, and faithful to the seed pastes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.decks import Deck, load_library
from bot.decks.importers import import_file
from tests.conftest import DECKS_DIR, SEEDS_DIR

SHIPPED = {
    "cnn-architectures": ("000_f42d690fe0095e48.txt", 15),
    "cnn-fundamentals": ("001_dbe7e23f1359843d.txt", 15),
    "understanding-cnns": ("002_7e663d54f2ab5efa.txt", 23),
    "training-and-regularization": ("003_cbeb11dda6d6fd03.txt", 47),
    "deep-learning-overview": ("004_59f91afb36b841c0.txt", 10),
}

# Questions the curated decks deliberately reword: spelling fixed, and one multiple-choice prompt
# ("which statement is correct") rewritten so it can be answered without the choices.
EDITORIAL = {
    "ReLU allows us to circumvent some issues that we had when computing the gradient. What where "
    "those issues? What was the problem with for example Sigmoid?": "ReLU allows us to circumvent "
    "some issues that we had when computing the gradient. What were those issues? What was the "
    "problem with for example Sigmoid?",
    "Problem with naive weights intialization": "Problem with naive weight initialization",
    "Limitation of Xavier intialization": "Limitation of Xavier initialization",
    "What is the correct learning-rate schedule statement": "What do warm-up, exponential decay and "
    "time-based decay do to the learning rate?",
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, Deck]:
    library = load_library(DECKS_DIR)
    assert library.problems == []
    return library.decks


def test_exactly_the_five_decks_load_with_their_card_counts(shipped: dict[str, Deck]) -> None:
    counts = {deck_id: len(deck.cards) for deck_id, deck in shipped.items()}
    assert counts == {deck_id: count for deck_id, (_, count) in SHIPPED.items()}
    assert sum(counts.values()) == 110


@pytest.mark.parametrize("deck_id", sorted(SHIPPED))
def test_importing_the_seed_gives_the_curated_questions(
    shipped: dict[str, Deck], deck_id: str
) -> None:
    seed, _ = SHIPPED[deck_id]
    imported = import_file(SEEDS_DIR / seed).deck
    expected = [EDITORIAL.get(card.question, card.question) for card in imported.cards]
    assert [card.question for card in shipped[deck_id].cards] == expected


@pytest.mark.parametrize("deck_id", sorted(SHIPPED))
def test_curated_answers_keep_every_seed_answer_line(
    shipped: dict[str, Deck], deck_id: str
) -> None:
    """Each seed answer line has a counterpart in the curated answer (wording may be tidied)."""
    seed, _ = SHIPPED[deck_id]
    imported = import_file(SEEDS_DIR / seed).deck
    for original, curated in zip(imported.cards, shipped[deck_id].cards, strict=True):
        assert curated.answer.count("\n") >= original.answer.count("\n") - 4, curated.question
        curated_words = set(re.findall(r"[a-z]{4,}", curated.answer.lower()))
        seed_words = set(re.findall(r"[a-z]{4,}", original.answer.lower()))
        if len(seed_words) < 3:
            continue
        kept = len(seed_words & curated_words) / len(seed_words)
        assert kept >= 0.5, (curated.question, seed_words - curated_words)


def test_decks_have_names_descriptions_and_no_page_furniture(shipped: dict[str, Deck]) -> None:
    furniture = re.compile(r"Looks like no tags|No study sessions|Mastery \| Learn|^\d+/\d+$", re.M)
    for deck in shipped.values():
        assert deck.name and deck.description and deck.source
        assert not deck.name.lower().endswith("flashcards")
        for card in deck.cards:
            assert not furniture.search(card.question + "\n" + card.answer)


def test_flattened_formulas_are_written_readably(shipped: dict[str, Deck]) -> None:
    text = "\n".join(card.answer for deck in shipped.values() for card in deck.cards)
    for readable in (
        "27C²",
        "49C²",
        "e^(s_y)",
        "(target − output)²",
        "W_i²",
        "K × K × C_in × C_out",
    ):
        assert readable in text
    for flattened in ("27C2", "49C2", "esy", "Wi2", "Etotal"):
        assert flattened not in text


def test_short_core_cards_have_accepted_answers(shipped: dict[str, Deck]) -> None:
    by_question = {card.question: card for deck in shipped.values() for card in deck.cards}
    for question in (
        "Who developed LeNet?",
        "Best initialization for ReLU-based networks",
        "Two common types of pooling",
        "ReLU Activation",
        "Parameter Count: Three 3×3 stack (C to C)",
        "Find the total parameters calculation",
        "Effective receptive field of three 3×3 conv layers",
    ):
        assert by_question[question].accept, question
    long_only = [c for c in shipped["deep-learning-overview"].cards if c.accept]
    assert len(long_only) <= 1


def test_shipped_decks_do_not_reference_files_outside_the_repo() -> None:
    for path in Path(DECKS_DIR).glob("*.toml"):
        assert "../shared" not in path.read_text(encoding="utf-8")
