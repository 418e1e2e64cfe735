"""Compare candidate decision features on ASAG `train` by cross-validation over unseen questions.

    python benchmarks/decision_variants.py [NAME ...]

The same answers and protocol as `fit_grader.py` (guard-vetoed answers left out; 5 folds grouped by
question; in each fold the model and its accept threshold are chosen on the fold's training part
alone), with extra features that are not in the grader, each added in turn to the semantic model.
Prints balanced accuracy and auto-accept precision per dataset. Nothing here is shipped: a variant
that wins must still be built into evidence.py, refitted and checked on the flashcard tune sets.

Variants measured on 2026-12-08 (semantic model: beetle 0.772 / sci 0.626 balanced) moved
SciEntsBank by at most +0.02, always with a loss on Beetle or in precision, and none transferred to
the flashcard tune sets; see the commit message.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import fit_grader as fg
from benchmarks.asag import rows
from bot import grading
from bot.grading import evidence as ev
from bot.grading import semantic
from bot.grading.normalize import clauses, simplify, tokenize
from bot.grading.reference import Reference, Weighted, _content
from bot.grading.response import Response

EXTRA = (
    "clause_recall",
    "idf_recall",
    "response_support",
    "clause_semantic",
    "recall_x_length",
    "precision_x_short",
    "no_form",
    "many_forms",
)
_CLAUSE_CUT = re.compile(r"[,;.]|\band\b|\bbut\b")


def _cover(words: list[tuple[Weighted, float]], response: Response) -> float:
    total = sum(weight for _, weight in words)
    if not total:
        return 0.0
    got = 0.0
    for weighted, weight in words:
        found = response.match(weighted.token)
        if found is not None:
            got += weight * found.quality
    return got / total


def _clause_words(ref: Reference) -> list[list[Weighted]]:
    """Each clause's content words, weighed as the answer's are."""
    return [
        list(_content(part, ref.question_keys, ref.question_numbers))
        for text in ref.texts or (ref.body,)
        for part in clauses(simplify(text))
    ]


def _extras(
    ref: Reference,
    response: Response,
    lexical: ev.Evidence,
    embedder: semantic.Embedder,
    idf: dict[str, float],
) -> list[float]:
    concepts = list(ref.concepts)
    clause_words = _clause_words(ref)
    own = [
        t
        for t in response.content
        if not t.negation and (t.key not in ref.question_keys or t.key in ref.answer_keys)
    ]
    weight = sum(idf.get(t.key, 1.0) for t in own)
    support = (
        sum(idf.get(t.key, 1.0) for t in own if t.key in ref.answer_keys) / weight if own else 0.0
    )
    texts = tuple(
        dict.fromkeys(p.strip() for p in _CLAUSE_CUT.split(ref.body) if len(p.split()) >= 2)
    ) or (ref.body,)
    vectors = semantic.reference_vectors(embedder, texts)
    said = semantic.response_vector(embedder, ev.spelled(ref, response).raw)
    forms = round(math.expm1(lexical.alternatives))
    return [
        max((_cover([(w, w.weight) for w in c], response) for c in clause_words), default=0.0),
        _cover([(w, w.weight * idf.get(w.token.key, 1.0)) for w in concepts], response),
        support,
        max(0.0, float((vectors @ said).max())),
        lexical.recall * lexical.length,
        lexical.precision * max(0.0, -lexical.length),
        float(forms == 0),
        float(forms >= 3),
    ]


def _data(
    embedder: semantic.Embedder,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    train = list(rows("train"))
    cards = {r.card.id: r.card for r in train}
    counts: Counter[str] = Counter()
    for card in cards.values():
        counts.update({t.key for t in tokenize(simplify(f"{card.question}\n{card.answer}"))})
    idf = {k: math.log((len(cards) + 1) / (n + 1)) + 1.0 for k, n in counts.items()}
    values: list[list[float]] = []
    labels, questions, datasets = [], [], []
    for graded in fg.graded_train(embedder):
        if graded.lexical is None or graded.full is None:
            continue
        extras = _extras(graded.ref, graded.response, graded.lexical, embedder, idf)
        values.append(graded.full.vector(semantic=True) + extras)
        labels.append(int(graded.row.correct))
        questions.append(graded.row.card.id)
        datasets.append(graded.row.dataset)
    table = np.array(values)
    names = (*ev.FEATURES, *EXTRA)
    return (
        {name: table[:, i] for i, name in enumerate(names)},
        np.array(labels),
        np.array(questions),
        np.array(datasets),
    )


def _unseen(x: np.ndarray, y: np.ndarray, groups: np.ndarray, datasets: np.ndarray) -> str:
    accepted = np.zeros(len(y), dtype=bool)
    for fit_on, held in GroupKFold(fg.FOLDS).split(x, y, groups):
        inner = fg._out_of_fold(x[fit_on], y[fit_on], groups[fit_on])
        accept_at, _, _ = fg._thresholds(inner, y[fit_on], datasets[fit_on])
        model = fg._model().fit(x[fit_on], y[fit_on])
        accepted[held] = model.predict_proba(x[held])[:, 1] >= accept_at
    out = []
    for name in sorted(set(datasets)):
        k = datasets == name
        a, t = accepted[k], y[k] == 1
        out.append(
            f"{name} balanced {(a[t].mean() + (~a)[~t].mean()) / 2:.3f} precision {t[a].mean():.3f}"
        )
    return " | ".join(out)


def main() -> None:
    grading.use_embedder(None)
    embedder = semantic.default_embedder()
    if embedder is None:
        raise SystemExit("the embedding model did not load")
    columns, y, groups, datasets = _data(embedder)
    variants: dict[str, tuple[str, ...]] = {
        "lexical": ev.LEXICAL_FEATURES,
        "semantic": ev.FEATURES,
        **{f"semantic + {name}": (*ev.FEATURES, name) for name in EXTRA},
        "semantic + all": (*ev.FEATURES, *EXTRA),
    }
    wanted = sys.argv[1:]
    for label, names in variants.items():
        if wanted and not any(w in label for w in wanted):
            continue
        x = np.column_stack([columns[n] for n in names])
        print(f"{label:32s} {_unseen(x, y, groups, datasets)}", flush=True)


if __name__ == "__main__":
    main()
