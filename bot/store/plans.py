"""Reflection plans: when a leader's (or a group's) prompts and reminders are due. When a plan runs
next and what it sends is decided in bot/reflection/schedule.py; this repository reads and writes the
rows, and claims a prompt or a reminder in one compare-and-set UPDATE so no replica sends it twice."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, select, true, update
from sqlalchemy.orm import Session

from bot.store.models import ReflectionSchedule


class PlanRepository:
    def __init__(self, *, session: Session) -> None:
        self._s = session

    def replace(self, plan: ReflectionSchedule) -> ReflectionSchedule:
        """Store a new plan; the plans ``plan.owner_key`` had for the same address stop (one plan per place)."""
        self._s.execute(
            update(ReflectionSchedule)
            .where(
                ReflectionSchedule.owner_key == plan.owner_key,
                ReflectionSchedule.address == plan.address,
                ReflectionSchedule.state != "stopped",
            )
            .values(state="stopped")
        )
        self._s.add(plan)
        return plan

    def current(self, owner: str, address: str) -> ReflectionSchedule | None:
        """The newest plan ``owner`` has for ``address`` that is not stopped."""
        return self._s.scalars(
            select(ReflectionSchedule)
            .where(
                ReflectionSchedule.owner_key == owner,
                ReflectionSchedule.address == address,
                ReflectionSchedule.state.in_(("active", "paused")),
            )
            .order_by(ReflectionSchedule.id.desc())
        ).first()

    def prompts_due(self, now: datetime, *, channels: Collection[str] | None = None) -> list[ReflectionSchedule]:
        """Active plans (made in ``channels``, or all) whose next prompt is due at ``now``."""
        return list(
            self._s.scalars(
                select(ReflectionSchedule).where(
                    ReflectionSchedule.state == "active", ReflectionSchedule.next_run_at <= now, _served(channels)
                )
            )
        )

    def reminders_due(self, now: datetime, *, channels: Collection[str] | None = None) -> list[ReflectionSchedule]:
        """Active plans (made in ``channels``, or all) whose reminder is due at ``now``."""
        return list(
            self._s.scalars(
                select(ReflectionSchedule).where(
                    ReflectionSchedule.state == "active", ReflectionSchedule.reminder_due_at <= now, _served(channels)
                )
            )
        )

    def claim_prompt(
        self,
        plan: ReflectionSchedule,
        *,
        next_run_at: datetime,
        next_theme: int,
        sent_at: datetime,
        theme_id: str | None,
        reminder_due_at: datetime | None,
    ) -> bool:
        """Move ``plan`` on to its next run, if it is still active and still due when ``plan`` was read;
        False when another replica (or an earlier run) claimed this prompt first."""
        claimed = self._s.execute(
            update(ReflectionSchedule)
            .where(
                ReflectionSchedule.id == plan.id,
                ReflectionSchedule.next_run_at == plan.next_run_at,
                ReflectionSchedule.state == "active",
            )
            .values(
                next_run_at=next_run_at,
                next_theme=next_theme,
                last_sent_at=sent_at,
                last_theme=theme_id,
                reminder_due_at=reminder_due_at,
            )
        ).rowcount  # type: ignore[attr-defined]
        return bool(claimed)

    def claim_reminder(self, plan: ReflectionSchedule) -> bool:
        """Clear ``plan``'s reminder if it is still the one ``plan`` was read with; False when another
        replica claimed it first."""
        claimed = self._s.execute(
            update(ReflectionSchedule)
            .where(ReflectionSchedule.id == plan.id, ReflectionSchedule.reminder_due_at == plan.reminder_due_at)
            .values(reminder_due_at=None)
        ).rowcount  # type: ignore[attr-defined]
        return bool(claimed)


def _served(channels: Collection[str] | None) -> ColumnElement[bool]:
    # A server claims only the plans of the channels it can send through.
    return ReflectionSchedule.channel.in_(list(channels)) if channels is not None else true()
