"""Builders for small Anki packages, written the way Anki lays them out, for importer tests.

Legacy packages keep note types as JSON in `col.models` and media as a JSON `media` file; packages
from Anki 2.1.50+ (`schema18=True`) keep note types in `notetypes`/`fields`/`templates` tables with
protobuf settings, and media as a zstd-compressed protobuf list with zstd members.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import zstandard

BASIC_MODEL_ID = 1_600_000_000_001
CLOZE_MODEL_ID = 1_600_000_000_002
REVERSED_MODEL_ID = 1_600_000_000_003
OPTIONAL_REVERSED_MODEL_ID = 1_600_000_000_004
DECK_ID = 1_600_000_000_100

_ANSWER = "{{FrontSide}}\n\n<hr id=answer>\n\n"
MODELS: dict[int, dict[str, object]] = {
    BASIC_MODEL_ID: {
        "name": "Basic",
        "type": 0,
        "flds": ["Front", "Back"],
        "tmpls": [("Card 1", "{{Front}}", _ANSWER + "{{Back}}")],
    },
    CLOZE_MODEL_ID: {
        "name": "Cloze",
        "type": 1,
        "flds": ["Text", "Back Extra"],
        "tmpls": [("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}")],
    },
    REVERSED_MODEL_ID: {
        "name": "Basic (and reversed card)",
        "type": 0,
        "flds": ["Front", "Back"],
        "tmpls": [
            ("Card 1", "{{Front}}", _ANSWER + "{{Back}}"),
            ("Card 2", "{{Back}}", _ANSWER + "{{Front}}"),
        ],
    },
    OPTIONAL_REVERSED_MODEL_ID: {
        "name": "Basic (optional reversed card)",
        "type": 0,
        "flds": ["Front", "Back", "Add Reverse"],
        "tmpls": [
            ("Card 1", "{{Front}}", _ANSWER + "{{Back}}"),
            ("Card 2", "{{#Add Reverse}}{{Back}}{{/Add Reverse}}", _ANSWER + "{{Front}}"),
        ],
    },
}


def anki_card_ords(model_id: int, fields: Sequence[str]) -> list[int]:
    """The cards Anki makes for a note: one per template whose front shows a field, one per
    cloze number."""
    if model_id == CLOZE_MODEL_ID:
        return sorted({int(n) - 1 for n in re.findall(r"\{\{c(\d+)::", fields[0])})
    if model_id == OPTIONAL_REVERSED_MODEL_ID:
        return [0, 1] if len(fields) > 2 and fields[2].strip() else [0]
    if model_id == REVERSED_MODEL_ID:
        return [0, 1]
    return [0]


def _legacy_models() -> dict[str, object]:
    return {
        str(model_id): {
            "name": model["name"],
            "type": model["type"],
            "flds": [{"name": name, "ord": n} for n, name in enumerate(model["flds"])],  # type: ignore[call-overload]
            "tmpls": [
                {"name": name, "ord": n, "qfmt": q, "afmt": a}
                for n, (name, q, a) in enumerate(model["tmpls"])  # type: ignore[call-overload]
            ],
        }
        for model_id, model in MODELS.items()
    }


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def proto(*fields: tuple[int, int | str | bytes]) -> bytes:
    """A protobuf message from (field number, value) pairs: ints as varints, text and bytes
    length-delimited."""
    out = bytearray()
    for number, value in fields:
        if isinstance(value, int):
            out += _varint(number << 3) + _varint(value)
        else:
            data = value.encode() if isinstance(value, str) else value
            out += _varint(number << 3 | 2) + _varint(len(data)) + data
    return bytes(out)


def _collection(
    notes: Sequence[tuple[int, str, str]],
    deck_name: str,
    *,
    schema18: bool,
    cards: Sequence[Sequence[int]] | None,
) -> bytes:
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
        if schema18:
            db.executescript(
                "CREATE TABLE notetypes (id integer primary key, name text, mtime_secs integer,"
                " usn integer, config blob);"
                "CREATE TABLE fields (ntid integer, ord integer, name text, config blob);"
                "CREATE TABLE templates (ntid integer, ord integer, name text, mtime_secs integer,"
                " usn integer, config blob);"
                "CREATE TABLE decks (id integer primary key, name text);"
            )
            db.execute("INSERT INTO col VALUES (1, '', '')")
            for model_id, model in MODELS.items():
                kind = proto((1, int(model["type"])), (3, ".card {}"))  # type: ignore[call-overload]
                db.execute(
                    "INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)", (model_id, model["name"], kind)
                )
                for n, name in enumerate(model["flds"]):  # type: ignore[call-overload]
                    db.execute("INSERT INTO fields VALUES (?, ?, ?, x'')", (model_id, n, name))
                for n, (name, q, a) in enumerate(model["tmpls"]):  # type: ignore[call-overload]
                    db.execute(
                        "INSERT INTO templates VALUES (?, ?, ?, 0, 0, ?)",
                        (model_id, n, name, proto((1, q), (2, a), (5, 0))),
                    )
            db.execute("INSERT INTO decks VALUES (1, 'Default')")
            db.execute(
                "INSERT INTO decks VALUES (?, ?)", (DECK_ID, deck_name.replace("::", "\x1f"))
            )
        else:
            db.execute(
                "INSERT INTO col VALUES (1, ?, ?)",
                (json.dumps(_legacy_models()), json.dumps(decks)),
            )
        card_id = 0
        for index, (mid, flds, tags) in enumerate(notes, start=1):
            db.execute(
                "INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, '', 0, 0, '')",
                (index, f"g{index}", mid, tags, flds),
            )
            ords = (
                cards[index - 1] if cards is not None else anki_card_ords(mid, flds.split("\x1f"))
            )
            for order in ords:
                card_id += 1
                db.execute(
                    "INSERT INTO cards VALUES (?, ?, ?, ?)", (card_id, index, DECK_ID, order)
                )
        db.commit()
        db.close()
        return path.read_bytes()


def _legacy_collection(notes: Sequence[tuple[int, str, str]], deck_name: str) -> bytes:
    return _collection(notes, deck_name, schema18=False, cards=None)


def build_apkg(
    notes: Sequence[tuple[int, str, str]],
    *,
    deck_name: str = "Biology::Cells",
    modern: bool = False,
    schema18: bool = False,
    media: Mapping[str, bytes] | None = None,
    cards: Sequence[Sequence[int]] | None = None,
) -> bytes:
    """An .apkg with the given (model id, '\\x1f'-joined fields, tags) notes and media files.

    `modern=True` stores the collection zstd-compressed as `collection.anki21b`, as Anki 2.1.50+
    does; `schema18=True` also lays note types out in that version's tables and media as its
    protobuf list. `cards` gives each note's card ordinals (default: those Anki would make).
    """
    collection = _collection(notes, deck_name, schema18=schema18, cards=cards)
    files = dict(media or {})
    buffer = io.BytesIO()
    zstd = zstandard.ZstdCompressor()
    with zipfile.ZipFile(buffer, "w") as archive:
        if modern or schema18:
            archive.writestr("collection.anki21b", zstd.compress(collection))
        else:
            archive.writestr("collection.anki2", collection)
        if schema18:
            entries = b"".join(
                proto((1, proto((1, name), (2, len(data))))) for name, data in files.items()
            )
            archive.writestr("media", zstd.compress(entries))
            for n, data in enumerate(files.values()):
                archive.writestr(str(n), zstd.compress(data))
        else:
            archive.writestr("media", json.dumps({str(n): name for n, name in enumerate(files)}))
            for n, data in enumerate(files.values()):
                archive.writestr(str(n), data)
    return buffer.getvalue()


def png(width: int = 2, height: int = 2, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small real PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()
