"""Normalise a leader's question before search: chat markup out; for BM25 only, optionally,
nynorsk function words to bokmål.

Questions arrive from Slack and Teams with mentions, links, emoji codes and formatting, and are
written in bokmål, nynorsk or English. The dense model sees the question as written (it handles
nynorsk, English and paraphrase); BM25 matches words, so the commonest nynorsk forms can be
mapped. Whether that mapping is used is decided by cross-validation (bench/fit_confidence.py);
an English glossary and nynorsk spelling patterns were measured and dropped: the sentence-window
dense scores serve those questions better across the folds.
"""

from __future__ import annotations

import re

# Nynorsk → bokmål for question words and frequent forms (a language fact, not a per-question fix).
_NYNORSK = {
    "kva": "hva",
    "kven": "hvem",
    "korleis": "hvordan",
    "kvifor": "hvorfor",
    "kvar": "hvor",
    "kor": "hvor",
    "kva for": "hvilke",
    "ikkje": "ikke",
    "mynde": "myndighet",
    "myndigheit": "myndighet",
    "leiar": "leder",
    "leiarar": "ledere",
    "leiinga": "ledelsen",
    "leiing": "ledelse",
    "tilsette": "ansatte",
    "verdiar": "verdier",
    "kommunedirektøren": "rådmannen",
    "kommunedirektør": "rådmann",
    "vere": "være",
    "frå": "fra",
    "berre": "bare",
    "noko": "noe",
    "nokon": "noen",
    "òg": "også",
}
_ENGLISH_MARKERS = frozenset(
    "the what who how does is are do of in for to and which when why can should my our".split()
)
_SLACK_MARKUP = re.compile(r"<(?:[@#!][^>]*|(https?://[^|>]+)(?:\|([^>]*))?)>")
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-]+:")
_FORMATTING = re.compile(r"[*_~`>]+")
_PHRASE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in _NYNORSK), key=len, reverse=True)) + r")\b", re.IGNORECASE
)


def strip_chat_markup(text: str) -> str:
    """Remove mentions, channel links, emoji codes and formatting; keep a link's label."""
    text = _SLACK_MARKUP.sub(lambda m: m.group(2) or "", text)
    text = _EMOJI_CODE.sub(" ", text)
    text = _FORMATTING.sub(" ", text)
    return " ".join(text.split())


def is_english(text: str) -> bool:
    words = re.findall(r"[a-zæøå]+", text.lower())
    return len(words) >= 3 and sum(w in _ENGLISH_MARKERS for w in words) >= 2


def nynorsk_to_bokmal(text: str) -> str:
    """The commonest nynorsk function words and leadership terms in their bokmål form."""
    return _PHRASE.sub(lambda m: _NYNORSK[m.group(1).lower()], text)


def normalise_query(text: str) -> str:
    """The question as the dense model sees it: chat markup out, nothing else changed."""
    return strip_chat_markup(text)
