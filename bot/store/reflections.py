"""A leader's reflections: their sessions and answers. What may be answered, and when, is decided in
bot/reflection/; this repository only reads and writes the rows, in the session it is given."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.store.models import ReflectionAnswer, ReflectionSession


class ReflectionRepository:
    """Reflection sessions and their answers. A session of ``owner`` alone has no ``group_id``; a
    member's session in a group has one (bot/store/groups.py reads those)."""

    def __init__(self, *, session: Session) -> None:
        self._s = session

    def add_session(self, record: ReflectionSession) -> ReflectionSession:
        """Store a new reflection session, flushed so it has its id (and its person stamp)."""
        self._s.add(record)
        self._s.flush()
        return record

    def current(self, owner: str, *, states: Collection[str]) -> ReflectionSession | None:
        """The most recently moved of ``owner``'s own sessions (not a group's) in one of ``states``."""
        return self._s.scalars(
            select(ReflectionSession)
            .where(
                ReflectionSession.owner_key == owner,
                ReflectionSession.state.in_(list(states)),
                ReflectionSession.group_id.is_(None),
            )
            .order_by(ReflectionSession.updated_at.desc(), ReflectionSession.id.desc())
            .limit(1)
        ).first()

    def running(self, owner: str) -> list[ReflectionSession]:
        """``owner``'s own sessions that are active or paused (not a group's)."""
        return list(
            self._s.scalars(
                select(ReflectionSession).where(
                    ReflectionSession.owner_key == owner,
                    ReflectionSession.state.in_(("active", "paused")),
                    ReflectionSession.group_id.is_(None),
                )
            )
        )

    def done_themes(self, owner: str) -> set[str]:
        """The themes ``owner`` has gone through to the end."""
        return set(
            self._s.scalars(
                select(ReflectionSession.theme_id).where(
                    ReflectionSession.owner_key == owner, ReflectionSession.state == "done"
                )
            )
        )

    def started_since(self, owner: str, theme_id: str | None, since: datetime | None) -> bool:
        """Whether ``owner`` started a session of ``theme_id`` at or after ``since``."""
        found = self._s.scalar(
            select(ReflectionSession.id)
            .where(
                ReflectionSession.owner_key == owner,
                ReflectionSession.theme_id == theme_id,
                ReflectionSession.started_at >= since,
            )
            .limit(1)
        )
        return found is not None

    def add_answer(self, answer: ReflectionAnswer) -> ReflectionAnswer:
        """Store an answer, flushed: a delivery already logged (same event id) fails here, at once."""
        self._s.add(answer)
        self._s.flush()
        return answer

    def answers_in(self, session_id: int) -> list[ReflectionAnswer]:
        """The answers of one session, in the order given."""
        return list(
            self._s.scalars(
                select(ReflectionAnswer).where(ReflectionAnswer.session_id == session_id).order_by(ReflectionAnswer.id)
            )
        )

    def answers_of(self, owner: str) -> list[tuple[ReflectionAnswer, datetime]]:
        """Every answer of ``owner`` with the start of its session, in the order written (as «mine svar»
        numbers them)."""
        rows = self._s.execute(
            select(ReflectionAnswer, ReflectionSession.started_at)
            .join(ReflectionSession, ReflectionSession.id == ReflectionAnswer.session_id)
            .where(ReflectionAnswer.owner_key == owner)
            .order_by(ReflectionAnswer.created_at, ReflectionAnswer.id)
        ).all()
        return [(answer, started_at) for answer, started_at in rows]

    def answer_ids(self, owner: str) -> list[int]:
        """The ids of ``owner``'s answers in the order of :meth:`answers_of`."""
        return list(
            self._s.scalars(
                select(ReflectionAnswer.id)
                .where(ReflectionAnswer.owner_key == owner)
                .order_by(ReflectionAnswer.created_at, ReflectionAnswer.id)
            )
        )

    def edit_answer(self, answer_id: int, text: str, *, at: datetime) -> None:
        """Replace an answer's text; the question it answered (wording, version) stays."""
        self._s.execute(
            update(ReflectionAnswer).where(ReflectionAnswer.id == answer_id).values(answer_text=text, updated_at=at)
        )

    def forget_answers_before(self, cutoff: datetime) -> int:
        """Delete the answers of sessions started before ``cutoff`` and unlink those sessions from their
        owner: theme, dates and state stay, as counts. Returns the answers deleted."""
        old_sessions = select(ReflectionSession.id).where(ReflectionSession.started_at < cutoff)
        deleted = self._s.execute(delete(ReflectionAnswer).where(ReflectionAnswer.session_id.in_(old_sessions)))
        self._s.execute(update(ReflectionSession).where(ReflectionSession.started_at < cutoff).values(owner_key=None))
        return int(deleted.rowcount)  # type: ignore[attr-defined]
