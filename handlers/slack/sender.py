"""Scheduled reflection messages (prompts, reminders, group deadlines) sent through Slack."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.reflection.replies import Reply
from handlers.slack.blocks import pages, preview_text, reflection_blocks

log = logging.getLogger(__name__)


class SlackSender:
    """Posts a scheduled reply to a DM or a channel (in the group's thread when it has one).

    A long reply (a deadline summary with many answers) goes out in as many messages as Slack's
    50-block limit needs, in order, each with the same notification text.
    """

    def __init__(self, *, client: AsyncWebClient) -> None:
        self._client = client

    async def send(self, address: str, reply: Reply, *, thread: str | None = None, reply_to: str | None = None) -> None:
        text = preview_text(texts.without_emphasis(reply.text))
        try:
            for page in pages(reflection_blocks(reply)):
                await self._client.chat_postMessage(channel=address, text=text, blocks=page, thread_ts=thread)
        except SlackApiError as exc:
            log.warning("could not post a scheduled message (%s)", exc.response.get("error"))
