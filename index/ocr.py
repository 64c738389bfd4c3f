"""Repair OCR damage in Norwegian text with word frequencies, not a table written for one file.

index/scan.py finds where a document is scanned; this repairs those parts. Besides the misread
letters of index/misreads.py, "i" comes out as "1", "å" as "&" or "4", and bullets as "e", "o"
or "¢". The repair is a small noisy-channel model:

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

import math
import re
from collections import Counter
from dataclasses import dataclass

from index.chunk import ABBREVIATIONS
from index.lexicon import JUNK, TOKEN, WORD_CHARS, NorwegianLexicon
from index.misreads import COST_SUBSTITUTE, NORWEGIAN_LETTERS, URL, edits, has_letter, is_word, substitutions
from index.scan import ScanResult

# A real-word error is fixed when the æ/ø/å variant is this much more frequent (log10 units).
_REAL_WORD_MARGIN = 1.0
# A second edit in one word costs this much on top of its own cost (log10 units).
_COST_SECOND_EDIT = 0.5
# A plain-letter token that is not in the lexicon may still be a correct rare word
# ("operasjonalisert"): a candidate must reach this score to replace it. Tokens with characters
# that never occur in Norwegian words ("s@rlover") are replaced by any valid candidate.
_MIN_REPLACEMENT_SCORE = 2.5
# "i" read as "1" between words, "I" read as "1" after a sentence (unless a number follows: "1 og 2").
_ONE_IN_SENTENCE = re.compile(r"(?<=[a-zæøå,])(\s+)1(?=\s+[a-zæøå])(?!\s+\S{1,5}\s+\d)")
_ONE_AFTER_SENTENCE = re.compile(r"(?<=[a-zæøå][.!?])(\s+)1(?=\s+[a-zæøå]{2,})(?!\s+\S{1,5}\s+\d)")
# "å" read as "a", "&" or "4" before an infinitive ("for a vurdere", "oppgave 4 spille") or a short word.
# The verbs whose infinitive ends in "-es" ("for å lykkes"); another word in "-es" is a passive
# ("Tiltak 4 gjennomføres", "A ledes av"), and the number or letter before it stays.
_ES_INFINITIVE = r"(?:mis)?lykkes|trives|synes|finnes|minnes|møtes|enes|skilles"
_AA_BEFORE_VERB = re.compile(
    r"(?<=[a-zæøå])(\s+)[&4a](?=\s+(?:[a-zæøå]+[eaå]|" + _ES_INFINITIVE + r")\b|\s+[a-zæøå]{1,2}\b)"
)
# "Å" read as "A" where a line opens with an infinitive, a bullet's "*" glued to it: "*A være lojal".
_AA_OPENING = re.compile(r"(?m)^([ \t]*)\*?A(?=[ \t]+(?:[a-zæøå]+[eaå]|" + _ES_INFINITIVE + r")\b)")
# "i" read as "1" before a name on the same line ("lojalitet 1 Heim"): taken for "i" only when the
# document or the clean documents write "i" before that name elsewhere, so a count before a
# capitalised word ("Kapittel 1 Innledning", "Gruppe 1 Rådmannen") stays.
_ONE_BEFORE_NAME = re.compile(r"(?<=[a-zæøå])([ \t]+)1(?=[ \t]+([A-ZÆØÅ][a-zæøå]{2,}))(?![ \t]+\S+\s+\d)")
_I_BEFORE_NAME = re.compile(r"\b[iI][ \t]+([A-ZÆØÅ][a-zæøå]{2,})")
_NAME_EVIDENCE = 2  # times "i <name>" must be written elsewhere
_KNOWN_ABBREVIATIONS = frozenset(a.lower() for a in ABBREVIATIONS if "." not in a)
# Letters only, none of them a vowel (nor the junk that stands for "å"): "pkt", "jf", "nr".
_ABBREVIATION = re.compile(r"[b-df-hj-np-tv-xzB-DF-HJ-NP-TV-XZ]+")
# ... with the full stop of an abbreviation: the text goes on in the same sentence ("pkt. 6", "pr. år"),
# where "nds. De" ("nås") ends one.
_ABBREVIATION_END = re.compile(r"\.[ \t]*[\da-zæøå(]")
_LINE_BULLET = re.compile(r"^(\s*)(?:[eo¢•·»■*+=]|v[’'`]|\.)\s+(?=\S)", re.MULTILINE)


@dataclass(frozen=True)
class RepairReport:
    """Before/after figures for one document."""

    word_tokens: int
    valid_before: int
    valid_after: int
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
    def repair_word(self, token: str, *, real_words: bool = False, name: bool = False) -> str:
        """Return the repaired form of one token (or the token unchanged); a ``name`` that is a known
        word keeps its "aa"/"ae"/"oe" ("Paal", "Kaare", "Boe")."""
        key = f"{self._language}{int(real_words)}{int(name)}{token}"
        hit = self._cache.get(key)
        if hit is None:
            hit = _match_case(token, self._repair_lower(token.lower(), real_words=real_words, name=name))
            self._cache[key] = hit
        return hit

    def _repair_lower(self, low: str, *, real_words: bool, name: bool = False) -> str:
        if not WORD_CHARS.match(low) or len(low) < 2:
            return low
        if self._lex.is_known(low):
            if not real_words or set(low) & set(NORWEGIAN_LETTERS):
                return low
            if self._language != "nb" and self._lex.in_dictionary(low, self._language):
                return low  # the frequencies are bokmål's: they cannot judge a nynorsk word
            variants = [v for v in substitutions(low) if not (name and len(v) < len(low))]
            best = max(variants, key=self._lex.zipf, default=low)
            if self._lex.zipf(best) - self._lex.zipf(low) >= _REAL_WORD_MARGIN and self._lex.is_known(best):
                return best
            return low
        # With the hunspell dictionaries, a compound counts only when the dictionary allows it:
        # "rad|mann" and "budsjett|irene" read as compounds by frequency alone, not by the dictionary.
        strict = bool(self._lex.languages)
        scored: list[tuple[float, str]] = []
        unlisted: list[tuple[float, str]] = []  # compounds by frequency that the dictionary does not list
        for candidate, cost in edits(low):
            if len(low) <= 2 and cost > COST_SUBSTITUTE:
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
                for second, cost2 in edits(candidate):
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
    def repair_segments(self, text: str, scan: ScanResult) -> str:
        """Repair the damaged segments of ``text`` and leave the clean ones exactly as they are."""
        named = _names_after_i(text)  # the whole document is the evidence for each of its parts
        return "".join(
            self.repair(text[s.start : s.end], damaged=True, language=scan.language, named=named)
            if s.damaged
            else text[s.start : s.end]
            for s in scan.segments
        )

    def repair(self, text: str, *, damaged: bool, language: str = "nb", named: Counter[str] | None = None) -> str:
        """Repair ``text``; with ``damaged`` also real-word errors, bullets and the "1"/"4"/"&" words.

        ``language`` is the text's written standard ("nb" or "nn"): its dictionary says which
        words are already right. ``named`` counts the names written after "i" in the whole document
        ``text`` is part of (default: in ``text``).
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
            written = _names_after_i(text) if named is None else named

            def one_before_name(match: re.Match[str]) -> str:
                name = match.group(2).lower()
                seen = written[name] + self._lex.bigram("i", name)
                return f"{match.group(1)}i" if seen >= _NAME_EVIDENCE else match.group(0)

            text = _ONE_BEFORE_NAME.sub(one_before_name, text)
            text = _AA_BEFORE_VERB.sub(r"\1å", text)
            text = _AA_OPENING.sub(r"\1Å", text)
            text = re.sub(r"(?<=[a-zæøå])(\s+)&(?=\s+[a-zæøå])", r"\1å", text)

        def fix(match: re.Match[str]) -> str:
            token = match.group(0)
            core = token.rstrip("0123456789")
            if not core or not is_word(core) or (core.isupper() and not set(core) & JUNK):
                return token  # numbers, and acronyms such as IKT or HMS
            if match.string.startswith(".", match.end()) and (
                core.lower() in _KNOWN_ABBREVIATIONS
                or (_ABBREVIATION.fullmatch(core) and _ABBREVIATION_END.match(match.string, match.end()))
            ):
                return token  # "St. Olavs", "pkt. 6", "pr. år": a Norwegian word has a vowel, an abbreviation need not
            # A capitalised word inside a sentence ("Rådmann Paal Boe") is a name: it keeps its "aa"/"oe".
            name = core[:1].isupper() and _inside_sentence(match.string, match.start())
            return self.repair_word(core, real_words=damaged, name=name) + token[len(core) :]

        # Addresses are not words: repair only the text between them.
        parts = URL.split(text)
        text = "".join(part if URL.fullmatch(part) else TOKEN.sub(fix, part) for part in parts)
        return self._in_context(text) if damaged else text

    def _in_context(self, text: str) -> str:
        """Mend real-word errors that the neighbouring words give away ("settes mal og" → "mål").

        A word that is itself valid is replaced by an æ/ø/å variant only when the variant is
        seen next to the same neighbours in the clean documents (or elsewhere in this one) and
        the frequency and context together favour it by ``_REAL_WORD_MARGIN``.
        """
        spans = [m for part in _split_keep(text) if not URL.fullmatch(part[1]) for m in _spans(part)]
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
            name = text[start].isupper() and _inside_sentence(text, start)
            for candidate in substitutions(word):
                if not self._lex.is_known(candidate) or (name and len(candidate) < len(word)):
                    continue  # a name keeps its "aa"/"oe"
                evidence = context(candidate) - max(own, 0.0)
                if evidence <= 0:
                    continue
                value = self._lex.zipf(candidate) - self._lex.zipf(word) + evidence
                if value > gain:
                    best, gain = candidate, value
            if best != word and gain >= _REAL_WORD_MARGIN:
                out[start:end] = list(_match_case(text[start:end], best))
        return "".join(out)

    def report(self, before: str, after: str) -> RepairReport:
        """Compare the share of valid word tokens before and after a repair."""
        words_before = [t for t in TOKEN.findall(before) if has_letter(t)]
        words_after = [t for t in TOKEN.findall(after) if has_letter(t)]
        return RepairReport(
            word_tokens=len(words_before),
            valid_before=sum(1 for t in words_before if self._lex.is_valid(t.lower())),
            valid_after=sum(1 for t in words_after if self._lex.is_valid(t.lower())),
            word_tokens_after=len(words_after),
        )


def _names_after_i(text: str) -> Counter[str]:
    return Counter(m.group(1).lower() for m in _I_BEFORE_NAME.finditer(text))


def _inside_sentence(text: str, start: int) -> bool:
    """Whether a word at ``start`` follows another word of its sentence (not a line start or a full stop)."""
    before = text[max(0, start - 8) : start].rstrip(" \t")
    return before[-1:].isalpha()


def _split_keep(text: str) -> list[tuple[int, str]]:
    """The text cut at addresses, each piece with its offset."""
    out: list[tuple[int, str]] = []
    offset = 0
    for part in URL.split(text):
        out.append((offset, part))
        offset += len(part)
    return out


def _spans(piece: tuple[int, str]) -> list[tuple[int, int]]:
    offset, part = piece
    return [(offset + m.start(), offset + m.end()) for m in TOKEN.finditer(part)]


def _match_case(original: str, repaired: str) -> str:
    if original.isupper() and len(original) > 1:
        return repaired.upper()
    if original[:1].isupper() or original[:1] in "@":
        return repaired[:1].upper() + repaired[1:]
    return repaired
