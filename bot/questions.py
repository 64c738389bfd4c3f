"""Questions from every channel: answer, record, take feedback (dedupe: bot/inbox.py).

Recording never stands in the way of answering: with the database down the leader still gets the
answer, and the bot logs (without personal data) that it could not record.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from bot.answer import Answer
from bot.assistant import Assistant
from bot.clock import Clock, utc_now
from bot.identity import Pseudonymizer
from bot.metrics import Metrics
from bot.store.db import Database, StorageError
from bot.store.models import QuestionLog
from bot.store.question_log import QuestionRepository, ThreadRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asker:
    """Who asked, where: the identity is turned into a pseudonymous key before anything is stored."""

    channel: str  # slack, teams, terminal
    workspace: str
    user: str
    kind: str  # dm, mention, command, thread


@dataclass(frozen=True)
class Asked:
    answer: Answer
    reference: str  # opaque id for the feedback buttons
    recorded: bool


class Questions:
    """Answers questions for the channel adapters and keeps the records the issue asks for.

    Example:
        >>> questions = Questions(assistant=assistant, database=db, pseudonymizer=p, question_text_days=90)
        >>> questions.ask("Hva er lojalitet?", asker=Asker("slack", "T1", "U1", "dm")).answer.answered
        True
    """

    def __init__(
        self,
        *,
        assistant: Assistant,
        database: Database,
        pseudonymizer: Pseudonymizer,
        question_text_days: int = 90,
        clock: Clock = utc_now,
        metrics: Metrics | None = None,
    ) -> None:
        if question_text_days < 0:
            raise ValueError(f"question_text_days must be >= 0, got {question_text_days}")
        self._assistant = assistant
        self._db = database
        self._pseudo = pseudonymizer
        self._text_days = question_text_days
        self._clock = clock
        self.metrics = metrics or Metrics()

    @property
    def assistant(self) -> Assistant:
        return self._assistant

    @property
    def database(self) -> Database:
        return self._db

    def ask(self, question: str, *, asker: Asker) -> Asked:
        started = time.perf_counter()
        # Follow-ups ("og hva med enhetsledere?") are read with this asker's previous question.
        answer = self._assistant.ask(
            question, conversation=f"{asker.channel}\0{asker.workspace}\0{asker.user}\0{asker.kind}"
        )
        elapsed = time.perf_counter() - started
        took_ms = int(elapsed * 1000)
        reference = secrets.token_hex(8)
        outcome = "invalid" if answer.invalid else "answered" if answer.answered else "declined"
        self.metrics.questions.labels(asker.channel, outcome).inc()
        self.metrics.latency.labels(asker.channel).observe(elapsed)
        if answer.invalid:
            return Asked(answer=answer, reference=reference, recorded=False)
        now = self._clock()
        sources = []
        if answer.answered and answer.source is not None:
            sources = [{"document": s.document_id, "section": s.section} for s in (answer.source, *answer.see_also)]
        keep_text = not answer.answered and self._text_days > 0
        record = QuestionLog(
            reference=reference,
            leader_key=self._pseudo.leader_key(asker.channel, asker.workspace, asker.user),
            owner_key=self._pseudo.owner_key(asker.channel, asker.user),
            asked_at=now,
            channel=asker.channel,
            channel_kind=asker.kind,
            answered=answer.answered,
            sources=sources,
            took_ms=took_ms,
            # Only unanswered questions keep their text, and only for the retention period: the
            # document owners need them to see what is missing.
            question_text=answer.question[:2000] if keep_text else None,
            text_expires_at=now + timedelta(days=self._text_days) if keep_text else None,
        )
        try:
            with self._db.session() as session:
                QuestionRepository(session=session).add(record, tagger=self._pseudo.tag)
            recorded = True
        except StorageError as exc:
            log.warning("could not record a question (%s); the answer was still given", type(exc).__name__)
            self.metrics.errors.labels("record_question").inc()
            recorded = False
        return Asked(answer=answer, reference=reference, recorded=recorded)

    def answer_again(self, question: str) -> Answer:
        """The answer to a question already asked, for «Vis mer» and «Del i kanalen»: not recorded again
        (it is the same question) and searched as written, without the conversation's earlier questions."""
        return self._assistant.ask(question)

    def feedback(self, reference: str, value: str, *, reason: str | None = None) -> bool:
        try:
            with self._db.session() as session:
                return QuestionRepository(session=session).set_feedback(
                    reference,
                    value=value,
                    at=self._clock(),
                    reason=(reason or "")[:2000] or None,
                    keep_days=self._text_days,
                )
        except StorageError as exc:
            log.warning("could not record feedback (%s)", type(exc).__name__)
            return False

    def remember_thread(self, channel_id: str, thread_ts: str) -> None:
        try:
            with self._db.session() as session:
                ThreadRepository(session=session).remember(channel_id, thread_ts, at=self._clock())
        except StorageError as exc:
            log.warning("could not record an answer thread (%s)", type(exc).__name__)

    def is_answer_thread(self, channel_id: str, thread_ts: str) -> bool:
        try:
            with self._db.session() as session:
                return ThreadRepository(session=session).is_answer_thread(channel_id, thread_ts)
        except StorageError as exc:
            log.warning("could not look up an answer thread (%s)", type(exc).__name__)
            return False

    def forget_expired(self) -> int:
        """Retention: blank question texts past their time."""
        now = self._clock()
        with self._db.session() as session:
            return QuestionRepository(session=session).forget_expired_texts(now=now)
