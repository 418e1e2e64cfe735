"""User input echoed back in an error message, quoted and cut, so that no reply grows with it
(Discord refuses message content over 2,000 characters)."""

from __future__ import annotations

from bot.textcut import one_line

ECHO_LIMIT = 40


def quoted(text: str, limit: int = ECHO_LIMIT) -> str:
    return repr(one_line(text, limit))
