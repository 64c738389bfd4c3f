"""Socket Mode end to end: a local WebSocket server stands in for Slack (apps.connections.open returns its
ws://127.0.0.1 URL); the bot's real Bolt app and the SDK's client connect, ack envelopes and answer."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.dialog import Dialog
from bot.store.question_log import QuestionRepository
from handlers.launch import slack_options
from handlers.slack.app import build_slack_app
from handlers.slack.socket_mode import socket_mode_starter
from loopback.core import make_intake
from loopback.ports import free_port
from loopback.slack import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    MockSlack,
    mock_slack_app,
    payload,
    slack_secrets,
    slack_settings,
    start_on_loopback,
)
from tests.conftest import ROOT
from tests.handlers.test_serve import _env

pytestmark = pytest.mark.integration


def _blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = data.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _text(data: dict[str, Any]) -> str:
    return json.dumps(_blocks(data), ensure_ascii=False) + str(data.get("text", ""))


async def _feedback_reason(dialog: Dialog, timeout: float = 20.0) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with dialog.questions.database.session() as session:
            # Reasons are kept apart from the question and the person (privacy), in their own table.
            reasons = QuestionRepository(session=session).feedback_reasons()
        if reasons:
            return reasons[0]
        await asyncio.sleep(0.05)
    return None


def test_socket_mode_dm_mention_command_button_modal_and_reconnect(dialog: Dialog) -> None:
    async def scenario() -> None:
        slack = MockSlack()
        runner, slack.port = await start_on_loopback(mock_slack_app(slack))
        bolt = build_slack_app(
            dialog=dialog, options=slack_options(slack_settings(), slack_secrets(slack)), intake=make_intake(dialog)
        )
        handler = await socket_mode_starter(bolt, app_token=APP_TOKEN, ping_interval=1.0)()
        try:
            await slack.wait_for_socket()
            assert len(slack.of("apps.connections.open")) == 1

            # A DM: acked at once, answered in the DM.
            started = time.monotonic()
            await slack.send_envelope("events_api", payload("message_im"))
            assert time.monotonic() - started < 3
            [dm] = await slack.wait_for("chat.postMessage")
            assert dm.data["channel"] == "D0LEDER2" and "lojal" in _text(dm.data).lower()

            # A mention: answered in its thread.
            mention = payload("app_mention")
            await slack.send_envelope("events_api", mention)
            calls = await slack.wait_for("chat.postMessage", 2)
            assert calls[1].data["channel"] == "C0LEDERE"
            assert calls[1].data["thread_ts"] == mention["event"]["ts"]
            assert "sitter igjen med ansvaret" in _text(calls[1].data)

            # /leder: acked, the answer is private (ephemeral through response_url).
            await slack.send_envelope("slash_commands", payload("slash_leder", response_url=slack.response_url("cmd")))
            [reply] = await slack.wait_for("response_url")
            assert reply.data["response_type"] == "ephemeral" and "delegeringssperre" in _text(reply.data).lower()

            # A button: 👎 on the DM answer opens the reason modal.
            actions = next(b for b in _blocks(dm.data) if b["type"] == "actions")
            down = next(e for e in actions["elements"] if e["action_id"] == "feedback_down")
            click = payload("block_actions", response_url=slack.response_url("fb"), action_id="feedback_down")
            click["actions"][0]["value"] = down["value"]
            click["user"]["id"] = "U0LEDER2"
            click["channel"]["id"] = "D0LEDER2"
            await slack.send_envelope("interactive", click)
            [modal] = await slack.wait_for("views.open")
            view = json.loads(modal.data["view"]) if isinstance(modal.data["view"], str) else modal.data["view"]
            assert view["callback_id"] == "feedback_reason"

            # The modal submission: acked, and the reason stored with the asker's feedback.
            submission = {
                "type": "view_submission",
                "team": {"id": "T0HEIM"},
                "user": {"id": "U0LEDER2"},
                "view": {**view, "id": "V1", "state": {"values": {"reason": {"text": {"value": "For generelt"}}}}},
            }
            ack = await slack.send_envelope("interactive", submission)
            assert "envelope_id" in ack
            assert await _feedback_reason(dialog) == "For generelt"

            # Slack closes the socket (as it does on deploys): the client asks for a new URL and reconnects.
            await slack.sockets[-1].close()
            await slack.wait_for_socket(count=2, timeout=30)
            assert len(slack.of("apps.connections.open")) >= 2
            again = payload("message_im")
            again["event_id"] = "Ev0DM2"
            again["event"]["ts"] = again["event"]["event_ts"] = "1763900200.000300"
            await slack.send_envelope("events_api", again)
            await slack.wait_for("chat.postMessage", 3)
        finally:
            await handler.close_async()
            await runner.cleanup()

    asyncio.run(scenario())


def test_socket_mode_starter_refuses_a_bot_token(dialog: Dialog) -> None:
    slack = MockSlack()
    bolt = build_slack_app(
        dialog=dialog, options=slack_options(slack_settings(), slack_secrets(slack)), intake=make_intake(dialog)
    )
    with pytest.raises(ValueError, match="xapp-"):
        socket_mode_starter(bolt, app_token=BOT_TOKEN)


@pytest.mark.slow
def test_serve_with_app_token_starts_socket_mode(built_index: Path, tmp_path: Path) -> None:
    """What `make run` runs (`lederbot serve`) with SLACK_APP_TOKEN set: it connects and answers a DM."""

    async def scenario() -> None:
        slack = MockSlack()
        runner, slack.port = await start_on_loopback(mock_slack_app(slack))
        port = free_port()
        env = _env(
            built_index,
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=slack.api_url,
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "handlers.cli", "serve", "--port", str(port), "--host", "127.0.0.1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            await slack.wait_for_socket(timeout=120)
            async with aiohttp.ClientSession() as session:
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            break
                    await asyncio.sleep(0.2)
            await slack.send_envelope("events_api", payload("message_im"))
            [call] = await slack.wait_for("chat.postMessage", timeout=60)
            assert call.data["channel"] == "D0LEDER2"
        finally:
            process.terminate()
            output, _ = process.communicate(timeout=30)
            await runner.cleanup()
        assert "no running event loop" not in output and "Traceback" not in output, output[-2000:]

    asyncio.run(scenario())
