"""Retention for every deployment: runs in the server whatever channels are configured.

Question texts and 👎 reasons past their time, reflection answers older than the configured months
and the rows of handled events older than two days are removed once a day; `lederbot data retention`
runs the same sweep. The
scheduled reflection work (prompts, reminders, group deadlines) is bot/jobs.py's, sent through each
channel's sender.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot import inbox
from bot.clock import Clock, utc_now
from bot.questions import Questions
from bot.reflection import data

log = logging.getLogger(__name__)
EVERY = 24 * 3600.0
# A handled event's row (id and state; its content is blanked when handled) is kept this long so that
# a late retry of it is still known as a duplicate.
HANDLED_EVENT_DAYS = 2


@dataclass(frozen=True)
class Swept:
    question_texts: int
    reflection_answers: int
    handled_events: int


class Retention:
    """Call ``run`` from the server's periodic loop; it does its work at most once per ``every`` seconds."""

    def __init__(self, *, questions: Questions, months: int, every: float = EVERY, clock: Clock = utc_now) -> None:
        if months < 1:
            raise ValueError(f"months must be at least 1, got {months}")
        self._questions = questions
        self._months = months
        self._every = every
        self._clock = clock
        self._last: float | None = None

    def sweep(self) -> Swept:
        now, database = self._clock(), self._questions.database
        forgotten = self._questions.forget_expired()
        deleted = data.apply_retention(database, now=now, months=self._months)
        events = inbox.forget_handled(database, before=now - timedelta(days=HANDLED_EVENT_DAYS))
        return Swept(forgotten, deleted, events)

    async def run(self) -> Swept | None:
        if self._last is not None and time.monotonic() - self._last < self._every:
            return None
        swept = await asyncio.to_thread(self.sweep)  # raises when the database is down: the next tick tries again
        self._last = time.monotonic()
        log.info(
            "retention: %d question texts, %d reflection answers and %d handled events removed",
            swept.question_texts,
            swept.reflection_answers,
            swept.handled_events,
        )
        return swept


def together(*jobs: Callable[[], Awaitable[object]] | None) -> Callable[[], Awaitable[None]]:
    """One periodic job from several: each runs every round; one failing does not stop the others."""
    chosen = [job for job in jobs if job is not None]

    async def run() -> None:
        for job in chosen:
            try:
                await job()
            except Exception:  # noqa: BLE001  (logged; the next round tries again)
                log.exception("periodic job failed")

    return run
