"""Small text clean-ups shared by the importers: invisible characters, spacing, HTML to text.

Images in HTML become a mark in the text (`image_mark(n)`, the n-th image source of the field), so
that the importer can decide per card what to do with each: keep the picture, or say where it stood.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

IMAGE_MARK = "\ufffc"
"""U+FFFC OBJECT REPLACEMENT CHARACTER: stands where an image was, around the image's number."""
IMAGE_MARKS = re.compile("\ufffc(\\d{1,6})\ufffc")


def image_mark(index: int) -> str:
    return f"{IMAGE_MARK}{index}{IMAGE_MARK}"


def clean_line(text: str) -> str:
    """NFC, no invisible or control characters, inner whitespace runs folded, ends trimmed."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = _CONTROL.sub("", text).replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


def clean_block(text: str) -> str:
    """Like clean_line for every line, keeping line breaks and dropping blank edges."""
    lines = [
        clean_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _script_table(kind: str) -> dict[str, str]:
    """Characters Unicode itself defines as super- or subscript forms of another (`<super> 0032`
    is '²'), from the blocks that hold them."""
    table: dict[str, str] = {}
    for start, end in ((0x00A0, 0x0100), (0x02B0, 0x0300), (0x1D00, 0x1DC0), (0x2070, 0x20A0)):
        for code in range(start, end):
            parts = unicodedata.decomposition(chr(code)).split()
            if len(parts) == 2 and parts[0] == kind:
                table.setdefault(chr(int(parts[1], 16)), chr(code))
    for code in (0x2C7C, 0xA69C, 0xA69D, 0xA770, 0xA7F8, 0xA7F9):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and parts[0] == kind:
            table.setdefault(chr(int(parts[1], 16)), chr(code))
    if "\u2212" in table:
        table.setdefault("-", table["\u2212"])
    return table


SUPERSCRIPTS = _script_table("<super>")
SUBSCRIPTS = _script_table("<sub>")


def script(text: str, *, sup: bool) -> str:
    """`text` raised or lowered: in Unicode script characters when every character has one
    ('x²', 'xᵢⱼ'), else with a caret or underscore ('x^q', 'W_(hy)')."""
    text = text.strip()
    if not text:
        return ""
    table = SUPERSCRIPTS if sup else SUBSCRIPTS
    squeezed = text.replace(" ", "")
    if all(ch in table for ch in squeezed):
        return "".join(table[ch] for ch in squeezed)
    mark = "^" if sup else "_"
    if len(squeezed) == 1 or squeezed.isalnum():
        return f"{mark}{squeezed}" if len(squeezed) == 1 else f"{mark}({squeezed})"
    return f"{mark}({text})"


_BLOCK_TAGS = {"br", "div", "p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "hr"}
_SKIP_TAGS = {"script", "style", "head", "title"}
_CELL_TAGS = {"td", "th"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.images: list[str] = []
        self.scripts: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag == "img":
            source = next((value for key, value in attrs if key == "src" and value), "")
            self.parts.append(image_mark(len(self.images)))
            self.images.append(source.strip())
        elif tag in {"sup", "sub"}:
            self.scripts.append((tag, len(self.parts)))
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")
        if tag == "li" and not self.skipping:
            self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in {"img", "br", "hr"}:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif self.skipping:
            return
        elif tag in {"sup", "sub"}:
            if self.scripts and self.scripts[-1][0] == tag:
                _, start = self.scripts.pop()
                inner = "".join(self.parts[start:])
                if inner.strip() and "\n" not in inner and IMAGE_MARK not in inner:
                    del self.parts[start:]
                    self.parts.append(script(inner, sup=tag == "sup"))
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data.replace(IMAGE_MARK, ""))


_SOUND = re.compile(r"\[sound:[^\]]*\]")


@dataclass(frozen=True)
class FieldText:
    """A field as text: images stand as `image_mark(n)` for `images[n]` (their `src`)."""

    text: str
    images: tuple[str, ...] = ()


def html_to_text(markup: str) -> FieldText:
    """Visible text of an HTML fragment, with a mark where each image stood."""
    markup = _SOUND.sub("", markup.replace(IMAGE_MARK, ""))
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = clean_block("".join(parser.parts))
    return FieldText(re.sub(r"\n{2,}", "\n", text), tuple(parser.images))


def plain_to_text(value: str) -> FieldText:
    """A plain-text field, cleaned like HTML text is (no images can be in it)."""
    return FieldText(clean_block(value.replace(IMAGE_MARK, "")))


_TAG = re.compile(r"</?[a-zA-Z][^>]{0,2000}>")


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text)) or "&nbsp;" in text or "&amp;" in text
