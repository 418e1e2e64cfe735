from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.decks import DeckError, derive_card_id, dump_deck, load_deck, loads_deck

VALID = '''\
name = "Biology"
description = "Cells"
tags = ["bio"]

[[cards]]
question = "What is the powerhouse of the cell?"
answer = "The mitochondria."
accept = ["mitochondria", "mitochondrion"]
hint = "Starts with m"

[[cards]]
id = "nucleus"
question = "Where is DNA stored?"
answer = """
In the nucleus.
(Also a little in mitochondria.)"""
tags = ["dna"]
'''


def write(tmp_path: Path, text: str, name: str = "bio.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def only_problem(path: Path) -> DeckError:
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value


def test_valid_deck_loads_every_field(tmp_path: Path) -> None:
    deck = load_deck(write(tmp_path, VALID))
    assert deck.id == "bio"
    assert deck.name == "Biology"
    assert deck.description == "Cells"
    assert deck.tags == ("bio",)
    first, second = deck.cards
    assert first.question == "What is the powerhouse of the cell?"
    assert first.accept == ("mitochondria", "mitochondrion")
    assert first.hint == "Starts with m"
    assert first.id == derive_card_id(first.question)
    assert second.id == "nucleus"
    assert second.answer == "In the nucleus.\n(Also a little in mitochondria.)"
    assert second.tags == ("dna",)


def test_derived_id_survives_answer_edits_and_question_cosmetics() -> None:
    one = loads_deck('name="x"\n[[cards]]\nquestion="Who developed LeNet?"\nanswer="LeCun"\n')
    two = loads_deck('name="x"\n[[cards]]\nquestion="who  developed LeNet"\nanswer="Yann LeCun."\n')
    assert one.cards[0].id == two.cards[0].id
    assert one.cards[0].id.startswith("who-developed-lenet-")
    other = loads_deck('name="x"\n[[cards]]\nquestion="Who developed AlexNet?"\nanswer="K"\n')
    assert other.cards[0].id != one.cards[0].id


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "x"\n[[cards]]\nquestion = "unterminated\nanswer = "a"\n')
    problem = only_problem(path).problems[0]
    assert problem.path == str(path)
    assert problem.line == 3
    assert "invalid TOML" in problem.message


def test_missing_answer_names_card_and_field(tmp_path: Path) -> None:
    text = (
        'name = "x"\n\n[[cards]]\nquestion = "Q1?"\nanswer = "A1"\n\n[[cards]]\nquestion = "Q2?"\n'
    )
    problem = only_problem(write(tmp_path, text)).problems[0]
    assert problem.field == "cards[1].answer"
    assert problem.line == 7
    assert problem.message == "is missing"
    assert str(problem).startswith(f"{tmp_path / 'bio.toml'}:7: cards[1].answer:")


def test_duplicate_question_is_an_error(tmp_path: Path) -> None:
    text = (
        'name = "x"\n[[cards]]\nquestion = "What is ReLU?"\nanswer = "max(0, x)"\n'
        '[[cards]]\nquestion = "what is relu"\nanswer = "a = max(0, z)"\n'
    )
    problem = only_problem(write(tmp_path, text)).problems[0]
    assert problem.field == "cards[1].question"
    assert problem.line == 6
    assert "duplicate question" in problem.message


def test_duplicate_explicit_id_is_an_error(tmp_path: Path) -> None:
    text = (
        'name = "x"\n[[cards]]\nid = "a"\nquestion = "Q1"\nanswer = "A"\n'
        '[[cards]]\nid = "a"\nquestion = "Q2"\nanswer = "B"\n'
    )
    problem = only_problem(write(tmp_path, text)).problems[0]
    assert problem.field == "cards[1]"
    assert problem.line == 7
    assert "duplicate card id 'a'" in problem.message


@pytest.mark.parametrize(
    ("snippet", "field", "message"),
    [
        ("answer = 42", "cards[0].answer", "must be a string, not an integer"),
        ('answer = "a"\naccept = "LeCun"', "cards[0].accept", "must be an array of strings"),
        ('answer = "a"\naccept = ["ok", 3]', "cards[0].accept", "must be an array of strings"),
        ('answer = "a"\nhint = true', "cards[0].hint", "must be a string, not a boolean"),
        ('answer = "   "', "cards[0].answer", "must not be empty"),
        ('answer = "a"\nanswers = ["b"]', "cards[0].answers", "did you mean 'answer'"),
        ('answer = "a"\nid = "Bad Id!"', "cards[0].id", "lowercase letters"),
    ],
)
def test_wrong_types_and_unknown_keys(
    tmp_path: Path, snippet: str, field: str, message: str
) -> None:
    text = f'name = "x"\n[[cards]]\nquestion = "Q?"\n{snippet}\n'
    problem = only_problem(write(tmp_path, text)).problems[0]
    assert problem.field == field
    assert message in problem.message
    assert problem.line is not None and problem.line >= 3


def test_deck_level_errors(tmp_path: Path) -> None:
    no_cards = only_problem(write(tmp_path, 'name = "x"\n')).problems[0]
    assert no_cards.field == "cards"
    bad_name = only_problem(write(tmp_path, 'name = 3\n[[cards]]\nquestion="q"\nanswer="a"\n'))
    assert bad_name.problems[0].field == "name"
    assert bad_name.problems[0].line == 1
    unknown = only_problem(
        write(tmp_path, 'nme = "x"\nname="y"\n[[cards]]\nquestion="q"\nanswer="a"\n')
    )
    assert unknown.problems[0].field == "nme"
    assert "did you mean 'name'" in unknown.problems[0].message


def test_every_problem_in_a_file_is_reported(tmp_path: Path) -> None:
    text = 'name = "x"\n[[cards]]\nquestion = "Q1"\n[[cards]]\nanswer = "A2"\n'
    with pytest.raises(DeckError) as caught:
        load_deck(write(tmp_path, text))
    fields = [p.field for p in caught.value.problems]
    assert fields == ["cards[0].answer", "cards[1].question"]


def test_invalid_utf8_and_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b'name = "x"\n\xff\xfe')
    problem = only_problem(path).problems[0]
    assert problem.line == 2
    assert "UTF-8" in problem.message
    missing = only_problem(tmp_path / "missing.toml").problems[0]
    assert "cannot be read" in missing.message


def test_dump_round_trips_multiline_quotes_and_control_characters() -> None:
    deck = loads_deck(VALID)
    tricky = dataclasses.replace(
        deck.cards[0],
        question='Quote " and backslash \\ and tab\t?',
        answer='Line one\nLine "two" ends with quote"',
        hint="bell\x07",
    )
    deck = dataclasses.replace(deck, cards=(tricky, deck.cards[1]))
    again = loads_deck(dump_deck(deck))
    assert again == deck


def test_a_card_may_show_an_image_beside_the_deck(tmp_path: Path) -> None:
    text = 'name = "x"\n[[cards]]\nquestion = "Which organ?"\nanswer = "Heart"\nimage = "x.media/heart.png"\n'
    deck = load_deck(write(tmp_path, text, "x.toml"))
    card = deck.cards[0]
    assert card.image == "x.media/heart.png"
    assert deck.image_path(card) == tmp_path / "x.media" / "heart.png"
    assert loads_deck(dump_deck(deck), deck_id="x") == deck


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("/etc/passwd.png", "relative path"),
        ("../outside.png", "no '..'"),
        ("media/notes.txt", "image file"),
        ("media\\\\heart.png", "relative path"),
    ],
)
def test_a_bad_image_path_is_an_error_with_its_line(
    tmp_path: Path, image: str, message: str
) -> None:
    text = f'name = "x"\n[[cards]]\nquestion = "Q"\nanswer = "A"\nimage = "{image}"\n'
    problem = only_problem(write(tmp_path, text)).problems[0]
    assert problem.field == "cards[0].image"
    assert problem.line == 5
    assert message in problem.message


def test_questions_that_differ_only_in_punctuation_inside_are_two_cards() -> None:
    text = (
        'name = "x"\n'
        '[[cards]]\nquestion = "What does list[:i] return?"\nanswer = "the first i"\n'
        '[[cards]]\nquestion = "What does list[i:] return?"\nanswer = "from i on"\n'
    )
    first, second = loads_deck(text, deck_id="x").cards
    assert first.id == derive_card_id(first.question)
    assert second.id != first.id
    assert second.id.startswith("what-does-list-i-return-")
    again = loads_deck(dump_deck(loads_deck(text, deck_id="x")), deck_id="x")
    assert [c.id for c in again.cards] == [first.id, second.id]
