"""A member's response, normalized once; clauses and list items are split on first use."""

from __future__ import annotations

from typing import NamedTuple

from bot.grading.match import WordMatch, index_by_initial, joined_pairs, match_word
from bot.grading.normalize import Token, clauses, formula_tokens, items, simplify, tokenize

_UNSEEN = WordMatch(0.0, -1)
"""Stands for a word not yet looked up, where None is a word looked up and not found."""


class ClauseWords(NamedTuple):
    """One clause's words beside its stop words, read once for the guards that compare clauses."""

    words: tuple[Token, ...]
    keys: frozenset[str]
    negated: bool


class Response:
    __slots__ = (
        "_clause_words",
        "_clauses",
        "_items",
        "_matched",
        "_symbols",
        "by_initial",
        "by_key",
        "content",
        "joined",
        "keys",
        "numbers",
        "raw",
        "simplified",
        "tokens",
    )

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.simplified = simplify(raw)
        self.tokens = tuple(tokenize(self.simplified))
        self.content = tuple(t for t in self.tokens if not t.stop and not t.hedge)
        self.joined = joined_pairs(self.tokens)
        self.keys = frozenset(t.key for t in self.content)
        self.numbers = frozenset(t.key for t in self.tokens if t.numeric)
        self.by_key: dict[str, list[Token]] = {}
        for token in self.tokens:
            self.by_key.setdefault(token.key, []).append(token)
        self.by_initial = index_by_initial(self.tokens)
        self._clauses: list[list[Token]] | None = None
        self._clause_words: tuple[ClauseWords, ...] | None = None
        self._symbols: tuple[str, ...] | None = None
        self._items: list[list[Token]] | None = None
        self._matched: dict[tuple[str, str, bool], WordMatch | None] = {}

    @property
    def clauses(self) -> list[list[Token]]:
        if self._clauses is None:
            self._clauses = clauses(self.simplified)
        return self._clauses

    @property
    def clause_words(self) -> tuple[ClauseWords, ...]:
        """Each clause's non-stop words and their keys, and whether it denies anything."""
        if self._clause_words is None:
            self._clause_words = tuple(
                ClauseWords(words, frozenset(t.key for t in words), any(t.negation for t in clause))
                for clause in self.clauses
                for words in (tuple(t for t in clause if not t.stop),)
            )
        return self._clause_words

    @property
    def symbols(self) -> tuple[str, ...]:
        """The response read as a formula (`normalize.formula_tokens`)."""
        if self._symbols is None:
            self._symbols = tuple(formula_tokens(self.simplified))
        return self._symbols

    @property
    def items(self) -> list[list[Token]]:
        if self._items is None:
            self._items = items(self.simplified)
        return self._items

    def match(self, target: Token) -> WordMatch | None:
        """The best token for a reference word; remembered, since the candidates, the points and
        the guards all ask about the same words."""
        key = (target.surface, target.key, target.numeric)
        found = self._matched.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._matched[key] = match_word(
                target, self.tokens, self.joined, self.by_key, self.by_initial
            )
        return found
