"""Delimited text: Anki "Notes in Plain Text" exports (with their `#` headers), Quizlet exports, and
study notes written one card a line with `;`, `|`, a tab or a comma between question and answer.

Anki 2.1.55+ writes header lines before the rows (all optional):

    #separator:tab            tab/comma/semicolon/pipe/space/colon, or the character itself
    #html:true                fields are HTML
    #columns:Front<TAB>Back   column names, split by the separator
    #notetype column:1        columns are 1-based; these four hold no card text
    #deck column:2
    #guid column:3
    #tags column:5
    #tags:global tags
    #notetype:Basic / #deck:Name

The question and answer are the first two columns that are not the note type, deck, GUID or tags
column; further fields of the note are added to the answer. Rows are read as Anki writes them
(double quotes around a field that holds the separator, a quote or a line break). Without headers,
a row with more separators than fields is kept whole: its later fields are joined back into the
answer, with a warning naming the line.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.decks.errors import DeckError, Problem
from bot.decks.importers.drafts import (
    RawCard,
    deck_name,
    finish_import,
    join_fields,
    row_cards,
    title_from_id,
)
from bot.decks.importers.result import ImportResult
from bot.decks.importers.text_clean import FieldText, html_to_text, looks_like_html, plain_to_text

SEPARATOR_NAMES = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
_QUESTION = {"front", "question", "term", "word", "prompt", "q", "text"}
_ANSWER = {"back", "answer", "definition", "meaning", "a", "back extra"}
_KNOWN_KEYS = {
    "separator",
    "html",
    "tags",
    "columns",
    "notetype",
    "deck",
    "notetype column",
    "deck column",
    "guid column",
    "tags column",
    "if matches",
    "match scope",
}
_REVERSED = "basic (and reversed card)"
_OPTIONAL_REVERSED = "basic (optional reversed card)"
MAX_FIELD = 100_000


def parse_separator(
    value: str, path: str = "<csv>", line: int | None = None, *, given: bool = False
) -> str:
    """A separator as Anki names it in `#separator:` (a name or one character), or, when `given`
    by the user, any string (Quizlet's custom separators such as '::')."""
    named = SEPARATOR_NAMES.get(value.strip().lower())
    if named:
        return named
    if value in {"\\t", "\t"}:
        return "\t"
    if len(value) == 1 or (given and value):
        return value
    if len(value.strip()) == 1:
        return value.strip()
    raise DeckError.single(
        path,
        f"unknown separator {value!r}: use tab, comma, semicolon, pipe, space, colon or one"
        " character",
        line=line,
        field="--separator" if given else "#separator",
    )


def header_key(line: str) -> str | None:
    """The key of an Anki header line such as '#notetype column:1', else None."""
    if not line.startswith("#") or ":" not in line:
        return None
    key = line[1:].split(":", 1)[0].strip().lower()
    return key if key in _KNOWN_KEYS else None


def sniff_separator(lines: Sequence[str]) -> tuple[str, float]:
    """The separator that best splits these lines into a steady number of fields, and the share
    of lines it splits (0 when none does)."""
    sample = [line for line in lines[:200] if line.strip() and not line.startswith("#")]
    if not sample:
        return "\t", 0.0
    best, best_score, best_share = "\t", 0.0, 0.0
    for candidate in ("\t", ";", "|", ","):
        counts = [line.count(candidate) for line in sample]
        share = sum(1 for c in counts if c) / len(sample)
        if not share:
            continue
        modal = Counter(c for c in counts if c).most_common(1)[0][1] / len(sample)
        score = share + modal
        if score > best_score:
            best, best_score, best_share = candidate, score, share
    return best, best_share


def looks_delimited(lines: Sequence[str]) -> bool:
    """One card a line with a tab, `;` or `|` between question and answer (not prose)."""
    sample = [line for line in lines[:200] if line.strip()]
    if len(sample) < 2:
        return False
    separator, share = sniff_separator(sample)
    if separator == "\t":
        return share >= 0.6
    if separator not in {";", "|"} or share < 0.8:
        return False
    split = [line.split(separator, 1) for line in sample if separator in line]
    both = sum(1 for parts in split if parts[0].strip() and parts[1].strip())
    return both >= 0.8 * len(sample)


@dataclass
class _Headers:
    values: dict[str, tuple[str, int]] = field(default_factory=dict)
    comments: list[int] = field(default_factory=list)
    body_start: int = 0

    def number(self, key: str, path: str) -> int | None:
        if key not in self.values:
            return None
        value, line = self.values[key]
        if not value.strip().isdigit() or int(value) < 1:
            raise DeckError.single(
                path, "must be a column number (1 for the first)", line=line, field=f"#{key}"
            )
        return int(value) - 1


def _read_headers(lines: Sequence[str]) -> _Headers:
    headers = _Headers()
    for number, line in enumerate(lines):
        if number == 0 and line.startswith("tags:"):
            headers.values["tags"] = (line[5:], 1)
        elif line.startswith("#"):
            key = header_key(line)
            if key is None:
                headers.comments.append(number + 1)
            else:
                headers.values[key] = (line.split(":", 1)[1], number + 1)
        else:
            break
        headers.body_start = number + 1
    return headers


@dataclass
class _Layout:
    question: int
    answer: int
    extras: list[int]
    tags: int | None = None
    hint: int | None = None
    accept: int | None = None
    notetype: int | None = None
    deck: int | None = None
    meta: set[int] = field(default_factory=set)
    declared: bool = False


def _layout(
    names: Sequence[str] | None, headers: _Headers, path: str, width: int, *, declared: bool
) -> _Layout:
    notetype = headers.number("notetype column", path)
    deck = headers.number("deck column", path)
    guid = headers.number("guid column", path)
    tags = headers.number("tags column", path)
    meta = {c for c in (notetype, deck, guid) if c is not None}
    named: dict[str, int] = {}
    for index, raw in enumerate(names or ()):
        if index in meta:
            continue
        label = raw.strip().lower()
        role = (
            "question"
            if label in _QUESTION
            else "answer"
            if label in _ANSWER
            else label
            if label in {"tags", "hint", "accept", "deck", "notetype", "guid"}
            else None
        )
        if role and role not in named:
            named[role] = index
    if tags is None:
        tags = named.get("tags")
    for role in ("notetype", "deck", "guid"):
        if role in named:
            meta.add(named[role])
    notetype = notetype if notetype is not None else named.get("notetype")
    deck = deck if deck is not None else named.get("deck")
    special = meta | {c for c in (tags, named.get("hint"), named.get("accept")) if c is not None}
    columns = max(width, len(names or ()), *(c + 1 for c in special)) if special else width
    fields = [c for c in range(max(columns, 2)) if c not in special]
    question = named.get("question", fields[0] if fields else 0)
    rest = [c for c in fields if c != question]
    answer = named.get("answer", rest[0] if rest else question + 1)
    extras = [c for c in fields if c not in {question, answer}]
    return _Layout(
        question,
        answer,
        extras,
        tags,
        named.get("hint"),
        named.get("accept"),
        notetype,
        deck,
        meta,
        declared,
    )


def _header_row(row: Sequence[str]) -> bool:
    labels = {cell.strip().lower() for cell in row}
    return bool(labels & _QUESTION) and bool(labels & _ANSWER)


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
    headers = _read_headers(lines)
    warnings: list[Problem] = [
        Problem(path, "read as a comment, as Anki reads lines starting with '#' here", line)
        for line in headers.comments
    ]
    anki = bool(headers.values)
    if separator is not None:
        separator = parse_separator(separator, path, given=True)
    elif "separator" in headers.values:
        value, line_no = headers.values["separator"]
        separator = parse_separator(value, path, line_no)
    else:
        separator = sniff_separator(lines[headers.body_start :])[0]
    html_header = headers.values.get("html", ("", 0))[0].strip().lower()
    file_tags = headers.values.get("tags", ("", 0))[0].split()

    body = "\n".join(lines[headers.body_start :])
    quoted = anki or path.lower().endswith((".csv", ".tsv")) or _has_quoted_fields(body, separator)
    rows = _rows(
        body, separator, row_separator, path, first_line=headers.body_start + 1, quoted=quoted
    )
    names: list[str] | None = None
    if "columns" in headers.values:
        value, _ = headers.values["columns"]
        names = (
            next(csv.reader([value], delimiter=separator), [])
            if len(separator) == 1
            else value.split(separator)
        )
    elif rows and _header_row(rows[0][1]):
        names = rows[0][1]
        rows = rows[1:]
    width = Counter(len(row) for _, row in rows).most_common(1)[0][0] if rows else 2
    layout = _layout(
        names, headers, path, width, declared=anki or names is not None or row_separator is not None
    )

    use_html = html_header == "true" or (
        html_header != "false"
        and any(looks_like_html(cell) for _, row in rows[:2000] for cell in row)
    )
    global_notetype = headers.values.get("notetype", ("", 0))[0].strip()
    decks: Counter[str] = Counter()
    if "deck" in headers.values:
        decks[headers.values["deck"][0].strip()] += 1
    cards: list[RawCard] = []
    count = 0

    def cell(row: Sequence[str], index: int | None) -> str:
        return row[index] if index is not None and index < len(row) else ""

    def clean(value: str) -> FieldText:
        return html_to_text(value) if use_html else plain_to_text(value)

    for line_no, row in rows:
        if not any(value.strip() for value in row):
            continue
        count += 1
        where = f"line {line_no}"
        if layout.deck is not None and cell(row, layout.deck).strip():
            decks[cell(row, layout.deck).strip()] += 1
        notetype = (cell(row, layout.notetype).strip() or global_notetype).casefold()
        question_raw = cell(row, layout.question)
        answer_raw = cell(row, layout.answer)
        extras = [cell(row, c) for c in layout.extras]
        known = {layout.question, layout.answer, *layout.extras, *layout.meta}
        known |= {c for c in (layout.tags, layout.hint, layout.accept) if c is not None}
        beyond = [value for index, value in enumerate(row) if index not in known]
        if layout.answer >= len(row) and not any(v.strip() for v in extras + beyond):
            fields = sum(1 for i in range(len(row)) if i not in layout.meta)
            warnings.append(
                Problem(
                    path,
                    f"skipped: the row has {fields} field{'s' if fields != 1 else ''}, no answer",
                    line_no,
                )
            )
            continue
        reverse = notetype == _REVERSED
        if notetype == _OPTIONAL_REVERSED and extras:
            reverse = bool(clean(extras[0]).text.strip())
            extras = extras[1:]
        if layout.declared:
            added = [v for v in (*extras, *beyond) if clean(v).text.strip() or clean(v).images]
            if added:
                answer_raw = (
                    "\n".join([answer_raw, *added]) if answer_raw.strip() else "\n".join(added)
                )
        elif any(value.strip() for value in row[layout.answer + 1 :]):
            answer_raw = separator.join(row[layout.answer :])
            warnings.append(
                Problem(
                    path,
                    f"the row has {len(row)} fields split by {_shown(separator)}; the text after"
                    f" the second {_shown(separator)} is kept in the answer",
                    line_no,
                )
            )
        tags = [*file_tags, *cell(row, layout.tags).split()]
        accept = [a.strip() for a in clean(cell(row, layout.accept)).text.split("|") if a.strip()]
        hint = clean(cell(row, layout.hint)).text or None
        question, answer, images = join_fields(clean(question_raw), clean(answer_raw))
        cards += row_cards(
            question,
            answer,
            where=where,
            line=line_no,
            images=images,
            tags=tags,
            hint=hint,
            accept=accept,
        )
        if reverse:
            back, front, back_images = join_fields(
                clean(cell(row, layout.answer)), clean(question_raw)
            )
            cards += row_cards(
                back,
                front,
                where=f"{where}, reverse card",
                line=line_no,
                images=back_images,
                tags=tags,
            )
    deck_label = ""
    for label, _ in decks.most_common():
        deck_label = label.split("::")[-1].strip()
        if deck_label and deck_label != "Default":
            break
    return finish_import(
        path=path,
        deck_id=deck_id,
        name=name or (deck_name(deck_label) if deck_label else title_from_id(deck_id)),
        cards=cards,
        warnings=warnings,
        sources=count,
        unit="notes" if anki else "rows",
    )


def _shown(separator: str) -> str:
    return {"\t": "tabs", " ": "spaces"}.get(separator, repr(separator))


def _has_quoted_fields(body: str, separator: str) -> bool:
    """Whether a file without headers quotes fields as CSV does: a field opening and one closing
    with a double quote. Notes written by hand ('"Hello" means?;greeting') are split as written."""
    if '"' not in body or len(separator) != 1:
        return False
    sep = re.escape(separator)
    return bool(re.search(f'(?:^|{sep})"(?:[^"]|""){{0,{MAX_FIELD}}}"(?:{sep}|$)', body, re.M))


def _rows(
    body: str,
    separator: str,
    row_separator: str | None,
    path: str,
    *,
    first_line: int,
    quoted: bool = True,
) -> list[tuple[int, list[str]]]:
    if row_separator is None and (len(separator) != 1 or not quoted):
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
                rows.append(
                    (
                        line + chunk[: len(chunk) - len(chunk.lstrip("\n"))].count("\n"),
                        chunk.strip("\n").split(separator, 1),
                    )
                )
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
                raise DeckError.single(
                    path,
                    f"a field is longer than {MAX_FIELD:,} characters"
                    " (a quote that is never closed?)",
                    line=rows[-1][0],
                )
    except csv.Error as exc:
        raise DeckError.single(
            path, f"cannot be read as CSV: {exc}", line=first_line + reader.line_num
        ) from None
    return rows
