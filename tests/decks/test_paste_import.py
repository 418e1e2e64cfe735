from __future__ import annotations

import pytest

from bot.decks import DeckError
from bot.decks.importers import detect_format, import_bytes
from bot.decks.importers.paste import import_paste
from tests.conftest import SEEDS_DIR


def seed(name: str) -> str:
    return (SEEDS_DIR / name).read_text(encoding="utf-8")


def test_title_line_becomes_the_name_and_multiline_answers_stay_whole() -> None:
    result = import_paste(seed("001_dbe7e23f1359843d.txt"), path="001.txt")
    deck = result.deck
    assert deck.name == "Lesson 3 - Convolutional Neural Networks Flashcards"
    assert len(deck.cards) == 15
    ops = next(c for c in deck.cards if c.question.startswith("What convolution operations"))
    assert ops.answer.splitlines() == [
        "- Valid Convolution -> every considered point lies within the input",
        "- Full Convolution -> at least one value of the kernel covers the input",
        "- Same Convolution -> kernel evaluated (centered) at every location of the input",
        "- Strided Convolution -> sparser kernel evaluations",
        "- Dilated Convolution -> points considered in the kernel are spread",
    ]
    stop = next(c for c in deck.cards if c.question == "How do we know when to stop training?")
    assert stop.answer.endswith("= overfitting")
    differences = next(c for c in deck.cards if "locally connected" in c.question)
    assert "Convolutional Layers" in differences.answer.splitlines()


def test_questions_without_question_marks() -> None:
    deck = import_paste(seed("002_7e663d54f2ab5efa.txt")).deck
    questions = [c.question for c in deck.cards]
    assert "Key Applications of CNNs" in questions
    assert "Feature map size formula" in questions
    assert "Structure" not in questions
    lenet = next(c for c in deck.cards if c.question == "Key Features of LeNet")
    assert len(lenet.answer.splitlines()) == 3


def test_page_furniture_is_dropped_and_reported() -> None:
    result = import_paste(seed("003_cbeb11dda6d6fd03.txt"), path="003.txt")
    deck = result.deck
    assert deck.cards[0].question == "Correct parameter-tuning protocol"
    assert all("Looks like no tags" not in c.answer for c in deck.cards)
    assert any("page furniture on lines 1-5" in w.message for w in result.warnings)
    assert len(deck.cards) == 47


def test_unsure_lines_and_joined_questions_are_reported() -> None:
    result = import_paste(seed("003_cbeb11dda6d6fd03.txt"), path="003.txt")
    joined = [w for w in result.warnings if "joined lines 118-119" in w.message]
    assert joined and joined[0].line == 119
    unsure = {w.line for w in result.warnings if w.message.startswith("unsure")}
    assert 125 in unsure  # "Lowers computational cost and memory"
    assert len(unsure) <= 6
    questions = [c.question for c in result.deck.cards]
    assert "Parameter Count: Three 3×3 stack (C to C)" in questions
    assert "Parameter Count: Single 7×7 conv (C to C)" in questions
    assert "Kaiming initialization" not in questions


def test_blank_line_separated_blocks() -> None:
    text = "Capitals\n\nFrance\nParis\n\nPeru\nLima\nthe city of kings\n\nJapan\nTokyo\n"
    deck = import_paste(text).deck
    assert [(c.question, c.answer) for c in deck.cards] == [
        ("France", "Paris"),
        ("Peru", "Lima\nthe city of kings"),
        ("Japan", "Tokyo"),
    ]


def test_no_title_when_the_first_line_is_a_question() -> None:
    deck = import_paste("What is 2+2?\n4\nWhat is 3+3?\n6\n", deck_id="sums").deck
    assert deck.name == "Sums"
    assert len(deck.cards) == 2


def test_duplicates_are_skipped_with_a_warning() -> None:
    result = import_paste("Deck flashcards\nWhat is A?\nA\nWhat is a?\nB\n", path="p.txt")
    assert len(result.deck.cards) == 1
    assert any("duplicate" in w.message and w.line == 4 for w in result.warnings)


@pytest.mark.parametrize("text", ["", "   \n\n", "Only a title flashcards\n", "1/46\n"])
def test_nothing_to_import_is_a_clear_error(text: str) -> None:
    with pytest.raises(DeckError) as caught:
        import_bytes(text.encode(), "paste.txt")
    assert caught.value.problems[0].path == "paste.txt"


def test_format_detection() -> None:
    assert detect_format("x.txt", seed("000_f42d690fe0095e48.txt").encode()) == "paste"
    assert detect_format("x.txt", b"a\tb\nc\td\n") == "csv"
    assert detect_format("x.txt", b"#separator:;\na;b\n") == "csv"
    assert detect_format("x.bin", b"PK\x03\x04rest") == "apkg"
    assert detect_format("deck.toml", b"name='x'") == "toml"
