"""The storage layer on SQLite and on the machine's PostgreSQL: migrations, repositories, retention."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select
from sqlalchemy import text as sql
from sqlalchemy.engine import Engine

from bot.identity import Pseudonymizer
from bot.store.db import MIGRATIONS, Database, make_engine
from bot.store.inbox import InboxEvent
from bot.store.models import (
    Base,
    FeedbackNote,
    GroupSession,
    QuestionLog,
    ReflectionAnswer,
    ReflectionSession,
    UnansweredQuestion,
)
from bot.store.question_log import QuestionRepository, ThreadRepository, week_end
from tests.storage import postgres_schema

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TAG = Pseudonymizer(key=b"s" * 32).tag
# A real Teams channel conversation id with its message id: ~100 characters.
TEAMS_CHANNEL = "19:3f9c2a7d1e6b4c8f9a0b1c2d3e4f5a6b@thread.tacv2;messageid=1732363200123" + "x" * 20


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


def _alembic(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


@contextmanager
def _empty_engine(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """A database of ``kind`` with no revision applied, for a test that migrates it step by step."""
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    with postgres_schema() as (url, options):
        engine = make_engine(url, **options)
        try:
            yield engine
        finally:
            engine.dispose()


def test_migrations_create_the_schema(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {"question_log", "answer_thread", "alembic_version", InboxEvent.__tablename__} <= tables
    # The migrations make exactly the models' tables: no table is left behind that nothing maps.
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    db.migrate()  # idempotent at every start


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_0008_drops_processed_event_and_downgrades(kind: str, tmp_path: Path) -> None:
    # The inbox is the duplicate check; the event-id table before it had no writer left.
    with _empty_engine(kind, tmp_path) as engine:
        _alembic(engine, "0007")
        with engine.begin() as c:
            c.execute(sql("insert into processed_event (event_id, received_at) values ('Ev1', :now)"), {"now": NOW})
        _alembic(engine, "0008")
        assert "processed_event" not in inspect(engine).get_table_names()
        _alembic(engine, "0007", down=True)
        inspector = inspect(engine)
        assert [i["name"] for i in inspector.get_indexes("processed_event")] == ["ix_processed_event_received_at"]
        with engine.connect() as c:
            assert c.execute(sql("select count(*) from processed_event")).scalar() == 0
        _alembic(engine, "head")
        assert "processed_event" not in inspect(engine).get_table_names()


def test_question_log_and_feedback(db: Database) -> None:
    with db.session() as session:
        repo = QuestionRepository(session=session)
        repo.add(_question("a1", answered=True), tagger=TAG)
        repo.add(_question("b2", answered=False, text="Hva er lunsjmenyen?"), tagger=TAG)
    with db.session() as session:
        repo = QuestionRepository(session=session)
        assert repo.count() == 2
        assert repo.set_feedback("a1", value="down", at=NOW, reason="Svaret var for generelt", keep_days=30)
        assert not repo.set_feedback("nope", value="up", at=NOW)
        with pytest.raises(ValueError, match="sideways"):
            repo.set_feedback("a1", value="sideways", at=NOW)
    with db.session() as session:
        stored = QuestionRepository(session=session).by_reference("a1")
        assert stored is not None and stored.feedback == "down" and stored.feedback_reason is None
        assert stored.sources == [{"document": "heim", "section": "3.1 Delegering"}]
        assert QuestionRepository(session=session).unanswered_texts() == ["Hva er lunsjmenyen?"]
        # Texts sit apart from the person: no question row keeps a text, nothing there holds a key.
        assert all(q.question_text is None for q in session.scalars(select(QuestionLog)))
        [note] = session.scalars(select(FeedbackNote))
        assert note.reason == "Svaret var for generelt" and note.document == "heim"
        assert note.expires_at == week_end(NOW) + timedelta(days=30)  # from the week, not the moment
        [text] = session.scalars(select(UnansweredQuestion))
        assert text.week == "2026-U48" and text.asker_tag == TAG("k" * 64)
        assert "k" * 64 not in {text.asker_tag, text.id}


def test_texts_are_scrubbed_before_they_are_stored(db: Database) -> None:
    question = "Jeg heter x, ring 912 34 567 eller skriv til tora.hansen@heim.kommune.no om <@U0123ABCDE>"
    with db.session() as session:
        repo = QuestionRepository(session=session)
        repo.add(_question("q1", answered=False, text=question), tagger=TAG)
        repo.add(_question("q2", answered=True), tagger=TAG)
        repo.set_feedback("q2", value="down", at=NOW, reason="Spør heller Kari på 22 33 44 55")
    with db.session() as session:
        [text] = QuestionRepository(session=session).unanswered_texts()
        reasons = QuestionRepository(session=session).feedback_reasons()
    for gone in ("912 34 567", "tora.hansen", "U0123ABCDE", "22 33 44 55"):
        assert gone not in text and all(gone not in r for r in reasons)
    assert "[fjernet]" in text and "ring" in text


def test_a_down_reason_expires(db: Database) -> None:
    with db.session() as session:
        repo = QuestionRepository(session=session)
        repo.add(_question("a1", answered=True), tagger=TAG)
        repo.set_feedback("a1", value="down", at=NOW, reason="Feil kapittel", keep_days=10)
    with db.session() as session:
        QuestionRepository(session=session).forget_expired_texts(now=NOW + timedelta(days=9))
        assert QuestionRepository(session=session).feedback_reasons() == ["Feil kapittel"]
        QuestionRepository(session=session).forget_expired_texts(now=week_end(NOW) + timedelta(days=10))
        assert QuestionRepository(session=session).feedback_reasons() == []
        assert QuestionRepository(session=session).by_reference("a1").feedback == "down"  # type: ignore[union-attr]


def test_texts_apart_do_not_join_to_their_question_on_time(db: Database) -> None:
    """The attacker's join: every time stored beside a text, less any whole number of days, against
    every time on the question rows. Five people ask unanswered questions and give 👎 reasons at
    different moments of one week: their texts must be indistinguishable but for the text itself."""
    moments = [
        NOW + timedelta(days=d, hours=h, seconds=s)
        for d, h, s in ((0, 1, 7), (1, 3, 11), (2, 0, 0), (3, 5, 3), (4, 7, 9))
    ]
    with db.session() as session:
        repo = QuestionRepository(session=session)
        for n, at in enumerate(moments):
            question = _question(f"q{n}", answered=False, text=f"Spørsmål nummer {n}?")
            question.asked_at, question.text_expires_at, question.leader_key = at, at + timedelta(days=90), f"{n}" * 64
            repo.add(question, tagger=TAG)
            answered = _question(f"a{n}", answered=True)
            answered.asked_at, answered.leader_key = at, f"{n}" * 64
            repo.add(answered, tagger=TAG)
            repo.set_feedback(f"a{n}", value="down", at=at + timedelta(minutes=1), reason=f"Grunn {n}", keep_days=30)
    with db.session() as session:
        row_times = {
            t
            for q in session.scalars(select(QuestionLog))
            for t in (q.asked_at, q.feedback_at, q.text_expires_at)
            if t is not None
        }
        texts = list(session.scalars(select(UnansweredQuestion)))
        notes = list(session.scalars(select(FeedbackNote)))
        assert len(texts) == len(notes) == 5
        for rows in (texts, notes):
            assert len({(r.week, r.expires_at) for r in rows}) == 1  # one week, one expiry for all
        for row in [*texts, *notes]:
            stored = row.expires_at
            assert not any(stored - timedelta(days=k) in row_times for k in range(0, 400)), row.id


def test_real_teams_ids_and_long_names_fit(db: Database) -> None:
    with db.session() as session:
        ThreadRepository(session=session).remember(TEAMS_CHANNEL, "1732363200123", at=NOW)
        group = GroupSession(
            channel_id=TEAMS_CHANNEL,
            thread_ts="1732363200123",
            theme_id="verdier",
            theme_version="1",
            facilitator_key="f" * 64,
            current_index=0,
            state="open",
            created_at=NOW,
        )
        session.add(group)
        session.flush()
        record = ReflectionSession(
            owner_key="o" * 64,
            theme_id="verdier",
            theme_version="1",
            group_id=group.id,
            state="active",
            current_index=0,
            started_at=NOW,
            updated_at=NOW,
        )
        session.add(record)
        session.flush()
        name = "Anne-Marie Kristiansen-Bjørnstad Øvre-Eiker Solberg-Haugland (Helse og omsorg, Heim kommune)"
        assert len(name) > 64
        for question_id, shared_as in (("q1", name), ("q2", "<@U0123ABCDE>")):
            session.add(
                ReflectionAnswer(
                    session_id=record.id,
                    owner_key="o" * 64,
                    theme_id="verdier",
                    question_id=question_id,
                    question_version="1",
                    question_text="Hva?",
                    answer_text="Svar",
                    shared_as=shared_as,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    with db.session() as session:
        assert ThreadRepository(session=session).is_answer_thread(TEAMS_CHANNEL, "1732363200123")
        shown = sorted(a.shared_as or "" for a in session.scalars(select(ReflectionAnswer)))
        assert shown == [
            "Anne-Marie Kristiansen-Bjørnstad Øvre-Eiker Solberg-Haugland (Helse og omsorg, Heim kommune)",
            "Et medlem",
        ]  # a mention is never stored: no user id at rest


def test_retention_forgets_texts_but_keeps_counts(db: Database) -> None:
    with db.session() as session:
        repo = QuestionRepository(session=session)
        repo.add(_question("old", answered=False, text="gammelt spørsmål", days=1), tagger=TAG)
        repo.add(_question("new", answered=False, text="nytt spørsmål", days=90), tagger=TAG)
    with db.session() as session:
        assert QuestionRepository(session=session).forget_expired_texts(now=week_end(NOW) + timedelta(days=1)) == 1
    with db.session() as session:
        repo = QuestionRepository(session=session)
        assert repo.unanswered_texts() == ["nytt spørsmål"]
        assert repo.count() == 2


def test_answer_threads(db: Database) -> None:
    with db.session() as session:
        threads = ThreadRepository(session=session)
        threads.remember("C1", "1700000000.000100", at=NOW)
        threads.remember("C1", "1700000000.000100", at=NOW)
    with db.session() as session:
        threads = ThreadRepository(session=session)
        assert threads.is_answer_thread("C1", "1700000000.000100")
        assert not threads.is_answer_thread("C2", "1700000000.000100")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_to_0004_moves_texts_out_and_keeps_attribution(kind: str, tmp_path: Path) -> None:
    with _empty_engine(kind, tmp_path) as engine:
        _alembic(engine, "0003")
        with engine.begin() as c:
            c.execute(
                sql(
                    "insert into leader (id, email, unit, level, active, updated_at) "
                    "values (1, 'a@k.no', 'Helse', 'avdelingsleder', true, :now)"
                ),
                {"now": NOW},
            )
            c.execute(
                sql(
                    "insert into leader_identity (leader_id, channel, leader_key, owner_key) "
                    "values (1, 'slack', :lk, :ok)"
                ),
                {"lk": "l" * 64, "ok": "o" * 64},
            )
            c.execute(
                sql(
                    "insert into question_log (reference, leader_key, asked_at, channel, channel_kind, answered, "
                    "sources, took_ms, question_text, text_expires_at, feedback, feedback_reason) values "
                    "('r1', :lk, :now, 'slack', 'dm', false, '[]', 5, 'Gammel tekst', :later, 'down', 'Gammel grunn')"
                ),
                {"lk": "l" * 64, "now": NOW, "later": NOW + timedelta(days=90)},
            )
        _alembic(engine, "head")
        database = Database(engine)
        with database.session() as session:
            [row] = session.scalars(select(QuestionLog))
            assert (row.person, row.unit, row.level) == ("p1", "Helse", "avdelingsleder")
            assert row.question_text is None and row.feedback_reason is None
            [moved] = session.scalars(select(UnansweredQuestion))
            assert moved.text == "Gammel tekst" and "l" * 64 not in moved.asker_tag
            assert [n.reason for n in session.scalars(select(FeedbackNote))] == ["Gammel grunn"]


def test_unregistered_askers_count_as_at_most_one_person(db: Database) -> None:
    # One unregistered person on Slack and on Teams has two chat keys, so two tags: together they may
    # not count as two askers, or two people could carry a group of unanswered questions past 5.
    with db.session() as session:
        repo = QuestionRepository(session=session)
        for n, (person, key) in enumerate((("p1", "a" * 64), ("p2", "b" * 64), (None, "s" * 64), (None, "t" * 64))):
            question = _question(f"u{n}", answered=False, text="Hvor er kantina?")
            question.person, question.leader_key = person, key
            repo.add(question, tagger=TAG)
    with db.session() as session:
        tags = {tag for _, tag in QuestionRepository(session=session).unanswered()}
    assert tags == {TAG("p1"), TAG("p2"), "unregistered"}
