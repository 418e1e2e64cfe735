"""What the member is told they missed: the reference's terms as phrases a tutor would name,
never a verb or filler word lifted out of the reference's prose."""

from __future__ import annotations

import pytest

from bot.decks import Card
from bot.grading import grade, use_embedder


@pytest.fixture(autouse=True)
def lexical_only():  # type: ignore[no-untyped-def]
    from bot import grading

    use_embedder(None)
    yield
    grading._override.clear()


DEEP = Card(
    id="deep",
    question="What is deep learning?",
    answer="Deep learning is a subfield of machine learning that leverages multi-layered neural "
    "networks to learn representations of data.",
)
RELU = Card(
    id="relu",
    question="Why is ReLU used in deep networks?",
    answer="ReLU (Rectified Linear Unit) mitigates the vanishing gradient problem and is cheap to "
    "compute.",
)


def test_a_missed_term_is_named_as_its_phrase() -> None:
    feedback = grade(RELU, "it is cheap to compute").feedback
    assert "vanishing gradient" in feedback
    assert "mitigates" not in feedback


def test_verbs_of_the_reference_prose_are_not_concepts() -> None:
    feedback = grade(DEEP, "machine learning with data").feedback
    assert "leverages" not in feedback
    assert "subfield" not in feedback or "neural networks" in feedback


def test_a_symbol_flattened_by_normalizing_is_never_named() -> None:
    error = Card(
        id="e",
        question="What is the formula of the total squared error?",
        answer="E_total = Σ ½ (target − output)²",
    )
    said = "sum of half the squared difference between target and output"
    assert "etotal" not in grade(error, said).feedback.lower()


def test_a_hyphenated_term_is_named_as_the_deck_writes_it() -> None:
    compiler = Card(
        id="compiler",
        question="What does a compiler do?",
        answer="A compiler translates the whole source code of a program written in a high-level"
        " language into machine code or another lower-level form before the program is executed.",
    )
    feedback = grade(compiler, "It translates your source code into machine code").feedback
    assert "highlevel" not in feedback
    assert "lowerlevel" not in feedback


def test_the_spelled_out_acronym_of_the_question_is_not_a_missed_concept() -> None:
    tlb = Card(
        id="tlb",
        question="What is the TLB?",
        answer="The translation lookaside buffer is a small, fast hardware cache in the memory"
        "-management unit that stores recent virtual-to-physical page translations, so that"
        " most address translations avoid a page-table lookup in memory.",
    )
    feedback = grade(tlb, "hardware cache for page table entries / address translations").feedback
    assert "lookaside" not in feedback
