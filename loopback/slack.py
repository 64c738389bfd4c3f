"""A local Slack: a mock Web API on a free port, and signed requests to the bot's real endpoint.

Like bolt-python's tests/mock_web_api_server, but an aiohttp server on a port the OS picks.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_bolt.async_app import AsyncApp

from bot.config import OrganisationSettings, Settings, SlackSettings
from bot.dialog import Dialog
from bot.intake import Intake
from handlers.launch import SlackSecrets, build_channels
from loopback.block_kit import payload_violations

PAYLOADS = Path(__file__).resolve().parent / "payloads"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1234-5678-lederbot"
APP_TOKEN = "xapp-1-A0LEDERBOT-1234-abcd"
CREATED: list[MockSlack] = []  # every mock made during a test, for the Block Kit limits check


@dataclass
class Call:
    method: str
    data: dict[str, Any]
    at: float


@dataclass
class MockSlack:
    """Records every Web API call and response_url post; can answer 429 or 500 on demand."""

    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    directory: dict[str, str] = field(default_factory=dict)  # e-mail → user id, for users.lookupByEmail
    port: int = 0
    # Socket Mode: the WebSockets the bot opened (the last one is live) and the acks it sent back.
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Every payload checked against Block Kit's limits; the autouse fixture fails the test on any.
    violations: list[str] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # method → Slack error it answers with (ok: false)

    def __post_init__(self) -> None:
        CREATED.append(self)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 30.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"Slack never got {count} × {method}; got {[c.method for c in self.calls]}")

    async def handle(self, request: web.Request) -> web.Response:
        # From /api/{method}, or from the path when a catch-all route (handle_any) brought the request.
        method = request.match_info.get("method") or request.path.removeprefix("/api/")
        # The SDK sends some methods as JSON, others as form fields or query parameters.
        data: dict[str, Any] = dict(request.query)
        raw = await request.text()
        if raw.lstrip().startswith("{"):
            data.update(json.loads(raw))
        elif raw:
            data.update(urllib.parse.parse_qsl(raw))
        pending = self.failures.get(method)
        if pending:
            status, headers = pending.pop(0)
            self.calls.append(Call(f"{method}!{status}", data, time.monotonic()))
            return web.json_response(
                {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"},
                status=status,
                headers=headers,
            )
        self.calls.append(Call(method, data, time.monotonic()))
        self.violations += [f"{method}: {v}" for v in payload_violations(method, data)]
        if method in self.refuse:
            return web.json_response({"ok": False, "error": self.refuse[method]})
        if method == "apps.connections.open":
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"})
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "url": "https://heim.slack.com/",
                    "team": "Heim",
                    "user": "lederbot",
                    "team_id": "T0HEIM",
                    "user_id": "U0BOT",
                    "bot_id": "B0BOT",
                }
            )
        if method == "conversations.open":
            users = str(data.get("users", ""))
            return web.json_response({"ok": True, "channel": {"id": "D" + users.lstrip("U")}})
        if method == "users.lookupByEmail":
            user = self.directory.get(str(data.get("email", "")).lower())
            if user is None:
                return web.json_response({"ok": False, "error": "users_not_found"})
            return web.json_response({"ok": True, "user": {"id": user}})
        if method == "users.info":
            return web.json_response({"ok": True, "user": {"id": data.get("user"), "tz": "Europe/Oslo"}})
        if method == "files.getUploadURLExternal":
            return web.json_response(
                {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/F1", "file_id": "F1"}
            )
        if method == "files.completeUploadExternal":
            return web.json_response({"ok": True, "files": [{"id": "F1", "title": "export"}]})
        if method == "chat.postMessage":
            return web.json_response(
                {
                    "ok": True,
                    "channel": data.get("channel"),
                    "ts": f"{time.time():.6f}",
                    "message": {"text": data.get("text", "")},
                }
            )
        return web.json_response({"ok": True})

    async def handle_any(self, request: web.Request) -> web.Response:
        """Web API methods under /api/, anything else (a Bot Framework connector) recorded as is."""
        if request.path.startswith("/api/"):
            return await self.handle(request)
        self.calls.append(Call(request.path, {"body": await request.text()}, time.monotonic()))
        return web.json_response({"id": "ok"})

    async def handle_upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.calls.append(Call("upload", {"content": body.decode("utf-8", "replace")}, time.monotonic()))
        return web.Response(text="OK - 1")

    async def handle_response_url(self, request: web.Request) -> web.Response:
        data = await request.json()
        self.calls.append(Call("response_url", data, time.monotonic()))
        self.violations += [f"response_url: {v}" for v in payload_violations("response_url", data)]
        return web.json_response({"ok": True})

    async def handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        """Slack's Socket Mode endpoint: says hello, sends envelopes, records the acks that come back."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "mock"}})
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                ack = json.loads(message.data)
                self.acks[str(ack.get("envelope_id"))] = ack
                if isinstance(ack.get("payload"), dict):
                    self.violations += [f"ack: {v}" for v in payload_violations("ack", ack["payload"])]
        return ws

    async def wait_for_socket(self, count: int = 1, timeout: float = 60.0) -> web.WebSocketResponse:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            live = [ws for ws in self.sockets if not ws.closed]
            if len(self.sockets) >= count and live:
                return live[-1]
            await asyncio.sleep(0.02)
        raise AssertionError(f"the bot opened {len(self.sockets)} Socket Mode connections, expected {count}")

    async def send_envelope(self, kind: str, body: dict[str, Any], *, timeout: float = 10.0) -> dict[str, Any]:
        """Send one envelope on the live socket; returns the bot's ack (fails if none comes in time)."""
        ws = await self.wait_for_socket()
        envelope_id = f"env-{len(self.acks)}-{time.monotonic_ns()}"
        await ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": body,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if envelope_id in self.acks:
                return self.acks[envelope_id]
            await asyncio.sleep(0.01)
        raise AssertionError(f"no ack for a {kind} envelope within {timeout} s")


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def payload(name: str, **replace: str) -> dict[str, Any]:
    text = (PAYLOADS / f"{name}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return _fill(data, replace)


def _fill(value: Any, replace: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, replace) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, replace) for v in value]
    if isinstance(value, str):
        for key, new in replace.items():
            value = value.replace("{" + key + "}", new)
    return value


@dataclass
class Running:
    slack: MockSlack
    bot_url: str
    session: aiohttp.ClientSession
    bolt: AsyncApp | None = None
    intake: Intake | None = None

    async def wait_handled(self, count: int, timeout: float = 30.0) -> None:
        """Wait until the bot reports ``count`` events handled (its own signal, not a sleep)."""
        assert self.intake is not None
        deadline = time.monotonic() + timeout
        while self.intake.handled < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot handled {self.intake.handled} events, expected {count}")
            await asyncio.sleep(0.01)
        await self.intake.drain(timeout)

    async def post_event(
        self,
        body: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
        retry: int | None = None,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
    ) -> aiohttp.ClientResponse:
        raw = json.dumps(body, ensure_ascii=False)
        sent = {"Content-Type": "application/json", **sign(raw, secret=secret, timestamp=timestamp), **(headers or {})}
        if retry is not None:
            sent.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        async with self.session.post(f"{self.bot_url}/slack/events", data=raw.encode(), headers=sent) as response:
            await response.read()
            return response

    async def post_form(self, form: dict[str, str]) -> aiohttp.ClientResponse:
        raw = urllib.parse.urlencode(form)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(raw)}
        async with self.session.post(f"{self.bot_url}/slack/events", data=raw.encode(), headers=headers) as response:
            body = await response.read()
        # The bot's HTTP ack (a response_action, a message) is a Slack payload too.
        if body.strip().startswith(b"{"):
            self.slack.violations += [f"ack: {v}" for v in payload_violations("ack", json.loads(body))]
        return response

    async def post_action(self, body: dict[str, Any]) -> aiohttp.ClientResponse:
        return await self.post_form({"payload": json.dumps(body, ensure_ascii=False)})


async def start_on_loopback(app: web.Application) -> tuple[web.BaseRunner, int]:
    """Serve ``app`` on a free port of 127.0.0.1 with aiohttp's own test server; (its runner, the port).
    ``await runner.cleanup()`` stops it."""
    server = TestServer(app, host="127.0.0.1", access_log=None)
    await server.start_server()
    assert server.runner is not None and server.port is not None
    return server.runner, server.port


def slack_settings(
    *,
    hr_contact_user: str | None = "U0HR",
    hr_user_ids: frozenset[str] = frozenset(),
    hr_channel: str | None = None,
) -> Settings:
    """The settings a test's bot runs with: its HR options, the rest as shipped (HR named «HR»)."""
    return Settings(
        slack=SlackSettings(hr_contact_user=hr_contact_user, hr_user_ids=sorted(hr_user_ids), hr_channel=hr_channel),
        organisation=OrganisationSettings(hr_contact="HR"),
    )


def slack_secrets(slack: MockSlack, *, app_token: str | None = None) -> SlackSecrets:
    """The test tokens, with the Web API at ``slack``."""
    return SlackSecrets(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, app_token=app_token, api_url=slack.api_url)


@asynccontextmanager
async def running_bot(
    dialog: Dialog,
    *,
    hr_contact_user: str | None = "U0HR",
    hr_user_ids: frozenset[str] = frozenset(),
    hr_channel: str | None = None,
    intake: Intake | None = None,
) -> AsyncIterator[Running]:
    """The mock Slack and the bot's real aiohttp server (as `lederbot serve` builds it, without the
    periodic work), both on free loopback ports."""
    slack = MockSlack()
    mock_runner, slack.port = await start_on_loopback(mock_slack_app(slack))
    served = build_channels(
        slack_settings(hr_contact_user=hr_contact_user, hr_user_ids=hr_user_ids, hr_channel=hr_channel),
        dialog,
        slack_secrets=slack_secrets(slack),
        teams_options=None,
        intake=intake,
        periodic=False,
    )
    assert served.slack is not None
    bot_runner, bot_port = await start_on_loopback(served.server)
    session = aiohttp.ClientSession()
    try:
        yield Running(
            slack=slack,
            bot_url=f"http://127.0.0.1:{bot_port}",
            session=session,
            bolt=served.slack,
            intake=served.intake,
        )
    finally:
        await session.close()
        await bot_runner.cleanup()
        await mock_runner.cleanup()


def mock_slack_app(slack: MockSlack) -> web.Application:
    """The mock's routes: Web API, response_url, file upload, and the Socket Mode WebSocket."""
    app = web.Application()
    app.router.add_post("/api/{method}", slack.handle)
    app.router.add_post("/response/{name}", slack.handle_response_url)
    app.router.add_post("/upload/{name}", slack.handle_upload)
    app.router.add_get("/link", slack.handle_socket)
    return app
