"""Building the whole core (a Dialog) for tests: the server's own composition root, with the loaded
real assistant, a real database and a clock the test can set."""

from __future__ import annotations

from bot.assistant import Assistant
from bot.clock import Clock, utc_now
from bot.config import IndexSettings, ReflectionSettings, Settings
from bot.dialog import Dialog
from bot.identity import Pseudonymizer
from bot.intake import Intake
from bot.store.db import Database
from handlers.launch import build_dialog, build_intake
from loopback import KNOWLEDGE


def make_dialog(
    assistant: Assistant, database: Database, *, clock: Clock = utc_now, pseudonymizer: Pseudonymizer | None = None
) -> Dialog:
    settings = Settings(
        index=IndexSettings(knowledge_dir=KNOWLEDGE), reflection=ReflectionSettings(folder=KNOWLEDGE / "reflections")
    )
    return build_dialog(
        settings,
        pseudonymizer=pseudonymizer or Pseudonymizer(key=b"k" * 32),
        database=database,
        assistant=assistant,
        clock=clock,
    )


def make_intake(dialog: Dialog) -> Intake:
    """The intake a server over ``dialog`` has (default settings), for a test that builds an adapter
    (``build_slack_app``, ``build_teams_agent``) or ``build_server`` itself."""
    return build_intake(Settings(), dialog)
