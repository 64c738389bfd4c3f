"""The Bolt app: Slack's requests through the durable inbox to the listeners, which translate Slack
events into core calls and the core's results into Block Kit.

Events are stored in the durable inbox and acknowledged at once (the middleware answers Slack
itself; handling follows from the inbox, on this replica or, if it dies, another one). Retried
deliveries (same ``event_id``) are answered once; a replayed slash command runs once. Commands and
actions call ``ack()`` first. Searches run on their own bounded pool, so acknowledgements and
modals never wait behind them.

The listeners, a module each: messages and slash commands (handlers/slack/messages.py), the buttons
under an answer (answer_buttons.py), a group reflection's buttons and modal (group_buttons.py), App
Home (home.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.dialog import Dialog
from bot.inbox import Accepted
from bot.intake import Intake
from bot.recent import RecentAnswers
from handlers.slack.answer_buttons import AnswerButtons
from handlers.slack.group_buttons import GroupButtons
from handlers.slack.home import Home
from handlers.slack.messages import Messages
from handlers.slack.options import SlackOptions

__all__ = ["SlackOptions", "build_slack_app", "make_client"]

log = logging.getLogger(__name__)
# What the listeners read from an event as text. Slack leaves a field out rather than send it null,
# so a null or a number in one is a payload Slack never sends: acknowledged and dropped before it is
# stored (found by fuzzing: "channel": null crashed the listener). Not refused: a 4xx makes Slack
# retry it and counts toward the failure rate that disables an app's event subscriptions.
_TEXT_FIELDS = ("channel", "user", "ts", "thread_ts", "text")


def _malformed(body: dict[str, Any]) -> bool:
    event = body.get("event")
    return not isinstance(event, dict) or any(k in event and not isinstance(event[k], str) for k in _TEXT_FIELDS)


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


def build_slack_app(*, dialog: Dialog, options: SlackOptions, intake: Intake) -> AsyncApp:
    """The Bolt app with every listener; nothing is contacted until the first request. Events go
    through ``intake``, the server's one (handlers.launch.build_intake), shared with Teams."""
    app = AsyncApp(
        client=make_client(options),
        signing_secret=options.signing_secret,
        process_before_response=False,
        # The bot's own messages never reach the listeners (Bolt's default), and neither do
        # other bots' (checked in the message listener).
        ignoring_self_events_enabled=True,
        raise_error_for_unhandled_request=False,
    )
    # The answers' questions, shared: an answer shown by a message is what its buttons act on.
    recent = RecentAnswers()
    messages = Messages(dialog=dialog, options=options, workers=intake.workers, recent=recent)
    answers = AnswerButtons(questions=dialog.questions, options=options, workers=intake.workers, recent=recent)
    groups = GroupButtons(dialog=dialog, workers=intake.workers, health=intake.inbox.health)
    home = Home(dialog=dialog, options=options)
    client = app.client

    async def handle_event(body: dict[str, Any]) -> None:
        # An event from the inbox (stored and acknowledged already).
        event = body.get("event") or {}
        kind = event.get("type")
        if kind == "app_mention":
            await messages.on_mention(event, body, client)
        elif kind == "message":
            await messages.on_message(event, body, client)
        elif kind == "app_home_opened":
            await home.on_opened(event, client)

    intake.register("slack", handle_event)

    @app.middleware
    async def store_then_ack(req: AsyncBoltRequest, body: dict[str, Any], next: Any) -> BoltResponse | None:  # noqa: A002
        # Runs after Bolt has checked the signature and before anything is acknowledged.
        if body.get("type") == "event_callback" and body.get("event_id"):
            if _malformed(body):
                log.warning("malformed Slack event dropped")
                return BoltResponse(status=200, body="")
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

    app.command("/leder")(messages.on_command)
    app.command("/refleksjon")(messages.on_reflection_command)
    app.action(re.compile(r"^reflection_(choice|start)(_\d+)?$"))(messages.on_reflection_choice)
    app.action("feedback_up")(answers.on_feedback_up)
    app.action("feedback_down")(answers.on_feedback_down)
    app.action("show_more")(answers.on_show_more)
    app.action("share_answer")(answers.on_share)
    app.action("ask_hr")(answers.on_ask_hr)
    app.view("feedback_reason")(answers.on_feedback_reason)
    # The button's value says which step it is (a GroupAction); the id only routes it here.
    app.action(re.compile(r"^reflection_(answer|next|end)_\d+$"))(groups.on_action)
    app.view("group_answer_modal")(groups.on_answer_modal)

    async def on_error(error: Exception, body: dict[str, Any], respond: Any | None = None) -> None:
        # One error handler for the adapter: log without personal data, tell the user in Norwegian.
        log.error("Slack listener failed: %s", type(error).__name__, exc_info=error)
        if respond is not None and body.get("response_url"):
            try:
                await respond(
                    response_type="ephemeral",
                    replace_original=False,
                    text=texts.INTERNAL_ERROR.format(hr_contact=options.hr_contact),
                )
            except Exception:  # noqa: BLE001  (the error reply itself may fail; nothing more to do)
                log.warning("could not tell the user about an error")

    app.error(on_error)
    return app
