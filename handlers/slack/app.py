"""Bolt listeners: translate Slack events into questions calls and questions results into Block Kit.

Events are stored in the durable inbox and acknowledged at once (the middleware answers Slack
itself; handling follows from the inbox, on this replica or, if it dies, another one). Retried
deliveries (same ``event_id``) are answered once; a replayed slash command runs once. Commands and
actions call ``ack()`` first. Searches run on their own bounded pool, so acknowledgements and
modals never wait behind them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.answer import Answer
from bot.commands import Command, Done, Place, Refusal, execute, parse, parse_reflection
from bot.dialog import Dialog
from bot.inbox import Accepted
from bot.intake import Intake
from bot.questions import Asked, Asker
from bot.recent import RecentAnswers
from bot.reflection.replies import BadActionError, GroupAction, Reply
from handlers.slack.blocks import (
    answer_blocks,
    escape,
    fallback_text,
    feedback_modal,
    full_passage_blocks,
    group_answer_modal,
    home_view,
    pages,
    preview_text,
    reflection_blocks,
)

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")

# bot/commands.py's refusals in Slack's words.
_REFUSALS = {
    Refusal.HR_ONLY: texts.HR_ONLY,
    Refusal.HR_PRIVATE_ONLY: texts.TEAMS_HR_PERSONAL_ONLY,
    Refusal.NEEDS_CHANNEL: texts.TEAMS_GROUP_HELP,
    Refusal.PRIVATE_ONLY: texts.PERSONAL_ONLY,
    Refusal.NEEDS_THEME: texts.R_GROUP_NEEDS_THEME,
}


@dataclass(frozen=True)
class SlackOptions:
    """What the Slack adapter needs besides the questions (secrets come from the environment)."""

    bot_token: str
    signing_secret: str
    api_url: str | None = None
    hr_contact_user: str | None = None  # the Slack user id «Spør HR» writes to privately
    hr_channel: str | None = None  # or a private HR channel that «Spør HR» posts in
    hr_user_ids: frozenset[str] = field(default_factory=frozenset)
    hr_contact: str = "HR"
    question_text_days: int = 90
    reflection_months: int = 24
    min_group_size: int = 5


@dataclass(frozen=True)
class _Entry:
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


def make_client(options: SlackOptions) -> AsyncWebClient:
    """A Web API client that waits out 429s (Retry-After) and retries 5xx and dropped connections."""
    kwargs: dict[str, Any] = {"token": options.bot_token}
    if options.api_url:
        kwargs["base_url"] = options.api_url.rstrip("/") + "/"
    client = AsyncWebClient(**kwargs)
    client.retry_handlers.extend(
        [
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ]
    )
    return client


def build_slack_app(*, dialog: Dialog, options: SlackOptions, intake: Intake | None = None) -> AsyncApp:
    """The Bolt app with every listener; nothing is contacted until the first request.

    Without an ``intake`` the app keeps its own over the dialog's database (one process)."""
    intake = intake or Intake.over(dialog.questions.database, metrics=dialog.questions.metrics)
    app = AsyncApp(
        client=make_client(options),
        signing_secret=options.signing_secret,
        process_before_response=False,
        # The bot's own messages never reach the listeners (Bolt's default), and neither do
        # other bots' (checked in the message listener).
        ignoring_self_events_enabled=True,
        raise_error_for_unhandled_request=False,
    )
    handler = _Handlers(dialog=dialog, options=options, intake=intake)
    client = app.client

    async def handle_event(body: dict[str, Any]) -> None:
        await handler.handle_event(body, client)

    intake.register("slack", handle_event)

    @app.middleware
    async def store_then_ack(req: AsyncBoltRequest, body: dict[str, Any], next: Any) -> BoltResponse | None:  # noqa: A002
        # Runs after Bolt has checked the signature and before anything is acknowledged.
        if body.get("type") == "event_callback" and body.get("event_id"):
            # Socket Mode sends "0" on a first delivery; over HTTP the header is absent.
            retry = (req.headers.get("x-slack-retry-num") or ["0"])[0] not in ("", "0")
            outcome = await intake.receive(f"slack:{body['event_id']}", channel="slack", payload=body, retry=retry)
            if outcome is Accepted.DUPLICATE:
                log.info("duplicate delivery of an event dropped")
            if outcome is Accepted.REFUSED:
                # Database down and this is a retry: another replica may have answered the first
                # delivery. Not acknowledging makes Slack send it again later (README).
                return BoltResponse(status=503, body="")
            return BoltResponse(status=200, body="")
        if body.get("command"):
            # A byte-identical request (same timestamp and signature) is a replay, not a new command.
            signature = (req.headers.get("x-slack-signature") or [""])[0]
            if signature and not await intake.record(f"slack:cmd:{signature}", channel="slack"):
                log.info("replayed slash command dropped")
                return BoltResponse(status=200, body="")
        return await next()

    app.command("/leder")(handler.on_command)
    app.action("feedback_up")(handler.on_feedback_up)
    app.action("feedback_down")(handler.on_feedback_down)
    app.action("show_more")(handler.on_show_more)
    app.action("share_answer")(handler.on_share)
    app.action("ask_hr")(handler.on_ask_hr)
    app.view("feedback_reason")(handler.on_feedback_reason)
    app.command("/refleksjon")(handler.on_reflection_command)
    app.action(re.compile(r"^reflection_(choice|start)(_\d+)?$"))(handler.on_reflection_choice)
    app.action(re.compile(r"^reflection_answer_\d+$"))(handler.on_group_answer_button)
    app.action(re.compile(r"^reflection_(next|end)_\d+$"))(handler.on_group_step)
    app.view("group_answer_modal")(handler.on_group_answer_modal)
    app.error(handler.on_error)
    return app


class _Handlers:
    def __init__(self, *, dialog: Dialog, options: SlackOptions, intake: Intake) -> None:
        self._dialog = dialog
        self._questions = dialog.questions
        self._options = options
        self._recent = RecentAnswers()
        self._workers = intake.workers
        self._health = intake.inbox.health

    async def handle_event(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        """An event from the inbox (stored and acknowledged already)."""
        event = body.get("event") or {}
        kind = event.get("type")
        if kind == "app_mention":
            await self.on_mention(event, body, client)
        elif kind == "message":
            await self.on_message(event, body, client)
        elif kind == "app_home_opened":
            await self.on_home(event, client)

    # -- questions ---------------------------------------------------------------------------
    def _render(
        self, asked: Asked, *, question: str, asker: Asker, shareable: bool = False
    ) -> tuple[list[dict[str, Any]], str]:
        """Block Kit for an answer; the question stays here for the buttons, which carry only the reference."""
        self._recent.remember(asked.reference, question, asker, source=_source(asked.answer))
        blocks = answer_blocks(asked.answer, reference=asked.reference, question=question, shareable=shareable)
        return blocks, fallback_text(asked.answer)

    async def _post(
        self,
        client: AsyncWebClient,
        channel: str,
        blocks: list[dict[str, Any]],
        text: str,
        *,
        thread_ts: str | None = None,
    ) -> str | None:
        """Post blocks in as many messages as Slack's 50-block limit needs; returns the first message's ts."""
        first = None
        for page in pages(blocks):
            response = await client.chat_postMessage(channel=channel, thread_ts=thread_ts, blocks=page, text=text)
            first = first or (str(response.get("ts") or "") or None)
        return first

    @staticmethod
    async def _respond(respond: Any, blocks: list[dict[str, Any]], text: str, **kwargs: Any) -> None:
        for page in pages(blocks):
            await respond(blocks=page, text=text, **kwargs)

    async def on_mention(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("bot_id") or event.get("subtype"):
            return
        text = _MENTION.sub(" ", event.get("text", "")).strip()
        entry = _Entry(
            "mention",
            _team(body, event),
            event.get("user", ""),
            event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            event_id=body.get("event_id"),
        )
        await self._dispatch(client, entry, text, parse(text))

    async def on_message(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        # Edits, deletions, joins, bot messages and file shares carry a subtype: not a question.
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        text = event.get("text", "")
        team, thread_ts = _team(body, event), event.get("thread_ts")
        if event.get("channel_type") == "im":
            entry = _Entry("dm", team, event["user"], event["channel"], thread_ts, event_id=body.get("event_id"))
            await self._dispatch(client, entry, text, parse(text))
            return
        if not thread_ts or thread_ts == event.get("ts") or _MENTION.search(text):
            return  # not a follow-up, or a mention that on_mention answers
        if not await asyncio.to_thread(self._questions.is_answer_thread, event["channel"], thread_ts):
            return
        entry = _Entry("thread", team, event["user"], event["channel"], thread_ts, event_id=body.get("event_id"))
        await self._dispatch(client, entry, text, parse(text))

    async def on_command(self, ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        await ack()
        text = command.get("text", "").strip()
        if not text:
            await respond(response_type="ephemeral", text=texts.COMMAND_HELP)
            return
        await self._dispatch(client, _command_entry(command, respond), text, parse(text))

    async def on_reflection_command(
        self, ack: Any, command: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        await ack()
        args = command.get("text", "").strip()
        parsed = parse_reflection(args)
        await self._dispatch(client, _command_entry(command, respond), parsed.text or args, parsed)

    # -- one command grammar ---------------------------------------------------------------------
    async def _dispatch(self, client: AsyncWebClient, entry: _Entry, text: str, command: Command) -> None:
        """Carry out a parsed command (bot/commands.py decides what may happen where) and show the outcome."""
        asker = Asker("slack", entry.team, entry.user, entry.kind)
        own_address = timezone = None
        if command.kind == "plan":
            own_address = entry.channel if entry.private else await self._dm_channel(client, entry.user)
            timezone = await self._user_timezone(client, entry.user)
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
            await self._tell(client, entry, _REFUSALS[done.refusal])
        elif done.report is not None:
            await self._send_report(client, entry, done)
        elif command.kind == "group":
            await self._open_group(client, entry, done)
        elif done.reply is not None:
            if command.kind == "plan" and not entry.private:
                await self._tell(client, entry, done.reply.text)
            else:
                await self._reply_privately(client, entry, done.reply)
        else:
            await self._show_answer(client, entry, text, asker, done)

    async def _tell(self, client: AsyncWebClient, entry: _Entry, text: str) -> None:
        """A short text only the writer sees: the response_url, the DM itself, or an ephemeral message."""
        safe = escape(text)
        if entry.respond is not None:
            await entry.respond(response_type="ephemeral", text=safe)
        elif entry.private:
            await client.chat_postMessage(channel=entry.channel, thread_ts=entry.thread_ts, text=safe)
        else:
            await client.chat_postEphemeral(
                channel=entry.channel, user=entry.user, thread_ts=entry.thread_ts, text=safe
            )

    async def _reply_privately(self, client: AsyncWebClient, entry: _Entry, reply: Reply) -> None:
        """A reflection reply in the DM; from a channel the DM is opened and the writer told so there."""
        if entry.private:
            await self._send_reply(client, entry.channel, reply, thread_ts=entry.thread_ts)
            return
        await self._send_reply(client, await self._dm_channel(client, entry.user), reply)
        await self._tell(client, entry, texts.OPEN_DM)

    async def _show_answer(self, client: AsyncWebClient, entry: _Entry, text: str, asker: Asker, done: Done) -> None:
        assert done.asked is not None
        blocks, fallback = self._render(done.asked, question=text, asker=asker, shareable=entry.kind == "command")
        if done.unsaved:
            # The database is down: if this was a reflection answer, it was not saved; say so first.
            blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": texts.NOT_SAVED_SEND_AGAIN}}, *blocks]
        if entry.respond is not None:
            await self._respond(entry.respond, blocks, fallback, response_type="ephemeral")
            return
        await self._post(client, entry.channel, blocks, fallback, thread_ts=entry.thread_ts)
        if entry.kind == "mention" and entry.thread_ts:
            await asyncio.to_thread(self._questions.remember_thread, entry.channel, entry.thread_ts)

    async def _send_report(self, client: AsyncWebClient, entry: _Entry, done: Done) -> None:
        """The HR report, always in the HR user's DM (a summary and the HTML file), never in a channel."""
        assert done.report is not None
        report = done.report
        dm = entry.channel if entry.private else await self._dm_channel(client, entry.user)
        intro = texts.HR_REPORT_INTRO.format(by=done.command.by, min_group=self._options.min_group_size)
        await client.chat_postMessage(channel=dm, text=escape(f"{intro}\n{report.summary}"))
        await client.files_upload_v2(channel=dm, filename=report.filename, content=report.html, title=report.filename)
        if entry.respond is not None or not entry.private:
            await self._tell(client, entry, texts.HR_REPORT_SENT)

    async def _open_group(self, client: AsyncWebClient, entry: _Entry, done: Done) -> None:
        """A group reflection's opening post in the channel; its thread carries the rest."""
        assert done.reply is not None
        if not done.group_id:
            await self._tell(client, entry, done.reply.text)
            return
        try:
            ts = await self._send_reply(client, entry.channel, done.reply)
        except SlackApiError as exc:
            if exc.response.get("error") in ("not_in_channel", "channel_not_found"):
                await self._tell(client, entry, texts.NOT_IN_CHANNEL)
                return
            raise
        if ts:
            await asyncio.to_thread(self._dialog.engine.group_thread, done.group_id, ts)

    async def _send_reply(
        self, client: AsyncWebClient, channel: str, reply: Reply, *, thread_ts: str | None = None
    ) -> str | None:
        if reply.duplicate:
            return None
        ts = await self._post(
            client,
            channel,
            reflection_blocks(reply),
            preview_text(texts.without_emphasis(reply.text)),
            thread_ts=thread_ts,
        )
        if reply.export is not None:
            await client.files_upload_v2(
                channel=channel,
                filename=reply.export.filename,
                content=reply.export.content,
                title=reply.export.filename,
            )
        return ts

    async def _dm_channel(self, client: AsyncWebClient, user: str) -> str:
        opened = await client.conversations_open(users=user)
        return str(opened["channel"]["id"])

    # -- reflection -----------------------------------------------------------------------------
    async def on_reflection_choice(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user = body.get("user", {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if not channel or not str(channel).startswith("D"):
            channel = await self._dm_channel(client, user)  # from App Home: continue in the DM
        value = action.get("value", "")
        entry = _Entry("dm", str((body.get("team") or {}).get("id", "")), user, str(channel))
        await self._dispatch(client, entry, value, parse(value))

    async def on_group_answer_button(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        channel = (body.get("channel") or {}).get("id", "")
        pressed = await self._group_action(action, body, client)
        if pressed is None:
            return
        if pressed.question is None:
            await self._group_step(pressed, body, client)
            return
        home = await self._workers.store(self._dialog.engine.group_channel, pressed.group_id)
        # A group's buttons count only in the group's own channel (a forged action names another group).
        found = await self._workers.store(self._dialog.engine.group_question, pressed.group_id, pressed.question)
        if found is None or home != channel:
            await client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=texts.R_GROUP_CLOSED)
            return
        theme, i = found
        view = group_answer_modal(group_id=pressed.group_id, index=i, question=theme.questions[i].text, channel=channel)
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    async def _group_action(
        self, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> GroupAction | None:
        try:
            return GroupAction.decode(action.get("value", ""))
        except BadActionError:
            log.warning("a group button whose value is no group action was refused")
            await client.chat_postEphemeral(
                channel=(body.get("channel") or {}).get("id", ""),
                user=(body.get("user") or {}).get("id", ""),
                text=texts.R_GROUP_BAD_BUTTON,
            )
            return None

    async def on_group_answer_modal(
        self, ack: Any, view: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        values = (view.get("state") or {}).get("values") or {}
        text = ((values.get("answer") or {}).get("text") or {}).get("value") or ""
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
        shared_as = ((body.get("user") or {}).get("name") or "Et medlem") if shared else None
        reply = await self._workers.store(
            self._dialog.engine.group_answer,
            int(meta.get("g", 0)),
            member=self._dialog.owner(asker),
            index=int(meta.get("i", 0)),
            text=text.strip(),
            shared_as=shared_as,
        )
        channel = str(meta.get("c", ""))
        if shared and text.strip() and not reply.unsaved:
            thread = await self._workers.store(self._dialog.engine.group_thread_ts, int(meta.get("g", 0)))
            await client.chat_postMessage(
                channel=channel,
                thread_ts=thread,
                text=texts.R_GROUP_SHARED.format(user=f"<@{user}>", answer=escape(text.strip())),
            )
        await client.chat_postEphemeral(channel=channel, user=user, text=reply.text)

    async def on_group_step(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        pressed = await self._group_action(action, body, client)
        if pressed is not None and pressed.question is not None:
            await self.on_group_answer_button(_noop, action, body, client)
        elif pressed is not None:
            await self._group_step(pressed, body, client)

    async def _group_step(self, pressed: GroupAction, body: dict[str, Any], client: AsyncWebClient) -> None:
        user = body.get("user", {}).get("id", "")
        actor = self._dialog.owner(Asker("slack", (body.get("team") or {}).get("id", ""), user, "group"))
        engine = self._dialog.engine
        channel = (body.get("channel") or {}).get("id", "")
        if await asyncio.to_thread(engine.group_channel, pressed.group_id) != channel:
            await client.chat_postEphemeral(channel=channel, user=user, text=texts.R_GROUP_CLOSED)
            return
        reply = await asyncio.to_thread(engine.group_step, pressed, actor=actor)
        if reply.refused:
            await client.chat_postEphemeral(channel=channel, user=user, text=reply.text)
            return
        thread = await asyncio.to_thread(self._dialog.engine.group_thread_ts, pressed.group_id)
        await self._send_reply(client, channel, reply, thread_ts=thread)

    async def _user_timezone(self, client: AsyncWebClient, user: str) -> str | None:
        try:
            info = await client.users_info(user=user)
        except SlackApiError:
            return None
        return (info.get("user") or {}).get("tz")

    # -- buttons and modals --------------------------------------------------------------------
    async def _only_asker(self, reference: str, body: dict[str, Any], respond: Any) -> bool:
        """Feedback and the answer's buttons belong to whoever asked; anyone else is told so, privately."""
        user = str((body.get("user") or {}).get("id") or "")
        if self._recent.is_asker(reference, channel="slack", user=user):
            return True
        known = self._recent.get(reference) is not None
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text=texts.FEEDBACK_NOT_YOURS if known else texts.ANSWER_EXPIRED,
        )
        return False

    async def on_feedback_up(self, ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any) -> None:
        await ack()
        if not await self._only_asker(action.get("value", ""), body, respond):
            return
        saved = await asyncio.to_thread(self._questions.feedback, action.get("value", ""), "up")
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text=texts.THANKS_FEEDBACK if saved else texts.FEEDBACK_NOT_SAVED,
        )

    async def on_feedback_down(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        await ack()
        reference = action.get("value", "")
        if not await self._only_asker(reference, body, respond):
            return
        # The modal first: its trigger id expires 3 s after the click; the record can wait.
        if body.get("trigger_id"):
            await client.views_open(trigger_id=body["trigger_id"], view=feedback_modal(reference))
        await self._workers.store(self._questions.feedback, reference, "down")

    async def on_feedback_reason(self, ack: Any, view: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        user = str((body.get("user") or {}).get("id") or "")
        if not self._recent.is_asker(str(view.get("private_metadata", "")), channel="slack", user=user):
            log.warning("a feedback reason from someone other than the asker was refused")
            return
        reason = (((view.get("state") or {}).get("values") or {}).get("reason") or {}).get("text", {}).get("value")
        await asyncio.to_thread(self._questions.feedback, view.get("private_metadata", ""), "down", reason=reason)

    async def on_show_more(self, ack: Any, action: dict[str, Any], respond: Any) -> None:
        await ack()
        recent = self._recent.get(action.get("value", ""))
        if recent is None:
            await respond(response_type="ephemeral", replace_original=False, text=texts.ANSWER_EXPIRED)
            return
        answer = await self._workers.search(self._questions.answer_again, recent.question)
        await self._respond(
            respond,
            full_passage_blocks(answer),
            fallback_text(answer),
            response_type="ephemeral",
            replace_original=False,
        )

    async def on_share(self, ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any) -> None:
        await ack()
        reference = action.get("value", "")
        if not await self._only_asker(reference, body, respond):
            return
        recent = self._recent.get(reference)
        assert recent is not None
        question = recent.question
        answer = await self._workers.search(self._questions.answer_again, question)
        user = body.get("user", {}).get("id", "")
        intro = {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": texts.SHARED_BY.format(user=f"<@{user}>", question=escape(question))}
            ],
        }
        blocks = [intro, *answer_blocks(answer, reference=reference, question=question, with_hr=False)]
        await self._respond(
            respond,
            blocks,
            fallback_text(answer),
            response_type="in_channel",
            replace_original=False,
            delete_original=False,
        )

    async def on_ask_hr(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        """«Spør HR»: the question and the answer's source go privately to HR (a DM to the HR contact or
        the configured HR channel), never into the channel the answer is in; the leader gets a private
        confirmation."""
        await ack()
        reference = action.get("value", "")
        if not await self._only_asker(reference, body, respond):
            return
        recent = self._recent.get(reference)
        assert recent is not None
        hr_contact = self._options.hr_contact

        async def tell(text: str) -> None:
            await respond(response_type="ephemeral", replace_original=False, text=text)

        if not self._options.hr_channel and not self._options.hr_contact_user:
            await tell(texts.ASK_HR_NO_CONTACT.format(hr_contact=hr_contact))
            return
        user = str((body.get("user") or {}).get("id") or "")
        text = texts.ASK_HR_POST.format(
            user=f"<@{user}>", question=escape(recent.question), source=escape(recent.source or texts.ASK_HR_NO_SOURCE)
        )
        try:
            target = self._options.hr_channel or await self._dm_channel(client, str(self._options.hr_contact_user))
            await client.chat_postMessage(channel=target, text=text, unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            log.warning("«Spør HR» could not reach HR (%s)", exc.response.get("error"))
            await tell(texts.ASK_HR_FAILED.format(hr_contact=hr_contact))
            return
        await tell(texts.ASK_HR_SENT.format(hr_contact=hr_contact))

    # -- App Home -------------------------------------------------------------------------------
    async def on_home(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user = event.get("user", "")
        summary = None
        if user in self._options.hr_user_ids:
            actor = self._dialog.owner(Asker("slack", str(event.get("team") or ""), user, "home"))
            summary = await asyncio.to_thread(self._dialog.hr.overview, actor=f"slack:{actor[:16]}")
        view = home_view(
            question_text_days=self._options.question_text_days,
            min_group_size=self._options.min_group_size,
            hr_summary=summary,
            reflection_months=self._options.reflection_months,
        )
        await client.views_publish(user_id=user, view=view)

    async def on_error(self, error: Exception, body: dict[str, Any], respond: Any | None = None) -> None:
        # One error handler for the adapter: log without personal data, tell the user in Norwegian.
        log.error("Slack listener failed: %s", type(error).__name__, exc_info=error)
        if respond is not None and body.get("response_url"):
            try:
                await respond(
                    response_type="ephemeral",
                    replace_original=False,
                    text=texts.INTERNAL_ERROR.format(hr_contact=self._options.hr_contact),
                )
            except Exception:  # noqa: BLE001  (the error reply itself may fail; nothing more to do)
                log.warning("could not tell the user about an error")


async def _noop() -> None:
    pass  # the button was acknowledged already


def _source(answer: Answer) -> str:
    return answer.source.line() if answer.answered and answer.source is not None else ""


def _team(body: dict[str, Any], event: dict[str, Any]) -> str:
    return str(body.get("team_id") or event.get("team") or "")


def _command_entry(command: dict[str, Any], respond: Any) -> _Entry:
    return _Entry(
        "command",
        str(command.get("team_id", "")),
        str(command.get("user_id", "")),
        str(command.get("channel_id", "")),
        respond=respond,
    )
