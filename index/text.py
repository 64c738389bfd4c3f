"""Text normalisation shared by indexing and querying, so both sides see the same terms."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u"})


def fold(text: str) -> str:
    """Lowercase without æ/ø/å and accents, so "nar" and "når" are the same term."""
    text = text.lower().translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("norwegian")


def terms(text: str, *, stopwords: frozenset[str] = frozenset()) -> list[str]:
    """BM25 terms: Norwegian Snowball stems, folded; stopwords (folded) dropped."""
    words = [w for w in _WORD.findall(text.lower()) if len(w) > 1 or w.isdigit()]
    stems = _stemmer().stemWords(words)
    return [t for t in (fold(s) for s in stems) if t and t not in stopwords]
