"""Figure debris: what OCR and PDF extraction make of a diagram or a table drawn as a picture.

A figure comes out as a run of short fragments between paragraphs of prose: single words
("Folkevalgte", "offentlige"), labels set side by side in title case ("Konsept Planlegge
Gjennomføre Avslutte"), and marks that are no words at all ("|| ... =", "©", "Q."). None of it
reads as text, and in a passage it pushes the answer out of view, so it is dropped before
chunking.

The rule works on the shape of paragraphs, never on their words:

* a paragraph is *fragmentary* when it has no sentence: short lines that do not end a
  sentence, or lines with no sentence end or break at all (a paragraph ending in a colon
  leads in to a list, and is text);
* it is *garbled* when it holds marks that are no words ("|", "©", "{", a lone letter), or
  when it is a row of capitalised labels with no sentence;
* a run of consecutive fragmentary paragraphs that holds at least one garbled paragraph, or a
  block of fragment lines that recurs in the document (a figure printed on several pages), is a
  figure and is dropped as a whole.

So a real short list ("Respekt og åpenhet", "Ansvar", ...) or a lone title line stays, since it
has no garbled neighbour, and bullet items of a few words stay even inside a figure (a table's
cells that read as text); numbered section headings ("6.1 Modell for ...") always stay, and a
fragment never reaches across one.
"""

from __future__ import annotations

import re
from collections import Counter

# A numbered section heading: never debris, and the end of any run of fragments.
_NUMBERED_HEADING = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2}){0,3}\.?\s+[A-ZÆØÅ@][A-Za-zÆØÅæøå@é]{2,}")
# A list item of a few words ("- Har klare mål og forventninger"): text, even amid a figure's debris.
_LIST_ITEM = re.compile(r"^\s*[-–•*]\s*\S+(?:\s+\S+){2,}")
_SENTENCE_END = re.compile(r"[.!?]\s*$")
# A sentence break inside a line: a word, a full stop, a capitalised word ("mål. Det").
_SENTENCE_BREAK = re.compile(r"[a-zæøå)]{2}[.!?]\s+[A-ZÆØÅ]")
# A word, also one with a letter OCR misread as "@", "&" or "¢" ("@konomi", "s&rlig"): damage the
# repair mends, not debris. A bullet sign glued to the word ("*A") is allowed before it.
_WORD = re.compile(r"^[-*+•»·]?[(«\"']?[A-Za-zÆØÅæøåÉéÜü@&¢][A-Za-zÆØÅæøåÉéÜü@&¢\-]*[)»\"']?[.,:;!?]?$")
_NUMBER = re.compile(r"^[(]?\d+(?:[.,/\-]\d+)*[.,:;)%]?$")
# Bullet signs that OCR and PDF extraction leave at a line start.
_BULLET = re.compile(r"^[-–•·*+»■○●◦▪¢]+$|^[eo]$")
# Punctuation that stands alone in ordinary text ("Sak 8/19 - Ny plattform", "ledere / ansatte").
_TYPOGRAPHY = {"-", "–", "—", "/", "&", "+", ":", "·"}
_SHORT_LINE = 40
_GARBLED_SHARE = 0.15
_TITLE_CASE_SHARE = 0.3
_MIN_TITLE_CASE_WORDS = 6


def drop_figure_debris(text: str) -> str:
    """Remove the figure debris from plain text; every other line stays exactly as it was.

    Example:
        >>> drop_figure_debris("Modellen:\\n\\nFolkevalgte\\nAndre @\\n\\noffentlige\\n\\nTekst. Mer tekst.\\n")
        'Modellen:\\n\\nTekst. Mer tekst.\\n'
    """
    lines = text.split("\n")
    paragraphs = _paragraphs(lines)
    drop: set[int] = set()
    run: list[list[int]] = []
    # A block of several fragment lines printed again and again is a recurring figure, not text.
    seen = Counter(_key(lines, p) for p in paragraphs if len(p) >= 2)
    repeated = {key for key, count in seen.items() if count >= 2}

    def close_run() -> None:
        if any(_key(lines, p) in repeated or _is_garbled([lines[i] for i in p]) for p in run):
            drop.update(i for p in run if not _is_clean_list(lines, p) for i in p)
        run.clear()

    for paragraph in paragraphs:
        block = [lines[i] for i in paragraph]
        if _NUMBERED_HEADING.match(block[0]) or not _is_fragmentary(block):
            close_run()
        else:
            run.append(paragraph)
    close_run()
    if not drop:
        return text
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept))


def _is_clean_list(lines: list[str], paragraph: list[int]) -> bool:
    """Bullet items of a few words each, with nothing garbled: a table's cells that read as text."""
    block = [lines[i] for i in paragraph]
    return bool(_LIST_ITEM.match(block[0])) and not _is_garbled(block)


def _key(lines: list[str], paragraph: list[int]) -> str:
    return "\n".join(" ".join(lines[i].split()) for i in paragraph)


def _paragraphs(lines: list[str]) -> list[list[int]]:
    """Line numbers of each paragraph: blank lines part them, and so does an indented line (OCR's new paragraph)."""
    out: list[list[int]] = []
    current: list[int] = []
    for index, line in enumerate(lines):
        if not line.strip():
            if current:
                out.append(current)
            current = []
            continue
        if current and (line[:1] in (" ", "\t") or _NUMBERED_HEADING.match(line)):
            out.append(current)
            current = []
        current.append(index)
    if current:
        out.append(current)
    return out


def _is_fragmentary(block: list[str]) -> bool:
    """No sentence: short lines that do not end one, or lines with no sentence end or break at all.

    A paragraph that ends with a colon leads in to what follows (a list): it is text.
    """
    stripped = [line.strip() for line in block]
    if stripped[-1].endswith(":"):
        return False
    ends = sum(1 for line in stripped if _SENTENCE_END.search(line))
    if all(len(line) <= _SHORT_LINE for line in stripped) and ends < len(stripped) / 2:
        return True
    joined = " ".join(stripped)
    return not re.search(r"[.!?;]\s*$", joined) and not _SENTENCE_BREAK.search(joined)


def _is_garbled(block: list[str]) -> bool:
    """Marks that are no words, or a row of capitalised labels with no sentence in it."""
    tokens: list[str] = []
    later_words: list[str] = []
    for line in block:
        parts = line.split()
        if parts and _BULLET.match(parts[0]) and len(parts) > 1:
            parts = parts[1:]  # a bullet sign before an item is not debris
        tokens.extend(parts)
        later_words.extend(p for p in parts[1:] if _WORD.match(p))
    if not tokens:
        return False
    garbled = [
        t
        for t in tokens
        if not (_WORD.match(t) and _is_word_length(t)) and not _NUMBER.match(t) and t not in _TYPOGRAPHY
    ]
    if len(garbled) >= 2 or len(garbled) / len(tokens) >= _GARBLED_SHARE:
        return True
    if any(_SENTENCE_END.search(line.strip()) for line in block) or len(later_words) < _MIN_TITLE_CASE_WORDS:
        return False
    capitalised = sum(1 for w in later_words if w.lstrip("(«\"'")[:1].isupper())
    return capitalised / len(later_words) >= _TITLE_CASE_SHARE


def _is_word_length(token: str) -> bool:
    letters = sum(ch.isalpha() or ch in "@&¢" for ch in token)
    return letters >= 2 or token.lower().strip(".,:;") in ("i", "å")
