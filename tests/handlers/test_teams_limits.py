"""Teams' message size: every reply (answers, «mine svar», group summaries, scheduled messages) goes out
whole, over as many messages as it needs, each activity under 25,000 bytes of JSON; and group forms
with a deadline that Adaptive Cards accepts (an id per form), read back where the answer is handled."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount, ConversationReference
from microsoft_agents.testing import TestFlow
from sqlalchemy import select

from bot import texts
from bot.dialog import Dialog
from bot.questions import Asker
from bot.reflection.replies import Choice, Reply
from bot.store.models import ReflectionAnswer
from handlers.teams.app import TeamsOptions, build_teams_agent
from handlers.teams.cards import MESSAGE_BYTES, card_messages, group_form_values, reply_card, text_card
from handlers.teams.proactive import TeamsSender
from loopback.core import make_intake
from loopback.slack import start_on_loopback
from loopback.teams import ReplyAdapter
from tests.handlers.cards.check import teams_cards_are_valid, validate  # noqa: F401  (autouse: every card checked)
from tests.handlers.test_teams import MockConnector, _activity, card_text

pytestmark = pytest.mark.integration


def _runs(activities: list[dict[str, Any]]) -> list[str]:
    """The text of every TextRun of the activities' cards, in the order sent."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextRun":
                out.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for activity in activities:
        walk(activity.get("attachments"))
    return out


def _lines(text: str) -> list[str]:
    return [line for line in texts.without_emphasis(text).split("\n") if line.strip()]


def _channel_adapter(conversation_id: str) -> ReplyAdapter:
    return ReplyAdapter(
        conversation=ConversationReference(
            channel_id="msteams",
            service_url="https://test.invalid/",
            conversation=ConversationAccount(id=conversation_id, conversation_type="channel", tenant_id="t1"),
            user=ChannelAccount(id="aad-fasil", name="Fasilitator", aad_object_id="aad-fasil"),
            agent=ChannelAccount(id="28:bot", name="lederbot"),
        )
    )


def _from(user: str, *, value: dict[str, Any] | None = None, text: str | None = None) -> Activity:
    return Activity(
        type="message", text=text, value=value, from_property=ChannelAccount(id=user, name=user, aad_object_id=user)
    )


def _drain(adapter: ReplyAdapter) -> list[dict[str, Any]]:
    replies = []
    while (reply := adapter.get_next_reply()) is not None:
        replies.append(reply.model_dump(mode="json", by_alias=True, exclude_none=True))
    return replies


def test_mine_svar_with_56_answers_arrives_whole_in_messages_teams_takes(dialog: Dialog) -> None:
    owner = dialog.owner(Asker("teams", "tenant-heim", "aad-leder-1", "dm"))
    answers = [
        f"SVAR{n:02d} " + "Jeg bygger tillit ved å være åpen om hva jeg vet og ikke vet. " * 42 for n in range(56)
    ]
    for answer in answers:
        if dialog.engine.handle(owner, answer) is None:
            dialog.engine.handle(owner, "refleksjon verdier")
            dialog.engine.handle(owner, answer)
    expected = dialog.engine.handle(owner, "mine svar")
    assert expected is not None and len(expected.text) > 140_000  # the audit's leader: ~150 k characters

    async def scenario() -> list[dict[str, Any]]:
        connector = MockConnector()
        mock = web.Application()
        mock.router.add_post("/{tail:.*}", connector.handle)
        mock_runner, connector.port = await start_on_loopback(mock)
        from handlers.server import build_server

        intake = make_intake(dialog)
        agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=intake)
        runner, port = await start_on_loopback(
            build_server(warm_up=dialog.questions.assistant.load, intake=intake, teams=agent)
        )
        try:
            async with aiohttp.ClientSession() as session:
                activity = _activity(f"http://127.0.0.1:{connector.port}/", "mine svar")
                async with session.post(f"http://127.0.0.1:{port}/api/messages", json=activity) as response:
                    assert response.status in (200, 202)
            # Teams waits for the turn: every message of the reply was posted before the response.
            return [body for _, body, _ in connector.received]
        finally:
            await runner.cleanup()
            await mock_runner.cleanup()

    sent = asyncio.run(scenario())
    assert len(sent) >= 6
    assert all(len(json.dumps(body)) < MESSAGE_BYTES for body in sent), [len(json.dumps(b)) for b in sent]
    assert _runs(sent) == _lines(expected.text)  # every line, in order, none cut


def test_a_scheduled_message_of_many_short_lines_is_split_by_bytes(dialog: Dialog) -> None:
    # 2,000 lines of 6 characters: 14 k characters, but each line is a block of ~85 bytes of JSON.
    lines = [f"L{n:04d}." for n in range(2000)]
    reply = Reply("\n".join(lines), (Choice(texts.R_PLAN_START_BUTTON, "refleksjon verdier", "primary"),))

    async def scenario() -> list[tuple[str, dict[str, Any], str | None]]:
        connector = MockConnector()
        mock = web.Application()
        mock.router.add_post("/{tail:.*}", connector.handle)
        mock_runner, connector.port = await start_on_loopback(mock)
        agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
        try:
            sender = TeamsSender(agent=agent, app_id=None)
            await sender.send("a:1personal-conversation", reply, reply_to=f"http://127.0.0.1:{connector.port}/")
            return connector.received
        finally:
            await mock_runner.cleanup()

    received = asyncio.run(scenario())
    assert len(received) >= 8
    assert all(path == "/v3/conversations/a:1personal-conversation/activities" for path, _, _ in received)
    sent = [body for _, body, _ in received]
    assert all(len(json.dumps(body)) < MESSAGE_BYTES for body in sent), [len(json.dumps(b)) for b in sent]
    assert _runs(sent) == lines
    # The button comes once, after all the text.
    cards = [body["attachments"][0]["content"] for body in sent]
    assert [bool(card.get("actions")) for card in cards] == [False] * (len(cards) - 1) + [True]


def test_a_group_summary_of_many_shared_answers_arrives_whole(dialog: Dialog) -> None:
    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    adapter = _channel_adapter("19:store-gruppe@thread.tacv2")
    shared = [f"DELT{n:02d} " + "Vi må snakke mer om prioriteringene våre i møtene. " * 12 for n in range(45)]
    shared = [answer.strip() for answer in shared]
    form: dict[str, Any] = {}

    async def scenario() -> list[dict[str, Any]]:
        async def opening(reply: Any) -> None:
            card = reply.attachments[0].content
            form.update(
                next(a for a in card["actions"] if a["type"] == "Action.ShowCard")["card"]["actions"][0]["data"]
            )

        await (
            TestFlow(adapter, agent.application.on_turn)
            .send(_from("aad-fasil", text="<at>lederbot</at> refleksjon gruppe verdier"))
            .assert_reply(opening)
            .start_test()
        )
        group_id = int(form["group"])
        for n, answer in enumerate(shared):
            dialog.groups.answer(
                group_id,
                member=f"medlem-{n}",
                index=0,
                text=answer,
                shared_as=f"Leder {n}",
                conversation="19:store-gruppe@thread.tacv2",
            )
        end = {"cmd": f"group:{group_id}:end"}
        await TestFlow(adapter, agent.application.on_turn).send(_from("aad-fasil", value=end)).start_test()
        return _drain(adapter)

    sent = asyncio.run(scenario())
    assert len(sent) >= 2
    assert all(len(json.dumps(body)) < MESSAGE_BYTES for body in sent), [len(json.dumps(b)) for b in sent]
    everything = "\n".join(_runs(sent))
    assert "er avsluttet" in everything
    assert all(f"Leder {n} deler: «{answer}»" in everything for n, answer in enumerate(shared))


def test_a_group_with_a_deadline_has_a_valid_form_per_question(dialog: Dialog) -> None:
    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    adapter = _channel_adapter("19:frist-gruppe@thread.tacv2")
    forms: list[dict[str, Any]] = []
    posted: list[str] = []

    async def scenario() -> None:
        async def opening(reply: Any) -> None:
            card = reply.attachments[0].content
            forms.extend(a for a in card["actions"] if a["type"] == "Action.ShowCard")

        await (
            TestFlow(adapter, agent.application.on_turn)
            .send(_from("aad-fasil", text="<at>lederbot</at> refleksjon gruppe verdier frist 01.12.2099"))
            .assert_reply(opening)
            .start_test()
        )
        assert len(forms) >= 2
        ids = [[i["id"] for i in f["card"]["body"]] for f in forms]
        assert len({i for form_ids in ids for i in form_ids}) == sum(map(len, ids))  # no id twice on the card
        second = forms[1]["card"]
        answer_id, visibility_id = (i["id"] for i in second["body"])
        data = {**second["actions"][0]["data"], answer_id: "Svar på det andre spørsmålet", visibility_id: "shared"}

        async def record(reply: Any) -> None:
            posted.append(card_text(reply))

        await (
            TestFlow(adapter, agent.application.on_turn)
            .send(_from("aad-anne", value=data))
            .assert_reply(record)
            .start_test()
        )

    asyncio.run(scenario())
    assert any("deler: «Svar på det andre spørsmålet»" in p for p in posted)
    with dialog.questions.database.session() as session:
        [stored] = session.scalars(select(ReflectionAnswer))
    assert stored.answer_text == "Svar på det andre spørsmålet" and stored.shared_as is not None
    theme = dialog.engine.catalog.find("verdier", kinds=("group",)) or dialog.engine.catalog.find("verdier")
    assert theme is not None and stored.question_id == theme.questions[1].id


def test_more_questions_than_actions_become_one_form_with_a_question_picker() -> None:
    questions = tuple(Choice(f"{texts.R_GROUP_ANSWER_BUTTON} {i + 1}", f"group:7:answer:{i}") for i in range(9))
    card = reply_card(Reply("Ni spørsmål", questions))
    [form] = card["actions"]
    picker, answer, visibility = form["card"]["body"]
    assert [c["value"] for c in picker["choices"]] == [str(i) for i in range(9)]
    submitted = {
        **form["card"]["actions"][0]["data"],
        picker["id"]: "8",
        answer["id"]: " Mitt svar ",
        visibility["id"]: "shared",
    }
    assert group_form_values(submitted) == (8, "Mitt svar", True)
    # A card posted before the per-form ids still reads.
    old = {"cmd": "group_answer", "group": 7, "index": 2, "answer": "Gammelt", "visibility": "private"}
    assert group_form_values(old) == (2, "Gammelt", False)
    six = reply_card(Reply("Seks valg", tuple(Choice(f"Valg {n}", f"refleksjon {n}") for n in range(6))))
    assert len(six["actions"]) == 6  # Teams shows six
    assert validate([card, six]) == [[], []]


def test_slack_shortcodes_show_as_emoji_in_teams() -> None:
    [message] = card_messages(text_card(texts.NOT_SAVED_SEND_AGAIN), texts.NOT_SAVED_SEND_AGAIN)
    dumped = json.dumps(message.model_dump(mode="json", by_alias=True, exclude_none=True), ensure_ascii=False)
    assert ":warning:" not in dumped and "⚠️" in dumped
    assert message.summary is not None and message.summary.startswith("⚠️")
