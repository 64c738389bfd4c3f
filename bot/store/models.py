"""The tables. No chat user id is stored: a leader is a keyed hash (``leader_key``, ``owner_key``).

Activity rows (questions, reflection sessions) carry the person, unit and level they were attributed
to when they happened (``bot.store.people`` stamps them at insert), so a later register import never
re-attributes history. Free text a leader typed for the document owners (unanswered questions, 👎
reasons) lives in tables with no key that joins to a person.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy import DateTime as _DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates
from sqlalchemy.types import TypeDecorator

SHARED_LABEL = "Et medlem"
_CHAT_ID = re.compile(
    r"<[@!#]|\b[UW][A-Z0-9]{6,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|^29:"
)


class DateTime(TypeDecorator[datetime]):
    """Timestamps are aware and UTC on every backend (SQLite would hand them back naive)."""

    impl = _DateTime
    cache_ok = True

    def __init__(self, timezone: bool = True, **kwargs: Any) -> None:
        super().__init__(timezone=True, **kwargs)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        utc = aware.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_one_person(person: str | None) -> bool:
    """Whether an activity's ``person`` is one person for certain: a register entry ("p<id>"), or the
    random token a deleted person's rows keep ("x…"). A chat key without the register may be one of
    several keys of the same person (another channel, an earlier pseudonym key)."""
    if not person:
        return False
    return (person.startswith("p") and person[1:].isdigit()) or person.startswith("x")


class UserText(TypeDecorator[str]):
    """Text a person wrote. PostgreSQL refuses a NUL character in text (a DataError that would lose
    the whole answer); nobody means one, so it is dropped on the way in, on every backend alike."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return value.replace("\x00", "") if value else value


class Base(DeclarativeBase):
    pass


class QuestionLog(Base):
    """One question put to the bot, for usage figures and the list of unanswered questions."""

    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Opaque id carried by the answer's buttons, so feedback finds its question without a user id.
    reference: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    leader_key: Mapped[str] = mapped_column(String(64), index=True)
    # The reflection owner key of the same chat user, so deletion finds an unregistered leader's questions.
    owner_key: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    # Stamped at insert from the register as it was then: "p<leader id>", or the owner/leader key.
    person: Mapped[str | None] = mapped_column(String(80), index=True, nullable=True)
    unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    level: Mapped[str | None] = mapped_column(String(100), nullable=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # slack, teams, terminal
    channel_kind: Mapped[str] = mapped_column(String(16))  # dm, mention, command, thread
    answered: Mapped[bool] = mapped_column(Boolean)
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    took_ms: Mapped[int] = mapped_column(Integer)
    # Never kept here since revision 0004: the repository moves the text to ``unanswered_question``.
    question_text: Mapped[str | None] = mapped_column(UserText, nullable=True)
    text_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    feedback: Mapped[str | None] = mapped_column(String(8), nullable=True)  # up, down
    # Never set since 0004: see FeedbackNote.
    feedback_reason: Mapped[str | None] = mapped_column(UserText, nullable=True)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AnswerThread(Base):
    """A thread the bot answered in, where follow-up questions are answered without a mention."""

    __tablename__ = "answer_thread"
    __table_args__ = (UniqueConstraint("channel_id", "thread_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(255))  # a Teams conversation id runs to ~100 characters
    thread_ts: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReflectionSession(Base):
    """One leader going through one theme, alone or as a member of a group session."""

    __tablename__ = "reflection_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_key: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    person: Mapped[str | None] = mapped_column(String(80), index=True, nullable=True)
    unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    level: Mapped[str | None] = mapped_column(String(100), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    theme_id: Mapped[str] = mapped_column(String(128), index=True)
    theme_version: Mapped[str] = mapped_column(String(16))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group_session.id", ondelete="SET NULL"), nullable=True)
    state: Mapped[str] = mapped_column(String(16), index=True)  # active, paused, done, ended
    current_index: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ReflectionAnswer(Base):
    """A leader's answer to one question: readable by its author alone unless shared."""

    __tablename__ = "reflection_answer"
    __table_args__ = (UniqueConstraint("session_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("reflection_session.id", ondelete="CASCADE"), index=True)
    owner_key: Mapped[str] = mapped_column(String(64), index=True)
    theme_id: Mapped[str] = mapped_column(String(128))
    question_id: Mapped[str] = mapped_column(String(160))
    question_version: Mapped[str] = mapped_column(String(16))
    question_text: Mapped[str] = mapped_column(UserText)  # the wording that was answered
    answer_text: Mapped[str] = mapped_column(UserText)
    # The display name shown with a shared answer; never a user id or mention (see ``validate_shared_as``).
    shared_as: Mapped[str | None] = mapped_column(String(200), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @validates("shared_as")
    def validate_shared_as(self, _key: str, value: str | None) -> str | None:
        # A mention (<@U…>) or a bare chat id would put the user id at rest: keep a neutral label instead.
        if value is None:
            return None
        if _CHAT_ID.search(value):
            return SHARED_LABEL
        return " ".join(value.replace("\x00", "").split())[:200] or SHARED_LABEL


class GroupSession(Base):
    """A leader group reflecting together in a channel, led by a facilitator or by a deadline."""

    __tablename__ = "group_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(255))
    thread_ts: Mapped[str | None] = mapped_column(String(64), nullable=True)
    theme_id: Mapped[str] = mapped_column(String(128))
    theme_version: Mapped[str] = mapped_column(String(16))
    facilitator_key: Mapped[str] = mapped_column(String(64))
    current_index: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), index=True)  # open, ended
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(16), default="slack", server_default="slack")
    reply_to: Mapped[str | None] = mapped_column(String(500), nullable=True)  # Teams: the conversation's service URL


class ReflectionSchedule(Base):
    """A reflection plan: weekdays and a local time, a sequence of themes, at most one reminder."""

    __tablename__ = "reflection_schedule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_key: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(255))  # where prompts go: a DM or a group's channel
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    weekdays: Mapped[list[int]] = mapped_column(JSON)  # 0 = Monday
    local_time: Mapped[str] = mapped_column(String(5))  # "08:30"
    timezone: Mapped[str] = mapped_column(String(64))
    themes: Mapped[list[str]] = mapped_column(JSON)
    next_theme: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), index=True)  # active, paused, stopped
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_theme: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reminder_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(16), default="slack", server_default="slack")
    reply_to: Mapped[str | None] = mapped_column(String(500), nullable=True)  # Teams: the conversation's service URL


class Leader(Base):
    """An entry of the leader register HR imports (e-mail, unit, level). Never shown in HR figures."""

    __tablename__ = "leader"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    unit: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[str] = mapped_column(String(100), index=True)
    manager_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LeaderMembership(Base):
    """The register's history: from ``valid_from`` a leader is in this unit and level (or inactive).

    Group sizes for a past week are taken from here, so a re-import never changes what was
    published about weeks before it.
    """

    __tablename__ = "leader_membership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("leader.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LeaderIdentity(Base):
    """How a registered leader appears in a channel: only the pseudonymous keys, not the user id."""

    __tablename__ = "leader_identity"
    __table_args__ = (UniqueConstraint("leader_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("leader.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)  # which pseudonym key made the keys
    leader_key: Mapped[str] = mapped_column(String(64))  # as in question_log
    owner_key: Mapped[str] = mapped_column(String(64), index=True)  # as in reflection_session


class HrAudit(Base):
    """Every HR access to usage figures: who (pseudonymous), when, what."""

    __tablename__ = "hr_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(100))  # "cli:<os user>" or a pseudonymous chat key
    action: Mapped[str] = mapped_column(String(50))
    parameters: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class UnansweredQuestion(Base):
    """The text of a question the bot could not answer, for the document owners.

    No leader key, no timestamp finer than the week and a random id: nothing joins it to the
    question row or to a person. ``asker_tag`` (a keyed hash of the person) only lets the report
    count how many different people asked, and lets the asker's own deletion find it.
    """

    __tablename__ = "unanswered_question"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    text: Mapped[str] = mapped_column(UserText)
    asker_tag: Mapped[str] = mapped_column(String(64), index=True)
    # Whether the asker was in the register: only then is the tag one per person (see 0007).
    registered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    week: Mapped[str] = mapped_column(String(8))  # ISO week, "2026-U19"
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class FeedbackNote(Base):
    """A 👎 reason: kept apart from the question and the person, and only until ``expires_at``."""

    __tablename__ = "feedback_note"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reason: Mapped[str] = mapped_column(UserText)
    document: Mapped[str | None] = mapped_column(String(200), nullable=True)  # the source the answer stood on
    week: Mapped[str] = mapped_column(String(8))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
