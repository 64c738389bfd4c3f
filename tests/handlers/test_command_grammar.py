"""The same commands in every channel: the terminal, Teams and Slack all run plan, frist and rapport <dimensjon>
(and the dialog commands: refleksjon, mine svar, eksporter, slett) through bot/commands.py."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import pytest
from microsoft_agents.activity import Activity, ChannelAccount
from microsoft_agents.testing import TestFlow

from bot.dialog import Dialog
from handlers.teams.app import TeamsOptions, build_teams_agent
from handlers.terminal import run_chat
from tests.handlers.slack_harness import payload, running_bot
from tests.handlers.test_teams import shows
from tests.handlers.test_teams_private import _adapter

pytestmark = pytest.mark.integration

PLAN = "refleksjon plan man ons kl 08:30 verdier"


def test_terminal_takes_plan_report_and_the_dialog_commands(dialog: Dialog, tmp_path: Path) -> None:
    lines = [
        PLAN,
        "rapport nivå",
        "refleksjon gruppe verdier",
        "refleksjon verdier",
        "Et svar.",
        "avslutt",
        "mine svar",
    ]
    out = io.StringIO()
    run_chat(dialog, stdin=io.StringIO("\n".join(lines) + "\n\n"), stdout=out, export_dir=tmp_path)
    text = out.getvalue()
    assert "Plan lagret:" in text and "08:30" in text
    assert "Gruppe-refleksjon trenger en kanal" in text
    assert "Et svar." in text and "Noe gikk galt" not in text and "noe gikk galt" not in text


def test_teams_takes_plan_frist_and_report_by_dimension(dialog: Dialog) -> None:
    agent = build_teams_agent(
        dialog=dialog, options=TeamsOptions(allow_anonymous=True, hr_user_ids=frozenset({"aad-hr"}))
    )
    personal = _adapter("a:personal-1", "personal", user="aad-leder")
    channel = _adapter("19:ledergruppe@thread.tacv2", "channel", user="aad-leder")

    def said(user: str, text: str) -> Activity:
        return Activity(type="message", text=text, from_property=ChannelAccount(id=user, aad_object_id=user))

    async def scenario() -> None:
        await (
            TestFlow(personal, agent.application.on_turn)
            .send(said("aad-leder", PLAN))
            .assert_reply(shows("Plan lagret:"))
            .start_test()
        )
        await (
            TestFlow(channel, agent.application.on_turn)
            .send(said("aad-leder", "<at>lederbot</at> refleksjon gruppe verdier frist 01.12.2030"))
            .assert_reply(shows("Svarfrist"))
            .start_test()
        )
        hr = _adapter("a:hr", "personal", user="aad-hr")

        async def by_level(reply: Any) -> None:
            assert "Noe gikk galt" not in json.dumps(reply.attachments[0].content, ensure_ascii=False)

        await (
            TestFlow(hr, agent.application.on_turn)
            .send(said("aad-hr", "rapport nivå"))
            .assert_reply(by_level, timeout=60)
            .start_test()
        )
        await (
            TestFlow(personal, agent.application.on_turn)
            .send(said("aad-leder", "rapport"))
            .assert_reply(shows("bare for HR"))
            .start_test()
        )

    asyncio.run(scenario())


def test_slack_takes_the_same_commands(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog, hr_user_ids=frozenset({"U0HR"})) as bot:
            command = payload("slash_leder", response_url=bot.slack.response_url("plan"))
            command.update(command="/refleksjon", text=PLAN.removeprefix("refleksjon "))
            await bot.post_form(command)
            [reply] = await bot.slack.wait_for("response_url")
            assert "Plan lagret:" in reply.data["text"]
            report = payload("slash_leder", response_url=bot.slack.response_url("rapport"))
            report.update(text="rapport nivå", user_id="U0HR")
            await bot.post_form(report)
            await bot.slack.wait_for("files.completeUploadExternal")
            [intro] = await bot.slack.wait_for("chat.postMessage")
            assert "nivå" in intro.data["text"] or "level" in intro.data["text"]

    asyncio.run(scenario())
