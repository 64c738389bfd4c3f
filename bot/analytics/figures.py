"""Usage figures for HR: who-many, never who-said-what.

Every figure is an aggregate over a group (unit, level, month, week, channel or reflection theme).
A group with fewer active leaders than ``min_group_size`` shows nothing, and neither does anything
from which it could be computed by subtraction: when any group is suppressed the total is too (a
shown total minus the shown groups would give the suppressed one). No user id, e-mail, name,
question text or answer text is ever read into these figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.store.db import Database
from bot.store.models import Leader, LeaderIdentity, QuestionLog, ReflectionSession

BY = ("unit", "level", "month", "week", "channel", "theme")
UNREGISTERED = "Ikke registrert"
LOCAL = ZoneInfo("Europe/Oslo")
TOP_CITED = 5


@dataclass
class _Group:
    leaders: set[str] = field(default_factory=set)
    questions: int = 0
    answered: int = 0
    up: int = 0
    down: int = 0
    documents: Counter[str] = field(default_factory=Counter)
    sections: Counter[str] = field(default_factory=Counter)
    started: int = 0
    completed: int = 0

    def figures(self) -> dict[str, Any]:
        rated = self.up + self.down
        return {
            "leaders": len(self.leaders),
            "questions": self.questions,
            "answered_share": round(self.answered / self.questions, 3) if self.questions else None,
            "helpful_share": round(self.up / rated, 3) if rated else None,
            "not_helpful_share": round(self.down / rated, 3) if rated else None,
            "top_documents": [{"document": d, "citations": n} for d, n in self.documents.most_common(TOP_CITED)],
            "top_sections": [{"section": s, "citations": n} for s, n in self.sections.most_common(TOP_CITED)],
            "reflections_started": self.started,
            "reflections_completed": self.completed,
        }


def _key(by: str, when: datetime, unit: str, level: str, channel: str) -> str:
    local = when.astimezone(LOCAL)
    if by == "unit":
        return unit
    if by == "level":
        return level
    if by == "month":
        return local.strftime("%Y-%m")
    if by == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-U{week:02d}"
    return channel


def usage(
    database: Database, *, by: str, min_group_size: int, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    """The usage report as the JSON the CLI and the chat show (see the module doc for suppression)."""
    if by not in BY:
        raise ValueError(f"by must be one of {BY}, not {by!r}")
    threshold = max(3, min_group_size)
    with database.session() as session:
        people = {
            row.leader_key: (row.owner_key, row.unit, row.level)
            for row in session.execute(
                select(LeaderIdentity.leader_key, LeaderIdentity.owner_key, Leader.unit, Leader.level).join(
                    Leader, Leader.id == LeaderIdentity.leader_id
                )
            )
        }
        owners = {owner: (unit, level, leader_key) for leader_key, (owner, unit, level) in people.items()}
        questions = session.execute(
            _between(
                select(
                    QuestionLog.leader_key,
                    QuestionLog.asked_at,
                    QuestionLog.channel,
                    QuestionLog.answered,
                    QuestionLog.feedback,
                    QuestionLog.sources,
                ),
                QuestionLog.asked_at,
                since,
                until,
            )
        ).all()
        sessions = session.execute(
            _between(
                select(
                    ReflectionSession.owner_key,
                    ReflectionSession.theme_id,
                    ReflectionSession.started_at,
                    ReflectionSession.state,
                    ReflectionSession.group_id,
                ),
                ReflectionSession.started_at,
                since,
                until,
            )
        ).all()

    groups: dict[str, _Group] = defaultdict(_Group)
    total = _Group()
    for leader_key, asked_at, channel, answered, feedback, sources in questions:
        _, unit, level = people.get(leader_key, (None, UNREGISTERED, UNREGISTERED))
        targets: Iterable[_Group] = (
            (total,) if by == "theme" else (total, groups[_key(by, asked_at, unit, level, channel)])
        )
        for group in targets:
            group.leaders.add(leader_key)
            group.questions += 1
            group.answered += bool(answered)
            group.up += feedback == "up"
            group.down += feedback == "down"
            for cited in (sources or [])[:1]:  # the source the answer stood on
                group.documents[cited.get("document", "")] += 1
                group.sections[f"{cited.get('document', '')} › {cited.get('section', '')}"] += 1
    for owner_key, theme_id, started_at, state, _group_id in sessions:
        unit, level, registered = owners.get(owner_key or "", (UNREGISTERED, UNREGISTERED, None))
        # A registered leader is one person across questions and reflections; an unregistered
        # reflection owner is counted apart (the two keys cannot be joined without the register).
        person = registered or (f"r:{owner_key}" if owner_key else None)
        key = theme_id if by == "theme" else _key(by, started_at, unit, level, "")
        targets = (total, groups[key]) if by in ("theme", "unit", "level", "month", "week") else (total,)
        for group in targets:
            if person:
                group.leaders.add(person)
            group.started += 1
            group.completed += state == "done"

    rows: list[dict[str, Any]] = []
    suppressed_any = False
    for key in sorted(groups):
        group = groups[key]
        if len(group.leaders) < threshold:
            suppressed_any = True
            rows.append({"key": key, "suppressed": True})
        else:
            rows.append({"key": key, **group.figures()})
    hide_total = suppressed_any or len(total.leaders) < threshold
    return {
        "min_group_size": threshold,
        "by": by,
        "period": {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None},
        "total": {"suppressed": True} if hide_total else total.figures(),
        "groups": rows,
    }


def _between(query: Any, column: Any, since: datetime | None, until: datetime | None) -> Any:
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query
