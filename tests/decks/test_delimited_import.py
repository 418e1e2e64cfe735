from __future__ import annotations

import csv
import io

import pytest

from bot.decks import DeckError
from bot.decks.importers import detect_format, import_bytes
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
        ("#separator:tab\n#notetype column:0\nQ\tA\n", "#notetype column"),
        ("#separator:tab\n#tags column:x\nQ\tA\n", "#tags column"),
    ],
)
def test_bad_headers_name_the_header(text: str, field: str) -> None:
    with pytest.raises(DeckError) as caught:
        import_delimited(text, path="bad.txt")
    assert caught.value.problems[0].field == field
    assert caught.value.problems[0].line is not None


def _anki_export(rows: list[list[str]], headers: str) -> str:
    """Rows written the way Anki writes them: tab-separated, quoted only where needed."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\n").writerows(rows)
    return headers + buffer.getvalue()


def test_anki_2_1_55_export_with_notetype_deck_and_tags_columns() -> None:
    headers = "#separator:tab\n#html:true\n#notetype column:1\n#deck column:2\n#tags column:5\n"
    rows = [
        ["Basic", "Biology::Cells", "What is the powerhouse of the cell?", "Mitochondria", "bio"],
        ["Basic", "Biology::Cells", "What does DNA stand for?", "Deoxyribo<br>nucleic acid", ""],
        ["Basic", "Biology::Cells", "Name two\tthings", 'a "quoted"\nanswer', "bio two"],
        ["Basic (and reversed card)", "Biology::Cells", "H<sub>2</sub>O", "Water", ""],
        ["Cloze", "Biology::Cells", "{{c1::Ribosomes}} make proteins", "", ""],
    ]
    result = import_bytes(_anki_export(rows, headers).encode(), "export.txt")
    assert result.deck.name == "Cells"
    assert [(c.question, c.answer) for c in result.deck.cards] == [
        ("What is the powerhouse of the cell?", "Mitochondria"),
        ("What does DNA stand for?", "Deoxyribo\nnucleic acid"),
        ("Name two things", 'a "quoted"\nanswer'),
        ("H₂O", "Water"),
        ("Water", "H₂O"),
        ("[…] make proteins", "Ribosomes"),
    ]
    assert result.deck.cards[2].tags == ("bio", "two")
    assert result.summary == "imported 6 cards from 5 notes; 0 warnings"


def test_guid_column_and_extra_fields() -> None:
    headers = "#separator:Semicolon\n#html:false\n#guid column:1\n#notetype column:2\n"
    text = headers + (
        "abc123;Basic (optional reversed card);Front one;Back one;\n"
        "def456;Basic (optional reversed card);Front two;Back two;y\n"
        "ghi789;Basic + extra;Front three;Back three;an extra field\n"
    )
    cards = import_bytes(text.encode(), "notes.txt").deck.cards
    assert [(c.question, c.answer) for c in cards] == [
        ("Front one", "Back one"),
        ("Front two", "Back two"),
        ("Back two", "Front two"),
        ("Front three", "Back three\nan extra field"),
    ]


@pytest.mark.parametrize(
    ("value", "separator"),
    [("tab", "\t"), ("Tab", "\t"), ("comma", ","), ("Semicolon", ";"), ("pipe", "|"), ("|", "|")],
)
def test_separator_names_and_characters(value: str, separator: str) -> None:
    text = f"#separator:{value}\nQ1{separator}A1\nQ2{separator}A2\n"
    assert [c.answer for c in import_delimited(text).deck.cards] == ["A1", "A2"]


@pytest.mark.parametrize("separator", [";", "|"])
def test_semicolon_and_pipe_notes_are_detected_by_default(separator: str) -> None:
    lines = [
        f"What does list[:i] return?{separator}the first i items",
        f"What does list[i:] return?{separator}the items from i on",
        f"What is a tuple?{separator}an immutable sequence",
    ]
    data = "\n".join(lines).encode()
    assert detect_format("python.txt", data) == "csv"
    result = import_bytes(data, "python.txt")
    first, second, _ = result.deck.cards
    assert (first.answer, second.answer) == ("the first i items", "the items from i on")
    assert first.id != second.id
    assert not result.warnings


def test_text_after_a_second_separator_is_kept_and_reported() -> None:
    text = "What is a;b;c?;the text a;b;c\nQ2;A2\nQ3;A3;more;and more\n"
    result = import_bytes(text.encode(), "semi.txt")
    answers = [c.answer for c in result.deck.cards]
    assert answers == ["b;c?;the text a;b;c", "A2", "A3;more;and more"]
    assert sorted(w.line for w in result.warnings) == [1, 3]
    assert all("kept in the answer" in w.message for w in result.warnings)


def test_a_long_first_line_is_not_taken_for_a_deck_name() -> None:
    text = ("Q" * 251 + "?;A long question's answer\n") + "Q2?;A2\nQ3?;A3\n"
    result = import_bytes(text.encode(), "long.txt")
    assert len(result.deck.cards) == 3
    assert result.deck.name == "Long"


def test_a_separator_alone_means_delimited_text() -> None:
    text = "What is 1+1?;2\nWhat is 2+2?;4\n"
    assert detect_format("x.txt", b"One line only;x\n") == "paste"
    result = import_bytes(b"One line only;x\n", "x.txt", separator=";")
    assert [(c.question, c.answer) for c in result.deck.cards] == [("One line only", "x")]
    result = import_bytes(text.encode(), "x.txt", separator="semicolon")
    assert len(result.deck.cards) == 2


def test_maths_and_placeholders_in_a_text_export() -> None:
    text = (
        "#separator:tab\n#html:true\n"
        "Derivative of \\(x^2\\)?\t\\(2x\\)\n"
        "Sum of \\(\\frac{1}{2}\\) and \\(\\frac{1}{2}\\)?\ttbd\n"
        "Greek letter for 3.14?\t\\(\\pi\\)\n"
    )
    result = import_bytes(text.encode(), "m.txt")
    assert [(c.question, c.answer) for c in result.deck.cards] == [
        ("Derivative of x²?", "2x"),
        ("Greek letter for 3.14?", "π"),
    ]
    (warning,) = result.warnings
    assert warning.line == 4 and "placeholder" in warning.message
    assert "Sum of 1/2 and 1/2" in warning.message


def test_a_top_line_starting_with_hash_is_a_comment_said_aloud() -> None:
    result = import_delimited("# my notes\nQ1\tA1\n", path="c.txt")
    assert [c.question for c in result.deck.cards] == ["Q1"]
    assert result.warnings[0].line == 1


def test_hand_written_quotes_are_kept_as_written() -> None:
    text = '"Hello" means?;a greeting\nSay "hi";an informal "hello"\nQ3;A3\n'
    cards = import_bytes(text.encode(), "phrases.txt").deck.cards
    assert [(c.question, c.answer) for c in cards] == [
        ('"Hello" means?', "a greeting"),
        ('Say "hi"', 'an informal "hello"'),
        ("Q3", "A3"),
    ]
