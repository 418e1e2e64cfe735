"""Anki package (.apkg) import: a zip holding an SQLite collection whose notes keep fields split by
0x1f. Handles the legacy collection (`collection.anki2`/`.anki21`, note types as JSON in `col`) and
the zstd-compressed `collection.anki21b` of Anki 2.1.50+ (note types in `notetypes`/`fields`/
`templates`, their settings as protobuf).

Each card of a note becomes a card here: the collection's `cards` table says which of the note
type's templates Anki made cards for ("Basic (and reversed card)" gives two, "optional reversed"
one or two), and the templates say what each card shows. Cloze notes are split per deletion.

The package is untrusted: member sizes are capped before extraction, the database is opened read-only
with `trusted_schema` off, and only plain SELECTs on known tables are run. Images are read only when
asked for (`keep_media`), capped in size and checked to be a picture Discord shows.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import zstandard
from PIL import Image

from bot.decks.errors import DeckError, Problem
from bot.decks.importers.drafts import (
    MediaStore,
    RawCard,
    finish_import,
    join_fields,
    row_cards,
    title_from_id,
)
from bot.decks.importers.result import ImportResult
from bot.decks.importers.templates import TemplateError, answer_part, render
from bot.decks.importers.text_clean import html_to_text
from bot.decks.model import MAX_CARDS

MAX_COLLECTION_BYTES = 200_000_000
MAX_NOTES = 20_000
"""Notes read at most: a deck holds 5,000 cards, so a package with more is refused unread."""
MAX_NOTE_CHARS = 100_000
"""A note whose fields are longer in all is skipped unread (SQLite measures it, Python never
holds it)."""
MAX_TOTAL_CHARS = 20_000_000
MAX_TEMPLATES = 50
MAX_IMAGE_BYTES = 8_000_000
"""An image larger than this is not kept (Discord's attachment limit for bots is about 10 MB)."""
MAX_MEDIA_BYTES = 50_000_000
_QUESTION_FIELDS = ("front", "question", "term", "text", "word")
_ANSWER_FIELDS = ("back", "answer", "definition", "meaning", "back extra", "extra")
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}


@dataclass(frozen=True)
class _Template:
    name: str
    ord: int
    question: str
    answer: str


@dataclass(frozen=True)
class _NoteType:
    name: str
    fields: tuple[str, ...]
    cloze: bool
    templates: tuple[_Template, ...] = ()


def import_apkg(
    data: bytes,
    *,
    path: str = "<apkg>",
    deck_id: str = "imported",
    name: str | None = None,
    keep_media: bool = False,
) -> ImportResult:
    archive = _open_archive(data, path)
    with archive:
        collection = _extract_collection(archive, path)
        media: MediaStore = (
            _PackageMedia(archive, deck_id, path)
            if keep_media
            else _NoMedia("this import keeps no images")
        )
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "collection.sqlite"
            db_path.write_bytes(collection)
            del collection
            try:
                connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            except sqlite3.Error as exc:
                raise DeckError.single(path, f"holds no readable Anki collection ({exc})") from None
            try:
                connection.execute("PRAGMA trusted_schema=OFF")
                return _read_collection(
                    connection, path=path, deck_id=deck_id, name=name, media=media
                )
            except sqlite3.Error as exc:
                raise DeckError.single(path, f"holds no readable Anki collection ({exc})") from None
            except DeckError:
                raise
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
                raise DeckError.single(path, "holds a damaged Anki collection") from None
            finally:
                connection.close()


def _open_archive(data: bytes, path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DeckError.single(path, "is not an Anki package (not a zip file)") from None


def _extract_collection(archive: zipfile.ZipFile, path: str) -> bytes:
    names = set(archive.namelist())
    for member, compressed in (
        ("collection.anki21b", True),
        ("collection.anki21", False),
        ("collection.anki2", False),
    ):
        if member in names:
            return _read_member(archive, member, compressed=compressed, path=path)
    raise DeckError.single(path, "is not an Anki package (no collection.anki2 inside)")


def _read_member(
    archive: zipfile.ZipFile,
    member: str,
    *,
    compressed: bool,
    path: str,
    limit: int = MAX_COLLECTION_BYTES,
) -> bytes:
    info = archive.getinfo(member)
    if info.file_size > limit:
        raise DeckError.single(path, f"{member} is larger than {limit / 10**6:g} MB")
    try:
        raw = archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, zlib.error) as exc:
        raise DeckError.single(path, f"{member} is damaged ({exc})") from None
    if not compressed:
        return raw
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw))
        out = reader.read(limit + 1)
    except zstandard.ZstdError as exc:
        raise DeckError.single(path, f"{member} is damaged ({exc})") from None
    if len(out) > limit:
        raise DeckError.single(path, f"{member} is larger than {limit / 10**6:g} MB")
    return out


def _int(value: object) -> int | None:
    """An id from the collection, which is untrusted: anything but a plain integer is no id."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _varint(blob: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(blob) or shift > 63:
            raise ValueError("truncated varint")
        byte = blob[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def proto_fields(blob: bytes) -> dict[int, list[int | bytes]]:
    """The top-level fields of a protobuf message (Anki keeps note type settings so); raises
    ValueError on a damaged one. Only numbers and byte strings, nothing else is decoded."""
    found: dict[int, list[int | bytes]] = {}
    at = 0
    while at < len(blob):
        key, at = _varint(blob, at)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, at = _varint(blob, at)
        elif wire == 2:
            length, at = _varint(blob, at)
            if at + length > len(blob):
                raise ValueError("truncated field")
            value, at = blob[at : at + length], at + length
        elif wire in {1, 5}:
            at += 8 if wire == 1 else 4
            continue
        else:
            raise ValueError(f"unknown wire type {wire}")
        found.setdefault(number, []).append(value)
    return found


def _proto_text(fields: Mapping[int, list[int | bytes]], number: int) -> str:
    values = [v for v in fields.get(number, []) if isinstance(v, bytes)]
    return values[0].decode("utf-8", errors="replace")[:50_000] if values else ""


def _tables(connection: sqlite3.Connection) -> set[str]:
    return {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in connection.execute(f"PRAGMA table_info({table})")}


def _modern_templates(
    connection: sqlite3.Connection, tables: set[str]
) -> dict[int, list[_Template]]:
    templates: dict[int, list[_Template]] = {}
    if "templates" not in tables or not {"ntid", "ord", "name", "config"} <= _columns(
        connection, "templates"
    ):
        return templates
    for ntid, ord_, tname, config in connection.execute(
        "SELECT ntid, ord, name, config FROM templates LIMIT 10000"
    ):
        type_id, order = _int(ntid), _int(ord_)
        if type_id is None or order is None or not isinstance(config, bytes):
            continue
        try:
            fields = proto_fields(config)
        except ValueError:
            continue
        templates.setdefault(type_id, []).append(
            _Template(str(tname)[:200], order, _proto_text(fields, 1), _proto_text(fields, 2))
        )
    return templates


def _legacy_templates(model: Mapping[str, object]) -> tuple[_Template, ...]:
    found: list[_Template] = []
    raw = model.get("tmpls", [])
    for index, template in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(template, dict):
            continue
        order = _int(template.get("ord"))
        found.append(
            _Template(
                str(template.get("name", ""))[:200],
                order if order is not None else index,
                str(template.get("qfmt", "")),
                str(template.get("afmt", "")),
            )
        )
    return tuple(found[:MAX_TEMPLATES])


def _note_types(connection: sqlite3.Connection, tables: set[str]) -> dict[int, _NoteType]:
    types: dict[int, _NoteType] = {}
    if "notetypes" in tables and "fields" in tables:
        fields: dict[int, list[tuple[int, str]]] = {}
        for ntid, ord_, fname in connection.execute("SELECT ntid, ord, name FROM fields"):
            if (type_id := _int(ntid)) is not None and (order := _int(ord_)) is not None:
                fields.setdefault(type_id, []).append((order, str(fname)[:200]))
        templates = _modern_templates(connection, tables)
        has_config = "config" in _columns(connection, "notetypes")
        query = f"SELECT id, name, {'config' if has_config else 'NULL'} FROM notetypes"
        for ntid, tname, config in connection.execute(query):
            if (type_id := _int(ntid)) is None:
                continue
            cloze = False
            if isinstance(config, bytes):
                with contextlib.suppress(ValueError):
                    cloze = proto_fields(config).get(1, [0])[0] == 1
            names = tuple(n for _, n in sorted(fields.get(type_id, [])))
            ordered = tuple(sorted(templates.get(type_id, []), key=lambda t: t.ord))
            types[type_id] = _NoteType(str(tname)[:200], names, cloze, ordered[:MAX_TEMPLATES])
    if "col" in tables:
        row = connection.execute("SELECT models FROM col LIMIT 1").fetchone()
        with contextlib.suppress(TypeError, ValueError, AttributeError, RecursionError):
            models = json.loads(row[0]) if row and row[0] else {}
            for key, model in models.items():
                names = tuple(str(f.get("name", "")) for f in model.get("flds", []))
                types[int(key)] = _NoteType(
                    str(model.get("name", "")),
                    names,
                    model.get("type") == 1,
                    _legacy_templates(model),
                )
    return types


def _deck_names(connection: sqlite3.Connection, tables: set[str]) -> dict[int, str]:
    names: dict[int, str] = {}
    if "decks" in tables:
        for did, dname in connection.execute("SELECT id, name FROM decks LIMIT 1000"):
            if (deck := _int(did)) is not None:
                names[deck] = str(dname)[:200].replace("\x1f", "::")
    if "col" in tables and "decks" in _columns(connection, "col"):
        row = connection.execute("SELECT decks FROM col LIMIT 1").fetchone()
        with contextlib.suppress(TypeError, ValueError, AttributeError, RecursionError):
            for key, deck in (json.loads(row[0]) if row and row[0] else {}).items():
                names.setdefault(int(key), str(deck.get("name", "")))
    return names


def _cards(
    connection: sqlite3.Connection, tables: set[str]
) -> tuple[dict[int, set[int]], Counter[int]]:
    """The card templates Anki made for each note, and how many cards each deck holds."""
    per_note: dict[int, set[int]] = {}
    decks: Counter[int] = Counter()
    if "cards" not in tables or not {"nid", "ord", "did"} <= _columns(connection, "cards"):
        return per_note, decks
    for nid, ord_, did in connection.execute(
        "SELECT nid, ord, did FROM cards LIMIT ?", (MAX_NOTES * 4,)
    ):
        if (note := _int(nid)) is not None and (order := _int(ord_)) is not None:
            per_note.setdefault(note, set()).add(order)
        if (deck := _int(did)) is not None:
            decks[deck] += 1
    return per_note, decks


def _deck_name(names: Mapping[int, str], counts: Counter[int]) -> str | None:
    for did, _ in counts.most_common():
        label = names.get(did, "").split("::")[-1].strip()
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
    connection: sqlite3.Connection,
    *,
    path: str,
    deck_id: str,
    name: str | None,
    media: MediaStore,
) -> ImportResult:
    tables = _tables(connection)
    if "notes" not in tables:
        raise DeckError.single(path, "holds no readable Anki collection (no notes table)")
    types = _note_types(connection, tables)
    card_ords, deck_counts = _cards(connection, tables)
    deck_names = _deck_names(connection, tables)
    warnings: list[Problem] = []
    cards: list[RawCard] = []
    oversized = total = notes = 0
    has_id = "id" in _columns(connection, "notes")
    rows = connection.execute(
        f"SELECT {'id' if has_id else 'NULL'}, mid,"
        " CASE WHEN length(flds) <= ? THEN flds END, length(flds) <= ?, tags"
        " FROM notes ORDER BY id LIMIT ?",
        (MAX_NOTE_CHARS, MAX_NOTE_CHARS, MAX_NOTES + 1),
    )
    for number, (nid, mid, flds, fits, tags) in enumerate(rows, start=1):
        where = f"note {number}"
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
            warnings.append(Problem(path, "skipped: its fields are not text", None, where))
            continue
        total += len(flds)
        if total > MAX_TOTAL_CHARS:
            warnings.append(
                Problem(path, f"stopped after {MAX_TOTAL_CHARS // 10**6} million characters")
            )
            break
        notes += 1
        note_type = types.get(_int(mid) or -1)
        tag_list = tags.split()[:20] if isinstance(tags, str) else []
        ords = card_ords.get(_int(nid) or -1)
        note_cards = _note_cards(
            flds.split("\x1f"), note_type, ords, where, tag_list, deck_names, warnings, path
        )
        cards += note_cards
    if oversized:
        warnings.append(
            Problem(path, f"skipped {oversized} note(s) longer than {MAX_NOTE_CHARS:,} characters")
        )
    deck_name = name or _deck_name(deck_names, deck_counts) or title_from_id(deck_id)
    return finish_import(
        path=path,
        deck_id=deck_id,
        name=deck_name,
        cards=cards,
        warnings=warnings,
        sources=notes,
        unit="notes" if notes != 1 else "note",
        media=media,
    )


def _note_cards(
    fields: list[str],
    note_type: _NoteType | None,
    ords: set[int] | None,
    where: str,
    tags: list[str],
    deck_names: Mapping[int, str],
    warnings: list[Problem],
    path: str,
) -> list[RawCard]:
    if note_type is not None and note_type.cloze:
        return _cloze_cards(fields, note_type, where, tags, warnings, path)
    if note_type is None or not note_type.templates:
        return _field_cards(fields, note_type, where, tags)
    values = {
        field_name: fields[index] if index < len(fields) else ""
        for index, field_name in enumerate(note_type.fields)
    }
    specials = {"Tags": " ".join(tags), "Type": note_type.name}
    made: list[RawCard] = []
    several = len(note_type.templates) > 1
    for template in note_type.templates:
        if ords is not None and template.ord not in ords:
            continue
        label = f"{where}, card {template.name!r}" if several and template.name else where
        try:
            question = render(
                template.question, values, specials={**specials, "Card": template.name}
            )
            if ords is None and not question.shows_field:
                continue
            answer = render(
                template.answer,
                values,
                answer_side=True,
                front_side=question.html,
                specials={**specials, "Card": template.name},
            )
        except TemplateError as exc:
            warnings.append(Problem(path, f"skipped: {exc}", None, label))
            continue
        text, answer_text, images = join_fields(
            html_to_text(question.html), html_to_text(answer_part(answer.html, question.html))
        )
        made += row_cards(text, answer_text, where=label, images=images, tags=tags)
    if not made and ords:
        return _field_cards(fields, note_type, where, tags)
    return made


def _field_cards(
    fields: list[str], note_type: _NoteType | None, where: str, tags: list[str]
) -> list[RawCard]:
    """A note whose templates are unknown: its question and answer fields by name, else the first
    two fields."""
    names = note_type.fields if note_type else ()
    q_index = _pick(names, _QUESTION_FIELDS, 0)
    a_index = _pick(names, _ANSWER_FIELDS, 1 if q_index != 1 else 0)
    question = html_to_text(fields[q_index] if q_index < len(fields) else "")
    answer = html_to_text(fields[a_index] if a_index < len(fields) and a_index != q_index else "")
    text, answer_text, images = join_fields(question, answer)
    return row_cards(text, answer_text, where=where, images=images, tags=tags)


def _cloze_cards(
    fields: list[str],
    note_type: _NoteType,
    where: str,
    tags: list[str],
    warnings: list[Problem],
    path: str,
) -> list[RawCard]:
    q_index = _pick(note_type.fields, _QUESTION_FIELDS, 0)
    a_index = _pick(note_type.fields, _ANSWER_FIELDS, 1 if q_index != 1 else 0)
    question = html_to_text(fields[q_index] if q_index < len(fields) else "")
    if "{{c" not in question.text:
        warnings.append(Problem(path, "skipped a cloze note with no deletions", None, where))
        return []
    answer = html_to_text(fields[a_index] if a_index < len(fields) and a_index != q_index else "")
    text, answer_text, images = join_fields(question, answer)
    return row_cards(text, answer_text, where=where, images=images, tags=tags)


class _NoMedia:
    """No images are kept; says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def keep(self, source: str) -> str | None:
        return None

    def why_not(self, source: str) -> str:
        return self.reason

    def files(self) -> Mapping[str, bytes]:
        return {}


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class _PackageMedia:
    """The package's media: `media` maps zip member names ("0", "1", ...) to file names (JSON in
    legacy packages, zstd-compressed protobuf in Anki 2.1.50+ ones, whose members are zstd too)."""

    def __init__(self, archive: zipfile.ZipFile, deck_id: str, path: str) -> None:
        self.archive = archive
        self.folder = f"{deck_id}.media"
        self.path = path
        self.members = self._index()
        self.kept: dict[str, str] = {}
        self.reasons: dict[str, str] = {}
        self.saved: dict[str, bytes] = {}
        self.total = 0

    def _index(self) -> dict[str, str]:
        try:
            raw = _read_member(
                self.archive, "media", compressed=False, path=self.path, limit=20_000_000
            )
        except (DeckError, KeyError):
            return {}
        if raw.startswith(_ZSTD_MAGIC):
            try:
                raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read(20_000_000)
            except zstandard.ZstdError:
                return {}
            return self._modern_index(raw)
        with contextlib.suppress(ValueError, UnicodeDecodeError, RecursionError):
            mapping = json.loads(raw)
            if isinstance(mapping, dict):
                return {str(name): str(member) for member, name in mapping.items()}
        return self._modern_index(raw)

    def _modern_index(self, raw: bytes) -> dict[str, str]:
        index: dict[str, str] = {}
        try:
            entries = proto_fields(raw).get(1, [])
            for position, entry in enumerate(entries):
                if not isinstance(entry, bytes):
                    continue
                fields = proto_fields(entry)
                legacy = [v for v in fields.get(255, []) if isinstance(v, int)]
                member = str(legacy[0]) if legacy else str(position)
                index[_proto_text(fields, 1)] = member
        except ValueError:
            return {}
        return index

    def keep(self, source: str) -> str | None:
        if source in self.kept:
            return self.kept[source]
        if source in self.reasons:
            return None
        try:
            kept = self._keep(source)
        except _NotKept as why:
            self.reasons[source] = str(why)
            return None
        self.kept[source] = kept
        return kept

    def _keep(self, source: str) -> str:
        if re.match(r"^[a-z][a-z0-9+.-]*:", source, re.I):
            raise _NotKept("it is a web address, not a file in the package")
        member = self.members.get(source) or self.members.get(unquote(source))
        if member is None:
            raise _NotKept("the package does not include it")
        try:
            info = self.archive.getinfo(member)
        except KeyError:
            raise _NotKept("the package does not include it") from None
        if info.file_size > MAX_IMAGE_BYTES * 2:
            raise _NotKept(f"it is larger than {MAX_IMAGE_BYTES // 10**6} MB")
        try:
            data = self.archive.read(member)
            if data.startswith(_ZSTD_MAGIC):
                data = (
                    zstandard.ZstdDecompressor()
                    .stream_reader(io.BytesIO(data))
                    .read(MAX_IMAGE_BYTES + 1)
                )
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, zstandard.ZstdError):
            raise _NotKept("its file in the package is damaged") from None
        if len(data) > MAX_IMAGE_BYTES:
            raise _NotKept(f"it is larger than {MAX_IMAGE_BYTES // 10**6} MB")
        if self.total + len(data) > MAX_MEDIA_BYTES:
            raise _NotKept(f"the deck's images already take {MAX_MEDIA_BYTES // 10**6} MB")
        suffix = _image_format(data)
        if suffix is None:
            raise _NotKept("it is not a PNG, JPEG, GIF or WebP picture")
        stem = _SAFE_NAME.sub("-", PurePosixPath(unquote(source)).stem).strip("-._")[:80]
        stem = stem or "image"
        relative = f"{self.folder}/{stem}{suffix}"
        counter = 2
        while relative in self.saved:
            relative = f"{self.folder}/{stem}-{counter}{suffix}"
            counter += 1
        self.saved[relative] = data
        self.total += len(data)
        return relative

    def why_not(self, source: str) -> str:
        return self.reasons.get(source, "it could not be kept")

    def files(self) -> Mapping[str, bytes]:
        return self.saved


class _NotKept(Exception):
    pass


def _image_format(data: bytes) -> str | None:
    """The file suffix of a picture Pillow recognises as one Discord shows, else None. Pillow
    reads the header only (and refuses decompression bombs)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return _IMAGE_FORMATS.get(str(image.format))
    except Exception:  # Pillow raises many kinds on a damaged or hostile file
        return None
