"""The local terminal chat: the same core the channels use, read from stdin, written to stdout."""

from __future__ import annotations

import logging
from typing import Protocol, TextIO

from bot import texts
from bot.answer import Answer, render_text

log = logging.getLogger(__name__)


class Asks(Protocol):
    def ask(self, question: str) -> Answer: ...


def run_chat(assistant: Asks, *, stdin: TextIO, stdout: TextIO, hr_contact: str = "HR") -> int:
    """Answer questions line by line until an empty line or the end of input; returns how many were asked."""
    stdout.write(texts.CHAT_WELCOME + "\n")
    asked = 0
    while True:
        stdout.write(texts.CHAT_PROMPT)
        stdout.flush()
        line = stdin.readline()
        if not line or not line.strip():
            break
        try:
            reply = render_text(assistant.ask(line.strip()))
        except Exception:  # one error handler for the adapter: log it, tell the user, keep the chat alive
            log.exception("question failed in the terminal chat")
            reply = texts.INTERNAL_ERROR.format(hr_contact=hr_contact)
        stdout.write("\n" + reply + "\n\n")
        asked += 1
    stdout.write(texts.CHAT_BYE + "\n")
    return asked
