"""A formula said in words: 'k squared times input channels times output channels' for
`K × K × C_in × C_out`, when the card defines its symbols ('C_in: input channels').

Only the card's own definitions and a handful of operator words are read; anything else in the
response means it is not a spoken formula, and no claim is made. The result is a formula string
for `algebra`, which never runs anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

Definition = tuple[str, tuple[str, ...]]
"""(symbol, the words that name it)."""

_DEFINITION = re.compile(
    r"^\s*(?P<symbol>[A-Za-zα-ωΑ-Ω][\w]{0,7})\s*:\s*(?P<words>[^\W\d][^:=()×·+/^]*?)"
    r"\s*(?:\((?P<also>[^()]+)\))?\s*$"
)
_WORD = re.compile(r"[a-zα-ω][a-z0-9_α-ω]*|\d+(?:\.\d+)?")
_OPERATORS: dict[tuple[str, ...], str] = {
    ("times",): "*",
    ("multiplied", "by"): "*",
    ("x",): "*",
    ("plus",): "+",
    ("minus",): "-",
    ("divided", "by"): "/",
    ("over",): "/",
    ("squared",): "^2",
    ("cubed",): "^3",
    ("equals",): "=",
}
_FILLER = frozenset({"the", "a", "an"})
MAX_WORDS = 40


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _words(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _WORD.findall(text.lower()) if w not in _FILLER)


@lru_cache(maxsize=4096)
def definitions(text: str) -> tuple[Definition, ...]:
    """The symbols a card defines, one per line ('C_out: output channels (number of filters)'),
    each with the words that name it, its own name included."""
    found: list[Definition] = []
    for line in text.splitlines():
        m = _DEFINITION.match(line)
        if m is None:
            continue
        symbol = m.group("symbol")
        names = [m.group("words"), m.group("also") or ""]
        found.extend((symbol, words) for name in names if (words := _words(name)))
        found.append((symbol, (symbol.lower(),)))
    return tuple(found)


def formula(response: str, defined: Sequence[Definition]) -> str | None:
    """The response as a formula in the card's symbols, or None when a word in it is neither a
    defined name nor an operator word (or it names no symbol at all)."""
    if not defined:
        return None
    words = _words(response)
    if not words or len(words) > MAX_WORDS:
        return None
    operators = [(tuple(_stem(w) for w in names), op) for names, op in _OPERATORS.items()]
    phrases = sorted(
        [*((names, symbol) for symbol, names in defined), *operators],
        key=lambda item: -len(item[0]),
    )
    out: list[str] = []
    named = False
    i = 0
    while i < len(words):
        for names, symbol in phrases:
            if words[i : i + len(names)] == names:
                named = named or symbol not in _OPERATORS.values()
                out.append(symbol)
                i += len(names)
                break
        else:
            if not words[i].replace(".", "", 1).isdigit():
                return None
            out.append(words[i])
            i += 1
    return " ".join(out) if named else None
