"""Bolt listeners: translate Slack events into desk calls and desk results into Block Kit.

Slack gets its acknowledgement at once (Bolt acks events itself; commands and actions call
``ack()`` first); the answer follows. Retried deliveries (same ``event_id``) are answered once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.desk import Asker, Desk
from handlers.slack.blocks import (
    answer_blocks,
    escape,
    fallback_text,
    feedback_modal,
    full_passage_blocks,
    home_view,
    parse_value,
)

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


@dataclass(frozen=True)
class SlackOptions:
    """What the Slack adapter needs besides the desk (secrets come from the environment)."""

    bot_token: str
    signing_secret: str
    api_url: str | None = None
    hr_contact_user: str | None = None  # the Slack user id "Spør HR" tags
    hr_user_ids: frozenset[str] = field(default_factory=frozenset)
    hr_contact: str = "HR"
    question_text_days: int = 90
    min_group_size: int = 5


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


def build_slack_app(*, desk: Desk, options: SlackOptions) -> AsyncApp:
    """The Bolt app with every listener; nothing is contacted until the first request."""
    app = AsyncApp(
        client=make_client(options),
        signing_secret=options.signing_secret,
        process_before_response=False,
        # The bot's own messages never reach the listeners (Bolt's default), and neither do
        # other bots' (checked in the message listener).
        ignoring_self_events_enabled=True,
        raise_error_for_unhandled_request=False,
    )
    handler = _Handlers(desk=desk, options=options)

    @app.middleware
    async def answer_each_event_once(body: dict[str, Any], next: Any) -> BoltResponse | None:  # noqa: A002
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await asyncio.to_thread(desk.first_delivery, str(event_id)):
            log.info("duplicate delivery of an event dropped")
            return BoltResponse(status=200, body="")
        return await next()

    app.event("app_mention")(handler.on_mention)
    app.event("message")(handler.on_message)
    app.event("app_home_opened")(handler.on_home)
    app.command("/leder")(handler.on_command)
    app.action("feedback_up")(handler.on_feedback_up)
    app.action("feedback_down")(handler.on_feedback_down)
    app.action("show_more")(handler.on_show_more)
    app.action("share_answer")(handler.on_share)
    app.action("ask_hr")(handler.on_ask_hr)
    app.view("feedback_reason")(handler.on_feedback_reason)
    app.error(handler.on_error)
    return app


class _Handlers:
    def __init__(self, *, desk: Desk, options: SlackOptions) -> None:
        self._desk = desk
        self._options = options

    # -- questions ---------------------------------------------------------------------------
    async def _answer(
        self, question: str, *, team: str, user: str, kind: str, shareable: bool = False
    ) -> tuple[list[dict[str, Any]], str]:
        asked = await asyncio.to_thread(self._desk.ask, question, asker=Asker("slack", team, user, kind))
        blocks = answer_blocks(asked.answer, reference=asked.reference, question=question, shareable=shareable)
        return blocks, fallback_text(asked.answer)

    async def on_mention(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("bot_id") or event.get("subtype"):
            return
        question = _MENTION.sub(" ", event.get("text", "")).strip()
        thread_ts = event.get("thread_ts") or event["ts"]
        blocks, text = await self._answer(question, team=_team(body, event), user=event.get("user", ""), kind="mention")
        await client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, blocks=blocks, text=text)
        await asyncio.to_thread(self._desk.remember_thread, event["channel"], thread_ts)

    async def on_message(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        # Edits, deletions, joins, bot messages and file shares carry a subtype: not a question.
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        channel_type = event.get("channel_type")
        text = event.get("text", "")
        if channel_type == "im":
            blocks, fallback = await self._answer(text, team=_team(body, event), user=event["user"], kind="dm")
            await client.chat_postMessage(
                channel=event["channel"], thread_ts=event.get("thread_ts"), blocks=blocks, text=fallback
            )
            return
        thread_ts = event.get("thread_ts")
        if not thread_ts or thread_ts == event.get("ts") or _MENTION.search(text):
            return  # not a follow-up, or a mention that on_mention answers
        if not await asyncio.to_thread(self._desk.is_answer_thread, event["channel"], thread_ts):
            return
        blocks, fallback = await self._answer(text, team=_team(body, event), user=event["user"], kind="thread")
        await client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, blocks=blocks, text=fallback)

    async def on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()
        question = command.get("text", "").strip()
        if not question:
            await respond(response_type="ephemeral", text=texts.COMMAND_HELP)
            return
        blocks, text = await self._answer(
            question, team=command.get("team_id", ""), user=command.get("user_id", ""), kind="command", shareable=True
        )
        await respond(response_type="ephemeral", blocks=blocks, text=text)

    # -- buttons and modals --------------------------------------------------------------------
    async def on_feedback_up(self, ack: Any, action: dict[str, Any], respond: Any) -> None:
        await ack()
        saved = await asyncio.to_thread(self._desk.feedback, action.get("value", ""), "up")
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text=texts.THANKS_FEEDBACK if saved else texts.FEEDBACK_NOT_SAVED,
        )

    async def on_feedback_down(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        reference = action.get("value", "")
        await asyncio.to_thread(self._desk.feedback, reference, "down")
        if body.get("trigger_id"):
            await client.views_open(trigger_id=body["trigger_id"], view=feedback_modal(reference))

    async def on_feedback_reason(self, ack: Any, view: dict[str, Any]) -> None:
        await ack()
        reason = (((view.get("state") or {}).get("values") or {}).get("reason") or {}).get("text", {}).get("value")
        await asyncio.to_thread(self._desk.feedback, view.get("private_metadata", ""), "down", reason=reason)

    async def on_show_more(self, ack: Any, action: dict[str, Any], respond: Any) -> None:
        await ack()
        _, question = parse_value(action.get("value", ""))
        answer = await asyncio.to_thread(self._desk.assistant.ask, question)
        await respond(
            response_type="ephemeral",
            replace_original=False,
            blocks=full_passage_blocks(answer),
            text=fallback_text(answer),
        )

    async def on_share(self, ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any) -> None:
        await ack()
        reference, question = parse_value(action.get("value", ""))
        answer = await asyncio.to_thread(self._desk.assistant.ask, question)
        user = body.get("user", {}).get("id", "")
        intro = {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": texts.SHARED_BY.format(user=f"<@{user}>", question=escape(question))}
            ],
        }
        blocks = [intro, *answer_blocks(answer, reference=reference, question=question, with_hr=False)]
        await respond(
            response_type="in_channel",
            replace_original=False,
            delete_original=False,
            blocks=blocks,
            text=fallback_text(answer),
        )

    async def on_ask_hr(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        await ack()
        _, question = parse_value(action.get("value", ""))
        hr = self._options.hr_contact_user
        if not hr:
            await respond(
                response_type="ephemeral",
                replace_original=False,
                text=texts.ASK_HR_NO_CONTACT.format(hr_contact=self._options.hr_contact),
            )
            return
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts") or message.get("ts")
        text = texts.ASK_HR_POST.format(
            hr=f"<@{hr}>", user=f"<@{body.get('user', {}).get('id', '')}>", question=escape(question)
        )
        if not channel:
            await respond(response_type="in_channel", replace_original=False, text=text)
            return
        await client.chat_postMessage(channel=str(channel), thread_ts=thread_ts, text=text)

    # -- App Home -------------------------------------------------------------------------------
    async def on_home(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user = event.get("user", "")
        summary = None
        if user in self._options.hr_user_ids:
            summary = await asyncio.to_thread(self._desk.usage_summary, self._options.min_group_size)
        view = home_view(
            question_text_days=self._options.question_text_days,
            min_group_size=self._options.min_group_size,
            hr_summary=summary,
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


def _team(body: dict[str, Any], event: dict[str, Any]) -> str:
    return str(body.get("team_id") or event.get("team") or "")
