"""Guards: what no similarity may forgive. Each is one small rule; GUARDS is their priority order.

A guard looks at a response that is about the card (it shares the card's words) and says what is
wrong with it in one sentence, or None. The first guard that fires makes the verdict wrong, whatever
the fitted decision would have said: semantics rescue paraphrases, they never accept another number,
a contrast term, a flipped negation, swapped roles, a list of guesses or half of a two-part answer.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from bot.grading.algebra import equivalent
from bot.grading.evidence import Evidence, candidate_match, spoken_division
from bot.grading.lexicon import ELABORATION_STARTS, PLACED_CONTRASTS, WEAK_NEGATIVES
from bot.grading.match import CONTRAST_PARTNERS, is_typo, joined_pairs, match_word, partner_table
from bot.grading.normalize import (
    OPERATOR_SIGNS,
    Token,
    canonical,
    clauses,
    formula_tokens,
    is_prose,
    log_base_dropped,
    simplify,
    tokenize,
    unframed,
)
from bot.grading.reference import SLASHED, Candidate, Reference, Weighted, affirmed_clauses
from bot.grading.relations import COMPARATIVES, Comparison, comparisons, completed, contradicts
from bot.grading.response import Response
from bot.grading.words import is_real_word, zipf
from bot.textcut import one_line

QUOTE_LIMIT = 120
"""Reference text quoted in feedback is cut to this many characters."""
RELEVANT_AT = 0.4
"""Coverage from which a response is taken as aimed at the answer, so its faults are its own."""
SHORT_RESPONSE_WORDS = 4
ROLES_AT = 0.6
AIMED_AT = 0.6
"""Semantic similarity at which a response is aimed at the answer even in other words, so a look-alike
or a flipped clause in it is checked as if it had used the answer's words."""
"""Roles are checked when the response uses most of the answer's words: swapped, not missing."""
GUESSES = "Pick one answer: a list of guesses doesn't count, even when it includes the right one."


@dataclass(frozen=True, slots=True)
class Context:
    ref: Reference
    response: Response
    evidence: Evidence

    @property
    def coverage(self) -> float:
        return max(self.evidence.recall, self.evidence.concept)


@dataclass(frozen=True, slots=True)
class Guard:
    name: str
    rule: Callable[[Context], str | None]
    """The feedback sentence when the guard fires, else None."""
    weighs_semantic: bool = False
    """The rule reads the embedding's evidence (whether the response is aimed at the answer), so
    the semantic pass may change what it says; every other rule reads words only."""


@lru_cache(maxsize=8192)
def display(word: str, *sources: str) -> str:
    """The word as the deck or the member wrote it ('Kaiming', not 'kaiming'; 'high-level', not
    the normalizer's 'highlevel')."""
    for pattern in (re.escape(word), _hyphens_allowed(word)):
        for source in sources:
            found = re.search(rf"(?<![\w]){pattern}(?![\w])", source, re.IGNORECASE)
            if found:
                return found.group(0)
    return word


def _hyphens_allowed(words: str) -> str:
    """A pattern for the words with a hyphen allowed between any two letters, as the normalizer
    joins 'high-level' and 'pre-trained' into one word."""
    return r"\s+".join(_HYPHEN_BETWEEN_LETTERS.sub("-?", re.escape(word)) for word in words.split())


_HYPHEN_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])(?=[^\W\d_])")


def _content(tokens: Iterable[Token]) -> list[Token]:
    return [t for t in tokens if not t.stop and not t.hedge and not t.negation]


# --- parts of a list answer -------------------------------------------------------------------


def _named_parts(candidate: Candidate, response: Response, body: str) -> list[str]:
    """The parts the response names: all of a part's words, or, for a part that heads a labelled
    line of the answer ('Hyperparameter optimization: ...'), a word of its label no other label
    has ('tuning the hyperparameters')."""
    heads = {simplify(line.head) for line in _labelled_lines(body) if _line_named(line, response)}
    return [
        p.text
        for p in candidate.parts
        if all(response.match(t) for t in p.tokens) or simplify(p.text) in heads
    ]


DESCRIPTION_WORDS = 2


def _extra_items(candidate: Candidate, response: Response, body: str) -> list[str]:
    """List items with a word that is none of the card's parts ('C' in 'N H W or maybe C H W').
    An item that names no part in a phrase (DESCRIPTION_WORDS words or more) of a line of the
    answer that names one ('hierarchy of features' where the answer says 'Compositionality:
    learning feature hierarchies') describes that part; one word ('channel') is another item."""
    part_keys = {t.key for part in candidate.parts for t in part.tokens}
    describing = [
        keys for line in _answer_lines(body) if (keys := {t.key for t in line}) & part_keys
    ]
    part_tokens = [t for part in candidate.parts for t in part.tokens]
    own = [t for t in candidate.tokens if not t.stop]
    extras = []
    for item in response.items:
        content = _content(item)
        if not content or item[0].surface in ELABORATION_STARTS or len(content) > 4:
            continue
        unknown = [
            t
            for t in content
            if t.key not in candidate.keys and not any(match_word(o, [t], {}) for o in own)
        ]
        names_a_part = any(match_word(p, item, joined_pairs(item)) for p in part_tokens)
        if names_a_part:
            # Beside a part, only a sibling of the parts is one more item ('C' beside 'H W');
            # other words describe the part ('eventually whole objects').
            unknown = [t for t in unknown if _sibling(t, part_tokens)]
        elif len(unknown) >= DESCRIPTION_WORDS and any(
            {t.key for t in unknown} <= keys for keys in describing
        ):
            unknown = []
        if unknown:
            extras.append(" ".join(t.surface for t in item if not t.hedge))
    return extras


def _sibling(token: Token, parts: Sequence[Token]) -> bool:
    """A word of the same kind as the card's parts: a letter among letters, or a signed partner."""
    if all(len(p.surface) <= 2 for p in parts) and len(token.surface) <= 2:
        return True
    return any(token.key in CONTRAST_PARTNERS.get(p.key, frozenset()) for p in parts)


def _lines_left_out(ctx: Context) -> list[str]:
    """The labels (as the deck wrote them) of a labelled answer ('valid: ...', 'same: ...') whose
    lines a response that names another label leaves out: neither a word of their own label nor
    a word only they say."""
    lines = _labelled_lines(ctx.ref.body)
    if not lines:
        return []
    named = [_line_named(line, ctx.response) for line in lines]
    if not any(named):
        return []
    said = ctx.response.keys
    return [
        line.head
        for line, is_named in zip(lines, named, strict=True)
        if not is_named and not line.words & said
    ]


def _line_named(line: _Line, response: Response) -> bool:
    """A word of the line's own label said, and not beside another word (in the same clause)
    where the label has a word the response leaves out: 'tuning the hyperparameters' names
    'Hyperparameter optimization', 'rotation invariance' does not name 'Translation
    invariance'."""
    for clause in response.clauses:
        words = _content(clause)
        if any(_names_label(line, words, index, response.keys) for index in range(len(words))):
            return True
    return False


def _names_label(line: _Line, words: Sequence[Token], index: int, said: frozenset[str]) -> bool:
    token = words[index]
    order = line.label_order
    at = next(
        (
            i
            for i, label in enumerate(order)
            if label in line.label_words and (token.key == label or is_typo(label, token.surface))
        ),
        None,
    )
    if at is None:
        return False
    return not any(
        0 <= i < len(order)
        and 0 <= j < len(words)
        and order[i] in line.label_words
        and order[i] not in said
        and words[j].key not in order
        for i, j in ((at - 1, index - 1), (at + 1, index + 1))
    )


def missing_parts(ctx: Context) -> str | None:
    """'max pooling' for 'max pooling and average pooling': half of a two-part answer; 'same
    pads the input' for an answer that says what 'valid' and 'same' each do."""
    left_out = _lines_left_out(ctx)
    if left_out:
        return f"The card also asks about {', '.join(left_out)}."
    listed = [c for c in ctx.ref.candidates if c.parts]
    if not listed or (
        ctx.evidence.best
        and ctx.evidence.best.recall >= 0.95
        and not ctx.evidence.best.candidate.parts
    ):
        return None
    for candidate in listed:
        found = _named_parts(candidate, ctx.response, ctx.ref.body)
        n = len(candidate.parts)
        if len(found) == n:
            extras = _extra_items(candidate, ctx.response, ctx.ref.body)
            if extras and _hedged(ctx.response):
                return GUESSES
            if extras:
                return f"You listed more than the card asks for: {', '.join(extras)}."
            return None
    candidate = max(
        listed, key=lambda c: len(_named_parts(c, ctx.response, ctx.ref.body)) / len(c.parts)
    )
    found = _named_parts(candidate, ctx.response, ctx.ref.body)
    if not found:
        return None
    if len(candidate.parts) == 2:
        return f"That's {found[0]}; the card asks for the other one too."
    return f"Partly right: you named {', '.join(found)}, but the card asks for all {len(candidate.parts)}."


# --- parts of a question -----------------------------------------------------------------------

_SECOND_QUESTION = re.compile(
    r",\s*and\s+(?=(?:what|how|why|which|when|where|who|are|is|do|does|can)\b)", re.IGNORECASE
)


@lru_cache(maxsize=4096)
def question_parts(question: str) -> tuple[str, ...]:
    """The questions a card asks: 'What is SAME convolution? How is the size ratio?' asks two, as
    does 'What is the best initialization, and why?'."""
    asked = [q.strip() + "?" for q in question.split("?") if re.search(r"[^\W\d_]", q)]
    return tuple(part.strip() for q in asked for part in _SECOND_QUESTION.split(q) if part.strip())


@lru_cache(maxsize=4096)
def _answer_lines(body: str) -> tuple[tuple[Token, ...], ...]:
    lines = [line.strip(" -•*\t") for line in body.splitlines() if line.strip(" -•*\t")]
    return tuple(tuple(_content(tokenize(simplify(line)))) for line in lines)


@lru_cache(maxsize=4096)
def _line_apart(body: str, index: int, other: int | None) -> tuple[Token, ...]:
    """The words of an answer line that another line (or, for None, every other line) does not
    say."""
    lines = _answer_lines(body)
    keys = {
        t.key for i, line in enumerate(lines) if i != index and other in (None, i) for t in line
    }
    return tuple(t for t in lines[index] if t.key not in keys)


def _says(line: Sequence[Token], token: Token) -> bool:
    return any(t.key == token.key for t in line) or any(match_word(t, [token], {}) for t in line)


def _answers(part: str, line: Sequence[Token]) -> bool:
    """A line answers a question part when it speaks of what the part asks ('Input and output sizes
    are equal' for 'How is the size ratio for input and output?'); a line that only goes on about
    the line before it ('A gradient of 0 means...') answers none."""
    return any(_says(line, t) for t in _part_words(part))


@lru_cache(maxsize=4096)
def _part_words(part: str) -> tuple[Token, ...]:
    return tuple(_content(tokenize(simplify(part))))


OWN_WORDS_SHARE = 0.25
"""Share of a response's words beyond one answer line (a synonym: 'keeping' for 'preserving')
that still leaves it saying that line alone."""


def unanswered_part(ctx: Context) -> str | None:
    """A card that asks two questions and answers each on its own line, answered on one line's
    words alone: 'the kernel is centered at every location' for what SAME convolution is and how
    the sizes compare. A response with words of its own may answer the other part in other words,
    so it is left to the decision."""
    asked = question_parts(ctx.ref.card.question)
    if len(asked) < 2:
        return None
    lines = _answer_lines(ctx.ref.body)
    said = _content(ctx.response.tokens)
    if len(lines) != len(asked) or not said:
        return None
    for index, line in enumerate(lines):
        own = _line_apart(ctx.ref.body, index, None)
        own_words = [t for t in said if not (_says(line, t) or t.key in ctx.ref.question_keys)]
        if len(own_words) > OWN_WORDS_SHARE * len(said):
            continue
        if not any(_says(own, t) for t in said):
            continue
        for missed, other in enumerate(lines):
            if missed == index:
                continue
            exclusive = _line_apart(ctx.ref.body, missed, index)
            if not _answers(asked[missed], other):
                continue
            if exclusive and not any(ctx.response.match(t) for t in exclusive):
                return f"That answers one part; the card also asks “{asked[missed]}”"
    return None


# --- a short form without one of its words -------------------------------------------------------

SHORT_FORM_WORDS = 4
"""Accepted forms of up to this many content words name one concept with each of their words."""


_STATEMENT_WORDS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "can",
        "will",
        "would",
        "should",
        "may",
        "might",
        "must",
        "it",
        "they",
        "he",
        "she",
        "this",
        "that",
        "there",
        "their",
        "its",
    ]
)
"""Words of a statement, not of a term: its subject may stand as a pronoun ('they are
connected'), its verb in other words ('has sugar' for 'contains sugar')."""


def dropped_word(ctx: Context) -> str | None:
    """'the size of the kernel' for 'the step size of the kernel', 'gradients' for 'vanishing
    gradients': a short accepted form said without one of its own words, and nothing else, names a
    broader or another concept. Words the question gives, generic words, numbers (the numbers
    guard's) and single letters of notation ('O' of 'O(n^2)') may be left out."""
    best = ctx.evidence.best
    if best is None or best.recall >= 1.0:
        return None
    if any(t.surface in _STATEMENT_WORDS for t in (*best.candidate.tokens, *ctx.response.tokens)):
        return None
    content = best.candidate.content
    if not 2 <= len(content) <= SHORT_FORM_WORDS:
        return None
    said = _content(ctx.response.tokens)
    if not said or not all(
        any(w.token.key == t.key or match_word(w.token, [t], {}) for w in content) for t in said
    ):
        return None
    missing = [
        w for w in best.missing if w.core and not w.token.numeric and len(w.token.surface) > 1
    ]
    if not missing:
        return None
    word = display(missing[0].token.surface, best.candidate.text)
    return f"Almost: the answer is “{best.candidate.text}”, and “{word}” makes the difference."


# --- guesses ------------------------------------------------------------------------------------


def _asks_for_a_list(ref: Reference) -> bool:
    """Several things asked for: an accepted answer in parts, an enumeration, or an answer
    written as lines of a few words each."""
    if any(c.parts for c in ref.candidates) or any(p.items for p in ref.points):
        return True
    lines = [line.strip(" -•*\t").lower() for line in ref.body.splitlines() if line.strip(" -•*\t")]
    if len(lines) < 2 or any(line.split()[0] in ELABORATION_STARTS for line in lines[1:]):
        return False
    return all(len(p.concepts) <= SHORT_RESPONSE_WORDS for p in ref.points)


def guess_list(ctx: Context) -> str | None:
    """'Xavier or Kaiming', 'maybe Kaiming, maybe Xavier': alternatives where one is right and
    another is a different answer. 'And' joins what a member asserts, so a sentence with commas and
    'and' is no list of guesses; nor is a list when the card asks for several things."""
    text = _offers(ctx.response.simplified)
    if not _ALTERNATIVES.search(text):
        return None
    items = _alternatives(text)
    if len(items) < 2:
        return None
    offered = _hedged(ctx.response)
    hedged = offered or len(items) > 2
    # A guess is a few words long, unless 'either ... or' offers whole statements as alternatives.
    long = any(len(_content(item)) > 3 for item in items) and not _EITHER.search(
        ctx.response.simplified
    )
    if not hedged or long or _asks_for_a_list(ctx.ref):
        return None
    targets = _core_targets(ctx.ref)
    matched = competitors = 0
    for item in items:
        if any(t.negation for t in item):
            continue
        words = [t for t in item if not t.hedge]
        content = [t for t in words if not t.stop]
        joined = joined_pairs(words)
        outside = [t for t in content if t.key not in ctx.ref.vocabulary]
        if (offered and len(outside) * 2 > len(content)) or _contrasts_reference(ctx.ref, content):
            # Offered as an alternative in words the card mostly never uses ('or with
            # convolution filters sliding over time' for a recurrent network): another answer,
            # whatever word it shares.
            competitors += 1
        elif words and any(match_word(t, words, joined) for t in targets):
            matched += 1
        elif outside:
            competitors += 1
    return GUESSES if matched and competitors else None


_EITHER = re.compile(r"\beither\b.*\bor\b")
_OR = re.compile(r"\b(?:or|vs|versus)\b|/")
_DIVISION = re.compile(
    r"(?:\)|(?<![\w.])[a-z]|(?<![\w.])\d+(?:\.\d+)?)\s*/\s*(?=\(|[a-z](?!\w)|\d+(?:\.\d+)?(?![\w.]))"
)
"""A slash between a bracket, a one-letter name or a plain number on each side divides ('(n -
f)/s', '1/2'); beside a word or a name with digits it offers alternatives ('xavier/kaiming',
'sigmoid (logistic)/tanh', 'vgg16/alexnet', '3x3/5x5')."""


def _offers(simplified: str) -> str:
    """The text with its division slashes taken out, so that only offered alternatives split it."""
    if "/" not in simplified:
        return simplified
    return _DIVISION.sub(lambda m: m.group(0).replace("/", " ÷ "), simplified)


def _hedged(response: Response) -> bool:
    """Offers alternatives: 'maybe', 'either', 'or', a slash."""
    return any(t.hedge for t in response.tokens) or bool(_OR.search(_offers(response.simplified)))


_ALTERNATIVES = re.compile(r"[,;/?\n]|\b(?:or|vs|versus)\b")


_REASON_WORDS = "when|whenever|because|since|which|where|while"
_CONDITION = re.compile(rf",\s*(?:{_REASON_WORDS}|so|if|as)\b.*", re.S)
"""A clause after the answer that says when or why it holds ('n squared, when the pivot is the
min or max'): what it joins with 'or' is part of the condition, not another answer."""


def _alternatives(simplified: str) -> list[list[Token]]:
    """The response split where it offers alternatives: commas, slashes, 'or'."""
    offered = _CONDITION.sub("", re.sub(r"\([^()]*\)", " ", simplified))
    return [t for part in _ALTERNATIVES.split(offered) if (t := tokenize(part))]


def _core_targets(ref: Reference) -> list[Token]:
    targets = [w.token for c in ref.candidates for w in c.content if w.core]
    return targets + [w.token for w in ref.concepts if w.core]


def _contrasts_reference(ref: Reference, content: Sequence[Token]) -> bool:
    return any(CONTRAST_PARTNERS.get(t.key, frozenset()) & ref.answer_keys for t in content)


# --- numbers and formulas -----------------------------------------------------------------------


def numbers(ctx: Context) -> str | None:
    """Another number than the card's ('5×5' for '3×3', 'L2' for 'L1'): never a typo. A short
    numeric answer allows no other number beside it; in a longer one, numbers used to explain are
    fine as long as the card's own numbers are there."""
    ref, response = ctx.ref, ctx.response
    if not response.numbers:
        return None
    text = response.simplified
    if _unbased_log(ref.texts):
        # 'log2(n)' where the card writes 'log n': the base is no number of the answer.
        text = log_base_dropped(text)
    everything = _numbers_in(text)
    allowed = ref.question_numbers | ref.answer_numbers
    stray = {n for n in everything - allowed if not _worked(n, allowed)}
    short = [c for c in ref.candidates if c.numbers and len(c.content) <= SHORT_RESPONSE_WORDS]
    if short:
        said = _numbers_in(_REASON.sub("", text))
        for candidate in short:
            if candidate.numbers <= said and not (said - candidate.numbers - ref.question_numbers):
                return None
        best = max(short, key=lambda c: len(c.numbers & said))
        if best.numbers <= said and _hedged(response):
            # '255,632 or 4,608': the answer and another number the card names, offered as
            # alternatives.
            return GUESSES
        if stray & said or not best.numbers & said:
            shown = best.text if 0 < len(best.text) <= 40 else ", ".join(sorted(best.numbers))
            if best.numbers <= said:
                return f"Numbers differ: the answer is {shown}, nothing else."
            return f"Numbers differ: expected {shown}."
        return None
    key_numbers = ref.answer_numbers - ref.question_numbers
    if key_numbers and stray and not key_numbers & everything:
        return "Numbers differ: compare your numbers with the reference."
    # A number the answer names counts even when the question names it too: 'terminal 2' for
    # 'Terminal 3 and the positive terminal are separated'.
    read = response if text == response.simplified else Response(text)
    relabelled = _relabelled(ref, read, numeric=True)
    if relabelled:
        given, expected = relabelled
        return f"Numbers differ: “{given}” is not “{expected}”."
    return None


_PRODUCT_OF_NUMBERS = re.compile(r"\d+(?:x\d+)+")


_REASON = re.compile(rf",\s*(?:{_REASON_WORDS})\b.*", re.S)
"""`_CONDITION` for numbers: not 'if' or 'as', which also offer more ('4, if not 6', '4, as well
as 6')."""


def _numbers_in(text: str) -> frozenset[str]:
    return frozenset(t.key for t in tokenize(text) if t.numeric)


_LOG_WITHOUT_BASE = re.compile(r"\blog\s*\(?\s*[a-z]\b")


@lru_cache(maxsize=4096)
def _unbased_log(texts: tuple[str, ...]) -> bool:
    """The card writes a logarithm without a base ('O(log n)'), as complexities are written."""
    return any(_LOG_WITHOUT_BASE.search(simplify(text)) for text in texts)


def _worked(number: str, allowed: frozenset[str]) -> bool:
    """A product that comes to one of the card's numbers ('3x3x16' for 144): working shown,
    not another answer."""
    if not _PRODUCT_OF_NUMBERS.fullmatch(number):
        return False
    return str(math.prod(int(factor) for factor in number.split("x"))) in allowed


# --- notation -----------------------------------------------------------------------------------

_CALL = re.compile(r"(?<![\w])([A-Za-zΘΩθω])\s*\(([^(),]*)\)")
_SQUARES = str.maketrans({"²": "^2", "³": "^3", "×": "*", "·": "*"})


def _calls(text: str) -> set[tuple[str, str]]:
    """Each one-letter notation with one argument ('O(n log n)', 'Θ(n)'), spacing and case aside."""
    return {
        (name.lower(), re.sub(r"\s+", "", log_base_dropped(args.translate(_SQUARES).lower())))
        for name, args in _CALL.findall(text)
    }


@lru_cache(maxsize=4096)
def _calls_in(text: str) -> frozenset[tuple[str, str]]:
    return frozenset(_calls(text))


def _as_written(call: tuple[str, str], card: set[tuple[str, str]]) -> tuple[str, str]:
    """The card's own call when the response's argument is the same expression written another
    way ('O(n*n)' for 'O(n^2)')."""
    if call in card:
        return call
    return next(
        (theirs for theirs in card if theirs[0] == call[0] and equivalent(call[1], theirs[1])),
        call,
    )


def notation(ctx: Context) -> str | None:
    """'O(n log n)' for 'O(log n)': the same notation around another argument is another answer,
    however many letters it shares; beside the right one it is a guess."""
    said = _calls(ctx.response.raw)
    if not said:
        return None
    card = set().union(*(_calls_in(text) for text in ctx.ref.texts))
    names = {name for name, _ in card}
    said = {_as_written(call, card) for call in said}
    other = [call for call in said if call[0] in names and call not in card]
    if not other:
        return None
    if said & card:
        return GUESSES
    expected = next(
        m.group(0)
        for text in ctx.ref.texts
        for m in _CALL.finditer(text)
        if m.group(1).lower() == other[0][0]
    )
    return f"Not quite: the answer is {expected}."


# --- quantity -----------------------------------------------------------------------------------

_SEVERAL = frozenset({"multiple", "many", "several", "numerous"})
_ONE = frozenset({"one", "single", "1"})
QUANTIFIED_WORDS = 2
"""How many content words after a quantifier name what it counts ('multiple hidden layers')."""


_COUNT_VARIABLES = frozenset({"n", "k", "m"})


def _counts_a_variable(tokens: Sequence[Token], i: int) -> bool:
    """'up to N threads', 'k processes': a count written as a variable, before a plural."""
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    return (
        tokens[i].surface in _COUNT_VARIABLES
        and after is not None
        and after.surface.endswith("s")
        and not after.stop
    )


def _quantified(tokens: Sequence[Token]) -> list[tuple[str, frozenset[str]]]:
    """('several' | 'one', the words it counts) for each quantifier of a text; 'more than one'
    counts as several, 'never more than one' as one."""
    found = []
    for i, token in enumerate(tokens):
        if token.surface in _SEVERAL or _counts_a_variable(tokens, i):
            kind = "several"
        elif token.surface in _ONE:
            more = i > 0 and tokens[i - 1].surface == "than"
            denied = any(t.negation for t in tokens[max(0, i - 4) : i])
            kind = "several" if more and not denied else "one"
        else:
            continue
        counted = [t.key for t in tokens[i + 1 :] if not t.stop][:QUANTIFIED_WORDS]
        if counted:
            found.append((kind, frozenset(counted)))
    return found


@lru_cache(maxsize=4096)
def _quantified_text(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple(_quantified(tokenize(simplify(text))))


def quantity(ctx: Context) -> str | None:
    """'exactly one hidden layer' for 'multiple hidden layers', or many where the card says one."""
    said = _quantified(ctx.response.tokens)
    if not said:
        return None
    card = [q for text in ctx.ref.texts for q in _quantified_text(text)]
    for kind, theirs in said:
        counted = [k for k, words in card if words & theirs]
        if counted and kind not in counted:
            return f"Not quite: the card says {counted[0]}."
    return None


# --- labels -------------------------------------------------------------------------------------


_NO_LABEL = frozenset("is")
"""Single letters that are words or pieces of one ('I', the 's of "bulb c's"), never labels."""


def _is_label(tokens: Sequence[Token], i: int) -> bool:
    """A number or a single letter naming one thing ('terminal 3', 'switch Z', 'bulb a is'). 'a'
    followed by a word it could be the article of ('containing a bulb') is no label."""
    token = tokens[i]
    if token.numeric:
        return True
    if len(token.surface) != 1 or not token.surface.isalpha() or token.surface in _NO_LABEL:
        return False
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    return token.surface != "a" or after is None or after.stop


def _labels(
    tokens: Sequence[Token], noun: str | None = None
) -> tuple[list[tuple[str, Token]], str | None]:
    """(noun key, label) for each label right after a noun, or after a label of it joined by
    'and' ('bulbs A and C'); and the noun a label in the next clause would still belong to. A
    number before its noun counts ('the two terminals'), so it is none."""
    found: list[tuple[str, Token]] = []
    for i, token in enumerate(tokens):
        if noun is not None and _is_label(tokens, i):
            found.append((noun, token))
        elif not token.stop and not token.numeric and len(token.surface) >= 3:
            noun = token.key
        else:
            noun = None
    return found, noun if tokens and _is_label(tokens, len(tokens) - 1) else None


def _clause_labels(parts: Sequence[Sequence[Token]]) -> list[tuple[str, Token, bool]]:
    """The labels of a text split in clauses, each with whether its clause is negated: 'switch
    Y' in 'it does not contain switch Y' is denied, not named."""
    found: list[tuple[str, Token, bool]] = []
    noun: str | None = None
    for tokens in parts:
        labelled, noun = _labels(tokens, noun)
        denied = any(t.negation for t in tokens)
        found.extend((n, label, denied) for n, label in labelled)
    return found


@dataclass(frozen=True, slots=True)
class _Labels:
    by_noun: dict[str, frozenset[str]]
    """Each noun's labels over the answer and its accepted forms."""
    bare: frozenset[str]
    """Every label-like word they name at all ('B is not in their paths'; 'A' only as a
    capital)."""
    denied: frozenset[str]
    """Nouns whose labels the answer names in a negated clause ('Bulb C was no longer ...')."""


@lru_cache(maxsize=4096)
def _reference_labels(texts: tuple[str, ...]) -> _Labels:
    by_noun: dict[str, set[str]] = {}
    bare: set[str] = set()
    denied: set[str] = set()
    for text in texts:
        simplified = simplify(text)
        for noun, label, negated in _clause_labels(clauses(simplified)):
            by_noun.setdefault(noun, set()).add(label.key)
            if negated:
                denied.add(noun)
        for token in tokenize(simplified):
            if token.numeric or (len(token.surface) == 1 and token.surface not in "ais"):
                bare.add(token.key)
        if re.search(r"\bA\b", text):
            bare.add("a")
    return _Labels(
        {n: frozenset(v) for n, v in by_noun.items()}, frozenset(bare), frozenset(denied)
    )


def _relabelled(ref: Reference, response: Response, *, numeric: bool) -> tuple[str, str] | None:
    """(what the response wrote, what the answer says) for a label after the same noun that the
    answer never names: 'switch Z' for 'Switch Y', 'terminal 2' for 'terminal 3'. A label in a
    negated clause is denied, not named ('it does not contain switch Y'), unless the answer
    denies that noun's label too ('bulb A was no longer in a closed path' for 'Bulb C was ...')."""
    known = _reference_labels(ref.texts)
    if not known.by_noun:
        return None
    for noun, label, negated in _clause_labels(response.clauses):
        expected = known.by_noun.get(noun)
        if (
            expected is None
            or label.numeric != numeric
            or label.key in expected | known.bare
            or (negated and noun not in known.denied)
        ):
            continue
        word = display(noun, response.raw)
        named = min(expected)
        return (
            display(f"{word} {label.surface}", response.raw),
            display(f"{noun} {named}", *ref.texts),
        )
    return None


def labels(ctx: Context) -> str | None:
    """'Switch Z' for 'Switch Y', 'bulb A' for 'bulb C': another letter after the same noun
    names another thing, as another number does."""
    relabelled = _relabelled(ctx.ref, ctx.response, numeric=False)
    if relabelled is None:
        return None
    given, expected = relabelled
    return f"Not quite: “{given}” is not “{expected}”."


_RAW_OPERATOR = re.compile(r"[=+\-*/×·^²³∑Σ]|\w\s*\bx\b\s*\w")


def _is_symbolic(response: Response) -> bool:
    """Written as a formula: operator signs typed, and more symbols than words ('W = W - lr ×
    grad'). 'Force equals mass times acceleration' and word equations are judged by their words."""
    if not _RAW_OPERATOR.search(response.raw):
        return False
    symbols = response.symbols
    words = [s for s in symbols if s.isalpha() and len(s) > 3]
    return (
        bool(OPERATOR_SIGNS & set(symbols))
        and len(words) <= 0.6 * len(symbols)
        and not is_prose(symbols)
    )


_YIELDS = re.compile(r"→|->|=>|⇒|⟶|=")


_WORD_SIDE = re.compile(r"^\s*[^\W\d_]{3,}(?:(?:\s+|\s*\+\s*|\s+and\s+)[^\W\d_]{3,})*\s*\.?\s*$")
"""Terms of three letters or more joined by '+' or 'and': a side of a word equation, not algebra."""


@lru_cache(maxsize=8192)
def _side_keys(text: str) -> tuple[frozenset[str], frozenset[str]] | None:
    sides = _YIELDS.split(_ASIDE.sub(" ", text), maxsplit=1)
    if len(sides) != 2 or not all(_WORD_SIDE.match(side) for side in sides):
        return None
    left, right = (
        frozenset(t.key for t in tokenize(simplify(side)) if not t.stop) for side in sides
    )
    return (left, right) if left and right else None


def _same_sides(ref: Reference, response: Response) -> bool | None:
    """For a word equation answered with one: whether the reference's terms are on each side of
    its arrow ('glucose + oxygen → carbon dioxide + water + energy'). The order within a side and
    a term the answer also names (in an aside) do not matter; which side a term is on does. None
    when either is no word equation."""
    said = _side_keys(response.raw)
    if said is None:
        return None
    compared = False
    for text in (ref.card.answer, *ref.card.accept):
        expected = _side_keys(text)
        if expected is None:
            continue
        compared = True
        extra = said[1] - expected[1]
        if said[0] == expected[0] and expected[1] <= said[1] and extra <= ref.answer_keys:
            return True
    return False if compared else None


_ARITHMETIC = frozenset({"+", "-", "×", "/"})


def _terms_and_operators(tokens: Sequence[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """A formula's named terms and its operators, in sorted order: 'input size × output size +
    output size' and '(input size + 1) × output size' have the same."""
    return (
        frozenset(t for t in tokens if t.isalpha()),
        tuple(sorted(t for t in tokens if t in _ARITHMETIC)),
    )


@lru_cache(maxsize=8192)
def _reference_terms_and_operators(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    return _terms_and_operators(formula_tokens(simplify(text)))


def _operators_changed(texts: Sequence[str], response: Response) -> bool:
    """A formula in the card's own terms with other operators: 'input size × kernel size' for
    'input size / kernel size', 'input size × output size' for '... + output size'. Only texts
    that name exactly the response's terms are compared; one that agrees clears it."""
    shapes = [shape for text in texts if (shape := _reference_terms_and_operators(text))[1]]
    if not shapes:
        return False
    names, said = _terms_and_operators(response.symbols)
    if not said or not names:
        return False
    changed = False
    for theirs_names, theirs in shapes:
        if theirs_names == names:
            if theirs == said:
                return False
            changed = True
    return changed


def formula(ctx: Context) -> str | None:
    """A response written as a formula must be one of the card's formulas, brackets and spacing
    aside: 's_y - s_j' is not 's_j - s_y'. A formula said in words is judged by its words, but
    a division said in the card's own names keeps its order ('kernel size divided by input
    size')."""
    if ctx.evidence.formula_match:
        return None
    shown = next((c.text for c in ctx.ref.candidates if c.formula), ctx.ref.body)
    if spoken_division(ctx.ref, ctx.response) is False or _operators_changed(
        ctx.ref.texts, ctx.response
    ):
        return f"That formula differs from the reference: {one_line(shown, QUOTE_LIMIT)}."
    if not ctx.ref.formulas:
        return None
    best = ctx.evidence.best
    if best and best.recall >= 0.95 and best.candidate.formula is None:
        return None
    sides = _same_sides(ctx.ref, ctx.response)
    if sides is not None:
        if sides:
            return None
    elif not _is_symbolic(ctx.response):
        return None
    return f"That formula differs from the reference: {one_line(shown, QUOTE_LIMIT)}."


# --- contrast terms -----------------------------------------------------------------------------

_PREFIX_PAIRS = (
    ("hypo", "hyper"),
    ("over", "under"),
    ("exo", "endo"),
    ("pre", "post"),
    ("inter", "intra"),
    ("sub", "super"),
    ("micro", "macro"),
    ("im", "ex"),
    ("up", "down"),
    ("homo", "hetero"),
    ("mono", "poly"),
    ("in", "out"),
)
_NEGATING_PREFIXES = ("un", "non", "in", "im", "dis", "ir", "il")


def contrast_of(target: Token, written: Token) -> bool:
    """Whether two words name opposite or sibling concepts: a pair a tutor signed ('Xavier' /
    'Kaiming', 'increase' / 'reduce' and their synonyms), or one word with the opposite prefix
    ('hypothyroidism' / 'hyperthyroidism')."""
    if written.key in CONTRAST_PARTNERS.get(target.key, frozenset()):
        return True
    return _prefix_contrast(target.surface, written.surface) or _undone(target, written)


UNDONE_BASE = 4
"""Letters a word must keep after 'un' to be its reverse: 'unfreeze', 'unseen', not 'until'."""


def _undone(target: Token, written: Token) -> bool:
    """The response's word is the card's with 'un' before it, and a real word: 'unfreeze' for
    'freeze'. Not the other way round: 'seen' is said of the training data in many a right answer
    about unseen data ('other than what it has seen'). A clause that says 'not' is read by the
    negation guard instead."""
    rest = written.key[2:]
    return (
        written.surface.startswith("un")
        and len(rest) >= UNDONE_BASE
        and rest == target.key
        and is_real_word(written.surface)
    )


_CONTRAST_PREFIXES = tuple(prefix for pair in _PREFIX_PAIRS for prefix in pair)


PLACED_PARTNERS = partner_table(PLACED_CONTRASTS)


def _may_contrast(written: Token) -> bool:
    """Whether a word could be any word's contrast: it has a signed partner or opens with one of
    the prefixes that pair."""
    return (
        written.key in CONTRAST_PARTNERS
        or written.key in PLACED_PARTNERS
        or written.surface.startswith(_CONTRAST_PREFIXES)
        or written.surface.startswith("un")
    )


@lru_cache(maxsize=65536)
def _prefix_contrast(a: str, b: str) -> bool:
    for left, right in _PREFIX_PAIRS:
        for p, q in ((left, right), (right, left)):
            if (
                a.startswith(p)
                and b.startswith(q)
                and len(a) - len(p) >= 4
                and a[len(p) :] == b[len(q) :]
            ):
                return True
    return False


def _aimed(evidence: Evidence) -> bool:
    return (evidence.semantic or 0.0) >= AIMED_AT


def _target(weighted: Weighted) -> bool:
    """A word a look-alike could replace: a meaningful one, or any with a signed partner
    ('different', generic as it is, has 'similar')."""
    token = weighted.token
    return not token.numeric and (weighted.core or token.key in CONTRAST_PARTNERS)


def _statements(ctx: Context) -> list[tuple[frozenset[str], list[Token]]]:
    """What a look-alike could be swapped into, with the words that may stand beside it: the
    accepted form the response is closest to (only its own words), any other form it is aimed at
    and the answer's key terms (any word of the answer, which may name both sides elsewhere)."""
    short = len(ctx.response.content) <= SHORT_RESPONSE_WORDS
    best = ctx.evidence.best
    out = []
    for candidate in ctx.ref.candidates:
        targets = [w.token for w in candidate.content if _target(w)]
        if (
            best is not None
            and candidate is best.candidate
            and (best.recall >= RELEVANT_AT or short)
        ):
            out.append((candidate.keys, targets))
        elif short or _recall_with_stand_ins(candidate, ctx.response) >= RELEVANT_AT:
            out.append((ctx.ref.answer_keys | candidate.keys, targets))
    if ctx.coverage >= RELEVANT_AT or short or _aimed(ctx.evidence):
        out.append((ctx.ref.answer_keys, list(ctx.ref.core_terms)))
    return out


def _recall_with_stand_ins(candidate: Candidate, response: Response) -> float:
    """A form's recall with each term it misses counted as said where the response says a signed
    partner of it ('sigmoid' for 'ReLU'): how far the response is aimed at the form but for a
    look-alike."""
    found = candidate_match(candidate, response)
    stand_ins = sum(
        w.weight
        for w in found.missing
        if CONTRAST_PARTNERS.get(w.token.key, frozenset()) & response.keys
    )
    return found.recall + stand_ins / candidate.total_weight


@lru_cache(maxsize=4096)
def _negated_keys(texts: tuple[str, ...]) -> frozenset[str]:
    """Words the reference says in a negated clause ('not the same'): no look-alike target."""
    return frozenset(
        k for text in texts for c in _reference_clauses(text) if c.strong for k in c.keys
    )


@lru_cache(maxsize=4096)
def _slots(text: str) -> dict[str, tuple[frozenset[str], ...]]:
    """Each content word of a text with, for each time it is said, the content words right
    before ('<word') and after ('>word') it."""
    words = _content(tokenize(simplify(text)))
    found: dict[str, list[frozenset[str]]] = {}
    for index, word in enumerate(words):
        around = set()
        if index > 0:
            around.add("<" + words[index - 1].key)
        if index + 1 < len(words):
            around.add(">" + words[index + 1].key)
        found.setdefault(word.key, []).append(frozenset(around))
    return {key: tuple(slots) for key, slots in found.items()}


def _in_its_place(token: Token, target: Token, ctx: Context) -> bool:
    """The look-alike stands where the reference has the term, beside the same words ('region of
    the output' for 'region of the input', 'more parameters' for 'fewer parameters'), and closer
    to one of the term's places than the response ever puts the term itself ('looking for the
    same feature at ten different positions' for 'looking for a different feature: ten
    different features')."""
    words = _content(ctx.response.tokens)
    around: dict[int, set[str]] = {}
    for first, second in itertools.pairwise(words):
        around.setdefault(second.position, set()).add("<" + first.key)
        around.setdefault(first.position, set()).add(">" + second.key)
    slots = [slot for text in ctx.ref.texts for slot in _slots(text).get(target.key, ())]

    def placed(position: int) -> int:
        here = around.get(position, set())
        return max((len(here & slot) for slot in slots), default=0)

    term = max((placed(w.position) for w in words if w.key == target.key), default=0)
    return placed(token.position) > term


def contrast_term(ctx: Context) -> str | None:
    """A look-alike for a different concept in place of the card's term (L1 for L2 is a number,
    handled above): 'Xavier' for 'Kaiming', 'meiosis' for 'mitosis', 'hyper-' for 'hypo-',
    'output' for 'input'. It counts in place of the term: the term is missing and the response is
    otherwise aimed at the statement. Both named at once is a guess; a negated mention is fine
    unless the reference denies the term the same way."""
    response = ctx.response
    if not any(_may_contrast(t) for t in response.content):
        return None
    short = len(response.content) <= SHORT_RESPONSE_WORDS
    statements = _statements(ctx)
    negated = _negated_keys(ctx.ref.texts)
    for clause in response.clauses:
        clause_negated = any(t.negation for t in clause)
        if clause_negated and not negated:
            continue
        for token in _content(clause):
            if not _may_contrast(token):
                continue
            for keys, targets in statements:
                if token.key in keys:
                    continue
                for target in targets:
                    # A term the reference denies may be swapped in a plain statement ('L1 pushes
                    # weights to zero' for 'L2 does not'), not in one denied the same way.
                    if target.key in negated and not clause_negated:
                        continue
                    signed = contrast_of(target, token)
                    if not signed and token.key not in PLACED_PARTNERS.get(target.key, ()):
                        continue
                    if (target.key in response.keys or clause_negated) and _undone(target, token):
                        # 'lock/unlock' names an action and its reverse, no guess; 'aren't
                        # defined' says 'undefined'.
                        continue
                    if ctx.ref.comparisons and {target.surface, token.surface} <= COMPARATIVES:
                        # 'the output is smaller' says 'the input is larger than the output':
                        # which way a comparison goes is the direction guard's to read.
                        continue
                    if (
                        target.key in response.keys
                        and signed
                        and (short or _offered_against(response, token.key, target.key))
                    ):
                        return GUESSES
                    if (target.key in response.keys or not signed) and not _in_its_place(
                        token, target, ctx
                    ):
                        continue
                    expected = display(target.surface, ctx.ref.card.answer, *ctx.ref.card.accept)
                    given = display(token.surface, response.raw)
                    return f"Not quite: “{given}” is not “{expected}”."
    return None


_OFFER_WORD = re.compile(r"\s*(?:\b(?:or|vs|versus)\b|/)\s*")
_CLAIM_BREAK = re.compile(r"[,;:.!?()\n]|\b(?:or|vs|versus)\b|/")


def _offered_against(response: Response, a: str, b: str) -> bool:
    """Two words on either side of one 'or' (or slash): 'reduce or increase', 'more / fewer
    parameters'. Opposite words in separate claims ('stops gradients from vanishing or exploding,
    makes training more stable and less dependent on init') are no alternatives."""
    text = response.simplified
    for offer in _OFFER_WORD.finditer(text):
        # The nearest claim on each side: 'reduce, or maybe increase,' and 'reduce (or increase?)'
        # set the offer off with commas or brackets.
        before = next(
            (p for p in reversed(_CLAIM_BREAK.split(text[: offer.start()])) if p.strip()), ""
        )
        after = next((p for p in _CLAIM_BREAK.split(text[offer.end() :]) if p.strip()), "")
        left = {t.key for t in tokenize(before)}
        right = {t.key for t in tokenize(after)}
        if (a in left and b in right) or (b in left and a in right):
            return True
    return False


# --- negation -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Clause:
    keys: frozenset[str]
    first: str | None
    strong: bool
    toned: bool
    """Negative in tone at all: a plain 'not', or 'barely', 'fails', 'unseen', 'non-...'."""
    denied: frozenset[str] = frozenset()
    """The keys after the clause's first 'not' (or 'no', 'never'): what it denies; all of the
    clause's when nothing follows ('b and c do not')."""
    weakened: bool = False
    """Said to hold badly or hardly at all ('works poorly', 'barely changes'), without a 'not'."""


_WEAKENING = WEAK_NEGATIVES - {
    "only",
    "instead",
    "non",
    "avoid",
    "prevent",
    "stop",
    "less",
    "few",
    "little",
}
"""Tone words that say a thing holds badly or hardly ('poorly', 'barely', 'fails'), as opposed to
those that narrow it ('only'), say it is kept away ('prevent') or compare ('less', 'few')."""


def _is_negative_word(token: Token) -> bool:
    if token.surface in WEAK_NEGATIVES:
        return True
    word = token.surface
    return word.startswith(("un", "non")) and _is_word(word[3 if word.startswith("non") else 2 :])


def _is_word(text: str) -> bool:
    return len(text) >= 4 and is_real_word(text)


def _clause_view(tokens: Sequence[Token], spelled: dict[str, str] | None = None) -> _Clause | None:
    content = [t for t in tokens if not t.stop and not t.negation and not t.hedge]
    if not content:
        return None
    strong = any(t.negation for t in tokens)
    toned = strong or any(_is_negative_word(t) for t in tokens)
    keys = [t.key for t in content if t.surface not in WEAK_NEGATIVES]
    denied: list[str] = []
    if strong:
        start = next(t.position for t in tokens if t.negation)
        denied = [t.key for t in content if t.position > start and t.surface not in WEAK_NEGATIVES]
        # Nothing after it ('bulbs b and c do not'): it denies what the clause says.
        denied = denied or keys
    if spelled:
        keys = [spelled.get(key, key) for key in keys]
        denied = [spelled.get(key, key) for key in denied]
    weakened = not strong and any(t.surface in _WEAKENING for t in tokens)
    return _Clause(frozenset(keys), content[0].key, strong, toned, frozenset(denied), weakened)


def _spelled(ref: Reference, response: Response) -> dict[str, str]:
    """Each misspelt response word's reference word ('seperated' for 'separated'), so that a
    clause says the reference's words however they are spelt."""
    found: dict[str, str] = {}
    for candidate in ref.candidates:
        for target in candidate.tokens:
            match = response.match(target)
            if match is not None and match.typo:
                found.setdefault(response.tokens[match.response_index].key, target.key)
    return found


_ASIDE = re.compile(r"\s\([^()]*\)")


_LABEL = re.compile(r"^(\s*(?:[^\s:]+\s+){0,3}[^\s:]+):\s+", re.MULTILINE)
"""A line's label, up to four words before a colon: 'padding='valid': no padding'."""


@lru_cache(maxsize=8192)
def _reference_clauses(text: str) -> tuple[_Clause, ...]:
    """The clauses of a reference text; asides in brackets ('(bacteria)') are left out, so they
    do not split 'prokaryotic cells (bacteria) have neither', and a line's label joins the clause
    it heads ('valid' says nothing alone; 'valid: no padding' denies padding to valid)."""
    text = _LABEL.sub(r"\1 ", _ASIDE.sub(" ", text))
    return tuple(c for tokens in clauses(simplify(text)) if (c := _clause_view(tokens)))


def _alignment(ours: _Clause, theirs: _Clause, given: frozenset[str] = frozenset()) -> float:
    """1.0 for a clause that contains a reference clause (with at most CONTAINED_SLACK more
    words), or one that says it without the words the question gives: 'there is a gap'
    restates 'there is no gap between the terminals' when the question asks about terminals."""
    if (
        theirs.keys
        and theirs.keys <= ours.keys
        and len(ours.keys) <= len(theirs.keys) + CONTAINED_SLACK
    ):
        return 1.0
    if ours.keys and ours.keys < theirs.keys and theirs.keys - ours.keys <= given:
        return 1.0
    return _overlap(ours, theirs)


def _overlap(a: _Clause, b: _Clause) -> float:
    """Share of the longer clause's words that both clauses say: 1.0 for a restatement (0 when
    they share fewer than two words, unless one has only one)."""
    shared = len(a.keys & b.keys)
    if shared == 0 or (shared < 2 and min(len(a.keys), len(b.keys)) > 1):
        return 0.0
    return shared / max(len(a.keys), len(b.keys))


ALIGNED_AT = 0.75
CONTAINED_SLACK = 2
"""A short reference clause ('may not converge') is restated by a response clause that contains
all its words and at most this many more."""
"""Overlap from which a response clause is taken to restate a reference clause."""


def negation(ctx: Context) -> str | None:
    """A clause that says the opposite of the reference clause it restates: 'works well with ReLU'
    for 'doesn't work well with ReLU'. Each response clause is held against the reference clauses
    it overlaps most (over the answer and every accepted form); it contradicts only if none of
    them agrees. A negative tone on the other side ('barely', 'fails', 'non-overlapping') is no
    contradiction."""
    if ctx.coverage < RELEVANT_AT and not _aimed(ctx.evidence):
        return None
    if _denied_whole(ctx):
        return _NEGATION_FEEDBACK
    if (
        not _states_a_negation(ctx.ref.texts)
        and not _weakens(ctx.ref.texts)
        and not any(t.negation for t in ctx.response.tokens)
    ):
        # Every reading below needs a 'not' (or a 'poorly') on one side or the other.
        return None
    given = ctx.ref.question_keys | ctx.ref.question_numbers
    reference = [c for text in ctx.ref.texts for c in _stating_clauses(text, given)]
    said = frozenset(key for c in reference for key in c.keys)
    spelled = _spelled(ctx.ref, ctx.response)
    response_clauses = [
        c for tokens in ctx.response.clauses if (c := _clause_view(tokens, spelled))
    ]
    views = response_clauses
    if _split_a_phrase(response_clauses, ctx.response) and not any(
        _restates(ours, reference) for ours in response_clauses
    ):
        # 'There is a gap between the bulb and the battery terminal': 'and' joined two nouns, not
        # two statements, and the split hides what the whole says.
        views = [whole] if (whole := _clause_view(ctx.response.tokens, spelled)) else []
    # A one-statement response may leave out what the question gives; a clause of a longer one
    # may be a piece of a phrase ('bulb A and B').
    implied = given if len(views) == 1 else frozenset()
    for ours in views:
        closest = _closest(ours, reference, implied)
        if ctx.ref.contrastive and closest and all(c.keys <= given for c in closest):
            # 'cross-correlation does not' names only a subject of the difference asked about:
            # what it denies is the other clause's, read by subject below.
            continue
        if (
            ctx.ref.contrastive
            and ours.first in given
            and all(ours.first not in c.keys for c in closest)
        ):
            # 'processes don't share memory' against '... threads share its memory': denied of
            # the other subject, which is the difference itself.
            continue
        if closest and all(_flipped(ours, theirs, said) for theirs in closest):
            return _NEGATION_FEEDBACK
    if any(_denies_a_thing(tokens, reference) for tokens in ctx.response.clauses):
        return _NEGATION_FEEDBACK
    statements = tuple(c.text for c in ctx.ref.candidates)
    subjects = ctx.ref.question_keys | ctx.ref.question_numbers
    if ctx.ref.contrastive and _subject_polarity_flipped(statements, subjects, response_clauses):
        return _NEGATION_FEEDBACK
    if not ctx.ref.contrastive and _polarity_lost(ctx.ref.texts, response_clauses, given):
        return _NEGATION_FEEDBACK
    if ctx.ref.contrastive and _unnamed_subjects(statements, subjects, ctx.response):
        return "Say which one: the card asks how they differ."
    return None


_LEADING_NOT = re.compile(r"^\W*not\b[\s,;:]*")
"""'not' and the marks that set it off: not a sign or bracket the form opens with ('not, -273 °C')."""
_TRAILING_MARKS = re.compile(r"[\W_]+$")


def _bare(text: str) -> str:
    """A text as compared for a denial: simplified, without the marks around it."""
    return " ".join(_TRAILING_MARKS.sub("", simplify(text)).split())


def _denied_whole(ctx: Context) -> bool:
    """'not to prevent overfitting', 'Not batch, height and width.': 'not' before one of the card's
    own forms, however it is typed around it. A correction ('not joule but newton', 'not Xavier,
    Kaiming initialization') or a restatement of what the card denies ('not suited for ReLU')
    says more than the form."""
    tokens = ctx.response.tokens
    if not tokens or tokens[0].surface != "not":
        return False
    rest = _LEADING_NOT.sub("", ctx.response.simplified, count=1)
    said = {_bare(rest), _bare(unframed(rest))} - {""}
    # As typed, and without a frame: a form may open like one ('It is the condition ...').
    return any(_bare(text) in said for _, text in ctx.ref.exact_forms)


_DENYING_A_THING = frozenset({"no", "without"})


def _denies_a_thing(tokens: Sequence[Token], reference: Sequence[_Clause]) -> bool:
    """'no neural networks' where the answer is about training neural networks: a clause that
    says there is none of what (two or more words) one reference clause affirms and none denies.
    A denied verb ('white does not absorb heat') is left to the clause-by-clause reading, which
    knows comparisons and contraries."""
    negations = [t for t in tokens if t.negation]
    if not negations or any(t.surface not in _DENYING_A_THING for t in negations):
        return False
    keys = {t.key for t in _content(tokens)}
    if len(keys) < 2 or any(theirs.toned and keys & theirs.keys for theirs in reference):
        return False
    return any(keys <= theirs.keys and not _counts_none(theirs) for theirs in reference)


def _counts_none(clause: _Clause) -> bool:
    """A clause that counts zero of a thing ('the boat with 0 marbles') says what 'no marbles'
    says: a denial in a number."""
    return "0" in clause.keys


WHOLE_RESPONSE_WORDS = 10
FRAGMENT_WORDS = 2


def _split_a_phrase(found: Sequence[_Clause], response: Response) -> bool:
    """A short response whose split left a piece of a phrase: a clause of at most FRAGMENT_WORDS
    words with no negation ('the bulb' of 'a gap between the bulb and the battery terminal'), so
    it is read whole when no clause of it restates the reference. 'White does not' is a
    statement of its own."""
    return (
        len(found) > 1
        and len(response.content) <= WHOLE_RESPONSE_WORDS
        and any(len(c.keys) <= FRAGMENT_WORDS and not c.toned for c in found)
    )


def _stating_clauses(text: str, given: frozenset[str]) -> list[_Clause]:
    """A text's clauses but the fragments that only name the question's topic: 'Terminal 1',
    which 'and' split off 'Terminal 1 and the positive terminal are not connected', states
    nothing a response could agree with."""
    found = _reference_clauses(text)
    if len(found) < 2:
        return list(found)
    return [c for c in found if c.strong or not c.keys <= given]


def _closest(ours: _Clause, reference: Sequence[_Clause], given: frozenset[str]) -> list[_Clause]:
    """The reference clauses a response clause restates: the best aligned ones, from
    ALIGNED_AT."""
    scored = [(_alignment(ours, theirs, given), theirs) for theirs in reference]
    top = max((score for score, _ in scored), default=0.0)
    if top < ALIGNED_AT:
        return []
    return [theirs for score, theirs in scored if score == top]


def _restates(ours: _Clause, reference: Sequence[_Clause]) -> bool:
    return any(_alignment(ours, theirs) >= ALIGNED_AT for theirs in reference)


def _flipped(ours: _Clause, theirs: _Clause, said: frozenset[str]) -> bool:
    """One clause negated where the other is not, unless it denies a word whose signed contrary
    the other clause says: 'not the same number' is 'a different number'. A response's negation
    must deny something the reference says (`said`, the keys of all its clauses): 'stops the
    recursion so it does not go on forever' denies going on forever, which no clause speaks of."""
    if theirs.weakened and not ours.weakened and not ours.strong and theirs.keys <= ours.keys:
        # 'it only works when the tasks differ' for 'it works poorly when the tasks differ': the
        # same statement without its 'poorly' ('struggles when the tasks differ' is another).
        return True
    if theirs.strong and not ours.toned:
        negated, plain = theirs, ours
    elif ours.strong and not theirs.toned:
        negated, plain = ours, theirs
        if not ours.denied & said or _counts_none(plain):
            # Denying what the reference does not say, or 'no marbles' for '0 marbles'.
            return False
    else:
        return False
    contraries = plain.keys - negated.keys
    return not any(CONTRAST_PARTNERS.get(key, frozenset()) & contraries for key in negated.keys)


@lru_cache(maxsize=8192)
def _weakens(texts: tuple[str, ...]) -> bool:
    return any(c.weakened for text in texts for c in _reference_clauses(text))


@lru_cache(maxsize=8192)
def _states_a_negation(texts: tuple[str, ...]) -> bool:
    return any(c.strong for text in texts for c in _reference_clauses(text))


FUNCTION_WORD_ZIPF = 6.0
"""Words this common ('if', 'when', 'it') say nothing of their own."""


def _polarity_lost(
    texts: Sequence[str], response: Sequence[_Clause], given: frozenset[str]
) -> bool:
    """Embeddings and word overlap barely see 'not': when every form of the answer is a negative
    statement and the response says nothing negative at all, it says the opposite ('it is designed
    for ReLU' for 'it doesn't work well with ReLU'). Only a response that speaks of what a denying
    clause says (two of its words, or one beyond the question's): a sentence that denies in passing
    ('so that changes do not break existing code') is not contradicted by one about the rest."""
    if not texts or any(c.toned for c in response):
        return False
    negated = []
    for text in texts:
        found = [c for c in _reference_clauses(text) if c.strong]
        if not found:
            return False
        negated.extend(found)
    said = frozenset().union(*(c.keys for c in response)) if response else frozenset()
    if any(
        CONTRAST_PARTNERS.get(key, frozenset()) & said and key not in said
        for c in negated
        for key in c.denied
    ):
        # 'different materials' for 'not the same for all materials': the denial, said with the
        # denied word's contrary.
        return False
    # The response must say something only a denying clause says: 'if it is iron it will stick'
    # speaks of the plain side of 'if the key sticks, it is iron; if it does not stick, it is
    # aluminum', 'valid pads the input' of valid's 'no padding'.
    plain = frozenset().union(
        *(c.keys for text in texts for c in _reference_clauses(text) if not c.toned)
    )
    return any(
        (len(shared := c.keys & said) >= 2 or bool(shared - given))
        and any(zipf(key) < FUNCTION_WORD_ZIPF for key in shared - plain)
        for c in negated
    )


def _unnamed_subjects(texts: Sequence[str], subjects: frozenset[str], response: Response) -> bool:
    """'Both flip the kernel', 'one of them does': a difference question answered without naming
    either of the things that differ."""
    for text in texts:
        named = {c.first for c in _reference_clauses(text) if c.first in subjects}
        polarities = {c.strong for c in _reference_clauses(text) if c.first in named}
        if len(named) >= 2 and len(polarities) == 2 and not _names_one_of(named, response):
            return True
    return False


SAME_FAMILY_PREFIX = 6


def _names_one_of(subjects: set[str], response: Response) -> bool:
    """The response names one of the subjects, in any form of the word ('eukaryotes' for
    'eukaryotic'): one key starts the other and they share at least SAME_FAMILY_PREFIX letters."""
    for key in response.keys:
        for subject in subjects:
            shorter, longer = sorted((key, subject), key=len)
            if key == subject or (
                len(shorter) >= SAME_FAMILY_PREFIX and longer.startswith(shorter)
            ):
                return True
    return False


_NEGATION_FEEDBACK = "Careful with the negation: compare your answer with the reference."


def _subject_polarity_flipped(
    texts: Sequence[str], subjects: frozenset[str], response: Sequence[_Clause]
) -> bool:
    """'A does X, B does not': a response that negates A or affirms B has them the wrong way round.
    Only for statements about the subjects the question names ('cross-correlation and
    convolution'), whose clauses differ in polarity by subject."""
    for text in texts:
        said: dict[str, _Clause] = {}
        for clause in _reference_clauses(text):
            if clause.first in subjects:
                said.setdefault(clause.first, clause)
        if len(said) < 2 or len({c.strong for c in said.values()}) < 2:
            continue
        predicate = frozenset().union(*(c.keys for c in said.values())) - subjects
        for ours in response:
            theirs = said.get(ours.first) if ours.first is not None else None
            if (
                theirs is None
                or ours.strong == theirs.strong
                or not (ours.strong or not ours.toned)
            ):
                continue
            if _says_the_predicate(ours, subjects, predicate):
                return True
    return False


def _says_the_predicate(ours: _Clause, subjects: frozenset[str], predicate: frozenset[str]) -> bool:
    """A response clause about a subject says what the card says of the subjects ('flips the
    kernel') when it says no more than the subject ('cross-correlation does') or half of those
    words; 'cross-correlation uses it as it is' says something else of its own."""
    if not ours.keys - subjects - _ELLIPSIS:
        return True
    needed = max(1, -(-len(predicate) // 2))
    return len(ours.keys & predicate) >= needed


_ELLIPSIS = frozenset({"too", "also", "either"})


# --- who does what, and which way ---------------------------------------------------------------


def _roles_swapped(roles: tuple[tuple[str, frozenset[str]], ...], response: Response) -> bool:
    """In 'A does X, B does Y', a response clause about A must not say more of Y than of X."""
    table = dict(roles)
    for clause in response.clause_words:
        if clause.negated:
            continue
        keys = clause.keys
        named = [subject for subject in table if subject in keys]
        if len(named) != 1:
            continue
        own = len(table[named[0]] & keys)
        other = max(len(words & keys) for subject, words in table.items() if subject != named[0])
        if own == 0 and other >= (1 if len(keys) <= 4 else 2):
            return True
    return False


_CONSEQUENCE = frozenset({"so", "because", "since", "therefore", "thus", "hence"})


def _bindings_swapped(bindings: tuple[frozenset[str], ...], response: Response) -> bool:
    """Two response clauses that each pair the words of the same two reference clauses, with no
    word in common: 'same neutrons' and 'different protons' for 'same protons, different
    neutrons'. A restatement that merges two clauses ('the short string has a higher pitch')
    shares words between its clauses and is not a swap."""
    seen: dict[tuple[int, int], list[tuple[frozenset[str], frozenset[str]]]] = {}
    for clause, words in zip(response.clauses, response.clause_words, strict=True):
        if words.negated or clause[0].surface in _CONSEQUENCE:
            # A consequence ('so fewer parameters to update') is no statement paired with
            # another; only statements side by side can swap.
            continue
        keys = words.keys
        hit = [i for i, words in enumerate(bindings) if words & keys]
        if len(hit) != 2:
            continue
        i, j = hit
        here = (bindings[i] & keys, bindings[j] & keys)
        for first, second in seen.get((i, j), []):
            if not first & here[0] and not second & here[1]:
                return True
        seen.setdefault((i, j), []).append(here)
    return False


_Pairing = frozenset[tuple[str, str]]


@lru_cache(maxsize=4096)
def _noun_pairs(text: str) -> tuple[tuple[frozenset[str], _Pairing, _Pairing], ...]:
    """(words only the first says, each word only the second says before a shared word, each
    word only the first says before a shared word) for each ordered pair of a statement's clauses
    that share a word; 'only' is against every other clause."""
    statement = affirmed_clauses(text)
    found = []
    for i, j in itertools.permutations(range(len(statement)), 2):
        first, second = statement[i], statement[j]
        shared = first & second
        if not shared:
            continue
        others = frozenset().union(*(w for k, w in enumerate(statement) if k not in (i, j)))
        only_first, only_second = first - second - others, second - first - others
        found.append(
            (
                only_first,
                frozenset(itertools.product(only_second, shared)),
                frozenset(itertools.product(only_first, shared)),
            )
        )
    return tuple(found)


def _crossed(texts: Sequence[str], response: Response) -> bool:
    """One noun in two roles, swapped: 'freeze the final layers and retrain the pretrained ones'
    for 'freeze the pretrained layers and update the final ones'. Two reference clauses share a
    noun (layers), each with a modifier right before it that no other clause says (pretrained,
    final); a response clause puts the second's modifier on the noun beside a word only the first
    says (freeze), while another clause puts the first's modifier on the noun and names nothing
    of the second."""
    pairs = [pair for text in texts for pair in _noun_pairs(text)]
    if not pairs:
        return False
    said = [
        (clause.keys, _modifiers(clause.words))
        for clause in response.clause_words
        if not clause.negated
    ]
    if len(said) < 2:
        return False
    for only_first, second_on_shared, first_on_shared in pairs:
        only_second = {m for m, _ in second_on_shared}
        for (joined, joined_on), (rest, rest_on) in itertools.permutations(said, 2):
            moved = joined & only_first
            if (
                moved
                and not rest & moved
                and not rest & only_second
                and not joined_on.isdisjoint(second_on_shared)
                and not rest_on.isdisjoint(first_on_shared)
            ):
                return True
    return False


def _modifiers(content: Sequence[Token]) -> frozenset[tuple[str, str]]:
    """(word, the word right after it) for a clause's content words: 'final layers'."""
    return frozenset((a.key, b.key) for a, b in itertools.pairwise(content))


_DEGREE_SUFFIXES = (("est", (3, 2, 4)), ("er", (2, 1, 3)))


@lru_cache(maxsize=16384)
def _positive(surface: str) -> str:
    """'larger' and 'largest' to 'large', 'smaller' to 'small': comparatives pair as their
    positive does ('small' / 'large'). A word that is no comparative stays as it is."""
    for suffix, cuts in _DEGREE_SUFFIXES:
        if surface.endswith(suffix) and len(surface) > len(suffix) + 2:
            for cut in cuts:
                if (base := surface[:-cut]) and is_real_word(base) and zipf(base) >= zipf(surface):
                    return base
    return surface


def _opposed(a: Token, b: Token) -> bool:
    return canonical(_positive(b.surface)) in CONTRAST_PARTNERS.get(
        canonical(_positive(a.surface)), frozenset()
    )


def _modified(tokens: Sequence[Token]) -> list[tuple[Token, Token]]:
    """Each (modifier, the word it modifies) among a text's content words, in order."""
    content = [t for t in tokens if not t.stop and not t.numeric]
    return list(itertools.pairwise(content))


@lru_cache(maxsize=4096)
def _opposed_modifiers(text: str) -> tuple[tuple[str, str, str, str], ...]:
    """Pairs of opposite modifiers on different words in one statement: ('small', 'label',
    'large', 'unlabel') for 'a small labeled set alongside a larger unlabeled one'."""
    pairs = _modified(tokenize(simplify(text)))
    found = []
    for (m1, n1), (m2, n2) in itertools.combinations(pairs, 2):
        if n1.key != n2.key and _opposed(m1, m2) and {n1.key, n2.key}.isdisjoint({m1.key, m2.key}):
            found.append(
                (canonical(_positive(m1.surface)), n1.key, canonical(_positive(m2.surface)), n2.key)
            )
    return tuple(found)


def _modifiers_swapped(texts: Sequence[str], response: Response) -> bool:
    """'a large labeled set and a small unlabeled one' for 'a small labeled set and a larger
    unlabeled one': each opposite modifier on the other one's word."""
    opposed = [four for text in texts for four in _opposed_modifiers(text)]
    if not opposed:
        return False
    said = {(canonical(_positive(m.surface)), n.key) for m, n in _modified(response.tokens)}
    return any(
        (m1, n2) in said and (m2, n1) in said and (m1, n1) not in said for m1, n1, m2, n2 in opposed
    )


_INTO = re.compile(r"\b(?:(?P<from>from)\s+(?P<a>.+?)\s+to|(?P<b>.+?)\s+into)\s+(?P<c>.+)$")
CHANGE_SIDE_WORDS = 2


@lru_cache(maxsize=4096)
def _changes(text: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """What each clause turns into what: ('source code', 'machine code') for 'translates source
    code into machine code' or 'from source code to machine code', as the words only each side
    says (up to two content words beside the turn)."""
    found = []
    for part in re.split(r"[,;.]", simplify(text)):
        m = _INTO.search(part)
        if m is None:
            continue
        before = _content(tokenize(m.group("a") or m.group("b")))[-CHANGE_SIDE_WORDS:]
        after = _content(tokenize(m.group("c")))[:CHANGE_SIDE_WORDS]
        a, b = {t.key for t in before}, {t.key for t in after}
        if a - b and b - a:
            found.append((frozenset(a - b), frozenset(b - a)))
    return tuple(found)


def _turned_round(texts: Sequence[str], response: Response) -> bool:
    changes = [change for text in texts for change in _changes(text)]
    if not changes:
        return False
    said = _changes(response.raw)
    return any(
        ours_a & b and ours_b & a and not ours_a & a for a, b in changes for ours_a, ours_b in said
    )


_LIST_MARK = re.compile(r"^(?:[-•*]+|\(?\d+[.)])\s*")
"""A line's list marker ('- ', '• ', '2. ', '(3)'), no part of its label."""


class _Line(NamedTuple):
    words: frozenset[str]
    """The words only this line says, labels left out."""
    label_words: frozenset[str]
    """The label's words that no other label has ('valid' of "padding='valid'"; 'max' of 'Max
    pooling'; 'hyperparamet' and 'optimiz' of 'Hyperparameter optimization')."""
    head: str
    """The label as the deck wrote it."""
    label_order: tuple[str, ...]
    """The label's keys in the order it says them."""


@lru_cache(maxsize=4096)
def _labelled_lines(body: str) -> tuple[_Line, ...]:
    """Each line of a labelled answer ('padding='same': pads the input ...') with the words of
    its label no other label has. Empty unless every line carries a label, two lines or more,
    and each label has a word of its own: sub-points under headings ('Drawback: ...') are no
    options to name."""
    found = []
    for line in body.splitlines():
        head, colon, rest = line.strip().partition(":")
        if not head or (colon and not rest.strip()):
            continue  # a blank line, or one that introduces the rest ('There are two kinds:')
        head = _LIST_MARK.sub("", head)
        label_words = _content(tokenize(simplify(head)))
        if not colon or not label_words or len(label_words) > 3:
            return ()
        found.append(
            (
                head.strip(),
                [t.key for t in label_words],
                {t.key for t in _content(tokenize(simplify(rest)))},
            )
        )
    if len(found) < 2:
        return ()
    every_label = set().union(*(keys for _, keys, _ in found))
    lines = []
    for i, (head, keys, words) in enumerate(found):
        others = [other for j, other in enumerate(found) if j != i]
        own_label = set(keys) - set().union(*(k for _, k, _ in others))
        if not own_label:
            return ()
        own_words = words - every_label - set().union(*(w for _, _, w in others))
        lines.append(_Line(frozenset(own_words), frozenset(own_label), head, tuple(keys)))
    return tuple(lines)


def _labelled_lines_swapped(body: str, response: Response) -> bool:
    """A clause led by one line's label that says only what another line says: 'valid pads the
    input to keep the output the same size' for 'valid: no padding ...; same: pads the input
    ...'."""
    lines = _labelled_lines(body)
    if not lines:
        return False
    for clause in response.clauses:
        content = _content(clause)
        led = [line for line in lines if content and content[0].key in line.label_words]
        if not led:
            continue
        said = {t.key for t in content[1:]}
        if led[0].words & said:
            continue
        if any(line.words & said for line in lines if line is not led[0]):
            return True
    return False


@lru_cache(maxsize=4096)
def _paired_options(text: str) -> tuple[tuple[str, str], ...]:
    """The options of a statement written 'small/large ... shrink/explode', matched in order:
    ('small', 'shrink') and ('large', 'explode') by key. Only for a text with two such pairs."""
    pairs = [
        tuple(canonical(word) for word in m.groups()) for m in SLASHED.finditer(simplify(text))
    ]
    if len(pairs) != 2:
        return ()
    (first, second), (first_then, second_then) = pairs
    return ((first, first_then), (second, second_then))


def _options_swapped(texts: Sequence[str], response: Response) -> bool:
    """A clause that pairs the first option of one slash pair with the second of the other:
    'very small ... the gradients explode' for 'very small/large ... shrink/explode'."""
    for text in texts:
        options = _paired_options(text)
        if not options:
            continue
        (first, first_then), (second, second_then) = options
        for clause in response.clauses:
            keys = {t.key for t in clause}
            if (first in keys and second_then in keys and first_then not in keys) or (
                second in keys and first_then in keys and second_then not in keys
            ):
                return True
    return False


def roles(ctx: Context) -> str | None:
    """'L2 drives weights to zero' for 'L1 drives weights to zero, L2 keeps them small';
    'freeze the final layers' for 'freeze the early layers and update the final ones'."""
    if (
        _modifiers_swapped(ctx.ref.texts, ctx.response)
        or _turned_round(ctx.ref.texts, ctx.response)
        or _crossed(ctx.ref.texts, ctx.response)
        or any(_bindings_swapped(b, ctx.response) for b in ctx.ref.bindings)
        or _labelled_lines_swapped(ctx.ref.body, ctx.response)
        or _options_swapped(ctx.ref.texts, ctx.response)
    ):
        # Both modifiers and both words they modify, both sides of a change, one noun in both
        # roles, or two clauses that each pair one clause's words with the other's: aimed at the
        # answer whatever the coverage.
        return _SWAPPED
    if ctx.coverage < ROLES_AT:
        return None
    best = ctx.evidence.best
    swapped = any(
        table and _roles_swapped(table, ctx.response)
        for table in (best.candidate.roles if best else (), ctx.ref.answer_roles)
    )
    return _SWAPPED if swapped else None


_SWAPPED = "You swapped them round: compare who does what with the reference."


_EQUAL = re.compile(r"\b(?:same|equal|identical|unchanged)\b")


_EQUATED = re.compile(
    r"\b(?:are|is|stay|stays|remain|remains|keeps?|have)\s+(?:the\s+)?(?:same|equal|identical)\b"
)
"""Two things said to be alike: 'are the same size', 'stays equal'."""


def _equates_compared(compared: frozenset[Comparison], response: Response) -> bool:
    """'the input and output are the same size' where the card says the input is larger: both
    sides of a comparison the card makes, said to be the same."""
    return _EQUATED.search(response.simplified) is not None and any(
        a in response.keys and b in response.keys for a, b, _ in compared
    )


def direction(ctx: Context) -> str | None:
    """'the input is larger than the output' for 'the output is larger than the input', and any
    'larger than' where the card says the sizes are the same."""
    stated = comparisons(ctx.response.simplified)
    if ctx.ref.comparisons:
        said = stated | completed(ctx.response.simplified, ctx.ref.comparisons)
        if contradicts(ctx.ref.comparisons, said):
            return "That's the wrong way round: compare your answer with the reference."
        if not said and _equates_compared(ctx.ref.comparisons, ctx.response):
            return "Not quite: the card says one is larger than the other, not the same."
    if not stated or ctx.ref.comparisons or ctx.coverage < RELEVANT_AT:
        return None
    if any(_EQUAL.search(text) for text in ctx.ref.simplified_texts):
        return "Not quite: the card says they are the same, not larger or smaller."
    return None


RESTATED_AT = 0.6


_ARTICLES = frozenset({"a", "an", "the"})


@lru_cache(maxsize=4096)
def _written_words(text: str) -> frozenset[str]:
    """A text's words as written, before abbreviations are expanded ('cnn' stays 'cnn'), articles
    aside. Stop words stay: 'He initialization' names a person."""
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in _ARTICLES)


def _question_as_written(ctx: Context) -> bool:
    """'CNN' for 'What does CNN stand for?': every word is the question's own as written, while
    the answer says what the question does not. A question offering a choice ('A or B?') is
    answered by its own words."""
    question = ctx.ref.card.question
    if " or " in question.casefold():
        return False
    said, asked = _written_words(ctx.response.raw), _written_words(question)
    if not said or not all(word.isalpha() for word in said):
        return False  # '2*x' for 'Derivative of x^2?' rearranges symbols; the formula guards judge
    return said <= asked and not _written_words(ctx.ref.body) <= asked


def restated_question(ctx: Context) -> str | None:
    """'Best initialization for ReLU-based networks' for that very question: the topic is right
    and the answer is missing, however similar it reads."""
    if (
        ctx.evidence.question_share >= RESTATED_AT and ctx.coverage < RELEVANT_AT
    ) or _question_as_written(ctx):
        return "That restates the question; give the answer."
    return None


GUARDS: tuple[Guard, ...] = (
    Guard("missing parts", missing_parts),
    Guard("question parts", unanswered_part),
    Guard("dropped word", dropped_word),
    Guard("guess list", guess_list),
    Guard("numbers", numbers),
    Guard("notation", notation),
    Guard("quantity", quantity),
    Guard("labels", labels),
    Guard("formula", formula),
    Guard("contrast term", contrast_term, weighs_semantic=True),
    Guard("negation", negation, weighs_semantic=True),
    Guard("roles", roles),
    Guard("direction", direction),
    Guard("restated question", restated_question),
)


def first_fired(ctx: Context, *, none_on_words: bool = False) -> tuple[str, str] | None:
    """(guard name, feedback) of the first guard that fires, in priority order. A response that
    states one of the card's formulas exactly has nothing left to veto.

    `none_on_words`: no guard fired on the same response's lexical evidence, so only the rules
    that weigh the semantic evidence can fire now, and only if it finds the response aimed at
    the answer (else they read what they read before)."""
    if ctx.evidence.formula_match:
        return None
    if none_on_words and not _aimed(ctx.evidence):
        return None
    for guard in GUARDS:
        if none_on_words and not guard.weighs_semantic:
            continue
        feedback = guard.rule(ctx)
        if feedback is not None:
            return guard.name, feedback
    return None


def fired(ctx: Context) -> list[tuple[str, str]]:
    """Every guard that fires, for explaining a verdict."""
    if ctx.evidence.formula_match:
        return []
    return [(g.name, f) for g in GUARDS if (f := g.rule(ctx)) is not None]
