"""Acknowledgements and modals under load: 20 and 50 long questions in flight, then new events,
clicks that open a modal and health checks, timed from the request to Slack's side.

Usage:  python bench/ack_latency.py [--in-flight 20,50] [--seconds 6] [--mode http|socket|both]

Reported per level: ack time of new events (HTTP response to the signed POST) p50/p99/max,
modal-open time (click sent → `views.open` received by the mock Web API; Slack's trigger ids
expire after 3 s; alternately 👎 and a group reflection's «Svar») p50/p99/max, /healthz p99,
and how many long questions were still in flight when the probes ended (so the load was really
there). Target: ack and modal p99 within 1 s.

Transports: `http` (signed requests to /slack/events) and `socket` (envelopes on a local WebSocket
standing in for Slack's Socket Mode; the ack is the bot's envelope reply). `--mode both` runs each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402
from bot.assistant import build_assistant  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.store.db import Database, make_engine  # noqa: E402
from handlers.slack.socket_mode import socket_mode_starter  # noqa: E402
from tests.dialogs import make_dialog  # noqa: E402
from tests.handlers.slack_harness import APP_TOKEN, Running, payload, running_bot  # noqa: E402


class Transport(Protocol):
    async def event(self, body: dict[str, Any]) -> int: ...

    async def action(self, body: dict[str, Any]) -> int: ...


class HttpTransport:
    def __init__(self, bot: Running) -> None:
        self._bot = bot

    async def event(self, body: dict[str, Any]) -> int:
        return (await self._bot.post_event(body)).status

    async def action(self, body: dict[str, Any]) -> int:
        return (await self._bot.post_action(body)).status


class SocketTransport:
    """Slack's side of Socket Mode: an envelope out, the bot's ack back on the same WebSocket."""

    def __init__(self, bot: Running) -> None:
        self._bot = bot

    async def event(self, body: dict[str, Any]) -> int:
        await self._bot.slack.send_envelope("events_api", body, timeout=60)
        return 200

    async def action(self, body: dict[str, Any]) -> int:
        await self._bot.slack.send_envelope("interactive", body, timeout=60)
        return 200


def long_question(questions: list[str], i: int) -> str:
    """~1,900 characters of real questions: the slowest search the bot accepts (it cuts at 2,000)."""
    text, k = "", i
    while len(text) < 1900:
        text += questions[k % len(questions)] + " "
        k += 1
    return text[:1900]


def dm(event_id: str, channel: str, text: str) -> dict[str, Any]:
    event = payload("message_im")
    event["event_id"] = event_id
    event["event"].update(text=text, channel=channel, user="U" + channel[1:], ts=f"{time.time():.6f}")
    return event


async def wait_modal(bot: Running, trigger: str, timeout: float = 30.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in bot.slack.of("views.open"):
            if call.data.get("trigger_id") == trigger:
                return call.at
        await asyncio.sleep(0.005)
    return float("inf")


async def start_group(bot: Running, transport: Transport) -> str:
    """A group reflection in a channel; the value of its «Svar» button (which opens a modal)."""
    command = payload("slash_leder", response_url=bot.slack.response_url("group"))
    command.update(command="/refleksjon", text="gruppe verdier", user_id="U0FASIL")
    before = len(bot.slack.of("chat.postMessage"))
    await bot.post_form(command)
    opening = (await bot.slack.wait_for("chat.postMessage", before + 1, timeout=60))[-1]
    blocks = opening.data["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    for block in blocks:
        for element in block.get("elements", []):
            if str(element.get("action_id", "")).startswith("reflection_answer"):
                return str(element["value"])
    raise RuntimeError("the group reflection has no «Svar» button")


async def level(
    bot: Running, transport: Transport, questions: list[str], n: int, seconds: float, group: str
) -> dict[str, Any]:
    tag = f"L{n}"
    long_channels = [f"D{tag}LONG{i}" for i in range(n)]
    await asyncio.gather(
        *(transport.event(dm(f"Ev{tag}Long{i}", c, long_question(questions, i))) for i, c in enumerate(long_channels))
    )
    acks: list[float] = []
    modals: list[float] = []
    health: list[float] = []

    async def probe_event(i: int) -> None:
        started = time.monotonic()
        status = await transport.event(dm(f"Ev{tag}Probe{i}", f"D{tag}PROBE{i}", questions[i % len(questions)]))
        acks.append(time.monotonic() - started if status == 200 else float("inf"))

    async def probe_modal(i: int) -> None:
        # Alternately 👎 (asks why) and the group's «Svar» (the private answer form).
        trigger = f"{tag}.trigger.{i}"
        if i % 2:
            reply_to = bot.slack.response_url(f"{tag}{i}")
            click = payload("block_actions", response_url=reply_to, action_id="feedback_down")
            click["actions"][0]["value"] = f"ref{tag}{i}"
        else:
            click = payload("block_actions", response_url=bot.slack.response_url(), action_id="reflection_answer_0")
            click["actions"][0]["value"] = group
            click["user"] = {"id": f"U{tag}M{i}", "username": "medlem", "team_id": "T0HEIM"}
        click["trigger_id"] = trigger
        started = time.monotonic()
        await transport.action(click)
        modals.append(await wait_modal(bot, trigger) - started)

    async def probe_health() -> None:
        started = time.monotonic()
        async with bot.session.get(f"{bot.bot_url}/healthz") as response:
            await response.read()
        health.append(time.monotonic() - started)

    tasks = []
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < seconds:
        tasks += [
            asyncio.create_task(probe_event(i)),
            asyncio.create_task(probe_modal(i)),
            asyncio.create_task(probe_health()),
        ]
        i += 1
        await asyncio.sleep(0.2)
    await asyncio.gather(*tasks)
    answered = {c.data.get("channel") for c in bot.slack.of("chat.postMessage")}
    still = sum(1 for c in long_channels if c not in answered)
    # Let the backlog drain before the next level (bounded).
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        answered = {c.data.get("channel") for c in bot.slack.of("chat.postMessage")}
        if all(c in answered for c in long_channels):
            break
        await asyncio.sleep(0.2)
    return {
        "in_flight": n,
        "still_in_flight_after_probes": still,
        "probes": i,
        "ack_ms_p50": round(1000 * percentile(acks, 0.5), 1),
        "ack_ms_p99": round(1000 * percentile(acks, 0.99), 1),
        "ack_ms_max": round(1000 * max(acks), 1),
        "modal_open_ms_p50": round(1000 * percentile(modals, 0.5), 1),
        "modal_open_ms_p99": round(1000 * percentile(modals, 0.99), 1),
        "modal_open_ms_max": round(1000 * max(modals), 1),
        "healthz_ms_p99": round(1000 * percentile(health, 0.99), 1),
    }


async def run(levels: list[int], seconds: float, mode: str) -> list[dict[str, Any]]:
    dev = next(p / "shared/eval/dev.yaml" for p in ROOT.parents if (p / "shared/eval/dev.yaml").is_file())
    items = yaml.safe_load(dev.read_text(encoding="utf-8"))
    questions = [" ".join(q["q"].split()) for q in items]
    assistant = build_assistant(Settings.load())
    assistant.load()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(make_engine(f"sqlite:///{tmp}/ack.db"))
        database.migrate()
        async with running_bot(make_dialog(assistant, database)) as bot:
            socket = None
            transport: Transport = HttpTransport(bot)
            if mode == "socket":
                assert bot.bolt is not None
                socket = await socket_mode_starter(bot.bolt, app_token=APP_TOKEN)()
                await bot.slack.wait_for_socket()
                transport = SocketTransport(bot)
            try:
                await transport.event(dm(f"EvWarm{mode}", "DWARM", questions[0]))
                await bot.slack.wait_for("chat.postMessage", 1, timeout=120)
                group = await start_group(bot, transport)
                for n in levels:
                    results.append({"mode": mode, **await level(bot, transport, questions, n, seconds, group)})
            finally:
                if socket is not None:
                    await socket.close_async()
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--in-flight", default="20,50")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--mode", default="both", choices=["http", "socket", "both"])
    args = parser.parse_args()
    levels = [int(n) for n in args.in_flight.split(",")]
    modes = ["http", "socket"] if args.mode == "both" else [args.mode]
    results = [r for mode in modes for r in asyncio.run(run(levels, args.seconds, mode))]
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ack_latency.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    for r in results:
        print(json.dumps(r))
    ok = all(r["ack_ms_p99"] <= 1000 and r["modal_open_ms_p99"] <= 1000 for r in results)
    print("within 1 s:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
