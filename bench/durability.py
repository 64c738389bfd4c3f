"""Nothing lost, nothing twice: two `lederbot serve` replicas on one PostgreSQL (started here, on a
temporary folder), killed right after the acknowledgement and cut off from the database.

Usage:  python bench/durability.py [--kill-trials 5] [--outage-trials 2] [--outage-seconds 15]

Kill trials: three DMs to one replica, kill -9 the moment the acks are back, restart it; every
event must be answered once (by the other replica, which takes it over when the lease runs out).
Outage trials: DMs at 4/s to alternating replicas while PostgreSQL is stopped for the given time.
Slack is played pessimistically: every first delivery's ack is taken as lost, so a retry goes to
the other replica at once; refused retries are sent again after 10 s and 30 s (Slack waits about
1 and 5 minutes). A leader in a reflection answers during the outage, is told it was not saved,
and sends it again once the bot is healthy; the stored answers must sit under the right questions.
Reported: lost and doubled answers (targets 0), reflection answers lost or misfiled (target 0),
acknowledgement time p50/p99/max over every delivery (target p99 ≤ 1 s), and take-over time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.identity import Pseudonymizer  # noqa: E402
from bot.reflection import data  # noqa: E402
from bot.reflection.catalog import Catalog  # noqa: E402
from bot.store.db import Database, make_engine  # noqa: E402
from bot.store.inbox import InboxEvent  # noqa: E402
from loopback.postgres import PostgresServer  # noqa: E402
from loopback.replica import LEASE, Replica, dm_event  # noqa: E402
from loopback.slack import MockSlack, start_on_loopback  # noqa: E402

QUESTIONS = [
    "Hva er en delegeringssperre?",
    "Hvem har ansvaret når myndighet er delegert?",
    "Hva betyr lojalitet for en leder?",
    "Hvordan kan jeg si fra om kritikkverdige forhold?",
]


class Run:
    def __init__(self, slack: MockSlack, database: Database, replicas: list[Replica]) -> None:
        self.slack = slack
        self.database = database
        self.replicas = replicas
        self.acks: list[float] = []
        self.expected: list[str] = []  # channels that must get exactly one answer

    async def deliver(self, replica: Replica, event: dict[str, Any], retry: int | None = None) -> int:
        status, took = await replica.deliver(event, retry=retry)
        self.acks.append(took)
        return status

    def open_events(self) -> int:
        with self.database.session() as session:
            return session.query(InboxEvent).filter(InboxEvent.state == "claimed").count()

    async def settle(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.open_events():
            await asyncio.sleep(0.2)

    async def quiet(self, seconds: float, timeout: float = 300) -> None:
        """Until no event is open and no answer has come for ``seconds``: a late second answer (a
        take-over after the lease, a write-back) must have had its chance before anything is counted."""
        deadline = time.monotonic() + timeout
        last, since = len(self.slack.of("chat.postMessage")), time.monotonic()
        while time.monotonic() < deadline:
            count = len(self.slack.of("chat.postMessage"))
            if count != last:
                last, since = count, time.monotonic()
            elif time.monotonic() - since >= seconds and not self.open_events():
                return
            await asyncio.sleep(0.2)


async def kill_trial(run: Run, t: int) -> float:
    doomed = run.replicas[t % 2]
    events = [dm_event(f"EvBKill{t}-{i}", f"UBK{t}X{i}", QUESTIONS[i % len(QUESTIONS)]) for i in range(3)]
    statuses = await asyncio.gather(*(run.deliver(doomed, e) for e in events))
    killed = time.monotonic()
    doomed.kill()
    run.expected += [e["event"]["channel"] for e in events]
    assert statuses == [200, 200, 200], statuses
    channels = {e["event"]["channel"] for e in events}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        answered = {c.data.get("channel") for c in run.slack.of("chat.postMessage")}
        if channels <= answered:
            break
        await asyncio.sleep(0.05)
    took = time.monotonic() - killed
    await run.settle()
    await doomed.start()
    return took


async def outage_trial(run: Run, server: PostgresServer, t: int, seconds: float) -> tuple[int, int]:
    first, second = run.replicas
    user = f"UBREF{t}"
    assert "Spørsmål 1 av" in await first.dm(run.slack, user, "refleksjon verdier")
    assert "Spørsmål 2 av" in await first.dm(run.slack, user, f"Svar en, runde {t}.")
    retries: list[asyncio.Task[None]] = []

    async def slack_delivers(i: int, event: dict[str, Any]) -> None:
        home, other = run.replicas[i % 2], run.replicas[(i + 1) % 2]
        await run.deliver(home, event)
        # Pessimistic: the ack is taken as lost, so Slack retries at once to the other replica.
        await asyncio.sleep(0.5)
        if await run.deliver(other, event, retry=1) == 200:
            return
        await asyncio.sleep(9.5)
        if await run.deliver(home, event, retry=2) == 200:
            return
        await asyncio.sleep(20)
        await run.deliver(other, event, retry=3)

    start = time.monotonic()
    stopped = restarted = False
    reflection_told = False
    i = 0
    while time.monotonic() - start < seconds + 4:
        now = time.monotonic() - start
        if not stopped and now >= 2:
            server.stop()
            stopped = True
            await asyncio.gather(*(r.wait_healthy("degraded") for r in run.replicas))
            during = await second.dm(run.slack, user, f"Svar to, runde {t}.")
            reflection_told = "ikke lagret" in during
        if stopped and not restarted and now >= 2 + seconds:
            server.start()
            restarted = True
        event = dm_event(f"EvBOut{t}-{i}", f"UBO{t}X{i}", QUESTIONS[i % len(QUESTIONS)])
        run.expected.append(event["event"]["channel"])
        retries.append(asyncio.create_task(slack_delivers(i, event)))
        i += 1
        await asyncio.sleep(0.25)
    if not restarted:
        server.start()
    await asyncio.gather(*(r.wait_healthy("ok") for r in run.replicas))
    lost_reflection = 0
    if reflection_told:
        reply = await first.dm(run.slack, user, f"Svar to, runde {t}.")
        lost_reflection += "Spørsmål 3 av" not in reply
    await asyncio.gather(*retries)
    await run.settle()
    catalog = Catalog.load(ROOT / "knowledge" / "reflections")
    theme = catalog.find("verdier")
    assert theme is not None
    owner = Pseudonymizer(key=b"a-test-key-that-is-long-enough").owner_key("slack", user)
    saved = [(r["question"], r["answer"]) for r in data.answers_of(run.database, catalog, owner)]
    wanted = [(theme.questions[0].text, f"Svar en, runde {t}."), (theme.questions[1].text, f"Svar to, runde {t}.")]
    misfiled = sum(1 for pair in saved if pair not in wanted)
    lost_reflection += sum(1 for pair in wanted if pair not in saved)
    return lost_reflection, misfiled + (0 if reflection_told else 1)


async def main_async(kill_trials: int, outage_trials: int, outage_seconds: float) -> dict[str, Any]:
    index = Settings.load().index_dir
    server = PostgresServer()
    server.start()
    slack = MockSlack()
    mock = web.Application()
    mock.router.add_post("/api/{method}", slack.handle)
    runner, slack.port = await start_on_loopback(mock)
    replicas: list[Replica] = []
    try:
        url = server.create_database("bench")
        database = Database(make_engine(url))
        database.migrate()
        with tempfile.TemporaryDirectory() as tmp:
            replicas = [Replica(index, Path(tmp) / f"r{i}", slack, database_url=url) for i in range(2)]
            await asyncio.gather(*(r.start() for r in replicas))
            run = Run(slack, database, replicas)
            takeovers = [await kill_trial(run, t) for t in range(kill_trials)]
            reflection_lost = reflection_misfiled = 0
            for t in range(outage_trials):
                lost, misfiled = await outage_trial(run, server, t, outage_seconds)
                reflection_lost += lost
                reflection_misfiled += misfiled
            # Two leases and a few sweeps: longer than any take-over or write-back can wait.
            await run.quiet(seconds=3 * LEASE + 2)
            with database.session() as session:
                taken_over = session.query(InboxEvent).filter(InboxEvent.attempts > 1).count()
            per_channel = Counter(str(c.data.get("channel")) for c in slack.of("chat.postMessage"))
            lost_events = sum(1 for c in run.expected if per_channel[c] == 0)
            doubled_in = sorted(c for c in run.expected if per_channel[c] > 1)
            doubled = len(doubled_in)
            database.engine.dispose()
            return {
                "kill_trials": kill_trials,
                "outage_trials": outage_trials,
                "outage_seconds": outage_seconds,
                "events": len(run.expected),
                "lost": lost_events,
                "doubled": doubled,
                "doubled_in": doubled_in,  # DUBK…: a kill trial, DUBO…: an outage trial
                "reflection_answers_lost": reflection_lost,
                "reflection_answers_misfiled": reflection_misfiled,
                "deliveries": len(run.acks),
                "ack_ms_p50": round(1000 * percentile(run.acks, 0.5), 1),
                "ack_ms_p99": round(1000 * percentile(run.acks, 0.99), 1),
                "ack_ms_max": round(1000 * max(run.acks), 1),
                "taken_over": taken_over,
                "kill_to_answered_s_max": round(max(takeovers), 2) if takeovers else None,
            }
    finally:
        for replica in replicas:
            replica.stop()
        await runner.cleanup()
        server.destroy()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kill-trials", type=int, default=5)
    parser.add_argument("--outage-trials", type=int, default=2)
    parser.add_argument("--outage-seconds", type=float, default=15.0)
    args = parser.parse_args()
    report = asyncio.run(main_async(args.kill_trials, args.outage_trials, args.outage_seconds))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "durability.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    for key, value in report.items():
        print(f"{key:30} {value}")
    ok = report["lost"] == 0 and report["doubled"] == 0 and report["ack_ms_p99"] <= 1000
    ok = ok and report["reflection_answers_lost"] == 0 and report["reflection_answers_misfiled"] == 0
    print("nothing lost, nothing twice, acks within 1 s:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
