"""The channel-agnostic core that every adapter calls: a question in, an ``Answer`` out.

Example:
    >>> assistant = build_assistant(Settings.load())
    >>> assistant.load()
    >>> render_text(assistant.ask("Hva er en delegeringssperre?"))
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot import texts
from bot.answer import Answer, AnswerComposer, ComposeSettings, idf_table
from bot.config import Settings
from bot.query import normalise_query, strip_chat_markup
from bot.search import SearchResult, SearchService
from index.chunk import split_sentences
from index.documents import Passage
from index.embed import Embedder, make_embedder
from index.errors import NotLoadedError
from index.text import terms

_HAS_WORD = re.compile(r"[^\W\d_]{2,}")
_QUESTION = re.compile(r"[^.!?\n]{3,300}\?")
_MAX_WORD = 60
# A follow-up: a short message, or one that opens like a continuation ("og hva med …", "what about …").
FOLLOW_UP_SECONDS = 300
# How long a question that reaches a server still loading its model waits for the warm-up.
WARM_UP_WAIT = 120.0
_FOLLOW_UP_WORDS = 5
_CONTINUATION = re.compile(
    r"^(?:og|men|enn|samme|hva med|hvem bestemmer det|kva med|og kva|and|but|what about|how about)\b", re.I
)
_CONTENT_WORD = re.compile(r"[^\W\d_]{2,}")
# Words that point back to something said before: a short message with one leans on the last question.
_ANAPHORA = frozenset("det den dette disse de dem da der deres dens it that this they them those there".split())
_FOLLOW_UP_MAX_WORDS = 8


@dataclass
class _Previous:
    text: str
    at: float


def is_follow_up(text: str) -> bool:
    """Whether a message reads as elliptic: it continues a conversation rather than opening one."""
    words = [w.lower() for w in _CONTENT_WORD.findall(text)]
    if _CONTINUATION.search(text.strip()) or len(words) <= _FOLLOW_UP_WORDS - 2:
        return True
    return len(words) <= _FOLLOW_UP_MAX_WORDS and any(w in _ANAPHORA for w in words)


class Assistant:
    """Answers leaders' questions from the indexed documents."""

    def __init__(
        self, *, search: SearchService, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._search = search
        self._settings = settings
        self._composer: AnswerComposer | None = None
        self._loaded = threading.Event()
        self._clock = clock
        # The last question of each conversation (keyed by a hash, held in memory only, for minutes).
        self._previous: dict[str, _Previous] = {}

    def load(self) -> None:
        """Load the model and index (slow); raises the index errors with a rebuild hint."""
        self._search.load()
        index = self._search.index
        stop = index.stopwords
        vocab: dict[str, int] = index.bm25.vocab_dict
        df = {term: int(index.document_frequency[i]) for term, i in vocab.items() if i < len(index.document_frequency)}
        labels = {}
        owners = {}
        for doc_id, doc in index.documents().items():
            owner = doc.get("short_owner") or doc.get("owner", "")
            labels[doc_id] = f"{owner} – {doc.get('kind', 'dokument')}"
            owners[doc.get("owner", "")] = doc.get("short_owner") or ""
        positions = {p.id: i for i, p in enumerate(index.passages)}

        def windows(passage: Passage, vector: np.ndarray | None) -> list[tuple[int, int, float]]:
            i = positions.get(passage.id)
            if i is None:
                return []
            start, end = int(index.window_offsets[i]), int(index.window_offsets[i + 1])
            rows = index.windows[start:end]
            scores = np.asarray(index.window_vectors[start:end] @ vector) if vector is not None else np.zeros(len(rows))
            return [(int(r[1]), int(r[2]), float(c)) for r, c in zip(rows, scores, strict=True)]

        answer = self._search.model.answer
        self._composer = AnswerComposer(
            home=self._settings.organisation.home,
            hr_contact=self._settings.organisation.hr_contact,
            labels=labels,
            idf=idf_table(df, len(index.passages)),
            terms=lambda text: terms(text, stopwords=stop),
            windows=windows,
            national=frozenset(d for d, doc in index.documents().items() if doc.get("scope") == "national"),
            owners=owners,
            settings=ComposeSettings(**answer),
        )
        self._loaded.set()

    @property
    def ready(self) -> bool:
        return self._composer is not None

    @property
    def composer(self) -> AnswerComposer:
        if self._composer is None:
            raise NotLoadedError("Assistant.load() must be called first")
        return self._composer

    def _ready_composer(self) -> AnswerComposer:
        """The composer once ``load()`` has run. A question that reaches a server still warming up waits
        for the warm-up (on its worker thread) instead of loading the model a second time."""
        self._loaded.wait(timeout=WARM_UP_WAIT)
        return self.composer

    @property
    def search_service(self) -> SearchService:
        return self._search

    def search(self, question: str, *, top_k: int | None = None) -> SearchResult:
        return self._search.search(question, top_k=top_k)

    def ask(self, question: str, *, conversation: str | None = None) -> Answer:
        """Answer ``question``; empty, huge or word-less input gets a friendly explanation, never an error.

        ``conversation`` names the thread, DM or terminal chat: an elliptic message there within
        FOLLOW_UP_SECONDS of a question is searched with that question as context.

        Raises:
            NotLoadedError: ``load()`` has not finished within WARM_UP_WAIT seconds (the server and the
                commands load before they answer; a question that comes during a server's warm-up waits
                for it, and the model is never loaded on a question's path).
        """
        composer = self._ready_composer()
        cleaned = strip_chat_markup(question or "")
        if not cleaned:
            return Answer(question="", answered=False, note=texts.EMPTY_QUESTION, invalid=True)
        if not _HAS_WORD.search(cleaned):
            return Answer(question=cleaned, answered=False, note=texts.NOT_A_QUESTION, invalid=True)
        limit = self._settings.search.max_query_chars
        note = texts.TOO_LONG.format(limit=limit) if len(cleaned) > limit else None
        focused = _focus(cleaned, limit)
        context = self._context(conversation, focused)
        if context:
            context = composer.without_other_owners(context, focused)
        text = f"{context} {focused}" if context else focused
        follow_up = normalise_query(focused) if context else None
        vector = self._search.query_vector(normalise_query(text), follow_up=follow_up)
        result = self._search.search(focused, context=context, vector=vector)
        return dataclasses.replace(composer.compose(result, note=note, vector=vector), context=context)

    def _context(self, conversation: str | None, text: str) -> str | None:
        """The previous question of this conversation when ``text`` follows up on it; remembers ``text``."""
        if conversation is None:
            return None
        key = hashlib.sha256(conversation.encode()).hexdigest()
        now = self._clock()
        for stale in [k for k, p in self._previous.items() if now - p.at > FOLLOW_UP_SECONDS]:
            del self._previous[stale]
        previous = self._previous.get(key)
        context = previous.text if previous is not None and is_follow_up(text) else None
        remembered = f"{context} {text}" if context else text
        self._previous[key] = _Previous(remembered[-400:], now)
        return context

    def related(self, topic: str) -> tuple[str, str] | None:
        """One passage of the documents on ``topic`` (its source line and opening), for the end of a
        reflection; passages that are themselves reflection questions are passed over."""
        composer = self._ready_composer()
        result = self._search.search(topic[: self._settings.search.max_query_chars], top_k=8)
        if not result.answered:
            return None
        for hit in result.hits:
            sentences = [s for s in split_sentences(hit.passage.text) if not s.endswith("?")]
            if "TIL REFLEKSJON" in hit.passage.section or len(sentences) < 2:
                continue
            excerpt = " ".join(sentences)[:400].rsplit(" ", 1)[0] + " …"
            return composer.source(hit.passage).line(), excerpt
        return None


def _focus(text: str, limit: int) -> str:
    """The part of a message to search: without run-on "words" (pasted noise), and for a long
    message its questions (sentences ending in "?") when it has any."""
    text = " ".join(w for w in text.split() if len(w) <= _MAX_WORD)
    if len(text) > limit:
        questions = _QUESTION.findall(text)
        if questions:
            text = " ".join(q.strip() for q in questions[:3])
    return text[:limit]


def build_embedder(settings: Settings) -> Embedder:
    return make_embedder(
        settings.embedding.backend, model=settings.embedding.model, batch_size=settings.embedding.batch_size
    )


def build_assistant(settings: Settings) -> Assistant:
    """Wire the core from the settings (cheap: nothing loads until ``load()``)."""
    search = SearchService(
        index_dir=settings.index_dir,
        embedder=build_embedder(settings),
        settings=settings.search,
        ef_search=settings.index.hnsw_ef_search,
    )
    return Assistant(search=search, settings=settings)
