"""A Teams-only server sends scheduled reflection messages: a plan's prompt into the personal chat
and a group's deadline summary into its channel, as proactive Bot Framework messages to the
service URL each conversation came from (a local mock connector)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot import texts
from bot.assistant import Assistant
from bot.config import Settings
from bot.store.db import Database, make_engine
from handlers.launch import periodic_work
from handlers.server import build_server
from handlers.teams.app import TeamsOptions, build_teams_agent
from handlers.teams.proactive import TeamsSender
from loopback.core import make_dialog, make_intake
from loopback.slack import start_on_loopback
from tests.handlers.cards.check import teams_cards_are_valid  # noqa: F401  (autouse: every card checked)
from tests.handlers.test_teams import MockConnector, _activity, _content
from tests.storage import FakeClock

pytestmark = pytest.mark.integration
MONDAY_0800 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Oslo
GROUP = {"id": "19:ledergruppe@thread.tacv2;messageid=1763900000009", "conversationType": "channel", "tenantId": "t"}


def test_a_teams_only_server_sends_plans_and_deadlines(assistant: Assistant, tmp_path: Path) -> None:
    clock = FakeClock(MONDAY_0800)
    database = Database(make_engine(f"sqlite:///{tmp_path / 'bot.db'}"))
    database.migrate()
    dialog = make_dialog(assistant, database, clock=clock)
    settings = Settings(data_dir=tmp_path)

    async def scenario() -> None:
        connector = MockConnector()
        mock = web.Application()
        mock.router.add_post("/{tail:.*}", connector.handle)
        mock_runner, connector.port = await start_on_loopback(mock)
        intake = make_intake(dialog)
        agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=intake)
        runner, port = await start_on_loopback(build_server(warm_up=assistant.load, intake=intake, teams=agent))
        # What the server runs every tick when Teams is its only channel (handlers.launch.serve).
        periodic = periodic_work(
            dialog, settings, senders={"teams": TeamsSender(agent=agent, app_id=None)}, clock=clock
        )
        service_url = f"http://127.0.0.1:{connector.port}/"
        try:
            async with aiohttp.ClientSession() as session:
                personal = _activity(service_url, "refleksjon plan man kl 08:30 verdier")
                async with session.post(f"http://127.0.0.1:{port}/api/messages", json=personal) as response:
                    assert response.status in (200, 202)
                await connector.wait(1)
                channel = _activity(
                    service_url,
                    "<at>lederbot</at> refleksjon gruppe verdier frist 01.12.2026",
                    id="2",
                    conversation=GROUP,
                )
                async with session.post(f"http://127.0.0.1:{port}/api/messages", json=channel) as response:
                    assert response.status in (200, 202)
                await connector.wait(2)

            await periodic()  # 08:00: nothing due yet
            assert len(connector.received) == 2
            clock.now = MONDAY_0800 + timedelta(minutes=31)
            await periodic()
            path, body, _ = (await connector.wait(3))[2]
            assert path == f"/v3/conversations/{personal['conversation']['id']}/activities"
            prompt = _content(body)
            # The prompt, with the button that starts the theme.
            assert "Tid for refleksjon:" in prompt and '"cmd": "refleksjon a-lede-med-tydelige-verdier"' in prompt
            await periodic()
            assert len(connector.received) == 3  # sent once

            clock.now = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # past the group's deadline
            await periodic()
            received = await connector.wait(4)
            group_messages = [b for p, b, _ in received if p.startswith(f"/v3/conversations/{GROUP['id']}")]
            assert len(group_messages) == 2  # the opening, and now the summary at the deadline
            assert "er avsluttet. 0 deltok." in _content(group_messages[1])
            assert texts.R_GROUP_NONE_SHARED in _content(group_messages[1])
        finally:
            await runner.cleanup()
            await mock_runner.cleanup()
            database.engine.dispose()

    asyncio.run(scenario())
