"""The words of the reflection commands, the one place they are written: bot/reflection/engine.py's
``handle`` acts on them, and bot/commands.py tells by them which dialog text is personal (it goes to
the reflection dialog, privately, from any entry point) rather than a question.

Each word is matched on the folded text («Mine svar!» is «mine svar»); an edit («endre svar 2: …»)
is matched by :data:`EDIT`, with its number and new text.

Example:
    >>> MY_ANSWERS in PERSONAL, PAUSE in PERSONAL
    (True, False)
"""

from __future__ import annotations

import re

REFLECTION = "refleksjon"  # alone: the list of themes (App Home's button sends it too)
THEMES = frozenset({REFLECTION, f"/{REFLECTION}", "refleksjoner"})
START = (f"{REFLECTION} ", f"/{REFLECTION} ")  # … and a theme's words: start it
# «refleksjon gruppe <tema> [frist]» and «refleksjon plan …» are read by bot/commands.py.
GROUP = "gruppe"
PLAN = "plan"
MY_ANSWERS = "mine svar"
EXPORT = "eksporter mine svar"
DELETE = "slett mine svar"  # asks first; the buttons answer with the next two
DELETE_CONFIRMED = "slett mine svar bekreftet"
DELETE_CANCELLED = "avbryt sletting"
RESUME = "fortsett"
# These act on a running reflection only: without one they are no command, so they stay turns in the DM.
PAUSE = "pause"
END = "avslutt"
SKIP = "hopp over"

# The commands about the leader's own reflections and answers that always have a reply, for the leader
# alone, wherever they were written (with START and EDIT).
PERSONAL = THEMES | {MY_ANSWERS, EXPORT, DELETE, DELETE_CONFIRMED, DELETE_CANCELLED, RESUME}

_EDIT_HEAD = r"^endre svar (\d+)"
EDIT = re.compile(_EDIT_HEAD + r"\s*[:.-]?\s*(.+)$", re.IGNORECASE | re.DOTALL)  # the text as written
EDIT_START = re.compile(_EDIT_HEAD + r"\b")  # the folded text begins like an edit


def personal(folded: str) -> bool:
    """Whether ``folded`` (the folded command, without a leading slash) is one of the personal commands."""
    return folded in PERSONAL or folded.startswith(START) or bool(EDIT_START.match(folded))
