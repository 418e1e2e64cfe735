"""Text to comparable tokens: case, accents, unicode forms, contractions, numbers, spelling variants,
abbreviations, light stemming and synonym classes.

Both the reference and the member's response go through the same pipeline, so every rule here makes
two spellings of one answer equal without making two different answers equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import alpha2digit

from bot.grading.lexicon import (
    ELABORATION_STARTS,
    EXPANSIONS,
    HEDGES,
    NEGATIONS,
    NUMBER_WORDS,
    STOPWORDS,
    SYNONYM_GROUPS,
)
from bot.grading.words import is_real_word, zipf

_QUOTES = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "´": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "−": "-",
        "–": "-",
        "—": " - ",
        "×": " x ",
        "✕": " x ",
        "·": " x ",
        "⋅": " x ",
        "∗": " x ",
        "*": " x ",
        "∑": "σ",
        "Σ": "σ",
        "≠": " != ",
        "→": " to ",
    }
)
_ARROW = re.compile(r"-+>|=>|⇒|⟶")
"""An arrow typed as '->' or '=>' reads as '→' does: 'to', no minus sign."""
_CONTRACTIONS = (
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'(re)\b"), " are"),
    (re.compile(r"'(ve)\b"), " have"),
    (re.compile(r"'(ll)\b"), " will"),
    (re.compile(r"'s\b"), ""),
    (re.compile(r"\bw/o\b"), " without "),
    (re.compile(r"\bw/(?=\s|$)"), " with "),
)
_GO_UP = re.compile(r"\b(?:go|goes|going|went|gone|shoot|shoots|goes back) up\b")
_GO_DOWN = re.compile(r"\b(?:go|goes|going|went|gone) down\b")
_SUM = re.compile(r"\bsum(?=[_\s(])")
_LESSER_TO_GREATER = {
    "smaller": "larger",
    "less": "more",
    "fewer": "more",
    "lower": "higher",
    "shorter": "longer",
    "narrower": "wider",
    "slower": "faster",
    "shallower": "deeper",
}
_SIZE_OF = r"(?:(?:the\s+)?size\s+of\s+(?:the\s+)?)"
_LESSER = re.compile(
    rf"\b(?P<pre_a>{_SIZE_OF})?(?P<a>[a-z0-9][a-z0-9-]*)\s+(?P<verb>(?:is|are|was|were|gets?|becomes?|stays?)\s+)?"
    r"(?P<adv>(?:much|slightly|even)\s+)?(?P<cmp>" + "|".join(_LESSER_TO_GREATER) + r")\s+than\s+"
    rf"(?P<det>(?:the|a|an|its)\s+)?(?P<pre_b>{_SIZE_OF})?(?P<b>[a-z0-9][a-z0-9-]*)\b"
)


def _orient(match: re.Match[str]) -> str:
    """'A is smaller than B' -> 'B is larger than A': one direction, so both phrasings match."""
    part = {name: value or "" for name, value in match.groupdict().items()}
    greater = _LESSER_TO_GREATER[part["cmp"]]
    return (
        f"{part['pre_b']}{part['b']} {part['verb']}{part['adv']}{greater} than "
        f"{part['det']}{part['pre_a']}{part['a']}"
    )


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_SPACED_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?: \d{3})+)(?![\d.])")
_POWER = re.compile(r"\b([a-z]|\d+)\s+(squared|cubed)\b")
_DERIVATIVE = re.compile(r"\bd([a-z])\s*/\s*d([a-z])\b")
_STOPS_CHANGING = re.compile(
    r"\b(?:stops|stopped|stopping|ceases|ceased)\s+"
    r"(?=(?:decreasing|increasing|falling|rising|dropping|improving|growing|shrinking|changing|"
    r"getting|going|moving|working|converging)\b)"
)
"""'the loss stops decreasing' says it no longer decreases: a negation of the change, as 'no
longer' is (not 'stop training', an instruction, nor 'stops the recursion')."""
_RARELY = re.compile(r"\b(?:almost|nearly) never\b|\bhardly (?:ever|any)\b")
_SPELLED_NUMBER = re.compile(
    r"\b(?:eleven|twelve|\w+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
    r"|thousand|million|\w+teenth|\w+tieth|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b"
)
_SPELLED_HINTS = (
    *("eleven", "twelve", "teen", "tieth", "hundred", "thousand", "million"),
    *("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"),
    *("third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"),
)
"""Letters every match of _SPELLED_NUMBER contains: looked for first, since the pattern itself
tries each word's every ending."""
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TENS_WORDS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_PAIR_PART = rf"(?:{_TEENS}|(?:{_TENS_WORDS})(?:[- ](?:{_UNITS}))?)"
_SPOKEN_YEAR = re.compile(
    rf"\b({_PAIR_PART})\s+(oh\s+(?:{_UNITS})|{_PAIR_PART})\b(?!\s*(?:-|hundred|thousand|million))"
)
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:\.\d+)?")
_SIGN = re.compile(r"(?:\b(?:minus|negative)\s+|-\s?)(?=\d)")
_DEGREES = re.compile(r"\s*°\s*([cfk]\b)?")
_DEGREE_UNITS = {"c": " degrees celsius", "f": " degrees fahrenheit", "k": " kelvin"}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b")
_ONE_OPERAND = re.compile(r"(\b(?:plus|minus|times|divided by)|[+×*/=])\s*one\b")
"""'one' as an operand ('divided by stride, plus one'); elsewhere it is mostly a pronoun, part of
a word ('no-one'), after a dash used as punctuation ('1945 - one year after D-Day') or after a
preposition ('better over one large kernel'), which text_to_num leaves alone."""
_TIMES_VARIABLE = re.compile(r"\b(\d+)\s+x\s+([a-z])\b(?!\s*[a-z(])")
_COEFFICIENT = re.compile(r"\b(\d+)\s+([a-z]\d?)\b(?!\s*[a-z(])")
_PRODUCT = re.compile(r"(\d)\s*(?:x|\*|by)\s*(?=\d)")
_GLUED_VARIABLES = re.compile(r"\b(\d+(?:x\d+)*)((?:x[a-z])+)\b")
"""A product typed without spaces that ends in variables ('7x7xcxc'): the same as '7x7 x c x c'."""
_TOKEN = re.compile(r"(?:(?<![a-z0-9σλη∂)])-(?=\d))?[a-z0-9σλη∂]+(?:\.[0-9]+)?(?:-[a-z0-9]+)*")
_CLAUSE_SPLIT = re.compile(r"[,;:.!?()\n]|\b(?:and|but|while|whereas|however|although|though)\b")
_STRETCH_SPLIT = re.compile(r"[,;\n]")
_ITEM_SPLIT = re.compile(r"[,;\n/&]|\b(?:or|and|vs|versus|nor)\b")
_HAS_WORD = re.compile(r"[^\W_]")
_DIGIT = re.compile(r"\d")
_INNER_QUOTE = re.compile(r'(?<=[a-z])"(?=(?:t|s|re|ve|ll|d|m)\b)')
"""A double quote inside a word is an apostrophe typed as one ('doesn"t', 'bulb c"s')."""
_GLUED_WORD = re.compile(r"\b(\d+)(?!st\b|nd\b|rd\b|th\b)([a-z]{2,})\b")


_LOG_BASE = re.compile(r"\blog_?(?:2|10)\s*(?=\(?\s*[a-z]\b)")
"""A logarithm's base before a variable ('log2 n', 'log_2(n)', 'log10 x'): in a complexity every
base is one. Before a number ('log2 8') it stays."""


def log_base_dropped(text: str) -> str:
    """Lower-cased text with each logarithm's base before a variable dropped (`_LOG_BASE`)."""
    return _LOG_BASE.sub("log ", text)


@lru_cache(maxsize=65536)
def simplify(text: str) -> str:
    """Unicode-, case- and accent-folded text with contractions expanded and numbers tidied."""
    text = text.translate(_QUOTES)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if ">" in text or "⇒" in text:
        text = _ARROW.sub(" to ", text)
    if '"' in text:
        text = _INNER_QUOTE.sub("'", text)
    if "'" in text or "/" in text:
        for pattern, replacement in _CONTRACTIONS:
            text = pattern.sub(replacement, text)
    if "sum" in text:
        text = _SUM.sub("σ", text)
    if " than " in text:
        text = _LESSER.sub(_orient, text)
    if " up" in text or " down" in text:
        text = _GO_UP.sub("increase", _GO_DOWN.sub("decrease", text))
    if "squared" in text or "cubed" in text:
        text = _POWER.sub(lambda m: m.group(1) + ("2" if m.group(2) == "squared" else "3"), text)
    if "/" in text:
        text = _DERIVATIVE.sub(r"∂\1/∂\2", text)
    if "stop" in text or "ceas" in text:
        text = _STOPS_CHANGING.sub("no longer ", text)
    if "never" in text or "hardly" in text:
        text = _RARELY.sub("rarely", text)
    if "°" in text:
        text = _DEGREES.sub(lambda m: _DEGREE_UNITS.get(m.group(1) or "", " degrees"), text)
    if any(hint in text for hint in _SPELLED_HINTS) and _SPELLED_NUMBER.search(text):
        text = _SPOKEN_YEAR.sub(_year, text)
        text = alpha2digit(text, "en")
    if any(word in text for word in NUMBER_WORDS):
        text = _NUMBER_WORD.sub(_number, text)
    if "one" in text:
        text = _ONE_OPERAND.sub(r"\1 1", text)
    if _DIGIT.search(text):
        text = _THOUSANDS.sub("", text)
        text = _ORDINAL.sub(r"\1", text)
        text = _SIGN.sub(_signed, text)
        text = _GLUED_VARIABLES.sub(lambda m: m.group(1) + m.group(2).replace("x", " x "), text)
        text = _GLUED_WORD.sub(r"\1 \2", text)
        text = _SPACED_THOUSANDS.sub(lambda m: m.group(0).replace(" ", ""), text)
        text = _PRODUCT.sub(r"\1x", text)
        text = _PRODUCT.sub(r"\1x", text)
        text = _COEFFICIENT.sub(r"\1\2", text)
        text = _TIMES_VARIABLE.sub(r"\1\2", text)
    return text.replace("^", "").replace("_", "")


def _number(match: re.Match[str]) -> str:
    return NUMBER_WORDS[match.group(0)]


def _year(match: re.Match[str]) -> str:
    """'nineteen forty-five' is 1945 and 'nineteen oh five' 1905: years are said in pairs."""
    high = alpha2digit(match.group(1), "en")
    low = alpha2digit(match.group(2).replace("oh", "").strip(), "en")
    if not (high.isdigit() and low.isdigit()):
        return match.group(0)
    return f"{int(high) * 100 + int(low)}"


_OPENING = re.compile(r"[([{]")


def _signed(match: re.Match[str]) -> str:
    """A minus sign (or 'minus', 'negative') before a number, glued to it, unless it follows an
    operand: '-273', 'minus 40' and 'x = -5' are negative numbers, 'n - 1' and 'n minus 1' a
    subtraction."""
    before = match.string[: match.start()].rstrip()
    last = _OPENING.split(before.rsplit(None, 1)[-1])[-1] if before else ""
    operand = last[-1:].isdigit() or last.endswith(")") or (len(last) == 1 and last.isalpha())
    if operand:
        return match.group(0)
    return "-"


_SPACES = re.compile(r"\s+")


def written_form(text: str) -> str:
    """A text as typed, for telling whether two are the same answer word for word: folded as
    `simplify` folds it, spacing collapsed, a final full stop or exclamation mark aside."""
    return _SPACES.sub(" ", simplify(text)).strip(" .!")


def has_content(text: str) -> bool:
    return bool(_HAS_WORD.search(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper; both sides use it, so it only needs to be consistent."""
    if len(word) <= 3 or not word.isalpha():
        return word
    once = _strip_suffixes(word)
    return _strip_suffixes(once) if once != word and once.endswith("ion") else once


def _strip_suffixes(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, replacement, minimum in (
        ("izations", "iz", 4),
        ("ization", "iz", 4),
        ("ations", "at", 4),
        ("ation", "at", 4),
        ("itions", "it", 4),
        ("ition", "it", 4),
        ("ional", "ion", 4),
        ("ions", "", 4),
        ("ion", "", 4),
        ("izing", "iz", 4),
        ("ized", "iz", 4),
        ("ize", "iz", 4),
        ("izers", "iz", 4),
        ("izer", "iz", 4),
        ("ing", "", 3),
        ("ed", "", 3),
        ("ly", "", 4),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= minimum:
            word = word[: -len(suffix)] + replacement
            if (
                suffix in {"ing", "ed"}
                and len(word) > 3
                and word[-1] == word[-2]
                and word[-1] not in "lsz"
            ):
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def _build_canon() -> dict[str, str]:
    canon: dict[str, str] = {}
    for group in SYNONYM_GROUPS:
        head = stem(group[0])
        for word in group:
            canon.setdefault(stem(word), head)
    return canon


_CANON = _build_canon()
_ISE = re.compile(r"^([a-z]{3,})is(e|es|ed|ing|ation|ations|er|ers)$")


def _us_spelling(word: str) -> str | None:
    """'normalisation' -> 'normalization' when that spelling is the more common one (wordfreq),
    so 'exercise' stays 'exercise'; a rare technical form is still caught as a one-letter typo."""
    match = _ISE.match(word)
    if match is None:
        return None
    us = f"{match.group(1)}iz{match.group(2)}"
    return us if is_real_word(us) and zipf(us) >= zipf(word) else None


def canonical(word: str) -> str:
    """The comparison key of a word: its stem, or the head of its synonym class."""
    stemmed = stem(word)
    return _CANON.get(stemmed, stemmed)


@dataclass(frozen=True, slots=True)
class Token:
    surface: str
    key: str
    numeric: bool
    stop: bool
    negation: bool
    hedge: bool
    position: int


_PREFIXES = frozenset({"pre", "re", "co", "non", "semi", "sub", "multi", "un", "post", "anti"})
"""Prefixes that are no words of their own: 'pre-trained' is 'pretrained', never 'pre trained'."""


_NUMBERED_NAME = re.compile(r"([a-z]{3,})(\d+)")
"""A name glued to its number ('conv1', 'resnet50') is the name and the number, as 'ResNet-50'
is; 'L1' and 'co2' are names of their own."""


def _spellings(raw: str) -> list[str]:
    """One raw token to the words it stands for (hyphens, abbreviations, number words, -ise)."""
    if _NEGATIVE_NUMBER.fullmatch(raw):
        return [raw]
    if "-" in raw:
        parts = [part for part in raw.split("-") if part]
        if len(parts) > 1 and all(part.isdigit() for part in parts):
            return parts  # a range ('3-5') or a subtraction, never one number
        if len(parts) == 2 and len(parts[0]) == 1 and parts[1].isdigit():
            return parts  # a symbol minus a number ('k-1'), never a word
        joined = raw.replace("-", "")
        prefixed = len(parts) == 2 and parts[0] in _PREFIXES
        if joined in EXPANSIONS or joined.isdigit() or prefixed or is_real_word(joined):
            raw = joined
        else:
            return [word for part in raw.split("-") if part for word in _spellings(part)]
    if raw in EXPANSIONS:
        return EXPANSIONS[raw].split()
    numbered = _NUMBERED_NAME.fullmatch(raw)
    if numbered and numbered.group(1) not in _PREFIXES:
        return [*_spellings(numbered.group(1)), numbered.group(2)]
    if raw in NUMBER_WORDS:
        return [NUMBER_WORDS[raw]]
    us = _us_spelling(raw)
    if us is not None:
        return [us]
    return [raw]


@lru_cache(maxsize=65536)
def _token_parts(raw: str) -> tuple[tuple[str, str, bool, bool, bool, bool], ...]:
    parts = []
    for word in _spellings(raw):
        numeric = any(ch.isdigit() for ch in word)
        parts.append(
            (
                word,
                word if numeric else canonical(word),
                numeric,
                word in STOPWORDS,
                word in NEGATIONS,
                word in HEDGES,
            )
        )
    return tuple(parts)


def tokenize(simplified: str) -> list[Token]:
    return list(_tokenize(simplified))


@lru_cache(maxsize=65536)
def _tokenize(simplified: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    for raw in _TOKEN.findall(simplified):
        for surface, key, numeric, stop, negation, hedge in _token_parts(raw):
            tokens.append(Token(surface, key, numeric, stop, negation, hedge, len(tokens)))
    return tuple(tokens)


def clauses(simplified: str) -> list[list[Token]]:
    """Tokens grouped by clause, for deciding what a negation applies to."""
    return [tokens for part in _CLAUSE_SPLIT.split(simplified) if (tokens := tokenize(part))]


def items(simplified: str) -> list[list[Token]]:
    """Tokens grouped by list item (commas, 'or', 'and', slashes), for spotting lists of guesses.
    What is said in brackets, or in a stretch that opens as an elaboration ('so one mean/var per
    channel'), lists nothing."""
    without_parens = re.sub(r"\([^()]*\)", " ", simplified)
    found: list[list[Token]] = []
    for stretch in _STRETCH_SPLIT.split(without_parens):
        words = stretch.split(maxsplit=1)
        if words and words[0] in ELABORATION_STARTS:
            continue
        found.extend(tokens for part in _ITEM_SPLIT.split(stretch) if (tokens := tokenize(part)))
    return found


_FORMULA_WORDS = {
    "sum": "σ",
    "lambda": "λ",
    "eta": "η",
    "partial": "∂",
    "times": "×",
    "plus": "+",
    "minus": "-",
    "equals": "=",
    "divided": "/",
    "in": "input",
    "out": "output",
    "lr": "η",
    "grad": "gradient",
}
_FILLER = frozenset({"size", "number", "the", "of", "total", "count", "value", "a", "an", "by"})
_FORMULA_TOKEN = re.compile(r"[a-z0-9σλη∂]+|[=+\-/<>!]")


_LEADING_FRAME = re.compile(
    r"^\s*(?:(?:i\s+(?:think|guess|believe)|i['’]m\s+pretty\s+sure)\s*,?\s*)?"
    r"(?:(?:it['’]s|it\s+is|that['’]?s|that\s+is|the\s+answer(?:\s+is)?)\s*:?\s+)?",
    re.IGNORECASE,
)
_DENIAL = re.compile(r"\s*not\b", re.IGNORECASE)
_TRAILING_FRAME = re.compile(
    r",?\s*\b(?:i\s+(?:think|guess|believe)|of\s+course)\W*\Z", re.IGNORECASE
)
FRAME_TAIL = 40
"""Characters at the end of a response read for a trailing frame: the pattern backtracks over a
long run of spaces, so it never sees more than this."""


def unframed(response: str) -> str:
    """A member's one answer without the words that frame it: 'I think it's 7', '7, I think',
    'the answer is W / K', 'the answer: 4', '4 of course'. The frame says how sure the member is,
    not what they answer; what it leaves must still say something ('it is' alone stays as
    written), and a frame before 'not' is part of the statement ('it's not suited for ReLU')."""
    inner = _LEADING_FRAME.sub("", response, count=1).rstrip()
    # One character more than the tail, so that a word cut at its start is no 'I'.
    tail = inner[-FRAME_TAIL - 1 :]
    found = _TRAILING_FRAME.search(tail)
    if found is not None and (found.start() > 0 or len(tail) == len(inner)):
        inner = inner[: len(inner) - len(tail) + found.start()]
    if not inner.strip() or _DENIAL.match(inner):
        return response  # 'it's not suited for ReLU' is a statement: its 'it's' stays
    return inner


PROSE_RUN = 4
"""Words (three letters or more, no function) in a row with no operator between them, right of
an '=' or between two operators: a sentence, not a term. Formulas name a term in a word or two
('learning rate', 'kernel size'); 'valid = no padding so the output shrinks, same = pad the
input' defines in prose. Words after a formula ('(n - k)/s + 1 when there is no padding') are
no side of it."""


def is_prose(symbols: Sequence[str]) -> bool:
    run, opened_by = 0, ""
    for symbol in (*symbols, None):
        if symbol is not None and symbol.isalpha():
            # Symbols ('s_j', 'x') and functions ('log') sit side by side in a formula too.
            run += len(symbol) >= PROSE_WORD and symbol not in _FUNCTION_NAMES
            continue
        closed = symbol is not None and symbol in OPERATOR_SIGNS
        if run >= PROSE_RUN and (opened_by == "=" or (opened_by and closed)):
            return True
        run, opened_by = 0, symbol if closed and symbol is not None else ""
    return False


OPERATOR_SIGNS = frozenset("=+-/×")
"""The operators of a formula as `formula_tokens` reads them."""
PROSE_WORD = 3
_FUNCTION_NAMES = frozenset({"log", "ln", "exp", "max", "min", "sqrt", "abs", "sum"})


def formula_tokens(simplified: str) -> list[str]:
    """A formula as a sequence of symbols and names, ignoring brackets, spacing and filler words."""
    text = simplified.replace("learning rate", "η").replace(" lr ", " η ")
    out: list[str] = []
    for raw in _FORMULA_TOKEN.findall(text):
        word = _FORMULA_WORDS.get(raw, raw)
        if word in _FILLER:
            continue
        if word.isalpha() and len(word) > 3:
            word = canonical(word)
        if word == "x" and out and out[-1] not in "=+-/":
            word = "×"
        out.append(word)
    return out
