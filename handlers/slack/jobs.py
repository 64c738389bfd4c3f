"""Scheduled reflection messages (prompts, reminders, group deadlines) sent through Slack."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.reflection.engine import Reply
from handlers.slack.blocks import escape, reflection_blocks

log = logging.getLogger(__name__)


class SlackSender:
    """Posts a scheduled reply to a DM or a channel (in the group's thread when it has one)."""

    def __init__(self, *, client: AsyncWebClient) -> None:
        self._client = client

    async def send(self, address: str, reply: Reply, *, thread: str | None = None, reply_to: str | None = None) -> None:
        try:
            await self._client.chat_postMessage(
                channel=address, text=escape(reply.text[:300]), blocks=reflection_blocks(reply), thread_ts=thread
            )
        except SlackApiError as exc:
            log.warning("could not post a scheduled message (%s)", exc.response.get("error"))
