"""Compose an extractive answer: the sentences that answer, the part of the passage around them,
the sources and "Se også".

Nothing is generated: every sentence shown is a sentence of a source document. The answer
sentences are chosen among the passage's sentence windows (1–3 consecutive content sentences,
index/windows.py) by meaning (the window's cosine to the question) and by the question's rare
words, so a heading, a reflection question, a lone lead-in or debris is never marked. The tier
of the search decides how the answer is presented: ``sure`` as the answer, ``unsure`` plainly as
the closest match, ``none`` as the honest "nothing certain" with what to do instead.

Example:
    >>> composer = AnswerComposer(home="Heim kommune", hr_contact="HR", labels={}, idf=idf, terms=terms,
    ...                           windows=index_windows)
    >>> answer = composer.compose(search_result)
    >>> print(render_text(answer))
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot import texts
from bot.search import Hit, SearchResult
from index.chunk import CARRIED, split_sentences
from index.documents import Passage
from index.owners import OwnerNames
from index.text import idf
from index.windows import is_content, is_question, is_text

MAX_SEE_ALSO = 2
MAX_LIST_ITEMS = 6
# An item of a numbered list ("1. Organisasjonsforståelse …", "b) …"), read like a bullet.
_NUMBERED_ITEM = re.compile(r"(?:\d{1,2}|[a-z])[.)] +\S")
SHOWN_CHARS = 900  # the shown part of the passage around the answer ("Vis mer" gives all of it)
_URL = re.compile(r"https?://\S+|www\.\S+")
# A sentence that stops on a short lower-case word with no closing mark after it ("… tid til", "… har et").
_DANGLING = re.compile(r"\s[a-zæøå]{1,3}$")

# (first sentence, number of sentences, cosine to the question) of every window of a passage.
WindowScores = Callable[[Passage, np.ndarray | None], list[tuple[int, int, float]]]


@dataclass(frozen=True)
class Source:
    """Where a passage comes from, as a source line shows it; ``sentence`` is its best sentence
    when the source is listed under "Se også"."""

    document_id: str
    title: str
    section: str
    owner: str
    label: str  # "Heim kommune – styringsdokument"
    is_home: bool
    sentence: str = ""

    def line(self) -> str:
        section = texts.SECTION.format(section=self.section) if self.section else ""
        return texts.SOURCE.format(title=self.title, section=section, label=self.label)


@dataclass(frozen=True)
class Answer:
    """An extractive answer in one of three tiers, or an honest "nothing certain" (``answered`` False)."""

    question: str
    answered: bool  # tier is "sure" or "unsure"
    sentences: tuple[str, ...] = ()
    passage: str = ""  # the shown part of the passage
    source: Source | None = None
    see_also: tuple[Source, ...] = ()
    hr_contact: str = ""
    note: str | None = None
    invalid: bool = False  # the input held no question (empty, only a mention, only emoji)
    tier: str = "none"  # "sure" | "unsure" | "none"
    full_passage: str = ""  # the whole passage, for "Vis mer"
    origin: str = ""  # "Eksempel fra Trondheim kommune" / "Nasjonal veiledning fra KS"
    context: str | None = None  # the previous question a follow-up was read with

    def to_json(self) -> dict[str, Any]:
        """The answer contract of ``lederbot ask --json`` (see ../shared/eval/answers.py)."""
        return {
            "query": self.question,
            "confidence": self.tier if self.answered else "none",
            "sentences": list(self.sentences) if self.answered else [],
            "passage": (
                {
                    "text": self.passage,
                    "document": self.source.document_id,
                    "title": self.source.title,
                    "section": self.source.section,
                    "owner": self.source.owner,
                }
                if self.answered and self.source is not None
                else None
            ),
            "see_also": [
                {"document": s.document_id, "title": s.title, "section": s.section, "sentence": s.sentence}
                for s in self.see_also
            ]
            if self.answered
            else [],
        }


@dataclass(frozen=True)
class ComposeSettings:
    """Fitted with the search (bot/fitted.json, "answer"): how sentences and sources are chosen."""

    lexical_weight: float = 0.05  # weight of the question's rare words against a window's cosine
    length_penalty: float = 0.01  # per sentence beyond the first: the shortest window that answers
    home_margin: float = 0.0  # a home passage leads when its fused score is this close to the best
    see_also_margin: float = 0.03  # a "Se også" source's fused score is this close to the answer's


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
        windows: WindowScores | None = None,
        national: frozenset[str] = frozenset(),
        owners: Mapping[str, str] | None = None,
        settings: ComposeSettings | None = None,
    ) -> None:
        if not home:
            raise ValueError("home must name the home municipality")
        self._home = home
        self._hr = hr_contact
        self._labels = dict(labels)
        self._idf = idf
        self._terms = terms
        self._windows = windows
        self._national = national  # document ids of national guidance
        # Each way a name is written ("Lørenskog kommune", "lorenskog", "KS") → the owner it names.
        self._names_of = {n: owner for owner, short in (owners or {}).items() for n in (owner, short) if n}
        self._owners = OwnerNames(self._names_of)
        self._settings = settings or ComposeSettings()
        # The documents' sentences recur from question to question: stem each once (bounded).
        self._sentence_terms = functools.lru_cache(maxsize=50_000)(lambda sentence: frozenset(terms(sentence)))

    def compose(self, result: SearchResult, *, note: str | None = None, vector: np.ndarray | None = None) -> Answer:
        if not result.answered or not result.hits:
            return Answer(question=result.query, answered=False, hr_contact=self._hr, note=note)
        lead = self.lead(result.query, result.hits)
        chosen, sentences = self.answer_sentences(result.query, lead.passage, vector)
        source = self.source(lead.passage)
        see_also: list[Source] = []
        # One source per section: another section of the lead's own document often holds the rest
        # of the answer (the delegation rules and the authority levels of the same governance document),
        # and so may the next passage of the lead's own section ("Kan en enhetsleder delegere videre?").
        seen: set[tuple[str, tuple[str, ...]]] = set()
        shown = set(split_sentences(lead.passage.text))
        for hit in result.hits:
            if len(see_also) >= MAX_SEE_ALSO:
                break
            if hit.passage.id == lead.passage.id or _section_key(hit.passage) in seen:
                continue
            if hit.score < lead.score - self._settings.see_also_margin:
                continue
            _, best = self.answer_sentences(result.query, hit.passage, vector, max_sentences=2)
            # Passages of a section overlap by a sentence: what the lead shows already is no "Se også".
            if best and not shown.issuperset(best) and not _cut_off(best[-1]):
                seen.add(_section_key(hit.passage))
                see_also.append(Source(**{**self.source(hit.passage).__dict__, "sentence": " ".join(best)}))
        origin = ""
        if not source.is_home:
            template = texts.NATIONAL_GUIDANCE if source.document_id in self._national else texts.EXAMPLE_FROM
            origin = template.format(owner=self._short_owner(lead.passage))
        return Answer(
            question=result.query,
            answered=True,
            sentences=tuple(sentences),
            passage=shown_passage(lead.passage.text, chosen, carried=lead.passage.extra.get(CARRIED) == "1"),
            source=source,
            see_also=tuple(see_also),
            hr_contact=self._hr,
            note=note,
            tier=result.tier,
            full_passage=lead.passage.text,
            origin=origin,
        )

    def lead(self, question: str, hits: tuple[Hit, ...]) -> Hit:
        """The passage to show: a municipality the question names leads; otherwise the home
        municipality's passage when it scores about as well as the best (local rules lead)."""
        named = self._owners.named(question)
        if named:
            return next((h for h in hits if h.passage.owner in named), hits[0])
        best = hits[0]
        if best.passage.owner == self._home:
            return best
        for hit in hits[1:3]:
            if hit.passage.owner == self._home and hit.score >= best.score - self._settings.home_margin:
                return hit
        return best

    def without_other_owners(self, context: str, question: str) -> str:
        """``context`` without the municipalities it names when ``question`` names another one
        ("… i Lørenskog?" then "og i Heim?": the follow-up is about Heim)."""
        named = self._owners.named(question)
        if not named:
            return context
        others = OwnerNames({n: owner for n, owner in self._names_of.items() if owner not in named})
        return others.strip(context)

    def answer_sentences(
        self, question: str, passage: Passage, vector: np.ndarray | None, *, max_sentences: int = 3
    ) -> tuple[list[int], list[str]]:
        """The sentences of ``passage`` that answer (their indices and text): the best window by
        cosine and rare shared words; a list lead-in brings its items."""
        sentences = split_sentences(passage.text)
        windows = self._windows(passage, vector) if self._windows is not None else []
        windows = [w for w in windows if w[1] <= max_sentences]
        if not windows:  # no vectors at hand: single content sentences by shared words alone
            windows = [(i, 1, 0.0) for i, s in enumerate(sentences) if is_content(s)]
        if not windows:
            return [], []
        wanted = set(self._terms(question))
        total = sum(self._idf(t) for t in wanted) or 1.0
        settings = self._settings

        def score(window: tuple[int, int, float]) -> float:
            start, size, cosine = window
            if not settings.lexical_weight:
                return cosine - settings.length_penalty * (size - 1)
            found = frozenset().union(*map(self._sentence_terms, sentences[start : start + size])) & wanted
            lexical = sum(self._idf(t) for t in found) / total
            return cosine + settings.lexical_weight * lexical - settings.length_penalty * (size - 1)

        for start, size, _ in sorted(windows, key=lambda w: (-score(w), w[1], w[0])):
            window = list(range(start, start + size))
            # A "Se også" sentence is one or two sentences, not a whole list.
            chosen = _with_list_items(sentences, _from_list_start(sentences, window) if max_sentences > 2 else window)
            while chosen and sentences[chosen[-1]].rstrip().endswith(":"):
                chosen = chosen[:-1]  # a lead-in with nothing after it in the passage is not an answer
            if chosen:
                return chosen, [sentences[i] for i in chosen]
        return [], []

    def source(self, passage: Passage) -> Source:
        return Source(
            document_id=passage.document_id,
            title=passage.title,
            section=passage.heading_path[-1] if passage.heading_path else "",
            owner=passage.owner,
            label=self._labels.get(passage.document_id, passage.owner),
            is_home=passage.owner == self._home,
        )

    def _short_owner(self, passage: Passage) -> str:
        label = self._labels.get(passage.document_id, "")
        return label.split(" – ")[0] if label else passage.owner


def shown_passage(text: str, chosen: list[int], *, carried: bool = False) -> str:
    """The part of the passage around the chosen sentences, about SHOWN_CHARS long, without debris
    or links; list items and lines keep their line breaks. A ``carried`` first sentence (the end of
    the passage before, repeated for the search) is shown only when it is part of the answer."""
    lines = [(s, n == 0) for line in text.split("\n") for n, s in enumerate(split_sentences(line))]
    if not lines:
        return ""
    if not chosen:
        chosen = [0]
    keep = {i for i in chosen if i < len(lines)}
    size = sum(len(lines[i][0]) for i in keep)
    low, high = min(keep), max(keep)
    for distance in range(1, len(lines)):
        if size >= SHOWN_CHARS:
            break
        for i in (high + distance, low - distance):  # after first: an answer is explained by what follows
            if (carried and i == 0) or not (0 <= i < len(lines)):
                continue
            if size < SHOWN_CHARS and _showable(lines[i][0]):
                keep.add(i)
                size += len(lines[i][0])
    out = ""
    for i in sorted(keep):
        sentence, new_line = lines[i]
        out = f"{out}{chr(10) if new_line else ' '}{sentence}" if out else sentence
    return out


def _cut_off(sentence: str) -> bool:
    """A sentence a page break or a box cut short ("Dine medarbeidere må bruke unødvendig tid til"):
    no closing mark, not a list item, and a lower-case word of at most three letters last."""
    text = sentence.rstrip()
    return not _is_item(text) and bool(_DANGLING.search(text))


def _section_key(passage: Passage) -> tuple[str, tuple[str, ...]]:
    return passage.document_id, passage.heading_path


def _showable(sentence: str) -> bool:
    # A list of questions is a box of reflection questions, not part of an answer's text.
    return not _URL.search(sentence) and (is_text(sentence) or (_is_item(sentence) and not is_question(sentence)))


def _is_item(sentence: str) -> bool:
    return sentence.startswith(("- ", "• ")) or bool(_NUMBERED_ITEM.match(sentence))


def _from_list_start(sentences: list[str], chosen: list[int]) -> list[int]:
    """Items of a list are read together: a window inside a list starts at the list's lead-in (or its
    first item) when the list up to the window is short enough to show whole."""
    if not _is_item(sentences[chosen[0]]):
        return chosen
    first = chosen[0]
    while first > 0 and _is_item(sentences[first - 1]):
        first -= 1
    if first > 0 and sentences[first - 1].rstrip().endswith(":") and is_content(sentences[first - 1]):
        first -= 1
    if chosen[-1] - first + 1 > MAX_LIST_ITEMS + 1:
        return chosen
    return list(range(first, chosen[-1] + 1))


def _with_list_items(sentences: list[str], chosen: list[int]) -> list[int]:
    """The chosen sentences; one that introduces something ("Med lojalitet forstår vi:") brings
    what it introduces: its list items (and a nested lead-in's), or else the sentence after it."""
    picked: set[int] = set()
    for i in chosen:
        picked.add(i)
        if not sentences[i].rstrip().endswith(":"):
            continue
        j = i + 1
        while j < len(sentences) and j - i <= MAX_LIST_ITEMS:
            if is_question(sentences[j]):
                break  # a list of reflection questions is not what a statement introduces
            item = _is_item(sentences[j]) or sentences[j].rstrip().endswith(":")
            if not item and j > i + 1:
                break
            picked.add(j)
            j += 1
            if not item:
                break
    return sorted(picked)


def idf_table(document_frequency: Mapping[str, int], total: int) -> Callable[[str], float]:
    """BM25's idf for a term, 0 for a term the index has never seen."""

    def of(term: str) -> float:
        df = document_frequency.get(term, 0)
        return idf(df, total) if df else 0.0

    return of


def render_text(answer: Answer) -> str:
    """The answer as plain text for the terminal: answering sentences marked with »…«; an unsure
    answer says so first."""
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
    if answer.origin:
        lines.append(f"({answer.origin})")
    lines.append(texts.UNSURE_INTRO if answer.tier == "unsure" else texts.ANSWER_INTRO)
    lines.extend(f"  » {s} «" for s in answer.sentences)
    lines.append("")
    lines.append(_mark(answer.passage, answer.sentences))
    lines.append("")
    if answer.source:
        lines.append(answer.source.line())
    for also in answer.see_also:
        lines.append(f"{texts.SEE_ALSO}: {also.line().removeprefix('Kilde: ')}")
        if also.sentence:
            lines.append(f"  «{also.sentence}»")
    return "\n".join(lines)


def _mark(passage: str, sentences: tuple[str, ...]) -> str:
    for sentence in sentences:
        passage = passage.replace(sentence, f"»{sentence}«", 1)
    return passage
