"""Messages, mentions, slash commands and reflection buttons: what a leader writes goes through the one
command grammar (bot/commands.py) and its outcome back into Slack.

DMs, mentions and follow-ups in an answer's thread arrive as events from the durable inbox (stored and
acknowledged already); `/leder` and `/refleksjon` are acknowledged first, then carried out.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.answer import Answer
from bot.commands import Command, Done, Place, Refusal, execute, parse, parse_reflection
from bot.dialog import Dialog
from bot.questions import Asked, Asker
from bot.recent import RecentAnswers
from bot.workers import Workers
from handlers.slack import send
from handlers.slack.blocks import answer_blocks, escape, fallback_text
from handlers.slack.options import SlackOptions
from handlers.slack.send import Entry

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")

# bot/commands.py's refusals in Slack's words.
_REFUSALS = {
    Refusal.HR_ONLY: texts.HR_ONLY,
    Refusal.HR_PRIVATE_ONLY: texts.HR_PERSONAL_ONLY,
    Refusal.NEEDS_CHANNEL: texts.GROUP_HELP,
    Refusal.PRIVATE_ONLY: texts.PERSONAL_ONLY,
    Refusal.NEEDS_THEME: texts.R_GROUP_NEEDS_THEME,
}


class Messages:
    """The listeners for what a leader writes (and the reflection buttons that write it for them)."""

    def __init__(self, *, dialog: Dialog, options: SlackOptions, workers: Workers, recent: RecentAnswers) -> None:
        self._dialog = dialog
        self._options = options
        self._workers = workers
        self._recent = recent

    async def on_mention(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("bot_id") or event.get("subtype"):
            return
        text = MENTION.sub(" ", event.get("text", "")).strip()
        entry = Entry(
            "mention",
            _team(body, event),
            event.get("user", ""),
            event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            event_id=body.get("event_id"),
        )
        await self.dispatch(client, entry, text, parse(text))

    async def on_message(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        # Edits, deletions, joins, bot messages and file shares carry a subtype: not a question.
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        text = event.get("text", "")
        team, thread_ts = _team(body, event), event.get("thread_ts")
        if event.get("channel_type") == "im":
            entry = Entry("dm", team, event["user"], event["channel"], thread_ts, event_id=body.get("event_id"))
            await self.dispatch(client, entry, text, parse(text))
            return
        if not thread_ts or thread_ts == event.get("ts") or MENTION.search(text):
            return  # not a follow-up, or a mention that on_mention answers
        if not await asyncio.to_thread(self._dialog.questions.is_answer_thread, event["channel"], thread_ts):
            return
        entry = Entry("thread", team, event["user"], event["channel"], thread_ts, event_id=body.get("event_id"))
        await self.dispatch(client, entry, text, parse(text))

    async def on_command(self, ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        await ack()
        text = command.get("text", "").strip()
        if not text:
            await respond(response_type="ephemeral", text=texts.COMMAND_HELP)
            return
        await self.dispatch(client, _command_entry(command, respond), text, parse(text))

    async def on_reflection_command(
        self, ack: Any, command: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        await ack()
        args = command.get("text", "").strip()
        parsed = parse_reflection(args)
        await self.dispatch(client, _command_entry(command, respond), parsed.text or args, parsed)

    async def on_reflection_choice(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A reflection button (a theme, «fortsett», …): its value is written in the DM as if typed."""
        await ack()
        user = body.get("user", {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if not channel or not str(channel).startswith("D"):
            channel = await send.dm_channel(client, user)  # from App Home: continue in the DM
        value = action.get("value", "")
        entry = Entry("dm", str((body.get("team") or {}).get("id", "")), user, str(channel))
        await self.dispatch(client, entry, value, parse(value))

    async def dispatch(self, client: AsyncWebClient, entry: Entry, text: str, command: Command) -> None:
        """Carry out a parsed command (bot/commands.py decides what may happen where) and show the outcome."""
        asker = Asker("slack", entry.team, entry.user, entry.kind)
        own_address = timezone = None
        if command.kind == "plan":
            own_address = entry.channel if entry.private else await send.dm_channel(client, entry.user)
            timezone = await send.user_timezone(client, entry.user)
        place = Place(
            conversation=entry.channel,
            shared=not entry.private,
            private_reply=True,  # a DM, an ephemeral message or the response_url reaches only the writer
            turn=entry.kind == "dm",
            hr=entry.user in self._options.hr_user_ids,
            own_address=own_address,
            timezone=timezone,
        )
        pool = self._workers.search if command.kind == "dialog" else self._workers.store
        done = await pool(execute, self._dialog, command, asker=asker, place=place, event_id=entry.event_id)
        if done.refusal is not None:
            await send.tell(client, entry, _REFUSALS[done.refusal])
        elif done.report is not None:
            await self._send_report(client, entry, done)
        elif command.kind == "group":
            await self._open_group(client, entry, done)
        elif done.reply is not None:
            if command.kind == "plan" and not entry.private:
                await send.tell(client, entry, done.reply.text)
            else:
                await send.reply_privately(client, entry, done.reply)
        else:
            await self._show_answer(client, entry, text, asker, done)

    async def _show_answer(self, client: AsyncWebClient, entry: Entry, text: str, asker: Asker, done: Done) -> None:
        assert done.asked is not None
        blocks, fallback = self._render(done.asked, question=text, asker=asker, shareable=entry.kind == "command")
        if done.unsaved:
            # The database is down: if this was a reflection answer, it was not saved; say so first.
            blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": texts.NOT_SAVED_SEND_AGAIN}}, *blocks]
        if entry.respond is not None:
            await send.respond_pages(entry.respond, blocks, fallback, response_type="ephemeral")
            return
        await send.post(client, entry.channel, blocks, fallback, thread_ts=entry.thread_ts)
        if entry.kind == "mention" and entry.thread_ts:
            await asyncio.to_thread(self._dialog.questions.remember_thread, entry.channel, entry.thread_ts)

    def _render(
        self, asked: Asked, *, question: str, asker: Asker, shareable: bool = False
    ) -> tuple[list[dict[str, Any]], str]:
        """Block Kit for an answer; the question stays here for the buttons, which carry only the reference."""
        self._recent.remember(asked.reference, question, asker, source=_source(asked.answer))
        blocks = answer_blocks(asked.answer, reference=asked.reference, question=question, shareable=shareable)
        return blocks, fallback_text(asked.answer)

    async def _send_report(self, client: AsyncWebClient, entry: Entry, done: Done) -> None:
        """The HR report, always in the HR user's DM (a summary and the HTML file), never in a channel."""
        assert done.report is not None
        report = done.report
        dm = entry.channel if entry.private else await send.dm_channel(client, entry.user)
        intro = texts.HR_REPORT_INTRO.format(by=done.command.by, min_group=self._options.min_group_size)
        await client.chat_postMessage(channel=dm, text=escape(f"{intro}\n{report.summary}"))
        await client.files_upload_v2(channel=dm, filename=report.filename, content=report.html, title=report.filename)
        if entry.respond is not None or not entry.private:
            await send.tell(client, entry, texts.HR_REPORT_SENT)

    async def _open_group(self, client: AsyncWebClient, entry: Entry, done: Done) -> None:
        """A group reflection's opening post in the channel; its thread carries the rest."""
        assert done.reply is not None
        if not done.group_id:
            await send.tell(client, entry, done.reply.text)
            return
        try:
            ts = await send.send_reply(client, entry.channel, done.reply)
        except SlackApiError as exc:
            if exc.response.get("error") in ("not_in_channel", "channel_not_found"):
                await send.tell(client, entry, texts.NOT_IN_CHANNEL)
                return
            raise
        if ts:
            await asyncio.to_thread(self._dialog.groups.set_thread, done.group_id, ts)


def _source(answer: Answer) -> str:
    return answer.source.line() if answer.answered and answer.source is not None else ""


def _team(body: dict[str, Any], event: dict[str, Any]) -> str:
    return str(body.get("team_id") or event.get("team") or "")


def _command_entry(command: dict[str, Any], respond: Any) -> Entry:
    return Entry(
        "command",
        str(command.get("team_id", "")),
        str(command.get("user_id", "")),
        str(command.get("channel_id", "")),
        respond=respond,
    )
