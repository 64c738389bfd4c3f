"""How the Slack adapter writes: blocks over as many messages as Slack's limits need, reflection replies
with their files, and short texts only the writer sees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.reflection.replies import Reply
from handlers.slack.blocks import escape, pages, preview_text, reflection_blocks


@dataclass(frozen=True)
class Entry:
    """Where a Slack message or command came from, and how its writer is answered privately."""

    kind: str  # dm, mention, thread, command
    team: str
    user: str
    channel: str
    thread_ts: str | None = None
    respond: Any = None  # slash commands: replies through the response_url (ephemeral)
    event_id: str | None = None

    @property
    def private(self) -> bool:
        return self.channel.startswith("D")  # a DM with the bot


async def post(
    client: AsyncWebClient, channel: str, blocks: list[dict[str, Any]], text: str, *, thread_ts: str | None = None
) -> str | None:
    """Post blocks in as many messages as Slack's 50-block limit needs; returns the first message's ts."""
    first = None
    for page in pages(blocks):
        response = await client.chat_postMessage(channel=channel, thread_ts=thread_ts, blocks=page, text=text)
        first = first or (str(response.get("ts") or "") or None)
    return first


async def respond_pages(respond: Any, blocks: list[dict[str, Any]], text: str, **kwargs: Any) -> None:
    """Blocks through a response_url, in as many messages as they need."""
    for page in pages(blocks):
        await respond(blocks=page, text=text, **kwargs)


async def send_reply(client: AsyncWebClient, channel: str, reply: Reply, *, thread_ts: str | None = None) -> str | None:
    """A reflection reply (and its export file); returns the first message's ts."""
    if reply.duplicate:
        return None
    ts = await post(
        client, channel, reflection_blocks(reply), preview_text(texts.without_emphasis(reply.text)), thread_ts=thread_ts
    )
    if reply.export is not None:
        await client.files_upload_v2(
            channel=channel, filename=reply.export.filename, content=reply.export.content, title=reply.export.filename
        )
    return ts


async def tell(client: AsyncWebClient, entry: Entry, text: str) -> None:
    """A short text only the writer sees: the response_url, the DM itself, or an ephemeral message."""
    safe = escape(text)
    if entry.respond is not None:
        await entry.respond(response_type="ephemeral", text=safe)
    elif entry.private:
        await client.chat_postMessage(channel=entry.channel, thread_ts=entry.thread_ts, text=safe)
    else:
        await client.chat_postEphemeral(channel=entry.channel, user=entry.user, thread_ts=entry.thread_ts, text=safe)


async def reply_privately(client: AsyncWebClient, entry: Entry, reply: Reply) -> None:
    """A reflection reply in the DM; from a channel the DM is opened and the writer told so there."""
    if entry.private:
        await send_reply(client, entry.channel, reply, thread_ts=entry.thread_ts)
        return
    await send_reply(client, await dm_channel(client, entry.user), reply)
    await tell(client, entry, texts.OPEN_DM)


async def dm_channel(client: AsyncWebClient, user: str) -> str:
    opened = await client.conversations_open(users=user)
    return str(opened["channel"]["id"])


async def user_timezone(client: AsyncWebClient, user: str) -> str | None:
    """The user's time zone from their profile; None when Slack will not say."""
    try:
        info = await client.users_info(user=user)
    except SlackApiError:
        return None
    return (info.get("user") or {}).get("tz")
