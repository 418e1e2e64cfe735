from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from bot.grading import semantic
from bot.grading.semantic import HashEmbedder, OnnxMiniLM, SemanticUnavailable, StaticMiniLM

# (reference, paraphrase, related but wrong): checked to hold with a wide margin on both models.
PARAPHRASES = [
    (
        "the current stops because the circuit is open",
        "there is a gap in the circuit so no electricity flows",
        "the bulb is brighter",
    ),
    (
        "plants make sugar from sunlight",
        "photosynthesis produces glucose using light energy",
        "plants absorb water through roots",
    ),
]


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No model loaded yet in this process, and no setting in the environment."""
    monkeypatch.setattr(semantic, "_loaded", {})
    monkeypatch.delenv(semantic.ENV, raising=False)


@pytest.fixture(scope="module")
def static() -> StaticMiniLM:
    return StaticMiniLM.load()


def _margins(embedder: semantic.Embedder) -> list[tuple[float, float]]:
    out = []
    for reference, paraphrase, wrong in PARAPHRASES:
        ref, para, other = embedder.embed([reference, paraphrase, wrong])
        out.append((semantic.similarity(ref, para), semantic.similarity(ref, other)))
    return out


def test_hash_embedder_is_deterministic_and_normalised() -> None:
    texts = ["Max pooling", "max-pooling!", "the salt dissolved", ""]
    first = HashEmbedder().embed(texts)
    again = HashEmbedder().embed(texts)
    assert first.dtype == np.float32
    assert first.shape == (4, 256)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(np.linalg.norm(first[:3], axis=1), 1.0, rtol=1e-6)
    assert not first[3].any()  # no words: a zero row, similarity 0 with anything
    assert semantic.similarity(first[0], first[1]) > 0.99
    assert semantic.similarity(first[0], first[2]) < 0.3
    assert semantic.similarity(first[0], first[3]) == 0.0


def test_static_model_ranks_paraphrases_above_related_wrong_answers(static: StaticMiniLM) -> None:
    vectors = static.embed(["a", "the water evaporated", ""])
    assert vectors.shape == (3, 256)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, rtol=1e-5)
    for good, bad in _margins(static):
        assert good - bad > 0.2
    ref, para, wrong = static.embed(
        [
            "the water evaporated leaving salt",
            "let the water evaporate so the salt stays",
            "the salt dissolved in the water",
        ]
    )
    assert semantic.similarity(ref, para) - semantic.similarity(ref, wrong) > 0.2


def test_onnx_model_loads_and_ranks_paraphrases() -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip(semantic.ONNX_PACKAGE)
    model = OnnxMiniLM.load()
    vectors = model.embed(["short", "a much longer answer that needs more padding than the first"])
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    # Batching and padding do not change a text's vector.
    np.testing.assert_allclose(model.embed(["short"])[0], vectors[0], atol=1e-5)
    for good, bad in _margins(model):
        assert good - bad > 0.2


def test_default_is_the_static_model_loaded_once(fresh: None) -> None:
    first = semantic.default_embedder()
    assert isinstance(first, StaticMiniLM)
    assert semantic.default_embedder() is first


def test_env_selects_the_onnx_model(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip(semantic.ONNX_PACKAGE)
    monkeypatch.setenv(semantic.ENV, "onnx")
    assert isinstance(semantic.default_embedder(), OnnxMiniLM)


def test_off_disables_without_a_warning(
    fresh: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(semantic.ENV, "off")
    with caplog.at_level(logging.WARNING):
        assert semantic.default_embedder() is None
    assert not caplog.records


def test_missing_table_warns_once_and_returns_none(
    fresh: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setattr(semantic, "TABLE_FILE", tmp_path / "absent.npy")
    with caplog.at_level(logging.WARNING, logger=semantic.__name__):
        assert semantic.default_embedder() is None
        assert semantic.default_embedder() is None
    assert len(caplog.records) == 1
    assert "absent.npy is missing" in caplog.records[0].getMessage()


def test_a_changed_table_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    changed = tmp_path / "table.npy"
    data = bytearray(semantic.TABLE_FILE.read_bytes())
    data[-1] ^= 1
    changed.write_bytes(bytes(data))
    monkeypatch.setattr(semantic, "TABLE_FILE", changed)
    with pytest.raises(SemanticUnavailable, match="sha256"):
        StaticMiniLM.load()


def test_concurrent_first_calls_load_once(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[int] = []

    def slow_load() -> HashEmbedder:
        loads.append(1)
        time.sleep(0.05)
        return HashEmbedder()

    monkeypatch.setattr(StaticMiniLM, "load", staticmethod(slow_load))
    seen: list[semantic.Embedder | None] = []
    threads = [
        threading.Thread(target=lambda: seen.append(semantic.default_embedder())) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1
    assert len(seen) == 8
    assert all(e is seen[0] for e in seen)


def test_cached_helpers() -> None:
    embedder = HashEmbedder(dims=64)
    one = semantic.embed_one(embedder, "max pooling")
    assert one.shape == (64,)
    assert semantic.embed_one(embedder, "max pooling") is one
    assert not one.flags.writeable
    np.testing.assert_array_equal(one, embedder.embed(["max pooling"])[0])
    refs = semantic.reference_vectors(embedder, ("max pooling", "average pooling"))
    assert refs.shape == (2, 64)
    assert semantic.reference_vectors(embedder, ()).shape == (0, 64)
    assert semantic.similarity(one, refs[0]) == pytest.approx(1.0)
