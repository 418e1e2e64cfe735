"""Text that came from decks or members, made safe to show: no markdown surprises, no pings, and
within Discord's length limits."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import discord

from bot.textcut import clip


@lru_cache(maxsize=4096)
def safe(text: str, limit: int = 1024) -> str:
    """Escape markdown and mentions, and cut to `limit` characters with an ellipsis. Kept for the
    texts seen last: a burst of answers to one card shows its reference answer and the same few
    feedback sentences a hundred times, and escaping costs ~30 us a text (regular expressions)."""
    return clip(discord.utils.escape_mentions(discord.utils.escape_markdown(text)), limit)


def code_block(lines: list[str], limit: int = 1800) -> str:
    body = "\n".join(lines).replace("```", "ʼʼʼ")
    return f"```\n{clip(body, limit)}\n```"


EMBED_TOTAL = 6000
"""Discord refuses a message whose embeds hold more than this many characters in all."""


def shares(lengths: Sequence[int], budget: int, cap: int) -> list[int]:
    """Per-item character limits summing to at most `budget`: items shorter than an equal share
    keep their length, and the longer ones split what is left equally, each at most `cap`."""
    limits = [0] * len(lengths)
    pending = sorted(range(len(lengths)), key=lambda i: lengths[i])
    left = max(0, budget)
    while pending:
        fair = left // len(pending)
        index = pending.pop(0)
        limits[index] = max(1, min(lengths[index], fair, cap))
        left -= limits[index]
    return limits


def fit_fields(
    embed: discord.Embed,
    fields: Sequence[tuple[str, str, str]],
    *,
    name_cap: int = 256,
    value_cap: int = 1024,
) -> discord.Embed:
    """Add (name, value, suffix) fields, each cut so that the whole embed stays within Discord's
    6,000 characters however long the deck's text is; `suffix` (a tally) is never cut."""
    used = len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "")
    budget = EMBED_TOTAL - used - 50
    name_limits = shares([len(n) for n, _, _ in fields], budget // 3, name_cap)
    names = [clip(name, limit) for (name, _, _), limit in zip(fields, name_limits, strict=True)]
    left = budget - sum(len(n) for n in names) - sum(len(suffix) for _, _, suffix in fields)
    value_limits = shares(
        [len(v) for _, v, _ in fields],
        left,
        value_cap - max((len(suffix) for _, _, suffix in fields), default=0),
    )
    for name, (_, value, suffix), limit in zip(names, fields, value_limits, strict=True):
        embed.add_field(name=name, value=clip(value, limit) + suffix, inline=False)
    return embed


__all__ = ["clip", "code_block", "fit_fields", "safe", "shares"]
