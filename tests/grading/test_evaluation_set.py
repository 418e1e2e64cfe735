"""The labelled evaluation set: accuracy, false accepts and false rejects against a fixed bar."""

from __future__ import annotations

import pytest

from tests.grading.evaluation import evaluate, load_cases


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return evaluate(load_cases())


def test_the_set_is_large_and_covers_every_category(report) -> None:  # type: ignore[no-untyped-def]
    assert report.total >= 150
    for category in (
        "variant",
        "typo",
        "paraphrase",
        "near-miss",
        "number",
        "negation",
        "hedge",
        "junk",
        "partial",
        "long",
    ):
        assert report.by_category[category] >= 4, category


def test_accuracy_and_error_rates(report) -> None:  # type: ignore[no-untyped-def]
    print(report.summary())
    assert report.accuracy >= 0.95, report.summary()
    assert report.false_accept_rate <= 0.02, report.summary()
    assert report.false_reject_rate <= 0.05, report.summary()


def test_no_false_accepts_among_numbers_negations_hedges_and_junk(report) -> None:  # type: ignore[no-untyped-def]
    assert report.strict_false_accepts() == [], report.summary()
