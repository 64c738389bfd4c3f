"""The channel-agnostic core that every adapter calls: a question in, an ``Answer`` out.

Example:
    >>> assistant = build_assistant(Settings.load())
    >>> assistant.load()
    >>> render_text(assistant.ask("Hva er en delegeringssperre?"))
"""

from __future__ import annotations

import re

from bot import texts
from bot.answer import Answer, AnswerComposer, idf_table
from bot.config import Settings
from bot.query import strip_chat_markup
from bot.search import SearchResult, SearchService
from index.chunk import split_sentences
from index.embed import Embedder, make_embedder
from index.text import terms

_HAS_WORD = re.compile(r"[^\W\d_]{2,}")
_QUESTION = re.compile(r"[^.!?\n]{3,300}\?")
_MAX_WORD = 60


class Assistant:
    """Answers leaders' questions from the indexed documents."""

    def __init__(self, *, search: SearchService, settings: Settings) -> None:
        self._search = search
        self._settings = settings
        self._composer: AnswerComposer | None = None

    def load(self) -> None:
        """Load the model and index (slow); raises the index errors with a rebuild hint."""
        self._search.load()
        index = self._search.index
        stop = index.stopwords
        vocab: dict[str, int] = index.bm25.vocab_dict
        df = {term: int(index.document_frequency[i]) for term, i in vocab.items() if i < len(index.document_frequency)}
        labels = {}
        for doc_id, doc in index.documents().items():
            owner = doc.get("short_owner") or doc.get("owner", "")
            labels[doc_id] = f"{owner} – {doc.get('kind', 'dokument')}"
        self._composer = AnswerComposer(
            home=self._settings.organisation.home,
            hr_contact=self._settings.organisation.hr_contact,
            labels=labels,
            idf=idf_table(df, len(index.passages)),
            terms=lambda text: terms(text, stopwords=stop),
        )

    @property
    def ready(self) -> bool:
        return self._composer is not None

    @property
    def search_service(self) -> SearchService:
        return self._search

    def search(self, question: str, *, top_k: int | None = None) -> SearchResult:
        return self._search.search(question, top_k=top_k)

    def ask(self, question: str) -> Answer:
        """Answer ``question``; empty, huge or word-less input gets a friendly explanation, never an error."""
        if self._composer is None:
            self.load()
        assert self._composer is not None
        cleaned = strip_chat_markup(question or "")
        if not cleaned:
            return Answer(question="", answered=False, note=texts.EMPTY_QUESTION, invalid=True)
        if not _HAS_WORD.search(cleaned):
            return Answer(question=cleaned, answered=False, note=texts.NOT_A_QUESTION, invalid=True)
        limit = self._settings.search.max_query_chars
        note = texts.TOO_LONG.format(limit=limit) if len(cleaned) > limit else None
        result = self._search.search(_focus(cleaned, limit))
        return self._composer.compose(result, note=note)

    def related(self, topic: str) -> tuple[str, str] | None:
        """One passage of the documents on ``topic`` (its source line and opening), for the end of a
        reflection; passages that are themselves reflection questions are passed over."""
        if self._composer is None:
            self.load()
        assert self._composer is not None
        result = self._search.search(topic[: self._settings.search.max_query_chars], top_k=8)
        if not result.answered:
            return None
        for hit in result.hits:
            sentences = [s for s in split_sentences(hit.passage.text) if not s.endswith("?")]
            if "TIL REFLEKSJON" in hit.passage.section or len(sentences) < 2:
                continue
            excerpt = " ".join(sentences)[:400].rsplit(" ", 1)[0] + " …"
            return self._composer.source(hit.passage).line(), excerpt
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
