"""Teams, attacked and stretched: group actions only from the group's conversation, HR figures only in a
personal chat, feedback only from the asker, exports whole, text shown as written (no backslashes)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount, ConversationReference
from microsoft_agents.testing import TestFlow
from sqlalchemy import func, select

from bot import texts
from bot.answer import Answer, Source
from bot.dialog import Dialog
from bot.questions import Asker
from bot.reflection.replies import Choice, Reply
from bot.store.models import QuestionLog, ReflectionAnswer
from handlers.teams.app import TeamsOptions, build_teams_agent
from handlers.teams.cards import answer_card, reply_card
from loopback.core import make_intake
from loopback.teams import ReplyAdapter
from tests.handlers.cards.check import teams_cards_are_valid  # noqa: F401  (autouse: every card checked)
from tests.handlers.test_teams import card_text, shows

pytestmark = pytest.mark.integration


def _adapter(conversation_id: str, kind: str, user: str = "aad-fasil") -> ReplyAdapter:
    reference = ConversationReference(
        channel_id="msteams",
        service_url="https://test.invalid/",
        conversation=ConversationAccount(id=conversation_id, conversation_type=kind, tenant_id="t1"),
        user=ChannelAccount(id=user, name="Bruker", aad_object_id=user),
        agent=ChannelAccount(id="28:bot", name="lederbot"),
    )
    return ReplyAdapter(conversation=reference)


def _from(user: str, *, value: dict[str, Any] | None = None, text: str | None = None) -> Activity:
    return Activity(
        type="message", text=text, value=value, from_property=ChannelAccount(id=user, name=user, aad_object_id=user)
    )


async def open_group(agent: Any, home: ReplyAdapter) -> dict[str, Any]:
    """Start a group reflection in ``home`` as the facilitator; the data its answer form carries."""
    form: dict[str, Any] = {}

    async def opening(reply: Any) -> None:
        card = reply.attachments[0].content
        show = next(a for a in card["actions"] if a["type"] == "Action.ShowCard")
        form.update(show["card"]["actions"][0]["data"])

    await TestFlow(home, agent.application.on_turn).send("refleksjon gruppe verdier").assert_reply(opening).start_test()
    return form


def test_group_actions_count_only_in_the_groups_own_conversation(dialog: Dialog) -> None:
    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    home = _adapter("19:gruppe-a@thread.tacv2", "channel")
    other = _adapter("19:et-annet-team@thread.tacv2", "channel")
    form: dict[str, Any] = {}

    async def scenario() -> None:
        form.update(await open_group(agent, home))
        forged = {**form, f"answer_{form['form']}": "lagt inn fra feil sted", f"visibility_{form['form']}": "shared"}
        await (
            TestFlow(other, agent.application.on_turn)
            .send(_from("aad-x", value=forged))
            .assert_reply(shows(texts.R_GROUP_ELSEWHERE))
            .start_test()
        )
        end = {"cmd": f"group:{form['group']}:end"}
        await (
            TestFlow(other, agent.application.on_turn)
            .send(_from("aad-fasil", value=end))
            .assert_reply(shows(texts.R_GROUP_ELSEWHERE))
            .start_test()
        )

    asyncio.run(scenario())
    with dialog.questions.database.session() as session:
        assert session.scalar(select(func.count()).select_from(ReflectionAnswer)) == 0
    assert dialog.groups.question(int(form["group"]), 0) is not None  # still open


def test_hr_report_only_in_a_personal_chat(dialog: Dialog) -> None:
    agent = build_teams_agent(
        dialog=dialog,
        options=TeamsOptions(allow_anonymous=True, hr_user_ids=frozenset({"aad-hr"})),
        intake=make_intake(dialog),
    )

    async def scenario() -> None:
        channel = _adapter("19:alle-ledere@thread.tacv2", "channel", user="aad-hr")
        await (
            TestFlow(channel, agent.application.on_turn)
            .send(_from("aad-hr", text="<at>lederbot</at> rapport"))
            .assert_reply(shows(texts.HR_PERSONAL_ONLY))
            .start_test()
        )
        personal = _adapter("a:hr-personal", "personal", user="aad-hr")

        async def summary(reply: Any) -> None:
            assert texts.HR_PERSONAL_ONLY not in card_text(reply) and card_text(reply).strip()

        await (
            TestFlow(personal, agent.application.on_turn)
            .send(_from("aad-hr", text="rapport"))
            .assert_reply(summary, timeout=60)
            .start_test()
        )

    asyncio.run(scenario())


def test_feedback_only_from_the_asker(dialog: Dialog) -> None:
    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    channel = _adapter("19:ledere@thread.tacv2", "channel")
    ref: dict[str, str] = {}

    async def scenario() -> None:
        async def answered(reply: Any) -> None:
            ref["ref"] = reply.attachments[0].content["actions"][0]["data"]["ref"]

        await (
            TestFlow(channel, agent.application.on_turn)
            .send(_from("aad-asker", text="<at>lederbot</at> Hva betyr lojalitet i Heim kommune?"))
            .assert_reply(answered)
            .start_test()
        )
        down = {"cmd": "feedback", "value": "down", "ref": ref["ref"]}
        await (
            TestFlow(channel, agent.application.on_turn)
            .send(_from("aad-angriper", value=down))
            .assert_reply(shows(texts.FEEDBACK_NOT_YOURS))
            .start_test()
        )
        up = {"cmd": "feedback", "value": "up", "ref": ref["ref"]}
        await (
            TestFlow(channel, agent.application.on_turn)
            .send(_from("aad-asker", value=up))
            .assert_reply(shows(texts.TEAMS_THANKS))
            .start_test()
        )

    asyncio.run(scenario())
    with dialog.questions.database.session() as session:
        [record] = session.scalars(select(QuestionLog))
    assert record.feedback == "up"


def test_export_is_sent_whole_over_several_messages(dialog: Dialog) -> None:
    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    adapter = ReplyAdapter(channel_id="msteams")
    owner_user = "aad-leder-eksport"
    owner = dialog.owner(Asker("teams", "", owner_user, "dm"))
    markers = [f"SLUTTMERKE{n:02d}" for n in range(30)]
    for marker in markers:
        if dialog.engine.handle(owner, "Et langt svar om tillit. " * 120 + marker) is None:
            dialog.engine.handle(owner, "refleksjon verdier")
            dialog.engine.handle(owner, "Et langt svar om tillit. " * 120 + marker)
    received: list[str] = []

    async def scenario() -> None:
        async def collect(reply: Any) -> None:
            received.append(card_text(reply))

        flow = TestFlow(adapter, agent.application.on_turn).send(_from(owner_user, text="eksporter mine svar"))
        await flow.assert_reply(collect).start_test()
        # The rest of the pages were sent in the same turn; the adapter keeps them in order.
        while (more := adapter.get_next_reply()) is not None:
            received.append(card_text(more))

    asyncio.run(scenario())
    assert len(received) >= 2
    everything = "\n".join(received)
    assert all(marker in everything for marker in markers)


def test_cards_show_text_as_written_with_its_line_breaks() -> None:
    tricky = "Tiltak (3 spørsmål) *viktig* [lenke](http://x) _kursiv_ # 1. punkt"
    answer = Answer(
        question="q",
        answered=True,
        sentences=(tricky,),
        passage=f"Første linje\nAndre linje {tricky}",
        source=Source(
            document_id="d", title="Tittel (utkast)", section="1.2", label="Heim", owner="Heim", is_home=True
        ),
    )
    card = answer_card(answer, reference="abc")
    dumped = json.dumps(card, ensure_ascii=False)
    assert "\\\\" not in dumped  # no backslash escapes anywhere
    runs = [i["text"] for b in card["body"] if b["type"] == "RichTextBlock" for i in b["inlines"]]
    assert f"» {tricky}" in runs and "Første linje" in runs and f"Andre linje {tricky}" in runs
    reply = Reply("Linje en\nLinje to", tuple(Choice(f"Valg {n}", f"refleksjon {n}") for n in range(11)))
    built = reply_card(reply)
    assert len(built["actions"]) <= 6
    assert [i["text"] for b in built["body"] if b["type"] == "RichTextBlock" for i in b["inlines"]] == [
        "Linje en",
        "Linje to",
    ]
