"""Word-level matching: when does a response word stand for a reference word?

A typo is forgiven only when it is small for the word's length, keeps the word's opening (different
prefixes make different words: over/under, in/out, en/de), is not a known contrast pair, and does not
turn the word into another technical term.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import OSA

from bot.grading.lexicon import CONTRASTS
from bot.grading.normalize import Token, canonical, stem
from bot.grading.words import is_other_word, zipf

EXACT = 1.0
SYNONYM = 0.95
TYPO = 0.9
RELATED = 0.8
"""One word derived from the other ('compute' for 'computational'): the same idea, said as
another part of speech."""

_DERIVATIONS = frozenset(
    {"al", "ally", "ly", "ation", "ational", "ability", "ibility", "ility", "ity", "ment", "ness"}
)
"""Endings that turn a word into another part of speech without changing what it names. Not
'ization' (normal, normalization), 'ive' (respect, respective) or 'er' (compute, computer)."""
MIN_DERIVED_BASE = 6
SHORTENED = 0.9
"""A word cut short as notes cut it ('pred' for 'prediction'): the word, written in haste."""
MIN_SHORTENED = 4
"""Letters a shortened word keeps at least ('pro' could stand for anything)."""
SHORTENED_CUT = 3
"""Letters it drops at least: 'predict' for 'prediction' is another word of the family, not a cut."""
SHORTENED_ZIPF = 3.0
"""How common (wordfreq's Zipf scale) a shortened form may be as a word of its own: 'pred' (2.2),
'params' (1.8) and 'derivs' (0) are notes; 'heats' (3.4, not 'heaters'), 'crystals' (3.8, not
'crystallize'), 'under' (5.7) and 'pre' (5.0) are words of their own."""


def partner_table(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Each word of the pairs, by key, with the keys of its partners (both ways round)."""
    table: dict[str, set[str]] = {}
    for left, right in pairs:
        a, b = canonical(left), canonical(right)
        table.setdefault(a, set()).add(b)
        table.setdefault(b, set()).add(a)
    return {key: frozenset(value) for key, value in table.items()}


CONTRAST_PARTNERS = partner_table(CONTRASTS)


def typo_budget(length: int) -> int:
    if length <= 3:
        return 0
    if length <= 7:
        return 1
    if length <= 9:
        return 2
    return 3


def contrasting(a: str, b: str) -> bool:
    return b in CONTRAST_PARTNERS.get(a, ())


@lru_cache(maxsize=131072)
def is_typo(reference: str, response: str) -> bool:
    """Whether `response` (a surface word) reads as a misspelling of `reference`."""
    if reference == response or not reference.isalpha() or not response.isalpha():
        return False
    if abs(len(reference) - len(response)) > 2:
        return False
    budget = typo_budget(len(reference))
    if budget == 0:
        return False
    opening_kept = reference[0] == response[0] or (
        len(response) > 1 and reference[:2] == response[1::-1]
    )
    if not opening_kept:
        return False
    if contrasting(canonical(reference), canonical(response)) or canonical(reference) == canonical(
        response
    ):
        return False
    if OSA.distance(reference, response, score_cutoff=budget) > budget:
        return False
    return not is_other_word(reference, response)


@lru_cache(maxsize=131072)
def is_derived(a: str, b: str) -> bool:
    """Whether one surface word is the other with a derivational ending: the shorter word (or
    its base, without a final 'e' or 'le') opens the longer, and what follows is one of
    `_DERIVATIONS`, plural or not. 'positive' and 'position' only open alike."""
    if not a.isalpha() or not b.isalpha() or a == b:
        return False
    short, long = sorted((a, b), key=len)
    if contrasting(canonical(short), canonical(long)):
        return False
    bases = {short, short.removesuffix("e"), short.removesuffix("le")}
    for base in bases:
        if len(base) < MIN_DERIVED_BASE or not long.startswith(base):
            continue
        rest = long[len(base) :]
        if rest in _DERIVATIONS or (rest.endswith("s") and rest[:-1] in _DERIVATIONS):
            return True
    return False


@lru_cache(maxsize=131072)
def is_shortened(reference: str, response: str) -> bool:
    """Whether `response` is `reference` cut short: its opening (a plural 's' aside: 'derivs'),
    at least MIN_SHORTENED letters and SHORTENED_CUT fewer than the word, and no common word of
    its own."""
    if not response.isalpha() or not reference.isalpha():
        return False
    kept = response.removesuffix("s") if len(response) > MIN_SHORTENED else response
    if len(kept) < MIN_SHORTENED or len(reference) - len(kept) < SHORTENED_CUT:
        return False
    if not reference.startswith(kept) or contrasting(canonical(reference), canonical(response)):
        return False
    return zipf(response) < SHORTENED_ZIPF


class WordMatch(NamedTuple):
    """A tuple, since a grade builds dozens: a tuple is built in a fraction of a frozen
    dataclass's time. `typo` and `shortened`: the response wrote the word otherwise, and the
    embedding should read it as the card spells it."""

    quality: float
    response_index: int
    typo: bool = False
    shortened: bool = False


def match_word(
    target: Token,
    response: Sequence[Token],
    joined: dict[str, int],
    by_key: dict[str, list[Token]] | None = None,
    by_initial: dict[str, list[Token]] | None = None,
) -> WordMatch | None:
    """The best response token for one reference token, or None.

    `joined` maps the concatenation of adjacent response words to the first one's index, so that
    "non linear" matches "nonlinear" and "max pooling" matches "maxpooling". `by_key`, when given,
    indexes the response by key to skip the scan for exact and synonym matches; `by_initial`
    indexes it by first letter, since a typo keeps the word's opening (or swaps its first two
    letters) and a derived word opens like its base.
    """
    same_key = (
        by_key.get(target.key, ())
        if by_key is not None
        else [token for token in response if token.key == target.key]
    )
    if same_key:
        target_stem = stem(target.surface)
        for token in same_key:
            if (
                token.numeric
                or token.surface == target.surface
                or stem(token.surface) == target_stem
            ):
                return WordMatch(EXACT, token.position)
        return WordMatch(SYNONYM, same_key[0].position)
    if target.surface in joined:
        return WordMatch(EXACT, joined[target.surface])
    if target.numeric or not target.surface:
        return None
    surface = target.surface
    if by_initial is None:
        candidates: Sequence[Token] = response
        same_opening = response
    else:
        same_opening = by_initial.get(surface[0], [])
        swapped = by_initial.get(surface[1], []) if len(surface) > 1 else []
        candidates = sorted((*same_opening, *swapped), key=_position) if swapped else same_opening
    for token in candidates:
        if not token.numeric and is_typo(surface, token.surface):
            return WordMatch(TYPO, token.position, typo=True)
    if len(surface) >= MIN_DERIVED_BASE:
        opening = surface[:MIN_DERIVED_BASE]
        for token in same_opening:
            if token.surface.startswith(opening) and is_derived(surface, token.surface):
                return WordMatch(RELATED, token.position)
    if len(surface) >= MIN_SHORTENED + SHORTENED_CUT:
        opening = surface[:MIN_SHORTENED]
        for token in same_opening:
            if token.surface.startswith(opening) and is_shortened(surface, token.surface):
                return WordMatch(SHORTENED, token.position, shortened=True)
    return None


def _position(token: Token) -> int:
    return token.position


def index_by_initial(tokens: Sequence[Token]) -> dict[str, list[Token]]:
    index: dict[str, list[Token]] = {}
    for token in tokens:
        if token.surface:
            index.setdefault(token.surface[0], []).append(token)
    return index


def joined_pairs(tokens: Sequence[Token]) -> dict[str, int]:
    return {
        first.surface + second.surface: first.position
        for first, second in itertools.pairwise(tokens)
    }
