"""Routes what a leader writes: a reflection command or answer goes to the reflection engine,
anything else is a question for the documents. Channel adapters call this, and reach group
reflections, plans and HR figures through its ``groups``, ``scheduler`` and ``hr``.

Example:
    >>> dialog = Dialog(questions=questions, engine=engine, groups=groups, scheduler=scheduler, pseudonymizer=p, hr=hr)
    >>> dialog.message("refleksjon verdier", asker=Asker("slack", "T1", "U1", "dm"))
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.analytics.service import HrService
from bot.identity import Pseudonymizer
from bot.questions import Asked, Asker, Questions
from bot.reflection.engine import ReflectionEngine
from bot.reflection.groups import GroupReflections
from bot.reflection.replies import Reply
from bot.reflection.schedule import Scheduler
from bot.store.db import StorageError
from bot.store.people import rekey

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """Either a reflection reply or an answer to a question."""

    reply: Reply | None = None
    asked: Asked | None = None
    # The reflection store could not be reached: if the text was a reflection answer, it was not saved.
    unsaved: bool = False


class Dialog:
    def __init__(
        self,
        *,
        questions: Questions,
        engine: ReflectionEngine,
        groups: GroupReflections,
        scheduler: Scheduler,
        pseudonymizer: Pseudonymizer,
        hr: HrService,
    ) -> None:
        self.questions = questions
        self.engine = engine
        self.groups = groups
        self.scheduler = scheduler
        self.hr = hr
        self._pseudo = pseudonymizer
        self._rekeyed: set[tuple[str, str, str]] = set()

    def owner(self, asker: Asker) -> str:
        self._rekey(asker)
        return self._pseudo.owner_key(asker.channel, asker.user)

    def audit_actor(self, asker: Asker) -> str:
        """Who viewed an HR figure, as the audit log keeps it: the channel and a prefix of the pseudonym
        (enough to tell HR people apart, not a key that joins to the leader tables)."""
        return f"{asker.channel}:{self.owner(asker)[:16]}"

    def _rekey(self, asker: Asker) -> None:
        """After a key rotation, move this leader's rows to the current key the first time they are seen."""
        seen = (asker.channel, asker.workspace, asker.user)
        if not self._pseudo.previous_ids or seen in self._rekeyed:
            return
        try:
            with self.questions.database.session() as session:
                rekey(
                    session,
                    old_owner=self._pseudo.previous_owner_keys(asker.channel, asker.user),
                    new_owner=self._pseudo.owner_key(asker.channel, asker.user),
                    old_leader=self._pseudo.previous_leader_keys(*seen),
                    new_leader=self._pseudo.leader_key(*seen),
                )
            self._rekeyed.add(seen)
        except StorageError as exc:
            log.warning("could not move rows to the current pseudonym key (%s)", type(exc).__name__)

    def message(self, text: str, *, asker: Asker, event_id: str | None = None) -> Outcome:
        """A message in a private conversation with the bot."""
        try:
            reply = self.engine.handle(self.owner(asker), text, event_id=event_id)
        except StorageError as exc:
            # Reflection needs the database; questions do not. Answer rather than fall silent.
            # The leader is told it was not saved (the session did not move on, so sending it again
            # files it under the right question).
            log.warning("reflection unavailable (%s); answering as a question", type(exc).__name__)
            self.questions.metrics.errors.labels("reflection").inc()
            return Outcome(asked=self.questions.ask(text, asker=asker), unsaved=True)
        if reply is not None:
            self.questions.metrics.reflection_steps.labels(asker.channel).inc()
            return Outcome(reply=reply)
        return Outcome(asked=self.questions.ask(text, asker=asker))

    def plan(
        self,
        args: str,
        *,
        asker: Asker,
        address: str,
        is_group: bool,
        timezone: str | None,
        reply_to: str | None = None,
    ) -> Reply:
        """A reflection plan, sent later through the asker's channel to ``address`` (``reply_to``: where
        that channel takes proactive messages, when it needs to be told)."""
        return self.scheduler.plan(
            owner=self.owner(asker),
            address=address,
            is_group=is_group,
            text=args,
            timezone=timezone,
            channel=asker.channel,
            reply_to=reply_to,
        )
