"""The local terminal chat: the same core the channels use, read from stdin, written to stdout.

Questions get answers; "refleksjon" and the other reflection commands run a reflection, with
choices shown as numbers to type.
"""

from __future__ import annotations

import getpass
import logging
from pathlib import Path
from typing import TextIO

from bot import texts
from bot.answer import render_text
from bot.commands import Done, Place, execute, parse
from bot.dialog import Dialog
from bot.questions import Asker
from bot.reflection.replies import Choice, Reply

log = logging.getLogger(__name__)

# Whoever runs the terminal runs the bot and holds its database: they see what `lederbot report` shows.
_TERMINAL = Place(conversation="terminal", shared=False, turn=True, hr=True)


def render_reply(reply: Reply) -> str:
    lines = [texts.without_emphasis(reply.text)]
    lines += [f"  {i}) {choice.label}" for i, choice in enumerate(reply.choices, start=1)]
    if reply.choices:
        lines.append(texts.CHAT_CHOOSE)
    return "\n".join(lines)


def run_chat(dialog: Dialog, *, stdin: TextIO, stdout: TextIO, export_dir: Path, hr_contact: str = "HR") -> int:
    """Converse line by line until an empty line or the end of input; returns how many lines were handled."""
    stdout.write(texts.CHAT_WELCOME + "\n")
    asker = Asker("terminal", "local", _local_user(), "dm")
    choices: tuple[Choice, ...] = ()
    handled = 0
    while True:
        stdout.write(texts.CHAT_PROMPT)
        stdout.flush()
        line = stdin.readline()
        if not line or not line.strip():
            break
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(choices):
            text = choices[int(text) - 1].value
        try:
            done = execute(dialog, parse(text), asker=asker, place=_TERMINAL)
            choices = done.reply.choices if done.reply is not None else ()
            reply = _render(done, export_dir)
        except Exception:  # one error handler for the adapter: log it, tell the user, keep the chat alive
            log.exception("a message failed in the terminal chat")
            reply = texts.INTERNAL_ERROR.format(hr_contact=hr_contact)
        stdout.write("\n" + reply + "\n\n")
        handled += 1
    stdout.write(texts.CHAT_BYE + "\n")
    return handled


def _render(done: Done, export_dir: Path) -> str:
    """The outcome of a command as terminal text (an export is written to ``export_dir``)."""
    if done.refusal is not None:
        # The terminal is private and its user is HR: a group (or a group plan) is all it refuses.
        return texts.CHAT_GROUP_NEEDS_CHANNEL
    if done.report is not None:
        return done.report.summary
    if done.reply is not None:
        text = render_reply(done.reply)
        if done.reply.export is not None:
            export_dir.mkdir(parents=True, exist_ok=True)
            path = export_dir / done.reply.export.filename
            path.write_text(done.reply.export.content, encoding="utf-8")
            text += "\n" + texts.CHAT_EXPORTED.format(path=path)
        return text
    assert done.asked is not None
    return render_text(done.asked.answer)


def _local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "lokal"
