"""A leader reflects in a DM over real signed Slack events to `lederbot serve`, killed and restarted midway."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

from loopback.replica import Bot
from loopback.slack import MockSlack, start_on_loopback
from tests.conftest import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]
Q1 = "Hvordan kommer organisasjonens verdier til uttrykk i ditt lederskap?"
Q2 = "Hvordan opplever medarbeiderne dine at disse verdiene er synlige?"
Q3 = "Er det noen dilemmaer mellom hva du synes er viktige verdier"


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
        runner, slack.port = await start_on_loopback(mock)
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
