"""Which words are Norwegian: wordfreq frequencies, the hunspell dictionaries of both written
standards (bokmål and nynorsk), the corpus' own clean vocabulary, and two-part compounds of those.
index/scan.py asks it whether a token is damage, index/ocr.py which repair is the likeliest word."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from index.hunspell import Dictionary, library

log = logging.getLogger(__name__)

# Debian's hunspell-no puts the bokmål (nb_NO) and nynorsk (nn_NO) dictionaries here.
DEFAULT_HUNSPELL_DIR = Path("/usr/share/hunspell")
HUNSPELL_NAMES = {"nb": "nb_NO", "nn": "nn_NO"}
# Characters that do not occur inside Norwegian words but that OCR leaves where æ/ø/å stood.
JUNK = set("@&¢é€£§$")
TOKEN = re.compile(r"[^\s.,;:!?()«»\"'/\[\]{}<>—–\-*=+|]+")
WORD_CHARS = re.compile(r"[a-zæøåéèêóòôüäö@&¢]+$", re.IGNORECASE)
# Words below this Zipf frequency in wordfreq are too rare to trust as "valid".
_MIN_ZIPF = 1.5
_MIN_COMPOUND_PART = 3
# A part of a compound must be at least this common, so that rare web tokens do not glue together.
_MIN_PART_ZIPF = 2.8
_INFLECTIONS = ("nde", "ene", "ens", "ets", "er", "en", "et", "es", "te", "de", "ne", "s", "e", "r", "a")
_COMPOUND_PENALTY = 0.75


class NorwegianLexicon:
    """Which words are Norwegian, and how common they are (Zipf scale).

    Example:
        >>> lex = NorwegianLexicon()
        >>> lex.is_valid("rådmannen"), lex.is_valid("radmannen")
        (True, False)
    """

    def __init__(self, *, extra_words: Iterable[str] = (), hunspell_dir: Path | None = DEFAULT_HUNSPELL_DIR) -> None:
        self._dictionaries: dict[str, Dictionary] = {}
        if hunspell_dir is not None:
            self._dictionaries = _load_hunspell(hunspell_dir)
        self._dictionary_cache: dict[str, bool] = {}
        self._bigrams: Counter[tuple[str, str]] = Counter()

        self._zipf = _frequencies()
        self._corpus: Counter[str] = Counter()
        self.add_corpus_words(extra_words)
        self._score_cache: dict[str, float | None] = {}

    def add_corpus_words(self, words: Iterable[str]) -> None:
        """Add words seen in clean documents of the corpus (they count as valid)."""
        for word in words:
            low = word.lower()
            if len(low) > 1 and low.isalpha():
                self._corpus[low] += 1
        self._score_cache = {}

    def add_corpus_text(self, texts: Iterable[str]) -> None:
        """Count the word pairs of clean documents: the context that decides a real-word error."""
        for text in texts:
            words = [w.lower() for w in TOKEN.findall(text)]
            self._bigrams.update(zip(words, words[1:], strict=False))

    def bigram(self, first: str, second: str) -> int:
        """How often ``first second`` occurs in the clean documents."""
        return self._bigrams.get((first.lower(), second.lower()), 0)

    @property
    def languages(self) -> tuple[str, ...]:
        """The written standards whose full dictionaries are loaded ("nb", "nn")."""
        return tuple(sorted(self._dictionaries))

    def in_dictionary(self, word: str, language: str | None = None) -> bool:
        """True when a hunspell dictionary accepts ``word``, inflections and compounds included.

        ``language`` ("nb" or "nn") asks that standard's dictionary only; None asks both.
        """
        low = word.lower()
        if not low.isalpha():
            return False
        names = [language] if language in self._dictionaries else list(self._dictionaries)
        for name in names:
            key = f"{name}:{low}"
            hit = self._dictionary_cache.get(key)
            if hit is None:
                hit = self._dictionaries[name].lookup(low)
                self._dictionary_cache[key] = hit
            if hit:
                return True
        return False

    def is_norwegian(self, word: str) -> bool:
        """A word of either written standard: known, derived from known words, or in a dictionary."""
        return self.is_valid(word) or self.in_dictionary(word)

    def zipf(self, word: str) -> float:
        """Zipf frequency of a known word (0 for an unknown one)."""
        low = word.lower()
        base = self._zipf.get(low, 0.0)
        count = self._corpus.get(low, 0)
        # The corpus' own words matter more than the web at large: a word the municipality's
        # clean documents use is at least as plausible as a fairly common web word.
        corpus = 4.0 + math.log10(count) if count else 0.0
        return max(base, corpus)

    def is_known(self, word: str) -> bool:
        low = word.lower()
        return low in self._zipf or low in self._corpus

    def is_valid(self, word: str) -> bool:
        """True for a known word, an inflected form of one, or a compound of known words."""
        return self.score(word) is not None

    def score(self, word: str) -> float | None:
        """How plausible ``word`` is as Norwegian (Zipf scale), or None when it is not Norwegian.

        Known words score their frequency; an unlisted inflection scores a little less than its
        stem; a compound scores its rarest part, less a penalty per extra part.
        """
        low = word.lower()
        known = self.zipf(low) if self.is_known(low) else None
        if len(low) < 4 or not low.isalpha():
            return known
        if low not in self._score_cache:
            derived = self._derived_score(low, depth=2)
            # A rare listed compound is as plausible as its parts say ("myndighetsområder").
            self._score_cache[low] = (
                max(known, derived) if known is not None and derived is not None else known or derived
            )
        return self._score_cache[low]

    def _part_score(self, part: str) -> float | None:
        zipf = self.zipf(part)
        if zipf >= _MIN_PART_ZIPF:
            return zipf
        for suffix in _INFLECTIONS:
            stem = part[: -len(suffix)]
            if part.endswith(suffix) and len(stem) >= 4 and self.zipf(stem) >= _MIN_PART_ZIPF:
                return self.zipf(stem) - 0.5
        return None

    def _derived_score(self, word: str, *, depth: int) -> float | None:
        best = self._part_score(word)
        for cut in range(_MIN_COMPOUND_PART, len(word) - _MIN_COMPOUND_PART + 1):
            head, tail = word[:cut], word[cut:]
            head_score = self._part_score(head)
            if head_score is None and head.endswith(("s", "e")) and len(head) > _MIN_COMPOUND_PART:
                head_score = self._part_score(head[:-1])  # the linking -s-/-e- of compounds
            if head_score is None:
                continue
            tail_score = self._part_score(tail)
            if tail_score is None and depth > 1 and len(tail) >= 2 * _MIN_COMPOUND_PART:
                tail_score = self._derived_score(tail, depth=depth - 1)
            if tail_score is None:
                continue
            candidate = min(head_score, tail_score) - _COMPOUND_PENALTY
            if best is None or candidate > best:
                best = candidate
        return best


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    """wordfreq's bokmål list as Zipf values (read only; built once per process: it takes seconds)."""
    from wordfreq import get_frequency_dict

    table: dict[str, float] = {}
    for word, freq in get_frequency_dict("nb").items():
        zipf = math.log10(freq) + 9
        if zipf >= _MIN_ZIPF and WORD_CHARS.match(word) and not (set(word) & JUNK):
            table[word] = zipf
    return table


@lru_cache(maxsize=4)
def _load_hunspell(folder: Path) -> dict[str, Dictionary]:
    """The dictionaries in ``folder`` (read only; loaded once per process)."""
    lib = library()
    loaded: dict[str, Dictionary] = {}
    for language, name in HUNSPELL_NAMES.items():
        if lib is None:
            break
        try:
            loaded[language] = Dictionary(lib, folder / name)
        except OSError as exc:
            log.warning("%s (install hunspell-no): only word frequencies are used for %s", exc, language)
    return loaded
