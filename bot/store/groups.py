"""Group reflections: the group sessions and their members' sessions and answers. Who may press what,
and what a member may see, is decided in bot/reflection/groups.py; this repository only reads and
writes the rows, in the session it is given."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from bot.store.models import GroupSession, ReflectionAnswer, ReflectionSession


class GroupRepository:
    """A group is a ``GroupSession``; each member who answers gets a ``ReflectionSession`` with its
    ``group_id`` (created through bot/store/reflections.py like any other session)."""

    def __init__(self, *, session: Session) -> None:
        self._s = session

    def add(self, group: GroupSession) -> GroupSession:
        """Store a new group, flushed so it has its id (its buttons carry it)."""
        self._s.add(group)
        self._s.flush()
        return group

    def get(self, group_id: int) -> GroupSession | None:
        return self._s.get(GroupSession, group_id)

    def past_deadline(self, now: datetime, *, channels: Collection[str] | None = None) -> list[GroupSession]:
        """Open groups (of ``channels``, or all) whose deadline is ``now`` or earlier."""
        served = GroupSession.channel.in_(list(channels)) if channels is not None else true()
        return list(
            self._s.scalars(
                select(GroupSession).where(
                    GroupSession.state == "open",
                    GroupSession.deadline.is_not(None),
                    GroupSession.deadline <= now,
                    served,
                )
            )
        )

    def member_session(self, group_id: int, member: str) -> ReflectionSession | None:
        """``member``'s session in the group, once they have answered."""
        return self._s.scalars(
            select(ReflectionSession).where(
                ReflectionSession.group_id == group_id, ReflectionSession.owner_key == member
            )
        ).first()

    def member_sessions(self, group_id: int) -> list[ReflectionSession]:
        return list(self._s.scalars(select(ReflectionSession).where(ReflectionSession.group_id == group_id)))

    def member_answer(self, member_session_id: int, question_id: str) -> ReflectionAnswer | None:
        """A member's answer to one question of the group, if they gave one."""
        return self._s.scalars(
            select(ReflectionAnswer).where(
                ReflectionAnswer.session_id == member_session_id, ReflectionAnswer.question_id == question_id
            )
        ).first()

    def members_who_answered(self, group_id: int) -> int:
        """How many members answered at least one question, shared or not."""
        return (
            self._s.scalar(
                select(func.count(func.distinct(ReflectionAnswer.owner_key)))
                .join(ReflectionSession, ReflectionSession.id == ReflectionAnswer.session_id)
                .where(ReflectionSession.group_id == group_id)
            )
            or 0
        )

    def shared_answers(self, group_id: int) -> list[ReflectionAnswer]:
        """The answers members shared with the group, question by question in the order given."""
        return list(
            self._s.scalars(
                select(ReflectionAnswer)
                .join(ReflectionSession, ReflectionSession.id == ReflectionAnswer.session_id)
                .where(ReflectionSession.group_id == group_id, ReflectionAnswer.shared_as.is_not(None))
                .order_by(ReflectionAnswer.question_id, ReflectionAnswer.id)
            )
        )
