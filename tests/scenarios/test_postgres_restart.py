"""PostgreSQL restarted under traffic: questions are still answered, the bot reconnects, and no
reflection answer is lost."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from aiohttp import web

from bot.store.db import Database, make_engine
from tests.handlers.slack_harness import MockSlack, _start
from tests.scenarios.test_reflection_slack import Bot
from tests.storage import postgres_schema

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _restart_postgres() -> None:
    versions = sorted(Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").is_dir() else []
    if not versions or shutil.which("pg_ctlcluster") is None:
        pytest.fail("cannot restart PostgreSQL here: pg_ctlcluster and /etc/postgresql/<version> are needed")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name, "main", "restart", "-m", "fast"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_postgres_restart_during_traffic(built_index: Path, tmp_path: Path) -> None:
    with postgres_schema() as (url, options):
        schema = options["connect_args"]["options"].split("=", 1)[1]  # type: ignore[index]

        async def scenario() -> None:
            slack = MockSlack()
            mock = web.Application()
            mock.router.add_post("/api/{method}", slack.handle)
            runner, slack.port = await _start(mock)
            bot = Bot(built_index, tmp_path, slack)
            bot.env["LEDERBOT_DATABASE_URL"] = f"{url}?options=-csearch_path%3D{schema}"
            try:
                await bot.start()
                assert "Spørsmål 1 av 3" in await bot.dm(slack, "U0PG", "refleksjon verdier")
                assert "Spørsmål 2 av 3" in await bot.dm(slack, "U0PG", "Første svar før omstart.")

                restart = asyncio.create_task(asyncio.to_thread(_restart_postgres))
                answered = 0
                deadline = time.monotonic() + 60
                while not restart.done() and time.monotonic() < deadline:
                    # Questions go on while the database restarts; they are answered from the index.
                    reply = await bot.dm(slack, "U0ASKER", "Hva er en delegeringssperre?")
                    answered += "delegeringssperre" in reply
                await restart
                assert answered >= 1

                # The bot reconnects: the reflection continues where it was, with nothing lost.
                for _ in range(40):
                    reply = await bot.dm(slack, "U0PG", "mine svar")
                    if "Første svar før omstart." in reply:
                        break
                    await asyncio.sleep(0.5)
                assert "Første svar før omstart." in reply
                assert "Spørsmål 2 av 3" in await bot.dm(slack, "U0PG", "fortsett")
                assert "Spørsmål 3 av 3" in await bot.dm(slack, "U0PG", "Andre svar etter omstart.")
            finally:
                if bot.process and bot.process.poll() is None:
                    bot.process.terminate()
                    bot.process.wait(timeout=30)
                await runner.cleanup()

        asyncio.run(scenario())
        database = Database(make_engine(url, **options))
        from bot.reflection import data
        from bot.reflection.catalog import Catalog
        from tests.conftest import KNOWLEDGE

        with database.session() as session:
            from sqlalchemy import func, select

            from bot.store.models import ReflectionAnswer

            assert session.scalar(select(func.count()).select_from(ReflectionAnswer)) == 2
        answers = [
            r["answer"] for r in data.answers_of(database, Catalog.load(KNOWLEDGE / "reflections"), _owner("U0PG"))
        ]
        assert answers == ["Første svar før omstart.", "Andre svar etter omstart."]
        database.engine.dispose()


def _owner(user: str) -> str:
    from bot.identity import Pseudonymizer

    return Pseudonymizer(key=b"a-test-key-that-is-long-enough").owner_key("slack", user)
