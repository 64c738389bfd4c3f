"""The names of the documents' owners as a text writes them: in a question, so that the confidence
model can judge its topic without them, and in a document, so that a name is not taken for a heading.

Every document names its owner (a municipality, KS), and the owner is part of what is searched:
"lederne i Lørenskog" should find Lørenskog's documents. But a question that shares nothing with a
document except its owner's name ("Hva tjener kommunedirektøren i Levanger?") then looks close
to it, lexically and densely. The search ranks with the whole question and judges whether the
documents answer its topic on the question without the owners' names (bot/search.py).

The names come from the documents' metadata (``owner``, ``short_owner``), never from a list.
A name is matched as a phrase of whole words (folded, so "Lorenskog" is "Lørenskog"; a genitive
"-s" allowed): "kommune" alone names no one, and nor does any single word of a longer name except
the name without its last word, which in Norwegian names the kind of organisation ("Heim kommune"
is also "Heim", "Nedre Eiker kommune" "Nedre Eiker").

Example:
    >>> names = OwnerNames(["Heim kommune", "KS (Kommunesektorens organisasjon)", "KS"])
    >>> names.strip("Hva sier KS om lederne i Heim kommune?")
    'Hva sier om lederne i?'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from index.text import fold

_WORD = re.compile(r"[^\W_]+")
_PARENTHESES = re.compile(r"\(([^)]*)\)")
_SPACE_BEFORE_MARK = re.compile(r"\s+([?.!,;:])")


class OwnerNames:
    """Finds and removes the owners' names in a text."""

    def __init__(self, names: Iterable[str] | Mapping[str, str]) -> None:
        """``names``: the names, or each name with the owner it names ("KS" → "KS (Kommunesektorens
        organisasjon)"); a bare name names itself."""
        owners = dict(names) if isinstance(names, Mapping) else {name: name for name in names}
        forms: dict[tuple[str, ...], str] = {}
        for name, owner in owners.items():
            inside = _PARENTHESES.findall(name)
            for alias in (name, _PARENTHESES.sub(" ", name), *inside):
                words = tuple(fold(w) for w in _WORD.findall(alias))
                for form in (words, words[:-1] if len(words) > 1 else ()):
                    if form:
                        forms.setdefault(form, owner)
        # Longest first: "Heim kommune" is taken whole, not as "Heim" and a stray "kommune".
        self._forms = sorted(forms, key=lambda f: (-len(f), f))
        self._owner_of = forms

    def __bool__(self) -> bool:
        return bool(self._forms)

    def only_names(self, text: str) -> bool:
        """Whether ``text`` is nothing but owners' names ("Fjellvik kommune")."""
        return bool(self) and not _WORD.search(self.strip(text))

    def named(self, text: str) -> frozenset[str]:
        """The owners ``text`` names."""
        return frozenset(self._owner_of[form] for form, _, _ in self._found(text))

    def strip(self, text: str) -> str:
        """``text`` without the owners' names (unchanged when it names none)."""
        cut = [(start, end) for _, start, end in self._found(text)]
        if not cut:
            return text
        kept, last = [], 0
        for start, end in cut:
            kept.append(text[last:start])
            last = end
        kept.append(text[last:])
        return _SPACE_BEFORE_MARK.sub(r"\1", " ".join("".join(kept).split()))

    def _found(self, text: str) -> list[tuple[tuple[str, ...], int, int]]:
        """Each name in ``text``: its form and where it starts and ends."""
        words = list(_WORD.finditer(text))
        folded = [fold(m.group()) for m in words]
        found = []
        i = 0
        while i < len(words):
            form = next((f for f in self._forms if _matches(folded, i, f)), None)
            if form is not None:
                found.append((form, words[i].start(), words[i + len(form) - 1].end()))
            i += len(form) if form else 1
        return found


def _matches(folded: list[str], at: int, form: tuple[str, ...]) -> bool:
    if at + len(form) > len(folded):
        return False
    return all(w in (f, f + "s") for w, f in zip(folded[at : at + len(form)], form, strict=True))
