"""Fit the grader's decision (bot/grading/decision.json) on public labelled answers.

    python benchmarks/fit_grader.py [--write]

Reads ../shared/asag/ (split `train` only), computes the grader's own evidence for every answer,
fits two logistic models (lexical evidence alone, and with semantic similarity), and picks each
model's accept threshold and close band on `train`:

- accept_at maximises balanced accuracy among thresholds whose auto-accept precision on train is at
  least MIN_PRECISION on each dataset (SciEntsBank and Beetle apart, not only on their mix; train
  is about 40% correct, flashcard drills run at 50-70%, where the same threshold reads higher
  precision);
- close_at sits below it so that at most CLOSE_SHARE of train answers land in the close band.

Answers that a guard vetoes are left out of the fit: the guards decide those, not the weights.
Prints the fit and the train figures; `--write` saves decision.json. Report figures on data the fit
never saw with `python benchmarks/grading_quality.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.asag import ROOT, Row, rows
from bot import grading
from bot.grading import evidence as ev
from bot.grading import semantic
from bot.grading.guards import Context, first_fired
from bot.grading.reference import Reference, compile_reference
from bot.grading.response import Response

MIN_PRECISION = 0.75
CLOSE_SHARE = 0.12
REGULARIZATION = 1.0
FOLDS = 5
OUT = ROOT / "bot" / "grading" / "decision.json"


@dataclass(frozen=True)
class Graded:
    """A train answer with content, as the grader reads it (evidence None: a guard vetoed it)."""

    row: Row
    ref: Reference
    response: Response
    lexical: ev.Evidence | None
    full: ev.Evidence | None


def graded_train(embedder: semantic.Embedder) -> Iterator[Graded]:
    """Every train answer with content, with its evidence unless a guard vetoes it: the guards
    decide those, not the weights, so a fit leaves them out."""
    for row in rows("train"):
        ref = compile_reference(row.card)
        response = Response(row.response)
        if not response.content:
            continue
        lexical = ev.lexical(ref, response)
        if first_fired(Context(ref, response, lexical)) is not None:
            yield Graded(row, ref, response, None, None)
            continue
        yield Graded(
            row, ref, response, lexical, ev.with_semantic(lexical, ref, response, embedder)
        )


def _evidence(
    embedder: semantic.Embedder,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """(lexical features, semantic features, labels, question ids, datasets, answers vetoed)."""
    features: list[list[float]] = []
    labels: list[int] = []
    semantic_columns: list[list[float]] = []
    questions: list[str] = []
    datasets: list[str] = []
    vetoed = 0
    for graded in graded_train(embedder):
        if graded.lexical is None or graded.full is None:
            vetoed += 1
            continue
        features.append(graded.lexical.vector(semantic=False))
        semantic_columns.append(graded.full.vector(semantic=True)[len(ev.LEXICAL_FEATURES) :])
        labels.append(int(graded.row.correct))
        questions.append(graded.row.card.id)
        datasets.append(graded.row.dataset)
    return (
        np.array(features),
        np.array(semantic_columns),
        np.array(labels),
        np.array(questions),
        np.array(datasets),
        vetoed,
    )


def _precision(accepted: np.ndarray, y: np.ndarray, datasets: np.ndarray) -> float:
    """The lowest auto-accept precision over the datasets: a "correct" verdict must be right
    often enough on each kind of question, not only on their mix."""
    return min(
        float(y[accepted & (datasets == name)].mean())
        if (accepted & (datasets == name)).any()
        else 1.0
        for name in set(datasets)
    )


def _thresholds(
    p: np.ndarray, y: np.ndarray, datasets: np.ndarray
) -> tuple[float, float, dict[str, float]]:
    best: tuple[float, float] | None = None
    for t in np.arange(0.30, 0.95, 0.005):
        accepted = p >= t
        if not accepted.any():
            continue
        precision = _precision(accepted, y, datasets)
        tpr = float(accepted[y == 1].mean())
        tnr = float((~accepted)[y == 0].mean())
        balanced = (tpr + tnr) / 2
        if precision >= MIN_PRECISION and (best is None or balanced > best[1]):
            best = (float(t), balanced)
    if best is None:
        raise SystemExit(f"no threshold reaches precision {MIN_PRECISION} on train")
    accept_at = best[0]
    close_at = accept_at
    for t in np.arange(accept_at, 0.0, -0.005):
        if float(((p >= t) & (p < accept_at)).mean()) > CLOSE_SHARE:
            break
        close_at = float(t)
    accepted = p >= accept_at
    report = {
        "balanced_accuracy": best[1],
        "precision": float(y[accepted].mean()),
        "recall": float(accepted[y == 1].mean()),
        "close_share": float(((p >= close_at) & (p < accept_at)).mean()),
    }
    return round(accept_at, 3), round(close_at, 3), report


def _model() -> LogisticRegression:
    return LogisticRegression(C=REGULARIZATION, max_iter=2000)


def _out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each answer's probability from a model that never saw its question (5 folds grouped by
    question): what a new deck gets, so thresholds are chosen on these, not on the fit's own."""
    from sklearn.model_selection import GroupKFold

    p = np.zeros(len(y))
    for fit_on, held in GroupKFold(FOLDS).split(x, y, groups):
        p[held] = _model().fit(x[fit_on], y[fit_on]).predict_proba(x[held])[:, 1]
    return p


def _fit(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, datasets: np.ndarray, names: tuple[str, ...]
) -> dict[str, object]:
    model = _model().fit(x, y)
    accept_at, close_at, report = _thresholds(_out_of_fold(x, y, groups), y, datasets)
    weights = [round(float(w), 4) for w in model.coef_[0]]
    print(f"  weights: {dict(zip(names, weights, strict=True))}, bias {model.intercept_[0]:.4f}")
    print(
        f"  out of fold: accept_at {accept_at}, close_at {close_at}; "
        + ", ".join(f"{k} {v:.3f}" for k, v in report.items())
    )
    return {
        "features": list(names),
        "weights": weights,
        "bias": round(float(model.intercept_[0]), 4),
        "accept_at": accept_at,
        "close_at": close_at,
        "out_of_fold": {k: round(v, 4) for k, v in report.items()},
    }


def _unseen_questions(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, datasets: np.ndarray
) -> None:
    """Balanced accuracy and precision on questions the fit never saw: 5 folds grouped by
    question, each fold's model and threshold chosen on its own training part alone."""
    from sklearn.model_selection import GroupKFold

    accepted = np.zeros(len(y), dtype=bool)
    for fit_on, held in GroupKFold(FOLDS).split(x, y, groups):
        inner = _out_of_fold(x[fit_on], y[fit_on], groups[fit_on])
        accept_at, _, _ = _thresholds(inner, y[fit_on], datasets[fit_on])
        model = _model().fit(x[fit_on], y[fit_on])
        accepted[held] = model.predict_proba(x[held])[:, 1] >= accept_at
    for name in sorted(set(datasets)):
        k = datasets == name
        a, t = accepted[k], y[k] == 1
        balanced = (a[t].mean() + (~a)[~t].mean()) / 2
        precision = t[a].mean() if a.any() else 0.0
        print(f"  unseen questions, {name}: balanced {balanced:.3f}, precision {precision:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="save bot/grading/decision.json")
    args = parser.parse_args()
    grading.use_embedder(None)
    embedder = semantic.default_embedder()
    started = time.perf_counter()
    if embedder is None:
        raise SystemExit("the embedding model did not load; the semantic model needs it")
    x, s, y, groups, datasets, vetoed = _evidence(embedder)
    print(
        f"train: {len(y)} answers fitted ({y.mean():.1%} correct), {vetoed} vetoed by guards, "
        f"evidence in {time.perf_counter() - started:.1f} s"
    )
    print("lexical model")
    lexical = _fit(x, y, groups, datasets, ev.LEXICAL_FEATURES)
    _unseen_questions(x, y, groups, datasets)
    print(f"semantic model ({embedder.name})")
    with_semantic = _fit(np.column_stack([x, s]), y, groups, datasets, ev.FEATURES)
    _unseen_questions(np.column_stack([x, s]), y, groups, datasets)
    decision = {
        "source": "benchmarks/fit_grader.py on ../shared/asag/semeval2013_dev.csv, split train",
        "embedder": embedder.name,
        "lexical": lexical,
        "semantic": with_semantic,
    }
    if args.write:
        OUT.write_text(json.dumps(decision, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
