"""Slack latency: time from a signed event on loopback to the bot's chat.postMessage, over 100 questions.

Usage:  python bench/slack_latency.py [--n 100]
Uses the real aiohttp server and Bolt app, a mock Slack Web API on a free port and SQLite.
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
from bot.dialog import Dialog  # noqa: E402
from bot.store.db import Database, make_engine  # noqa: E402
from loopback.core import make_dialog  # noqa: E402
from loopback.slack import payload, running_bot  # noqa: E402


async def measure(dialog: Dialog, questions: list[str], n: int) -> list[float]:
    latencies = []
    async with running_bot(dialog) as bot:
        for i in range(n):
            event = payload("message_im")
            event["event_id"] = f"EvBench{i}"
            event["event"]["text"] = questions[i % len(questions)]
            before = len(bot.slack.of("chat.postMessage"))
            started = time.monotonic()
            await bot.post_event(event)
            calls = await bot.slack.wait_for("chat.postMessage", before + 1)
            latencies.append(calls[-1].at - started)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    items = yaml.safe_load((ROOT.parent / "shared" / "eval" / "dev.yaml").read_text(encoding="utf-8"))
    questions = [" ".join(q["q"].split()) for q in items]
    assistant = build_assistant(Settings.load())
    assistant.load()
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(make_engine(f"sqlite:///{tmp}/bench.db"))
        database.migrate()
        latencies = asyncio.run(measure(make_dialog(assistant, database), questions, args.n))
    report = {
        "events": len(latencies),
        "event_to_post_ms_p50": round(1000 * percentile(latencies, 0.5), 1),
        "event_to_post_ms_p95": round(1000 * percentile(latencies, 0.95), 1),
        "event_to_post_ms_max": round(1000 * max(latencies), 1),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "slack_latency.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    for key, value in report.items():
        print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
