from __future__ import annotations

import pytest

from bot.decks import DeckError
from bot.decks.importers import import_bytes
from bot.decks.importers.delimited import import_delimited

ANKI_EXPORT = (
    "#separator:tab\n"
    "#html:true\n"
    "#columns:Front\tBack\tTags\n"
    "#tags column:3\n"
    "Who developed <b>LeNet</b>?\tYann LeCun\thistory cnn\n"
    '"What does ReLU compute?"\t"<div>a = max(0, z)</div><div>z: pre-activation</div>"\tformula\n'
    "Kernel &amp; stride<br>explained\t<ul><li>kernel: a mask</li><li>stride: its step</li></ul>\t\n"
)


def test_anki_notes_in_plain_text_with_headers_and_html() -> None:
    result = import_delimited(ANKI_EXPORT, path="anki.txt", deck_id="anki")
    cards = result.deck.cards
    assert [c.question for c in cards] == [
        "Who developed LeNet?",
        "What does ReLU compute?",
        "Kernel & stride\nexplained",
    ]
    assert cards[0].answer == "Yann LeCun"
    assert cards[0].tags == ("history", "cnn")
    assert cards[1].answer == "a = max(0, z)\nz: pre-activation"
    assert cards[2].answer == "- kernel: a mask\n- stride: its step"


def test_quoted_fields_may_span_lines_and_hold_the_separator() -> None:
    text = 'question,answer\n"Name two, please","first, second\nand a third line"\nQ2,A2\n'
    cards = import_bytes(text.encode(), "cards.csv").deck.cards
    assert cards[0].question == "Name two, please"
    assert cards[0].answer == "first, second\nand a third line"
    assert cards[1].question == "Q2"


def test_quizlet_default_tab_export() -> None:
    text = "stride\tstep size of the kernel\npadding\tborder added to the input\n"
    deck = import_bytes(text.encode(), "quizlet.txt").deck
    assert [(c.question, c.answer) for c in deck.cards] == [
        ("stride", "step size of the kernel"),
        ("padding", "border added to the input"),
    ]


def test_quizlet_custom_separators() -> None:
    text = "stride::step size;;padding::border\nadded;;"
    deck = import_delimited(text, separator="::", row_separator=";;").deck
    assert [(c.question, c.answer) for c in deck.cards] == [
        ("stride", "step size"),
        ("padding", "border\nadded"),
    ]


def test_semicolon_sniffed_and_html_detected() -> None:
    text = 'Front;Back\n"What&nbsp;is 2<sup>3</sup>?";8\n'
    card = import_bytes(text.encode(), "x.csv").deck.cards[0]
    assert card.question == "What is 2³?"
    assert card.answer == "8"


def test_html_false_keeps_angle_brackets() -> None:
    text = '#separator:comma\n#html:false\n"Is 2 < 3 > 1?",yes\n'
    card = import_delimited(text).deck.cards[0]
    assert card.question == "Is 2 < 3 > 1?"


def test_cloze_rows_become_one_card_per_deletion() -> None:
    text = "#separator:tab\n{{c1::LeCun}} built {{c2::LeNet::a network}}\tfrom 1989\n"
    cards = import_delimited(text).deck.cards
    assert [(c.question, c.answer, c.accept) for c in cards] == [
        ("[…] built LeNet", "LeCun\nfrom 1989", ("LeCun",)),
        ("LeCun built [a network]", "LeNet\nfrom 1989", ("LeNet",)),
    ]


def test_short_and_empty_rows_are_skipped_with_their_line() -> None:
    text = "#separator:tab\nonly one field\nQ\tA\n\t\nQ2\t\n"
    result = import_delimited(text, path="t.tsv")
    assert [c.question for c in result.deck.cards] == ["Q"]
    lines = sorted(w.line for w in result.warnings if w.line)
    assert lines == [2, 5]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("#separator:nonsense\nQ\tA\n", "#separator"),
        ("#separator:tab\n#columns:Foo\tBar\nQ\tA\n", "#columns"),
        ("#separator:tab\n#tags column:x\nQ\tA\n", "#tags column"),
    ],
)
def test_bad_headers_name_the_header(text: str, field: str) -> None:
    with pytest.raises(DeckError) as caught:
        import_delimited(text, path="bad.txt")
    assert caught.value.problems[0].field == field
    assert caught.value.problems[0].line is not None
