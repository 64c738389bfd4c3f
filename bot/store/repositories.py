"""Repositories: the only code that queries the tables. Each takes its session keyword-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import AnswerThread, ProcessedEvent, QuestionLog


class QuestionRepository:
    def __init__(self, *, session: Session) -> None:
        self._s = session

    def add(self, record: QuestionLog) -> QuestionLog:
        self._s.add(record)
        self._s.flush()
        return record

    def by_reference(self, reference: str) -> QuestionLog | None:
        return self._s.scalar(select(QuestionLog).where(QuestionLog.reference == reference))

    def set_feedback(self, reference: str, *, value: str, at: datetime, reason: str | None = None) -> bool:
        """Record 👍/👎 (and an optional reason) for a question; False when the reference is unknown."""
        if value not in ("up", "down"):
            raise ValueError(f"feedback must be 'up' or 'down', not {value!r}")
        values: dict[str, object] = {"feedback": value, "feedback_at": at}
        if reason is not None:
            values["feedback_reason"] = reason
        result = self._s.execute(update(QuestionLog).where(QuestionLog.reference == reference).values(**values))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def count(self) -> int:
        return int(self._s.scalar(select(func.count()).select_from(QuestionLog)) or 0)

    def unanswered_texts(self, *, since: datetime | None = None) -> list[str]:
        query = select(QuestionLog.question_text).where(
            QuestionLog.answered.is_(False), QuestionLog.question_text.is_not(None)
        )
        if since is not None:
            query = query.where(QuestionLog.asked_at >= since)
        return [t for t in self._s.scalars(query) if t]

    def forget_expired_texts(self, *, now: datetime) -> int:
        """Blank question texts past their retention; the rest of the record stays for the figures."""
        result = self._s.execute(
            update(QuestionLog)
            .where(QuestionLog.text_expires_at.is_not(None), QuestionLog.text_expires_at <= now)
            .values(question_text=None, text_expires_at=None, feedback_reason=None)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class EventRepository:
    def __init__(self, *, session: Session) -> None:
        self._s = session

    def claim(self, event_id: str, *, at: datetime) -> bool:
        """True the first time an event id is seen; False for a retry or duplicate delivery."""
        try:
            with self._s.begin_nested():
                self._s.add(ProcessedEvent(event_id=event_id, received_at=at))
        except IntegrityError:
            return False
        return True

    def forget_before(self, cutoff: datetime) -> int:
        result = self._s.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
        return int(result.rowcount)  # type: ignore[attr-defined]


class ThreadRepository:
    def __init__(self, *, session: Session) -> None:
        self._s = session

    def remember(self, channel_id: str, thread_ts: str, *, at: datetime) -> None:
        if not self.is_answer_thread(channel_id, thread_ts):
            try:
                with self._s.begin_nested():
                    self._s.add(AnswerThread(channel_id=channel_id, thread_ts=thread_ts, created_at=at))
            except IntegrityError:
                pass  # another replica remembered it first

    def is_answer_thread(self, channel_id: str, thread_ts: str) -> bool:
        found = self._s.scalar(
            select(AnswerThread.id).where(AnswerThread.channel_id == channel_id, AnswerThread.thread_ts == thread_ts)
        )
        return found is not None
