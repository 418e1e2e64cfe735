"""A card compiled once into what grading compares against: short candidate answers (with their
parts, numbers, negations and formula form) and, for long answers, weighted key concepts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.decks.model import Card, Deck
from bot.grading import acronyms, algebra
from bot.grading.lexicon import GENERIC
from bot.grading.match import CONTRAST_PARTNERS
from bot.grading.normalize import (
    Token,
    clauses,
    formula_tokens,
    simplify,
    tokenize,
    written_form,
)
from bot.grading.relations import Comparison, comparisons

QUESTION_WEIGHT = 0.1
ASIDE_WEIGHT = 0.05
GENERIC_WEIGHT = 0.4
NUMBER_WEIGHT = 1.5
SHORT_ANSWER_TOKENS = 10
_FORMULA_MARK = re.compile(r"[=+/^Σσ∑λη∂×*²]")
_OPERATOR_SYMBOLS = frozenset("=+-/×")
# "William Shakespeare", "Yann LeCun": the family name alone identifies the person.
_PERSON_NAME = re.compile(r"^[A-Z][\w'’-]*(?: (?:[A-Z][\w'’-]*|van|von|de|da|del|der|le|la)){1,3}$")
_CAPITALIZED = re.compile(r"\b[A-Z][a-z]*\b")
_CLAUSE_VERBS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "has",
        "have",
        "can",
        "will",
        "should",
        "could",
        "would",
        "may",
        "might",
        "must",
        "the",
    ]
)
_LIST_HEADS = frozenset(
    [
        "layer",
        "layers",
        "convolution",
        "convolutions",
        "pooling",
        "function",
        "functions",
        "type",
        "types",
        "method",
        "methods",
        "axes",
        "axis",
        "set",
        "sets",
    ]
)


@dataclass(frozen=True, slots=True)
class Weighted:
    token: Token
    weight: float
    core: bool = True


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    tokens: tuple[Token, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    tokens: tuple[Token, ...]
    content: tuple[Weighted, ...]
    numbers: frozenset[str]
    numeric: bool
    parts: tuple[Part, ...]
    formula: str | None
    formula_rhs: str | None
    negated_subjects: frozenset[str]
    clause_subjects: frozenset[str]
    roles: tuple[tuple[str, frozenset[str]], ...]
    statement: bool
    keys: frozenset[str]
    total_weight: float


@dataclass(frozen=True, slots=True)
class Point:
    """One thing the answer says. A point that enumerates ('a, b, c and d') keeps its items, and
    naming enough of them (three, or all if fewer) covers it."""

    concepts: tuple[Weighted, ...]
    weight: float
    items: tuple[tuple[Weighted, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    card: Card
    question_keys: frozenset[str]
    question_numbers: frozenset[str]
    candidates: tuple[Candidate, ...]
    points: tuple[Point, ...]
    polar: str | None
    comparisons: frozenset[Comparison]
    vocabulary: frozenset[str]
    answer_keys: frozenset[str]
    """Keys of every word the answer and its accepted forms use."""
    answer_roles: tuple[tuple[str, frozenset[str]], ...]
    bindings: tuple[tuple[frozenset[str], ...], ...]
    """Per statement (the answer's lines, each accepted form), the words only each clause says."""
    answer_numbers: frozenset[str]
    core_terms: tuple[Token, ...]
    """The answer's meaningful words, once each: what a look-alike could stand in for."""
    body: str
    """The answer without a leading yes/no."""
    contrastive: bool
    """The question asks how two things differ ('L1 vs L2', 'difference between ...')."""
    formulas: tuple[tuple[str, str | None], ...]
    """Each formula the answer or an accepted form states: (whole, right-hand side)."""
    semantic_texts: tuple[str, ...]
    """What a paraphrase is compared with: the answer, its lead sentence, each accepted form."""
    simplified_texts: tuple[str, ...]
    equations: tuple[str, ...] = ()
    """Each formula the card states, as written, for algebraic comparison (`a = F/m` for `F = ma`)."""
    demoted_texts: tuple[tuple[str, ...], ...] = ()
    """Each semantic text's content words without the question's, for soft word alignment."""
    acronyms: tuple[tuple[str, str], ...] = ()
    """Acronyms the card defines, and the words each stands for; not those the question asks
    about ('What does CNN stand for?')."""
    texts: tuple[str, ...] = ()
    """The answer and every accepted form, as written."""
    asks_for_several: bool = False
    """The question asks for some of many ('What are some challenges ...', 'Name three ...'), so
    naming enough items of the answer's list answers it."""
    exact_forms: tuple[tuple[str, str], ...] = ()
    """(written form, text) of each accepted form, approved answer and the answer itself: a
    response that is one of them word for word is correct as it stands."""

    @property
    def concepts(self) -> tuple[Weighted, ...]:
        return tuple(w for point in self.points for w in point.concepts)


def _weight(token: Token, question_keys: frozenset[str], question_numbers: frozenset[str]) -> float:
    if token.numeric:
        return QUESTION_WEIGHT if token.key in question_numbers else NUMBER_WEIGHT
    if token.key in question_keys:
        return QUESTION_WEIGHT
    if token.surface in GENERIC or token.key in GENERIC or token.surface.endswith("ly"):
        return GENERIC_WEIGHT
    return 1.0


_ARTICLES = frozenset({"a", "an", "the"})


def _kept_stopwords(text: str) -> frozenset[str]:
    """Capitalized stopwords in a short answer are names ('He initialization'), not filler."""
    if len(text.split()) > 4:
        return frozenset()
    return frozenset(word.lower() for word in _CAPITALIZED.findall(text)) - _ARTICLES


def _content(
    tokens: Iterable[Token],
    question_keys: frozenset[str],
    question_numbers: frozenset[str],
    kept: frozenset[str] = frozenset(),
) -> tuple[Weighted, ...]:
    seen: set[str] = set()
    out: list[Weighted] = []
    for token in tokens:
        if token.negation or token.hedge or (token.stop and token.surface not in kept):
            continue
        if token.key in seen:
            continue
        seen.add(token.key)
        weight = _weight(token, question_keys, question_numbers)
        out.append(Weighted(token, weight, weight >= 1.0))
    return tuple(out)


def _split_parts(text: str) -> list[str]:
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    depth = 0
    pieces: list[str] = []
    current: list[str] = []
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch in ",;":
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    parts: list[str] = []
    for piece in pieces:
        parts.extend(re.split(r"\band\b|&", piece))
    return [part.strip() for part in parts if part.strip()]


def _parts(text: str, question_keys: frozenset[str]) -> tuple[Part, ...]:
    """A list answer ('max pooling and average pooling') as parts, each by its distinguishing words."""
    if _FORMULA_MARK.search(text):
        return ()
    raw_parts = _split_parts(text)
    if len(raw_parts) < 2:
        return ()
    full = [tokenize(simplify(p)) for p in raw_parts]
    if any(t.negation or t.surface in _CLAUSE_VERBS for tokens in full for t in tokens):
        return ()
    tokenized = [[t for t in tokens if not t.stop] for tokens in full]
    if any(not tokens or len(tokens) > 3 for tokens in tokenized):
        return ()
    counts = Counter(key for tokens in tokenized for key in {t.key for t in tokens})
    shared = {key for key, n in counts.items() if n >= 2}
    last = tokenized[-1]
    if len(last) > 1 and last[-1].surface in _LIST_HEADS:
        shared.add(last[-1].key)
    parts: list[Part] = []
    for raw, tokens in zip(raw_parts, tokenized, strict=True):
        distinguishing = tuple(t for t in tokens if t.key not in shared) or tuple(tokens)
        parts.append(Part(raw, distinguishing))
    return tuple(parts)


def _negation_structure(text: str) -> tuple[frozenset[str], frozenset[str]]:
    negated: set[str] = set()
    subjects: set[str] = set()
    for clause in clauses(simplify(text)):
        content = [t for t in clause if not t.stop and not t.negation]
        if not content:
            continue
        subjects.add(content[0].key)
        if any(t.negation for t in clause):
            negated.add(content[0].key)
    return frozenset(negated), frozenset(subjects)


def _roles(
    text: str, question_keys: frozenset[str] = frozenset()
) -> tuple[tuple[str, frozenset[str]], ...]:
    """For contrastive statements ('L1 does X, L2 does Y'): each clause's subject and the words
    that only its clause says, so that swapping the subjects can be caught. A statement is taken
    as contrastive when the question names its subjects ('Difference between L1 and L2'); a
    paragraph of steps is not."""
    found: list[tuple[str, set[str]]] = []
    parts = clauses(simplify(text))
    short = sum(1 for clause in parts for t in clause if not t.stop) <= 12
    for clause in parts:
        if any(t.negation for t in clause):
            return ()
        content = [
            t for t in clause if not t.stop and (t.surface not in GENERIC or t.key in question_keys)
        ]
        if len(content) >= (2 if short else 3):
            found.append((content[0].key, {t.key for t in content[1:]}))
    subjects = [subject for subject, _ in found]
    if len(found) < 2 or len(set(subjects)) < len(subjects):
        return ()
    if len({s for s in subjects if not s.isdigit()} & question_keys) < 2:
        return ()
    roles = []
    for index, (subject, words) in enumerate(found):
        others = set().union(*(w for i, (_, w) in enumerate(found) if i != index))
        exclusive = frozenset(words - others - set(subjects))
        if exclusive:
            roles.append((subject, exclusive))
    return tuple(roles) if len(roles) >= 2 else ()


@lru_cache(maxsize=4096)
def affirmed_clauses(text: str) -> tuple[frozenset[str], ...]:
    """The content words of each affirmed clause of a statement, two at least; a lone attribute
    joined by 'and' ('slow and approximate') belongs to the clause before it."""
    found: list[set[str]] = []
    for clause in clauses(simplify(text)):
        if any(t.negation for t in clause):
            continue
        words = {t.key for t in clause if not t.stop and not t.numeric}
        if len(words) < 2 and found:
            found[-1] |= words
        else:
            found.append(words)
    return tuple(frozenset(words) for words in found if len(words) >= 2)


SLASHED = re.compile(r"\b([^\W\d_]{3,})/([^\W\d_]{3,})\b")
"""Options written with a slash: 'very small/large values'."""


def _bindings(text: str) -> tuple[frozenset[str], ...]:
    """The words only one clause of a statement says: 'same … protons' / 'different … neutrons'.
    A response that pairs them the other way round in two clauses has swapped them. A statement
    of slashed options ('small/large ... shrink/explode') pairs words within its clauses, not
    across them."""
    if SLASHED.search(text):
        return ()
    found = affirmed_clauses(text)
    if len(found) < 2:
        return ()
    exclusive = []
    for index, words in enumerate(found):
        others = set().union(*(w for i, w in enumerate(found) if i != index))
        exclusive.append(frozenset(words - others))
    return tuple(exclusive) if sum(1 for e in exclusive if e) >= 2 else ()


_TRAILING_WORDS = re.compile(r"\s+[^\W\d_]{3,}")
"""Where words start after a formula: '(n - k)/s + 1 when there's no padding'."""
_WORD = re.compile(r"[^\W\d_]{3,}")


_CLAUSE_BREAK = re.compile(r"[,;]\s")


def _before_words(line: str) -> str:
    found = _TRAILING_WORDS.search(line)
    return line[: found.start()].strip().rstrip(",;").strip() if found else ""


def formula_spans(text: str) -> tuple[str, ...]:
    """Where a formula may stand in a text: all of it, each line, what follows a colon
    ('Newton's second law: F = ma'), and a line up to its first word or comma when what comes
    before is symbols only ('(n - k)/s + 1 when there's no padding', '1 + L(K-1), so ...')."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    after = [line.rsplit(":", 1)[1].strip() for line in lines if ":" in line]
    heads = [
        head
        for line in (*lines, *after)
        for head in (_before_words(line), _CLAUSE_BREAK.split(line, maxsplit=1)[0].strip())
        if head and head != line and not _WORD.search(head)
    ]
    return tuple(dict.fromkeys(span for span in (text.strip(), *lines, *after, *heads) if span))


def _formula(text: str) -> tuple[str | None, str | None]:
    if not _FORMULA_MARK.search(text):
        return None, None
    symbols = formula_tokens(simplify(text))
    words = [s for s in symbols if s.isalpha() and len(s) > 3]
    if not _OPERATOR_SYMBOLS & set(symbols) or len(words) > 0.6 * len(symbols):
        return None, None
    joined = "".join(symbols)
    rhs = joined.rsplit("=", 1)[1] if "=" in joined else None
    return joined, rhs


def compile_candidate(
    text: str,
    question_keys: frozenset[str],
    question_numbers: frozenset[str],
    document_frequency: DocumentFrequency | None = None,
    contrastive: bool = False,
) -> Candidate:
    simplified = simplify(text)
    tokens = tuple(tokenize(simplified))
    examples = {t.key for m in _EXAMPLE.finditer(text) for t in tokenize(simplify(m.group(0)))}
    asides = {t.key for m in _PARENTHETICAL.finditer(text) for t in tokenize(simplify(m.group(0)))}
    content = tuple(
        Weighted(
            w.token,
            (
                ASIDE_WEIGHT
                if w.token.key in asides
                else GENERIC_WEIGHT
                if w.token.key in examples and w.weight > GENERIC_WEIGHT
                else w.weight
            )
            * _idf(document_frequency, w.token.key),
            w.core and w.token.key not in examples and w.token.key not in asides,
        )
        for w in _content(tokens, question_keys, question_numbers, _kept_stopwords(text))
    )
    if content and not any(w.core or w.token.numeric for w in content):
        # Every word also appears in the question ("What does CNN stand for?"): the words are the
        # answer, so they keep their full weight.
        content = tuple(
            Weighted(w.token, w.weight, w.weight >= 1.0)
            for w in _content(tokens, frozenset(), frozenset(), _kept_stopwords(text))
        )
    if _PERSON_NAME.match(text.strip()) and len(content) > 1:
        *given, family = content
        content = (*(Weighted(w.token, w.weight * 0.2, False) for w in given), family)
    negated, subjects = _negation_structure(text)
    formula, rhs = _formula(text)
    meaningful = [w for w in content if w.weight >= GENERIC_WEIGHT]
    return Candidate(
        text=text,
        tokens=tokens,
        content=content,
        numbers=frozenset(t.key for t in tokens if t.numeric and t.key not in question_numbers),
        numeric=any(t.numeric for t in tokens),
        parts=_parts(text, question_keys),
        formula=formula,
        formula_rhs=rhs,
        negated_subjects=negated,
        clause_subjects=subjects,
        roles=_roles(text, question_keys | question_numbers) if contrastive else (),
        statement=bool(negated) or len(meaningful) >= 3,
        keys=frozenset(w.token.key for w in content),
        total_weight=sum(w.weight for w in content) or 1.0,
    )


_REASON = re.compile(r",\s*(?:because|since|which|so that|so|as)\b")
LEAD_TOKENS = 4


def _stated_lead(answer: str) -> str | None:
    """The answer itself in a one-sentence answer that goes on to give its reason: 'O(n^2)' of
    'O(n^2), which happens when the pivot is always the smallest element'. Only a lead of at most
    LEAD_TOKENS words: a longer one is a statement of its own, whose reason may be half of it."""
    if "\n" in answer.strip() or len(_SENTENCE.split(answer.strip())) > 1:
        return None
    found = _REASON.search(answer)
    if found is None:
        return None
    lead = answer[: found.start()].strip()
    return lead if 0 < _content_words(lead) <= LEAD_TOKENS else None


def _content_words(text: str) -> int:
    return sum(1 for t in tokenize(simplify(text)) if not t.stop)


def _short_answer(answer: str) -> bool:
    return "\n" not in answer and _content_words(answer) <= SHORT_ANSWER_TOKENS


_CONTRASTIVE = re.compile(
    r"\b(?:differences?|differ|vs|versus|compared?|contrast|distinguish)\b", re.IGNORECASE
)
_EXAMPLE = re.compile(
    r"\b(?:like|such as|e\.g\.|for example|for instance|including)\b[^,;.]*", re.I
)
# An aside in brackets after a space, with words in it: "(takes the maximum value)". Brackets right
# after a name hold arguments ("max(0, z)") and belong to the answer.
_PARENTHETICAL = re.compile(r"(?<=\s)\([^()]*[A-Za-z]{2,}[^()]*\)")
_SEVERAL = re.compile(
    r"\b(?:some|several|examples|types|kinds|ways|steps)\b|^\W*(?:name|list|give)\b", re.IGNORECASE
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def _points(answer: str) -> tuple[tuple[str, float], ...]:
    """The points a tutor would look for: each line of a list answer, or each sentence of a
    paragraph, the first sentence (the definition) counting most."""
    lines = [line.strip(" -•*\t") for line in answer.strip().splitlines() if line.strip(" -•*\t")]
    if len(lines) > 1:
        return tuple((line, 1.0) for line in lines)
    sentences = [s.strip() for s in _SENTENCE.split(answer.strip()) if s.strip()]
    if len(sentences) <= 1:
        return tuple((sentence, 1.0) for sentence in sentences)
    rest = 0.3 / (len(sentences) - 1)
    return ((sentences[0], 0.7), *((sentence, rest) for sentence in sentences[1:]))


def _enumeration(text: str, concepts: tuple[Weighted, ...]) -> tuple[tuple[Weighted, ...], ...]:
    pieces = [p for p in re.split(r",|\band\b", re.sub(r"\([^()]*\)", "", text)) if p.strip()]
    if len(pieces) < 4:
        return ()
    by_key = {w.token.key: w for w in concepts}
    items = []
    for piece in pieces:
        keys = [t.key for t in tokenize(simplify(piece)) if t.key in by_key]
        if keys:
            items.append(tuple(by_key[k] for k in dict.fromkeys(keys)))
    return tuple(items) if len(items) >= 3 else ()


def _polar(answer: str) -> str | None:
    """'yes' or 'no' when the reference answers a yes/no question."""
    first = re.split(r"[\s,.;:!]+", answer.strip().lower(), maxsplit=1)[0]
    return {"yes": "yes", "true": "yes", "no": "no", "false": "no"}.get(first)


def _idf(frequency: DocumentFrequency | None, key: str) -> float:
    return frequency.idf(key) if frequency else 1.0


def demoted_words(words: Sequence[Token], question_keys: frozenset[str]) -> tuple[str, ...]:
    """A text's content words without those the question says, or all of them if that is all."""
    content = [t for t in words if not t.stop and not t.hedge and not t.negation]
    kept = [t.surface for t in content if t.key not in question_keys]
    return tuple(kept or (t.surface for t in content))


def compile_reference(
    card: Card,
    extra_accept: tuple[str, ...] = (),
    document_frequency: DocumentFrequency | None = None,
) -> Reference:
    return _compile_reference(card, tuple(dict.fromkeys(extra_accept)), document_frequency)


@lru_cache(maxsize=4096)
def _compile_reference(
    card: Card, extra_accept: tuple[str, ...], document_frequency: DocumentFrequency | None
) -> Reference:
    question_tokens = tokenize(simplify(card.question))
    spelled = tokenize(simplify(" ".join(acronyms.spelled_out(card.question, card.answer))))
    question_keys = frozenset(
        t.key for t in (*question_tokens, *spelled) if not t.stop and not t.numeric
    )
    question_numbers = frozenset(t.key for t in question_tokens if t.numeric)
    asked = {word.lower() for word in re.findall(r"[A-Za-z]+", card.question)}
    defined = {
        key: words
        for text in (card.answer, *card.accept, *extra_accept)
        for key, words in acronyms.defined(text).items()
        if key not in asked
    }
    answer = acronyms.in_words(card.answer)
    accept = tuple(acronyms.in_words(text) for text in (*card.accept, *extra_accept))
    texts = list(accept)
    polar = _polar(answer)
    body = re.sub(r"^\W*\w+\W*", "", answer.strip()) if polar else answer
    if _short_answer(body) and body.strip().rstrip("."):
        texts.append(body.strip().rstrip("."))
    if (stated := _stated_lead(body)) is not None:
        texts.append(stated)
    candidates = tuple(
        compile_candidate(
            text,
            question_keys,
            question_numbers,
            document_frequency,
            bool(_CONTRASTIVE.search(card.question)),
        )
        for text in dict.fromkeys(texts)
    )
    question_all = question_keys | question_numbers
    answer_tokens = tokenize(simplify(answer))
    points = []
    for text, weight in _points(body):
        examples = {t.key for m in _EXAMPLE.finditer(text) for t in tokenize(simplify(m.group(0)))}
        concepts = tuple(
            Weighted(
                w.token,
                (GENERIC_WEIGHT if w.token.key in examples else w.weight)
                * _idf(document_frequency, w.token.key),
                w.core and w.token.key not in examples,
            )
            for w in _content(tokenize(simplify(text)), question_keys, question_numbers)
        )
        if concepts:
            points.append(Point(concepts, weight, _enumeration(text, concepts)))
    short_body = body.strip().rstrip(".")
    own = next((c for c in candidates if c.text == short_body), None)
    if _short_answer(body) and own is not None and own.content:
        # A short answer is one point, weighed exactly as the accepted form it also is (a family
        # name alone names the person; words shared with the question keep their weight).
        points = [Point(own.content, 1.0)]
    answer_keys = frozenset(
        {t.key for t in answer_tokens} | {t.key for c in candidates for t in c.tokens}
    )
    vocabulary = answer_keys | {t.key for t in question_tokens}
    core: dict[str, Token] = {}
    for weighted in (
        *(w for c in candidates for w in c.content),
        *(w for p in points for w in p.concepts),
    ):
        if not weighted.token.numeric and (
            weighted.core or weighted.token.key in CONTRAST_PARTNERS
        ):
            core.setdefault(weighted.token.surface, weighted.token)
    point_texts = [text for text, _ in _points(body)]
    lead = point_texts[:1] if "\n" not in body.strip() else []
    semantic_texts = tuple(
        dict.fromkeys(
            text.strip() for text in (body, *lead, *(c.text for c in candidates)) if text.strip()
        )
    )
    return Reference(
        card=card,
        question_keys=question_keys,
        question_numbers=question_numbers,
        candidates=candidates,
        points=tuple(points),
        polar=polar,
        comparisons=frozenset().union(*(comparisons(simplify(text)) for text in (answer, *accept))),
        vocabulary=vocabulary,
        answer_keys=answer_keys,
        answer_roles=_roles(body, question_all)
        if not _short_answer(body) and _CONTRASTIVE.search(card.question)
        else (),
        bindings=tuple(
            b
            for text in dict.fromkeys((*point_texts, *(c.text for c in candidates)))
            if (b := _bindings(text))
        ),
        answer_numbers=frozenset(t.key for t in answer_tokens if t.numeric)
        | frozenset(n for c in candidates for n in c.numbers),
        core_terms=tuple(core.values()),
        body=body.strip(),
        contrastive=bool(_CONTRASTIVE.search(card.question)),
        asks_for_several=bool(_SEVERAL.search(card.question)),
        exact_forms=tuple(
            (written_form(text), text)
            for text in dict.fromkeys((*card.accept, *extra_accept, card.answer.strip()))
            if written_form(text)
        ),
        texts=(body.strip(), *(c.text for c in candidates)),
        acronyms=tuple(defined.items()),
        formulas=tuple(
            dict.fromkeys(
                (whole, right)
                for text in (*(c.text for c in candidates), *point_texts)
                for whole, right in (_formula(text),)
                if whole is not None
            )
        ),
        semantic_texts=semantic_texts,
        simplified_texts=tuple(simplify(text) for text in semantic_texts),
        equations=tuple(
            dict.fromkeys(
                span
                for text in (*(c.text for c in candidates), *point_texts)
                if _formula(text)[0] is not None
                for span in formula_spans(text)
                if algebra.is_formula(span)
            )
        ),
        demoted_texts=tuple(
            demoted_words(tokenize(simplify(text)), question_keys) for text in semantic_texts
        ),
    )


@dataclass(frozen=True, eq=False)
class DocumentFrequency:
    """How many cards of a deck use each word: common words in a deck say little about one card."""

    counts: dict[str, int]
    documents: int

    def idf(self, key: str) -> float:
        seen = self.counts.get(key, 0)
        return 0.5 + math.log((self.documents + 1) / (seen + 1)) / math.log(self.documents + 2)


@lru_cache(maxsize=256)
def deck_frequency(cards: Sequence[Card]) -> DocumentFrequency:
    counts: Counter[str] = Counter()
    for card in cards:
        counts.update({t.key for t in tokenize(simplify(f"{card.question}\n{card.answer}"))})
    return DocumentFrequency(dict(counts), len(cards))


@dataclass(frozen=True)
class CompiledDeck:
    deck: Deck
    frequency: DocumentFrequency
    references: tuple[Reference, ...]
    by_card: dict[str, Reference]
    by_word: dict[str, tuple[int, ...]]
    """Which references' answers use each word: finds the cards a response could belong to
    without comparing it with all of a 5,000-card deck."""

    def sharing(self, keys: frozenset[str], most: int) -> list[Reference]:
        """Up to `most` references whose answers share the most of `keys` (at least half)."""
        counts: Counter[int] = Counter()
        for key in keys:
            counts.update(self.by_word.get(key, ()))
        enough = (len(keys) + 1) // 2
        return [self.references[i] for i, n in counts.most_common(most) if n >= enough]


_COMPILED: dict[int, CompiledDeck] = {}
_COMPILED_LIMIT = 256


def compile_deck(deck: Deck) -> CompiledDeck:
    """Every card of a deck compiled with the deck's word frequencies.

    Cached by object identity: hashing a whole deck on every grade would cost more than grading.
    The cache holds the deck itself, so an id cannot be reused while its entry lives.
    """
    cached = _COMPILED.get(id(deck))
    if cached is not None and cached.deck is deck:
        return cached
    frequency = deck_frequency(deck.cards)
    references = tuple(compile_reference(card, (), frequency) for card in deck.cards)
    by_word: dict[str, list[int]] = {}
    for index, reference in enumerate(references):
        for key in reference.answer_keys:
            by_word.setdefault(key, []).append(index)
    compiled = CompiledDeck(
        deck,
        frequency,
        references,
        {r.card.id: r for r in references},
        {key: tuple(indices) for key, indices in by_word.items()},
    )
    if len(_COMPILED) >= _COMPILED_LIMIT:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[id(deck)] = compiled
    return compiled
