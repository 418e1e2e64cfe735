from __future__ import annotations

import io
import zipfile

import pytest

from bot.decks import DeckError
from bot.decks.importers import import_bytes
from tests.decks.anki_files import BASIC_MODEL_ID, CLOZE_MODEL_ID, build_apkg

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
        ("Membrane\nfunction?", "Controls what enters"),
        ("[…] lives in the nucleus", "DNA\nMostly"),
        ("DNA lives in the […]", "nucleus\nMostly"),
    ]
    assert deck.cards[0].tags == ("bio", "cells")
    assert any("image" in w.message for w in result.warnings)


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
