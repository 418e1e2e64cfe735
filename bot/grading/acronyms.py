"""Acronyms a card defines: 'last-in, first-out (LIFO)' or 'ReLU (rectified linear unit)'.

A member may answer with either the acronym or its words; both sides are compared in words: the
card's definition loses its bracketed half, and the acronym in a response is read as the words.
Only acronyms whose capitals are the initials of the words beside them count, so an aside such as
'(max or average)' is left alone. A count labelled by an initial ('6p 8n 6e') is read the same way,
by the word the card writes after that count (`labelled_counts`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

_WORDS_THEN_ACRONYM = re.compile(
    r"(?P<words>(?:[A-Za-z][A-Za-z]*[\s,-]+){1,8}?)\((?P<acronym>[A-Z][A-Za-z]{1,7})\)"
)
_ACRONYM_THEN_WORDS = re.compile(r"\b(?P<acronym>[A-Z][A-Za-z]{1,7})\s*\((?P<words>[^()]+)\)")
_SMALL = frozenset({"of", "and", "the", "for", "to", "in", "on", "a", "an"})
_WORD = re.compile(r"[A-Za-z]+")


def _key(acronym: str) -> str:
    """How an acronym is looked up: lower case, without a plural s ('CNNs' is 'cnn')."""
    return (acronym[:-1] if len(acronym) > 2 and acronym.endswith("s") else acronym).lower()


def _letters(acronym: str) -> str:
    """The initials an acronym stands for: its capitals ('ReLU' is R, L, U; 'CNNs' is C, N, N),
    or all its letters if it has one capital only ('Lifo')."""
    capitals = "".join(ch for ch in acronym if ch.isupper())
    return (capitals if len(capitals) >= 2 else acronym.removesuffix("s")).lower()


def _expansion(words: list[str], letters: str, *, trailing: bool) -> list[str] | None:
    """The words whose initials spell `letters`: the last ones before the bracket when
    `trailing`, else the ones inside it; small words ('of') may sit between them."""
    if len(letters) < 2:
        return None
    if not trailing:
        taken = [w for w in words if w.lower() not in _SMALL or len(words) == len(letters)]
        initials = "".join(w[0].lower() for w in taken)
        return words if initials == letters else None
    kept: list[str] = []
    wanted = list(letters)
    for word in reversed(words):
        if not wanted:
            break
        if word[0].lower() == wanted[-1]:
            kept.append(word)
            wanted.pop()
        elif word.lower() in _SMALL and kept:
            kept.append(word)
        else:
            return None
    return list(reversed(kept)) if not wanted else None


GAPPED_LETTERS = 3
"""An acronym of this many letters or more may skip words between its initials, within the
clause right before its bracket: 'the last element inserted is the first one removed (LIFO)'."""
_CLAUSE_BREAK = re.compile(r"[,;:]")


def _gapped(words: list[str], letters: str) -> list[str] | None:
    """The end of a clause, from the word with the first initial to the bracket, whose content
    words start with `letters` in order, with no more words than twice the letters."""
    if len(letters) < GAPPED_LETTERS:
        return None
    wanted = list(letters)
    for index in range(len(words) - 1, max(-1, len(words) - 1 - 2 * len(letters)), -1):
        word = words[index].lower()
        if word not in _SMALL and word[0] == wanted[-1]:
            wanted.pop()
            if not wanted:
                return words[index:]
    return None


@lru_cache(maxsize=4096)
def _definitions(text: str) -> tuple[tuple[str, str, str, str], ...]:
    """(acronym key, expansion, the definition as written, what it reads as without its
    bracketed half) for each definition in `text`."""
    found: list[tuple[str, str, str, str]] = []
    for pattern, trailing in ((_WORDS_THEN_ACRONYM, True), (_ACRONYM_THEN_WORDS, False)):
        for match in pattern.finditer(text):
            acronym, words = match.group("acronym"), match.group("words")
            letters = _letters(acronym)
            expansion = _expansion(_WORD.findall(words), letters, trailing=trailing)
            if expansion is None and trailing:
                clause = _CLAUSE_BREAK.split(words)[-1]
                expansion = _gapped(_WORD.findall(clause), letters)
            if expansion:
                # Words then acronym keep their words as written ('last-in, first-out');
                # acronym then words read as the words it stands for.
                said = words.rstrip() if trailing else " ".join(expansion)
                found.append((_key(acronym), " ".join(expansion).lower(), match.group(0), said))
    return tuple(found)


def defined(text: str) -> dict[str, str]:
    """Each acronym `text` defines (lower case, without a plural s) and the words it stands for."""
    return {key: expansion for key, expansion, _, _ in _definitions(text)}


def in_words(text: str) -> str:
    """`text` with each acronym definition said once, in words: 'a last-in, first-out
    collection'."""
    for _, _, written, words in _definitions(text):
        text = text.replace(written, words, 1)
    return text


_ACRONYM = re.compile(r"\b[A-Z][A-Za-z]{1,7}\b")


@lru_cache(maxsize=4096)
def spelled_out(question: str, answer: str) -> tuple[str, ...]:
    """The answer's words that spell out an acronym of the question without brackets: 'the
    translation lookaside buffer is ...' for 'What is the TLB?'. They restate the question."""
    words = _WORD.findall(answer)
    found: list[str] = []
    for written in _ACRONYM.findall(question):
        if sum(ch.isupper() for ch in written) < 2:
            continue
        letters = _letters(written)
        for start in range(len(words) - len(letters) + 1):
            run = words[start : start + len(letters)]
            if run[0].lower() not in _SMALL and _expansion(run, letters, trailing=False):
                found.extend(run)
                break
    return tuple(found)


def expand(response: str, acronyms: Mapping[str, str]) -> str:
    """A response with the card's acronyms read as their words ('a LIFO stack' as 'a last in
    first out stack'). A two-letter acronym only in capitals: 'it' is no IT."""
    if not acronyms:
        return response

    def words(match: re.Match[str]) -> str:
        written = match.group(0)
        key = _key(written)
        if key not in acronyms and written.lower() in acronyms:
            key = written.lower()
        expansion = acronyms.get(key)
        if expansion is None or (len(key) < 3 and not written[: len(key)].isupper()):
            return written
        return expansion

    return re.sub(r"\b[A-Za-z]{2,9}\b", words, response)


_COUNT_THEN_WORD = re.compile(r"\b(\d+)\s+([A-Za-z]{2,})")
_COUNT_THEN_INITIAL = re.compile(r"\b(\d+)\s?([A-Za-z])\b(?![-+]?\d)")
"""Not '1e-3' (a number in scientific notation)."""


def labelled_counts(response: str, texts: tuple[str, ...]) -> str:
    """A response's counts labelled by an initial read as the card labels them: '6p 8n 6e' as
    '6 protons 8 neutrons 6 electrons' where the card writes '6 protons, 8 neutrons and 6
    electrons'. Only an initial that the card's word after that same number begins with; a count
    the card gives no such word stays as written (another number)."""
    if not _COUNT_THEN_INITIAL.search(response):
        return response
    labels: dict[tuple[str, str], set[str]] = {}
    for text in texts:
        for number, word in _COUNT_THEN_WORD.findall(text):
            labels.setdefault((number, word[0].lower()), set()).add(word)

    def spelled(match: re.Match[str]) -> str:
        words = labels.get((match.group(1), match.group(2).lower()), set())
        return f"{match.group(1)} {next(iter(words))}" if len(words) == 1 else match.group(0)

    return _COUNT_THEN_INITIAL.sub(spelled, response)
