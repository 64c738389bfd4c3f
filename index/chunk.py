"""Cut sections into passages of whole sentences, at most ``max_chars`` long.

A passage never cuts a sentence. Only a single "sentence" longer than the limit (text flattened
without punctuation) is divided, first where a capitalised word starts a new clause, then at
commas, and last between words.
"""

from __future__ import annotations

import re

from index.documents import DocumentMeta, Passage, Section

# Norwegian abbreviations that end in a full stop without ending the sentence.
ABBREVIATIONS = (
    "f.eks",
    "bl.a",
    "m.m",
    "m.v",
    "mv",
    "dvs",
    "jf",
    "jfr",
    "pkt",
    "nr",
    "ca",
    "osv",
    "iht",
    "hht",
    "inkl",
    "evt",
    "ift",
    "ref",
    "kap",
    "tlf",
    "ev",
    "ang",
    "vedr",
    "mht",
    "pga",
    "etc",
    "fl",
    "m.fl",
    "St",
    "Kr",
    "kl",
    "sek",
    "avd",
    "ass",
    "tidl",
    "hhv",
    "o.l",
    "e.l",
    "bl",
    "p.t",
    "vs",
)
_ABBREV_END = re.compile(r"(?:^|[\s(])(?:" + "|".join(re.escape(a) for a in ABBREVIATIONS) + r")\.$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…»\"”])\s+(?=[«\"(“]?[A-ZÆØÅ0-9])")
_MAX_OVERLAP = 300
# Passage.extra key: the passage's first line is the last sentence of the passage before it.
CARRIED = "carried"
_LIST_ITEM = re.compile(r"^(?:- |\d{1,2}[.)] )")
_CLAUSE_START = re.compile(r"(?<=[a-zæøå0-9)]) (?=[A-ZÆØÅ][a-zæøå]+ [a-zæøå])")


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph; list lines are sentences of their own."""
    sentences: list[str] = []
    for line in paragraph.split("\n"):
        line = line.strip()
        if not line:
            continue
        start = 0
        for match in _SENTENCE_END.finditer(line):
            candidate = line[start : match.start()]
            if _ABBREV_END.search(candidate) or re.search(r"\b\d{1,2}\.$", candidate):
                continue  # "f.eks." or a date/ordinal such as "26. juni"
            sentences.append(candidate.strip())
            start = match.end()
        tail = line[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def chunk_sections(meta: DocumentMeta, found: list[Section], *, max_chars: int = 1200) -> list[Passage]:
    """Passages for one document, numbered in reading order."""
    if max_chars < 100:
        raise ValueError(f"max_chars must be at least 100, got {max_chars}")
    passages: list[Passage] = []
    for section in found:
        units: list[tuple[str, bool]] = []  # (sentence, starts a new line)
        for paragraph in section.paragraphs:
            for i, sentence in enumerate(split_sentences(paragraph)):
                is_list = _LIST_ITEM.match(sentence) is not None
                for piece in _fit(sentence, max_chars):
                    units.append((piece, i == 0 or is_list))
        for text, carried in _packed(units, max_chars, overlap=True):
            passages.append(
                Passage(
                    id=f"{meta.id}#{len(passages)}",
                    document_id=meta.id,
                    title=meta.title,
                    owner=meta.owner,
                    heading_path=section.heading_path,
                    position=len(passages),
                    text=text,
                    # The first line ends the passage before: context for the search, not for the reader.
                    extra={CARRIED: "1"} if carried else {},
                )
            )
    return passages


def _pack(units: list[tuple[str, bool]], max_chars: int) -> list[str]:
    return [text for text, _ in _packed(units, max_chars)]


def _packed(units: list[tuple[str, bool]], max_chars: int, *, overlap: bool = False) -> list[tuple[str, bool]]:
    """Pack sentences greedily into passages; with ``overlap`` each passage after the first starts
    with the last sentence of the one before (when that is short), so an answer that spans a
    boundary is whole in one passage. Each passage comes with whether it starts with such a sentence.

    (Balancing the sizes was measured too: it lowered MRR on the dev set from 0.90 to 0.87.)
    """
    groups: list[list[tuple[str, bool]]] = [[]]
    starts_carried = [False]
    size = 0
    fresh = 0  # sentences of the current group that are not carried over
    for k, unit in enumerate(units):
        length = len(unit[0]) + 1
        if fresh and size + length > max_chars:
            # A list is read whole: its lead-in and first items move on with the rest of it.
            moved = _list_start(groups[-1][int(starts_carried[-1]) :], units[k:], max_chars) if overlap else []
            if moved:
                del groups[-1][-len(moved) :]
            carried = groups[-1][-1]
            groups.append([])
            starts_carried.append(False)
            size = 0
            if moved:
                groups[-1].extend(moved)
                size = sum(len(m[0]) + 1 for m in moved)
            elif overlap and len(carried[0]) <= _MAX_OVERLAP and len(carried[0]) + 1 + length <= max_chars:
                groups[-1].append((carried[0], True))
                starts_carried[-1] = True
                size = len(carried[0]) + 1
            fresh = len(moved)
        groups[-1].append(unit)
        size += length
        fresh += 1
    joined = [(_join(group), carried) for group, carried in zip(groups, starts_carried, strict=True)]
    return [(text, carried) for text, carried in joined if text]


def _list_start(group: list[tuple[str, bool]], rest: list[tuple[str, bool]], max_chars: int) -> list[tuple[str, bool]]:
    """The end of ``group`` that starts the list ``rest`` goes on with (its lead-in, "… er beskrevet
    slik:", and first items), when the whole list fits in one passage and ``group`` keeps other text."""
    if not rest or not _LIST_ITEM.match(rest[0][0]):
        return []
    start = len(group)
    while start > 0 and _LIST_ITEM.match(group[start - 1][0]):
        start -= 1
    if start > 0 and not group[start - 1][0].rstrip().endswith((".", "!", "?", "»", ")")):
        start -= 1  # its lead-in: "… er beskrevet slik:", "Ledere i Levanger kommune skal"
    if start == 0 or start == len(group):
        return []
    items = next((i for i, u in enumerate(rest) if not _LIST_ITEM.match(u[0])), len(rest))
    whole = sum(len(u[0]) + 1 for u in group[start:] + rest[:items])
    return group[start:] if whole <= max_chars else []


def _join(group: list[tuple[str, bool]]) -> str:
    text = ""
    for sentence, new_line in group:
        text = f"{text}{chr(10) if new_line else ' '}{sentence}" if text else sentence
    return text


def _fit(sentence: str, max_chars: int) -> list[str]:
    """One sentence, or the pieces of an over-long one."""
    if len(sentence) <= max_chars:
        return [sentence]
    for pattern in (_CLAUSE_START, re.compile(r"(?<=[,;:])\s+"), re.compile(r"\s+")):
        pieces = [p for p in pattern.split(sentence) if p.strip()]
        if len(pieces) > 1:
            packed = _pack([(p, False) for p in pieces], max_chars)
            if all(len(p) <= max_chars for p in packed):
                return packed
            return [part for p in packed for part in _fit(p, max_chars)]
    # A single word longer than the limit: cut it, there is nothing else to keep whole.
    return [sentence[i : i + max_chars] for i in range(0, len(sentence), max_chars)]
