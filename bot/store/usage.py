"""The HR side's repositories: what the usage figures read, the leader register HR imports, and the
audit of HR's access to the figures. Each takes its session keyword-only.

The rules are in bot/analytics/: who counts as whom and the disclosure control (``figures``,
``disclosure``), what a register import changes (``register``). Only statements are here.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.models import HrAudit, Leader, LeaderIdentity, LeaderMembership, QuestionLog, ReflectionSession


class AskedQuestion(NamedTuple):
    """A question as the figures see it: attributed as it was when asked, no text."""

    person: str | None
    leader_key: str
    unit: str | None
    level: str | None
    channel: str
    asked_at: datetime
    answered: bool
    feedback: str | None
    sources: list[dict[str, str]] | None


class StartedSession(NamedTuple):
    """A reflection session as the figures see it: attributed as it was when started, no answers."""

    person: str | None
    owner_key: str | None
    unit: str | None
    level: str | None
    channel: str | None
    theme_id: str
    started_at: datetime
    state: str


class MembershipEntry(NamedTuple):
    """One entry of the register's history: from ``valid_from`` the leader is in this unit and level."""

    leader_id: int
    unit: str
    level: str
    active: bool
    valid_from: datetime


class UsageRepository:
    """The activity rows and the register's history, read for the figures (never names or texts)."""

    def __init__(self, *, session: Session) -> None:
        self._s = session

    def questions(self) -> list[AskedQuestion]:
        rows = self._s.execute(
            select(
                QuestionLog.person,
                QuestionLog.leader_key,
                QuestionLog.unit,
                QuestionLog.level,
                QuestionLog.channel,
                QuestionLog.asked_at,
                QuestionLog.answered,
                QuestionLog.feedback,
                QuestionLog.sources,
            )
        )
        return [AskedQuestion._make(row) for row in rows]

    def reflection_sessions(self) -> list[StartedSession]:
        rows = self._s.execute(
            select(
                ReflectionSession.person,
                ReflectionSession.owner_key,
                ReflectionSession.unit,
                ReflectionSession.level,
                ReflectionSession.channel,
                ReflectionSession.theme_id,
                ReflectionSession.started_at,
                ReflectionSession.state,
            )
        )
        return [StartedSession._make(row) for row in rows]

    def memberships(self) -> list[MembershipEntry]:
        rows = self._s.execute(
            select(
                LeaderMembership.leader_id,
                LeaderMembership.unit,
                LeaderMembership.level,
                LeaderMembership.active,
                LeaderMembership.valid_from,
            )
        )
        return [MembershipEntry._make(row) for row in rows]


class RegisterRepository:
    """The leader register: leaders, their history of units and levels, their chat identities."""

    def __init__(self, *, session: Session) -> None:
        self._s = session

    def leaders_by_email(self) -> dict[str, Leader]:
        return {leader.email: leader for leader in self._s.scalars(select(Leader))}

    def add_leader(self, leader: Leader) -> Leader:
        """Store a new leader; flushed, so its id is there for its membership and identities."""
        self._s.add(leader)
        self._s.flush()
        return leader

    def add_membership(self, membership: LeaderMembership) -> None:
        self._s.add(membership)

    def link(self, identity: LeaderIdentity, *, replacing: Collection[str]) -> None:
        """Link a chat identity to its leader, in place of any link under the leader keys ``replacing``."""
        self._s.execute(delete(LeaderIdentity).where(LeaderIdentity.leader_key.in_(list(replacing))))
        self._s.add(identity)


class AuditRepository:
    """HR's access to the figures, as written down."""

    def __init__(self, *, session: Session) -> None:
        self._s = session

    def add(self, entry: HrAudit) -> None:
        self._s.add(entry)

    def entries(self) -> list[HrAudit]:
        """Every entry, oldest first."""
        return list(self._s.scalars(select(HrAudit).order_by(HrAudit.id)))
