from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from bot.decks import DeckError, load_deck
from bot.decks.importers import ImportResult, import_bytes, write_import
from tests.decks.anki_files import (
    BASIC_MODEL_ID,
    CLOZE_MODEL_ID,
    OPTIONAL_REVERSED_MODEL_ID,
    REVERSED_MODEL_ID,
    build_apkg,
    png,
)

NOTES = [
    (BASIC_MODEL_ID, "What is the powerhouse of the cell?\x1f<b>Mitochondria</b>", " bio cells "),
    (BASIC_MODEL_ID, "Membrane<br>function?\x1fControls what enters <img src='x.png'>", ""),
    (CLOZE_MODEL_ID, "{{c1::DNA}} lives in the {{c2::nucleus}}\x1fMostly", "dna"),
]


@pytest.mark.parametrize("modern", [False, True])
def test_apkg_notes_become_cards(modern: bool) -> None:
    result = import_bytes(build_apkg(NOTES, modern=modern), "bio.apkg")
    deck = result.deck
    assert deck.id == "bio"
    assert deck.name == "Cells"
    assert [(c.question, c.answer) for c in deck.cards] == [
        ("What is the powerhouse of the cell?", "Mitochondria"),
        ("Membrane\nfunction?", "Controls what enters [image]"),
        ("[…] lives in the nucleus", "DNA\nMostly"),
        ("DNA lives in the […]", "nucleus\nMostly"),
    ]
    assert deck.cards[0].tags == ("bio", "cells")
    assert any("x.png" in w.message and w.field == "note 2" for w in result.warnings)


def test_cloze_note_without_deletions_is_skipped() -> None:
    notes = [*NOTES[:1], (CLOZE_MODEL_ID, "no deletions here\x1f", "")]
    result = import_bytes(build_apkg(notes), "c.apkg")
    assert len(result.deck.cards) == 1
    assert any("cloze" in w.message for w in result.warnings)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not really a zip", "not a zip"),
        (_zip({"media": b"{}"}), "no collection.anki2"),
        (_zip({"collection.anki2": b"not sqlite at all" * 10}), "no readable Anki collection"),
        (_zip({"collection.anki21b": b"not zstd"}), "damaged"),
    ],
)
def test_broken_packages_are_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(DeckError) as caught:
        import_bytes(data, "broken.apkg")
    assert message in str(caught.value)
    assert caught.value.problems[0].path == "broken.apkg"


def _cards(result: ImportResult) -> list[tuple[str, str]]:
    return [(c.question, c.answer) for c in result.deck.cards]


@pytest.mark.parametrize("schema18", [False, True])
def test_each_card_template_becomes_a_card(schema18: bool) -> None:
    notes = [
        (BASIC_MODEL_ID, "What is the powerhouse of the cell?\x1fMitochondria", ""),
        (REVERSED_MODEL_ID, "Capital of France\x1fParis", ""),
        (OPTIONAL_REVERSED_MODEL_ID, "H2O\x1fWater\x1f", ""),
        (OPTIONAL_REVERSED_MODEL_ID, "NaCl\x1fSalt\x1fy", ""),
    ]
    result = import_bytes(build_apkg(notes, schema18=schema18), "chem.apkg")
    assert _cards(result) == [
        ("What is the powerhouse of the cell?", "Mitochondria"),
        ("Capital of France", "Paris"),
        ("Paris", "Capital of France"),
        ("H2O", "Water"),
        ("NaCl", "Salt"),
        ("Salt", "NaCl"),
    ]
    assert result.summary == "imported 6 cards from 4 notes; 0 warnings"


def test_optional_reverse_follows_its_field_without_a_cards_table() -> None:
    """With no cards recorded, a template makes a card when its front shows a filled field."""
    notes = [
        (OPTIONAL_REVERSED_MODEL_ID, "H2O\x1fWater\x1f<br>", ""),
        (OPTIONAL_REVERSED_MODEL_ID, "NaCl\x1fSalt\x1fyes", ""),
    ]
    result = import_bytes(build_apkg(notes, cards=[[], []]), "chem.apkg")
    assert _cards(result) == [("H2O", "Water"), ("NaCl", "Salt"), ("Salt", "NaCl")]


def test_templates_render_fields_sections_and_the_answer_after_the_rule() -> None:
    from bot.decks.importers.templates import answer_part, render

    fields = {"Front": "<b>Q</b>", "Back": "A", "Extra": "", "Note": "n"}
    question = render("{{Front}}{{#Extra}} ({{Extra}}){{/Extra}}{{^Extra}}!{{/Extra}}", fields)
    assert question.html == "<b>Q</b>!"
    assert question.shows_field
    answer = render(
        "{{FrontSide}}<hr id=answer>{{Back}}{{#Note}}<br>{{text:Note}}{{/Note}}{{type:Back}}",
        fields,
        answer_side=True,
        front_side=question.html,
    )
    assert answer_part(answer.html, question.html) == "A<br>nA"
    empty = render("{{#Extra}}{{Back}}{{/Extra}}", fields)
    assert empty.html == ""
    assert not empty.shows_field
    assert render("{{type:Back}}{{hint:Note}}{{Tags}}", fields, specials={"Tags": "t"}).html == "t"


def test_a_sentence_keeps_the_place_of_its_image_and_says_so() -> None:
    notes = [
        (
            BASIC_MODEL_ID,
            "Cosine similarity is defined when both vectors have nonzero norm and"
            " <img src='formula.png'>. Why?\x1fDivision by the norms",
            "",
        )
    ]
    result = import_bytes(build_apkg(notes), "v.apkg")
    card = result.deck.cards[0]
    assert card.question == (
        "Cosine similarity is defined when both vectors have nonzero norm and [image]. Why?"
    )
    (warning,) = result.warnings
    assert "formula.png" in warning.message and warning.field == "note 1"
    assert "Cosine similarity" in warning.message


def test_cards_that_need_a_lost_image_are_skipped_one_warning_each() -> None:
    notes = [
        (BASIC_MODEL_ID, "Name this organ\x1f<img src='heart.png'>", ""),
        (BASIC_MODEL_ID, "<img src='lung.png'>\x1fLung", ""),
        (BASIC_MODEL_ID, "Which organ pumps blood?\x1fThe heart", ""),
        (BASIC_MODEL_ID, "What does a kidney filter?\x1f<img src='k.png'>", ""),
        (BASIC_MODEL_ID, "Label the parts of this diagram <img src='d.png'>\x1fA, B, C", ""),
    ]
    result = import_bytes(build_apkg(notes), "organs.apkg")
    assert [c.question for c in result.deck.cards] == ["Which organ pumps blood?"]
    skipped = {w.field: w.message for w in result.warnings}
    assert set(skipped) == {"note 1", "note 2", "note 4", "note 5"}
    assert "heart.png" in skipped["note 1"] and "Name this organ" in skipped["note 1"]
    assert "lung.png" in skipped["note 2"]
    assert "k.png" in skipped["note 4"]
    assert "d.png" in skipped["note 5"]
    assert result.summary == "imported 1 card from 5 notes; 4 warnings"


@pytest.mark.parametrize("schema18", [False, True])
def test_question_images_are_kept_beside_the_deck(schema18: bool, tmp_path: Path) -> None:
    notes = [
        (BASIC_MODEL_ID, "<img src='lung.png'>\x1fLung", ""),
        (BASIC_MODEL_ID, 'Identify<br><img src="heart%201.png">\x1fHeart', ""),
        (BASIC_MODEL_ID, "Which organ has four chambers? <img src='gone.png'>\x1fThe heart", ""),
        (BASIC_MODEL_ID, "Which organ filters blood? <img src='fake.png'>\x1fThe kidney", ""),
        (BASIC_MODEL_ID, "What is shown here? <img src='gone.png'>\x1fA lost picture", ""),
    ]
    media = {"lung.png": png(), "heart 1.png": png(3, 3), "fake.png": b"<svg></svg>"}
    data = build_apkg(notes, schema18=schema18, media=media)
    result = import_bytes(data, "organs.apkg", keep_media=True)
    cards = {c.question: c for c in result.deck.cards}
    assert cards["[image: lung.png]"].image == "organs.media/lung.png"
    assert cards["Identify\n[image]"].image == "organs.media/heart-1.png"
    assert cards["Which organ has four chambers? [image]"].image is None
    assert cards["Which organ filters blood? [image]"].image is None
    assert "What is shown here? [image]" not in cards
    messages = " | ".join(w.message for w in result.warnings)
    assert "gone.png is marked [image] (the package does not include it)" in messages
    assert "not a PNG, JPEG, GIF or WebP picture" in messages
    assert "skipped: its question asks about an image (gone.png)" in messages
    assert set(result.media) == {"organs.media/lung.png", "organs.media/heart-1.png"}

    written = write_import(result, tmp_path / "organs.toml")
    assert written[-1] == tmp_path / "organs.toml"
    deck = load_deck(tmp_path / "organs.toml")
    lung = next(c for c in deck.cards if c.image)
    path = deck.image_path(lung)
    assert path is not None and path.read_bytes() == png()


def test_maths_becomes_readable_text_and_what_is_not_understood_is_named() -> None:
    notes = [
        (
            BASIC_MODEL_ID,
            r"What is the softmax of \(z_i\)?" + "\x1f" + r"\(\frac{e^{z_i}}{\sum_j e^{z_j}}\)",
            "",
        ),
        (BASIC_MODEL_ID, r"Area of a circle?" + "\x1f" + r"[$]\pi r^2[/$]", ""),
        (
            BASIC_MODEL_ID,
            r"[$$]\alpha_1 + x^{-1}[/$$] means?" + "\x1f" + r"[latex]\frob{x}[/latex]",
            "",
        ),
        (
            CLOZE_MODEL_ID,
            r"Bayes: \(P(A|B) = {{c1::\frac{P(B|A)P(A)}{P(B)} }}\)" + "\x1f",
            "",
        ),
    ]
    result = import_bytes(build_apkg(notes), "maths.apkg")
    assert _cards(result) == [
        ("What is the softmax of zᵢ?", "e^(zᵢ)/(∑ⱼ e^(zⱼ))"),
        ("Area of a circle?", "π r²"),
        ("α₁ + x⁻¹ means?", "x"),
        ("Bayes: P(A|B) = […]", "P(B|A)P(A)/P(B)"),
    ]
    assert all("\\" not in q + a for q, a in _cards(result))
    (warning,) = result.warnings
    assert warning.field == "note 3" and r"\frob" in warning.message


def test_placeholder_answers_are_reported_and_skipped() -> None:
    notes = [
        (BASIC_MODEL_ID, "What is ATP?\x1fTODO", ""),
        (BASIC_MODEL_ID, "What is ADP?\x1f?", ""),
        (BASIC_MODEL_ID, "What is NADH?\x1f<div>&nbsp;</div>", ""),
        (BASIC_MODEL_ID, "What is GTP?\x1fAn energy carrier", ""),
    ]
    result = import_bytes(build_apkg(notes), "bio.apkg")
    assert [c.question for c in result.deck.cards] == ["What is GTP?"]
    messages = {w.field: w.message for w in result.warnings}
    assert "placeholder" in messages["note 1"] and "'TODO'" in messages["note 1"]
    assert "placeholder" in messages["note 2"]
    assert "empty" in messages["note 3"]


def test_questions_differing_in_meaningful_punctuation_are_two_cards() -> None:
    notes = [
        (BASIC_MODEL_ID, "What does list[:i] return?\x1fthe first i items", ""),
        (BASIC_MODEL_ID, "What does list[i:] return?\x1fthe items from i on", ""),
        (BASIC_MODEL_ID, "what does LIST[:i] return\x1fa duplicate", ""),
    ]
    result = import_bytes(build_apkg(notes), "py.apkg")
    first, second = result.deck.cards
    assert first.id != second.id
    assert [w.field for w in result.warnings] == ["note 3"]
    assert "duplicate of the question on note 1" in result.warnings[0].message


def test_long_anki_tags_are_fitted() -> None:
    tag = "Biology::Cells::" + "Organelles" * 5
    notes = [(BASIC_MODEL_ID, "Q?\x1fA", f"{tag} short")]
    card = import_bytes(build_apkg(notes), "t.apkg").deck.cards[0]
    assert all(len(t) <= 40 for t in card.tags)
    assert "short" in card.tags


def test_maths_that_cannot_be_parsed_keeps_its_words() -> None:
    from bot.decks.importers.math_text import render_math

    rendered = render_math(r"\(" + r"\alpha + " * 1000 + r"\)")
    assert "\\alpha" not in rendered.text and "alpha" in rendered.text
    assert rendered.problems
    assert render_math("cost $5 and $10").text == "cost $5 and $10"
    assert render_math(r"when $x^2 > 0$").text == "when x² > 0"
