"""Builders for small Anki packages, written the way Anki lays them out, for importer tests."""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import zstandard

BASIC_MODEL_ID = 1_600_000_000_001
CLOZE_MODEL_ID = 1_600_000_000_002
DECK_ID = 1_600_000_000_100


def _legacy_collection(notes: Sequence[tuple[int, str, str]], deck_name: str) -> bytes:
    models = {
        str(BASIC_MODEL_ID): {
            "name": "Basic",
            "type": 0,
            "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
        },
        str(CLOZE_MODEL_ID): {
            "name": "Cloze",
            "type": 1,
            "flds": [{"name": "Text", "ord": 0}, {"name": "Back Extra", "ord": 1}],
        },
    }
    decks = {"1": {"name": "Default"}, str(DECK_ID): {"name": deck_name}}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.anki2"
        db = sqlite3.connect(path)
        db.executescript(
            "CREATE TABLE col (id integer primary key, models text, decks text);"
            "CREATE TABLE notes (id integer primary key, guid text, mid integer, mod integer,"
            " usn integer, tags text, flds text, sfld text, csum integer, flags integer, data text);"
            "CREATE TABLE cards (id integer primary key, nid integer, did integer, ord integer);"
        )
        db.execute("INSERT INTO col VALUES (1, ?, ?)", (json.dumps(models), json.dumps(decks)))
        for index, (mid, flds, tags) in enumerate(notes, start=1):
            db.execute(
                "INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, '', 0, 0, '')",
                (index, f"g{index}", mid, tags, flds),
            )
            db.execute("INSERT INTO cards VALUES (?, ?, ?, 0)", (index, index, DECK_ID))
        db.commit()
        db.close()
        return path.read_bytes()


def build_apkg(
    notes: Sequence[tuple[int, str, str]],
    *,
    deck_name: str = "Biology::Cells",
    modern: bool = False,
) -> bytes:
    """An .apkg with the given (model id, '\\x1f'-joined fields, tags) notes.

    `modern=True` stores the collection zstd-compressed as `collection.anki21b`, as Anki 2.1.50+ does.
    """
    collection = _legacy_collection(notes, deck_name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if modern:
            archive.writestr("collection.anki21b", zstandard.ZstdCompressor().compress(collection))
        else:
            archive.writestr("collection.anki2", collection)
        archive.writestr("media", "{}")
    return buffer.getvalue()
