"""Discord's documented limits on what a message, a modal and a command may carry.

`message_problems` and `modal_problems` return what real Discord would refuse with 400 / 50035
(Invalid Form Body), one line each; an empty list means the payload is fine.
Sources: Discord API docs, "Message Resource" (content 2,000), "Embed Limits", "Message
Components" (5 action rows of 5 buttons, custom_id 100, label 80) and "Interactions" (modal title
45, text input label 45, 5 rows).
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR_NAME = 256
ROWS = 5
ROW_BUTTONS = 5
CUSTOM_ID = 100
BUTTON_LABEL = 80
MODAL_TITLE = 45
INPUT_LABEL = 45
INPUT_VALUE = 4000
SELECT_OPTIONS = 25


def _too_long(problems: list[str], where: str, text: object, limit: int) -> int:
    size = len(str(text)) if text is not None else 0
    if size > limit:
        problems.append(f"{where}: {size} characters, at most {limit}")
    return size


def _embed_problems(embed: JSON, index: int, problems: list[str]) -> int:
    where = f"embeds[{index}]"
    total = _too_long(problems, f"{where}.title", embed.get("title"), EMBED_TITLE)
    total += _too_long(
        problems, f"{where}.description", embed.get("description"), EMBED_DESCRIPTION
    )
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS:
        problems.append(f"{where}.fields: {len(fields)} fields, at most {EMBED_FIELDS}")
    for n, field in enumerate(fields):
        total += _too_long(problems, f"{where}.fields[{n}].name", field.get("name"), FIELD_NAME)
        total += _too_long(problems, f"{where}.fields[{n}].value", field.get("value"), FIELD_VALUE)
        if not str(field.get("name") or "").strip() or not str(field.get("value") or "").strip():
            problems.append(f"{where}.fields[{n}]: name and value must not be empty")
    footer = (embed.get("footer") or {}).get("text")
    total += _too_long(problems, f"{where}.footer.text", footer, FOOTER)
    author = (embed.get("author") or {}).get("name")
    total += _too_long(problems, f"{where}.author.name", author, AUTHOR_NAME)
    return total


def _component_problems(rows: list[JSON], problems: list[str]) -> None:
    if len(rows) > ROWS:
        problems.append(f"components: {len(rows)} rows, at most {ROWS}")
    seen: set[str] = set()
    for r, row in enumerate(rows):
        items = row.get("components") or []
        if len(items) > ROW_BUTTONS:
            problems.append(f"components[{r}]: {len(items)} items, at most {ROW_BUTTONS}")
        for i, item in enumerate(items):
            where = f"components[{r}].components[{i}]"
            custom_id = item.get("custom_id")
            if custom_id is not None:
                _too_long(problems, f"{where}.custom_id", custom_id, CUSTOM_ID)
                if custom_id in seen:
                    problems.append(f"{where}.custom_id: {custom_id!r} is used twice")
                seen.add(custom_id)
            _too_long(problems, f"{where}.label", item.get("label"), BUTTON_LABEL)
            if len(item.get("options") or []) > SELECT_OPTIONS:
                problems.append(f"{where}.options: at most {SELECT_OPTIONS}")


def message_problems(payload: JSON) -> list[str]:
    """What Discord would refuse in a message body (channel message, webhook, callback 4 or 7)."""
    problems: list[str] = []
    _too_long(problems, "content", payload.get("content"), CONTENT)
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS:
        problems.append(f"embeds: {len(embeds)} embeds, at most {EMBEDS}")
    total = sum(_embed_problems(embed, n, problems) for n, embed in enumerate(embeds))
    if total > EMBED_TOTAL:
        problems.append(f"embeds: {total} characters in all, at most {EMBED_TOTAL}")
    _component_problems(payload.get("components") or [], problems)
    return problems


def modal_problems(payload: JSON) -> list[str]:
    """What Discord would refuse in a modal (callback type 9)."""
    problems: list[str] = []
    _too_long(problems, "title", payload.get("title"), MODAL_TITLE)
    _too_long(problems, "custom_id", payload.get("custom_id"), CUSTOM_ID)
    rows = payload.get("components") or []
    if not 1 <= len(rows) <= ROWS:
        problems.append(f"components: {len(rows)} rows, 1 to {ROWS}")
    for r, row in enumerate(rows):
        for i, item in enumerate(row.get("components") or []):
            where = f"components[{r}].components[{i}]"
            _too_long(problems, f"{where}.label", item.get("label"), INPUT_LABEL)
            _too_long(problems, f"{where}.custom_id", item.get("custom_id"), CUSTOM_ID)
            _too_long(problems, f"{where}.value", item.get("value"), INPUT_VALUE)
            _too_long(problems, f"{where}.placeholder", item.get("placeholder"), 100)
    return problems
