"""Periodic work for Slack: reflection prompts and reminders, group deadlines, retention."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk import utc_now
from bot.dialog import Dialog
from handlers.slack.blocks import escape, reflection_blocks

log = logging.getLogger(__name__)
RETENTION_EVERY = 24 * 3600.0


class Jobs:
    def __init__(self, *, dialog: Dialog, client: AsyncWebClient, reflection_months: int) -> None:
        self._dialog = dialog
        self._client = client
        self._months = reflection_months
        self._last_retention = 0.0

    async def run(self) -> None:
        """One round: send what is due. Errors are logged, the next round tries again."""
        for outgoing in await asyncio.to_thread(self._dialog.scheduler.tick):
            await self._post(outgoing.address, outgoing.reply.text, blocks=reflection_blocks(outgoing.reply))
        for group, reply in await asyncio.to_thread(self._dialog.engine.due_groups, utc_now()):
            await self._post(group.channel_id, reply.text, blocks=reflection_blocks(reply), thread_ts=group.thread_ts)
        # Retention runs for every deployment, Slack or not: bot.upkeep.Retention in the server.

    async def _post(self, channel: str, text: str, *, blocks: list, thread_ts: str | None = None) -> None:  # type: ignore[type-arg]
        try:
            await self._client.chat_postMessage(
                channel=channel, text=escape(text[:300]), blocks=blocks, thread_ts=thread_ts
            )
        except SlackApiError as exc:
            log.warning("could not post a scheduled message (%s)", exc.response.get("error"))
