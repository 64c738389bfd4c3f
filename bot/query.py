"""Normalise a leader's question before search: chat markup out, nynorsk function words to bokmål.

Questions arrive from Slack and Teams with mentions, links, emoji codes and formatting, and are
written in bokmål, nynorsk or English. The documents are bokmål; the dense model copes with
most variation, but BM25 matches words, so the commonest nynorsk forms are mapped.
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
_SLACK_MARKUP = re.compile(r"<(?:[@#!][^>]*|(https?://[^|>]+)(?:\|([^>]*))?)>")
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-]+:")
_FORMATTING = re.compile(r"[*_~`>]+")
_PHRASE = re.compile(r"\b(" + "|".join(sorted((re.escape(k) for k in _NYNORSK), key=len, reverse=True)) + r")\b", re.IGNORECASE)


def strip_chat_markup(text: str) -> str:
    """Remove mentions, channel links, emoji codes and formatting; keep a link's label."""
    text = _SLACK_MARKUP.sub(lambda m: m.group(2) or "", text)
    text = _EMOJI_CODE.sub(" ", text)
    text = _FORMATTING.sub(" ", text)
    return " ".join(text.split())


def normalise_query(text: str) -> str:
    """The question as search sees it."""
    text = strip_chat_markup(text)
    return _PHRASE.sub(lambda m: _NYNORSK[m.group(1).lower()], text)
