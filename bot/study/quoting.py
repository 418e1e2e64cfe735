"""User input echoed back in an error message, quoted and cut, so that no reply grows with it
(Discord refuses message content over 2,000 characters)."""

from __future__ import annotations

ECHO_LIMIT = 40


def quoted(text: str, limit: int = ECHO_LIMIT) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
