"""Which parts of a document are a scan: OCR damage counted per page or run of paragraphs.

A token is damage when it is no word of either written standard but reads as a misread one
(index/misreads.py); a stretch whose share of damage passes a threshold is repaired
(index/ocr.py), and the rest of the document is left exactly as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.lexicon import JUNK, NorwegianLexicon
from index.misreads import edits, is_word, words_outside_addresses

# A stretch of text is taken for a scan when this share of its words is OCR damage (see ``scan``).
SEGMENT_DAMAGE_THRESHOLD = 0.03
# ... and has at least this many damaged words (a clean text has the odd name no list knows).
_SEGMENT_MIN_DAMAGED = 3
_SEGMENT_MIN_WORDS = 60


@dataclass(frozen=True)
class Segment:
    """A stretch of a document (whole paragraphs or a page) and whether it reads as a scan."""

    start: int
    end: int
    words: int
    damaged_words: int
    damaged: bool

    @property
    def rate(self) -> float:
        return self.damaged_words / self.words if self.words else 0.0


@dataclass(frozen=True)
class ScanResult:
    """Where a document is OCR-damaged: per segment, and whether any of it is."""

    segments: tuple[Segment, ...]
    language: str = "nb"

    @property
    def damaged(self) -> bool:
        return any(s.damaged for s in self.segments)

    @property
    def rate(self) -> float:
        """Share of the document's word tokens that are OCR damage."""
        words = sum(s.words for s in self.segments)
        return sum(s.damaged_words for s in self.segments) / words if words else 0.0


class ScanDetector:
    """Tells scanned (OCR-damaged) text from clean text.

    Example:
        >>> detector = ScanDetector(NorwegianLexicon())
        >>> detector.is_damage("gjennomfere"), detector.is_damage("gjennomføre")
        (True, False)
    """

    def __init__(self, lexicon: NorwegianLexicon) -> None:
        self._lex = lexicon

    def is_damage(self, token: str) -> bool:
        """A token that is no word of either written standard but reads as a misread one.

        Characters that never occur in Norwegian words ("s@rlover") are damage; a plain-letter
        token is damage when no dictionary knows it and one æ/ø/å edit makes a known word.
        """
        low = token.lower()
        if (token.isupper() and not set(low) & JUNK) or self._lex.is_norwegian(low):
            return False  # acronyms, and words of either standard
        if set(low) & JUNK:
            return len(low) > 1
        # Only a listed word counts as what was meant: two parts that happen to make a compound
        # ("delegerings|reglement" one letter off) are no evidence of a misread.
        return any(self._lex.is_known(c) or self._lex.in_dictionary(c) for c, _ in edits(low) if self._lex.is_valid(c))

    def scan(self, text: str, *, language: str = "nb") -> ScanResult:
        """Which parts of ``text`` are scanned (OCR-damaged) and which are clean.

        The text is cut into pages (form feeds) or runs of paragraphs of at least
        ``_SEGMENT_MIN_WORDS`` words; a segment is damaged when more than
        ``SEGMENT_DAMAGE_THRESHOLD`` of its words are damage. When most of a document is
        damaged, all of it is (a scan is scanned throughout); otherwise only the damaged
        segments are repaired, so a clean appendix or a clean page stays as it is.
        ``language`` is the document's declared standard, kept for the repair; for detection
        both dictionaries count, since a clean document may quote the other standard.
        """
        return ScanResult(tuple(self._segments(text)), language=language)

    def _segments(self, text: str) -> list[Segment]:
        segments: list[Segment] = []
        cuts = [m.end() for m in re.finditer(r"\f|\n[ \t]*\n", text)] + [len(text)]
        start = 0
        words = damage = 0
        last_cut = 0
        for cut in cuts:
            tokens = [t for t in words_outside_addresses(text[last_cut:cut]) if is_word(t)]
            words += len(tokens)
            damage += sum(1 for t in tokens if self.is_damage(t))
            page_break = "\f" in text[last_cut:cut]
            last_cut = cut
            if words >= _SEGMENT_MIN_WORDS or page_break or cut == len(text):
                segments.append(Segment(start, cut, words, damage, False))
                start, words, damage = cut, 0, 0
        if len(segments) > 1 and segments[-1].words < _SEGMENT_MIN_WORDS // 2:
            tail = segments.pop()  # a short last stretch is judged with the one before it
            prev = segments.pop()
            words, damage = prev.words + tail.words, prev.damaged_words + tail.damaged_words
            segments.append(Segment(prev.start, tail.end, words, damage, False))
        flagged = [s.damaged_words >= _SEGMENT_MIN_DAMAGED and s.rate > SEGMENT_DAMAGE_THRESHOLD for s in segments]
        total = sum(s.words for s in segments)
        flagged_words = sum(s.words for s, f in zip(segments, flagged, strict=True) if f)
        everywhere = total > 0 and flagged_words > total / 2
        return [
            Segment(s.start, s.end, s.words, s.damaged_words, everywhere or f)
            for s, f in zip(segments, flagged, strict=True)
        ]
