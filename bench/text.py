"""The folding ../shared/eval/score.py matches expected phrases with, shared by the benchmarks.

It is index.text.fold (lower case, æ/ø/å spelled out, accents gone) with punctuation turned into
single spaces, so "Når?" and "nar" match as score.py matches them.
"""

from __future__ import annotations

import re

from index.text import fold

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold_text(text: str) -> str:
    """score.py's fold(): ``index.text.fold`` and every run of other characters one space."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())
