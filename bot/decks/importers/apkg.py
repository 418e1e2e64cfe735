"""Anki package (.apkg) import: a zip holding an SQLite collection whose notes keep fields split by
0x1f. Handles the legacy collection (`collection.anki2`/`.anki21`, note types as JSON in `col`) and
the zstd-compressed `collection.anki21b` of Anki 2.1.50+ (note types in `notetypes`/`fields`).

The package is untrusted: member sizes are capped before extraction, the database is opened read-only
with `trusted_schema` off, and only plain SELECTs on known tables are run.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import tempfile
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import zstandard

from bot.decks.errors import DeckError, Problem
from bot.decks.importers.drafts import finish_import, row_drafts, title_from_id
from bot.decks.importers.result import ImportResult
from bot.decks.importers.text_clean import html_to_text
from bot.decks.model import MAX_CARDS, CardDraft

MAX_COLLECTION_BYTES = 200_000_000
MAX_NOTES = 20_000
"""Notes read at most: a deck holds 5,000 cards, so a package with more is refused unread."""
MAX_NOTE_CHARS = 100_000
"""A note whose fields are longer in all is skipped unread (SQLite measures it, Python never
holds it)."""
MAX_TOTAL_CHARS = 20_000_000
_QUESTION_FIELDS = ("front", "question", "term", "text", "word")
_ANSWER_FIELDS = ("back", "answer", "definition", "meaning", "back extra", "extra")


@dataclass(frozen=True)
class _NoteType:
    name: str
    fields: tuple[str, ...]
    cloze: bool


def import_apkg(
    data: bytes, *, path: str = "<apkg>", deck_id: str = "imported", name: str | None = None
) -> ImportResult:
    collection = _extract_collection(data, path)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "collection.sqlite"
        db_path.write_bytes(collection)
        try:
            connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise DeckError.single(path, f"holds no readable Anki collection ({exc})") from None
        try:
            connection.execute("PRAGMA trusted_schema=OFF")
            return _read_collection(connection, path=path, deck_id=deck_id, name=name)
        except sqlite3.Error as exc:
            raise DeckError.single(path, f"holds no readable Anki collection ({exc})") from None
        except DeckError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
            raise DeckError.single(path, "holds a damaged Anki collection") from None
        finally:
            connection.close()


def _extract_collection(data: bytes, path: str) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DeckError.single(path, "is not an Anki package (not a zip file)") from None
    with archive:
        names = set(archive.namelist())
        for member, compressed in (
            ("collection.anki21b", True),
            ("collection.anki21", False),
            ("collection.anki2", False),
        ):
            if member in names:
                return _read_member(archive, member, compressed=compressed, path=path)
    raise DeckError.single(path, "is not an Anki package (no collection.anki2 inside)")


def _read_member(archive: zipfile.ZipFile, member: str, *, compressed: bool, path: str) -> bytes:
    info = archive.getinfo(member)
    if info.file_size > MAX_COLLECTION_BYTES:
        raise DeckError.single(path, f"{member} is larger than {MAX_COLLECTION_BYTES // 10**6} MB")
    try:
        raw = archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, zlib.error) as exc:
        raise DeckError.single(path, f"{member} is damaged ({exc})") from None
    if not compressed:
        return raw
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw))
        out = reader.read(MAX_COLLECTION_BYTES + 1)
    except zstandard.ZstdError as exc:
        raise DeckError.single(path, f"{member} is damaged ({exc})") from None
    if len(out) > MAX_COLLECTION_BYTES:
        raise DeckError.single(path, f"{member} is larger than {MAX_COLLECTION_BYTES // 10**6} MB")
    return out


def _int(value: object) -> int | None:
    """An id from the collection, which is untrusted: anything but a plain integer is no id."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _tables(connection: sqlite3.Connection) -> set[str]:
    return {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }


def _note_types(connection: sqlite3.Connection, tables: set[str]) -> dict[int, _NoteType]:
    types: dict[int, _NoteType] = {}
    if "notetypes" in tables and "fields" in tables:
        fields: dict[int, list[tuple[int, str]]] = {}
        for ntid, ord_, fname in connection.execute("SELECT ntid, ord, name FROM fields"):
            if (type_id := _int(ntid)) is not None and (order := _int(ord_)) is not None:
                fields.setdefault(type_id, []).append((order, str(fname)[:200]))
        for ntid, tname in connection.execute("SELECT id, name FROM notetypes"):
            if (type_id := _int(ntid)) is not None:
                names = tuple(n for _, n in sorted(fields.get(type_id, [])))
                types[type_id] = _NoteType(str(tname)[:200], names, cloze=False)
    if "col" in tables:
        row = connection.execute("SELECT models FROM col LIMIT 1").fetchone()
        with contextlib.suppress(TypeError, ValueError, AttributeError, RecursionError):
            models = json.loads(row[0]) if row and row[0] else {}
            for key, model in models.items():
                names = tuple(str(f.get("name", "")) for f in model.get("flds", []))
                types[int(key)] = _NoteType(
                    str(model.get("name", "")), names, model.get("type") == 1
                )
    return types


def _deck_name(connection: sqlite3.Connection, tables: set[str]) -> str | None:
    if "cards" not in tables:
        return None
    counts = Counter(
        did
        for (did,) in connection.execute("SELECT did FROM cards LIMIT ?", (MAX_NOTES * 4,))
        if _int(did) is not None
    )
    names: dict[int, str] = {}
    if "decks" in tables:
        for did, dname in connection.execute("SELECT id, name FROM decks LIMIT 1000"):
            if (deck := _int(did)) is not None:
                names[deck] = str(dname)[:200]
    if "col" in tables:
        row = connection.execute("SELECT decks FROM col LIMIT 1").fetchone()
        with contextlib.suppress(TypeError, ValueError, AttributeError, RecursionError):
            for key, deck in (json.loads(row[0]) if row and row[0] else {}).items():
                names.setdefault(int(key), str(deck.get("name", "")))
    for did, _ in counts.most_common():
        label = names.get(did, "").replace("\x1f", "::").split("::")[-1].strip()
        if label and label != "Default":
            return label
    return None


def _pick(names: tuple[str, ...], wanted: tuple[str, ...], default: int) -> int:
    lowered = [n.strip().lower() for n in names]
    for candidate in wanted:
        if candidate in lowered:
            return lowered.index(candidate)
    return default


def _read_collection(
    connection: sqlite3.Connection, *, path: str, deck_id: str, name: str | None
) -> ImportResult:
    tables = _tables(connection)
    if "notes" not in tables:
        raise DeckError.single(path, "holds no readable Anki collection (no notes table)")
    types = _note_types(connection, tables)
    warnings: list[Problem] = []
    drafts: list[CardDraft] = []
    images = 0
    oversized = total = 0
    rows = connection.execute(
        "SELECT mid, CASE WHEN length(flds) <= ? THEN flds END, length(flds) <= ?, tags"
        " FROM notes ORDER BY id LIMIT ?",
        (MAX_NOTE_CHARS, MAX_NOTE_CHARS, MAX_NOTES + 1),
    )
    for number, (mid, flds, fits, tags) in enumerate(rows, start=1):
        if number > MAX_NOTES:
            raise DeckError.single(
                path,
                f"holds more than {MAX_NOTES:,} notes; a deck holds at most {MAX_CARDS:,} cards,"
                " so split it in Anki (one package per subdeck) and import each",
            )
        if not fits:
            oversized += 1
            continue
        if not isinstance(flds, str):
            warnings.append(
                Problem(path, "skipped a note whose fields are not text", number, "note")
            )
            continue
        total += len(flds)
        if total > MAX_TOTAL_CHARS:
            warnings.append(
                Problem(path, f"stopped after {MAX_TOTAL_CHARS // 10**6} million characters")
            )
            break
        note_type = types.get(_int(mid) or -1)
        fields = flds.split("\x1f")
        texts: list[str] = []
        for value in fields:
            text, dropped = html_to_text(value)
            texts.append(text)
            images += dropped
        names = note_type.fields if note_type else ()
        q_index = _pick(names, _QUESTION_FIELDS, 0)
        a_index = _pick(names, _ANSWER_FIELDS, 1 if q_index != 1 else 0)
        question = texts[q_index] if q_index < len(texts) else ""
        answer = texts[a_index] if a_index < len(texts) and a_index != q_index else ""
        if note_type and note_type.cloze and "{{c" not in question:
            warnings.append(Problem(path, "skipped a cloze note with no deletions", number, "note"))
            continue
        tag_list = tags.split()[:20] if isinstance(tags, str) else []
        drafts += row_drafts(question, answer, line=number, tags=tag_list)
    if oversized:
        warnings.append(
            Problem(path, f"skipped {oversized} note(s) longer than {MAX_NOTE_CHARS:,} characters")
        )
    if images:
        warnings.append(Problem(path, f"dropped {images} image(s); decks hold text only"))
    deck_name = name or _deck_name(connection, tables) or title_from_id(deck_id)
    return finish_import(
        path=path, deck_id=deck_id, name=deck_name, drafts=drafts, warnings=warnings
    )
