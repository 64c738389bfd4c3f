"""A leader group reflects together in a channel: two members share, one keeps the answer private."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import texts
from bot.assistant import Assistant
from bot.dialog import Dialog
from bot.reflection import data
from bot.store.db import Database, make_engine
from loopback.core import make_dialog
from loopback.postgres import PostgresServer
from loopback.slack import Running, payload, running_bot

pytestmark = pytest.mark.integration


def _blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = data.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _button(data: dict[str, Any], prefix: str) -> str:
    for block in _blocks(data):
        for element in block.get("elements", []):
            if element.get("action_id", "").startswith(prefix):
                return str(element["value"])
    raise AssertionError(f"no {prefix} button in {data}")


async def _press(bot: Running, user: str, action_id: str, value: str) -> None:
    body = payload("block_actions", response_url=bot.slack.response_url(), action_id=action_id, value=value)
    body["user"] = {"id": user, "username": user, "team_id": "T0HEIM"}
    body["channel"] = {"id": "C0LEDERE", "name": "ledergruppe"}
    response = await bot.post_action(body)
    assert response.status == 200


async def _open_form(bot: Running, user: str, value: str) -> dict[str, Any]:
    opened_before = len(bot.slack.of("views.open"))
    await _press(bot, user, "reflection_answer_0", value)
    opened = await bot.slack.wait_for("views.open", opened_before + 1)
    view = opened[-1].data["view"]
    return json.loads(view) if isinstance(view, str) else view  # type: ignore[no-any-return]


def _submission(user: str, view: dict[str, Any], text: str, share: bool) -> dict[str, Any]:
    state = {
        "values": {
            "answer": {"text": {"type": "plain_text_input", "value": text}},
            "visibility": {
                "choice": {"type": "radio_buttons", "selected_option": {"value": "shared" if share else "private"}}
            },
        }
    }
    return {
        "type": "view_submission",
        "team": {"id": "T0HEIM"},
        "user": {"id": user},
        "view": {**view, "id": "V1", "state": state},
    }


async def _answer(bot: Running, user: str, value: str, text: str, share: bool) -> None:
    view = await _open_form(bot, user, value)
    ephemeral_before = len(bot.slack.of("chat.postEphemeral"))
    assert (await bot.post_action(_submission(user, view, text, share))).status == 200
    await bot.slack.wait_for("chat.postEphemeral", ephemeral_before + 1)


def test_group_session_end_to_end(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            command = payload("slash_leder", response_url=bot.slack.response_url("cmd"))
            command.update(command="/refleksjon", text="gruppe verdier", user_id="U0FASIL")
            assert (await bot.post_form(command)).status == 200
            [opening] = await bot.slack.wait_for("chat.postMessage")
            assert opening.data["channel"] == "C0LEDERE"
            text = json.dumps(_blocks(opening.data), ensure_ascii=False)
            assert "Verdier og forankring" in text and "Spørsmål 1 av 3" in text
            answer_value = _button(opening.data, "reflection_answer")

            await _answer(bot, "U0ANNE", answer_value, "Vi bygger på åpenhet og tillit.", share=True)
            await _answer(bot, "U0BJORN", answer_value, "Respekt for innbyggerne.", share=True)
            await _answer(bot, "U0CARL", answer_value, "HEMMELIG: jeg er usikker på verdiene våre.", share=False)

            # A member cannot move the group on: her press is refused to her alone (that reply says the
            # press is handled), and nothing reaches the channel. The facilitator can.
            posts = len(bot.slack.of("chat.postMessage"))
            ephemerals = len(bot.slack.of("chat.postEphemeral"))
            await _press(bot, "U0ANNE", "reflection_next_1", _button(opening.data, "reflection_next"))
            [refused] = (await bot.slack.wait_for("chat.postEphemeral", ephemerals + 1))[ephemerals:]
            assert refused.data["user"] == "U0ANNE" and "Bare den som startet" in refused.data["text"]
            assert len(bot.slack.of("chat.postMessage")) == posts
            await _press(bot, "U0FASIL", "reflection_next_1", _button(opening.data, "reflection_next"))
            posts = await bot.slack.wait_for("chat.postMessage", 4)
            assert "Spørsmål 2 av 3" in json.dumps(_blocks(posts[-1].data), ensure_ascii=False)
            await _press(bot, "U0FASIL", "reflection_end_2", _button(opening.data, "reflection_end"))
            posts = await bot.slack.wait_for("chat.postMessage", 5)
            summary = json.dumps(_blocks(posts[-1].data), ensure_ascii=False)
            assert "3 deltok" in summary
            assert "åpenhet og tillit" in summary and "Respekt for innbyggerne" in summary

            channel_posts = [json.dumps(c.data, ensure_ascii=False) for c in bot.slack.of("chat.postMessage")]
            assert sum("<@U0ANNE> deler" in p for p in channel_posts) >= 1
            assert not any("HEMMELIG" in p for p in channel_posts)
            ephemerals = bot.slack.of("chat.postEphemeral")
            assert any(c.data["user"] == "U0ANNE" and "Bare den som startet" in c.data["text"] for c in ephemerals)

    asyncio.run(scenario())
    # Each member's answer is logged as theirs: Carl sees his private answer in «mine svar».
    engine = dialog.engine
    carl = dialog.owner(_asker("U0CARL"))
    assert "HEMMELIG" in engine.handle(carl, "mine svar").text  # type: ignore[union-attr]
    anne = dialog.owner(_asker("U0ANNE"))
    assert "HEMMELIG" not in engine.handle(anne, "mine svar").text  # type: ignore[union-attr]


def test_async_group_ends_at_its_deadline(dialog: Dialog) -> None:
    groups = dialog.groups
    deadline = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    group_id, reply = groups.start(channel_id="C1", facilitator="f", word="rekruttere", deadline=deadline)
    assert "Svarfrist" in reply.text and len(reply.choices) == 3  # one answer button per question
    groups.answer(
        group_id, member="m1", index=2, text="Erfaring fra endringsarbeid", shared_as="<@U1>", conversation="C1"
    )
    assert groups.due(deadline - timedelta(minutes=1)) == []
    [(group, summary)] = groups.due(deadline + timedelta(minutes=1))
    assert group.id == group_id and "1 deltok" in summary.text and "Erfaring fra endringsarbeid" in summary.text
    assert groups.due(deadline + timedelta(minutes=2)) == []  # ended once


def _asker(user: str):  # type: ignore[no-untyped-def]
    from bot.questions import Asker

    return Asker("slack", "T0HEIM", user, "group")


@pytest.mark.slow
def test_a_group_answer_sent_while_the_database_is_down_stays_in_its_form(
    assistant: Assistant, own_postgres: PostgresServer
) -> None:
    """Closed, the form would take the leader's words with it and nothing would be saved: it stays
    open with a plain «ikke lagret», and the same words sent again once the database is back are saved."""
    database = Database(make_engine(own_postgres.create_database()))
    database.migrate()
    dialog = make_dialog(assistant, database)

    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            assert bot.intake is not None
            health = bot.intake.inbox.health
            command = payload("slash_leder", response_url=bot.slack.response_url("cmd"))
            command.update(command="/refleksjon", text="gruppe verdier", user_id="U0FASIL")
            assert (await bot.post_form(command)).status == 200
            [opening] = await bot.slack.wait_for("chat.postMessage")
            view = await _open_form(bot, "U0ANNE", _button(opening.data, "reflection_answer"))

            own_postgres.stop()
            deadline = asyncio.get_running_loop().time() + 30
            while health.up:  # the inbox's sweep finds the database gone
                assert asyncio.get_running_loop().time() < deadline, "the outage was never noticed"
                await asyncio.sleep(0.05)
            ephemerals = len(bot.slack.of("chat.postEphemeral"))
            response = await bot.post_action(_submission("U0ANNE", view, "Åpenhet først.", share=True))
            assert response.status == 200
            ack = await response.json()
            assert ack["response_action"] == "errors" and "ikke lagret" in ack["errors"]["answer"]
            assert len(bot.slack.of("chat.postEphemeral")) == ephemerals  # no «lagret» to the leader

            own_postgres.start()
            deadline = asyncio.get_running_loop().time() + 60
            while not health.up:
                assert asyncio.get_running_loop().time() < deadline, "the database never came back"
                await asyncio.sleep(0.05)
            response = await bot.post_action(_submission("U0ANNE", view, "Åpenhet først.", share=False))
            assert response.status == 200
            [saved] = (await bot.slack.wait_for("chat.postEphemeral", ephemerals + 1))[ephemerals:]
            assert saved.data["text"] == texts.R_GROUP_SAVED_PRIVATE

    asyncio.run(scenario())
    anne = dialog.owner(_asker("U0ANNE"))
    assert [r["answer"] for r in data.answers_of(database, dialog.engine.catalog, anne)] == ["Åpenhet først."]
    database.engine.dispose()
