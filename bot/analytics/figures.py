"""Usage figures for HR: who-many, never who-said-what. Every HR view calls ``usage``.

The figures come from the activity rows as they were attributed when they happened (person, unit,
level stamped at insert), are protected as one publication by ``bot.analytics.disclosure`` and
are shown per whole week or month that has ended. No user id, e-mail, name, question text or answer
text is read here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.analytics.disclosure import LOCAL, Activity, Membership, Publication, publish, week_of
from bot.store.db import Database
from bot.store.models import is_one_person
from bot.store.usage import UsageRepository
from index.errors import LederbotError

BY = ("unit", "level", "month", "week", "channel", "theme")
UNREGISTERED = "Ikke registrert"
QUESTIONS_THEME = "(spørsmål)"
UNKNOWN_CHANNEL = "ukjent"
CHANNELS = ("slack", "teams", "terminal")
WEEK = re.compile(r"^(\d{4})-U(\d{2})$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
__all__ = ["BY", "LOCAL", "PeriodError", "usage", "load", "publication"]


class PeriodError(LederbotError):
    """A period that is not a whole, ended week or month."""


def load(database: Database) -> tuple[list[Activity], list[Membership]]:
    """The activity rows as attributed when they happened, and the register's history."""
    with database.session() as session:
        stored = UsageRepository(session=session)
        questions = stored.questions()
        sessions = stored.reflection_sessions()
        memberships = [
            Membership(row.leader_id, row.unit, row.level, row.active, row.valid_from) for row in stored.memberships()
        ]
    activities: list[Activity] = []
    for person, key, unit, level, channel, asked_at, answered, feedback, sources in questions:
        cited = (sources or [{}])[0] if sources else {}
        who = person or key
        activities.append(
            Activity(
                person=who,
                registered=is_one_person(who),
                bucket=channel,
                unit=unit or UNREGISTERED,
                level=level or UNREGISTERED,
                channel=channel,
                theme=QUESTIONS_THEME,
                week=week_of(asked_at),
                kind="question",
                answered=bool(answered),
                feedback=feedback,
                document=cited.get("document") or None,
                section=cited.get("section") or None,
            )
        )
    for s_person, owner, s_unit, s_level, s_channel, theme, started_at, state in sessions:
        found = s_person or owner
        if found is None:
            continue
        who = found
        activities.append(
            Activity(
                person=who,
                registered=is_one_person(who),
                bucket=s_channel or UNKNOWN_CHANNEL,
                unit=s_unit or UNREGISTERED,
                level=s_level or UNREGISTERED,
                channel=s_channel or UNKNOWN_CHANNEL,
                theme=theme,
                week=week_of(started_at),
                kind="reflection",
                completed=state == "done",
            )
        )
    return activities, memberships


def publication(database: Database, *, min_group_size: int, now: datetime) -> Publication:
    activities, memberships = load(database)
    always: dict[str, Sequence[str]] = {"channel": CHANNELS, "theme": (QUESTIONS_THEME,)}
    return publish(activities, k=max(3, min_group_size), memberships=memberships, always=always, now=now)


def check_period(period: str, published: Publication) -> str:
    """``period`` if it is a whole week (ÅÅÅÅ-Uuu) or month (ÅÅÅÅ-MM) that has ended and has figures."""
    if not (WEEK.match(period) or MONTH.match(period)):
        raise PeriodError(
            f"Perioden må være en hel uke (ÅÅÅÅ-Uuu, f.eks. 2026-U19) eller måned (ÅÅÅÅ-MM), ikke {period!r}."
        )
    if period not in published.weeks and period not in published.months:
        raise PeriodError(f"Det finnes ingen tall for {period}: perioden er ikke avsluttet eller hadde ingen bruk.")
    return period


def usage(
    database: Database, *, by: str, min_group_size: int, now: datetime, period: str | None = None
) -> dict[str, Any]:
    """The usage report (the JSON the CLI and the chat show), read from the protected publication.

    ``by`` unit, level, channel or theme shows one period (a whole week or month; the last ended month
    when none is given); ``by`` month or week lists every ended period's total.
    """
    if by not in BY:
        raise ValueError(f"by must be one of {BY}, not {by!r}")
    published = publication(database, min_group_size=min_group_size, now=now)
    report: dict[str, Any] = {"min_group_size": published.k, "by": by}
    if by in ("month", "week"):
        periods = published.months if by == "month" else published.weeks
        report["period"] = {"from": periods[0] if periods else None, "to": periods[-1] if periods else None}
        report["groups"] = [_row(p, published.cell("total", "*", p)) for p in periods]
        # The sum over all periods is not a published cell: it would give away a hidden period.
        report["total"] = {"suppressed": True}
        return report
    if period is None:
        period = published.months[-1] if published.months else (published.weeks[-1] if published.weeks else None)
    if period is None:
        report.update(period={"label": None}, groups=[], total={"suppressed": True})
        return report
    check_period(period, published)
    report["period"] = {"label": period}
    report["groups"] = [_row(v, published.cell(by, v, period)) for v in published.listed(by, period)]
    total = published.cell("total", "*", period)
    report["total"] = {"suppressed": True} if total is None else total
    return report


def _row(key: str, figures: dict[str, Any] | None) -> dict[str, Any]:
    return {"key": key, "suppressed": True} if figures is None else {"key": key, **figures}
