"""Find a document's structure: headings, paragraphs and the heading path of every paragraph.

Markdown input (the KS guide, HTML and DOCX after reading) has ``#`` headings. Plain text (web
pages saved as text, PDFs, OCR) has none, so headings are recognised by their shape: numbered
section titles ("3.1 Delegering"), short title lines over a paragraph (news items), and, in text
that was flattened into very long paragraphs, topic words that start a sentence
("Arbeidsgiverrollen Ledere er arbeidsgivere ...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markdown_it import MarkdownIt

from index.documents import Block, Section
from index.owners import OwnerNames

_NUMBERED = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+([A-ZÆØÅ][^\n]{1,80})$")
_LIST_LINE = re.compile(r"^\s*(?:[-•○●▪■◦–]|\d{1,2}[.)])\s+")
_BULLET_ONLY = re.compile(r"^\s*[○●◦•▪■]\s*$")
_INLINE_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_HEADING_DECORATION = re.compile(r"[▶◀►◄•○]")
# In flattened text: a topic word (or a few) at a sentence start, followed by a new sentence.
_INLINE_TOPIC = re.compile(
    r"(?:(?<=^)|(?<=[.!?:]\s)|(?<=[a-zæøå]\s))"
    r"([A-ZÆØÅ][a-zæøå\-]{5,}(?:\s(?:og|i|for|av|[a-zæøå]{4,})){0,3})"
    r"\s(?=[A-ZÆØÅ][a-zæøå]*\s[a-zæøå])"
)
_MIN_SECTION_CHARS = 200


def markdown_blocks(text: str) -> list[Block]:
    """Headings and paragraphs of Markdown text, inline marks removed."""
    text = _join_orphan_bullets(text)
    tokens = MarkdownIt("commonmark").parse(text)
    blocks: list[Block] = []
    level = 0
    in_list = 0
    list_items: list[str] = []
    for token in tokens:
        if token.type == "heading_open":
            level = int(token.tag[1:])
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
            if in_list == 0 and list_items:
                blocks.append(Block("\n".join(f"- {item}" for item in list_items)))
                list_items = []
        elif token.type == "inline":
            content = _plain_inline(token.content)
            if not content:
                level = 0
                continue
            if level:
                heading = _clean_heading(content)
                if heading:
                    blocks.append(Block(heading, heading_level=level))
                level = 0
            elif in_list:
                list_items.append(content)
            else:
                blocks.append(Block(content))
    return blocks


def plain_blocks(text: str) -> list[Block]:
    """Headings and paragraphs of plain text, headings recognised by their shape."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    raw: list[Block] = []
    for paragraph in paragraphs:
        lines = [line.rstrip() for line in paragraph.split("\n") if line.strip()]
        body: list[str] = []
        for index, line in enumerate(lines):
            heading = _numbered_heading(lines, index)
            if heading is None:
                body.append(line)
                continue
            _add_body(raw, body)
            body = []
            raw.append(heading)
        _add_body(raw, body)
    return _promote_title_lines(raw)


def _numbered_heading(lines: list[str], index: int) -> Block | None:
    """A numbered section title ("3.1 Delegering"), but not an item of a numbered list."""
    match = _NUMBERED.match(lines[index].strip())
    if match is None or not _is_heading_text(match.group(2)):
        return None
    neighbours = [lines[i] for i in (index - 1, index + 1) if 0 <= i < len(lines)]
    if any(_NUMBERED.match(n.strip()) for n in neighbours):
        return None
    depth = match.group(1).count(".") + 1
    return Block(f"{match.group(1)} {match.group(2).strip()}", heading_level=depth)


def _add_body(raw: list[Block], lines: list[str]) -> None:
    if not lines:
        return
    body = _join_lines(lines)
    if not _is_debris(body):
        raw.append(Block(body))


def sections(
    blocks: Iterable[Block], *, split_long_paragraphs_at: int | None = None, owner: OwnerNames | None = None
) -> list[Section]:
    """Group body blocks under their heading path; tiny sections join the one before them.

    ``owner``: the document owner's names, which are never an inline topic heading (see
    ``_split_inline_topics``).
    """
    blocks = list(blocks)
    if split_long_paragraphs_at is not None and sum(1 for b in blocks if b.is_heading) <= 1:
        blocks = _split_inline_topics(blocks, split_long_paragraphs_at, owner or OwnerNames(()))
    path: list[tuple[int, str]] = []
    result: list[Section] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            result.append(Section(tuple(title for _, title in path), tuple(current)))
            current.clear()

    for block in blocks:
        if block.is_heading:
            flush()
            while path and path[-1][0] >= block.heading_level:
                path.pop()
            path.append((block.heading_level, block.text))
        else:
            current.append(block.text)
    flush()
    return _merge_small(result)


def _join_orphan_bullets(text: str) -> str:
    # PDF conversions put a bullet sign alone on a line before its item: make it a list item.
    lines = text.split("\n")
    out: list[str] = []
    pending = False
    for line in lines:
        if _BULLET_ONLY.match(line):
            pending = True
            continue
        if pending and line.strip():
            out.append(f"- {line.strip()}")
            pending = False
            continue
        out.append(line)
    return "\n".join(out)


def _plain_inline(content: str) -> str:
    content = content.replace("\\", "")
    previous = None
    while previous != content:
        previous = content
        content = _INLINE_EMPHASIS.sub(r"\2", content)
    return " ".join(content.split())


def _clean_heading(text: str) -> str:
    text = _HEADING_DECORATION.sub("", text).strip(" :*#")
    return text if re.search(r"[A-Za-zÆØÅæøå]{2,}", text) else ""


def _is_heading_text(text: str) -> bool:
    text = text.strip()
    words = text.split()
    letters = sum(ch.isalpha() for ch in text)
    return (
        0 < len(words) <= 10
        and len(text) <= 80
        and len(words[0]) >= 3
        and letters >= 0.7 * len(text.replace(" ", ""))
        and not re.search(r"[,=|\[\]{}<>]", text)
        and not text.endswith((".", ";", "!", "?"))
        and (not text.endswith(":") or len(words) <= 3)
    )


_BULLET_SIGN = re.compile(r"^[•○●▪■◦–]\s+")


def _join_lines(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        stripped = _BULLET_SIGN.sub("- ", line.strip())  # one list marker for every bullet sign
        if _LIST_LINE.match(stripped) or not out:
            out.append(stripped)
        elif out[-1].endswith("-") and not out[-1].endswith(" -") and stripped[:1].islower():
            out[-1] = out[-1][:-1] + stripped  # a word hyphenated at the line end
        else:
            out[-1] = f"{out[-1]} {stripped}"
    return "\n".join(out)


def _is_debris(text: str) -> bool:
    """Residue with almost no letters. (Figure debris of scans and PDFs is dropped before, in
    ``index.debris``; a stack of short lines here is a list of values or names, and stays.)"""
    letters = sum(ch.isalpha() for ch in text)
    return letters < 4 or letters < 0.5 * len(text)


def _promote_title_lines(blocks: list[Block]) -> list[Block]:
    """A short one-line paragraph over a longer one is a heading (news titles, "Innledning"); one
    over a paragraph that starts in lower case is the subject of that paragraph's first sentence
    ("Tekniske tenester" / "omfattar kommunale bygg …") and is joined to it."""
    has_numbered = any(b.is_heading for b in blocks)
    out: list[Block] = []
    numbered_level = 0
    joined = False
    for index, block in enumerate(blocks):
        if joined:
            joined = False
            continue
        if block.is_heading:
            numbered_level = block.heading_level
            out.append(block)
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if (
            "\n" not in block.text
            and not block.text.rstrip().endswith((".", ":", "!", "?"))
            and following is not None
            and not following.is_heading
            and following.text[:1].isalpha()
            and following.text[:1].islower()
        ):
            out.append(Block(f"{block.text.strip()} {following.text}"))
            joined = True
        elif (
            "\n" not in block.text
            and _is_heading_text(block.text)
            and block.text[:1].isupper()
            and following is not None
            and not following.is_heading
            and len(following.text) > len(block.text)
            and not _LIST_LINE.match(block.text)
            and not _LIST_LINE.match(following.text)  # a lead-in to a list, not a title
            and not _is_short_line(following)  # one of several short lines: a list of values, not a title
        ):
            level = numbered_level + 1 if has_numbered else 1
            out.append(Block(block.text.rstrip(":").strip(), heading_level=level))
        else:
            out.append(block)
    return out


def _is_short_line(block: Block) -> bool:
    return not block.is_heading and "\n" not in block.text and _is_heading_text(block.text)


def _split_inline_topics(blocks: list[Block], min_length: int, owner: OwnerNames) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if block.is_heading or len(block.text) < min_length:
            out.append(block)
            continue
        cursor = 0
        for match in _INLINE_TOPIC.finditer(block.text):
            if owner.only_names(match.group(1)):
                # The owner's name alone titles no section. Straight after a topic it ends that title
                # ("Lederplattform for | Fjellvik kommune | Lederplattformen skal …"); after text it
                # ends the sentence whose full stop a transcript lost ("… alle ansatte i Fjellvik
                # kommune Etisk kvalitet …") and stays in it.
                if cursor and out[-1].is_heading and not block.text[cursor : match.start()].strip():
                    out[-1] = Block(f"{out[-1].text} {match.group(1)}", heading_level=out[-1].heading_level)
                    cursor = match.end()
                continue
            before = block.text[cursor : match.start()].strip()
            if before:
                out.append(Block(before))
            out.append(Block(match.group(1), heading_level=2))
            cursor = match.end()
        rest = block.text[cursor:].strip()
        if rest:
            out.append(Block(rest))
    return out


def _merge_small(found: list[Section]) -> list[Section]:
    if len(found) > 1 and not found[0].heading_path and sum(len(p) for p in found[0].paragraphs) < _MIN_SECTION_CHARS:
        # A document's title lines alone are no passage: they lead the first section instead.
        first, second = found[0], found[1]
        found = [Section(second.heading_path, (" – ".join(first.paragraphs),) + second.paragraphs), *found[2:]]
    merged: list[Section] = []
    for section in found:
        size = sum(len(p) for p in section.paragraphs)
        if merged and size < _MIN_SECTION_CHARS and section.heading_path[:-1] == merged[-1].heading_path[:-1]:
            previous = merged[-1]
            # Keep the small section's title in the text so its words stay searchable.
            title = section.heading_path[-1] if section.heading_path else ""
            paragraphs = (
                (f"{title}: {section.paragraphs[0]}",) + section.paragraphs[1:] if title else section.paragraphs
            )
            merged[-1] = Section(previous.heading_path, previous.paragraphs + paragraphs)
        else:
            merged.append(section)
    return merged
