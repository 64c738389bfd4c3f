"""Two `lederbot serve` processes on one PostgreSQL: every event answered once, every reminder sent
once, and no reflection answer lost when one of them dies."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.reflection.catalog import Catalog
from bot.reflection.schedule import Scheduler
from bot.store.db import Database, make_engine
from tests.conftest import KNOWLEDGE
from tests.handlers.slack_harness import MockSlack, _start, payload, sign
from tests.scenarios.test_reflection_slack import Bot
from tests.storage import postgres_schema

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_two_replicas_share_the_work(built_index: Path, tmp_path: Path) -> None:
    with postgres_schema() as (url, options):
        schema = options["connect_args"]["options"].split("=", 1)[1]  # type: ignore[index]
        db_url = f"{url}?options=-csearch_path%3D{schema}"
        database = Database(make_engine(url, **options))
        database.migrate()

        async def scenario() -> None:
            slack = MockSlack()
            mock = web.Application()
            mock.router.add_post("/api/{method}", slack.handle)
            runner, slack.port = await _start(mock)
            replicas = [Bot(built_index, tmp_path / f"r{i}", slack) for i in range(2)]
            for bot in replicas:
                bot.env["LEDERBOT_DATABASE_URL"] = db_url
            try:
                await asyncio.gather(*(bot.start() for bot in replicas))
                # Slack delivers an event, times out, and retries it: the retry reaches the other replica.
                event = payload("app_mention")
                body = json.dumps(event, ensure_ascii=False)
                async with aiohttp.ClientSession() as session:
                    posts = [
                        session.post(
                            f"http://127.0.0.1:{bot.port}/slack/events",
                            data=body.encode(),
                            headers={
                                "Content-Type": "application/json",
                                **sign(body),
                                **({"X-Slack-Retry-Num": "1"} if i else {}),
                            },
                        )
                        for i, bot in enumerate(replicas)
                    ]
                    for response in await asyncio.gather(*posts):
                        assert response.status == 200
                await slack.wait_for("chat.postMessage")
                await asyncio.sleep(1.0)
                assert len(slack.of("chat.postMessage")) == 1

                # A reflection moves between replicas; one dies; nothing is lost.
                first, second = replicas
                assert "Spørsmål 1 av 3" in await first.dm(slack, "U0R1", "refleksjon verdier")
                assert "Spørsmål 2 av 3" in await second.dm(slack, "U0R1", "Svar fra replika to.")
                second.kill()
                assert "Spørsmål 3 av 3" in await first.dm(slack, "U0R1", "Svar fra replika en.")
                mine = await first.dm(slack, "U0R1", "mine svar")
                assert "Svar fra replika to." in mine and "Svar fra replika en." in mine
            finally:
                for bot in replicas:
                    if bot.process and bot.process.poll() is None:
                        bot.process.terminate()
                        bot.process.wait(timeout=30)
                await runner.cleanup()

        asyncio.run(scenario())

        # Both replicas' schedulers wake at the same moment: the prompt goes out once.
        catalog = Catalog.load(KNOWLEDGE / "reflections")
        start = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
        Scheduler(database=database, catalog=catalog, clock=lambda: start).plan(
            owner="leder", address="D1", is_group=False, text="man kl 08:30 verdier"
        )
        due = start + timedelta(minutes=31)
        schedulers = [
            Scheduler(database=Database(make_engine(url, **options)), catalog=catalog, clock=lambda: due)
            for _ in range(4)
        ]
        sent: list[int] = []
        barrier = threading.Barrier(len(schedulers))

        def run(scheduler: Scheduler) -> None:
            barrier.wait()
            sent.append(len(scheduler.tick()))

        threads = [threading.Thread(target=run, args=(s,)) for s in schedulers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(sent) == [0, 0, 0, 1]
        database.engine.dispose()
