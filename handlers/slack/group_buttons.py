"""A group reflection's buttons in its channel and the private answer modal.

The buttons carry a :class:`~bot.reflection.replies.GroupAction`; whatever does not decode as one (a
forged or cut value) is refused with a note to the presser. Everything else is one core call
(:meth:`~bot.reflection.groups.GroupReflections.press`, which also refuses a press from outside
the group's own channel); this module only shows its outcome.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.dbhealth import DatabaseHealth
from bot.dialog import Dialog
from bot.questions import Asker
from bot.reflection.groups import shared_label
from bot.reflection.replies import BadActionError, GroupAction
from bot.workers import Workers
from handlers.slack import send
from handlers.slack.blocks import escape, group_answer_modal

log = logging.getLogger(__name__)


class GroupButtons:
    def __init__(self, *, dialog: Dialog, workers: Workers, health: DatabaseHealth) -> None:
        self._dialog = dialog
        self._groups = dialog.groups
        self._workers = workers
        self._health = health

    async def on_action(self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        """«Svar», «Neste spørsmål» or «Avslutt» under a group's post."""
        await ack()
        user = str((body.get("user") or {}).get("id") or "")
        channel = str((body.get("channel") or {}).get("id") or "")
        try:
            pressed = GroupAction.decode(action.get("value", ""))
        except BadActionError:
            log.warning("a group button whose value is no group action was refused")
            await client.chat_postEphemeral(channel=channel, user=user, text=texts.R_GROUP_BAD_BUTTON)
            return
        actor = self._dialog.owner(Asker("slack", str((body.get("team") or {}).get("id", "")), user, "group"))
        press = await self._workers.store(self._groups.press, pressed, actor=actor, conversation=channel)
        if press.form is not None:
            form = press.form
            view = group_answer_modal(
                group_id=form.group_id,
                index=form.index,
                question=form.question,
                channel=channel,
                thread=press.thread_ts,
            )
            await client.views_open(trigger_id=body["trigger_id"], view=view)
        elif press.reply is not None and press.reply.refused:
            await client.chat_postEphemeral(channel=channel, user=user, text=press.reply.text)
        elif press.reply is not None:
            await send.send_reply(client, channel, press.reply, thread_ts=press.thread_ts)

    async def on_answer_modal(
        self, ack: Any, view: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A member's answer from the modal: stored privately, and posted in the thread when shared."""
        meta = json.loads(view.get("private_metadata") or "{}")
        values = (view.get("state") or {}).get("values") or {}
        text = (((values.get("answer") or {}).get("text") or {}).get("value") or "").strip()
        if not self._health.up:
            # Keep the form open with the leader's text in it: closed, the words would be lost.
            await ack(response_action="errors", errors={"answer": texts.without_emphasis(texts.R_GROUP_NOT_SAVED)})
            return
        await ack()
        choice = (((values.get("visibility") or {}).get("choice") or {}).get("selected_option") or {}).get("value")
        user = body.get("user", {}).get("id", "")
        asker = Asker("slack", (body.get("team") or {}).get("id", ""), user, "group")
        shared = choice == "shared"
        # Stored with the answer: a display name, never the user id (the mention is only posted live).
        shared_as = shared_label((body.get("user") or {}).get("name")) if shared else None
        group_id = int(meta.get("g", 0))
        channel = str(meta.get("c", ""))
        reply = await self._workers.store(
            self._groups.answer,
            group_id,
            member=self._dialog.owner(asker),
            index=int(meta.get("i", 0)),
            text=text,
            shared_as=shared_as,
            conversation=channel,
        )
        if shared and text and not reply.unsaved and not reply.refused:
            # The form carries its group's thread; one opened before it did asks for it.
            thread = meta["t"] if "t" in meta else await self._workers.store(self._groups.thread_ts, group_id)
            await client.chat_postMessage(
                channel=channel,
                thread_ts=thread,
                text=texts.R_GROUP_SHARED.format(user=f"<@{user}>", answer=escape(text)),
            )
        await client.chat_postEphemeral(channel=channel, user=user, text=reply.text)
