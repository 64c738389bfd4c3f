"""Data rights and retention for reflection answers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.identity import Pseudonymizer
from bot.reflection import data
from bot.reflection.catalog import Catalog
from bot.reflection.engine import ReflectionEngine
from bot.reflection.groups import GroupReflections
from bot.store.db import Database
from bot.store.models import ReflectionSession
from tests.conftest import KNOWLEDGE
from tests.storage import FakeClock

pytestmark = pytest.mark.integration
PSEUDO = Pseudonymizer(key=b"reflection-test-key-0123456")
CATALOG = Catalog.load(KNOWLEDGE / "reflections")


def test_duplicate_delivery_logs_one_answer(db: Database) -> None:
    engine = ReflectionEngine(database=db, catalog=CATALOG, related=lambda q: None, pseudonymizer=PSEUDO)
    engine.handle("a", "refleksjon verdier")
    first = engine.handle("a", "Mitt svar", event_id="Ev1")
    again = engine.handle("a", "Mitt svar", event_id="Ev1")
    assert first is not None and "Spørsmål 2 av 3" in first.text
    assert again is not None and again.duplicate
    assert [r["answer"] for r in data.answers_of(db, CATALOG, "a")] == ["Mitt svar"]


def test_an_answer_with_a_nul_character_is_kept(db: Database) -> None:
    # PostgreSQL refuses NUL in text: the answer would be lost with a DataError. It is kept without it.
    engine = ReflectionEngine(database=db, catalog=CATALOG, related=lambda q: None, pseudonymizer=PSEUDO)
    engine.handle("a", "refleksjon verdier")
    reply = engine.handle("a", "Mitt\x00 svar")
    assert reply is not None and "Spørsmål 2 av 3" in reply.text
    assert [r["answer"] for r in data.answers_of(db, CATALOG, "a")] == ["Mitt svar"]


def test_retention_keeps_participation_only(db: Database) -> None:
    clock = FakeClock(datetime(2024, 1, 10, tzinfo=UTC))
    engine = ReflectionEngine(database=db, catalog=CATALOG, related=lambda q: None, pseudonymizer=PSEUDO, clock=clock)
    engine.handle("old", "refleksjon verdier")
    engine.handle("old", "Et gammelt svar")
    clock.now = datetime(2026, 11, 1, tzinfo=UTC)
    engine.handle("new", "refleksjon roller")
    engine.handle("new", "Et nytt svar")
    removed = data.apply_retention(db, now=clock.now, months=24)
    assert removed == 1
    assert data.answers_of(db, CATALOG, "old") == []
    assert [r["answer"] for r in data.answers_of(db, CATALOG, "new")] == ["Et nytt svar"]
    with db.session() as session:
        sessions = session.scalar(select(func.count()).select_from(ReflectionSession))
        anonymous = session.scalar(select(func.count()).where(ReflectionSession.owner_key.is_(None)))
    assert sessions == 2 and anonymous == 1  # the old session is still counted, without its owner


def test_exports_in_three_formats(db: Database) -> None:
    engine = ReflectionEngine(database=db, catalog=CATALOG, related=lambda q: None, pseudonymizer=PSEUDO)
    engine.handle("a", "refleksjon kommunikasjon")
    engine.handle("a", 'Et svar med "sitater", komma og\nlinjeskift')
    exported = data.export(db, CATALOG, "a", "json", pseudonymizer=PSEUDO)
    assert '"answer": "Et svar med \\"sitater\\", komma og\\nlinjeskift"' in exported
    csv_text = data.export(db, CATALOG, "a", "csv", pseudonymizer=PSEUDO)
    assert csv_text.splitlines()[0].startswith("number,theme,question,answer")
    assert '"Et svar med ""sitater"", komma og' in csv_text
    assert "## Kommunikasjon og språk" in data.export(db, CATALOG, "a", "md", pseudonymizer=PSEUDO)
    with pytest.raises(ValueError, match="pdf"):
        data.export(db, CATALOG, "a", "pdf", pseudonymizer=PSEUDO)


def test_edit_keeps_the_answered_question_version(db: Database) -> None:
    answered = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    clock = FakeClock(answered)
    engine = ReflectionEngine(database=db, catalog=CATALOG, related=lambda q: None, pseudonymizer=PSEUDO, clock=clock)
    engine.handle("a", "refleksjon verdier")
    engine.handle("a", "Første versjon")
    clock.now = edited = answered + timedelta(days=3, minutes=7)
    reply = engine.handle("a", "endre svar 1 Andre versjon")
    assert reply is not None and "endret" in reply.text
    [row] = data.answers_of(db, CATALOG, "a")
    theme = CATALOG.find("verdier")
    assert theme is not None
    assert row["answer"] == "Andre versjon" and row["question_version"] == theme.questions[0].version
    # The edit moves the change time and keeps when the question was first answered.
    assert datetime.fromisoformat(row["answered_at"]) == answered
    assert datetime.fromisoformat(row["updated_at"]) == edited


def test_two_submits_at_once_keep_one_group_answer(db: Database) -> None:
    """The second of two simultaneous submits finds no answer, and the first commits before it: its
    insert hits the unique (session, question) and is retried as the replacement, not an error."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from bot.store.models import ReflectionAnswer

    groups = GroupReflections(database=db, catalog=CATALOG)
    group_id, _ = groups.start(channel_id="C1", facilitator="f", word="verdier")
    groups.answer(group_id, member="m", index=0, text="Første spørsmål", shared_as=None, conversation="C1")
    raced: list[bool] = []

    def the_other_submit_commits_first(session: Session, _context: object, _instances: object) -> None:
        if raced or not any(isinstance(o, ReflectionAnswer) for o in session.new):
            return
        raced.append(True)
        groups.answer(group_id, member="m", index=1, text="Dobbeltklikk", shared_as=None, conversation="C1")

    event.listen(Session, "before_flush", the_other_submit_commits_first)
    try:
        reply = groups.answer(group_id, member="m", index=1, text="Dobbeltklikk", shared_as=None, conversation="C1")
    finally:
        event.remove(Session, "before_flush", the_other_submit_commits_first)
    assert raced and "lagret" in reply.text
    with db.session() as session:
        texts = sorted(session.scalars(select(ReflectionAnswer.answer_text)))
    assert texts == ["Dobbeltklikk", "Første spørsmål"]
