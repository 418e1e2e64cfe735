"""The five curated decks in decks/: valid, complete, and faithful to the seed pastes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.decks import Deck, load_library
from bot.decks.importers import import_file
from bot.decks.model import derive_card_id
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


# Seed "questions" that were only titles ("Fully Connected Layer"), asked as questions in the decks;
# each card keeps the id of its title, and so its history.
AS_QUESTIONS = {
    "Key Applications of CNNs": "What are key applications of CNNs?",
    "Layers in a CNN": "What are the layers in a CNN, and what does each do?",
    "Pooling in CNNs": "What is pooling in CNNs for, and what types are there?",
    "Fully Connected Layer": "What does the fully connected layer of a CNN do?",
    "Example: A Simple CNN": "In the example of a simple CNN for a 32×32 image, what are the layers and the output shape of each?",
    "Find the total parameters calculation": "How many learnable parameters does the example simple CNN have, and how are they counted?",
    "Key Features of LeNet": "What are the key features of LeNet?",
    "Key similarities and differences between backpropagation and regularization": "What are the key similarities and differences between backpropagation and regularization?",
    "Feature map size formula": "What is the formula for the size of a convolution's output feature map?",
    "Pooling size formula": "What is the formula for the output size of a pooling layer?",
    "Correct parameter-tuning protocol": "What is the correct parameter-tuning protocol?",
    "Softmax loss": "What does the softmax loss measure?",
    "Purpose of regularization in deep learning": "What is the purpose of regularization in deep learning?",
    "Difference between L1 and L2 regularization": "What is the difference between L1 and L2 regularization?",
    "Common regularization techniques (besides L1/L2)": "What are common regularization techniques besides L1/L2?",
    "k-NN vs a linear classifier": "How does k-NN compare with a linear classifier?",
    "Numeric vs Analytic gradients": "How do numeric and analytic gradients compare?",
    "Learning-rate schedules": "What is a learning-rate schedule?",
    "Normalization Layers (BatchNorm, LayerNorm, InstanceNorm)": "What are normalization layers (BatchNorm, LayerNorm, InstanceNorm)?",
    "Residual connections (ResNet)": "What are residual connections (ResNet)?",
    "Problem with naive weight initialization": "What is the problem with naive weight initialization?",
    "Limitation of Xavier initialization": "What is the limitation of Xavier initialization?",
    "Best initialization for ReLU-based networks": "What is the best initialization for ReLU-based networks, and why?",
    "Hinge loss": "What is the hinge loss?",
    "Effective receptive field of three 3×3 conv layers": "What is the effective receptive field of three 3×3 conv layers?",
    "Role of a loss function": "What is the role of a loss function?",
    "Purpose of a non-linear activation function": "What is the purpose of a non-linear activation function?",
    "Benefit of pooling layer in CNNs": "What is the benefit of a pooling layer in CNNs?",
    "Two common types of pooling": "What are the two common types of pooling?",
    "Final layer in a classification CNN": "What is the final layer in a classification CNN?",
    "Weight update rule": "What is a weight update rule?",
    "Effect of a large learning rate": "What is the effect of a large learning rate?",
    "Vanishing gradients": "What are vanishing gradients?",
    "How to lessen vanishing gradients": "How can vanishing gradients be lessened?",
    "Softmax Loss/Cross Entropy Loss": "What is the formula of the softmax (cross-entropy) loss L_i?",
    "Hinge Loss (Multi class SVM) / (Single)": "What is the formula of the multi-class SVM hinge loss L_i for a single example?",
    "Hinge Loss Average": "What is the formula of the hinge loss averaged over N examples?",
    "Total Squared Error": "What is the formula of the total squared error?",
    "Convolution Layer Parameters (weights)": "How many parameters (weights) does a convolution layer have?",
    "FC Layer Params": "How many parameters does an FC (fully connected) layer have?",
    "Sequential Stacking of Convs (ex, three 3×3 layers)": "How many weights does sequential stacking of convs (e.g. three 3×3 layers) take?",
    "ResNet (Residual Block Relation)": "What relation does a ResNet residual block compute?",
    "ReLU Activation": "What is the formula of the ReLU activation?",
    "Weight Update Rule (Gradient Descent)": "What is the weight update rule of gradient descent?",
    "Effective Receptive Field": "What is the effective receptive field of stacked 3×3 convolutions?",
    "L1 vs L2 regularization specifics": "What do L1 and L2 regularization add to the loss, specifically?",
    "What is the need for normalization layers": "What is the need for normalization layers?",
    "BatchNorm2D Axes": "Over which axes does BatchNorm2D compute its statistics?",
    "LayerNorm Axes": "Over which axes does LayerNorm compute its statistics?",
    "InstanceNorm Axes": "Over which axes does InstanceNorm compute its statistics?",
    "Effective receptive field of single 7×7 conv": "What is the effective receptive field of a single 7×7 conv?",
    "Parameter Count: Three 3×3 stack (C to C)": "What is the parameter count of a stack of three 3×3 convs (C to C)?",
    "Parameter Count: Single 7×7 conv (C to C)": "What is the parameter count of a single 7×7 conv (C to C)?",
    "Usefulness of a pooling layer": "Why is a pooling layer useful?",
    "Cause of Vanishing Gradients": "What is the cause of vanishing gradients?",
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
    expected = [AS_QUESTIONS.get(question, question) for question in expected]
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
        AS_QUESTIONS["Best initialization for ReLU-based networks"],
        AS_QUESTIONS["Two common types of pooling"],
        AS_QUESTIONS["ReLU Activation"],
        AS_QUESTIONS["Parameter Count: Three 3×3 stack (C to C)"],
        AS_QUESTIONS["Find the total parameters calculation"],
        AS_QUESTIONS["Effective receptive field of three 3×3 conv layers"],
    ):
        assert by_question[question].accept, question
    # Cards whose answer is a list of points keep no accepted form: they are graded on the points.
    by_points = [c for deck in shipped.values() for c in deck.cards if not c.accept]
    assert len(by_points) >= 10


def test_shipped_decks_do_not_reference_files_outside_the_repo() -> None:
    for path in Path(DECKS_DIR).glob("*.toml"):
        assert "../shared" not in path.read_text(encoding="utf-8")


def test_every_card_asks_a_question_and_reworded_cards_keep_their_ids(
    shipped: dict[str, Deck],
) -> None:
    for deck in shipped.values():
        for card in deck.cards:
            assert card.question.endswith("?"), (deck.id, card.question)
    by_question = {card.question: card for deck in shipped.values() for card in deck.cards}
    for title, question in AS_QUESTIONS.items():
        assert by_question[question].id == derive_card_id(title), question
