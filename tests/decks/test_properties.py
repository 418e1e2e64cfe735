"""Whatever bytes arrive, every loader and importer returns a deck or raises DeckError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.decks import Deck, DeckError, loads_deck
from bot.decks.importers import ImportResult, import_bytes
from bot.decks.importers.delimited import import_delimited
from bot.decks.importers.paste import import_paste
from tests.decks.anki_files import (
    BASIC_MODEL_ID,
    CLOZE_MODEL_ID,
    OPTIONAL_REVERSED_MODEL_ID,
    REVERSED_MODEL_ID,
    build_apkg,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

line_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60
) | st.sampled_from(
    [
        "What is a CNN?",
        "- bullet",
        "Term",
        "= x",
        "#separator:tab",
        "#html:true",
        "1/46",
        "",
        "a\tb",
        "a;b;c",
        "q | a",
        "#notetype column:1",
        "#deck column:9",
        "#separator:Semicolon",
        '"quoted; field";x',
        r"\(\frac{a}{b}\) and \(x^{2",
        r"[$]\alpha_1[/$] [latex]\foo{x}[/latex]",
        "$x^2$ costs $5",
        "<img src='x.png'> <sub>2</sub>",
        "{{c1::\\(x\\)}} {{c2::y::hint}}",
        "TODO",
    ]
)
documents = st.lists(line_text, max_size=25).map("\n".join)
toml_like = st.lists(
    st.sampled_from(
        [
            'name = "d"',
            "[[cards]]",
            'question = "Q?"',
            'answer = "A"',
            "answer = 3",
            'accept = ["a", 1]',
            'id = "x"',
            'hint = ""',
            "tags = []",
            "cards = 1",
            '"""',
            "[cards]",
            "unknown = true",
        ]
    )
    | line_text,
    max_size=20,
).map("\n".join)


def check(outcome: object) -> None:
    assert isinstance(outcome, Deck | ImportResult)
    deck = outcome.deck if isinstance(outcome, ImportResult) else outcome
    assert deck.cards
    assert all(card.question and card.answer for card in deck.cards)


@FAST
@given(toml_like)
def test_toml_loader_never_raises_anything_else(text: str) -> None:
    try:
        check(loads_deck(text, path="fuzz.toml"))
    except DeckError as exc:
        assert exc.problems


@FAST
@given(documents)
def test_paste_importer_never_raises_anything_else(text: str) -> None:
    try:
        check(import_paste(text))
    except DeckError as exc:
        assert exc.problems


@FAST
@given(documents, st.sampled_from([None, "\t", ",", ";", "::"]))
def test_delimited_importer_never_raises_anything_else(text: str, separator: str | None) -> None:
    try:
        check(import_delimited(text, separator=separator))
    except DeckError as exc:
        assert exc.problems


@FAST
@given(st.binary(max_size=400), st.sampled_from(["x.apkg", "x.csv", "x.txt", "x.toml", "x"]))
def test_any_bytes_with_any_name(data: bytes, filename: str) -> None:
    try:
        check(import_bytes(data, filename))
    except DeckError as exc:
        assert exc.problems


def _flip_bytes(data: bytes, positions: list[int]) -> bytes:
    buffer = bytearray(data)
    for position in positions:
        buffer[position % len(buffer)] ^= 0xFF
    return bytes(buffer)


VALID_APKG = build_apkg(
    [
        (BASIC_MODEL_ID, "Q1?\x1fA1", "t"),
        (CLOZE_MODEL_ID, "{{c1::x}} y\x1f", ""),
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0), min_size=1, max_size=8))
def test_corrupted_apkg_is_a_deck_error_or_a_deck(positions: list[int]) -> None:
    try:
        check(import_bytes(_flip_bytes(VALID_APKG, positions), "corrupt.apkg"))
    except DeckError as exc:
        assert exc.problems


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [BASIC_MODEL_ID, CLOZE_MODEL_ID, REVERSED_MODEL_ID, OPTIONAL_REVERSED_MODEL_ID, 7]
            ),
            documents,
            line_text,
        ),
        max_size=5,
    ),
    st.booleans(),
    st.booleans(),
)
def test_arbitrary_apkg_notes(
    notes: list[tuple[int, str, str]], modern: bool, keep_media: bool
) -> None:
    try:
        check(import_bytes(build_apkg(notes, schema18=modern), "fuzz.apkg", keep_media=keep_media))
    except DeckError as exc:
        assert exc.problems


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), min_size=1, max_size=12))
def test_a_corrupted_collection_inside_a_good_zip_is_a_deck_error_or_a_deck(
    flips: list[tuple[int, int]],
) -> None:
    """Damage inside the SQLite file itself (types, ids, page headers), where zip's CRC does not
    look: ints stored as text, blobs for fields, broken pages."""
    from tests.decks.anki_files import _legacy_collection
    from tests.decks.hostile_files import _zipped

    collection = bytearray(
        _legacy_collection(
            [(BASIC_MODEL_ID, "Q1?\x1fA1", "t"), (CLOZE_MODEL_ID, "{{c1::x}}\x1f", "")], "D"
        )
    )
    for position, mask in flips:
        collection[position % len(collection)] ^= mask
    try:
        check(import_bytes(_zipped(bytes(collection)), "damaged.apkg"))
    except DeckError as exc:
        assert exc.problems
