"""Building the whole core (a Dialog) for tests: real index and model, a real database."""

from __future__ import annotations

from collections.abc import Callable

from bot.analytics.service import HrService
from bot.assistant import Assistant
from bot.desk import Clock, Desk, utc_now
from bot.dialog import Dialog
from bot.identity import Pseudonymizer
from bot.reflection.catalog import Catalog
from bot.reflection.engine import ReflectionEngine
from bot.reflection.schedule import Scheduler
from bot.store.db import Database
from tests.conftest import KNOWLEDGE

MakeDialog = Callable[..., Dialog]


def make_dialog(
    assistant: Assistant, database: Database, *, clock: Clock = utc_now, pseudonymizer: Pseudonymizer | None = None
) -> Dialog:
    pseudo = pseudonymizer or Pseudonymizer(key=b"k" * 32)
    catalog = Catalog.load(KNOWLEDGE / "reflections")
    return Dialog(
        desk=Desk(assistant=assistant, database=database, pseudonymizer=pseudo, clock=clock),
        engine=ReflectionEngine(database=database, catalog=catalog, related=assistant.related, clock=clock),
        scheduler=Scheduler(database=database, catalog=catalog, clock=clock),
        pseudonymizer=pseudo,
        hr=HrService(database=database, min_group_size=5, clock=clock),
    )
