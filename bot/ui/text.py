"""Text that came from decks or members, made safe to show: no markdown surprises, no pings, and
within Discord's length limits."""

from __future__ import annotations

import discord


def safe(text: str, limit: int = 1024) -> str:
    """Escape markdown and mentions, and cut to `limit` characters with an ellipsis."""
    cleaned = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code_block(lines: list[str], limit: int = 1800) -> str:
    body = "\n".join(lines).replace("```", "ʼʼʼ")
    return f"```\n{clip(body, limit)}\n```"
