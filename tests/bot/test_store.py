"""The storage layer on SQLite and on the machine's PostgreSQL: migrations, repositories, retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from bot.store.db import Database
from bot.store.models import QuestionLog
from bot.store.repositories import EventRepository, QuestionRepository, ThreadRepository

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _question(reference: str, *, answered: bool, text: str | None = None, days: int = 90) -> QuestionLog:
    return QuestionLog(
        reference=reference,
        leader_key="k" * 64,
        asked_at=NOW,
        channel="slack",
        channel_kind="dm",
        answered=answered,
        sources=[{"document": "heim", "section": "3.1 Delegering"}] if answered else [],
        took_ms=20,
        question_text=text,
        text_expires_at=NOW + timedelta(days=days) if text else None,
    )


def test_migrations_create_the_schema(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {"question_log", "processed_event", "answer_thread", "alembic_version"} <= tables
    db.migrate()  # idempotent at every start


def test_question_log_and_feedback(db: Database) -> None:
    with db.session() as session:
        repo = QuestionRepository(session=session)
        repo.add(_question("a1", answered=True))
        repo.add(_question("b2", answered=False, text="Hva er lunsjmenyen?"))
    with db.session() as session:
        repo = QuestionRepository(session=session)
        assert repo.count() == 2
        assert repo.set_feedback("a1", value="down", at=NOW, reason="Svaret var for generelt")
        assert not repo.set_feedback("nope", value="up", at=NOW)
        with pytest.raises(ValueError, match="sideways"):
            repo.set_feedback("a1", value="sideways", at=NOW)
    with db.session() as session:
        stored = QuestionRepository(session=session).by_reference("a1")
        assert stored is not None and stored.feedback == "down" and stored.feedback_reason == "Svaret var for generelt"
        assert stored.sources == [{"document": "heim", "section": "3.1 Delegering"}]
        assert QuestionRepository(session=session).unanswered_texts() == ["Hva er lunsjmenyen?"]


def test_retention_forgets_texts_but_keeps_counts(db: Database) -> None:
    with db.session() as session:
        repo = QuestionRepository(session=session)
        repo.add(_question("old", answered=False, text="gammelt spørsmål", days=1))
        repo.add(_question("new", answered=False, text="nytt spørsmål", days=90))
    with db.session() as session:
        assert QuestionRepository(session=session).forget_expired_texts(now=NOW + timedelta(days=2)) == 1
    with db.session() as session:
        repo = QuestionRepository(session=session)
        assert repo.unanswered_texts() == ["nytt spørsmål"]
        assert repo.count() == 2


def test_event_claim_is_once(db: Database) -> None:
    with db.session() as session:
        events = EventRepository(session=session)
        assert events.claim("Ev1", at=NOW)
        assert not events.claim("Ev1", at=NOW)
        assert events.claim("Ev2", at=NOW)
    with db.session() as session:
        assert not EventRepository(session=session).claim("Ev1", at=NOW)
        assert EventRepository(session=session).forget_before(NOW + timedelta(seconds=1)) == 2


def test_answer_threads(db: Database) -> None:
    with db.session() as session:
        threads = ThreadRepository(session=session)
        threads.remember("C1", "1700000000.000100", at=NOW)
        threads.remember("C1", "1700000000.000100", at=NOW)
    with db.session() as session:
        threads = ThreadRepository(session=session)
        assert threads.is_answer_thread("C1", "1700000000.000100")
        assert not threads.is_answer_thread("C2", "1700000000.000100")
