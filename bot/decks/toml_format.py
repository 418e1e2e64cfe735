"""The native deck format: TOML read with the standard library, written back readably.

tomllib reports syntax errors with a line but forgets positions once parsed, so the loader scans the
source once to map every `[[cards]]` table and key to its line for validation messages.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.decks.errors import DeckError, Problem
from bot.decks.model import CardDraft, Deck, build_deck, deck_id_from_stem, derive_card_id

MAX_FILE_BYTES = 5_000_000

DECK_KEYS = ("name", "description", "source", "tags", "cards")
CARD_KEYS = ("question", "answer", "accept", "id", "hint", "tags", "image")

_Fail = Callable[[str, int | None, str | None], None]

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]\]?")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


@dataclass
class _LineMap:
    top: dict[str, int] = field(default_factory=dict)
    cards: list[int] = field(default_factory=list)
    card_keys: list[dict[str, int]] = field(default_factory=list)


def _map_lines(text: str) -> _LineMap:
    found = _LineMap()
    section: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            section = header.group(1)
            if section == "cards" and line.lstrip().startswith("[["):
                found.cards.append(number)
                found.card_keys.append({})
            continue
        key = _KEY.match(line)
        if not key:
            continue
        name = key.group(1).strip("\"'")
        if section is None:
            found.top.setdefault(name, number)
        elif section == "cards" and found.card_keys:
            found.card_keys[-1].setdefault(name, number)
    return found


def decode_text(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM) to text, or a DeckError naming the line of the bad bytes."""
    if len(data) > MAX_FILE_BYTES:
        raise DeckError.single(path, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DeckError.single(path, "is not valid UTF-8 text", line=line) from None
    return text


def load_deck(path: str | Path) -> Deck:
    """Load one TOML deck file; the deck id is the file stem."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DeckError.single(str(file), f"cannot be read: {exc.strerror or exc}") from None
    return loads_deck(decode_text(data, str(file)), path=str(file), deck_id=file.stem)


def loads_deck(text: str, *, path: str = "<deck>", deck_id: str | None = None) -> Deck:
    """Parse TOML deck text. Raises DeckError with file, line and field for every problem."""
    deck_id = deck_id if deck_id is not None else deck_id_from_stem(Path(path).stem)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = _decode_error(exc)
        raise DeckError.single(path, f"invalid TOML: {message}", line=line) from None
    except RecursionError:
        raise DeckError.single(path, "invalid TOML: nested too deeply") from None
    lines = _map_lines(text)
    problems: list[Problem] = []

    def fail(message: str, line: int | None, where: str | None) -> None:
        problems.append(Problem(path, message, line, where))

    for key in document:
        if key not in DECK_KEYS:
            fail(_unknown(key, DECK_KEYS), lines.top.get(key), key)

    name = _string(document, "name", lines.top, fail, required=True)
    description = _string(document, "description", lines.top, fail)
    source = _string(document, "source", lines.top, fail)
    tags = _strings(document, "tags", lines.top, fail)

    raw_cards = document.get("cards")
    drafts: list[CardDraft] = []
    if raw_cards is None:
        fail("is missing: add at least one [[cards]] table", None, "cards")
    elif not isinstance(raw_cards, list) or not all(isinstance(c, dict) for c in raw_cards):
        fail("must be an array of tables ([[cards]])", lines.top.get("cards"), "cards")
    else:
        for index, raw in enumerate(raw_cards):
            key_lines = lines.card_keys[index] if index < len(lines.card_keys) else {}
            start = lines.cards[index] if index < len(lines.cards) else lines.top.get("cards")
            drafts.append(_card_draft(raw, index, start, key_lines, fail))

    if problems:
        raise DeckError(problems)
    return build_deck(
        path=path,
        deck_id=deck_id,
        name=name or "",
        drafts=drafts,
        description=description,
        source=source,
        tags=tags,
        name_line=lines.top.get("name"),
    )


_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$|\s*\(at end of document\)$")


def _decode_error(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """The message and line of a TOML syntax error (Python < 3.14 keeps the line in the text)."""
    text = str(exc.args[0]) if exc.args else str(exc)
    match = _AT_LINE.search(text)
    if not match:
        return text, None
    line = int(match.group(1)) if match.group(1) else None
    return text[: match.start()], line


def _card_draft(
    raw: Mapping[str, Any],
    index: int,
    start: int | None,
    key_lines: dict[str, int],
    fail: _Fail,
) -> CardDraft:
    label = f"cards[{index}]"
    for key in raw:
        if key not in CARD_KEYS:
            fail(_unknown(key, CARD_KEYS), key_lines.get(key, start), f"{label}.{key}")

    def local_fail(message: str, line: int | None, where: str | None) -> None:
        fail(message, line if line is not None else start, f"{label}.{where}")

    question = _string(raw, "question", key_lines, local_fail, required=True)
    answer = _string(raw, "answer", key_lines, local_fail, required=True)
    card_id = _string(raw, "id", key_lines, local_fail)
    hint = _string(raw, "hint", key_lines, local_fail)
    accept = _strings(raw, "accept", key_lines, local_fail)
    tags = _strings(raw, "tags", key_lines, local_fail)
    image = _string(raw, "image", key_lines, local_fail)
    return CardDraft(
        question=question or "",
        answer=answer or "",
        accept=accept,
        id=card_id,
        hint=hint,
        tags=tags,
        line=start,
        field_lines={k: v for k, v in key_lines.items() if k in CARD_KEYS},
        image=image,
    )


def _string(
    table: Mapping[str, Any],
    key: str,
    key_lines: Mapping[str, int],
    fail: _Fail,
    *,
    required: bool = False,
) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            fail("is missing", None, key)
        return None
    if not isinstance(value, str):
        fail(f"must be a string, not {_toml_type(value)}", key_lines.get(key), key)
        return None
    if required and not value.strip():
        fail("must not be empty", key_lines.get(key), key)
        return None
    return value


def _strings(
    table: Mapping[str, Any], key: str, key_lines: Mapping[str, int], fail: _Fail
) -> list[str]:
    value = table.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        example = f'{key} = ["…"]'
        fail(f"must be an array of strings, like {example}", key_lines.get(key), key)
        return []
    return list(value)


def _unknown(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(allowed)})"
    return f"unknown key{hint}"


def _toml_type(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        list: "an array",
        dict: "a table",
    }.get(type(value), "a date or time")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\r": "\\r", "\t": "\\t"}


def _escape(text: str, *, multiline: bool) -> str:
    out: list[str] = []
    for ch in text:
        if ch == "\n":
            out.append("\n" if multiline else "\\n")
        elif ch == "\t" and multiline:
            out.append("\t")
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def toml_string(text: str) -> str:
    """A TOML basic string; multi-line text becomes a readable triple-quoted string."""
    if "\n" in text:
        return '"""\n' + _escape(text, multiline=True) + '"""'
    return '"' + _escape(text, multiline=False) + '"'


def _toml_array(items: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(toml_string(item) for item in items) + "]"


def dump_deck(deck: Deck, *, explicit_ids: bool = False) -> str:
    """Render a deck as TOML that loads back to an equal deck."""
    lines = [f"name = {toml_string(deck.name)}"]
    if deck.description:
        lines.append(f"description = {toml_string(deck.description)}")
    if deck.source:
        lines.append(f"source = {toml_string(deck.source)}")
    if deck.tags:
        lines.append(f"tags = {_toml_array(deck.tags)}")
    for card in deck.cards:
        lines += ["", "[[cards]]"]
        if explicit_ids or card.id != derive_card_id(card.question):
            lines.append(f"id = {toml_string(card.id)}")
        lines.append(f"question = {toml_string(card.question)}")
        lines.append(f"answer = {toml_string(card.answer)}")
        if card.accept:
            lines.append(f"accept = {_toml_array(card.accept)}")
        if card.hint:
            lines.append(f"hint = {toml_string(card.hint)}")
        if card.tags:
            lines.append(f"tags = {_toml_array(card.tags)}")
        if card.image:
            lines.append(f"image = {toml_string(card.image)}")
    return "\n".join(lines) + "\n"
