"""A `lederbot serve` process for the multi-replica and outage scenarios (and bench/durability.py).

Adds to the reflection scenario's ``Bot``: raw signed deliveries (with Slack's retry header),
the bot's own signals (/healthz status, /metrics samples) and a clean stop.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from loopback import KNOWLEDGE, ROOT
from loopback.ports import free_port
from loopback.slack import BOT_TOKEN, SIGNING_SECRET, MockSlack, payload, sign


def _text(data: dict[str, Any]) -> str:
    """A posted message's blocks as one JSON string, to look for words in."""
    blocks = data.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return json.dumps(blocks, ensure_ascii=False)


def serve_slack_http(port: int) -> list[str]:
    """``lederbot serve --slack-http`` on 127.0.0.1:``port``, run by this interpreter (as a test starts it)."""
    return [sys.executable, "-m", "handlers.cli", "serve", "--slack-http", "--host", "127.0.0.1", "--port", str(port)]


class Bot:
    """`lederbot serve --slack-http` as a process of its own, against the mock Slack ``slack``."""

    def __init__(self, index: Path, data: Path, slack: MockSlack) -> None:
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LEDERBOT_"))}
        self.env.update(
            LEDERBOT_INDEX__PATH=str(index),
            LEDERBOT_INDEX__KNOWLEDGE_DIR=str(KNOWLEDGE),
            LEDERBOT_REFLECTION__FOLDER=str(KNOWLEDGE / "reflections"),
            LEDERBOT_DATA_DIR=str(data),
            LEDERBOT_PSEUDONYM_KEY="a-test-key-that-is-long-enough",
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.events = 0

    async def start(self) -> None:
        self.process = subprocess.Popen(
            serve_slack_http(self.port),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        async with aiohttp.ClientSession() as session:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError("the bot never became healthy")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    async def dm(self, slack: MockSlack, user: str, text: str) -> str:
        self.events += 1
        event = payload("message_im")
        event["event_id"] = f"EvReflect{self.port}-{self.events}"
        event["event"].update(user=user, text=text, channel=f"D{user}", ts=f"17639{self.events:05d}.000100")
        before = len(slack.of("chat.postMessage"))
        body = json.dumps(event, ensure_ascii=False)
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{self.port}/slack/events",
                data=body.encode(),
                headers={"Content-Type": "application/json", **sign(body)},
            ) as response,
        ):
            assert response.status == 200
        calls = await slack.wait_for("chat.postMessage", before + 1)
        return _text(calls[-1].data)


# Short leases so a dead replica's events move on within seconds in the tests.
LEASE = 2.0


class Replica(Bot):
    def __init__(self, index: Path, data: Path, slack: MockSlack, *, database_url: str, lease: float = LEASE) -> None:
        super().__init__(index, data, slack)
        self.env.update(
            LEDERBOT_DATABASE_URL=database_url,
            LEDERBOT_INBOX__LEASE_SECONDS=str(lease),
            LEDERBOT_INBOX__SWEEP_SECONDS="0.25",
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def deliver(self, event: dict[str, Any], *, retry: int | None = None) -> tuple[int, float]:
        """POST a signed event; (status, seconds until the acknowledgement)."""
        body = json.dumps(event, ensure_ascii=False)
        headers = {"Content-Type": "application/json", **sign(body)}
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        started = time.monotonic()
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{self.url}/slack/events", data=body.encode(), headers=headers) as response,
        ):
            await response.read()
            return response.status, time.monotonic() - started

    async def health(self) -> str:
        async with aiohttp.ClientSession() as session, session.get(f"{self.url}/healthz") as response:
            return str((await response.json())["status"])

    async def wait_healthy(self, status: str, timeout: float = 60.0) -> None:
        """Wait for /healthz to say ``status`` ("ok" or "degraded")."""
        deadline = time.monotonic() + timeout
        seen = ""
        while time.monotonic() < deadline:
            seen = await self.health()
            if seen == status:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"/healthz said {seen!r}, never {status!r}")

    async def sample(self, name: str, **labels: str) -> float:
        """One value from /metrics (0 when the series does not exist yet)."""
        async with aiohttp.ClientSession() as session, session.get(f"{self.url}/metrics") as response:
            text = await response.text()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    return float(sample.value)
        return 0.0

    async def wait_sample(self, name: str, value: float, timeout: float = 60.0, **labels: str) -> None:
        deadline = time.monotonic() + timeout
        seen = 0.0
        while time.monotonic() < deadline:
            seen = await self.sample(name, **labels)
            if seen >= value:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{name}{labels} stayed at {seen}, expected {value}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def dm_event(event_id: str, user: str, text: str) -> dict[str, Any]:
    """A DM event with its own id, user and channel (D + user)."""
    event = payload("message_im")
    event["event_id"] = event_id
    event["event"].update(user=user, text=text, channel=f"D{user}", ts=f"{time.time():.6f}")
    return event
