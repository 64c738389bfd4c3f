"""One command grammar for every channel: Slack, Teams and the terminal parse what a leader writes here.

The adapters only translate: `/leder rapport enhet` in Slack, «rapport enhet» to the Teams bot and in
the terminal all become ``Command(kind="report", by="unit")``. What is not a channel-level command
(a question, «refleksjon verdier», «mine svar», «eksporter mine svar», «slett mine svar», an answer
in a reflection) is ``kind="dialog"`` and goes to :class:`bot.dialog.Dialog`.

Example:
    >>> parse("refleksjon gruppe verdier frist 01.12.2026").kind
    'group'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from index.text import fold

Kind = Literal["dialog", "report", "group", "plan"]

# Norwegian (and the English the code uses) → the HR report's dimension.
DIMENSIONS = {
    "enhet": "unit",
    "unit": "unit",
    "niva": "level",
    "nivå": "level",
    "level": "level",
    "tema": "theme",
    "theme": "theme",
    "maned": "month",
    "måned": "month",
    "month": "month",
    "uke": "week",
    "week": "week",
    "kanal": "channel",
    "channel": "channel",
}
GROUP_DEADLINE_HOUR = time(16, 0)
ZONE = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Command:
    kind: Kind
    text: str = ""  # dialog: the whole text; group: the theme words; plan: the plan's arguments
    by: str = "unit"  # report: the dimension
    deadline: datetime | None = None  # group: «frist dd.mm.åååå», 16:00 Oslo time
    bad_deadline: bool = False  # group: «frist» with a date that could not be read
    group_plan: bool = False  # plan: «plan gruppe …» (the channel's plan, not one leader's)


def parse(text: str) -> Command:
    """What ``text`` asks for; anything that is not a report, group or plan command is dialog."""
    raw = " ".join((text or "").split())
    words = raw.split(" ", 2)
    first = fold(words[0]).lstrip("/") if words and words[0] else ""
    if first == "rapport" and len(words) <= 2:
        # «rapport» alone or with one known dimension; «rapport om …» stays a question.
        if len(words) == 1:
            return Command("report")
        by = DIMENSIONS.get(fold(words[1])) or DIMENSIONS.get(words[1].lower())
        if by is not None:
            return Command("report", by=by)
    if first == "refleksjon" and len(words) > 1:
        second = fold(words[1])
        rest = words[2] if len(words) > 2 else ""
        if second == "gruppe":
            return _group(rest)
        if second == "plan":
            return _plan(rest)
    return Command("dialog", text=raw)


def _group(rest: str) -> Command:
    theme, marker, date_text = rest.partition(" frist ")
    if not marker and rest.startswith("frist "):
        theme, date_text = "", rest[len("frist ") :]
    deadline = None
    if date_text.strip():
        try:
            day = datetime.strptime(date_text.strip(), "%d.%m.%Y").date()
        except ValueError:
            return Command("group", text=theme.strip(), bad_deadline=True)
        deadline = datetime.combine(day, GROUP_DEADLINE_HOUR, tzinfo=ZONE)
    return Command("group", text=theme.strip(), deadline=deadline)


def _plan(rest: str) -> Command:
    first, _, remainder = rest.partition(" ")
    if fold(first) == "gruppe":
        return Command("plan", text=remainder.strip(), group_plan=True)
    return Command("plan", text=rest.strip())
