"""Hostile uploads, built at test time (nothing binary is committed): each is a file someone could
make to freeze or crash an importer."""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from tests.decks.anki_files import BASIC_MODEL_ID, build_apkg


def many_notes(count: int = 400_000) -> bytes:
    """A small package with hundreds of thousands of tiny notes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.anki2"
        db = sqlite3.connect(path)
        db.executescript(
            "CREATE TABLE col (id integer primary key, models text, decks text);"
            "CREATE TABLE notes (id integer primary key, mid integer, tags text, flds text);"
            "CREATE TABLE cards (id integer primary key, nid integer, did integer, ord integer);"
            "INSERT INTO col VALUES (1, '{}', '{}');"
        )
        db.executemany(
            "INSERT INTO notes VALUES (?, ?, '', ?)",
            ((n, BASIC_MODEL_ID, f"q{n}\x1fa{n}") for n in range(count)),
        )
        db.commit()
        db.close()
        return _zipped(path.read_bytes())


def huge_field(chars: int = 5_000_000) -> bytes:
    """One note whose field alone is megabytes long, beside an ordinary one."""
    return build_apkg(
        [
            (BASIC_MODEL_ID, "Normal question\x1fnormal answer", ""),
            (BASIC_MODEL_ID, "x" * chars + "\x1fy", ""),
        ]
    )


def slow_generated_column() -> bytes:
    """A collection whose `flds` is a generated column that takes seconds a row to evaluate on
    read (trusted_schema off does not stop deterministic expressions). Built cheap, then the
    expression is swapped in the schema, as a hand-crafted file would have it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.anki2"
        db = sqlite3.connect(path)
        db.executescript(
            "CREATE TABLE col (id integer primary key, models text, decks text);"
            "CREATE TABLE notes (id integer primary key, mid integer, tags text, seed text,"
            " flds text GENERATED ALWAYS AS (seed || char(31) || 'a') VIRTUAL);"
            "INSERT INTO col VALUES (1, '{}', '{}');"
        )
        db.executemany(
            "INSERT INTO notes (id, mid, tags, seed) VALUES (?, ?, '', 'q')",
            ((n, BASIC_MODEL_ID) for n in range(2000)),
        )
        db.commit()
        slow = "(substr(replace(hex(zeroblob(20000000)), '00', seed), 1, 50) || char(31) || 'a')"
        db.execute("PRAGMA writable_schema = ON")
        db.execute(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE name = 'notes'",
            ("(seed || char(31) || 'a')", slow),
        )
        db.commit()
        db.close()
        return _zipped(path.read_bytes())


def text_ids() -> bytes:
    """Ids and orders stored as text where Anki stores integers."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.anki21"
        db = sqlite3.connect(path)
        db.executescript(
            "CREATE TABLE notetypes (id, name);"
            "CREATE TABLE fields (ntid, ord, name);"
            "CREATE TABLE decks (id, name);"
            "CREATE TABLE notes (id integer primary key, mid, tags, flds);"
            "CREATE TABLE cards (id integer primary key, nid, did, ord);"
            "INSERT INTO notetypes VALUES ('one', 'Basic');"
            "INSERT INTO fields VALUES ('one', 'zero', 'Front');"
            "INSERT INTO decks VALUES ('x', 'Deck');"
            "INSERT INTO notes VALUES (1, 'one', 7, 'Question' || char(31) || 'Answer');"
            "INSERT INTO cards VALUES (1, 1, 'x', 0);"
        )
        db.commit()
        db.close()
        return _zipped(path.read_bytes(), "collection.anki21")


def damaged_deflate() -> bytes:
    """A zip whose compressed member is garbage: zlib, not zipfile, notices."""
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", b"SQLite format 3\x00" + b"\x00" * 4000)
    data = bytearray(good.getvalue())
    start = data.find(b"collection.anki2") + len("collection.anki2")
    for offset in range(start + 10, start + 60):
        data[offset] ^= 0x5A
    return bytes(data)


def nested_toml(depth: int = 20_000) -> bytes:
    return ("name = 'x'\nnested = " + "[" * depth + "]" * depth + "\n").encode()


def _zipped(collection: bytes, member: str = "collection.anki2") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, collection)
    return buffer.getvalue()
