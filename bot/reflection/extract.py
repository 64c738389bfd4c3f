"""Extract the reflection questions of KS' "Guide til god ledelse" into versioned prompt sets.

The guide's "TIL REFLEKSJON" boxes came out of the PDF as a marker line with the questions just
after it ("TIL REFLEKSJON ▶", "TIL REFLEKSJON") or just before it ("◀ TIL REFLEKSJON"). A box's
theme is the section it stands in, found by the layout's rules: archetype boxes («EFFEKTJEGEREN»)
and numbered sub-items ("1 Mellom folkevalgte …") are not sections; and where two boxes follow
the same heading, the first was pushed past the end of the section before it by the page layout.
(Choosing by embedding similarity was tried and picked the wrong heading for three boxes.)
The guide's questions for leader groups ("Flere viktige spørsmål …") and for the
utviklingssamtale are lists under their headings.

The result is checked in (knowledge/reflections/*.yaml, written by bot/reflection/catalog.py); a
question whose text changes gets a new version, so answers keep the version they answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.reflection.catalog import Prompt, Theme, version_of
from index.text import fold

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_MARKER = re.compile(r"^\s*(#+\s*)?(◀\s*)?TIL REFLEKSJON(\s*▶)?\s*$")
_BULLET = re.compile(r"^\s*(?:[-○•*]\s*)+")
GROUP_SECTION = "FLERE VIKTIGE SPØRSMÅL"
TALK_SECTION = "Utviklingssamtalen"


@dataclass
class _Box:
    questions: list[str]
    heading: int  # index of the section heading the box stands in


def sentence_case(heading: str) -> str:
    """ "Å LEGGE TIL RETTE FOR MESTRING" → "Å legge til rette for mestring"; mixed case is kept."""
    heading = re.sub(r"[*#▶◀]", "", heading).strip()
    if heading.isupper():
        heading = heading[:1] + heading[1:].lower()
    # "ORGANISASJONS-KULTUR": a compound split at a line end in the PDF; a linking -s- never takes a hyphen.
    heading = re.sub(r"(\w{4,}s)-(\w{3,})", r"\1\2", heading)
    return re.sub(r"\s+", " ", heading)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _is_question(line: str) -> bool:
    line = line.strip()
    return 10 < len(line) < 300 and line.endswith("?")


def find_boxes(text: str) -> tuple[list[_Box], list[str]]:
    """Every TIL REFLEKSJON box, and the section headings it can belong to."""
    lines = [line.rstrip() for line in text.splitlines()]
    headings: list[str] = []
    boxes: list[_Box] = []
    for index, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading and not _MARKER.match(line):
            title = heading.group(2).strip("* ")
            is_section = (
                bool(re.search(r"[A-Za-zÆØÅæøå]{3,}", title))
                and not title.startswith("«")  # an archetype box, not a section
                and not re.match(r"^\d+\s", title)  # a numbered sub-item of the section
            )
            if is_section:
                headings.append(title)
            continue
        marker = _MARKER.match(line)
        if not marker:
            continue
        step = -1 if marker.group(2) else 1
        questions: list[str] = []
        cursor = index + step
        while 0 <= cursor < len(lines):
            candidate = _BULLET.sub("", lines[cursor]).strip()
            if not candidate:
                cursor += step
                continue
            if not _is_question(candidate):
                break
            questions.append(candidate)
            cursor += step
        if step < 0:
            questions.reverse()
        if questions and headings:
            boxes.append(_Box(questions=questions, heading=len(headings) - 1))
    # Two boxes under one heading: the page layout pushed the first past its own section's end.
    for first, second in zip(boxes, boxes[1:], strict=False):
        if first.heading == second.heading and first.heading > 0:
            first.heading -= 1
    return boxes, headings


def list_sections(text: str, parent: str) -> list[tuple[str, list[str]]]:
    """(heading, list items) for each subsection under the heading that contains ``parent``."""
    out: list[tuple[str, list[str]]] = []
    inside = False
    parent_level = 0
    current: tuple[str, list[str]] | None = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            title = heading.group(2).strip("* ")
            if parent.lower() in title.lower():
                inside, parent_level, current = True, level, None
                continue
            if inside and level <= parent_level:
                inside = False
            if inside:
                current = (title, [])
                out.append(current)
            continue
        if inside and current is not None and line.lstrip().startswith(("-", "•", "○")):
            item = _BULLET.sub("", line).strip()
            if item:
                current[1].append(item if item.endswith("?") else f"{item}?")
    return [entry for entry in out if entry[1]]


def extract_themes(text: str) -> list[Theme]:
    """All prompt sets of the guide: its TIL REFLEKSJON boxes, group questions and utviklingssamtale."""
    themes: list[Theme] = []
    used: set[str] = set()
    boxes, headings = find_boxes(text)
    for box in boxes:
        title = sentence_case(headings[box.heading])
        theme_id = slug(title)
        while theme_id in used:
            theme_id += "-2"
        used.add(theme_id)
        questions = tuple(Prompt(f"{theme_id}-{i + 1}", version_of(q), q) for i, q in enumerate(box.questions))
        themes.append(Theme.of(theme_id, title, f"TIL REFLEKSJON – {title}", "individual", questions))
    for heading, items in list_sections(text, GROUP_SECTION):
        title = sentence_case(heading)
        theme_id = slug(title)
        questions = tuple(Prompt(f"{theme_id}-{i + 1}", version_of(q), q) for i, q in enumerate(items))
        themes.append(Theme.of(theme_id, title, f"Flere viktige spørsmål – {title}", "group", questions))
    for heading, items in list_sections(text, "VERKTØY FOR UTVIKLING"):
        if TALK_SECTION.lower() in heading.lower():
            title = "Utviklingssamtalen"
            questions = tuple(Prompt(f"utviklingssamtalen-{i + 1}", version_of(q), q) for i, q in enumerate(items))
            themes.append(Theme.of("utviklingssamtalen", title, sentence_case(heading), "development_talk", questions))
    return themes
