"""A card's picture as a Discord attachment, within what Discord takes in one message."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import discord

UPLOAD_BYTES = 10 * 1024 * 1024
"""What Discord takes in the attachments of one message on a server without boosts."""
MAX_FILES = 10
"""Attachments Discord takes on one message."""


def picture_file(path: Path | None, name: str) -> discord.File | None:
    """The image at `path` as an attachment called `name` (plus its suffix); None when there is no
    file there, or it alone is more than a message may carry. A new File each call: a retry
    sends it again."""
    if path is None or not path.is_file() or path.stat().st_size > UPLOAD_BYTES:
        return None
    return discord.File(path, filename=f"{name}{path.suffix.lower()}")


def within_upload(pictures: Iterable[tuple[Path | None, str]]) -> list[discord.File]:
    """As many of the pictures, in order, as one message carries (count and bytes)."""
    files: list[discord.File] = []
    total = 0
    for path, name in pictures:
        file = picture_file(path, name)
        if file is None or len(files) == MAX_FILES:
            continue
        size = path.stat().st_size if path is not None else 0
        if total + size > UPLOAD_BYTES:
            file.close()
            continue
        total += size
        files.append(file)
    return files
