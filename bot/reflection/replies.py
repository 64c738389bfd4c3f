"""What the reflection core answers with: text, buttons, a file; the adapters render them.

A button either sends a command back as if the leader had typed it («refleksjon verdier»), or takes
a step in a group reflection: a :class:`GroupAction`. Slack and Teams carry both as one string (a
button value, an Adaptive Card's ``cmd``); the group step's string is made and read only here.

Example:
    >>> GroupAction(7, "answer", 2).encode()
    'group:7:answer:2'
    >>> GroupAction.decode("group:7:end")
    GroupAction(group_id=7, step='end', question=None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

from index.errors import LederbotError

GroupStep = Literal["answer", "next", "end"]

_PREFIX = "group:"
# The wire value buttons have carried since the first group reflection (posted Slack messages keep
# theirs): group:<id>:answer:<question>, group:<id>:next, group:<id>:end. The digit limits keep a
# forged value within the database's integer column.
_WIRE = re.compile(r"group:([1-9]\d{0,8}):(?:(answer):(\d{1,4})|(next|end))", re.ASCII)


class BadActionError(LederbotError, ValueError):
    """A button's value names a group step but does not read as one (forged, cut, or from no version)."""


@dataclass(frozen=True)
class GroupAction:
    """A step in a group reflection: open the answer form for ``question``, go on to the next question, or end."""

    group_id: int
    step: GroupStep
    question: int | None = None  # the question's index, for "answer" only

    def __post_init__(self) -> None:
        if self.group_id < 1:
            raise ValueError(f"a group action needs a group id >= 1, got {self.group_id}")
        if self.step not in ("answer", "next", "end"):
            raise ValueError(f"unknown group step {self.step!r}")
        if (self.step == "answer") != (self.question is not None):
            raise ValueError(f"a question index goes with the answer step only, got {self.step!r} {self.question!r}")
        if self.question is not None and self.question < 0:
            raise ValueError(f"a question index is >= 0, got {self.question}")

    def encode(self) -> str:
        """The string a button carries."""
        if self.step == "answer":
            return f"{_PREFIX}{self.group_id}:answer:{self.question}"
        return f"{_PREFIX}{self.group_id}:{self.step}"

    @classmethod
    def decode(cls, value: str) -> GroupAction:
        """The action a button's string names. Raises :class:`BadActionError` for anything else."""
        match = _WIRE.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise BadActionError(f"not a group action: {str(value)[:60]!r}")
        group_id, answer, question, step = match.groups()
        if answer:
            return cls(int(group_id), "answer", int(question))
        return cls(int(group_id), cast(GroupStep, step))

    @staticmethod
    def claims(value: str) -> bool:
        """Whether ``value`` is meant as a group action rather than a typed command (it may still not decode)."""
        return str(value or "").startswith(_PREFIX)


@dataclass(frozen=True)
class Choice:
    """A button: pressing it sends ``value`` back, a command as if the leader had typed it or an encoded
    :class:`GroupAction` (build those with :meth:`of_group`; read them with :attr:`action`)."""

    label: str
    value: str
    style: str | None = None

    @classmethod
    def of_group(cls, label: str, action: GroupAction, style: str | None = None) -> Choice:
        return cls(label, action.encode(), style)

    @property
    def action(self) -> GroupAction | None:
        """The group step this button takes, or None when it sends a command back."""
        return GroupAction.decode(self.value) if GroupAction.claims(self.value) else None


@dataclass(frozen=True)
class Export:
    filename: str  # its extension tells Slack and the terminal what kind of file it is
    content: str


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    export: Export | None = None
    duplicate: bool = False  # a repeated delivery: send nothing
    unsaved: bool = False  # the database refused it: the leader must send it again
    # The step was not taken (the group is closed, or only its facilitator may): tell only whoever asked.
    refused: bool = False
