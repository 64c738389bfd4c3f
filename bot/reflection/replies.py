"""What the reflection core answers with: text, buttons, a file; the adapters render them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    """A button: pressing it sends ``value`` back as if the leader had typed it."""

    label: str
    value: str
    style: str | None = None


@dataclass(frozen=True)
class Export:
    filename: str
    content: str
    mime: str


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    export: Export | None = None
    duplicate: bool = False  # a repeated delivery: send nothing
    unsaved: bool = False  # the database refused it: the leader must send it again
