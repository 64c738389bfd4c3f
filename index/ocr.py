"""Repair OCR damage in Norwegian text with word frequencies, not a table written for one file.

Scanners misread the letters æ, ø and å (and the word "i") in predictable ways: one Norwegian
letter comes out as one or two other characters ("rådmannen" → "radmannen", "rddmannen",
"rdidmannen"; "gjennomføre" → "gjennomfere"; "særlover" → "s@rlover"), "i" comes out as "1",
"å" as "&" or "4", and bullets as "e", "o" or "¢". The repair is a small noisy-channel model:

* candidates: replace one span of one or two characters with æ, ø or å (or insert one), at most
  twice per word;
* valid words: the Norwegian (``nb``) frequency list of wordfreq, the corpus' own vocabulary
  from documents that are not damaged, and two-part compounds of those ("delegerings|sperre");
* choice: the most frequent valid candidate with the fewest edits.

A word that is already valid is only replaced when the document is judged OCR-damaged and an
æ/ø/å variant is at least ten times as frequent ("mal" → "mål", "vare" → "være"), since such
real-word errors cannot be told apart in clean text.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from index.lexicon import JUNK, TOKEN, WORD_CHARS, NorwegianLexicon

log = logging.getLogger(__name__)

NORWEGIAN_LETTERS = "æøå"
# A stretch of text is taken for a scan when this share of its words is OCR damage (see ``scan``).
SEGMENT_DAMAGE_THRESHOLD = 0.03
# ... and has at least this many damaged words (a clean text has the odd name no list knows).
_SEGMENT_MIN_DAMAGED = 3
_SEGMENT_MIN_WORDS = 60
# A real-word error is fixed when the æ/ø/å variant is this much more frequent (log10 units).
_REAL_WORD_MARGIN = 1.0
# Costs of the edits a candidate took (log10 units): a letter read for another is the common case.
_COST_SUBSTITUTE = 0.0
_COST_RESHAPE = 1.5
_COST_SECOND_EDIT = 0.5
# A plain-letter token that is not in the lexicon may still be a correct rare word
# ("operasjonalisert"): a candidate must reach this score to replace it. Tokens with characters
# that never occur in Norwegian words ("s@rlover") are replaced by any valid candidate.
_MIN_REPLACEMENT_SCORE = 2.5
_URL = re.compile(r"((?:https?://|www\.)\S+|\S+@\S+\.[a-z]{2,})")
# "i" read as "1" between words, "I" read as "1" after a sentence (unless a number follows: "1 og 2").
_ONE_IN_SENTENCE = re.compile(r"(?<=[a-zæøå,])(\s+)1(?=\s+[a-zæøå])(?!\s+\S{1,5}\s+\d)")
_ONE_AFTER_SENTENCE = re.compile(r"(?<=[a-zæøå][.!?])(\s+)1(?=\s+[a-zæøå]{2,})(?!\s+\S{1,5}\s+\d)")
# "å" read as "a", "&" or "4" before an infinitive ("for a vurdere", "oppgave 4 spille") or a short word.
_AA_BEFORE_VERB = re.compile(r"(?<=[a-zæøå])(\s+)[&4a](?=\s+[a-zæøå]+[eaå]\b|\s+[a-zæøå]{1,2}\b)")
_LINE_BULLET = re.compile(r"^(\s*)(?:[eo¢•·»■*+=]|v[’'`]|\.)\s+(?=\S)", re.MULTILINE)


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
        words = sum(s.words for s in self.segments)
        return sum(s.damaged_words for s in self.segments) / words if words else 0.0


@dataclass(frozen=True)
class RepairReport:
    """Before/after figures for one document."""

    word_tokens: int
    valid_before: int
    valid_after: int
    damaged: bool
    changed_tokens: int
    # Repair can split glued words, so the text after has its own count (a share over the count
    # before would pass 100 %).
    word_tokens_after: int = 0

    @property
    def share_before(self) -> float:
        return self.valid_before / self.word_tokens if self.word_tokens else 1.0

    @property
    def share_after(self) -> float:
        return self.valid_after / self.word_tokens_after if self.word_tokens_after else 1.0


class OcrRepairer:
    """Repairs OCR damage in Norwegian text.

    Example:
        >>> fixer = OcrRepairer(NorwegianLexicon())
        >>> fixer.repair_word("gjennomfere")
        'gjennomføre'
    """

    def __init__(self, lexicon: NorwegianLexicon) -> None:
        self._lex = lexicon
        self._cache: dict[str, str] = {}
        # The written standard of the text being repaired: its dictionary decides which words are
        # already right (a nynorsk form in a bokmål scan is a misread word, and the other way round).
        self._language = "nb"

    # -- words ---------------------------------------------------------------------------
    def repair_word(self, token: str, *, real_words: bool = False) -> str:
        """Return the repaired form of one token (or the token unchanged)."""
        key = f"{self._language}{int(real_words)}{token}"
        hit = self._cache.get(key)
        if hit is None:
            hit = _match_case(token, self._repair_lower(token.lower(), real_words=real_words))
            self._cache[key] = hit
        return hit

    def _repair_lower(self, low: str, *, real_words: bool) -> str:
        if not WORD_CHARS.match(low) or len(low) < 2:
            return low
        if self._lex.is_known(low):
            if not real_words or set(low) & set(NORWEGIAN_LETTERS):
                return low
            if self._language != "nb" and self._lex.in_dictionary(low, self._language):
                return low  # the frequencies are bokmål's: they cannot judge a nynorsk word
            best = max(_substitutions(low), key=self._lex.zipf, default=low)
            if self._lex.zipf(best) - self._lex.zipf(low) >= _REAL_WORD_MARGIN and self._lex.is_known(best):
                return best
            return low
        # With the hunspell dictionaries, a compound counts only when the dictionary allows it:
        # "rad|mann" and "budsjett|irene" read as compounds by frequency alone, not by the dictionary.
        strict = bool(self._lex.languages)
        scored: list[tuple[float, str]] = []
        unlisted: list[tuple[float, str]] = []  # compounds by frequency that the dictionary does not list
        for candidate, cost in _edits(low):
            if len(low) <= 2 and cost > _COST_SUBSTITUTE:
                continue  # two letters reshaped into one word would turn any debris into "å"
            score = self._lex.score(candidate)
            if score is None:
                pass
            elif strict and not (self._lex.is_known(candidate) or self._lex.in_dictionary(candidate, self._language)):
                unlisted.append((score - cost, candidate))
            else:
                scored.append((score - cost, candidate))
            if len(low) >= 6 and not self._lex.is_valid(low):
                # Two confusions in one word: only whole known words, since compounds two edits
                # away would admit too much.
                for second, cost2 in _edits(candidate):
                    if self._lex.is_known(second):
                        scored.append((self._lex.zipf(second) - cost - cost2 - _COST_SECOND_EDIT, second))
        listed = bool(scored)
        scored = scored or unlisted  # a word the dictionary lists wins over one it does not
        if not scored:
            return low
        best_score, best = max(scored)
        if set(low) & JUNK:
            return best
        # A token that reads as a compound ("rad|mannen") yields only to a clearly better word.
        own = self._lex.score(low)
        if strict and listed and not self._lex.is_known(low):
            # A compound the dictionary allows is a rare word; one it does not is a misread word.
            own = (own or _MIN_REPLACEMENT_SCORE) if self._lex.in_dictionary(low, self._language) else None
        if best_score < _MIN_REPLACEMENT_SCORE or (own is not None and best_score < own + 1.0):
            return low
        return best

    # -- text ----------------------------------------------------------------------------
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
        return any(self._lex.is_known(c) or self._lex.in_dictionary(c) for c, _ in _edits(low) if self._lex.is_valid(c))

    def damage_rate(self, text: str) -> float:
        """Share of word tokens that are OCR damage (see ``is_damage``)."""
        words = [t for t in _words_outside_addresses(text) if _is_word(t)]
        return sum(1 for w in words if self.is_damage(w)) / len(words) if words else 0.0

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
            tokens = [t for t in _words_outside_addresses(text[last_cut:cut]) if _is_word(t)]
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

    def repair_segments(self, text: str, scan: ScanResult) -> str:
        """Repair the damaged segments of ``text`` and leave the clean ones exactly as they are."""
        return "".join(
            self.repair(text[s.start : s.end], damaged=True, language=scan.language)
            if s.damaged
            else text[s.start : s.end]
            for s in scan.segments
        )

    def repair(self, text: str, *, damaged: bool, language: str = "nb") -> str:
        """Repair ``text``; with ``damaged`` also real-word errors, bullets and the "1"/"4"/"&" words.

        ``language`` is the text's written standard ("nb" or "nn"): its dictionary says which
        words are already right.
        """
        self._language = language
        if damaged:
            text = _LINE_BULLET.sub(r"\1- ", text)
            # "i" read as "1", "å" read as "&" or "4", where a digit cannot stand.
            # The shapes hold across a line break. A "1" that counts ("nivå 1 og 2") is followed by
            # another number and stays.
            text = _ONE_IN_SENTENCE.sub(r"\1i", text)
            text = _ONE_AFTER_SENTENCE.sub(r"\1I", text)
            text = re.sub(r"(?m)^([ \t]*)1(?= [a-zæøå]{2,})(?!\s+\S{1,5}\s+\d)", r"\1I", text)
            text = _AA_BEFORE_VERB.sub(r"\1å", text)
            text = re.sub(r"(?<=[a-zæøå])(\s+)&(?=\s+[a-zæøå])", r"\1å", text)

        def fix(match: re.Match[str]) -> str:
            token = match.group(0)
            core = token.rstrip("0123456789")
            if not core or not _is_word(core) or (core.isupper() and not set(core) & JUNK):
                return token  # numbers, and acronyms such as IKT or HMS
            return self.repair_word(core, real_words=damaged) + token[len(core) :]

        # Addresses are not words: repair only the text between them.
        parts = _URL.split(text)
        text = "".join(part if _URL.fullmatch(part) else TOKEN.sub(fix, part) for part in parts)
        return self._in_context(text) if damaged else text

    def _in_context(self, text: str) -> str:
        """Mend real-word errors that the neighbouring words give away ("settes mal og" → "mål").

        A word that is itself valid is replaced by an æ/ø/å variant only when the variant is
        seen next to the same neighbours in the clean documents (or elsewhere in this one) and
        the frequency and context together favour it by ``_REAL_WORD_MARGIN``.
        """
        spans = [m for part in _split_keep(text) if not _URL.fullmatch(part[1]) for m in _spans(part)]
        words = [text[a:b].lower() for a, b in spans]
        local: Counter[tuple[str, str]] = Counter(zip(words, words[1:], strict=False))

        def pairs(first: str, second: str) -> int:
            return self._lex.bigram(first, second) + local.get((first, second), 0)

        out = list(text)
        for index, (start, end) in enumerate(spans):
            word = words[index]
            if len(word) < 2 or not word.isalpha() or text[start:end].isupper() or not self._lex.is_known(word):
                continue
            if self._language != "nb" and self._lex.in_dictionary(word, self._language):
                continue
            before = words[index - 1] if index else ""
            after = words[index + 1] if index + 1 < len(words) else ""

            def context(candidate: str, before: str = before, after: str = after) -> float:
                return math.log10(1 + pairs(before, candidate)) + math.log10(1 + pairs(candidate, after))

            own = context(word) - math.log10(2)  # this very occurrence is one of the local pairs
            best, gain = word, 0.0
            for candidate in _substitutions(word):
                if not self._lex.is_known(candidate):
                    continue
                evidence = context(candidate) - max(own, 0.0)
                if evidence <= 0:
                    continue
                value = self._lex.zipf(candidate) - self._lex.zipf(word) + evidence
                if value > gain:
                    best, gain = candidate, value
            if best != word and gain >= _REAL_WORD_MARGIN:
                out[start:end] = list(_match_case(text[start:end], best))
        return "".join(out)

    def report(self, before: str, after: str, *, damaged: bool) -> RepairReport:
        """Compare the share of valid word tokens before and after a repair."""
        words_before = [t for t in TOKEN.findall(before) if _has_letter(t)]
        words_after = [t for t in TOKEN.findall(after) if _has_letter(t)]
        changed = sum(1 for a, b in zip(words_before, words_after, strict=False) if a != b)
        return RepairReport(
            word_tokens=len(words_before),
            valid_before=sum(1 for t in words_before if self._lex.is_valid(t.lower())),
            valid_after=sum(1 for t in words_after if self._lex.is_valid(t.lower())),
            damaged=damaged,
            changed_tokens=changed,
            word_tokens_after=len(words_after),
        )


def _split_keep(text: str) -> list[tuple[int, str]]:
    """The text cut at addresses, each piece with its offset."""
    out: list[tuple[int, str]] = []
    offset = 0
    for part in _URL.split(text):
        out.append((offset, part))
        offset += len(part)
    return out


def _spans(piece: tuple[int, str]) -> list[tuple[int, int]]:
    offset, part = piece
    return [(offset + m.start(), offset + m.end()) for m in TOKEN.finditer(part)]


def _words_outside_addresses(text: str) -> list[str]:
    return [t for part in _URL.split(text) if not _URL.fullmatch(part) for t in TOKEN.findall(part)]


def _has_letter(token: str) -> bool:
    return any(ch.isalpha() for ch in token)


def _is_word(token: str) -> bool:
    return bool(WORD_CHARS.match(token)) and _has_letter(token)


def _match_case(original: str, repaired: str) -> str:
    if original.isupper() and len(original) > 1:
        return repaired.upper()
    if original[:1].isupper() or original[:1] in "@":
        return repaired[:1].upper() + repaired[1:]
    return repaired


@lru_cache(maxsize=50_000)
def _substitutions(word: str) -> tuple[str, ...]:
    """Same-length variants with one letter read for æ/ø/å: the only real-word errors considered."""
    return tuple(
        word[:i] + letter + word[i + 1 :] for i in range(len(word)) for letter in NORWEGIAN_LETTERS if word[i] != letter
    )


@lru_cache(maxsize=200_000)
def _edits(word: str) -> tuple[tuple[str, float], ...]:
    """Every word one OCR confusion away, with its cost.

    A letter read for æ/ø/å (or "i" for "j") costs nothing; a two-character span read for one
    of them, or one lost, costs ``_COST_RESHAPE``.
    """
    out: dict[str, float] = {}

    def add(candidate: str, cost: float) -> None:
        if candidate != word and cost < out.get(candidate, 99.0):
            out[candidate] = cost

    for i in range(len(word)):
        for letter in NORWEGIAN_LETTERS:
            add(word[:i] + letter + word[i + 1 :], _COST_SUBSTITUTE)
            if i + 2 <= len(word):
                add(word[:i] + letter + word[i + 2 :], _COST_RESHAPE)
        if word[i] == "i":  # "gjennom" read as "giennom"
            add(word[:i] + "j" + word[i + 1 :], _COST_SUBSTITUTE)
    for i in range(len(word) + 1):
        for letter in NORWEGIAN_LETTERS:
            add(word[:i] + letter + word[i:], _COST_RESHAPE)
    return tuple(sorted(out.items()))
