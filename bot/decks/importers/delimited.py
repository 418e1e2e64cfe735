"""CSV/TSV import: Anki "Notes in Plain Text" exports (with their #headers) and Quizlet exports.

Anki writes optional header lines such as `#separator:tab`, `#html:true`, `#columns:Front\tBack\tTags`
and `#tags column:3`; Quizlet writes term/definition pairs with a chosen field and row separator.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from bot.decks.errors import DeckError, Problem
from bot.decks.importers.drafts import finish_import, row_drafts, title_from_id
from bot.decks.importers.result import ImportResult
from bot.decks.importers.text_clean import clean_block, html_to_text, looks_like_html
from bot.decks.model import CardDraft

_SEPARATOR_NAMES = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
_QUESTION = {"front", "question", "term", "word", "prompt", "q", "text"}
_ANSWER = {"back", "answer", "definition", "meaning", "a", "back extra"}
_HEADER_LINE = re.compile(r"^#([a-z][a-z ]*):(.*)$", re.I)
MAX_FIELD = 100_000


def _separator(value: str, path: str, line: int) -> str:
    named = _SEPARATOR_NAMES.get(value.strip().lower())
    if named:
        return named
    if len(value) == 1:
        return value
    raise DeckError.single(path, f"unknown separator {value!r}", line=line, field="#separator")


def _sniff(lines: Sequence[str]) -> str:
    sample = [line for line in lines[:50] if line.strip()]
    for candidate in ("\t", ";", ",", "|"):
        if sample and sum(candidate in line for line in sample) >= max(1, len(sample) * 0.6):
            return candidate
    return "\t"


def _column_roles(names: Sequence[str]) -> dict[str, int] | None:
    roles: dict[str, int] = {}
    for index, raw in enumerate(names):
        name = raw.strip().lower()
        if name in _QUESTION and "question" not in roles:
            roles["question"] = index
        elif name in _ANSWER and "answer" not in roles:
            roles["answer"] = index
        elif name in {"tags", "hint", "accept"}:
            roles.setdefault(name, index)
    return roles if {"question", "answer"} <= roles.keys() else None


def import_delimited(
    text: str,
    *,
    path: str = "<csv>",
    deck_id: str = "imported",
    name: str | None = None,
    separator: str | None = None,
    row_separator: str | None = None,
) -> ImportResult:
    """Import delimited text. `separator`/`row_separator` override detection (Quizlet custom)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    headers: dict[str, tuple[str, int]] = {}
    body_start = 0
    for number, line in enumerate(lines):
        match = _HEADER_LINE.match(line)
        if not match:
            break
        headers[match.group(1).strip().lower()] = (match.group(2), number + 1)
        body_start = number + 1
    warnings: list[Problem] = []

    if separator is None and "separator" in headers:
        value, line_no = headers["separator"]
        separator = _separator(value, path, line_no)
    if separator is None:
        separator = _sniff(lines[body_start:])
    html_header = headers.get("html", ("", 0))[0].strip().lower()
    file_tags = headers.get("tags", ("", 0))[0].split()

    roles: dict[str, int] | None = None
    if "columns" in headers:
        value, line_no = headers["columns"]
        roles = _column_roles(value.split(separator))
        if roles is None:
            raise DeckError.single(
                path,
                "needs a question column (Front/Question/Term) and an answer column "
                "(Back/Answer/Definition)",
                line=line_no,
                field="#columns",
            )
    roles = roles or {"question": 0, "answer": 1}
    if "tags column" in headers:
        value, line_no = headers["tags column"]
        if not value.strip().isdigit() or int(value) < 1:
            raise DeckError.single(
                path, "must be a column number", line=line_no, field="#tags column"
            )
        roles["tags"] = int(value) - 1

    body = "\n".join(lines[body_start:])
    rows = _rows(body, separator, row_separator, path, first_line=body_start + 1)
    if rows and "columns" not in headers:
        header_roles = _column_roles(rows[0][1])
        if header_roles is not None:
            roles = header_roles
            rows = rows[1:]

    use_html = html_header == "true" or (
        html_header != "false" and any(looks_like_html(cell) for _, row in rows for cell in row)
    )
    drafts: list[CardDraft] = []
    dropped_images = 0
    for line_no, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(roles["question"], roles["answer"]):
            warnings.append(Problem(path, f"skipped a row with {len(row)} field(s)", line_no))
            continue

        def cell(role: str, row: list[str] = row) -> str:
            nonlocal dropped_images
            index = roles.get(role) if roles else None
            if index is None or index >= len(row):
                return ""
            value = row[index]
            if use_html:
                value, images = html_to_text(value)
                dropped_images += images
                return value
            return clean_block(value)

        tags = [*file_tags, *cell("tags").split()]
        accept = [a.strip() for a in cell("accept").split("|") if a.strip()]
        drafts += row_drafts(
            cell("question"),
            cell("answer"),
            line=line_no,
            tags=tags,
            hint=cell("hint") or None,
            accept=accept,
        )
    if dropped_images:
        warnings.append(Problem(path, f"dropped {dropped_images} image(s); decks hold text only"))
    return finish_import(
        path=path,
        deck_id=deck_id,
        name=name or title_from_id(deck_id),
        drafts=drafts,
        warnings=warnings,
    )


def _rows(
    body: str, separator: str, row_separator: str | None, path: str, *, first_line: int
) -> list[tuple[int, list[str]]]:
    if row_separator is None and len(separator) != 1:
        return [
            (first_line + index, line.split(separator))
            for index, line in enumerate(body.split("\n"))
            if line.strip()
        ]
    if row_separator is not None:
        rows: list[tuple[int, list[str]]] = []
        line = first_line
        for chunk in body.split(row_separator):
            if chunk.strip():
                rows.append((line, chunk.strip("\n").split(separator, 1)))
            line += chunk.count("\n")
        return rows
    reader = csv.reader(io.StringIO(body), delimiter=separator, strict=False)
    rows = []
    previous_end = 0
    try:
        for row in reader:
            rows.append((first_line + previous_end, row))
            previous_end = reader.line_num
            if any(len(cell) > MAX_FIELD for cell in row):
                raise DeckError.single(path, "a field is too long", line=rows[-1][0])
    except csv.Error as exc:
        raise DeckError.single(
            path, f"cannot be read as CSV: {exc}", line=first_line + reader.line_num
        ) from None
    return rows
