"""What a scanner makes of Norwegian words, the ground that scan detection (index/scan.py) and
repair (index/ocr.py) share: which tokens are words at all, and every word one misread away.

Scanners misread the letters æ, ø and å (and "j") in predictable ways: one Norwegian letter comes
out as one or two other characters ("rådmannen" → "radmannen", "rddmannen", "rdidmannen";
"gjennomføre" → "gjennomfere"; "særlover" → "s@rlover"), or is lost.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.lexicon import TOKEN, WORD_CHARS

NORWEGIAN_LETTERS = "æøå"
_DIGRAPHS = (("ae", "æ"), ("oe", "ø"), ("aa", "å"))
# Costs of the edits a candidate took (log10 units): a letter read for another is the common case.
COST_SUBSTITUTE = 0.0
COST_RESHAPE = 1.5
URL = re.compile(r"((?:https?://|www\.)\S+|\S+@\S+\.[a-z]{2,})")


def words_outside_addresses(text: str) -> list[str]:
    """The tokens of ``text``, less web and e-mail addresses (which are not words)."""
    return [t for part in URL.split(text) if not URL.fullmatch(part) for t in TOKEN.findall(part)]


def has_letter(token: str) -> bool:
    return any(ch.isalpha() for ch in token)


def is_word(token: str) -> bool:
    """A token of word characters (the OCR junk in place of æ/ø/å included) with a letter in it."""
    return bool(WORD_CHARS.match(token)) and has_letter(token)


@lru_cache(maxsize=50_000)
def substitutions(word: str) -> tuple[str, ...]:
    """Variants with one letter read for æ/ø/å, or written as its ASCII pair ("vaere" for "være"):
    the only real-word errors considered."""
    return tuple(
        word[:i] + letter + word[i + 1 :] for i in range(len(word)) for letter in NORWEGIAN_LETTERS if word[i] != letter
    ) + digraphs(word)


def digraphs(word: str) -> tuple[str, ...]:
    """``word`` with one "ae", "oe" or "aa" written as the letter it stands for (æ, ø, å): how
    Norwegian is typed and converted without those letters ("gjennomfoering", "paa")."""
    return tuple(
        word[:i] + letter + word[i + 2 :]
        for pair, letter in _DIGRAPHS
        for i in range(len(word) - 1)
        if word.startswith(pair, i)
    )


@lru_cache(maxsize=200_000)
def edits(word: str) -> tuple[tuple[str, float], ...]:
    """Every word one OCR confusion away, with its cost.

    A letter read for æ/ø/å (or "i" for "j") costs nothing; a two-character span read for one
    of them, or one lost, costs ``COST_RESHAPE``.
    """
    out: dict[str, float] = {}

    def add(candidate: str, cost: float) -> None:
        if candidate != word and cost < out.get(candidate, 99.0):
            out[candidate] = cost

    for i in range(len(word)):
        for letter in NORWEGIAN_LETTERS:
            add(word[:i] + letter + word[i + 1 :], COST_SUBSTITUTE)
            if i + 2 <= len(word):
                add(word[:i] + letter + word[i + 2 :], COST_RESHAPE)
        if word[i] == "i":  # "gjennom" read as "giennom"
            add(word[:i] + "j" + word[i + 1 :], COST_SUBSTITUTE)
    for candidate in digraphs(word):  # a spelling without æ/ø/å, no misread at all
        add(candidate, COST_SUBSTITUTE)
    for i in range(len(word) + 1):
        for letter in NORWEGIAN_LETTERS:
            add(word[:i] + letter + word[i:], COST_RESHAPE)
    return tuple(sorted(out.items()))
