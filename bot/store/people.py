"""A person across tables: attribution at the time of activity, key rotation, deletion and export.

Attribution: a question or reflection session is stamped, as it is inserted, with the person and
the unit and level the register gives them *then* (``person`` = ``p<leader id>`` for a registered,
active leader; the chat key otherwise). Usage figures read only these stamps, so re-importing the
register never moves history, and a never-active leader leaves no trace to be moved.

Deletion removes every row that is the person's own (answers, sessions' contents, plans, groups
they lead, the register entry and identity links, their unanswered-question texts) and
irreversibly unlinks the usage rows that stay for the figures: their keys become one random token
that nothing else holds, so the published counts of past periods do not change.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, event, or_, select, update
from sqlalchemy.orm import Mapper, Session

from bot.store.models import (
    AnswerThread,
    Base,
    GroupSession,
    Leader,
    LeaderIdentity,
    LeaderMembership,
    QuestionLog,
    ReflectionAnswer,
    ReflectionSchedule,
    ReflectionSession,
    UnansweredQuestion,
)


def _registered(connection: Connection, column: Any, key: str | None) -> Any:
    if not key:
        return None
    return connection.execute(
        select(Leader.id, Leader.unit, Leader.level, LeaderIdentity.channel)
        .join(LeaderIdentity, LeaderIdentity.leader_id == Leader.id)
        .where(column == key, Leader.active.is_(True))
        .limit(1)
    ).first()


@event.listens_for(QuestionLog, "before_insert")
def _stamp_question(_mapper: Mapper[Any], connection: Connection, target: QuestionLog) -> None:
    if target.person is not None:
        return
    found = _registered(connection, LeaderIdentity.leader_key, target.leader_key)
    if found is None and target.owner_key:
        found = _registered(connection, LeaderIdentity.owner_key, target.owner_key)
    if found is not None:
        target.person, target.unit, target.level = f"p{found.id}", found.unit, found.level
    else:
        target.person = target.owner_key or target.leader_key


@event.listens_for(ReflectionSession, "before_insert")
def _stamp_session(_mapper: Mapper[Any], connection: Connection, target: ReflectionSession) -> None:
    if target.person is not None or target.owner_key is None:
        return
    found = _registered(connection, LeaderIdentity.owner_key, target.owner_key)
    if found is not None:
        target.person, target.unit, target.level = f"p{found.id}", found.unit, found.level
        target.channel = target.channel or found.channel
    else:
        target.person = target.owner_key


@dataclass
class PersonKeys:
    """Every key a person's rows can be stored under (all channels, current and previous keys)."""

    owner_keys: set[str] = field(default_factory=set)
    leader_keys: set[str] = field(default_factory=set)
    leader_ids: set[int] = field(default_factory=set)

    @property
    def persons(self) -> set[str]:
        return {f"p{i}" for i in self.leader_ids} | self.owner_keys | self.leader_keys


def expand(session: Session, *, owner_keys: set[str], leader_keys: set[str] = frozenset()) -> PersonKeys:  # type: ignore[assignment]
    """Grow the keys of one chat identity to the whole person: through the register, every channel."""
    keys = PersonKeys(set(owner_keys), set(leader_keys))
    keys.leader_ids = set(
        session.scalars(
            select(LeaderIdentity.leader_id).where(
                or_(LeaderIdentity.owner_key.in_(keys.owner_keys), LeaderIdentity.leader_key.in_(keys.leader_keys))
            )
        )
    )
    if keys.leader_ids:
        for owner, leader in session.execute(
            select(LeaderIdentity.owner_key, LeaderIdentity.leader_key).where(
                LeaderIdentity.leader_id.in_(keys.leader_ids)
            )
        ):
            keys.owner_keys.add(owner)
            keys.leader_keys.add(leader)
    # Questions remember the owner key of their asker: that finds an unregistered leader's questions.
    keys.leader_keys |= set(
        session.scalars(select(QuestionLog.leader_key).where(QuestionLog.owner_key.in_(keys.owner_keys)).distinct())
    )
    return keys


def rekey(session: Session, *, old_owner: list[str], new_owner: str, old_leader: list[str], new_leader: str) -> int:
    """Move a leader's rows from previous pseudonym keys to the current one (after a key rotation)."""
    moved = 0
    for old in old_owner:
        for table, column in _OWNER_COLUMNS:
            result = session.execute(update(table).where(column == old).values({column.key: new_owner}))
            moved += int(result.rowcount)  # type: ignore[attr-defined]
    for old in old_leader:
        result = session.execute(update(QuestionLog).where(QuestionLog.leader_key == old).values(leader_key=new_leader))
        moved += int(result.rowcount)  # type: ignore[attr-defined]
        session.execute(update(LeaderIdentity).where(LeaderIdentity.leader_key == old).values(leader_key=new_leader))
    for table in (QuestionLog, ReflectionSession):
        for old in (*old_owner, *old_leader):
            session.execute(update(table).where(table.person == old).values(person=new_owner))
    return moved


_OWNER_COLUMNS: tuple[tuple[Any, Any], ...] = (
    (ReflectionSession, ReflectionSession.owner_key),
    (ReflectionAnswer, ReflectionAnswer.owner_key),
    (ReflectionSchedule, ReflectionSchedule.owner_key),
    (GroupSession, GroupSession.facilitator_key),
    (LeaderIdentity, LeaderIdentity.owner_key),
    (QuestionLog, QuestionLog.owner_key),
)


def delete_person(session: Session, keys: PersonKeys, *, tags: set[str]) -> dict[str, int]:
    """Delete or irreversibly unlink every row of the person; returns rows touched per table."""
    touched: dict[str, int] = {}

    def count(name: str, result: Any) -> None:
        touched[name] = touched.get(name, 0) + int(result.rowcount)

    token = "x" + secrets.token_hex(20)  # held by nothing: the unlinked rows stay one anonymous person
    persons = keys.persons
    count(
        "reflection_answer",
        session.execute(delete(ReflectionAnswer).where(ReflectionAnswer.owner_key.in_(keys.owner_keys))),
    )
    count(
        "reflection_schedule",
        session.execute(delete(ReflectionSchedule).where(ReflectionSchedule.owner_key.in_(keys.owner_keys))),
    )
    # A group the person leads goes on without a facilitator key of theirs.
    count(
        "group_session",
        session.execute(
            update(GroupSession).where(GroupSession.facilitator_key.in_(keys.owner_keys)).values(facilitator_key=token)
        ),
    )
    count(
        "reflection_session",
        session.execute(
            update(ReflectionSession)
            .where(or_(ReflectionSession.owner_key.in_(keys.owner_keys), ReflectionSession.person.in_(persons)))
            .values(owner_key=None, person=token)
        ),
    )
    count(
        "question_log",
        session.execute(
            update(QuestionLog)
            .where(
                or_(
                    QuestionLog.leader_key.in_(keys.leader_keys),
                    QuestionLog.owner_key.in_(keys.owner_keys),
                    QuestionLog.person.in_(persons),
                )
            )
            .values(leader_key=token[:64], owner_key=None, person=token, question_text=None, feedback_reason=None)
        ),
    )
    count(
        "unanswered_question", session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.asker_tag.in_(tags)))
    )
    count(
        "leader_identity",
        session.execute(
            delete(LeaderIdentity).where(
                or_(
                    LeaderIdentity.leader_id.in_(keys.leader_ids),
                    LeaderIdentity.owner_key.in_(keys.owner_keys),
                    LeaderIdentity.leader_key.in_(keys.leader_keys),
                )
            )
        ),
    )
    count(
        "leader_membership",
        session.execute(delete(LeaderMembership).where(LeaderMembership.leader_id.in_(keys.leader_ids))),
    )
    count("leader", session.execute(delete(Leader).where(Leader.id.in_(keys.leader_ids))))
    return touched


def rows_of(session: Session, keys: PersonKeys, *, tags: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Everything stored about the person, table by table (for the export, GDPR art. 15 and 20)."""
    persons = keys.persons
    wheres: dict[str, Any] = {
        "leader": Leader.id.in_(keys.leader_ids),
        "leader_membership": LeaderMembership.leader_id.in_(keys.leader_ids),
        "leader_identity": or_(
            LeaderIdentity.leader_id.in_(keys.leader_ids), LeaderIdentity.owner_key.in_(keys.owner_keys)
        ),
        "question_log": or_(
            QuestionLog.leader_key.in_(keys.leader_keys),
            QuestionLog.owner_key.in_(keys.owner_keys),
            QuestionLog.person.in_(persons),
        ),
        "unanswered_question": UnansweredQuestion.asker_tag.in_(tags),
        "reflection_session": or_(
            ReflectionSession.owner_key.in_(keys.owner_keys), ReflectionSession.person.in_(persons)
        ),
        "reflection_answer": ReflectionAnswer.owner_key.in_(keys.owner_keys),
        "reflection_schedule": ReflectionSchedule.owner_key.in_(keys.owner_keys),
        "group_session": GroupSession.facilitator_key.in_(keys.owner_keys),
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for name, where in wheres.items():
        table = Base.metadata.tables[name]
        rows = session.execute(select(table).where(where)).mappings().all()
        out[name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
    return out


# Tables with nothing of a person: answer threads, the HR audit (HR's own actions), 👎 reasons,
# which are stored without any link to the person who gave them, and the inbox, whose rows keep
# only an event id once handled (the payload of an event in flight is blanked as soon as it is
# answered, within seconds, or within one lease when its replica died; one that no replica takes
# over is deleted by the daily retention two days after its lease ran out).
NOT_PERSONAL = frozenset({AnswerThread.__tablename__, "hr_audit", "feedback_note", "inbox_event"})


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def known_names(session: Session) -> list[str]:
    """Every name and e-mail address in the leader register: what a report must never print."""
    return [value for pair in session.execute(select(Leader.name, Leader.email)) for value in pair if value]
