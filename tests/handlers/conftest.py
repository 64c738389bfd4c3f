"""A Dialog (the whole core) over a fresh SQLite file, with the session's loaded index and model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.assistant import Assistant
from bot.desk import Clock, Desk, utc_now
from bot.dialog import Dialog
from bot.identity import Pseudonymizer
from bot.reflection.catalog import Catalog
from bot.reflection.engine import ReflectionEngine
from bot.reflection.schedule import Scheduler
from bot.store.db import Database, make_engine
from handlers.launch import related_passage
from tests.conftest import KNOWLEDGE

MakeDialog = Callable[..., Dialog]


def make_dialog(assistant: Assistant, database: Database, *, clock: Clock = utc_now) -> Dialog:
    pseudo = Pseudonymizer(key=b"k" * 32)
    catalog = Catalog.load(KNOWLEDGE / "reflections")
    return Dialog(
        desk=Desk(assistant=assistant, database=database, pseudonymizer=pseudo, clock=clock),
        engine=ReflectionEngine(database=database, catalog=catalog, related=related_passage(assistant), clock=clock),
        scheduler=Scheduler(database=database, catalog=catalog, clock=clock),
        pseudonymizer=pseudo,
    )


@pytest.fixture
def dialog(assistant: Assistant, tmp_path: Path) -> Iterator[Dialog]:
    database = Database(make_engine(f"sqlite:///{tmp_path / 'bot.db'}"))
    database.migrate()
    yield make_dialog(assistant, database)
    database.engine.dispose()
