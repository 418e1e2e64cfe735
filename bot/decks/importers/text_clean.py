"""Small text clean-ups shared by the importers: invisible characters, spacing, HTML to text."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


_BLOCK_TAGS = {"br", "div", "p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "hr"}
_SKIP_TAGS = {"script", "style", "head", "title"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag == "img":
            self.images += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


_SOUND = re.compile(r"\[sound:[^\]]*\]")
_SUP = str.maketrans("0123456789+-n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿ")


def html_to_text(markup: str) -> tuple[str, int]:
    """Visible text of an HTML fragment and the number of images it dropped."""
    markup = _SOUND.sub("", markup)
    markup = re.sub(
        r"<sup>([0-9+\-n]{1,4})</sup>", lambda m: m.group(1).translate(_SUP), markup, flags=re.I
    )
    markup = re.sub(r"<sub>([^<]{1,20})</sub>", r"_\1", markup, flags=re.I)
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = clean_block("".join(parser.parts))
    return re.sub(r"\n{2,}", "\n", text), parser.images


_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text)) or "&nbsp;" in text or "&amp;" in text
