"""The Teams agent: activities from /api/messages into the dialog core, Adaptive Cards back.

In a personal chat every message goes through the dialog (reflection or a question); in a team
channel the bot answers when mentioned, and `refleksjon gruppe <tema>` starts a group reflection
whose answer form submits privately to the bot.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    MemoryStorage,
    TurnContext,
    TurnState,
)

from bot import texts
from bot.desk import Asker
from bot.dialog import Dialog
from bot.errors import ConfigError
from bot.intake import Intake
from bot.reflection.engine import Reply
from handlers.teams.cards import answer_card, attachment, plain, reply_card

log = logging.getLogger(__name__)
_AT = re.compile(r"<at>[^<]*</at>")


@dataclass(frozen=True)
class TeamsOptions:
    app_id: str | None = None
    app_password: str | None = None
    tenant_id: str | None = None
    allow_anonymous: bool = False
    hr_user_ids: frozenset[str] = field(default_factory=frozenset)  # Azure AD object ids
    hr_contact: str = "HR"

    def auth_configuration(self) -> AgentAuthConfiguration:
        """Credentials, or anonymous mode for a local connector; anything else refuses to start."""
        if self.app_id and self.app_password and self.tenant_id:
            return AgentAuthConfiguration(
                client_id=self.app_id, client_secret=self.app_password, tenant_id=self.tenant_id
            )
        if self.allow_anonymous:
            return AgentAuthConfiguration(anonymous_allowed=True)
        raise ConfigError(texts.TEAMS_ANONYMOUS_REFUSED)


@dataclass
class TeamsAgent:
    application: AgentApplication[TurnState]
    adapter: CloudAdapter
    auth: AgentAuthConfiguration


def build_teams_agent(*, dialog: Dialog, options: TeamsOptions, intake: Intake | None = None) -> TeamsAgent:
    auth = options.auth_configuration()
    intake = intake or Intake.over(dialog.desk.database, metrics=dialog.desk.metrics)
    connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": auth})
    adapter = CloudAdapter(connection_manager=connections)
    application = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter, connection_manager=connections)
    handler = _Handler(dialog=dialog, options=options, intake=intake)
    application.activity(ActivityTypes.message)(handler.on_message)
    application.error(handler.on_error)
    return TeamsAgent(application=application, adapter=adapter, auth=auth)


class _Handler:
    def __init__(self, *, dialog: Dialog, options: TeamsOptions, intake: Intake) -> None:
        self._dialog = dialog
        self._options = options
        self._intake = intake
        self._workers = intake.workers

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        # Teams waits for the turn, so the activity is handled in the request. The inbox holds it
        # meanwhile: a redelivery is dropped while this replica lives, and taken over by whichever
        # replica gets it once this one's lease has run out (it died mid-turn).
        key = f"teams:{activity.id or ''}"
        if activity.id and not await self._intake.hold(key, channel="teams", payload={"id": activity.id}):
            return
        try:
            await self._on_message(context, activity)
        finally:
            if activity.id:
                await self._intake.finish(key, channel="teams")

    async def _on_message(self, context: TurnContext, activity: Activity) -> None:
        sender = activity.from_property
        user = str((getattr(sender, "aad_object_id", None) or getattr(sender, "id", "")) if sender else "")
        conversation = activity.conversation
        tenant = (getattr(conversation, "tenant_id", None) or "") if conversation else ""
        personal = (getattr(conversation, "conversation_type", None) or "personal") == "personal"
        value = activity.value if isinstance(activity.value, dict) else {}
        text = " ".join(_AT.sub(" ", activity.text or "").split())
        asker = Asker("teams", tenant, user, "dm" if personal else "mention")

        if value.get("cmd") == "feedback":
            await asyncio.to_thread(self._dialog.desk.feedback, str(value.get("ref", "")), str(value.get("value")))
            await context.send_activity(texts.TEAMS_THANKS)
            return
        if value.get("cmd") == "group_answer":
            await self._group_answer(context, asker, value, name=getattr(sender, "name", "") or "")
            return
        command = str(value.get("cmd") or "")
        if command.startswith("group:"):
            _, group_id, step = command.split(":")[:3]
            engine = self._dialog.engine
            actor = self._dialog.owner(asker)
            step_reply = await asyncio.to_thread(
                engine.group_next if step == "next" else engine.group_end, int(group_id), actor=actor
            )
            await self._send_reply(context, step_reply)
            return
        text = command or text

        if text.lower() == "rapport" and user in self._options.hr_user_ids:
            report = await asyncio.to_thread(self._dialog.hr.report, actor=f"teams:{self._dialog.owner(asker)[:16]}")
            await context.send_activity(plain(report.summary))
            return
        if not personal and text.lower().startswith("refleksjon gruppe"):
            words = text[len("refleksjon gruppe") :].strip()
            _, reply = await asyncio.to_thread(
                self._dialog.engine.start_group,
                channel_id=conversation.id if conversation else "",
                facilitator=self._dialog.owner(asker),
                word=words or "-",
            )
            await self._send_reply(context, reply)
            return
        if personal:
            outcome = await self._workers.search(self._dialog.message, text, asker=asker, event_id=activity.id)
            if outcome.reply is not None:
                await self._send_reply(context, outcome.reply)
                return
            if outcome.unsaved:
                await context.send_activity(plain(texts.without_emphasis(texts.NOT_SAVED_SEND_AGAIN)))
            asked = outcome.asked
        else:
            asked = await self._workers.search(self._dialog.desk.ask, text, asker=asker)
        assert asked is not None
        fallback = " ".join(asked.answer.sentences) if asked.answer.answered else texts.NO_ANSWER
        if asked.answer.invalid:
            fallback = asked.answer.note or texts.EMPTY_QUESTION
        await context.send_activity(
            Activity(
                type=ActivityTypes.message,
                text=plain(fallback)[:500],
                attachments=[attachment(answer_card(asked.answer, reference=asked.reference))],
            )
        )

    async def _group_answer(self, context: TurnContext, asker: Asker, value: dict[str, Any], *, name: str) -> None:
        answer = str(value.get("answer") or "").strip()
        shared = value.get("visibility") == "shared" and bool(answer)
        reply = await asyncio.to_thread(
            self._dialog.engine.group_answer,
            int(value.get("group", 0)),
            member=self._dialog.owner(asker),
            index=int(value.get("index", 0)),
            text=answer,
            shared_as=(name or "Et medlem") if shared else None,
        )
        if shared:
            await context.send_activity(plain(texts.R_GROUP_SHARED.format(user=name or "Et medlem", answer=answer)))
        else:
            await context.send_activity(reply.text)  # says only "saved, only you see it"

    async def _send_reply(self, context: TurnContext, reply: Reply) -> None:
        if reply.duplicate:
            return
        text = texts.without_emphasis(reply.text)
        if reply.export is not None:
            text = f"{texts.TEAMS_EXPORT_INLINE}\n\n{reply.export.content}"
        await context.send_activity(
            Activity(
                type=ActivityTypes.message,
                text=plain(text)[:4000],
                attachments=[attachment(reply_card(reply))] if reply.choices else [],
            )
        )

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed: %s", type(error).__name__, exc_info=error)
        await context.send_activity(texts.INTERNAL_ERROR.format(hr_contact=self._options.hr_contact))
