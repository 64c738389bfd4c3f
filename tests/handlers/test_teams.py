"""Teams through the Bot Framework protocol: recorded activities over HTTP to /api/messages, replies
to a local mock connector at the activity's serviceUrl; and conversations with the SDK's TestFlow."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from microsoft_agents.testing import TestFlow

from bot.config import Settings
from bot.dialog import Dialog
from handlers.launch import build_channels
from handlers.teams.app import TeamsOptions, build_teams_agent
from loopback.core import make_intake
from loopback.slack import PAYLOADS, start_on_loopback
from loopback.teams import ReplyAdapter
from tests.conftest import ROOT
from tests.handlers.cards.check import record, teams_cards_are_valid  # noqa: F401  (autouse: every card checked)

pytestmark = pytest.mark.integration


class MockConnector:
    """The Bot Framework connector the bot replies to (POST /v3/conversations/{id}/activities/{replyToId})."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any], str | None]] = []
        self.typing = 0  # the SDK's «skriver …» on a turn past half a second: counted, not a reply
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("type") == "typing":
            self.typing += 1
            return web.json_response({"id": f"typing-{self.typing}"})
        record(body)
        self.received.append((request.path, body, request.headers.get("Authorization")))
        return web.json_response({"id": f"reply-{len(self.received)}"})

    async def wait(self, count: int = 1, timeout: float = 30) -> list[tuple[str, dict[str, Any], str | None]]:
        for _ in range(int(timeout / 0.05)):
            if len(self.received) >= count:
                return self.received
            await asyncio.sleep(0.05)
        raise AssertionError(f"the connector got {len(self.received)} activities, expected {count}")


def _activity(service_url: str, text: str, **changes: Any) -> dict[str, Any]:
    raw = (PAYLOADS / "teams_message.json").read_text(encoding="utf-8")
    activity = json.loads(raw.replace("{service_url}", service_url).replace("{text}", text))
    activity.update(changes)
    return activity


def _content(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


def card_text(reply: Any) -> str:
    """Every line a reply shows, from its card(s): TextRuns and TextBlocks, one per line."""
    lines: list[str] = [reply.text] if getattr(reply, "text", None) else []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("TextRun", "TextBlock"):
                lines.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for attachment in getattr(reply, "attachments", None) or []:
        walk(attachment.content)
    return "\n".join(lines)


def shows(expected: str) -> Any:
    async def check(reply: Any) -> None:
        assert expected in card_text(reply), card_text(reply)

    return check


async def _serve(dialog: Dialog, options: TeamsOptions) -> tuple[web.AppRunner, int]:
    served = build_channels(Settings(), dialog, slack_secrets=None, teams_options=options, periodic=False)
    return await start_on_loopback(served.server)


def test_anonymous_message_is_answered_at_the_service_url(dialog: Dialog) -> None:
    async def scenario() -> None:
        connector = MockConnector()
        mock = web.Application()
        mock.router.add_post("/{tail:.*}", connector.handle)
        mock_runner, connector.port = await start_on_loopback(mock)
        runner, port = await _serve(dialog, TeamsOptions(allow_anonymous=True))
        service_url = f"http://127.0.0.1:{connector.port}/"
        try:
            async with aiohttp.ClientSession() as session:
                activity = _activity(service_url, "Hvem har ansvaret når myndighet er delegert?")
                async with session.post(f"http://127.0.0.1:{port}/api/messages", json=activity) as response:
                    assert response.status in (200, 202)
                [(path, body, authorization)] = await connector.wait()
                assert path == f"/v3/conversations/{activity['conversation']['id']}/activities/{activity['id']}"
                assert authorization is None  # anonymous mode sends no token to a local connector
                assert not body.get("text") and body.get("summary")  # one message: the card with its summary
                [card] = body["attachments"]
                assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
                text = _content(card["content"])
                assert "sitter igjen med ansvaret" in text
                assert "Styring og ledelse i Heim kommune, 3.1 Delegering – Heim kommune – styringsdokument" in text
                assert '"feedback"' in text
                # The same activity delivered twice is answered once.
                async with session.post(f"http://127.0.0.1:{port}/api/messages", json=activity) as response:
                    assert response.status in (200, 202)
                # The redelivery is recognised while the request is handled: counted, and nothing sent.
                registry = dialog.questions.metrics.registry
                assert registry.get_sample_value("lederbot_duplicate_deliveries_total") == 1
                assert registry.get_sample_value("lederbot_events_handled_total", {"channel": "teams"}) == 1
                assert len(connector.received) == 1
        finally:
            await runner.cleanup()
            await mock_runner.cleanup()

    asyncio.run(scenario())


def test_configured_credentials_require_a_token(dialog: Dialog) -> None:
    async def scenario() -> None:
        options = TeamsOptions(
            app_id="00000000-0000-0000-0000-000000000001",
            app_password="secret",
            tenant_id="00000000-0000-0000-0000-0000000000aa",
        )
        runner, port = await _serve(dialog, options)
        try:
            async with aiohttp.ClientSession() as session:
                activity = _activity("http://127.0.0.1:9/", "Hva er lojalitet?")
                async with session.post(f"http://127.0.0.1:{port}/api/messages", json=activity) as response:
                    assert response.status == 401
                headers = {"Authorization": "Bearer not-a-real-token"}
                async with session.post(
                    f"http://127.0.0.1:{port}/api/messages", json=activity, headers=headers
                ) as response:
                    assert response.status == 401
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    assert response.status in (200, 503)  # /healthz is not behind the Teams token
        finally:
            await runner.cleanup()

    asyncio.run(scenario())


def test_serve_teams_without_credentials_refuses_to_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "SLACK_", "LEDERBOT_"))}
    env["LEDERBOT_DATA_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "serve", "--teams", "--port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "MICROSOFT_APP_ID" in out.stderr and "LEDERBOT_TEAMS_ALLOW_ANONYMOUS" in out.stderr


def test_reflection_end_to_end_in_a_personal_chat(dialog: Dialog) -> None:
    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    adapter = ReplyAdapter(channel_id="msteams")

    async def scenario() -> None:
        flow = (
            TestFlow(adapter, agent.application.on_turn)
            .send("refleksjon verdier")
            .assert_reply(shows("Spørsmål 1 av 3: Hvordan kommer organisasjonens verdier til uttrykk"))
            .send("Jeg snakker om verdiene i hvert personalmøte.")
            .assert_reply(shows("Spørsmål 2 av 3"))
            .send("hopp over")
            .assert_reply(shows("Spørsmål 3 av 3"))
            .send("Ja, mellom budsjett og kvalitet.")
            .assert_reply(shows("ferdig med «Å lede med tydelige verdier»"))
            .send("mine svar")
            .assert_reply(shows("Jeg snakker om verdiene i hvert personalmøte."))
            .send("Hva er en delegeringssperre?")
            .assert_reply(shows("delegeringssperre"))
        )
        await flow.start_test()

    asyncio.run(scenario())


def test_a_slow_question_shows_typing_and_then_the_answer(dialog: Dialog, monkeypatch: pytest.MonkeyPatch) -> None:
    """Teams shows «skriver …» while a search runs past half a second (the SDK's typing timer); the
    answer still follows in the same turn. The search here waits for the typing to have been sent."""
    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    adapter = ReplyAdapter(channel_id="msteams")
    search = dialog.questions.ask

    def slow(question: str, **kwargs: Any) -> Any:
        assert adapter.typed.wait(timeout=30), "no typing indicator while the search ran"
        return search(question, **kwargs)

    monkeypatch.setattr(dialog.questions, "ask", slow)

    async def scenario() -> None:
        await (
            TestFlow(adapter, agent.application.on_turn)
            .send("Hva er en delegeringssperre?")
            .assert_reply(shows("delegeringssperre"), timeout=60)
            .start_test()
        )

    asyncio.run(scenario())
    assert adapter.typing >= 1  # the SDK repeats it every 10 s while a turn runs: a slow runner may see two


def test_theme_choices_are_one_choice_set_with_at_most_six_actions(dialog: Dialog) -> None:
    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    adapter = ReplyAdapter(channel_id="msteams")
    picked: dict[str, Any] = {}

    async def scenario() -> None:
        async def has_choices(reply: Any) -> None:
            card = reply.attachments[0].content
            assert len(card.get("actions", [])) <= 6
            [choices] = [b for b in card["body"] if b["type"] == "Input.ChoiceSet"]
            titles = [c["title"] for c in choices["choices"]]
            assert "Å lede med tydelige verdier" in titles and len(titles) > 6
            value = next(c["value"] for c in choices["choices"] if c["title"] == "Å lede med tydelige verdier")
            picked.update(card["actions"][0]["data"], choice=value)

        await TestFlow(adapter, agent.application.on_turn).send("refleksjon").assert_reply(has_choices).start_test()
        from microsoft_agents.activity import Activity

        await (
            TestFlow(adapter, agent.application.on_turn)
            .send(Activity(type="message", value=picked))
            .assert_reply(shows("Spørsmål 1 av 3"))
            .start_test()
        )

    asyncio.run(scenario())


def test_group_reflection_in_a_team_channel(dialog: Dialog) -> None:
    from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount, ConversationReference

    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    channel = ConversationAccount(id="19:ledergruppe@thread.tacv2", conversation_type="channel", tenant_id="t1")
    reference = ConversationReference(
        channel_id="msteams",
        service_url="https://test.invalid/",
        conversation=channel,
        user=ChannelAccount(id="29:fasil", name="Fasilitator"),
        agent=ChannelAccount(id="28:bot", name="lederbot"),
    )
    adapter = ReplyAdapter(conversation=reference)
    posted: list[str] = []

    def submit(user: str, name: str, data: dict[str, Any]) -> Activity:
        return Activity(
            type="message", value=data, from_property=ChannelAccount(id=user, name=name, aad_object_id=user)
        )

    async def scenario() -> None:
        group: dict[str, Any] = {}

        async def opening(reply: Any) -> None:
            card = reply.attachments[0].content
            posted.append(json.dumps(card, ensure_ascii=False))
            form = next(a for a in card["actions"] if a["type"] == "Action.ShowCard")
            group.update(form["card"]["actions"][0]["data"])
            assert "Verdier og forankring" in card_text(reply)

        async def record(reply: Any) -> None:
            posted.append(card_text(reply))

        flow = TestFlow(adapter, agent.application.on_turn).send("<at>lederbot</at> refleksjon gruppe verdier")
        await flow.assert_reply(opening).start_test()
        form = group["form"]  # the form's inputs are answer_<form> and visibility_<form>
        answers = [
            ("aad-a", "Anne", "Åpenhet i alt vi gjør", "shared"),
            ("aad-b", "Bjørn", "Respekt for innbyggerne", "shared"),
            ("aad-c", "Carl", "HEMMELIG tvil", "private"),
        ]
        for user, name, text, visibility in answers:
            flow = TestFlow(adapter, agent.application.on_turn).send(
                submit(user, name, {**group, f"answer_{form}": text, f"visibility_{form}": visibility})
            )
            # A private answer gets no reply in the channel («bare du ser det» there would tell everyone).
            await (flow.assert_reply(record) if visibility == "shared" else flow).start_test()
            if visibility == "private":
                # The turn is over: whatever it sent is queued. Nothing may be (a later flow would take it).
                stray = adapter.get_next_reply()
                assert stray is None, f"a private answer got a reply in the channel: {card_text(stray)}"
        assert len(posted) == 3
        end = {"cmd": f"group:{group['group']}:end"}
        await (
            TestFlow(adapter, agent.application.on_turn)
            .send(submit("aad-a", "Anne", end))
            .assert_reply(record)
            .start_test()
        )  # not the facilitator
        await (
            TestFlow(adapter, agent.application.on_turn)
            .send(Activity(type="message", value=end, from_property=ChannelAccount(id="29:fasil", name="Fasilitator")))
            .assert_reply(record)
            .start_test()
        )

    asyncio.run(scenario())
    assert any("Anne deler: «Åpenhet i alt vi gjør»" in p for p in posted)
    assert any("Bare den som startet" in p for p in posted)
    assert "3 deltok" in posted[-1] and "Respekt for innbyggerne" in posted[-1]
    assert not any("HEMMELIG" in p for p in posted)


def test_teams_package(tmp_path: Path) -> None:
    import zipfile

    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROSOFT_")}
    env["MICROSOFT_APP_ID"] = "11111111-2222-3333-4444-555555555555"
    out = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "teams", "package", "-o", str(tmp_path / "app.zip")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    with zipfile.ZipFile(tmp_path / "app.zip") as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["bots"][0]["botId"] == env["MICROSOFT_APP_ID"] == manifest["id"]
        assert archive.read("color.png")[:8] == b"\x89PNG\r\n\x1a\n"
    env["MICROSOFT_APP_ID"] = "not-a-guid"
    bad = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "teams", "package", "-o", str(tmp_path / "x.zip")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "GUID" in bad.stderr
