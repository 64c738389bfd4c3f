"""Hybrid search over the index: dense (FAISS) and BM25, fused, with a confidence decision.

Example:
    >>> service = SearchService(index_dir=Path("data/index"), embedder=BundledEmbedder(), settings=SearchSettings())
    >>> service.load()
    >>> result = service.search("Hva er en delegeringssperre?")
    >>> result.answered, result.hits[0].passage.document_id
    (True, 'heim-styring-og-ledelse')
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.config import SearchSettings
from bot.errors import NotLoadedError
from bot.query import normalise_query
from index.documents import Passage
from index.embed import Embedder
from index.store import LoadedIndex, load_index
from index.text import split_compound, terms

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Hit:
    """One passage found for a query."""

    passage: Passage
    score: float  # fused score, for ordering
    dense: float  # cosine similarity to the query
    bm25: float  # BM25 score (0 when no term matched)


@dataclass(frozen=True)
class SearchResult:
    """What a search found, and whether it is sure enough to answer."""

    query: str
    answered: bool
    hits: tuple[Hit, ...]
    confidence: float  # margin of the best passage over the nearest out-of-scope topic
    seconds: float


class Retriever(Protocol):
    def search(self, query: str, *, top_k: int) -> SearchResult: ...


def reciprocal_rank_fusion(rankings: list[tuple[list[int], float]], *, k: int) -> dict[int, float]:
    """Weighted reciprocal-rank fusion: each ranking adds ``weight / (k + rank)`` to its items."""
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


class SearchService:
    """Searches the index with both retrievers and decides whether the best passage answers."""

    def __init__(self, *, index_dir: Path, embedder: Embedder, settings: SearchSettings, ef_search: int = 128) -> None:
        self._index_dir = index_dir
        self._embedder = embedder
        self._settings = settings
        self._ef_search = ef_search
        self._index: LoadedIndex | None = None

    def load(self) -> None:
        """Load the model and the index; raises IndexMissingError / IndexMismatchError / IndexCorruptError."""
        if self._index is None:
            self._index = load_index(self._index_dir, self._embedder, ef_search=self._ef_search)

    @property
    def index(self) -> LoadedIndex:
        if self._index is None:
            raise NotLoadedError("SearchService.load() must be called before searching")
        return self._index

    @property
    def ready(self) -> bool:
        return self._index is not None

    def search(self, query: str, *, top_k: int | None = None) -> SearchResult:
        """The best passages for ``query`` and whether they answer it."""
        started = time.perf_counter()
        index = self.index
        top_k = top_k or self._settings.top_k
        if top_k < 1:
            raise ValueError(f"top_k must be positive, got {top_k}")
        text = normalise_query(query[: self._settings.max_query_chars])
        if not text:
            return SearchResult(query=query, answered=False, hits=(), confidence=0.0, seconds=0.0)
        vector = self._embedder.embed_queries([text])
        return self._rank(query, text, vector[0], index, top_k, started)

    def _rank(
        self, query: str, text: str, vector: np.ndarray, index: LoadedIndex, top_k: int, started: float
    ) -> SearchResult:
        settings = self._settings
        n = len(index.passages)
        depth = min(settings.candidates, n)
        dense_scores, dense_ids = index.dense.search(vector[None, :].astype(np.float32), depth)
        dense_ranking = [int(i) for i in dense_ids[0] if i >= 0]
        dense_by_id = {int(i): float(s) for i, s in zip(dense_ids[0], dense_scores[0], strict=True) if i >= 0}

        query_terms = self._query_terms(index, text)
        bm25_scores = self._bm25_scores(index, query_terms)
        if bm25_scores is not None:
            top = np.argpartition(-bm25_scores, min(depth, n - 1))[:depth]
            bm25_ranking = [int(i) for i in top[np.argsort(-bm25_scores[top])] if bm25_scores[i] > 0]
        else:
            bm25_ranking = []

        fused = reciprocal_rank_fusion(
            [(dense_ranking, settings.dense_weight), (bm25_ranking, settings.bm25_weight)], k=settings.rrf_k
        )
        order = sorted(fused, key=lambda i: (-fused[i], i))[:top_k]
        missing = [i for i in order if i not in dense_by_id]
        if missing:
            # Passages only BM25 found still need their cosine for the confidence decision.
            dense_by_id.update(self._cosines(index, vector, missing))
        hits = tuple(
            Hit(
                passage=index.passages[i],
                score=fused[i],
                dense=dense_by_id.get(i, 0.0),
                bm25=float(bm25_scores[i]) if bm25_scores is not None else 0.0,
            )
            for i in order
        )
        best = float(dense_scores[0][0]) if dense_ranking else 0.0
        coverage = self._coverage(index, query_terms)
        if len(index.anchors):
            # Confidence: how much closer the question is to the documents than to the topics we
            # know we do not cover. A close call also needs the question's words in the documents.
            confidence = best - float((index.anchors @ vector).max())
            sure = confidence >= settings.sure_margin or (
                confidence >= settings.min_margin and coverage >= settings.min_coverage
            )
        else:
            confidence = best
            sure = True
        answered = bool(hits) and best >= settings.min_dense_score and sure
        return SearchResult(
            query=query, answered=answered, hits=hits, confidence=confidence, seconds=time.perf_counter() - started
        )

    @staticmethod
    def _query_terms(index: LoadedIndex, text: str) -> list[str]:
        vocab: dict[str, int] = index.bm25.vocab_dict
        query_terms: list[str] = []
        for word in _WORD.findall(text):
            found = terms(word, stopwords=index.stopwords)
            if found and found[0] not in vocab and len(word) >= 8:
                # A compound the documents never use whole ("lojalitetsplikten") still matches its parts.
                found = split_compound(word, vocab) or found
            query_terms.extend(found)
        return query_terms

    @staticmethod
    def _coverage(index: LoadedIndex, query_terms: list[str]) -> float:
        """IDF-weighted share of the question's words that occur in the documents."""
        if not query_terms:
            return 0.0
        vocab: dict[str, int] = index.bm25.vocab_dict
        total = len(index.passages)
        unseen = math.log(1 + (total + 0.5) / 0.5)
        weights = [
            (
                math.log(
                    1 + (total - index.document_frequency[vocab[t]] + 0.5) / (index.document_frequency[vocab[t]] + 0.5)
                ),
                True,
            )
            if t in vocab
            else (unseen, False)
            for t in query_terms
        ]
        return sum(w for w, known in weights if known) / sum(w for w, _ in weights)

    @staticmethod
    def _bm25_scores(index: LoadedIndex, query_terms: list[str]) -> np.ndarray | None:
        vocab: dict[str, int] = index.bm25.vocab_dict
        ids = [vocab[t] for t in query_terms if t in vocab]
        if not ids:
            return None
        return np.asarray(index.bm25.get_scores(ids), dtype=np.float32)

    @staticmethod
    def _cosines(index: LoadedIndex, vector: np.ndarray, ids: list[int]) -> dict[int, float]:
        dense: Any = index.dense
        out = {}
        for i in ids:
            out[i] = float(np.dot(dense.reconstruct(i), vector))
        return out
