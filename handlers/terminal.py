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
from bot.commands import Command, parse
from bot.desk import Asker
from bot.dialog import Dialog
from bot.reflection.engine import Choice, Reply

log = logging.getLogger(__name__)


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
            command = parse(text)
            if command.kind != "dialog":
                stdout.write("\n" + _channel_command(dialog, command, asker) + "\n\n")
                handled += 1
                continue
            outcome = dialog.message(text, asker=asker)
            if outcome.reply is not None:
                choices = outcome.reply.choices
                reply = render_reply(outcome.reply)
                if outcome.reply.export is not None:
                    export_dir.mkdir(parents=True, exist_ok=True)
                    path = export_dir / outcome.reply.export.filename
                    path.write_text(outcome.reply.export.content, encoding="utf-8")
                    reply += "\n" + texts.CHAT_EXPORTED.format(path=path)
            else:
                assert outcome.asked is not None
                choices = ()
                reply = render_text(outcome.asked.answer)
        except Exception:  # one error handler for the adapter: log it, tell the user, keep the chat alive
            log.exception("a message failed in the terminal chat")
            reply = texts.INTERNAL_ERROR.format(hr_contact=hr_contact)
        stdout.write("\n" + reply + "\n\n")
        handled += 1
    stdout.write(texts.CHAT_BYE + "\n")
    return handled


def _channel_command(dialog: Dialog, command: Command, asker: Asker) -> str:
    """The commands that Slack and Teams also take, as the terminal can do them."""
    if command.kind == "report":
        # Whoever runs the terminal runs the bot and holds its database: the same figures `lederbot report` gives.
        return dialog.hr.report(actor="terminal", by=command.by).summary
    if command.kind == "plan":
        reply = dialog.plan(command.text, asker=asker, address="terminal", is_group=False, timezone=None)
        return render_reply(reply)
    return texts.CHAT_GROUP_NEEDS_CHANNEL


def _local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "lokal"
