"""Compose an extractive answer: the sentences that answer, the passage around them, the sources.

Nothing is generated: every sentence shown is a sentence of a source document. When the search
is not sure, the answer says so and says where to turn instead.

Example:
    >>> composer = AnswerComposer(home="Heim kommune", hr_contact="HR", idf=index_idf)
    >>> answer = composer.compose(search_result)
    >>> print(render_text(answer))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot import texts
from bot.search import Hit, SearchResult
from index.chunk import split_sentences
from index.documents import Passage

MAX_SENTENCES = 3
MAX_SEE_ALSO = 2
MAX_LIST_ITEMS = 6
# A "Se også" source must be nearly as close to the question as the answer itself (cosine).
SEE_ALSO_MARGIN = 0.04
# A home-municipality passage leads when it is this close to the best passage (cosine).
HOME_MARGIN = 0.03


@dataclass(frozen=True)
class Source:
    """Where a passage comes from, as a source line shows it."""

    document_id: str
    title: str
    section: str
    owner: str
    label: str  # "Heim kommune – styringsdokument"
    is_home: bool

    def line(self) -> str:
        section = texts.SECTION.format(section=self.section) if self.section else ""
        return texts.SOURCE.format(title=self.title, section=section, label=self.label)


@dataclass(frozen=True)
class Answer:
    """An extractive answer, or an honest "nothing certain" (``answered`` False)."""

    question: str
    answered: bool
    sentences: tuple[str, ...] = ()
    passage: str = ""
    source: Source | None = None
    example_from: str | None = None  # the owner, when the passage is from another municipality
    see_also: tuple[Source, ...] = ()
    hr_contact: str = ""
    note: str | None = None
    invalid: bool = False  # the input held no question (empty, only a mention, only emoji)


class AnswerComposer:
    """Turns a search result into an ``Answer``."""

    def __init__(
        self,
        *,
        home: str,
        hr_contact: str,
        labels: Mapping[str, str],
        idf: Callable[[str], float],
        terms: Callable[[str], list[str]],
    ) -> None:
        if not home:
            raise ValueError("home must name the home municipality")
        self._home = home
        self._hr = hr_contact
        self._labels = dict(labels)
        self._idf = idf
        self._terms = terms

    def compose(self, result: SearchResult, *, note: str | None = None) -> Answer:
        if not result.answered or not result.hits:
            return Answer(question=result.query, answered=False, hr_contact=self._hr, note=note)
        lead = self._lead(result.hits)
        sentences = self.best_sentences(result.query, lead.passage)
        source = self.source(lead.passage)
        see_also: list[Source] = []
        seen = {lead.passage.document_id}
        for hit in result.hits:
            if len(see_also) >= MAX_SEE_ALSO:
                break
            if hit.passage.document_id not in seen and hit is not lead and hit.dense >= lead.dense - SEE_ALSO_MARGIN:
                seen.add(hit.passage.document_id)
                see_also.append(self.source(hit.passage))
        return Answer(
            question=result.query,
            answered=True,
            sentences=tuple(sentences),
            passage=lead.passage.text,
            source=source,
            example_from=None if source.is_home else lead.passage.owner,
            see_also=tuple(see_also),
            hr_contact=self._hr,
            note=note,
        )

    def _lead(self, hits: tuple[Hit, ...]) -> Hit:
        """The best hit, unless a home-municipality hit is nearly as good: local rules lead."""
        best = hits[0]
        if best.passage.owner == self._home:
            return best
        for hit in hits[1:3]:
            if hit.passage.owner == self._home and hit.dense >= best.dense - HOME_MARGIN:
                return hit
        return best

    def best_sentences(self, question: str, passage: Passage) -> list[str]:
        """The one to three sentences of ``passage`` that share the most (rare) words with the question."""
        sentences = split_sentences(passage.text)
        if not sentences:
            return []
        wanted = set(self._terms(question))
        scores = []
        for sentence in sentences:
            found = set(self._terms(sentence)) & wanted
            scores.append(sum(self._idf(t) for t in found))
        best = max(scores)
        if best <= 0:
            chosen = [0, 1][: len(sentences)]  # the question shares no word (another language): the opening
        else:
            chosen = [i for i, s in enumerate(scores) if s >= 0.6 * best]
            chosen = sorted(sorted(chosen, key=lambda i: -scores[i])[:MAX_SENTENCES])
        return _with_list_items(sentences, chosen)

    def source(self, passage: Passage) -> Source:
        return Source(
            document_id=passage.document_id,
            title=passage.title,
            section=passage.heading_path[-1] if passage.heading_path else "",
            owner=passage.owner,
            label=self._labels.get(passage.document_id, passage.owner),
            is_home=passage.owner == self._home,
        )


def _with_list_items(sentences: list[str], chosen: list[int]) -> list[str]:
    """The chosen sentences; one that introduces a list ("Med lojalitet forstår vi:") brings its items."""
    picked: list[int] = []
    for i in chosen:
        if i in picked:
            continue
        picked.append(i)
        if sentences[i].rstrip().endswith(":"):
            j = i + 1
            while j < len(sentences) and j - i <= MAX_LIST_ITEMS and sentences[j].startswith("- "):
                picked.append(j)
                j += 1
    return [sentences[i] for i in sorted(set(picked))]


def idf_table(document_frequency: Mapping[str, int], total: int) -> Callable[[str], float]:
    """BM25's idf for a term, 0 for a term the index has never seen."""

    def idf(term: str) -> float:
        df = document_frequency.get(term, 0)
        return math.log(1 + (total - df + 0.5) / (df + 0.5)) if df else 0.0

    return idf


def render_text(answer: Answer) -> str:
    """The answer as plain text for the terminal: answering sentences marked with »…«."""
    if answer.invalid:
        return answer.note or texts.EMPTY_QUESTION
    if not answer.answered:
        lines = [texts.NO_ANSWER, texts.NO_ANSWER_REPHRASE]
        if answer.hr_contact:
            lines.append(texts.NO_ANSWER_HR.format(hr_contact=answer.hr_contact))
        if answer.note:
            lines.insert(0, answer.note)
        return "\n".join(lines)
    lines = []
    if answer.note:
        lines.append(answer.note)
    if answer.example_from:
        lines.append(f"({texts.EXAMPLE_FROM.format(owner=answer.example_from)})")
    lines.append(texts.ANSWER_INTRO)
    lines.extend(f"  » {s} «" for s in answer.sentences)
    lines.append("")
    lines.append(_mark(answer.passage, answer.sentences))
    lines.append("")
    if answer.source:
        lines.append(answer.source.line())
    if answer.see_also:
        lines.append(f"{texts.SEE_ALSO}: " + "; ".join(s.line().removeprefix("Kilde: ") for s in answer.see_also))
    return "\n".join(lines)


def _mark(passage: str, sentences: tuple[str, ...]) -> str:
    for sentence in sentences:
        passage = passage.replace(sentence, f"»{sentence}«", 1)
    return passage
