"""Comparisons stated in a text ('the input is larger than the output'), so that a response which
says the opposite is caught even though it uses exactly the same words."""

from __future__ import annotations

import re

from bot.grading.normalize import canonical

_GREATER = "larger|bigger|greater|more|higher|longer|wider|faster|deeper"
_LESSER = "smaller|less|fewer|lower|shorter|narrower|slower|shallower"
_COMPARISON = re.compile(
    rf"(?P<a>[a-z0-9][a-z0-9-]*)\s+(?:is|are|was|were|gets?|becomes?|stays?)?\s*(?:much\s+|slightly\s+|even\s+)?"
    rf"(?P<cmp>{_GREATER}|{_LESSER})\s+than\s+(?:the\s+|a\s+|an\s+|its\s+)?(?:size\s+of\s+(?:the\s+)?)?"
    rf"(?P<b>[a-z0-9][a-z0-9-]*)"
)
_GREATER_WORDS = frozenset(_GREATER.split("|"))
COMPARATIVES = frozenset({*_GREATER.split("|"), *_LESSER.split("|")})
_OPEN = re.compile(
    rf"(?P<a>[a-z0-9][a-z0-9-]*)\s+(?:is|are|was|were|gets?|becomes?|stays?)\s*"
    rf"(?:much\s+|slightly\s+|even\s+)?(?P<cmp>{_GREATER}|{_LESSER})\b(?!\s+than\b)"
)

Comparison = tuple[str, str, int]


def comparisons(simplified: str) -> frozenset[Comparison]:
    """Each 'A is <more> than B' as (first, second, +1/-1) with the pair in a fixed order."""
    if "than" not in simplified:
        return frozenset()
    found: set[Comparison] = set()
    for match in _COMPARISON.finditer(simplified):
        a, b = canonical(match.group("a")), canonical(match.group("b"))
        if a == b:
            continue
        sign = 1 if match.group("cmp") in _GREATER_WORDS else -1
        found.add((a, b, sign) if a < b else (b, a, -sign))
    return frozenset(found)


def contradicts(reference: frozenset[Comparison], response: frozenset[Comparison]) -> bool:
    return any((a, b, -sign) in reference for a, b, sign in response)


def completed(simplified: str, reference: frozenset[Comparison]) -> frozenset[Comparison]:
    """'the output is larger', its other side left out, read against the card's comparisons:
    'the output is larger than the input' when the card compares the output with the input
    alone."""
    found: set[Comparison] = set()
    for match in _OPEN.finditer(simplified):
        a = canonical(match.group("a"))
        others = {x if y == a else y for x, y, _ in reference if a in (x, y)}
        if len(others) != 1:
            continue
        b = others.pop()
        sign = 1 if match.group("cmp") in _GREATER_WORDS else -1
        found.add((a, b, sign) if a < b else (b, a, -sign))
    return frozenset(found)
