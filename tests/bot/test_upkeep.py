"""Retention runs in the server whatever channels are configured (a Teams-only deployment too)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.assistant import Assistant
from bot.config import Settings
from bot.questions import Asker
from bot.store.db import Database, StorageError, make_engine
from bot.store.models import FeedbackNote, QuestionLog, ReflectionAnswer, UnansweredQuestion
from bot.store.question_log import QuestionRepository
from bot.upkeep import Retention, Swept
from handlers.launch import periodic_work
from loopback.core import make_dialog
from tests.storage import FakeClock

LONG_AGO = datetime(2023, 1, 9, 10, tzinfo=UTC)


def test_retention_runs_without_slack(assistant: Assistant, db: Database, settings: Settings) -> None:
    clock = FakeClock(LONG_AGO)
    dialog = make_dialog(assistant, db, clock=clock)
    owner = dialog.owner(Asker("teams", "tenant", "aad-1", "dm"))
    dialog.engine.handle(owner, "refleksjon verdier")
    dialog.engine.handle(owner, "Et gammelt svar")
    with db.session() as session:
        repo = QuestionRepository(session=session)
        record = QuestionLog(
            reference="old",
            leader_key="k" * 64,
            asked_at=LONG_AGO,
            channel="teams",
            channel_kind="dm",
            answered=False,
            sources=[],
            took_ms=1,
            question_text="Et gammelt ubesvart spørsmål",
            text_expires_at=LONG_AGO + timedelta(days=90),
        )
        repo.add(record, tagger=lambda person: "t" * 64)
        repo.set_feedback("old", value="down", at=LONG_AGO, reason="Gammel grunn", keep_days=90)
    clock.now = datetime.now(UTC)
    periodic = periodic_work(dialog, settings, senders={})  # no channel to send through: retention runs all the same
    asyncio.run(periodic())
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0
        assert session.scalar(select(func.count()).select_from(FeedbackNote)) == 0
        assert session.scalar(select(func.count()).select_from(ReflectionAnswer)) == 0
        assert session.scalar(select(func.count()).select_from(QuestionLog)) == 1  # the count stays


def test_a_sweep_that_fails_is_tried_again_at_the_next_tick(assistant: Assistant, tmp_path: Path) -> None:
    """A database that cannot be reached at the daily sweep does not cost a day of retention."""
    database = Database(make_engine(f"sqlite:///{tmp_path / 'bot.db'}"))  # not migrated: every query fails
    retention = Retention(questions=make_dialog(assistant, database).questions, months=12)
    with pytest.raises(StorageError):
        asyncio.run(retention.run())
    database.migrate()
    assert asyncio.run(retention.run()) == Swept(0, 0, 0)  # the next tick, not tomorrow
    assert asyncio.run(retention.run()) is None  # and then not again until tomorrow
