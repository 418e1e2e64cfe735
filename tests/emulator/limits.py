"""Discord's documented limits on what a message, a modal and a command may carry.

`message_problems` and `modal_problems` return what real Discord would refuse with 400 / 50035
(Invalid Form Body), one line each; an empty list means the payload is fine.
Sources: Discord API docs, "Message Resource" (content 2,000), "Embed Limits", "Message
Components" (5 action rows of 5 buttons, custom_id 100, label 80) and "Interactions" (modal title
45, text input label 45, 5 rows).
"""

from __future__ import annotations

import re
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


COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
COMMAND_DESCRIPTION = 100
COMMAND_OPTIONS = 25
COMMANDS = 100
CHOICES = 25
CHOICE_NAME = 100


def _command_problems(command: JSON, where: str, problems: list[str], depth: int = 0) -> None:
    name = str(command.get("name", ""))
    if not COMMAND_NAME.match(name) or name != name.lower():
        problems.append(f"{where}.name: {name!r} must be 1-32 lower-case letters, digits, - or _")
    description = str(command.get("description", ""))
    kind = command.get("type", 1)
    if kind in (1, None) and not 1 <= len(description) <= COMMAND_DESCRIPTION:
        problems.append(f"{where}.description: 1 to {COMMAND_DESCRIPTION} characters")
    options = command.get("options") or []
    if len(options) > COMMAND_OPTIONS:
        problems.append(f"{where}.options: at most {COMMAND_OPTIONS}")
    seen_optional = False
    names: set[str] = set()
    for n, option in enumerate(options):
        here = f"{where}.options[{n}]"
        if option.get("name") in names:
            problems.append(f"{here}.name: {option.get('name')!r} is used twice")
        names.add(str(option.get("name")))
        if option.get("type") in (1, 2):  # subcommand or group
            if depth >= 2:
                problems.append(f"{here}: subcommands nest at most two deep")
            _command_problems(option, here, problems, depth + 1)
            continue
        _command_problems({**option, "options": None}, here, problems, depth + 1)
        if option.get("required"):
            if seen_optional:
                problems.append(f"{here}: required options must come before optional ones")
        else:
            seen_optional = True
        if len(option.get("choices") or []) > CHOICES:
            problems.append(f"{here}.choices: at most {CHOICES}")
        if option.get("choices") and option.get("autocomplete"):
            problems.append(f"{here}: choices and autocomplete exclude each other")


def commands_problems(commands: list[JSON]) -> list[str]:
    """What Discord would refuse in a bulk overwrite of application commands."""
    problems: list[str] = []
    if len(commands) > COMMANDS:
        problems.append(f"at most {COMMANDS} commands")
    for n, command in enumerate(commands):
        _command_problems(command, f"[{n}]", problems)
    return problems


def autocomplete_problems(payload: JSON) -> list[str]:
    """What Discord would refuse in an autocomplete result (callback type 8)."""
    problems: list[str] = []
    choices = payload.get("choices")
    if not isinstance(choices, list):
        return ["choices: missing"]
    if len(choices) > CHOICES:
        problems.append(f"choices: {len(choices)}, at most {CHOICES}")
    for n, choice in enumerate(choices):
        if not 1 <= len(str(choice.get("name", ""))) <= CHOICE_NAME:
            problems.append(f"choices[{n}].name: 1 to {CHOICE_NAME} characters")
        if len(str(choice.get("value", ""))) > CHOICE_NAME:
            problems.append(f"choices[{n}].value: at most {CHOICE_NAME} characters")
    return problems
