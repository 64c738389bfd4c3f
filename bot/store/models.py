"""The tables. No user id, e-mail or name is stored: a leader is a keyed hash (``leader_key``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class QuestionLog(Base):
    """One question put to the bot, for usage figures and the list of unanswered questions."""

    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Opaque id carried by the answer's buttons, so feedback finds its question without a user id.
    reference: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    leader_key: Mapped[str] = mapped_column(String(64), index=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # slack, teams, terminal
    channel_kind: Mapped[str] = mapped_column(String(16))  # dm, mention, command, thread
    answered: Mapped[bool] = mapped_column(Boolean)
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    took_ms: Mapped[int] = mapped_column(Integer)
    # Kept only until text_expires_at (retention), for the unanswered-questions list.
    question_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    feedback: Mapped[str | None] = mapped_column(String(8), nullable=True)  # up, down
    feedback_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ProcessedEvent(Base):
    """A channel event already handled: Slack retries a delivery with the same event id."""

    __tablename__ = "processed_event"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AnswerThread(Base):
    """A thread the bot answered in, where follow-up questions are answered without a mention."""

    __tablename__ = "answer_thread"
    __table_args__ = (UniqueConstraint("channel_id", "thread_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    thread_ts: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
