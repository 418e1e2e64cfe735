"""Formulas compared as relations, not as strings: rearranged is the same, a changed term is not,
and nothing written is ever run."""

from __future__ import annotations

import pytest

from bot.grading.algebra import MAX_LENGTH, equivalent, is_formula, parse


@pytest.mark.parametrize(
    ("response", "reference", "same"),
    [
        ("a = F/m", "F = ma", True),
        ("I = V/R", "V = IR", True),
        ("R = V/I", "V = IR", True),
        ("m = E/c^2", "E = mc²", True),
        ("e = mc^2", "E = mc²", True),
        ("a = max(z, 0)", "a = max(0, z)", True),
        ("p = 2*(l+w)", "p = 2l + 2w", True),
        ("k^2 c_in c_out", "k² × c_in × c_out", True),
        ("(n-k)/s+1", "(n - k)/s + 1", True),
        ("F = ma", "F = ma", True),
        ("F = m/a", "F = ma", False),
        ("V = I/R", "V = IR", False),
        ("m = E/c", "E = mc²", False),
        ("a = max(z, 1)", "a = max(0, z)", False),
        ("F = ma + 1", "F = ma", False),
        ("(n+k)/s+1", "(n - k)/s + 1", False),
        ("x = x", "F = ma", False),
        ("L_i = -log(e^(s_j) / Σ_j e^(s_y))", "L_i = −log( e^(s_y) / Σ_j e^(s_j) )", False),
        ("L_i = -log(e^(s_y) / (Σ_j e^(s_j)))", "L_i = −log( e^(s_y) / Σ_j e^(s_j) )", True),
        ("E = hf / 2m", "E = h f / (2 m)", True),
        ("F = ma", "(n - k)/s + 1", False),
    ],
)
def test_equivalence(response: str, reference: str, same: bool) -> None:
    assert equivalent(response, reference) is same


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "a = b = c",
        "((((a",
        "x" * (MAX_LENGTH + 1),
        "9^9^9^9^9 = x",
        "lambda: 1",
    ],
)
def test_what_it_cannot_read_makes_no_claim(text: str) -> None:
    assert not equivalent(text, "x = 2y")
    assert not equivalent("x = 2y", text)


def test_unparsable_text_is_none() -> None:
    assert parse("what's this; no") is None
    assert parse("a = F/m") is not None


@pytest.mark.parametrize(
    ("response", "reference", "same"),
    [
        # a letter the reference does not use may stand for one it uses and the response does not
        ("(n - k)/s + 1", "(W - K) / S + 1", True),
        ("(n-k)/s+1", "(w-k)/s+1", True),
        # letters both use keep their meaning: swapped terms stay different
        ("(k - n)/s + 1", "(W - K) / S + 1", False),
        ("(n + k)/s + 1", "(W - K) / S + 1", False),
        ("(n - k)/s", "(W - K) / S + 1", False),
        ("k × c_in × c_out", "k × k × c_in × c_out", False),
        # one renamed letter at most: a formula in letters of its own is not the reference's
        ("(n - m)/t + 1", "(W - K) / S + 1", False),
        # in an equation a letter names a quantity
        ("v = F/m", "a = F/m", False),
    ],
)
def test_an_expression_in_one_letter_of_its_own(response: str, reference: str, same: bool) -> None:
    assert equivalent(response, reference) is same


def test_a_formula_head_is_symbols_before_the_first_word() -> None:
    from bot.grading.reference import formula_spans

    assert "(n - k)/s + 1" in formula_spans("(n - k)/s + 1 when there's no padding")
    assert formula_spans("input size × output size + input size") == (
        "input size × output size + input size",
    )


def test_a_lone_name_or_number_is_no_formula() -> None:
    assert not is_formula("L1")
    assert not is_formula("42")
    assert is_formula("F = ma")
    assert is_formula("(n - k)/s + 1")


def test_e_to_a_power_is_the_exponential_and_a_sum_index_is_no_name() -> None:
    reference = "-log(e^(s_y) / Σ_j e^(s_j))"
    assert equivalent("-log(exp(s_y)/Σ exp(s_j))", reference)
    assert equivalent("-log(e^s_y / Σ e^s_j)", reference)
    assert not equivalent("-log(exp(s_j)/Σ exp(s_y))", reference)
    assert not equivalent("log(exp(s_y)/Σ exp(s_j))", reference)
