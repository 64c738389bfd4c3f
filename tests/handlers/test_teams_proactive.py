"""A Teams-only server sends scheduled reflection messages: a plan's prompt into the personal chat
and a group's deadline summary into its channel, as proactive Bot Framework messages to the
service URL each conversation came from (a local mock connector). The server is the one `lederbot
serve` builds (handlers.launch.build_channels): its Teams agent, the TeamsSender and the periodic work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot import texts
from bot.assistant import Assistant
from bot.config import Settings
from bot.store.db import Database, make_engine
from handlers import launch
from handlers.teams.app import TeamsOptions
from loopback.core import make_dialog
from loopback.slack import start_on_loopback
from tests.handlers.cards.check import teams_cards_are_valid  # noqa: F401  (autouse: every card checked)
from tests.handlers.test_teams import MockConnector, _activity, _content
from tests.storage import FakeClock

pytestmark = pytest.mark.integration
MONDAY_0800 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Oslo
Job = Callable[[], Awaitable[None]]
GROUP = {"id": "19:ledergruppe@thread.tacv2;messageid=1763900000009", "conversationType": "channel", "tenantId": "t"}


def test_a_teams_only_server_sends_plans_and_deadlines(assistant: Assistant, tmp_path: Path) -> None:
    clock = FakeClock(MONDAY_0800)
    database = Database(make_engine(f"sqlite:///{tmp_path / 'bot.db'}"))
    database.migrate()
    dialog = make_dialog(assistant, database, clock=clock)
    # The server's own rounds: one after the warm-up (08:00, nothing due), the next long after the test.
    settings = Settings(data_dir=tmp_path, reflection={"tick_seconds": 3600})

    async def scenario() -> None:
        connector = MockConnector()
        mock = web.Application()
        mock.router.add_post("/{tail:.*}", connector.handle)
        mock_runner, connector.port = await start_on_loopback(mock)
        # As `lederbot serve` builds it when Teams is the only channel.
        served = launch.build_channels(
            settings, dialog, slack_secrets=None, teams_options=TeamsOptions(allow_anonymous=True), clock=clock
        )
        assert served.slack is None and served.teams is not None
        assert served.periodic is not None, "build_channels gave the server no periodic work"
        periodic = served.periodic  # what the server runs every tick; the test runs its rounds itself
        runner, port = await start_on_loopback(served.server)
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
