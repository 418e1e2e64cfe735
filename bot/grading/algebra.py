"""Whether two written formulas say the same thing: `a = F/m` for `F = ma`, `I = V/R` for `V = IR`,
`max(z, 0)` for `max(0, z)`.

A small parser of its own (numbers, names, + - × / ^, brackets, a few functions) builds a tree that
is evaluated on random positive values: nothing a member or a deck writes is ever run as code. An
equation is equivalent to a reference equation when, at points where the reference holds (its
isolated variable computed from the others), the response holds too, and the response is not true
everywhere. Anything the parser does not know makes no claim either way.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

Node = tuple[object, ...]
"""("num", value) | ("var", name) | ("neg", node) | (op, left, right) | ("call", name, args...)"""

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[a-zα-ω][a-z0-9_α-ω]*)|(?P<op>[=+\-*/^(),²³]))"
)
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "max": max,
    "min": min,
    "exp": math.exp,
    "log": math.log,
    "ln": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
}
_TRANSLATE = str.maketrans(
    {"×": "*", "·": "*", "⋅": "*", "∗": "*", "÷": "/", "−": "-", "–": "-", "[": "(", "]": ")"}
)
_E_OF = re.compile(r"(?<![\w])e\s*\^\s*\(")
_E_POWER = re.compile(r"(?<![\w])e\s*\^\s*(\w+)")
"""'e^(s_y)' and 'e^s_y' are Euler's number to a power: the exponential, as 'exp(s_y)' writes it."""
_SUM_INDEX = re.compile(r"([σ∑])_\w\b")
"""'Σ_j' is the sum over j: the index names nothing the formula uses ('Σ exp(s_j)' is the same)."""
_SAMPLES = 24
_TOLERANCE = 1e-7
MAX_LENGTH = 120


@dataclass(frozen=True, slots=True)
class Formula:
    left: Node
    right: Node | None
    """None for an expression without '='."""
    names: frozenset[str]


class _Unparsable(ValueError):
    pass


def _tokens(text: str, letters: frozenset[str]) -> Iterator[tuple[str, str]]:
    """Names written together ('ma', 'IR') are split into letters when every letter is a variable
    of one of the two formulas and the whole name is not."""
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _Unparsable(text[position:])
        position = match.end()
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        splits = kind == "name" and value not in letters and value not in _FUNCTIONS
        if splits and len(value) > 1 and all(c in letters for c in value):
            yield from (("name", c) for c in value)
            continue
        yield kind, value


class _Parser:
    """expression := term (('+'|'-') term)*; term := product (('*'|'/') product)*; product :=
    power (power)*; power := unary ('^' unary | '²' | '³')*; unary := '-' unary | atom; atom :=
    number | name | name '(' args ')' | '(' expression ')'.

    Terms written side by side bind tighter than a written '/', as handwriting means them:
    'e^(s_y) / Σ_j e^(s_j)' divides by the whole sum, 'hf / 2m' by 2m."""

    def __init__(self, text: str, letters: frozenset[str]) -> None:
        self.items = list(_tokens(text, letters))
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        item = self.peek()
        if item is None or (value is not None and item[1] != value):
            raise _Unparsable(value or "end")
        self.at += 1
        return item

    def expression(self) -> Node:
        node = self.term()
        while (item := self.peek()) and item[1] in "+-":
            self.take()
            node = (item[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.product()
        while (item := self.peek()) and item[1] in "*/":
            self.take()
            node = (item[1], node, self.product())
        return node

    def product(self) -> Node:
        node = self.power()
        while (item := self.peek()) and (item[0] in ("num", "name") or item[1] == "("):
            node = ("*", node, self.power())
        return node

    def power(self) -> Node:
        node = self.unary()
        while (item := self.peek()) and item[1] in "^²³":
            self.take()
            exponent = self.unary() if item[1] == "^" else ("num", 2.0 if item[1] == "²" else 3.0)
            node = ("^", node, exponent)
        return node

    def unary(self) -> Node:
        item = self.peek()
        if item is not None and item[1] == "-":
            self.take()
            return ("neg", self.unary())
        return self.atom()

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return ("num", float(value))
        if kind == "name":
            following = self.peek()
            if value in _FUNCTIONS and following is not None and following[1] == "(":
                self.take("(")
                args = [self.expression()]
                while (item := self.peek()) and item[1] == ",":
                    self.take()
                    args.append(self.expression())
                self.take(")")
                return ("call", value, *args)
            return ("var", value)
        if value == "(":
            node = self.expression()
            self.take(")")
            return node
        raise _Unparsable(value)


def _names(node: Node) -> set[str]:
    if node[0] == "var":
        return {str(node[1])}
    if node[0] == "num":
        return set()
    children = node[2:] if node[0] == "call" else node[1:]
    return set().union(*(_names(child) for child in children))  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def parse(text: str, letters: frozenset[str] = frozenset()) -> Formula | None:
    """A formula from text that is nothing but a formula, or None."""
    text = text.lower().translate(_TRANSLATE).strip().rstrip(".")
    text = _SUM_INDEX.sub(r"\1", _E_POWER.sub(r"exp(\1)", _E_OF.sub("exp(", text)))
    if not text or len(text) > MAX_LENGTH or text.count("=") > 1:
        return None
    try:
        sides = []
        for side in text.split("="):
            parser = _Parser(side, letters)
            node = parser.expression()
            if parser.peek() is not None:
                return None
            sides.append(node)
    except (_Unparsable, RecursionError):
        return None
    left, right = sides[0], (sides[1] if len(sides) == 2 else None)
    names = _names(left) | (_names(right) if right is not None else set())
    if right is None and not names:
        return None
    return Formula(left, right, frozenset(names))


def is_formula(text: str) -> bool:
    """Text that is a formula with something to compare: an equation, or an expression with an
    operation. A lone name or number ('L1' before a colon) is a label."""
    found = parse(text)
    return found is not None and (found.right is not None or found.left[0] not in ("var", "num"))


def _value(node: Node, values: dict[str, float]) -> float:
    kind = node[0]
    if kind == "num":
        return float(node[1])  # type: ignore[arg-type]
    if kind == "var":
        return values[str(node[1])]
    if kind == "neg":
        return -_value(node[1], values)  # type: ignore[arg-type]
    if kind == "call":
        return float(_FUNCTIONS[str(node[1])](*(_value(c, values) for c in node[2:])))  # type: ignore[arg-type]
    a, b = _value(node[1], values), _value(node[2], values)  # type: ignore[arg-type]
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if kind == "/":
        return a / b
    return float(a**b)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _TOLERANCE * max(1.0, abs(a), abs(b))


def _isolated(formula: Formula) -> tuple[str, Node] | None:
    """(variable, what it equals) when one side is a lone variable the other side lacks."""
    if formula.right is None:
        return None
    for side, other in ((formula.left, formula.right), (formula.right, formula.left)):
        if side[0] == "var" and str(side[1]) not in _names(other):
            return str(side[1]), other
    return None


def _holds(formula: Formula, values: dict[str, float]) -> bool:
    assert formula.right is not None
    return _close(_value(formula.left, values), _value(formula.right, values))


def _letters(formula: Formula) -> frozenset[str]:
    return frozenset(n for n in formula.names if len(n) == 1)


@lru_cache(maxsize=16384)
def equivalent(response_text: str, reference_text: str) -> bool:
    """Whether the response formula says what the reference formula says (see the module)."""
    first, second = parse(response_text), parse(reference_text)
    if first is None or second is None:
        return False
    letters = _letters(first) | _letters(second)
    response, reference = parse(response_text, letters), parse(reference_text, letters)
    if response is None or reference is None:
        return False
    if (response.right is None) != (reference.right is None):
        return False
    if response.names != reference.names:
        return _renamed_same(response_text, response, reference, letters)
    return _same(response, reference)


def _renamed_same(
    response_text: str, response: Formula, reference: Formula, letters: frozenset[str]
) -> bool:
    """An expression in one letter of the response's own for the one reference letter it leaves
    out: '(n - k)/s + 1' for '(W - K)/S + 1' (n for the input width). Letters both use keep their
    meaning, so '(k - n)/s + 1' stays a swap; in an equation a letter names a quantity ('v = F/m'
    is not 'a = F/m'), so only expressions are read this way."""
    own = response.names - reference.names
    left_out = reference.names - response.names
    if reference.right is not None or len(own) != 1 or len(left_out) != 1:
        return False
    (old,), (new,) = own, left_out
    if len(old) != 1 or len(new) != 1:
        return False
    text = response_text.lower().translate(_TRANSLATE)
    renamed = parse(re.sub(rf"(?<![a-z0-9_]){old}(?![a-z0-9_])", new, text), letters | {new})
    return renamed is not None and renamed.names == reference.names and _same(renamed, reference)


def _same(response: Formula, reference: Formula) -> bool:
    rng = random.Random(0)
    ordered = sorted(reference.names)
    try:
        if reference.right is None:
            for _ in range(_SAMPLES):
                values = {n: rng.uniform(0.5, 3.0) for n in ordered}
                if not _close(_value(response.left, values), _value(reference.left, values)):
                    return False
            return True
        isolated = _isolated(reference)
        if isolated is None:
            return False
        variable, expression = isolated
        ever_false = False
        for _ in range(_SAMPLES):
            values = {n: rng.uniform(0.5, 3.0) for n in ordered}
            values[variable] = _value(expression, values)
            if not _holds(response, values):
                return False
            values[variable] += rng.uniform(0.5, 3.0)
            ever_false = ever_false or not _holds(response, values)
        return ever_false
    except (ArithmeticError, ValueError, TypeError):
        return False
