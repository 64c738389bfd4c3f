"""Load: signed Slack events at rising rates on loopback against the real HTTP endpoint.

Usage:  python bench/load.py [--rates 5,10,20,40] [--seconds 10]
For each rate, events are sent at that rate for the given time (bounded); reported: answers per
second (chat.postMessage received by the mock Web API), latency from event to post p50/p95, and
errors (non-200 answers or events never answered within 30 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402
from bot.assistant import build_assistant  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.store.db import Database, make_engine  # noqa: E402
from loopback.core import make_dialog  # noqa: E402
from loopback.slack import Running, payload, running_bot  # noqa: E402


async def one_rate(bot: Running, questions: list[str], rate: float, seconds: float, offset: int) -> dict[str, float]:
    total = int(rate * seconds)
    sent_at: dict[str, float] = {}
    errors = 0

    async def send(i: int) -> None:
        nonlocal errors
        channel = f"DLOAD{offset + i}"
        event = payload("message_im")
        event["event_id"] = f"EvLoad{offset + i}"
        event["event"].update(text=questions[i % len(questions)], channel=channel, user=f"U{offset + i}")
        sent_at[channel] = time.monotonic()
        response = await bot.post_event(event)
        errors += response.status != 200

    started = time.monotonic()
    tasks = []
    for i in range(total):
        await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
        tasks.append(asyncio.create_task(send(i)))
    await asyncio.gather(*tasks)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done = {c.data["channel"] for c in bot.slack.of("chat.postMessage") if c.data.get("channel") in sent_at}
        if len(done) >= total:
            break
        await asyncio.sleep(0.05)
    posts = {c.data["channel"]: c.at for c in bot.slack.of("chat.postMessage") if c.data.get("channel") in sent_at}
    latencies = [posts[c] - sent_at[c] for c in posts]
    elapsed = (max(posts.values()) - started) if posts else float("nan")
    return {
        "rate_per_s": rate,
        "events": total,
        "answered": len(posts),
        "answers_per_s": round(len(posts) / elapsed, 1) if posts else 0.0,
        "p50_ms": round(1000 * percentile(latencies, 0.5), 1),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1),
        "errors": errors + (total - len(posts)),
    }


async def run(rates: list[float], seconds: float) -> list[dict[str, float]]:
    items = yaml.safe_load((ROOT.parent / "shared" / "eval" / "dev.yaml").read_text(encoding="utf-8"))
    questions = [" ".join(q["q"].split()) for q in items]
    assistant = build_assistant(Settings.load())
    assistant.load()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(make_engine(f"sqlite:///{tmp}/load.db"))
        database.migrate()
        async with running_bot(make_dialog(assistant, database)) as bot:
            offset = 0
            for rate in rates:
                results.append(await one_rate(bot, questions, rate, seconds, offset))
                offset += int(rate * seconds)
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="5,10,20,40")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    results = asyncio.run(run([float(r) for r in args.rates.split(",")], args.seconds))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"{'rate/s':>7} {'events':>7} {'answered':>9} {'answers/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for r in results:
        print(
            f"{r['rate_per_s']:>7} {r['events']:>7} {r['answered']:>9} {r['answers_per_s']:>10} "
            f"{r['p50_ms']:>8} {r['p95_ms']:>8} {r['errors']:>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
