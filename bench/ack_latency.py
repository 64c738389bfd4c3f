"""Acknowledgements and modals under load: 20 and 50 long questions in flight, then new events,
clicks that open a modal and health checks, timed from the request to Slack's side.

Usage:  python bench/ack_latency.py [--in-flight 20,50] [--seconds 6] [--mode http|socket|both]

Reported per level: ack time of new events (HTTP response to the signed POST) p50/p99/max,
modal-open time (click sent → `views.open` received by the mock Web API; Slack's trigger ids
expire after 3 s; alternately 👎 and a group reflection's «Svar») p50/p99/max, /healthz p99,
and the fewest long questions waiting for their answer when a probe was sent (the load is kept up:
each answered long question is replaced at once). Target: ack and modal p99 within 1 s.

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
from loopback.core import make_dialog  # noqa: E402
from loopback.slack import APP_TOKEN, Running, payload, running_bot  # noqa: E402


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


async def answered_refs(
    bot: Running, transport: Transport, tag: str, count: int, questions: list[str]
) -> list[tuple[int, str]]:
    """Real answers to click 👎 on (only the asker's own answer opens the reason modal): (asker, reference).
    Twice as many questions as needed are asked: a «nothing certain» reply has no buttons."""
    before = len(bot.slack.of("chat.postMessage"))
    asked = 2 * count
    await asyncio.gather(
        *(transport.event(dm(f"Ev{tag}Fb{i}", f"D{tag}FB{i}", questions[i % len(questions)])) for i in range(asked))
    )
    posts = (await bot.slack.wait_for("chat.postMessage", before + asked, timeout=300))[before:]
    refs: dict[str, str] = {}
    for post in posts:
        blocks = post.data.get("blocks") or []
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        for block in blocks:
            for element in block.get("elements", []):
                if element.get("action_id") == "feedback_down":
                    refs[str(post.data["channel"])] = str(element["value"])
    found = [(i, refs[f"D{tag}FB{i}"]) for i in range(asked) if f"D{tag}FB{i}" in refs]
    if len(found) < count:
        raise RuntimeError(f"only {len(found)} of {asked} questions got an answer with buttons")
    return found[:count]


def long_answers(bot: Running, tag: str) -> int:
    prefix = f"D{tag}LONG"
    return sum(1 for c in bot.slack.of("chat.postMessage") if str(c.data.get("channel", "")).startswith(prefix))


async def level(
    bot: Running, transport: Transport, questions: list[str], n: int, seconds: float, group: str
) -> dict[str, Any]:
    tag = f"L{n}"
    probes = int(seconds / 0.2) + 1
    refs = await answered_refs(bot, transport, tag, (probes + 1) // 2, questions)
    acks: list[float] = []
    modals: list[float] = []
    health: list[float] = []
    in_flight: list[int] = []
    sent = 0

    async def keep_loaded(stop: asyncio.Event) -> None:
        # Keep n long questions waiting for an answer the whole time the probes run.
        nonlocal sent
        while not stop.is_set():
            missing = n - (sent - long_answers(bot, tag))
            batch = [sent + k for k in range(max(missing, 0))]
            sent += len(batch)
            await asyncio.gather(
                *(transport.event(dm(f"Ev{tag}Long{k}", f"D{tag}LONG{k}", long_question(questions, k))) for k in batch)
            )
            await asyncio.sleep(0.05)

    async def probe_event(i: int) -> None:
        in_flight.append(sent - long_answers(bot, tag))
        started = time.monotonic()
        status = await transport.event(dm(f"Ev{tag}Probe{i}", f"D{tag}PROBE{i}", questions[i % len(questions)]))
        acks.append(time.monotonic() - started if status == 200 else float("inf"))

    async def probe_modal(i: int) -> None:
        # Alternately 👎 on the asker's own answer (asks why) and the group's «Svar» (the private form).
        trigger = f"{tag}.trigger.{i}"
        if i % 2:
            k, reference = refs[i // 2]
            reply_to = bot.slack.response_url(f"{tag}{i}")
            click = payload("block_actions", response_url=reply_to, action_id="feedback_down")
            click["actions"][0]["value"] = reference
            click["user"] = {"id": f"U{tag}FB{k}", "username": "leder", "team_id": "T0HEIM"}
            click["channel"] = {"id": f"D{tag}FB{k}", "name": "directmessage"}
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

    stop = asyncio.Event()
    loader = asyncio.create_task(keep_loaded(stop))
    while sent < n:  # the load is there before the first probe
        await asyncio.sleep(0.01)
    tasks = []
    started = time.monotonic()
    for i in range(probes):
        tasks += [
            asyncio.create_task(probe_event(i)),
            asyncio.create_task(probe_modal(i)),
            asyncio.create_task(probe_health()),
        ]
        await asyncio.sleep(max(0.0, started + 0.2 * (i + 1) - time.monotonic()))
    await asyncio.gather(*tasks)
    stop.set()
    await loader
    # Let the backlog drain before the next level (bounded).
    deadline = time.monotonic() + 600
    while long_answers(bot, tag) < sent and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    return {
        "in_flight": n,
        "long_in_flight_at_probe_min": min(in_flight),
        "long_questions_sent": sent,
        "probes": probes,
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
