from __future__ import annotations

import re

import pytest

from bot.decks import DeckError
from bot.decks.importers import detect_format, import_bytes
from bot.decks.importers.paste import import_paste
from bot.decks.model import MAX_QUESTION
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


def _pathological_paste(cards: int) -> str:
    """Lines shaped to make backtracking patterns slow: long comma lists without 'and', open
    parentheses, runs of dashes, words ending in 'of'."""
    blocks = []
    for n in range(cards):
        blocks.append(f"What is item {n}?")
        blocks.append("a, " * 300 + "b")
        blocks.append("(mostly " + "x y " * 200)
        blocks.append("-" * 500 + " of")
    return "Deck flashcards\n" + "\n".join(blocks) + "\n"


def test_the_paste_importer_is_linear_by_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    """No timing: every line is scored once, by a scorer that reads at most a question's length,
    and the segmentation reads each score a constant number of times."""
    from bot.decks.importers import paste

    scored: list[int] = []
    real_score = paste.question_score

    def counting_score(text: str, **kwargs: object) -> float:
        scored.append(len(text))
        return real_score(text, **kwargs)  # type: ignore[arg-type]

    reads = 0
    real_segment = paste._segment

    class CountingScores(list[float]):
        def __getitem__(self, index):  # type: ignore[no-untyped-def]
            nonlocal reads
            reads += 1
            return super().__getitem__(index)

    def counting_segment(lines, scores):  # type: ignore[no-untyped-def]
        return real_segment(lines, CountingScores(scores))

    monkeypatch.setattr(paste, "question_score", counting_score)
    monkeypatch.setattr(paste, "_segment", counting_segment)
    text = _pathological_paste(40)
    result = paste.import_paste(text)
    lines = len(text.splitlines()) - 1
    assert len(result.deck.cards) == 40
    assert len(scored) == lines
    assert max(scored) <= MAX_QUESTION
    assert sum(scored) <= len(text)
    assert reads <= 4 * lines


def test_paste_patterns_have_no_nested_repetition() -> None:
    """A repeat inside a repeat is what makes a regular expression take exponential time."""
    import re._parser as sre_parse  # type: ignore[import-not-found]

    from bot.decks.importers import paste

    def nested(items: object, inside: bool) -> bool:
        for op, arg in items:  # type: ignore[attr-defined]
            if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
                _, high, sub = arg
                unbounded = high == sre_parse.MAXREPEAT
                if inside and unbounded:
                    return True
                if nested(sub, inside or unbounded):
                    return True
            elif op == sre_parse.SUBPATTERN:
                if nested(arg[-1], inside):
                    return True
            elif op == sre_parse.BRANCH and any(nested(b, inside) for b in arg[1]):
                return True
        return False

    patterns = [v for v in vars(paste).values() if isinstance(v, re.Pattern)]
    patterns += [p for v in vars(paste).values() if isinstance(v, list) for p in v]
    assert patterns
    for pattern in patterns:
        assert not nested(sre_parse.parse(pattern.pattern, pattern.flags), False), pattern.pattern


def test_a_too_long_answer_fails_at_once_with_its_line() -> None:
    text = "Deck flashcards\nWhat is it?\n" + "it is a long answer line, over and over.\n" * 200
    with pytest.raises(DeckError) as caught:
        import_paste(text, path="long.txt")
    problem = caught.value.problems[0]
    assert problem.line == 2
    assert "3,500" in problem.message


def test_a_line_longer_than_any_answer_is_a_clear_error() -> None:
    with pytest.raises(DeckError) as caught:
        import_paste("Title flashcards\nQ?\n" + "x" * 4000 + "\n", path="one.txt")
    assert caught.value.problems[0].line == 3


def test_too_many_cards_is_said_before_building_them() -> None:
    text = "".join(f"What is {n}?\nIt is {n}.\n" for n in range(5001))
    with pytest.raises(DeckError, match="5,001 cards"):
        import_paste(text)


def test_a_long_first_line_is_no_title_and_the_summary_counts_lines() -> None:
    result = import_paste("x" * 150 + "?\nan answer\nWhat is 2+2?\n4\n")
    assert len(result.deck.cards) == 2
    assert result.summary == "imported 2 cards from 4 lines; 0 warnings"
