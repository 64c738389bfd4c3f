"""PostgreSQL restarted under traffic: questions are still answered, the bot reconnects, and no
reflection answer is lost. The server is one the test starts itself (never the machine's)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.identity import Pseudonymizer
from bot.reflection import data
from bot.reflection.catalog import Catalog
from bot.store.db import Database, make_engine
from bot.store.models import ReflectionAnswer
from loopback.postgres import PostgresServer
from loopback.replica import Replica
from loopback.slack import MockSlack, start_on_loopback
from tests.conftest import KNOWLEDGE

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _restart(server: PostgresServer) -> None:
    server.stop(mode="fast")
    server.start()


def test_postgres_restart_during_traffic(built_index: Path, tmp_path: Path, own_postgres: PostgresServer) -> None:
    url = own_postgres.create_database()

    async def scenario() -> None:
        slack = MockSlack()
        mock = web.Application()
        mock.router.add_post("/api/{method}", slack.handle)
        runner, slack.port = await start_on_loopback(mock)
        bot = Replica(built_index, tmp_path, slack, database_url=url)
        try:
            await bot.start()
            assert "Spørsmål 1 av 3" in await bot.dm(slack, "U0PG", "refleksjon verdier")
            assert "Spørsmål 2 av 3" in await bot.dm(slack, "U0PG", "Første svar før omstart.")

            restart = asyncio.create_task(asyncio.to_thread(_restart, own_postgres))
            answered = 0
            deadline = time.monotonic() + 60
            while not restart.done() and time.monotonic() < deadline:
                # Questions go on while the database restarts; they are answered from the index.
                reply = await bot.dm(slack, "U0ASKER", "Hva er en delegeringssperre?")
                answered += "delegeringssperre" in reply
            await restart
            assert answered >= 1

            # The bot reconnects (its health check says so), and the reflection continues where it was.
            await bot.wait_healthy("ok")
            reply = await bot.dm(slack, "U0PG", "mine svar")
            assert "Første svar før omstart." in reply
            assert "Spørsmål 2 av 3" in await bot.dm(slack, "U0PG", "fortsett")
            assert "Spørsmål 3 av 3" in await bot.dm(slack, "U0PG", "Andre svar etter omstart.")
        finally:
            bot.stop()
            await runner.cleanup()

    asyncio.run(scenario())
    database = Database(make_engine(url))
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(ReflectionAnswer)) == 2
    owner = Pseudonymizer(key=b"a-test-key-that-is-long-enough").owner_key("slack", "U0PG")
    answers = [r["answer"] for r in data.answers_of(database, Catalog.load(KNOWLEDGE / "reflections"), owner)]
    assert answers == ["Første svar før omstart.", "Andre svar etter omstart."]
    database.engine.dispose()
