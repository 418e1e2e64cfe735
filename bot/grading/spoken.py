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
    ("is",): "=",
    ("is", "equal", "to"): "=",
}
_FILLER = frozenset({"the", "a", "an"})
MAX_WORDS = 40


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _words(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _WORD.findall(text.lower()) if w not in _FILLER)


_SAID_THEN_WRITTEN = re.compile(r"^(?P<words>[^:=]+):\s*(?P<formula>[^:]*=[^:]*?)\.?\s*$")
_SYMBOL = re.compile(r"[A-Za-z]\w*")
_SYMBOL_OPERATORS = {
    "=": "=",
    "×": "*",
    "*": "*",
    "·": "*",
    "+": "+",
    "-": "-",
    "−": "-",
    "/": "/",
}


def _operators_said(words: tuple[str, ...]) -> list[str]:
    """The operator words of a sentence in order; not 'x' or a bare 'is', which prose uses
    for other things."""
    phrases = sorted(
        (
            (tuple(_stem(w) for w in names), op)
            for names, op in _OPERATORS.items()
            if names not in (("x",), ("is",))
        ),
        key=lambda item: -len(item[0]),
    )
    said: list[str] = []
    i = 0
    while i < len(words):
        for names, op in phrases:
            if words[i : i + len(names)] == names:
                said.append(op)
                i += len(names)
                break
        else:
            i += 1
    return said


def _named_in_sentence(line: str) -> list[Definition]:
    """'The net force on an object equals its mass times its acceleration: F = m × a' names F, m
    and a by the words whose initials they are, in the formula's order, when the sentence says
    the formula's operators in the same order ('equals', 'times')."""
    m = _SAID_THEN_WRITTEN.match(line.strip())
    if m is None:
        return []
    written = m.group("formula")
    symbols = _SYMBOL.findall(written)
    if not symbols or any(len(symbol) > 1 for symbol in symbols):
        return []
    said = _words(m.group("words"))
    ops_said = _operators_said(said)
    ops_written = [_SYMBOL_OPERATORS[ch] for ch in written if ch in _SYMBOL_OPERATORS]
    if ops_said != ops_written:
        return []
    found: list[Definition] = []
    start = 0
    for symbol in symbols:
        for index in range(start, len(said)):
            word = said[index]
            if len(word) >= 3 and word[0] == symbol[0].lower() and word.isalpha():
                found.append((symbol, (word,)))
                found.append((symbol, (symbol.lower(),)))
                start = index + 1
                break
        else:
            return []
    return found


@lru_cache(maxsize=4096)
def definitions(text: str) -> tuple[Definition, ...]:
    """The symbols a card defines, one per line ('C_out: output channels (number of filters)'),
    each with the words that name it, its own name included; or the words of the sentence the
    formula closes ('Voltage equals current times resistance: V = I × R')."""
    found: list[Definition] = []
    for line in text.splitlines():
        found.extend(_named_in_sentence(line))
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
