"""How common an English word is, from the `wordfreq` package's own data (no network).

Used to tell a typo from another real word: a misspelling lands on a rare form ('kernal'), while a
look-alike that is about as common as the word meant ('meiosis' for 'mitosis') is a different word.
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import zipf_frequency

REAL_WORD_ZIPF = 1.0
"""Zipf frequency (log10 per billion words) from which a form counts as a word people use."""
AS_COMMON_WITHIN = 1.0
"""A look-alike within this many zipf points of the word meant is as real as it."""


@lru_cache(maxsize=131072)
def zipf(word: str) -> float:
    return float(zipf_frequency(word, "en"))


def is_real_word(word: str) -> bool:
    return zipf(word) >= REAL_WORD_ZIPF


def is_other_word(meant: str, written: str) -> bool:
    """Whether `written` is a real word in its own right rather than a misspelling of `meant`."""
    frequency = zipf(written)
    return frequency >= REAL_WORD_ZIPF and frequency >= zipf(meant) - AS_COMMON_WITHIN
