"""Text normalisation shared by indexing and querying, so both sides see the same terms."""

from __future__ import annotations

import math
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


def norwegian_stopwords() -> frozenset[str]:
    """bm25s' Norwegian stopwords as terms: what the index leaves out of the passages and the search
    out of a question."""
    from bm25s.stopwords import STOPWORDS_NORWEGIAN

    return frozenset(t for w in STOPWORDS_NORWEGIAN for t in terms(w))


def idf(document_frequency: int, total: int) -> float:
    """BM25's idf (as bm25s scores with method "lucene"): how rare a term is among ``total`` passages."""
    return math.log(1 + (total - document_frequency + 0.5) / (document_frequency + 0.5))


def split_compound(word: str, known: set[str] | dict[str, int], *, min_part: int = 4) -> list[str] | None:
    """Split a Norwegian compound into two stems the index knows ("lojalitetsplikten" → lojalitet, plikt).

    Tries the longest known head first; the head may end in the linking -s- or -e-.
    Returns folded stems, or None when no split has both parts known.
    """
    low = word.lower()
    for cut in range(len(low) - min_part, min_part - 1, -1):
        head, tail = low[:cut], low[cut:]
        tail_terms = terms(tail)
        if not tail_terms or tail_terms[0] not in known:
            continue
        for candidate in (head, head[:-1] if head.endswith(("s", "e")) else None):
            if candidate and len(candidate) >= min_part:
                head_terms = terms(candidate)
                if head_terms and head_terms[0] in known:
                    return [head_terms[0], tail_terms[0]]
    return None
