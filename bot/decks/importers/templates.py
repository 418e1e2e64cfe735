"""Anki card templates rendered the way Anki renders them, enough to make each card a note has.

A note type's templates (`{{Front}}`, `{{FrontSide}}<hr id=answer>{{Back}}`, ...) say what each
of its cards shows: "Basic (and reversed card)" has two, "Basic (optional reversed card)" shows its
second only when `{{#Add Reverse}}` is filled in. The syntax is Anki's own (not Mustache): field
references with optional filters (`{{text:Back}}`, `{{type:Back}}`), sections shown when a field is
non-empty (`{{#Field}}..{{/Field}}`) or empty (`{{^Field}}..{{/Field}}`), and special fields
(`FrontSide`, `Tags`, `Deck`, `Type`, `Card`). Nothing in a template is executed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.decks.importers.text_clean import html_to_text

MAX_TEMPLATE = 50_000
MAX_RENDERED = 300_000
"""A card rendered longer than this (a template repeating a long field) is not a card."""

_TAG = re.compile(r"\{\{(.{0,300}?)\}\}", re.S)
_ANSWER_RULE = re.compile(r"<hr[^>]{0,100}?id\s*=\s*[\"']?answer[\"']?[^>]{0,100}>", re.I)
_SPECIAL = {"Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}
_HIDDEN_FILTERS = {"hint", "tts", "cloze-only"}


class TemplateError(ValueError):
    """A template this importer cannot render (too long, or rendering to too much text)."""


@dataclass(frozen=True)
class Rendered:
    html: str
    shows_field: bool
    """Whether a non-empty field of the note was shown: Anki makes the card only then."""


def field_is_empty(value: str) -> bool:
    if not value.strip():
        return True
    if "<" not in value and "&" not in value:
        return False
    text = html_to_text(value)
    return not text.text.strip() and not text.images


def render(
    template: str,
    fields: Mapping[str, str],
    *,
    answer_side: bool = False,
    front_side: str = "",
    specials: Mapping[str, str] | None = None,
) -> Rendered:
    """Render a template against a note's fields (their raw HTML)."""
    if len(template) > MAX_TEMPLATE:
        raise TemplateError(f"a card template is longer than {MAX_TEMPLATE:,} characters")
    specials = specials or {}
    empty_cache: dict[str, bool] = {}

    def empty(name: str) -> bool:
        if name not in empty_cache:
            if name == "FrontSide":
                empty_cache[name] = not answer_side or field_is_empty(front_side)
            elif name in fields:
                empty_cache[name] = field_is_empty(fields[name])
            else:
                empty_cache[name] = not specials.get(name, "").strip()
        return empty_cache[name]

    out: list[str] = []
    size = 0
    shows_field = False
    stack: list[tuple[str, bool]] = []
    showing = True
    position = 0
    for match in _TAG.finditer(template):
        if showing:
            out.append(template[position : match.start()])
            size += match.start() - position
        position = match.end()
        tag = match.group(1).strip()
        if tag[:1] in {"#", "^"}:
            name = tag[1:].strip()
            shown = empty(name) if tag[0] == "^" else not empty(name)
            stack.append((name, showing))
            showing = showing and shown
            continue
        if tag[:1] == "/":
            name = tag[1:].strip()
            while stack:
                opened, before = stack.pop()
                if opened == name:
                    showing = before
                    break
            continue
        if not showing or tag[:1] in {"!", "="}:
            continue
        *filters, name = [part.strip() for part in tag.split(":")]
        value = _value(name, filters, fields, answer_side, front_side, specials)
        if value and name in fields and not field_is_empty(value):
            shows_field = True
        out.append(value)
        size += len(value)
        if size > MAX_RENDERED:
            raise TemplateError(f"a card renders to more than {MAX_RENDERED:,} characters")
    if showing:
        out.append(template[position:])
    return Rendered("".join(out), shows_field)


def _value(
    name: str,
    filters: list[str],
    fields: Mapping[str, str],
    answer_side: bool,
    front_side: str,
    specials: Mapping[str, str],
) -> str:
    lowered = {f.split(" ")[0].lower() for f in filters}
    if lowered & _HIDDEN_FILTERS:
        return ""
    if "type" in lowered and not answer_side:
        return ""
    if name == "FrontSide":
        return front_side if answer_side else ""
    if name in fields:
        return fields[name]
    if name in _SPECIAL:
        return specials.get(name, "")
    return ""


def answer_part(answer_html: str, question_html: str) -> str:
    """What the answer side adds to the question: what follows `<hr id=answer>` (as Anki's own
    export cuts it), else what follows a repeated question."""
    rule = _ANSWER_RULE.search(answer_html)
    if rule:
        return answer_html[rule.end() :]
    stripped = answer_html.lstrip()
    if question_html.strip() and stripped.startswith(question_html.strip()):
        return stripped[len(question_html.strip()) :]
    return answer_html
