"""Importers that turn other flashcard formats into the deck model.

`import_bytes` is the single entry point for uploads and the CLI: it picks the format from the file
name and content, and always returns an ImportResult or raises DeckError. `write_import` writes the
deck file and, beside it, the images its cards show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from bot.decks.errors import DeckError
from bot.decks.importers.apkg import import_apkg
from bot.decks.importers.delimited import header_key, import_delimited, looks_delimited
from bot.decks.importers.paste import import_paste
from bot.decks.importers.result import ImportResult
from bot.decks.model import deck_id_from_stem
from bot.decks.toml_format import decode_text, dump_deck, loads_deck

Format = Literal["toml", "paste", "csv", "apkg"]
FORMATS: tuple[Format, ...] = ("toml", "paste", "csv", "apkg")


def detect_format(filename: str, data: bytes) -> Format:
    suffix = Path(filename).suffix.lower()
    if suffix in {".apkg", ".colpkg"} or data.startswith(b"PK\x03\x04"):
        return "apkg"
    if suffix == ".toml":
        return "toml"
    if suffix in {".csv", ".tsv"}:
        return "csv"
    head = data[:20_000].decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [line for line in head.splitlines() if line.strip()]
    if any(header_key(line) for line in lines[:12]):
        return "csv"
    if looks_delimited(lines):
        return "csv"
    return "paste"


def import_bytes(
    data: bytes,
    filename: str,
    *,
    fmt: Format | None = None,
    deck_id: str | None = None,
    name: str | None = None,
    separator: str | None = None,
    row_separator: str | None = None,
    keep_media: bool = False,
) -> ImportResult:
    """Import a file's content. The deck id defaults to the file name's stem.

    A separator given without a format means delimited text. `keep_media` reads the images that
    cards show (Anki packages) into `ImportResult.media`; write them with `write_import`. Without
    it, a card that cannot be answered without its image is skipped with a warning naming it."""
    if fmt is None and (separator is not None or row_separator is not None):
        fmt = "csv"
    chosen = fmt or detect_format(filename, data)
    deck_id = deck_id or deck_id_from_stem(Path(filename).stem)
    if chosen == "apkg":
        return import_apkg(data, path=filename, deck_id=deck_id, name=name, keep_media=keep_media)
    if not data.strip():
        raise DeckError.single(filename, "is empty")
    text = decode_text(data, filename)
    if chosen == "toml":
        deck = loads_deck(text, path=filename, deck_id=deck_id)
        return ImportResult(deck, sources=len(deck.cards), unit="cards")
    if chosen == "csv":
        return import_delimited(
            text,
            path=filename,
            deck_id=deck_id,
            name=name,
            separator=separator,
            row_separator=row_separator,
        )
    return import_paste(text, path=filename, deck_id=deck_id, name=name)


def read_file(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise DeckError.single(str(path), f"cannot be read: {exc.strerror or exc}") from None


def import_file(path: str | Path, **options: object) -> ImportResult:
    return import_bytes(read_file(path), str(path), **options)  # type: ignore[arg-type]


def write_import(result: ImportResult, target: str | Path) -> list[Path]:
    """Write the deck as TOML at `target` and its images beside it (each card's `image` is a path
    relative to the deck file's folder); returns the files written, the deck file last."""
    deck_file = Path(target)
    folder = deck_file.parent
    written: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    for relative, data in result.media.items():
        destination = folder / relative
        if folder.resolve() not in destination.resolve().parents:
            raise DeckError.single(
                str(deck_file), f"image path {relative!r} leaves the deck folder"
            )
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
        written.append(destination)
    deck_file.write_text(dump_deck(result.deck), encoding="utf-8")
    written.append(deck_file)
    return written


__all__ = [
    "FORMATS",
    "Format",
    "ImportResult",
    "detect_format",
    "import_bytes",
    "import_file",
    "read_file",
    "write_import",
]
