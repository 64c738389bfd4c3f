"""A leader reflects in a DM over real signed Slack events to `lederbot serve`, killed and restarted midway."""

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
import pytest
from aiohttp import web

from tests.conftest import KNOWLEDGE, ROOT
from tests.handlers.slack_harness import BOT_TOKEN, SIGNING_SECRET, MockSlack, _start, payload, sign
from tests.ports import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]
Q1 = "Hvordan kommer organisasjonens verdier til uttrykk i ditt lederskap?"
Q2 = "Hvordan opplever medarbeiderne dine at disse verdiene er synlige?"
Q3 = "Er det noen dilemmaer mellom hva du synes er viktige verdier"


class Bot:
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
        self.process: subprocess.Popen[str] | None = None
        self.events = 0

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "handlers.cli",
                "serve",
                "--slack-http",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
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


def _text(data: dict[str, Any]) -> str:
    blocks = data.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return json.dumps(blocks, ensure_ascii=False)


def _cli(bot: Bot, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handlers.cli", *args],
        cwd=ROOT,
        env=bot.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_reflection_survives_sigkill_and_stays_private(built_index: Path, tmp_path: Path) -> None:
    async def scenario() -> Bot:
        slack = MockSlack()
        mock = web.Application()
        mock.router.add_post("/api/{method}", slack.handle)
        runner, slack.port = await _start(mock)
        bot = Bot(built_index, tmp_path, slack)
        try:
            await bot.start()
            assert Q1 in await bot.dm(slack, "U0LEDER1", "refleksjon verdier")
            assert Q2 in await bot.dm(slack, "U0LEDER1", "Verdiene viser seg i hvordan jeg prioriterer tid.")
            bot.kill()
            await bot.start()  # same database
            assert Q3 in await bot.dm(slack, "U0LEDER1", "De ser det når jeg står for vanskelige valg.")
            finished = await bot.dm(slack, "U0LEDER1", "hopp over")
            assert "Hoppet over" in finished and "ferdig med «Å lede med tydelige verdier»" in finished
            mine = await bot.dm(slack, "U0LEDER1", "mine svar")
            assert "prioriterer tid" in mine and "vanskelige valg" in mine
            other = await bot.dm(slack, "U0LEDER3", "mine svar")
            assert "prioriterer" not in other and "ingen lagrede refleksjonssvar" in other
            # Without a reflection running, a DM is a question again.
            answer = await bot.dm(slack, "U0LEDER1", "Hva er en delegeringssperre?")
            assert "3.1 Delegering" in answer
        finally:
            if bot.process and bot.process.poll() is None:
                bot.process.terminate()
                bot.process.wait(timeout=30)
            await runner.cleanup()
        return bot

    bot = asyncio.run(scenario())
    exported = _cli(bot, "data", "export", "--user", "U0LEDER1", "--json")
    assert exported.returncode == 0, exported.stderr
    answers = json.loads(exported.stdout)["answers"]
    assert [a["answer"] for a in answers] == [
        "Verdiene viser seg i hvordan jeg prioriterer tid.",
        "De ser det når jeg står for vanskelige valg.",
    ]
    assert answers[0]["question"] == Q1 and answers[0]["theme"] == "Å lede med tydelige verdier"
    assert json.loads(_cli(bot, "data", "export", "--user", "U0LEDER3", "--json").stdout)["answers"] == []
    markdown = _cli(bot, "data", "export", "--user", "U0LEDER1", "--md").stdout
    assert markdown.startswith("# Mine refleksjonssvar") and "prioriterer tid" in markdown
    assert "prioriterer tid" in _cli(bot, "data", "export", "--user", "U0LEDER1", "--csv").stdout
    refused = _cli(bot, "data", "delete", "--user", "U0LEDER1")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    deleted = _cli(bot, "data", "delete", "--user", "U0LEDER1", "--yes")
    assert deleted.returncode == 0 and "Slettet 2 svar" in deleted.stdout
    assert json.loads(_cli(bot, "data", "export", "--user", "U0LEDER1", "--json").stdout)["answers"] == []
