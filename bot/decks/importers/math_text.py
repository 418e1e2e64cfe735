"""LaTeX in flashcards (MathJax `\\(..\\)`, `\\[..\\]`, Anki's `[$]..[/$]`, `[$$]..[/$$]` and
`[latex]..[/latex]`, and `$..$` when it is clearly maths) turned into readable text.

pylatexenc parses the LaTeX and knows the symbols (Greek letters, operators, accents, math
alphabets); this module walks its nodes only to keep the structure it would flatten: `\\frac{x+1}{2}`
reads `(x+1)/2` rather than `x+1/2`, and sub- and superscripts use Unicode's own script characters
where every character has one (`x²`, `xᵢ`), else `x^(n+1)`. A command it does not know is reported,
and its argument kept as text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.macrospec import MacroSpec

from bot.decks.importers.text_clean import script

MAX_SPAN = 5_000
"""A maths span longer than this is not parsed; it is kept as text, with a warning."""

_OPENERS = {"\\(": "\\)", "\\[": "\\]", "[$]": "[/$]", "[$$]": "[/$$]", "[latex]": "[/latex]"}
_DELIMITER = re.compile(r"\\\(|\\\)|\\\[|\\\]|\[\$\$\]|\[/\$\$\]|\[\$\]|\[/\$\]|\[/?latex\]", re.I)
_DOLLARS = re.compile(r"(?<![\\$\w])(\$\$?)(?=\S)([^$\n]{1,500}?)(?<=\S)\1(?![\w$])")
_LATEXISH = re.compile(r"\\[A-Za-z]|[\^_{]")
_RAW_COMMAND = re.compile(r"\\[A-Za-z]{2,}")
_COMMAND = re.compile(r"\\([A-Za-z]+)")

_FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac", "nicefrac"}
_BINOMIALS = {"binom", "dbinom", "tbinom"}
_PLAIN_ARGUMENT = {
    "text",
    "textrm",
    "textit",
    "textbf",
    "textsf",
    "texttt",
    "textnormal",
    "emph",
    "mbox",
    "hbox",
    "mathrm",
    "mathit",
    "mathsf",
    "mathtt",
    "mathnormal",
    "boldsymbol",
    "bm",
    "pmb",
    "operatorname",
    "displaystyle",
    "underbrace",
    "overbrace",
    "underline",
    "boxed",
    "color",
}
_SILENT = {
    "left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "biggl", "biggr", "Biggl", "Biggr", "limits", "nolimits", "displaystyle", "textstyle",
    "scriptstyle", "scriptscriptstyle", "nonumber", "notag", "label",
}  # fmt: skip
_SYMBOLS = {"|": "‖", "lVert": "‖", "rVert": "‖", "Vert": "‖", "\\": "; ", "cr": "; "}
_JOINED = {"partial", "nabla"}
"""Symbols that bind to what follows: the space after them is dropped (`∂L`)."""
_ROWS = {"cases", "aligned", "align", "align*", "gathered", "gather", "gather*", "split", "array"}
_FUNCTIONS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "coth", "log", "ln", "lg", "exp", "max", "min", "sup", "inf", "lim", "liminf",
    "limsup", "det", "dim", "ker", "deg", "gcd", "arg", "hom", "Pr", "argmax", "argmin",
}  # fmt: skip


def _walker_context() -> object:
    """pylatexenc's own macros, plus the argument shapes of those it reads without arguments."""
    context = latexwalker.get_default_latex_context_db()
    context.add_context_category(
        "study-bot",
        macros=[
            *(MacroSpec(name, "{{") for name in ("dfrac", "tfrac", "cfrac", "nicefrac")),
            *(MacroSpec(name, "{{") for name in _BINOMIALS),
            MacroSpec("operatorname", "*{"),
            MacroSpec("color", "{"),
            *(MacroSpec(name, "{") for name in ("boldsymbol", "bm", "pmb", "boxed", "mathnormal")),
        ],
        prepend=True,
    )
    return context


_CONTEXT = _walker_context()
_TO_TEXT = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


@dataclass
class _Render:
    unknown: list[str] = field(default_factory=list)


def _is_atom(text: str) -> bool:
    """Whether `text` reads as one term beside a '/' (else it is bracketed): a number, a symbol,
    a word, or anything without spaces or an operator outside brackets ('e^(zᵢ)', 'f(x)')."""
    if re.fullmatch(r"\d+(?:[.,]\d+)?|[∂∇Δδ]?[^\W_][\u0300-\u036f]*|[^\W\d_]+", text):
        return True
    if not text or any(ch.isspace() for ch in text) or re.match(r"\d+[^\W\d_]", text):
        return False
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch in "+-=/·×±−<>≤≥,;:":
            return False
    return depth == 0


def _wrapped(text: str) -> str:
    text = text.strip()
    return text if _is_atom(text) else f"({text})"


def _argument(node: object, render: _Render) -> str:
    if node is None:
        return ""
    return _nodes([node], render)


class _Item:
    """One piece of rendered maths, or a `^`/`_` waiting for what it raises or lowers."""

    __slots__ = ("operator", "text")

    def __init__(self, text: str, operator: str | None = None) -> None:
        self.text = text
        self.operator = operator


def _macro(node: latexwalker.LatexMacroNode, render: _Render) -> str:
    name: str = node.macroname
    arguments = list(node.nodeargd.argnlist) if node.nodeargd else []
    if name in _SILENT:
        return ""
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    if name in _FRACTIONS and len(arguments) >= 2:
        top, bottom = (_argument(a, render) for a in arguments[-2:])
        return f"{_wrapped(top)}/{_wrapped(bottom)}"
    if name in _BINOMIALS and len(arguments) >= 2:
        top, bottom = (_argument(a, render) for a in arguments[-2:])
        return f"C({top.strip()}, {bottom.strip()})"
    if name == "sqrt" and arguments:
        degree = _argument(arguments[0], render).strip() if len(arguments) > 1 else ""
        body = _argument(arguments[-1], render)
        root = {"": "√", "3": "∛", "4": "∜"}.get(degree, f"{script(degree, sup=True)}√")
        return f"{root}{_wrapped(body)}"
    if name in _PLAIN_ARGUMENT and arguments:
        if name == "color":
            return ""
        return _argument(arguments[-1], render)
    if name in _FUNCTIONS:
        return name
    if _TO_TEXT.latex_context.get_macro_spec(name) is None:
        if len(name) > 1 or name.isalpha():
            render.unknown.append(f"\\{name}")
            return " ".join(_argument(a, render) for a in arguments if a is not None)
        return name
    return str(_TO_TEXT.node_to_text(node))


def _flatten(nodes: Sequence[object], render: _Render) -> list[_Item]:
    items: list[_Item] = []
    for node in nodes:
        if isinstance(node, latexwalker.LatexCharsNode):
            for ch in node.chars:
                items.append(_Item("", ch) if ch in "^_" else _Item(ch))
        elif isinstance(node, latexwalker.LatexCommentNode):
            continue
        elif isinstance(node, (latexwalker.LatexGroupNode, latexwalker.LatexMathNode)):
            items.append(_Item(_nodes(node.nodelist, render)))
        elif isinstance(node, latexwalker.LatexMacroNode):
            text = _macro(node, render)
            if text and node.macro_post_space and node.macroname not in _JOINED:
                text += " "
            items.append(_Item(text))
        elif isinstance(node, latexwalker.LatexSpecialsNode) and node.specials_chars == "&":
            items.append(_Item(" "))
        elif isinstance(node, latexwalker.LatexEnvironmentNode):
            if node.environmentname in _ROWS:
                items.append(_Item(_nodes(node.nodelist, render).strip(" ;")))
            elif _TO_TEXT.latex_context.get_environment_spec(node.environmentname) is None:
                render.unknown.append(f"\\begin{{{node.environmentname}}}")
                items.append(_Item(_nodes(node.nodelist, render)))
            else:
                items.append(_Item(str(_TO_TEXT.node_to_text(node))))
        else:
            items.append(_Item(str(_TO_TEXT.node_to_text(node))))
    return items


def _nodes(nodes: Sequence[object] | None, render: _Render) -> str:
    items = _flatten(nodes or (), render)
    out: list[str] = []
    index = 0
    while index < len(items):
        item = items[index]
        index += 1
        if item.operator is None:
            out.append(item.text)
            continue
        while (
            index < len(items) and items[index].operator is None and not items[index].text.strip()
        ):
            index += 1
        if index < len(items) and items[index].operator is None:
            raised = items[index].text
            out.append(script(raised, sup=item.operator == "^"))
            if raised[-1:].isspace():
                out.append(" ")
            index += 1
    return "".join(out)


def _latex_to_text(source: str, render: _Render) -> str:
    walker = latexwalker.LatexWalker(source, latex_context=_CONTEXT, tolerant_parsing=True)
    nodes, _, _ = walker.get_latex_nodes()
    text = _nodes(nodes, render)
    text = re.sub(r"[ \t]{2,}", " ", text).replace(" ;", ";")
    return re.sub(r"([(\[]) | ([)\]])", r"\1\2", text).strip()


@dataclass(frozen=True)
class MathText:
    text: str
    problems: tuple[str, ...] = ()


def render_math(text: str) -> MathText:
    """`text` with every maths span rendered as readable text, and what could not be rendered."""
    if "\\" not in text and "[$" not in text and "$" not in text and "[latex]" not in text.lower():
        return MathText(text)
    problems: list[str] = []
    out: list[str] = []
    position = 0
    opener: re.Match[str] | None = None
    for match in _DELIMITER.finditer(text):
        token = match.group(0).lower()
        if opener is None:
            if token in _OPENERS:
                out.append(_dollars(text[position : match.start()], problems))
                opener = match
            continue
        if token == _OPENERS[opener.group(0).lower()]:
            out.append(_span(text[opener.end() : match.start()], problems))
            position = match.end()
            opener = None
    if opener is not None:
        problems.append(f"a maths span opened with {opener.group(0)} is never closed")
        out.append(_span(text[opener.end() :], problems))
    else:
        out.append(_dollars(text[position:], problems))
    rendered = "".join(out)
    leftover = sorted(set(_RAW_COMMAND.findall(rendered)))
    if leftover:
        problems.append(f"LaTeX outside maths delimiters left as written: {', '.join(leftover)}")
    return MathText(rendered, tuple(dict.fromkeys(problems)))


def _dollars(text: str, problems: list[str]) -> str:
    """`$..$` and `$$..$$` are maths only when they read as maths (a command, `^`, `_` or `{`
    inside, no space just inside the dollars): '$5 and $10' stays money."""
    if "$" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        inner = match.group(2)
        return _span(inner, problems) if _LATEXISH.search(inner) else match.group(0)

    return _DOLLARS.sub(replace, text)


def _span(source: str, problems: list[str]) -> str:
    if len(source) > MAX_SPAN:
        problems.append(f"a maths span of {len(source):,} characters was kept as words")
        return _COMMAND.sub(r"\1", source)
    render = _Render()
    try:
        text = _latex_to_text(source, render)
    except (latexwalker.LatexWalkerError, RecursionError, ValueError, IndexError, KeyError):
        problems.append(f"could not read the LaTeX {source.strip()[:60]!r}; kept its words")
        return _COMMAND.sub(r"\1", source)
    for name in dict.fromkeys(render.unknown):
        problems.append(f"unknown LaTeX command {name} (kept its text)")
    before = " " if source[:1].isspace() and text else ""
    after = " " if source[-1:].isspace() and text else ""
    return f"{before}{text}{after}"
