"""Remove what identifies a person from free text before it is stored or shown.

Patterns catch e-mail addresses, phone numbers, national identity numbers, chat mentions and ids,
and web addresses; ``names`` (the register's names, e-mails and units, given when the text is shown)
catches the rest of what the register knows. Replaced by a neutral marker, so a reader still sees
that something stood there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MARK = "[fjernet]"
_PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail
    re.compile(r"<[@!#][^>]{1,80}>"),  # Slack mentions and channel links
    re.compile(r"<at>[^<]{0,80}</at>", re.IGNORECASE),  # Teams mentions
    re.compile(r"\bhttps?://\S+", re.IGNORECASE),  # addresses can carry names and ids
    re.compile(r"\b\d{6}\s?\d{5}\b"),  # fødselsnummer
    re.compile(r"(?<!\w)(?:\+|00)?(?:47)?[\s-]?(?:\d[\s-]?){8}(?!\w)"),  # Norwegian phone numbers
    re.compile(r"\b[UW][A-Z0-9]{8,}\b"),  # Slack user ids
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE),  # AAD ids
)
# Words that start a sentence or are everyday nouns a register name could collide with.
_MIN_NAME = 3


def scrub(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` with personal details replaced by ``[fjernet]``.

    Example:
        >>> scrub("Ring meg på 912 34 567, jeg er Tora", names=["Tora Hansen"])
        'Ring meg på [fjernet], jeg er [fjernet]'
    """
    out = text
    for pattern in _PATTERNS:
        out = pattern.sub(MARK, out)
    words: set[str] = set()
    for name in names:
        if not name:
            continue
        words.add(name.strip())
        words.update(part for part in re.split(r"[\s,.@]+", name) if len(part) >= _MIN_NAME)
    # Longest first, so "Teknisk drift" goes before "Teknisk".
    for word in sorted(words, key=len, reverse=True):
        if len(word) < _MIN_NAME:
            continue
        out = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", MARK, out, flags=re.IGNORECASE)
    return _tidy(out)


def _tidy(text: str) -> str:
    # Adjacent markers (a first and a last name) become one.
    return re.sub(rf"{re.escape(MARK)}(?:[\s,]*{re.escape(MARK)})+", MARK, text)
