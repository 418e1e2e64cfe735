"""The limits Discord enforces on what a bot sends; a violation answers 400 and is listed in
`DiscordEmulator.errors`, since in a test it is always a bug in the bot."""

from __future__ import annotations

import re
from typing import Any

from tests.emulator.model import COMPONENTS_V2, JSON, walk_components

COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


def _length(value: Any, limit: int, where: str, problems: list[str], *, minimum: int = 0) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        problems.append(f"{where}: must be a string, got {type(value).__name__}")
    elif not minimum <= len(value) <= limit:
        problems.append(f"{where}: length {len(value)} is outside {minimum}..{limit}")


def embed_problems(embeds: Any) -> list[str]:
    problems: list[str] = []
    if not isinstance(embeds, list):
        return ["embeds: must be a list"]
    if len(embeds) > 10:
        problems.append(f"embeds: {len(embeds)} embeds, at most 10")
    total = 0
    for i, embed in enumerate(embeds):
        where = f"embeds[{i}]"
        if not isinstance(embed, dict):
            problems.append(f"{where}: must be an object")
            continue
        _length(embed.get("title"), 256, f"{where}.title", problems)
        _length(embed.get("description"), 4096, f"{where}.description", problems)
        _length((embed.get("footer") or {}).get("text"), 2048, f"{where}.footer.text", problems)
        _length((embed.get("author") or {}).get("name"), 256, f"{where}.author.name", problems)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(f"{where}.fields: {len(fields)} fields, at most 25")
        for j, item in enumerate(fields):
            _length(item.get("name"), 256, f"{where}.fields[{j}].name", problems, minimum=1)
            _length(item.get("value"), 1024, f"{where}.fields[{j}].value", problems, minimum=1)
            if "name" not in item or "value" not in item:
                problems.append(f"{where}.fields[{j}]: name and value are required")
        color = embed.get("color")
        if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
            problems.append(f"{where}.color: {color!r} is not a colour")
        for text in (
            embed.get("title"),
            embed.get("description"),
            (embed.get("footer") or {}).get("text"),
            (embed.get("author") or {}).get("name"),
            *[f.get("name") for f in fields],
            *[f.get("value") for f in fields],
        ):
            total += len(text) if isinstance(text, str) else 0
    if total > 6000:
        problems.append(f"embeds: {total} characters in total, at most 6000")
    return problems


def component_problems(components: Any, flags: int) -> list[str]:
    problems: list[str] = []
    if not isinstance(components, list):
        return ["components: must be a list"]
    if not flags & COMPONENTS_V2:
        if len(components) > 5:
            problems.append(f"components: {len(components)} action rows, at most 5")
        for i, row in enumerate(components):
            if row.get("type") != 1:
                problems.append(f"components[{i}]: top level must be action rows (type 1)")
                continue
            children = row.get("components") or []
            if not 1 <= len(children) <= 5:
                problems.append(f"components[{i}]: {len(children)} items, 1..5 allowed")
            if any(c.get("type") in (3, 5, 6, 7, 8) for c in children) and len(children) > 1:
                problems.append(f"components[{i}]: a select menu must be alone in its row")
    seen: set[str] = set()
    for component in walk_components(components):
        kind = component.get("type")
        custom_id = component.get("custom_id")
        if kind == 2:
            _length(component.get("label"), 80, "button label", problems)
            if component.get("style") == 5:
                if not component.get("url"):
                    problems.append("link button without url")
                if custom_id is not None:
                    problems.append("link button with a custom_id")
                continue
            if component.get("style") == 6:
                continue
        if kind in (2, 3, 5, 6, 7, 8):
            if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 100:
                problems.append(f"component custom_id {custom_id!r}: 1..100 characters required")
            elif custom_id in seen:
                problems.append(f"component custom_id {custom_id!r} is used twice")
            else:
                seen.add(custom_id)
        if kind == 3:
            options = component.get("options") or []
            if not 1 <= len(options) <= 25:
                problems.append(f"select {custom_id!r}: {len(options)} options, 1..25 allowed")
    return problems


def message_problems(body: JSON, *, has_files: bool, creating: bool) -> tuple[list[str], bool]:
    """(problems, empty): `empty` when a new message would have nothing to show (code 50006)."""
    problems: list[str] = []
    content = body.get("content")
    _length(content, 2000, "content", problems)
    if body.get("embeds") is not None:
        problems += embed_problems(body["embeds"])
    flags = int(body.get("flags") or 0)
    if body.get("components") is not None:
        problems += component_problems(body["components"], flags)
    allowed = body.get("allowed_mentions")
    if allowed is not None:
        parse = allowed.get("parse", [])
        if not set(parse) <= {"users", "roles", "everyone"}:
            problems.append(f"allowed_mentions.parse: {parse!r}")
        if "users" in parse and allowed.get("users"):
            problems.append("allowed_mentions: parse users and users are mutually exclusive")
        if "roles" in parse and allowed.get("roles"):
            problems.append("allowed_mentions: parse roles and roles are mutually exclusive")
    empty = creating and not (
        content
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or has_files
    )
    return problems, empty


def modal_problems(data: JSON) -> list[str]:
    problems: list[str] = []
    _length(data.get("title"), 45, "modal title", problems, minimum=1)
    if not data.get("title"):
        problems.append("modal: title is required")
    custom_id = data.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 100:
        problems.append(f"modal custom_id {custom_id!r}: 1..100 characters required")
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        problems.append(f"modal: {len(components)} components, 1..5 allowed")
    for component in components:
        if component.get("type") == 1:
            inner = component.get("components") or []
            if len(inner) != 1:
                problems.append("modal action row must hold exactly one component")
            for item in inner:
                if item.get("type") == 4 and not item.get("label"):
                    problems.append(f"text input {item.get('custom_id')!r} has no label")
        elif component.get("type") == 18:
            _length(component.get("label"), 45, "modal label", problems, minimum=1)
            if not isinstance(component.get("component"), dict):
                problems.append("modal label without a component")
    for item in walk_components(components):
        if item.get("type") == 4:
            if not item.get("custom_id"):
                problems.append("text input without custom_id")
            if item.get("style") not in (1, 2):
                problems.append(f"text input {item.get('custom_id')!r}: style must be 1 or 2")
    return problems


def choices_problems(data: JSON) -> list[str]:
    choices = data.get("choices")
    if not isinstance(choices, list):
        return ["autocomplete: choices must be a list"]
    problems: list[str] = []
    if len(choices) > 25:
        problems.append(f"autocomplete: {len(choices)} choices, at most 25")
    for i, choice in enumerate(choices):
        _length(choice.get("name"), 100, f"choices[{i}].name", problems, minimum=1)
        if "value" not in choice:
            problems.append(f"choices[{i}]: value is required")
        elif isinstance(choice["value"], str):
            _length(choice["value"], 100, f"choices[{i}].value", problems)
    return problems


def _option_problems(options: list[JSON], where: str, depth: int) -> list[str]:
    problems: list[str] = []
    if len(options) > 25:
        problems.append(f"{where}: {len(options)} options, at most 25")
    names: set[str] = set()
    optional_seen = False
    for option in options:
        name = option.get("name", "")
        here = f"{where}.{name}"
        if not COMMAND_NAME.match(name) or name != name.lower():
            problems.append(f"{here}: invalid option name")
        if name in names:
            problems.append(f"{here}: duplicate option name")
        names.add(name)
        _length(option.get("description"), 100, f"{here}.description", problems, minimum=1)
        kind = option.get("type")
        if kind in (1, 2):
            if kind == 2 and depth > 0:
                problems.append(f"{here}: subcommand groups cannot nest")
            problems += _option_problems(option.get("options") or [], here, depth + 1)
            continue
        if option.get("required"):
            if optional_seen:
                problems.append(f"{here}: required options must come before optional ones")
        else:
            optional_seen = True
        choices = option.get("choices") or []
        if len(choices) > 25:
            problems.append(f"{here}: {len(choices)} choices, at most 25")
        if choices and option.get("autocomplete"):
            problems.append(f"{here}: choices and autocomplete are mutually exclusive")
    return problems


def command_problems(commands: Any) -> list[str]:
    if not isinstance(commands, list):
        return ["commands: must be a list"]
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    for command in commands:
        name = command.get("name", "")
        kind = command.get("type", 1)
        where = f"/{name}"
        if (kind, name) in seen:
            problems.append(f"{where}: two commands of type {kind} with this name")
        seen.add((kind, name))
        if kind == 1:
            if not COMMAND_NAME.match(name) or name != name.lower():
                problems.append(f"{where}: invalid command name")
            _length(command.get("description"), 100, f"{where}.description", problems, minimum=1)
            problems += _option_problems(command.get("options") or [], where, 0)
        else:
            _length(name, 32, f"{where}.name", problems, minimum=1)
    return problems
