"""Reflection plans: weekdays and a local time, a sequence of themes, at most one gentle reminder.

Plans live in the database and the next run time is stored with them, so a restart rebuilds
nothing in memory. A prompt is claimed by moving ``next_run_at`` forward in the same UPDATE that
checks its old value (compare-and-set), before it is sent: after a restart, or with several
replicas, nothing is sent twice.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import texts
from bot.clock import Clock, utc_now
from bot.reflection.catalog import Catalog
from bot.reflection.replies import Choice, Reply
from bot.store.db import Database
from bot.store.models import ReflectionSchedule
from bot.store.plans import PlanRepository
from bot.store.reflections import ReflectionRepository

DEFAULT_TZ = "Europe/Oslo"
REMINDER_AFTER = timedelta(hours=4)
SNOOZE = timedelta(hours=2)
_DAYS = {"man": 0, "tir": 1, "ons": 2, "tor": 3, "fre": 4, "lor": 5, "lør": 5, "son": 6, "søn": 6}
_TIME = re.compile(r"^(?:kl\.?)?(\d{1,2})(?:[:.](\d{2}))?$")


@dataclass(frozen=True)
class Outgoing:
    """A message the scheduler wants sent: to a DM or a group's channel."""

    address: str
    reply: Reply
    channel: str = "slack"  # the channel the plan was made in, which sends it
    reply_to: str | None = None  # Teams: the conversation's service URL


@dataclass(frozen=True)
class Plan:
    weekdays: tuple[int, ...]
    at: time
    theme_words: tuple[str, ...]


def parse_plan(text: str) -> Plan | None:
    """ "man ons kl 08:30 verdier roller" → Monday and Wednesday at 08:30, themes verdier, roller."""
    days: list[int] = []
    at: time | None = None
    words: list[str] = []
    for token in text.lower().replace(",", " ").split():
        if token in ("kl", "kl."):
            continue
        day = _DAYS.get(token[:3])
        match = _TIME.match(token)
        if day is not None and len(token) <= 7 and token[:3] in _DAYS:
            days.append(day)
        elif match and int(match.group(1)) < 24 and int(match.group(2) or 0) < 60:
            at = time(int(match.group(1)), int(match.group(2) or 0))
        else:
            words.append(token)
    if not days or at is None:
        return None
    return Plan(tuple(sorted(set(days))), at, tuple(words))


def next_occurrence(after: datetime, weekdays: list[int], local: time, tz: str) -> datetime:
    """The first moment strictly after ``after`` on one of ``weekdays`` at ``local`` time in ``tz`` (UTC out)."""
    zone = ZoneInfo(tz)
    start = after.astimezone(zone)
    for offset in range(0, 8):
        day = (start + timedelta(days=offset)).date()
        if day.weekday() not in weekdays:
            continue
        candidate = datetime.combine(day, local, tzinfo=zone)
        if candidate > start:
            return candidate.astimezone(ZoneInfo("UTC"))
    raise ValueError(f"no weekday in {weekdays}")


class Scheduler:
    """Creates and runs reflection plans.

    Example:
        >>> scheduler = Scheduler(database=db, catalog=catalog, clock=clock)
        >>> scheduler.plan(owner="k", address="D1", is_group=False, text="man kl 08:30 verdier")
        >>> scheduler.tick()  # the prompts and reminders that are due now
    """

    def __init__(self, *, database: Database, catalog: Catalog, clock: Clock = utc_now) -> None:
        self._db = database
        self._catalog = catalog
        self._clock = clock

    def plan(
        self,
        *,
        owner: str,
        address: str,
        is_group: bool,
        text: str,
        timezone: str | None = None,
        channel: str = "slack",
        reply_to: str | None = None,
    ) -> Reply:
        """Handle `/refleksjon plan ...`: create a plan, or pause/resume/stop/snooze/skip the current one."""
        command = text.strip().lower()
        if command in ("pause", "fortsett", "stopp", "utsett", "hopp"):
            return self._change(owner, address, command)
        parsed = parse_plan(command)
        if parsed is None:
            return Reply(texts.R_PLAN_HELP)
        try:
            tz = timezone if timezone and ZoneInfo(timezone) else DEFAULT_TZ
        except (ZoneInfoNotFoundError, ValueError):
            tz = DEFAULT_TZ
        kinds = ("group",) if is_group else ("individual", "development_talk")
        themes = [t.id for w in parsed.theme_words if (t := self._catalog.find(w, kinds=kinds)) is not None]
        if not themes:
            themes = [t.id for t in self._catalog.themes if t.kind in kinds]
        now = self._clock()
        first = next_occurrence(now, list(parsed.weekdays), parsed.at, tz)
        with self._db.session() as session:
            PlanRepository(session=session).replace(
                ReflectionSchedule(
                    owner_key=owner,
                    address=address,
                    is_group=is_group,
                    weekdays=list(parsed.weekdays),
                    local_time=parsed.at.strftime("%H:%M"),
                    timezone=tz,
                    themes=themes,
                    next_theme=0,
                    state="active",
                    next_run_at=first,
                    created_at=now,
                    channel=channel,
                    reply_to=reply_to,
                )
            )
        days = ", ".join(texts.WEEKDAY_NAMES[d] for d in parsed.weekdays)
        titles = ", ".join(t.title for i in themes if (t := self._catalog.get(i)) is not None)
        return Reply(
            texts.R_PLAN_SAVED.format(
                days=days, time=parsed.at.strftime("%H:%M"), tz=tz, first=self._local(first, tz), themes=titles
            )
        )

    def tick(self, channels: Collection[str] | None = None) -> list[Outgoing]:
        """Claim and return every prompt and reminder due now (of plans made in ``channels``, or all):
        a server claims only what it can send. Safe to run on several replicas."""
        now = self._clock()
        out: list[Outgoing] = []
        with self._db.session() as session:
            due = PlanRepository(session=session).prompts_due(now, channels=channels)
        for plan in due:
            outgoing = self._claim_prompt(plan, now)
            if outgoing is not None:
                out.append(outgoing)
        with self._db.session() as session:
            reminders = PlanRepository(session=session).reminders_due(now, channels=channels)
        for plan in reminders:
            outgoing = self._claim_reminder(plan)
            if outgoing is not None:
                out.append(outgoing)
        return out

    def _claim_prompt(self, plan: ReflectionSchedule, now: datetime) -> Outgoing | None:
        theme_id = plan.themes[plan.next_theme % len(plan.themes)] if plan.themes else None
        theme = self._catalog.get(theme_id) if theme_id else None
        following = next_occurrence(
            max(now, plan.next_run_at or now), plan.weekdays, time.fromisoformat(plan.local_time), plan.timezone
        )
        with self._db.session() as session:
            claimed = PlanRepository(session=session).claim_prompt(
                plan,
                next_run_at=following,
                next_theme=plan.next_theme + 1,
                sent_at=now,
                theme_id=theme_id,
                reminder_due_at=None if plan.is_group else now + REMINDER_AFTER,
            )
        if not claimed or theme is None:
            return None
        if plan.is_group:
            word = theme.title.split()[-1].lower()
            return Outgoing(
                plan.address,
                Reply(texts.R_PLAN_GROUP_PROMPT.format(title=theme.title, word=word)),
                plan.channel,
                plan.reply_to,
            )
        return Outgoing(
            plan.address,
            Reply(
                texts.R_PLAN_PROMPT.format(title=theme.title),
                (Choice(texts.R_PLAN_START_BUTTON, f"refleksjon {theme.id}", "primary"),),
            ),
            plan.channel,
            plan.reply_to,
        )

    def _claim_reminder(self, plan: ReflectionSchedule) -> Outgoing | None:
        with self._db.session() as session:
            started = ReflectionRepository(session=session).started_since(
                plan.owner_key, plan.last_theme, plan.last_sent_at
            )
            claimed = PlanRepository(session=session).claim_reminder(plan)  # at most one reminder per prompt
        theme = self._catalog.get(plan.last_theme or "")
        if not claimed or started or theme is None:
            return None
        return Outgoing(
            plan.address,
            Reply(
                texts.R_PLAN_REMINDER.format(title=theme.title),
                (Choice(texts.R_PLAN_START_BUTTON, f"refleksjon {theme.id}", "primary"),),
            ),
            plan.channel,
            plan.reply_to,
        )

    def _change(self, owner: str, address: str, command: str) -> Reply:
        now = self._clock()
        with self._db.session() as session:
            plan = PlanRepository(session=session).current(owner, address)
            if plan is None:
                return Reply(texts.R_PLAN_NONE)
            local = time.fromisoformat(plan.local_time)
            if command == "pause":
                plan.state = "paused"
                return Reply(texts.R_PLAN_PAUSED)
            if command == "stopp":
                plan.state, plan.next_run_at, plan.reminder_due_at = "stopped", None, None
                return Reply(texts.R_PLAN_STOPPED)
            if command == "fortsett":
                plan.state = "active"
                plan.next_run_at = next_occurrence(now, plan.weekdays, local, plan.timezone)
                return Reply(texts.R_PLAN_RESUMED.format(next=self._local(plan.next_run_at, plan.timezone)))
            current = plan.next_run_at or next_occurrence(now, plan.weekdays, local, plan.timezone)
            if command == "utsett":
                plan.next_run_at = max(current, now) + SNOOZE
                return Reply(texts.R_PLAN_SNOOZED.format(next=self._local(plan.next_run_at, plan.timezone)))
            plan.next_run_at = next_occurrence(current, plan.weekdays, local, plan.timezone)  # "hopp"
            return Reply(texts.R_PLAN_SKIPPED.format(next=self._local(plan.next_run_at, plan.timezone)))

    @staticmethod
    def _local(moment: datetime, tz: str) -> str:
        local = moment.astimezone(ZoneInfo(tz))
        return f"{texts.WEEKDAY_NAMES[local.weekday()]} {local.strftime('%d.%m. kl. %H:%M')}"
