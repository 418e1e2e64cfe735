"""Cutting text to a length with an ellipsis: one helper for the pure core and the Discord layer."""

from __future__ import annotations


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str, limit: int) -> str:
    """The text with its whitespace folded to single spaces, cut to `limit`."""
    return clip(" ".join(text.split()), limit)
