"""One command grammar for every channel: Slack, Teams and the terminal parse what a leader writes here,
and :func:`execute` carries a command out by the same rules in each.

The adapters only translate: `/leder rapport enhet` in Slack, «rapport enhet» to the Teams bot and in
the terminal all become ``Command(kind="report", by="unit")``. What is not a channel-level command
(a question, «refleksjon verdier», «mine svar», «eksporter mine svar», «slett mine svar», an answer
in a reflection) is ``kind="dialog"`` and goes to :class:`bot.dialog.Dialog`. The adapter describes
where the command was written (a :class:`Place`) and turns the :class:`Done` back into its own
messages; who may do what, and where, is decided here.

Example:
    >>> parse("refleksjon gruppe verdier frist 01.12.2026").kind
    'group'
    >>> dm = Place(conversation="D1", shared=False, turn=True, hr=False)
    >>> execute(dialog, parse("rapport nivå"), asker=asker, place=dm).refusal
    <Refusal.HR_ONLY: 'hr_only'>
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bot.reflection import words
from index.text import fold

if TYPE_CHECKING:
    from bot.analytics.service import HrReport
    from bot.dialog import Dialog
    from bot.questions import Asked, Asker
    from bot.reflection.replies import Reply

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

    @property
    def personal(self) -> bool:
        """A dialog command about the leader's own reflections («refleksjon …», «mine svar», «fortsett» …),
        as opposed to a question: it goes to the reflection dialog from any entry point, privately. The words
        are bot/reflection/words.py's, the ones the reflection engine acts on."""
        if self.kind != "dialog":
            return False
        folded = " ".join(fold(self.text).split()).lstrip("/").strip("!.?").strip()
        return words.personal(folded)


def parse(text: str) -> Command:
    """What ``text`` asks for; anything that is not a report, group or plan command is dialog."""
    raw = " ".join((text or "").split())
    parts = raw.split(" ", 2)
    first = fold(parts[0]).lstrip("/") if parts and parts[0] else ""
    if first == "rapport" and len(parts) <= 2:
        # «rapport» alone or with one known dimension; «rapport om …» stays a question.
        if len(parts) == 1:
            return Command("report")
        by = DIMENSIONS.get(fold(parts[1])) or DIMENSIONS.get(parts[1].lower())
        if by is not None:
            return Command("report", by=by)
    if first == words.REFLECTION and len(parts) > 1:
        second = fold(parts[1])
        rest = parts[2] if len(parts) > 2 else ""
        if second == words.GROUP:
            return _group(rest)
        if second == words.PLAN:
            return _plan(rest)
    # The text as written: a reflection answer keeps its line breaks.
    return Command("dialog", text=(text or "").strip())


def parse_reflection(args: str) -> Command:
    """What follows a reflection command (Slack's `/refleksjon`): «gruppe verdier» is
    «refleksjon gruppe verdier», while a command of its own («mine svar», «rapport») stays itself."""
    own = parse(args)
    if own.kind != "dialog" or (own.personal and own.text):
        return own
    return parse(f"refleksjon {args}")


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


class Refusal(Enum):
    """Why a command was not carried out here; each adapter says it in its own words."""

    HR_ONLY = "hr_only"  # the report is for HR users only
    HR_PRIVATE_ONLY = "hr_private_only"  # the report would be shown where others read it
    NEEDS_CHANNEL = "needs_channel"  # a group reflection (or a group plan) in a private chat
    NEEDS_THEME = "needs_theme"  # «refleksjon gruppe» without a theme, or with a «frist» that is no date
    PRIVATE_ONLY = "private_only"  # a personal dialog command where the answer would be read by everyone


@dataclass(frozen=True)
class Place:
    """Where a command was written, as the adapter knows it."""

    conversation: str  # the chat, channel or DM it came from: a group starts here, a group plan is sent here
    shared: bool  # others read this conversation (a channel), so groups may start here and private things not
    private_reply: bool = True  # the adapter can answer the writer privately from here (a DM, an ephemeral)
    turn: bool = False  # plain text here is a turn in the private dialog (an answer in a reflection), not a question
    hr: bool = False  # the writer is one of the channel's HR users
    own_address: str | None = None  # where the writer's own plan is sent (default: the conversation)
    timezone: str | None = None  # the writer's time zone, when the channel knows it
    reply_to: str | None = None  # where the channel takes proactive messages, when it needs to be told


@dataclass(frozen=True)
class Done:
    """What came of a command: a refusal, or the report, group, plan or dialog result to show."""

    command: Command
    refusal: Refusal | None = None
    report: HrReport | None = None  # report: send privately to the HR user
    group_id: int = 0  # group: the new group (0 when no theme matched; ``reply`` says so)
    reply: Reply | None = None  # group: its opening post; plan: the confirmation; dialog: the reflection reply
    asked: Asked | None = None  # dialog: the answer to a question
    unsaved: bool = False  # dialog: the reflection store was down, so a reflection answer was not saved


def execute(dialog: Dialog, command: Command, *, asker: Asker, place: Place, event_id: str | None = None) -> Done:
    """Carry ``command`` out by the same rules in every channel (blocking: adapters run it off the loop).

    Rules: the report only for HR and only where it can reach them privately; a group reflection, and a
    group plan, only in a shared conversation; a personal dialog command («mine svar» …) goes to the
    dialog from any entry point that can answer privately (elsewhere it is refused); other text is a
    reflection turn in a private conversation and a question everywhere else.
    """
    if command.kind == "report":
        if not place.hr:
            return Done(command, refusal=Refusal.HR_ONLY)
        if place.shared and not place.private_reply:
            return Done(command, refusal=Refusal.HR_PRIVATE_ONLY)
        return Done(command, report=dialog.hr.report(actor=dialog.audit_actor(asker), by=command.by))
    if command.kind == "group":
        if not place.shared:
            return Done(command, refusal=Refusal.NEEDS_CHANNEL)
        if not command.text or command.bad_deadline:
            return Done(command, refusal=Refusal.NEEDS_THEME)
        group_id, reply = dialog.groups.start(
            channel_id=place.conversation,
            facilitator=dialog.owner(asker),
            word=command.text,
            deadline=command.deadline,
            channel=asker.channel,
            reply_to=place.reply_to,
        )
        return Done(command, group_id=group_id, reply=reply)
    if command.kind == "plan":
        if command.group_plan and not place.shared:
            return Done(command, refusal=Refusal.NEEDS_CHANNEL)
        address = place.conversation if command.group_plan else (place.own_address or place.conversation)
        reply = dialog.plan(
            command.text,
            asker=asker,
            address=address,
            is_group=command.group_plan,
            timezone=place.timezone,
            reply_to=place.reply_to,
        )
        return Done(command, reply=reply)
    if command.personal and not place.private_reply and not place.turn:
        # Searched as a question, «mine svar» would get a document passage; answered, everyone would read it.
        return Done(command, refusal=Refusal.PRIVATE_ONLY)
    if place.turn or (command.personal and place.private_reply):
        outcome = dialog.message(command.text, asker=asker, event_id=event_id)
        return Done(command, reply=outcome.reply, asked=outcome.asked, unsaved=outcome.unsaved)
    return Done(command, asked=dialog.questions.ask(command.text, asker=asker))
