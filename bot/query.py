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
# Nynorsk spelling patterns with a regular bokmål counterpart.
_NYNORSK_PATTERNS = (
    (re.compile(r"\bsjuk", re.IGNORECASE), "syk"),
    (re.compile(r"frå(?=\w)", re.IGNORECASE), "fra"),
    (re.compile(r"(?<=\w)leg(e?)\b", re.IGNORECASE), r"lig\1"),
    (re.compile(r"\bfølgj", re.IGNORECASE), "følg"),
    (re.compile(r"\bleiar", re.IGNORECASE), "leder"),
)
# English words for the documents' subjects, so an English question also finds the bokmål terms.
_ENGLISH_GLOSSARY = {
    "leadership": "ledelse lederskap",
    "leader": "leder",
    "leaders": "ledere",
    "manager": "leder",
    "managers": "ledere",
    "management": "ledelse",
    "platform": "plattform lederplattform",
    "loyalty": "lojalitet",
    "loyal": "lojal",
    "delegation": "delegering",
    "delegate": "delegere",
    "delegated": "delegert",
    "authority": "myndighet",
    "responsibility": "ansvar",
    "responsible": "ansvar",
    "salary": "lønn",
    "pay": "lønn",
    "wage": "lønn",
    "vision": "visjon",
    "values": "verdier",
    "value": "verdi",
    "employee": "ansatt medarbeider",
    "employees": "ansatte medarbeidere",
    "employer": "arbeidsgiver",
    "municipality": "kommune",
    "municipal": "kommunal",
    "council": "kommunestyret",
    "mayor": "ordfører",
    "chief executive": "rådmann",
    "department head": "avdelingsleder",
    "head of department": "avdelingsleder",
    "unit manager": "enhetsleder",
    "competence": "kompetanse",
    "skills": "kompetanse ferdigheter",
    "culture": "kultur",
    "trust": "tillit",
    "role": "rolle",
    "roles": "roller",
    "innovation": "innovasjon",
    "sick leave": "sykefravær",
    "absence": "fravær",
    "appraisal": "medarbeidersamtale utviklingssamtale",
    "development": "utvikling",
    "meeting": "møte",
    "goals": "mål",
    "budget": "budsjett",
    "internal control": "internkontroll",
    "deviation": "avvik",
    "law": "lov",
    "laws": "lover",
    "social media": "sosiale medier",
    "ethics": "etikk",
    "recruit": "rekruttere",
    "decide": "vedta beslutte",
    "decides": "vedtar beslutter",
}
_ENGLISH_MARKERS = frozenset(
    "the what who how does is are do of in for to and which when why can should my our".split()
)
_GLOSSARY_PHRASE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in _ENGLISH_GLOSSARY), key=len, reverse=True)) + r")\b", re.IGNORECASE
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


def normalise_query(text: str) -> str:
    """The question as search sees it: markup out, nynorsk forms to bokmål, English subject words glossed."""
    text = strip_chat_markup(text)
    text = _PHRASE.sub(lambda m: _NYNORSK[m.group(1).lower()], text)
    for pattern, replacement in _NYNORSK_PATTERNS:
        text = pattern.sub(replacement, text)
    if is_english(text):
        glossed = [_ENGLISH_GLOSSARY[m.group(1).lower()] for m in _GLOSSARY_PHRASE.finditer(text)]
        if glossed:
            text = f"{text} ({' '.join(glossed)})"
    return text
