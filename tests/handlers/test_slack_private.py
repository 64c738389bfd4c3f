"""Slack, attacked and stretched: «Spør HR» stays private, buttons obey only the asker, nothing is cut.

Every payload these tests make the bot send is also checked against Block Kit's limits (conftest).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from bot.dialog import Dialog
from bot.questions import Asker
from bot.reflection.replies import Choice, GroupAction
from bot.store.models import QuestionLog
from handlers.slack.blocks import chunks
from loopback.slack import Running, payload, running_bot, sign

pytestmark = pytest.mark.integration


def _blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = data.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _text(data: dict[str, Any]) -> str:
    return json.dumps(_blocks(data), ensure_ascii=False) + str(data.get("text", ""))


def _button(data: dict[str, Any], action_id: str) -> str:
    return next(
        str(e["value"])
        for b in _blocks(data)
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


async def _click(bot: Running, action_id: str, value: str, *, user: str, name: str = "r") -> None:
    action = payload("block_actions", response_url=bot.slack.response_url(name), action_id=action_id, value=value)
    action["user"]["id"] = user
    await bot.post_action(action)


def _dm(text: str, *, user: str = "U0LEDER2", n: int = 0) -> dict[str, Any]:
    event = payload("message_im")
    event["event_id"] = f"Ev0P{n}"
    event["event"].update(text=text, user=user, ts=f"17639001{n:02d}.000200")
    return event


def test_ask_hr_from_a_private_answer_goes_to_hr_privately(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            await bot.post_form(payload("slash_leder", response_url=bot.slack.response_url("cmd")))
            [answer] = await bot.slack.wait_for("response_url")
            value = _button(answer.data, "ask_hr")
            assert re.fullmatch(r"[0-9a-f]{16}", value)  # an id, not the question
            await _click(bot, "ask_hr", value, user="U0LEDER1", name="hr")
            [dm] = await bot.slack.wait_for("chat.postMessage")
            [opened] = bot.slack.of("conversations.open")
            assert opened.data["users"] == "U0HR" and dm.data["channel"] == "D0HR"
            assert "Hva er en delegeringssperre?" in dm.data["text"] and "Kilde:" in dm.data["text"]
            assert "<@U0LEDER1>" in dm.data["text"]
            confirm = (await bot.slack.wait_for("response_url", 2))[1]
            assert confirm.data["response_type"] == "ephemeral" and "sendt privat" in confirm.data["text"]
            # Nothing reached the channel the command came from.
            assert not [c for c in bot.slack.of("chat.postMessage") if c.data["channel"] == "C0LEDERE"]

    asyncio.run(scenario())


def test_ask_hr_uses_the_hr_channel_and_says_so_when_it_fails(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog, hr_channel="G0HRPRIVAT") as bot:
            await bot.post_event(_dm("Hvem kan delegere myndighet?"))
            [answer] = await bot.slack.wait_for("chat.postMessage")
            value = _button(answer.data, "ask_hr")
            await _click(bot, "ask_hr", value, user="U0LEDER2", name="a")
            sent = (await bot.slack.wait_for("chat.postMessage", 2))[1]
            assert sent.data["channel"] == "G0HRPRIVAT" and "Hvem kan delegere myndighet?" in sent.data["text"]
            assert not bot.slack.of("conversations.open")
            # The bot is not in the HR channel: the leader is told clearly, privately.
            bot.slack.refuse["chat.postMessage"] = "not_in_channel"
            await _click(bot, "ask_hr", value, user="U0LEDER2", name="b")
            replies = await bot.slack.wait_for("response_url", 2)
            assert replies[-1].data["text"] == texts.ASK_HR_FAILED.format(hr_contact="HR")
            assert replies[-1].data["response_type"] == "ephemeral"

    asyncio.run(scenario())


def test_only_the_asker_can_use_an_answers_buttons(dialog: Dialog, caplog: pytest.LogCaptureFixture) -> None:
    """An attacker who sees a shared answer's buttons cannot rate it, give a reason, share it or send it to HR."""

    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            await bot.post_event(_dm("Hva betyr lojalitet i Heim kommune?"))
            [answer] = await bot.slack.wait_for("chat.postMessage")
            reference = _button(answer.data, "feedback_up")
            for n, action_id in enumerate(("feedback_up", "feedback_down", "ask_hr", "share_answer")):
                await _click(bot, action_id, reference, user="U0ANGRIPER", name=f"x{n}")
                reply = (await bot.slack.wait_for("response_url", n + 1))[n]
                assert reply.data["text"] == texts.FEEDBACK_NOT_YOURS
            assert not bot.slack.of("views.open") and len(bot.slack.of("chat.postMessage")) == 1
            submission = {
                "type": "view_submission",
                "team": {"id": "T0HEIM"},
                "user": {"id": "U0ANGRIPER"},
                "view": {
                    "id": "V9",
                    "type": "modal",
                    "callback_id": "feedback_reason",
                    "private_metadata": reference,
                    "state": {"values": {"reason": {"text": {"value": "skrevet av en annen"}}}},
                },
            }
            with caplog.at_level(logging.WARNING):
                await bot.post_action(submission)
                deadline = time.monotonic() + 10
                while "other than the asker" not in caplog.text and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
            assert "other than the asker" in caplog.text
            # The asker still can.
            await _click(bot, "feedback_up", reference, user="U0LEDER2", name="ok")
            replies = await bot.slack.wait_for("response_url", 5)
            assert replies[4].data["text"] == texts.THANKS_FEEDBACK
            # A reference the bot does not know (forged, or from before a restart) is refused clearly.
            await _click(bot, "feedback_up", "0123456789abcdef", user="U0LEDER2", name="old")
            assert (await bot.slack.wait_for("response_url", 6))[5].data["text"] == texts.ANSWER_EXPIRED

    asyncio.run(scenario())
    with dialog.questions.database.session() as session:
        [record] = session.scalars(select(QuestionLog))
    assert record.feedback == "up" and record.feedback_reason is None


def test_a_long_question_with_quotes_reaches_hr_whole(dialog: Dialog) -> None:
    question = 'Hva gjelder når "lederen" sier «nei»? ' + " ".join(f'punkt{n} "sitat"' for n in range(200))
    assert len(question) > 2000

    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            await bot.post_event(_dm(question))
            [answer] = await bot.slack.wait_for("chat.postMessage")
            values = [e["value"] for b in _blocks(answer.data) if b["type"] == "actions" for e in b["elements"]]
            assert values and all(len(v) <= 64 for v in values)
            await _click(bot, "ask_hr", _button(answer.data, "ask_hr"), user="U0LEDER2")
            sent = (await bot.slack.wait_for("chat.postMessage", 2))[1]
            assert question in sent.data["text"]

    asyncio.run(scenario())


def test_many_long_reflection_answers_are_paginated_not_cut(dialog: Dialog) -> None:
    owner = dialog.owner(Asker("slack", "T0HEIM", "U0LEDER2", "dm"))
    markers = [f"SLUTTMERKE{n:02d}" for n in range(56)]
    for marker in markers:
        reply = dialog.engine.handle(owner, ("Et langt svar om tillit og ansvar. " * 80) + marker)
        if reply is None:  # no reflection running: start one, then answer
            dialog.engine.handle(owner, "refleksjon verdier")
            dialog.engine.handle(owner, ("Et langt svar om tillit og ansvar. " * 80) + marker)

    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            await bot.post_event(_dm("mine svar"))
            await bot.slack.wait_for("chat.postMessage")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                sent = "".join(_text(c.data) for c in bot.slack.of("chat.postMessage"))
                if markers[-1] in sent:
                    break
                await asyncio.sleep(0.05)
            posts = bot.slack.of("chat.postMessage")
            assert len(posts) >= 2  # more than 50 blocks: more than one message
            sent = "".join(_text(c.data) for c in posts)
            assert all(marker in sent for marker in markers)

    asyncio.run(scenario())


def test_chunks_keep_every_character() -> None:
    text = "\n".join(("ord " * n).strip() + ("x" * (n * 37 % 4000)) for n in range(60))
    pieces = chunks(text, limit=2900)
    assert all(len(p) <= 2900 for p in pieces)
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


@pytest.mark.parametrize("stamp", ["abc", "1e9", "-5", "１２３", " ", "9" * 400])
def test_a_non_numeric_slack_timestamp_is_refused_not_a_crash(dialog: Dialog, stamp: str) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            raw = json.dumps(payload("app_mention"))
            headers = {"Content-Type": "application/json", **sign(raw), "X-Slack-Request-Timestamp": stamp}
            async with bot.session.post(f"{bot.bot_url}/slack/events", data=raw, headers=headers) as response:
                assert response.status in (400, 401)

    asyncio.run(scenario())


def test_a_groups_buttons_count_only_in_its_own_channel(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            command = payload("slash_leder", response_url=bot.slack.response_url("g"))
            command.update(command="/refleksjon", text="gruppe verdier")
            await bot.post_form(command)
            [opening] = await bot.slack.wait_for("chat.postMessage")
            # The buttons read as the core reads them (Choice.action), not by splitting their values here.
            buttons = [
                Choice("", str(e.get("value")))
                for b in _blocks(opening.data)
                if b["type"] == "actions"
                for e in b["elements"]
            ]
            pressed = next(a for a in (c.action for c in buttons) if a is not None and a.step == "answer")
            answer, group_id = pressed.encode(), pressed.group_id
            for n, value in enumerate((answer, GroupAction(group_id, "end").encode())):
                forged = payload("block_actions", response_url=bot.slack.response_url(f"f{n}"), action_id="x")
                forged["actions"][0].update(
                    action_id="reflection_answer_0" if n == 0 else "reflection_end_0", value=value
                )
                forged["channel"] = {"id": "C0ANNET", "name": "annet"}
                await bot.post_action(forged)
                refused = (await bot.slack.wait_for("chat.postEphemeral", n + 1))[n]
                assert refused.data["channel"] == "C0ANNET" and refused.data["text"] == texts.R_GROUP_ELSEWHERE
            assert not bot.slack.of("views.open")
            assert dialog.groups.question(group_id, 0) is not None  # not ended by the forged click
            # In its own channel the same button opens the answer form.
            own = payload("block_actions", response_url=bot.slack.response_url("own"), action_id="reflection_answer_0")
            own["actions"][0]["value"] = answer
            await bot.post_action(own)
            await bot.slack.wait_for("views.open")

    asyncio.run(scenario())
