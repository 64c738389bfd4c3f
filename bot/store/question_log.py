"""The question log's repositories (questions, feedback, answer threads); each takes its session
keyword-only. The other aggregates' repositories are modules of bot/store/ too (their rules stay in
the core modules that use them):
- a person's rows: bot/store/people.py
- a leader's reflection sessions and answers: bot/store/reflections.py; group reflections:
  bot/store/groups.py; reflection plans: bot/store/plans.py
- the HR figures (activity rows, leader register, HR audit): bot/store/usage.py
- the inbox: bot/store/inbox.py
The core's modules open the transaction; adapters never query the tables."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import (
    AnswerThread,
    FeedbackNote,
    QuestionLog,
    UnansweredQuestion,
    is_one_person,
)
from bot.store.scrub import scrub

UNREGISTERED_ASKER = "unregistered"


def iso_week(when: datetime) -> str:
    year, week, _ = when.isocalendar()
    return f"{year}-U{week:02d}"


def week_end(when: datetime) -> datetime:
    """Midnight after the Sunday of ``when``'s ISO week (same time zone). A text kept apart from
    the person expires a whole number of days after this, never after the moment it was written:
    an expiry to the microsecond would give away the question row (``asked_at``, ``feedback_at``)
    and with it the person."""
    start = when.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=when.isocalendar()[2] - 1)
    return start + timedelta(days=7)


class QuestionRepository:
    def __init__(self, *, session: Session) -> None:
        self._s = session

    def add(self, record: QuestionLog, *, tagger: Callable[[str], str] | None = None) -> QuestionLog:
        """Store a question. Its text (kept only for unanswered ones) goes, scrubbed, to a table apart,
        with only the week and an asker tag: nothing there joins to the question row or the person."""
        text, expires = record.question_text, record.text_expires_at
        record.question_text, record.text_expires_at = None, None
        self._s.add(record)
        self._s.flush()  # stamps person, unit and level (bot.store.people)
        if text and expires is not None and tagger is not None:
            self._s.add(
                UnansweredQuestion(
                    id=secrets.token_hex(16),
                    text=scrub(text)[:2000],
                    asker_tag=tagger(record.person or record.leader_key),
                    registered=is_one_person(record.person),
                    week=iso_week(record.asked_at),
                    expires_at=week_end(record.asked_at) + timedelta(days=(expires - record.asked_at).days),
                )
            )
            self._s.flush()
        return record

    def by_reference(self, reference: str) -> QuestionLog | None:
        return self._s.scalar(select(QuestionLog).where(QuestionLog.reference == reference))

    def set_feedback(
        self, reference: str, *, value: str, at: datetime, reason: str | None = None, keep_days: int = 90
    ) -> bool:
        """Record 👍/👎 for a question; a reason is kept apart from it (no link to the person) and only
        for ``keep_days``. False when the reference is unknown."""
        if value not in ("up", "down"):
            raise ValueError(f"feedback must be 'up' or 'down', not {value!r}")
        record = self.by_reference(reference)
        if record is None:
            return False
        record.feedback, record.feedback_at = value, at
        if reason and reason.strip() and keep_days > 0:
            sources = record.sources or []
            self._s.add(
                FeedbackNote(
                    id=secrets.token_hex(16),
                    reason=scrub(reason)[:2000],
                    document=(sources[0].get("document") if sources else None),
                    week=iso_week(at),
                    expires_at=week_end(at) + timedelta(days=keep_days),
                )
            )
        self._s.flush()
        return True

    def feedback_reasons(self) -> list[str]:
        return list(self._s.scalars(select(FeedbackNote.reason)))

    def count(self) -> int:
        return int(self._s.scalar(select(func.count()).select_from(QuestionLog)) or 0)

    def unanswered_texts(self) -> list[str]:
        return [t for t in self._s.scalars(select(UnansweredQuestion.text)) if t]

    def unanswered(self) -> list[tuple[str, str]]:
        """(text, asker tag) of every kept unanswered question: the tag counts people, it names nobody.

        Unregistered askers all get one tag: their tags are per chat key (one person on Slack and
        Teams, or before and after a key rotation, has several), so together they count as at most
        one person and can never carry a group past the threshold.
        """
        rows = self._s.execute(
            select(UnansweredQuestion.text, UnansweredQuestion.asker_tag, UnansweredQuestion.registered)
        )
        return [(row.text, row.asker_tag if row.registered else UNREGISTERED_ASKER) for row in rows]

    def forget_expired_texts(self, *, now: datetime) -> int:
        """Delete question texts and 👎 reasons past their retention; the usage rows stay for the figures."""
        texts = self._s.execute(delete(UnansweredQuestion).where(UnansweredQuestion.expires_at <= now))
        self._s.execute(delete(FeedbackNote).where(FeedbackNote.expires_at <= now))
        # Rows from before revision 0004 kept the text in place.
        self._s.execute(
            update(QuestionLog)
            .where(QuestionLog.text_expires_at.is_not(None), QuestionLog.text_expires_at <= now)
            .values(question_text=None, text_expires_at=None, feedback_reason=None)
        )
        return int(texts.rowcount)  # type: ignore[attr-defined]


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
