"""Sentence windows and answer candidates: what of a passage can answer a question.

A passage is scored for search by its passage vector and by its best *window* of one to three
consecutive sentences, each embedded with the document's owner, title and heading in front (a
window is about one statement, so a short question meets it without the rest of the passage
diluting it). Only *content* sentences form windows: a reflection question, a reference-list
entry, a heading line left in the text or figure debris is not something a leader should be
shown as the answer. A passage without content sentences is not an answer candidate at all (the
KS guide's "TIL REFLEKSJON" boxes, reference lists, tables of contents); the reflection engine
reads those boxes from its own data, not through search.

Everything here is decided by the form of the text, never by a document's particular strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.chunk import split_sentences
from index.documents import Passage

MAX_WINDOW = 3
# A passage needs this much content text to be an answer.
MIN_CONTENT_CHARS = 60
_WORD = re.compile(r"[^\W\d_]+")
_URL = re.compile(r"https?://|www\.|\.no/|\.com/")
# "Bang, H. (2003): Organisasjonskultur." — an entry of a reference list.
_CITATION = re.compile(r"^[-•*]?\s*[A-ZÆØÅ][^\s,]+,\s*(?:[A-ZÆØÅ]\.\s*)+.*\(\s*(?:19|20)\d\d\s*\)")
_DOT_LEADER = re.compile(r"\.{4,}\s*\d+\s*$")  # "Forord ..... 4": a table of contents
_SENTENCE_END = re.compile(r"[.!;…»)]$")
# What a table or a reference list leaves behind: cells glued into one word ("UtvalgMøtedatoSaksnr."),
# a dot leader, a citation's year at the start ("(2013): Strategisk kompetanseledelse.").
_TABLE_DEBRIS = re.compile(r"[a-zæøå][A-ZÆØÅ]\w*[a-zæøå][A-ZÆØÅ]|\.{4,}|^\(\s*(?:19|20)\d\d")
# A lead-in in running text (a lower-case word before the colon) followed by its items.
# The lead-in is words of running text, one capital at most and no number ("Kapittel 3 Ledelse og
# styring:", "Du er her:", "Del denne siden:" are headings and site chrome, not lead-ins).
_FLATTENED_LIST = re.compile(r"^(?=[^:]{20,}:)[^\W\d_][a-zæøå]*(?:\s+[a-zæøå]+){2,}:\s+\S")
# Headings of sections that hold no answers, by the words such sections are called in Norwegian.
_NON_ANSWER_SECTION = re.compile(r"referanse|litteratur(?:liste)?$|^innhold(?:sfortegnelse)?$", re.I)
# A box of questions to reflect on ("TIL REFLEKSJON"). A converted PDF gives the box no end, so the
# text after it runs on under its heading: the box ends with its last question.
_QUESTION_BOX = re.compile(r"refleksjon", re.I)


@dataclass(frozen=True)
class Window:
    """Sentences ``start`` .. ``start + size - 1`` of one passage."""

    passage: int
    start: int
    size: int
    text: str  # the sentences joined, as shown


def is_question(sentence: str) -> bool:
    return sentence.rstrip(" »«\"'”)").endswith("?")


def is_content(sentence: str) -> bool:
    """A sentence that can state an answer: not a question, a citation, a link, a heading-like
    line (short, mostly capitalised words, no full stop) or debris (few real words)."""
    text = sentence.strip()
    if is_question(text) or _CITATION.search(text) or _URL.search(text) or _DOT_LEADER.search(text):
        return False
    words = _WORD.findall(text)
    real = [w for w in words if len(w) >= 2]
    if len(real) < 4:
        return False
    if sum(len(w) for w in real) < 0.6 * len(text.replace(" ", "")):
        return False  # mostly digits, symbols and one-letter pieces: figure debris
    capitalised = sum(w[0].isupper() for w in real)
    # A lead-in with its items flattened onto one line ("… er: Kommuneplan Økonomiplan") is a sentence.
    ends = text.endswith((".", "!", ":", ";", "…", "»", ")")) or bool(_FLATTENED_LIST.search(text))
    # "Enhetsoppgaver Faglig ledelse Økonomistyring": labels of a figure, or a heading line.
    return not (capitalised > 0.5 * len(real) and not ends)


def is_text(sentence: str) -> bool:
    """A sentence that reads as text beside an answer, though it may be too short to be one:
    content, a short sentence ("Disse benevnes styringsgruppe.") or a lead-in with the items a PDF
    flattened onto its line ("… styringsdokumenter er: Kommuneplan Økonomiplan …"); never a
    heading, a question, a link or debris."""
    text = sentence.strip()
    if is_content(text):
        return True
    if is_question(text) or _CITATION.search(text) or _URL.search(text) or _DOT_LEADER.search(text):
        return False
    if _TABLE_DEBRIS.search(text):
        return False
    real = [w for w in _WORD.findall(text) if len(w) >= 2]
    if len(real) < 2 or sum(len(w) for w in real) < 0.6 * len(text.replace(" ", "")):
        return False
    if len(real) >= 3 and sum(w[0].isupper() for w in real) > 0.5 * len(real) and not _FLATTENED_LIST.search(text):
        return False  # "Utvalg Møtedato Saksnr.", "Se også «Tillit»": a table's header row, a label
    return bool(_SENTENCE_END.search(text) or _FLATTENED_LIST.search(text))


def sentences_of(passage: Passage) -> list[str]:
    return split_sentences(passage.text)


def content_flags(passage: Passage) -> list[bool]:
    """For each sentence of the passage, whether it can state an answer: a content sentence, not
    in a reference list or a table of contents, and not inside a box of reflection questions (the
    box's own instructions, "Tenk deg en situasjon …", are part of it)."""
    sentences = sentences_of(passage)
    heading = passage.heading_path[-1].strip(" :") if passage.heading_path else ""
    if heading and _NON_ANSWER_SECTION.search(heading):
        return [False] * len(sentences)
    flags = [is_content(s) for s in sentences]
    if heading and _QUESTION_BOX.search(heading):
        questions = [i for i, s in enumerate(sentences) if is_question(s)]
        if questions:
            flags[: questions[-1] + 1] = [False] * (questions[-1] + 1)
    return flags


def is_answer_candidate(passage: Passage) -> bool:
    """Whether the passage may be shown as an answer (see the module docstring)."""
    sentences = sentences_of(passage)
    content = sum(len(s) for s, ok in zip(sentences, content_flags(passage), strict=True) if ok)
    return content >= MIN_CONTENT_CHARS


def head(passage: Passage) -> str:
    """The owner, title and heading path a window or passage is embedded under."""
    heading = " › ".join(passage.heading_path)
    parts = [passage.title, heading] if heading else [passage.title]
    owner = passage.owner
    return f"{' – '.join(parts)} ({owner})" if owner and owner not in passage.title else " – ".join(parts)


def passage_windows(passage: Passage, index: int) -> list[Window]:
    """The windows of 1..MAX_WINDOW consecutive content sentences of one answer-candidate passage."""
    if not is_answer_candidate(passage):
        return []
    sentences = sentences_of(passage)
    keep = content_flags(passage)
    windows = []
    for start in range(len(sentences)):
        for size in range(1, MAX_WINDOW + 1):
            end = start + size
            if end > len(sentences) or not all(keep[start:end]):
                break
            windows.append(Window(index, start, size, " ".join(sentences[start:end])))
    return windows


def window_embedded_text(passage: Passage, window: Window) -> str:
    return f"{head(passage)}\n{window.text}"
