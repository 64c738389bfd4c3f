"""Two `lederbot serve` processes on one PostgreSQL (a server the test starts itself): every event
answered once, every reminder sent once, no reflection answer lost when one of them dies, an event
acknowledged by a replica killed right after the ack answered by the other, and database outages
that lose no reflection answer and answer no question twice."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.identity import Pseudonymizer
from bot.reflection import data
from bot.reflection.catalog import Catalog
from bot.reflection.schedule import Scheduler
from bot.store.db import Database, make_engine
from bot.store.inbox import InboxEvent
from loopback.postgres import PostgresServer
from loopback.replica import Replica, dm_event
from loopback.slack import MockSlack, payload, start_on_loopback
from tests.conftest import KNOWLEDGE

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@asynccontextmanager
async def replicas(index: Path, tmp_path: Path, url: str, count: int) -> AsyncIterator[tuple[MockSlack, list[Replica]]]:
    slack = MockSlack()
    mock = web.Application()
    mock.router.add_post("/api/{method}", slack.handle)
    runner, slack.port = await start_on_loopback(mock)
    started = [Replica(index, tmp_path / f"r{i}", slack, database_url=url) for i in range(count)]
    try:
        await asyncio.gather(*(bot.start() for bot in started))
        yield slack, started
    finally:
        for bot in started:
            bot.stop()
        await runner.cleanup()


def _migrated(server: PostgresServer) -> tuple[str, Database]:
    url = server.create_database()
    database = Database(make_engine(url))
    database.migrate()  # once, before two replicas start (each would migrate at start)
    return url, database


def _inbox(database: Database) -> dict[str, InboxEvent]:
    with database.session() as session:
        return {row.key: row for row in session.query(InboxEvent)}


async def _until(check: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("the condition was never met")
        await asyncio.sleep(0.1)


def _answers_per_channel(slack: MockSlack) -> Counter[str]:
    return Counter(str(c.data.get("channel")) for c in slack.of("chat.postMessage"))


def test_two_replicas_share_the_work(built_index: Path, tmp_path: Path, own_postgres: PostgresServer) -> None:
    url, database = _migrated(own_postgres)

    async def scenario() -> None:
        async with replicas(built_index, tmp_path, url, 2) as (slack, (first, second)):
            # Slack delivers an event, times out, and retries it: the retry reaches the other replica.
            event = payload("app_mention")
            statuses = await asyncio.gather(first.deliver(event), second.deliver(event, retry=1))
            assert [status for status, _ in statuses] == [200, 200]
            # One replica stored and handled it, the other recognised it: wait for both signals.
            await _until(lambda: _inbox(database)[f"slack:{event['event_id']}"].state == "done")
            duplicates = [await bot.sample("lederbot_duplicate_deliveries_total") for bot in (first, second)]
            assert sorted(duplicates) == [0.0, 1.0]
            assert len(slack.of("chat.postMessage")) == 1

            # A reflection moves between replicas; one dies; nothing is lost.
            assert "Spørsmål 1 av 3" in await first.dm(slack, "U0R1", "refleksjon verdier")
            assert "Spørsmål 2 av 3" in await second.dm(slack, "U0R1", "Svar fra replika to.")
            second.kill()
            assert "Spørsmål 3 av 3" in await first.dm(slack, "U0R1", "Svar fra replika en.")
            mine = await first.dm(slack, "U0R1", "mine svar")
            assert "Svar fra replika to." in mine and "Svar fra replika en." in mine

    asyncio.run(scenario())

    # Both replicas' schedulers wake at the same moment: the prompt goes out once.
    catalog = Catalog.load(KNOWLEDGE / "reflections")
    start = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    Scheduler(database=database, catalog=catalog, clock=lambda: start).plan(
        owner="leder", address="D1", is_group=False, text="man kl 08:30 verdier"
    )
    due = start + timedelta(minutes=31)
    schedulers = [Scheduler(database=Database(make_engine(url)), catalog=catalog, clock=lambda: due) for _ in range(4)]
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


QUESTIONS = [
    "Hva er en delegeringssperre?",
    "Hvem har ansvaret når myndighet er delegert?",
    "Hva betyr lojalitet for en leder i kommunen?",
]


def test_kill_right_after_the_ack_is_answered_once_by_the_other(
    built_index: Path, tmp_path: Path, own_postgres: PostgresServer
) -> None:
    url, database = _migrated(own_postgres)

    async def scenario() -> None:
        async with replicas(built_index, tmp_path, url, 2) as (slack, (doomed, survivor)):
            events = [dm_event(f"EvKill{i}", f"U0KILL{i}", q) for i, q in enumerate(QUESTIONS)]
            acks = await asyncio.gather(*(doomed.deliver(e) for e in events))
            doomed.kill()  # kill -9 the moment the acknowledgements are out
            assert [status for status, _ in acks] == [200, 200, 200]

            # The survivor takes the events over once their lease runs out; each is answered.
            await slack.wait_for("chat.postMessage", len(events), timeout=60)
            keys = [f"slack:{e['event_id']}" for e in events]
            await _until(lambda: all(_inbox(database)[k].state == "done" for k in keys))
            # Nothing holds an event any more: the calls below are the complete set.
            assert _answers_per_channel(slack) == Counter({f"DU0KILL{i}": 1 for i in range(len(events))})
            rows = _inbox(database)
            assert any(rows[k].attempts == 2 for k in keys)  # at least one was taken over, not finished by the dead
            assert await survivor.sample("lederbot_inbox_takeovers_total") >= 1
            assert all(rows[k].payload is None for k in keys)  # what the leader wrote is not kept

    asyncio.run(scenario())
    database.engine.dispose()


def test_reflection_answer_during_an_outage_is_never_lost_or_misfiled(
    built_index: Path, tmp_path: Path, own_postgres: PostgresServer
) -> None:
    url, database = _migrated(own_postgres)

    async def scenario() -> None:
        async with replicas(built_index, tmp_path, url, 1) as (slack, (bot,)):
            assert "Spørsmål 1 av 3" in await bot.dm(slack, "U0OUT", "refleksjon verdier")
            assert "Spørsmål 2 av 3" in await bot.dm(slack, "U0OUT", "Svar før bruddet.")

            own_postgres.stop()
            await bot.wait_healthy("degraded")
            assert await bot.sample("lederbot_database_up") == 0.0
            during = await bot.dm(slack, "U0OUT", "Svar under bruddet.")
            assert "ikke lagret" in during and "send det samme svaret på nytt" in during
            # A question is still answered from the index while the database is down.
            assert "delegeringssperre" in await bot.dm(slack, "U0ASK", "Hva er en delegeringssperre?")

            own_postgres.start()
            await bot.wait_healthy("ok")
            assert await bot.sample("lederbot_database_up") == 1.0
            # The session did not move on: sent again, the answer lands under question 2.
            assert "Spørsmål 3 av 3" in await bot.dm(slack, "U0OUT", "Svar under bruddet.")
            mine = await bot.dm(slack, "U0OUT", "mine svar")
            assert "Svar før bruddet." in mine and "Svar under bruddet." in mine

    asyncio.run(scenario())
    catalog = Catalog.load(KNOWLEDGE / "reflections")
    owner = Pseudonymizer(key=b"a-test-key-that-is-long-enough").owner_key("slack", "U0OUT")
    saved = data.answers_of(database, catalog, owner)
    theme = catalog.find("verdier")
    assert theme is not None
    assert [r["answer"] for r in saved] == ["Svar før bruddet.", "Svar under bruddet."]
    # Each under its own question: nothing shifted by the outage.
    assert [r["question"] for r in saved] == [q.text for q in theme.questions[:2]]
    database.engine.dispose()


def test_retries_to_the_other_replica_during_an_outage_are_answered_at_most_once(
    built_index: Path, tmp_path: Path, own_postgres: PostgresServer
) -> None:
    url, database = _migrated(own_postgres)

    async def scenario() -> None:
        async with replicas(built_index, tmp_path, url, 2) as (slack, (first, second)):
            own_postgres.stop()
            await asyncio.gather(first.wait_healthy("degraded"), second.wait_healthy("degraded"))
            event = dm_event("EvOutage1", "U0RETRY", "Hva er en delegeringssperre?")
            # The first delivery is answered from the index; Slack's retry to the other replica is
            # refused (503), because that replica cannot know the first was answered.
            assert (await first.deliver(event))[0] == 200
            assert (await second.deliver(event, retry=1))[0] == 503
            await first.wait_sample("lederbot_events_handled_total", 1, channel="slack")
            assert await second.sample("lederbot_inbox_events_total", channel="slack", outcome="refused") == 1

            own_postgres.start()
            await asyncio.gather(first.wait_healthy("ok"), second.wait_healthy("ok"))
            # The first replica writes back what it answered while the database was down ...
            await _until(lambda: "slack:EvOutage1" in _inbox(database))
            assert _inbox(database)["slack:EvOutage1"].state == "done"
            # ... so Slack's later retry is recognised by the other replica.
            assert (await second.deliver(event, retry=2))[0] == 200
            assert await second.sample("lederbot_duplicate_deliveries_total") == 1
            assert await second.sample("lederbot_events_handled_total", channel="slack") == 0
            assert _answers_per_channel(slack) == Counter({"DU0RETRY": 1})

    asyncio.run(scenario())
    database.engine.dispose()
