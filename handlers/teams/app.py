"""The Teams agent: activities from /api/messages into the dialog core, Adaptive Cards back.

In a personal chat every message goes through the dialog (reflection or a question); in a team
channel the bot answers when mentioned, and `refleksjon gruppe <tema>` starts a group reflection
whose answer form submits privately to the bot.
"""

from __future__ import annotations

import asyncio
import hashlib
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
from bot.commands import Place, Refusal, execute, parse
from bot.dialog import Dialog
from bot.intake import Intake
from bot.questions import Asker
from bot.recent import RecentAnswers
from bot.reflection.groups import shared_label
from bot.reflection.replies import BadActionError, GroupAction, Reply
from handlers.teams.auth import TokenPolicy
from handlers.teams.cards import (
    CHOICE,
    answer_card,
    answer_summary,
    card_messages,
    group_form_values,
    reply_card,
    text_card,
)
from index.errors import ConfigError

log = logging.getLogger(__name__)
_AT = re.compile(r"<at>[^<]*</at>")

# bot/commands.py's refusals in Teams' words.
_REFUSALS = {
    Refusal.HR_ONLY: texts.HR_ONLY,
    Refusal.HR_PRIVATE_ONLY: texts.HR_PERSONAL_ONLY,
    Refusal.NEEDS_CHANNEL: texts.GROUP_HELP,
    Refusal.PRIVATE_ONLY: texts.PERSONAL_ONLY,
    Refusal.NEEDS_THEME: texts.GROUP_HELP,
}


@dataclass(frozen=True)
class TeamsOptions:
    app_id: str | None = None
    app_password: str | None = None
    tenant_id: str | None = None
    allow_anonymous: bool = False
    hr_user_ids: frozenset[str] = field(default_factory=frozenset)  # Azure AD object ids
    hr_contact: str = "HR"
    # Apps allowed to call the bot with an Entra token (appid/azp) besides the bot's own app id.
    callers: frozenset[str] = field(default_factory=frozenset)

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
    policy: TokenPolicy | None = None  # None: anonymous mode, no token to check


def build_teams_agent(*, dialog: Dialog, options: TeamsOptions, intake: Intake) -> TeamsAgent:
    """The agent over ``dialog``; each activity is held in ``intake`` (the server's one, see
    handlers.launch.build_intake) while its turn runs."""
    auth = options.auth_configuration()
    connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": auth})
    adapter = CloudAdapter(connection_manager=connections)
    application = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter, connection_manager=connections)
    handler = _Handler(dialog=dialog, options=options, intake=intake)
    application.activity(ActivityTypes.message)(handler.on_message)
    application.error(handler.on_error)
    policy = None
    if not auth.ANONYMOUS_ALLOWED and options.tenant_id:
        policy = TokenPolicy(
            tenant_id=options.tenant_id, callers=frozenset({options.app_id or "", *options.callers}) - {""}
        )
    return TeamsAgent(application=application, adapter=adapter, auth=auth, policy=policy)


class _Handler:
    def __init__(self, *, dialog: Dialog, options: TeamsOptions, intake: Intake) -> None:
        self._dialog = dialog
        self._options = options
        self._intake = intake
        self._workers = intake.workers
        self._recent = RecentAnswers()

    @staticmethod
    async def _send_card(context: TurnContext, card: dict[str, Any], summary: str) -> None:
        """``card`` as one message, or over as many as Teams' message size needs (never cut)."""
        for message in card_messages(card, summary):
            await context.send_activity(message)

    async def _say(self, context: TurnContext, text: str) -> None:
        await self._send_card(context, text_card(text), text)

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        # Teams waits for the turn, so the activity is handled in the request. The inbox holds it
        # meanwhile: a redelivery is dropped while this replica lives, and taken over by whichever
        # replica gets it once this one's lease has run out (it died mid-turn). Activity ids are
        # unique within a conversation only, so the conversation is part of the key (hashed: real
        # conversation ids run past 100 characters).
        where = hashlib.sha256((activity.conversation.id if activity.conversation else "").encode()).hexdigest()[:24]
        key = f"teams:{where}:{activity.id or ''}"
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
            reference = str(value.get("ref", ""))
            if not self._recent.is_asker(reference, channel="teams", user=user):
                known = self._recent.get(reference) is not None
                await self._say(context, texts.FEEDBACK_NOT_YOURS if known else texts.ANSWER_EXPIRED)
                return
            await asyncio.to_thread(
                self._dialog.questions.feedback, reference, "down" if value.get("value") == "down" else "up"
            )
            await self._say(context, texts.TEAMS_THANKS)
            return
        # A group's actions name the conversation they came from: the core refuses one from any other
        # than the group's own (a card copied elsewhere).
        here = conversation.id if conversation else ""
        if value.get("cmd") == "group_answer":
            await self._group_answer(context, asker, value, name=getattr(sender, "name", "") or "", here=here)
            return
        command = str(value.get("cmd") or "")
        if command == CHOICE:
            command = str(value.get(CHOICE) or "")
        if GroupAction.claims(command):
            await self._group_step(context, asker, command, here=here)
            return
        text = command or text

        parsed = parse(text)
        place = Place(
            conversation=here,
            shared=not personal,
            private_reply=personal,  # the bot answers in the conversation it was written in, nowhere else
            turn=personal,
            hr=user in self._options.hr_user_ids,
            reply_to=activity.service_url,
        )
        pool = self._workers.search if parsed.kind == "dialog" else self._workers.store
        done = await pool(execute, self._dialog, parsed, asker=asker, place=place, event_id=activity.id)
        if done.refusal is not None:
            await self._say(context, _REFUSALS[done.refusal])
        elif done.report is not None:
            await self._say(context, done.report.summary)
        elif done.reply is not None:
            await self._send_reply(context, done.reply)
        else:
            if done.unsaved:
                await self._say(context, texts.without_emphasis(texts.NOT_SAVED_SEND_AGAIN))
            asked = done.asked
            assert asked is not None
            self._recent.remember(asked.reference, text, asker)
            await self._send_card(
                context, answer_card(asked.answer, reference=asked.reference), answer_summary(asked.answer)
            )

    async def _group_step(self, context: TurnContext, asker: Asker, command: str, *, here: str) -> None:
        """«Neste spørsmål» or «Avslutt» on a group's card (answers come from its forms, not as a step)."""
        try:
            pressed = GroupAction.decode(command)
        except BadActionError:
            pressed = None
        if pressed is None or pressed.step == "answer":
            log.warning("a group action that is no step was refused")
            await self._say(context, texts.R_GROUP_BAD_BUTTON)
            return
        actor = self._dialog.owner(asker)
        press = await asyncio.to_thread(self._dialog.groups.press, pressed, actor=actor, conversation=here)
        # Teams has no message for one person in a channel, and its steps open no form: the reply
        # (the next question, the summary or the refusal) goes to the conversation.
        if press.reply is not None:
            await self._send_reply(context, press.reply)

    async def _group_answer(
        self, context: TurnContext, asker: Asker, value: dict[str, Any], *, name: str, here: str
    ) -> None:
        index, answer, shared = group_form_values(value)
        label = shared_label(name)
        reply = await asyncio.to_thread(
            self._dialog.groups.answer,
            _int(value.get("group")),
            member=self._dialog.owner(asker),
            index=index,
            text=answer,
            shared_as=label if shared else None,
            conversation=here,
        )
        if reply.refused or reply.unsaved:
            await self._say(context, reply.text)  # elsewhere, closed, or not stored: nothing private in that
        elif shared:
            await self._say(context, texts.R_GROUP_SHARED.format(user=label, answer=answer))
        # A private answer gets no reply in the group's conversation: «bare du ser det» posted there
        # would tell everyone who answered privately. The form itself closes on submit.

    async def _send_reply(self, context: TurnContext, reply: Reply) -> None:
        if reply.duplicate:
            return
        text = texts.without_emphasis(reply.text)
        if reply.export is not None:
            # The whole export, over as many messages as it needs (the chat takes no files from the bot).
            await self._send_card(
                context, text_card(f"{texts.TEAMS_EXPORT_INLINE}\n\n{reply.export.content}"), texts.TEAMS_EXPORT_INLINE
            )
            return
        await self._send_card(context, reply_card(reply), text)

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed: %s", type(error).__name__, exc_info=error)
        await context.send_activity(texts.INTERNAL_ERROR.format(hr_contact=self._options.hr_contact))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
