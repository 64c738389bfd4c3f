"""`lederbot serve --slack-http` as a process: /healthz, signed events, a wrong token refused."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from loopback.ports import free_port
from loopback.slack import BOT_TOKEN, SIGNING_SECRET, MockSlack, payload, sign, start_on_loopback
from tests.conftest import KNOWLEDGE, ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _env(index: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LEDERBOT_"))}
    env.update(
        LEDERBOT_INDEX__PATH=str(index),
        LEDERBOT_INDEX__KNOWLEDGE_DIR=str(KNOWLEDGE),
        LEDERBOT_DATA_DIR=str(tmp_path),
        LEDERBOT_PSEUDONYM_KEY="serve-test-pseudonym-key-0123",
        **extra,
    )
    return env


def test_serve_slack_http_end_to_end(built_index: Path, tmp_path: Path) -> None:
    async def scenario() -> None:
        slack = MockSlack()
        mock = web.Application()
        mock.router.add_post("/api/{method}", slack.handle)
        runner, slack.port = await start_on_loopback(mock)
        port = free_port()
        env = _env(
            built_index,
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "handlers.cli", "serve", "--slack-http", "--port", str(port), "--host", "127.0.0.1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            async with aiohttp.ClientSession() as session:
                deadline = time.monotonic() + 120
                status = None
                while time.monotonic() < deadline:
                    try:
                        async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                            status = response.status
                            if status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.2)
                assert status == 200
                body = json.dumps(payload("app_mention"))
                headers = {"Content-Type": "application/json", **sign(body)}
                async with session.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as r:
                    assert r.status == 200
                [call] = await slack.wait_for("chat.postMessage")
                assert "sitter igjen med ansvaret" in json.dumps(call.data, ensure_ascii=False)
        finally:
            process.terminate()
            output, _ = process.communicate(timeout=30)
            await runner.cleanup()
        assert "U0LEDER1" not in output and "ansvaret" not in output  # nothing personal in the logs
        assert (tmp_path / "lederbot.db").exists()  # migrations ran at start

    asyncio.run(scenario())


def test_wrong_token_is_refused_with_a_clear_message(built_index: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "serve", "--slack-http", "--port", str(free_port())],
        cwd=ROOT,
        env=_env(built_index, tmp_path, SLACK_BOT_TOKEN="not-a-token", SLACK_SIGNING_SECRET="s"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "SLACK_BOT_TOKEN" in out.stderr and "Traceback" not in out.stderr
