"""A group reflection's buttons as the adapters read them: the typed action decides the step, and a
value that is no group action (forged, cut) gets a clear refusal in Slack and Teams, not an error."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from microsoft_agents.testing import TestFlow

from bot import texts
from bot.dialog import Dialog
from bot.reflection.replies import GroupAction
from handlers.teams.app import TeamsOptions, build_teams_agent
from loopback.core import make_intake
from loopback.slack import Running, payload, running_bot
from tests.handlers.test_teams import card_text, shows
from tests.handlers.test_teams_private import _adapter, _from, open_group

pytestmark = pytest.mark.integration


async def _start_group(bot: Running) -> int:
    command = payload("slash_leder", response_url=bot.slack.response_url("cmd"))
    command.update(command="/refleksjon", text="gruppe verdier", user_id="U0LEDER1")
    await bot.post_form(command)
    [opening] = await bot.slack.wait_for("chat.postMessage")
    blocks = opening.data["blocks"]
    values = [
        e["value"] for b in (json.loads(blocks) if isinstance(blocks, str) else blocks) for e in b.get("elements", [])
    ]
    return GroupAction.decode(values[0]).group_id


async def _press(bot: Running, action_id: str, value: str, name: str) -> None:
    # block_actions.json is pressed by U0LEDER1 (the facilitator here) in C0LEDERE (the group's channel).
    body = payload("block_actions", response_url=bot.slack.response_url(name), action_id=action_id, value=value)
    assert (await bot.post_action(body)).status == 200


def test_slack_refuses_a_group_button_whose_value_is_garbled(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            group_id = await _start_group(bot)
            forged = [f"group:{group_id}:end:x", "group:abc:end", f"group:{group_id}", "group:99999999999:next", ""]
            for n, value in enumerate(forged):
                await _press(bot, "reflection_end_0", value, f"f{n}")
                refused = (await bot.slack.wait_for("chat.postEphemeral", n + 1))[n]
                assert refused.data["text"] == texts.R_GROUP_BAD_BUTTON and refused.data["user"] == "U0LEDER1"
            assert not bot.slack.of("views.open")
            assert len(bot.slack.of("chat.postMessage")) == 1  # nothing but the opening post
            # The value decides the step, not the action id: an answer value opens the form, ending nothing.
            await _press(bot, "reflection_end_0", GroupAction(group_id, "answer", 0).encode(), "own")
            await bot.slack.wait_for("views.open")
            assert dialog.groups.question(group_id, 0) is not None

    asyncio.run(scenario())


def test_slack_posts_no_shared_answer_to_a_group_that_closed_while_the_form_was_open(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            group_id = await _start_group(bot)
            await _press(bot, "reflection_answer_0", GroupAction(group_id, "answer", 0).encode(), "open")
            [opened] = await bot.slack.wait_for("views.open")
            view = opened.data["view"]
            view = json.loads(view) if isinstance(view, str) else view
            await _press(bot, "reflection_end_2", GroupAction(group_id, "end").encode(), "end")
            await bot.slack.wait_for("chat.postMessage", 2)  # the summary
            state = {
                "values": {
                    "answer": {"text": {"type": "plain_text_input", "value": "For sent, men delt"}},
                    "visibility": {"choice": {"type": "radio_buttons", "selected_option": {"value": "shared"}}},
                }
            }
            submission = {
                "type": "view_submission",
                "team": {"id": "T0HEIM"},
                "user": {"id": "U0ANNE", "name": "anne"},
                "view": {**view, "id": "V1", "state": state},
            }
            assert (await bot.post_action(submission)).status == 200
            [told] = await bot.slack.wait_for("chat.postEphemeral")
            assert told.data["user"] == "U0ANNE" and told.data["text"] == texts.R_GROUP_CLOSED
            assert not any("For sent" in json.dumps(c.data) for c in bot.slack.of("chat.postMessage"))

    asyncio.run(scenario())


def test_teams_refuses_a_group_command_that_is_no_step(dialog: Dialog) -> None:
    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    home = _adapter("19:gruppe-a@thread.tacv2", "channel")
    form: dict[str, Any] = {}

    async def scenario() -> None:
        form.update(await open_group(agent, home))
        group_id = int(form["group"])
        # Garbled, and an answer sent as a step (answers come from the form): refused, the group goes on.
        for value in ("group:abc:end", f"group:{group_id}:end:x", f"group:{group_id}:answer:0"):
            await (
                TestFlow(home, agent.application.on_turn)
                .send(_from("aad-fasil", value={"cmd": value}))
                .assert_reply(shows(texts.R_GROUP_BAD_BUTTON))
                .start_test()
            )
        assert dialog.groups.question(group_id, 0) is not None
        await (
            TestFlow(home, agent.application.on_turn)
            .send(_from("aad-fasil", value={"cmd": GroupAction(group_id, "end").encode()}))
            .assert_reply(shows("deltok"))
            .start_test()
        )

    asyncio.run(scenario())
    assert dialog.groups.question(int(form["group"]), 0) is None


def test_a_button_pressed_in_another_conversation_is_refused_by_the_core_alike_in_slack_and_teams(
    dialog: Dialog,
) -> None:
    """The own-conversation rule is the core's (groups.press), so both channels refuse with its one text."""
    told: dict[str, str] = {}

    async def in_slack() -> int:
        async with running_bot(dialog) as bot:
            group_id = await _start_group(bot)
            body = payload(
                "block_actions",
                response_url=bot.slack.response_url("elsewhere"),
                action_id="reflection_end_0",
                value=GroupAction(group_id, "end").encode(),
            )
            body["channel"] = {"id": "C0ANNET", "name": "annet"}  # the group lives in C0LEDERE
            assert (await bot.post_action(body)).status == 200
            [refused] = await bot.slack.wait_for("chat.postEphemeral")
            assert refused.data["channel"] == "C0ANNET" and refused.data["user"] == "U0LEDER1"
            told["slack"] = refused.data["text"]
            assert len(bot.slack.of("chat.postMessage")) == 1  # nothing but the opening post
            return group_id

    agent = build_teams_agent(dialog=dialog, options=TeamsOptions(allow_anonymous=True), intake=make_intake(dialog))
    form: dict[str, Any] = {}

    async def in_teams() -> int:
        def refused(reply: Any) -> None:
            told["teams"] = card_text(reply)

        home, other = _adapter("19:gruppe-a@thread.tacv2", "channel"), _adapter("19:annet@thread.tacv2", "channel")
        form.update(await open_group(agent, home))
        end = {"cmd": GroupAction(int(form["group"]), "end").encode()}
        await (
            TestFlow(other, agent.application.on_turn)
            .send(_from("aad-fasil", value=end))
            .assert_reply(refused)
            .start_test()
        )
        return int(form["group"])

    slack_group, teams_group = asyncio.run(in_slack()), asyncio.run(in_teams())
    assert told["slack"] == texts.R_GROUP_ELSEWHERE
    assert texts.R_GROUP_ELSEWHERE in told["teams"].splitlines()  # the card's line, as Slack's ephemeral
    # Refused, not taken: both groups are still open.
    assert dialog.groups.question(slack_group, 0) is not None
    assert dialog.groups.question(teams_group, 0) is not None
