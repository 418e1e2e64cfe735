"""Distil the static token table of `bot.grading.semantic.StaticMiniLM` from the int8 MiniLM.

    pip install -e '.[dev]' && python benchmarks/build_semantic_table.py

Model2vec-style: every vocabulary token alone ([CLS] token [SEP]) through `OnnxMiniLM`, its own
output vector kept; centred and reduced to 256 dimensions by PCA; each row weighted by log of its
frequency rank (the BERT vocabulary is in frequency order from "the", id 1996, on); stored as int8
codes with a float32 scale per row, one structured array in a .npy file (deterministic bytes).
About 30 s on one core. Prints the sha256 to put in `TABLE_SHA256` when the bytes change.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.grading.semantic import TABLE_FILE, TABLE_SHA256, OnnxMiniLM

DIMS = 256
FIRST_WORD_ID = 1996
CLS, SEP = 101, 102
BATCH = 1024


def build(model: OnnxMiniLM, vocab: int) -> NDArray[np.void]:
    states = np.zeros((vocab, model.dims), np.float32)
    for start in range(0, vocab, BATCH):
        tokens = np.arange(start, min(start + BATCH, vocab), dtype=np.int64)
        ids = np.stack([np.full_like(tokens, CLS), tokens, np.full_like(tokens, SEP)], axis=1)
        states[start : start + len(tokens)] = model.token_states(ids, np.ones_like(ids))[:, 1]
    centred = states - states.mean(axis=0)
    _, _, components = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    reduced = centred @ components[:DIMS].T.astype(np.float32)
    rank = np.maximum(np.arange(vocab) - FIRST_WORD_ID + 1, 1)
    weighted = reduced * np.log1p(rank)[:, None].astype(np.float32)
    scale = np.maximum(np.abs(weighted).max(axis=1), 1e-12) / 127.0
    table = np.zeros(vocab, dtype=[("scale", "<f4"), ("codes", "i1", (DIMS,))])
    table["scale"] = scale
    table["codes"] = np.round(weighted / scale[:, None]).astype(np.int8)
    return table


def main() -> None:
    model = OnnxMiniLM.load()
    table = build(model, model.tokenizer.get_vocab_size())
    np.save(TABLE_FILE, table)
    digest = hashlib.sha256(TABLE_FILE.read_bytes()).hexdigest()
    print(f"wrote {TABLE_FILE} ({TABLE_FILE.stat().st_size / 1e6:.1f} MB), sha256 {digest}")
    if digest != TABLE_SHA256:
        print("sha256 differs from TABLE_SHA256 in bot/grading/semantic.py: update it")


if __name__ == "__main__":
    main()
