"""Hybrid search over the index: passage vectors, sentence windows and BM25, fused, with a tier.

Candidates come from three places (the nearest passages, the passages of the nearest sentence
windows, the best BM25 passages); each candidate is then scored exactly (its passage cosine, its
best window's cosine, its BM25 score) and the scores are fused with the weights of the fitted
model (bot/ranking.py). The fitted confidence model turns features of the ranked list into the
tier: ``sure``, ``unsure`` or ``none``. A question is embedded once: when it names a document's
owner, without the name (index/owners.py); the name counts on the BM25 side and as the owner
weight of the fusion, and the tier is judged on the scores of the question without the name.
Passages that are not answers (reflection boxes, reference lists, debris) are never candidates.

Example:
    >>> service = SearchService(index_dir=Path("data/index"), embedder=BundledEmbedder(), settings=SearchSettings())
    >>> service.load()
    >>> result = service.search("Hva er en delegeringssperre?")
    >>> result.tier, result.hits[0].passage.document_id
    ('sure', 'heim-styring-og-ledelse')
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.config import SearchSettings
from bot.query import is_english, normalise_query, nynorsk_to_bokmal
from bot.ranking import FITTED_FILE, Candidates, FittedModel, features, order
from index.documents import Passage
from index.embed import Embedder
from index.errors import NotLoadedError
from index.load import LoadedIndex, load_index
from index.owners import OwnerNames
from index.text import idf, split_compound, terms

_WORD = re.compile(r"[^\W_]+")
# A follow-up's own share of its query vector, on bench/followups.py (15 pairs): 0.25, 0.33 and 0.5
# all answer 11 from the right passage (the conversation's question alone: 10), and 0.25 keeps the
# most of them sure (3 against 1): the further the vector is from any one question the confidence
# model was fit on, the lower its window scores and the fewer right answers it dares call sure.
FOLLOW_UP_WEIGHT = 0.25
# Windows asked of the window index per candidate passage wanted: a passage has many windows.
_WINDOWS_PER_PASSAGE = 4
_SCORE_ALL_WINDOWS = 200_000


@dataclass(frozen=True)
class Hit:
    """One passage found for a query."""

    passage: Passage
    score: float  # fused score, for ordering
    dense: float  # cosine of the passage vector to the query
    bm25: float  # BM25 score (0 when no term matched)
    window: float = 0.0  # cosine of the passage's best sentence window


@dataclass(frozen=True)
class SearchResult:
    """What a search found, and how sure it is."""

    query: str
    answered: bool  # the tier is not "none"
    hits: tuple[Hit, ...]
    confidence: float  # probability that the first hit answers (the fitted model)
    seconds: float
    tier: str = "none"


class SearchService:
    """Searches the index and decides how sure the best passage is."""

    def __init__(
        self,
        *,
        index_dir: Path,
        embedder: Embedder,
        settings: SearchSettings,
        ef_search: int = 128,
        fitted: Path = FITTED_FILE,
    ) -> None:
        self._index_dir = index_dir
        self._embedder = embedder
        self._settings = settings
        self._ef_search = ef_search
        self._fitted_path = fitted
        self._index: LoadedIndex | None = None
        self._model: FittedModel | None = None
        self._owners = OwnerNames(())
        self._passage_owner = np.array([], dtype=object)  # the owner of each passage, by index position

    def load(self) -> None:
        """Load the model, the index and the fitted weights; raises the index errors or ConfigError."""
        if self._model is None:
            self._model = FittedModel.load(self._fitted_path)
        if self._index is None:
            self._index = load_index(self._index_dir, self._embedder, ef_search=self._ef_search)
            documents = self._index.documents().values()
            self._passage_owner = np.array([p.owner for p in self._index.passages], dtype=object)
            self._owners = OwnerNames(
                {
                    n: d["owner"]
                    for d in documents
                    for n in (d.get("owner"), d.get("short_owner"))
                    if n and d.get("owner")
                }
            )
            from threadpoolctl import threadpool_limits

            # The scoring products are small: one BLAS thread does them in microseconds, while several
            # wait for the model's OpenMP threads that still spin after each embedding (measured:
            # 0.09 ms against 10 ms per question on two busy cores).
            threadpool_limits(limits=1, user_api="blas")

    @property
    def index(self) -> LoadedIndex:
        if self._index is None:
            raise NotLoadedError("SearchService.load() must be called before searching")
        return self._index

    @property
    def model(self) -> FittedModel:
        if self._model is None:
            raise NotLoadedError("SearchService.load() must be called before searching")
        return self._model

    @property
    def ready(self) -> bool:
        return self._index is not None

    def embed(self, text: str) -> np.ndarray:
        return self._embedder.embed_queries([text])[0]

    def query_vector(self, text: str, *, follow_up: str | None = None) -> np.ndarray:
        """The one embedding a question is searched with: of its topic, without the owners' names,
        when it names one (the name steers the ranking through BM25 and the owner weight instead).

        ``follow_up`` is the elliptic message when ``text`` is it with the previous question in front:
        the two are embedded together and the vector leans FOLLOW_UP_WEIGHT towards the follow-up
        alone, so that what it asks counts beside what the conversation was about ("hva med verdien
        troverdig?" after a question on the whole platform asks about the value, not the platform).
        """
        asks = self._owners.strip(follow_up) if follow_up is not None else ""  # "Levanger?" asks nothing
        if not terms(asks, stopwords=self.index.stopwords):  # "og i Heim?" asks nothing of its own
            return self.embed(self.topic(text) or text)
        both = self._embedder.embed_queries([self.topic(text) or text, asks])
        mean = (1 - FOLLOW_UP_WEIGHT) * both[0] + FOLLOW_UP_WEIGHT * both[1]
        return mean / (np.linalg.norm(mean) or 1.0)

    def search(
        self, query: str, *, top_k: int | None = None, context: str | None = None, vector: np.ndarray | None = None
    ) -> SearchResult:
        """The best passages for ``query`` and how sure the first one is.

        ``context`` (the previous question, for a follow-up) is searched together with the query;
        ``vector`` is the query's ``query_vector`` when the caller has it already.
        """
        started = time.perf_counter()
        top_k = top_k or self._settings.top_k
        if top_k < 1:
            raise ValueError(f"top_k must be positive, got {top_k}")
        text = normalise_query(query[: self._settings.max_query_chars])
        if not text:
            return SearchResult(query=query, answered=False, hits=(), confidence=0.0, seconds=0.0)
        if context:
            text = f"{normalise_query(context[: self._settings.max_query_chars])} {text}"
        candidates = self.candidates(text, self.query_vector(text) if vector is None else vector, self.model.query)
        return self.rank(query, candidates, top_k=top_k, started=started)

    def rank(self, query: str, candidates: Candidates, *, top_k: int, started: float) -> SearchResult:
        model = self.model
        ranked, fused = order(candidates, model.fusion)
        tier, probability = model.decide(features(candidates, ranked, fused, model.fusion))
        tier = tier if len(ranked) else "none"
        if tier == "sure" and self._owners.only_names(query):
            tier = "unsure"  # "Levanger" asks nothing: a passage about Levanger is the closest match, no answer
        index = self.index
        hits = []
        for position in ranked[:top_k]:
            hits.append(
                Hit(
                    passage=index.passages[int(candidates.ids[position])],
                    score=float(fused[position]),
                    dense=float(candidates.passage[position]),
                    bm25=float(candidates.bm25[position]),
                    window=float(candidates.window[position]),
                )
            )
        return SearchResult(
            query=query,
            answered=tier != "none",
            hits=tuple(hits),
            confidence=probability,
            seconds=time.perf_counter() - started,
            tier=tier,
        )

    def topic(self, text: str) -> str | None:
        """The question without the names of the documents' owners; None when it names none (or
        is nothing but a name, which is then its own topic)."""
        topic = self._owners.strip(text)
        return topic if topic != text and _WORD.search(topic) else None

    def candidates(self, text: str, vector: np.ndarray, options: dict[str, bool]) -> Candidates:
        """Every candidate passage for the question with its exact scores (see the module docstring),
        and the same passages scored for its topic when it names an owner. ``vector`` is
        ``query_vector(text)``: the dense scores are the topic's either way, so a question is embedded
        once; the whole question's BM25 and the owner weight make the named owner's passages lead."""
        index = self.index
        query_terms = self._lexical_terms(text, options)
        bm25_all = self._bm25_scores(query_terms)
        if len(index.windows) <= _SCORE_ALL_WINDOWS:
            ids = np.flatnonzero(index.answerable)  # a small index: every answer passage is a candidate
            passage_scores, window_scores = self._score_all(vector, ids)
        else:
            ids = self._candidate_ids(vector, bm25_all)
            passage_scores, window_scores = self._score_exactly(vector, ids)
        anchor = float((index.anchors @ vector).max()) if len(index.anchors) else -1.0
        named_owners = self._owners.named(text)
        topic = self.topic(text)

        def scored(
            text: str,
            query_terms: list[str],
            bm25_all: np.ndarray | None,
            named: np.ndarray | None = None,
            topic: Candidates | None = None,
        ) -> Candidates:
            return Candidates(
                ids=ids,
                passage=passage_scores,
                window=window_scores,
                bm25=(bm25_all[ids] if bm25_all is not None else np.zeros(len(ids))).astype(np.float64),
                coverage=self._coverage(query_terms),
                anchor=anchor,
                english=is_english(text),
                words=len(_WORD.findall(text)),
                named=named,
                topic=topic,
            )

        if topic is None:
            return scored(text, query_terms, bm25_all)
        topic_terms = self._lexical_terms(topic, options)
        owners = np.isin(self._passage_owner[ids], list(named_owners)).astype(np.float64)
        return scored(
            text, query_terms, bm25_all, named=owners, topic=scored(topic, topic_terms, self._bm25_scores(topic_terms))
        )

    def _lexical_terms(self, text: str, options: dict[str, bool]) -> list[str]:
        lexical = nynorsk_to_bokmal(text) if options.get("nynorsk", False) else text
        return self.query_terms(lexical, compounds=options.get("compounds", True))

    def _score_all(self, vector: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A small index: every window scored in one product."""
        index = self.index
        passages = np.asarray(index.vectors @ vector, dtype=np.float64)
        every = np.asarray(index.window_vectors @ vector, dtype=np.float64)
        owner = index.windows[:, 0]
        top = np.full(len(index.passages), -np.inf)
        np.maximum.at(top, owner, every)
        windows = np.where(np.isfinite(top), top, passages)  # a passage without windows: its own cosine
        return passages[ids], windows[ids]

    def _candidate_ids(self, vector: np.ndarray, bm25_all: np.ndarray | None) -> np.ndarray:
        """A large index: candidates from the passage and window ANN indexes and BM25."""
        index = self.index
        depth = min(self._settings.candidates, len(index.passages))
        query = vector[None, :].astype(np.float32)
        found: set[int] = set()
        _, ids = index.dense.search(query, depth)
        found.update(int(i) for i in ids[0] if i >= 0)
        _, ids = index.window_dense.search(query, min(depth * _WINDOWS_PER_PASSAGE, len(index.windows)))
        found.update(int(index.windows[i, 0]) for i in ids[0] if i >= 0)
        if bm25_all is not None:
            top = np.argpartition(-bm25_all, min(depth, len(bm25_all) - 1))[:depth]
            found.update(int(i) for i in top if bm25_all[i] > 0)
        return np.array(sorted(i for i in found if index.answerable[i]), dtype=np.int64)

    def _score_exactly(self, vector: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A large index: the candidates' passage and best-window cosines, scored exactly."""
        index = self.index
        passage_scores = np.asarray(index.vectors[ids] @ vector, dtype=np.float64)
        window_scores = passage_scores.copy()
        for n, i in enumerate(ids):
            start, end = int(index.window_offsets[i]), int(index.window_offsets[i + 1])
            if end > start:
                window_scores[n] = float(np.asarray(index.window_vectors[start:end] @ vector).max())
        return passage_scores, window_scores

    def query_terms(self, text: str, *, compounds: bool = True) -> list[str]:
        index = self.index
        vocab: dict[str, int] = index.bm25.vocab_dict
        query_terms: list[str] = []
        for word in _WORD.findall(text):
            found = terms(word, stopwords=index.stopwords)
            if compounds and found and found[0] not in vocab and len(word) >= 8:
                # A compound the documents never use whole ("lojalitetsplikten") still matches its parts.
                found = split_compound(word, vocab) or found
            query_terms.extend(found)
        return query_terms

    def _coverage(self, query_terms: list[str]) -> float:
        """IDF-weighted share of the question's words that occur in the documents."""
        if not query_terms:
            return 0.0
        index = self.index
        vocab: dict[str, int] = index.bm25.vocab_dict
        total = len(index.passages)
        unseen = idf(0, total)
        known = 0.0
        weight = 0.0
        for t in query_terms:
            if t in vocab:
                df = index.document_frequency[vocab[t]]
                w = idf(int(df), total)
                known += w
                weight += w
            else:
                weight += unseen
        return known / weight

    def _bm25_scores(self, query_terms: list[str]) -> np.ndarray | None:
        index = self.index
        vocab: dict[str, int] = index.bm25.vocab_dict
        ids = [vocab[t] for t in query_terms if t in vocab]
        if not ids:
            return None
        return np.asarray(index.bm25.get_scores(ids), dtype=np.float32)
