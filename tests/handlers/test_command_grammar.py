"""The same commands in every channel: the terminal, Teams and Slack all run plan, frist and rapport <dimensjon>
(and the dialog commands: refleksjon, mine svar, eksporter, slett) through bot/commands.py.

Slack is checked at each of its entry points (a DM, a mention, `/leder`, `/refleksjon`) over the real
signed HTTP protocol, by what each command does: a report sent privately, a plan stored, a group
opened in the channel, a reflection started in the DM."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from microsoft_agents.activity import Activity, ChannelAccount
from microsoft_agents.testing import TestFlow
from sqlalchemy import select

from bot import texts
from bot.analytics.audit import entries
from bot.commands import Command, Place, Refusal, execute, parse, parse_reflection
from bot.dialog import Dialog
from bot.questions import Asker
from bot.store.models import GroupSession, ReflectionSchedule, ReflectionSession
from handlers.slack.blocks import escape
from handlers.teams.app import TeamsOptions, build_teams_agent
from handlers.terminal import run_chat
from loopback.core import make_intake
from loopback.slack import Call, Running, payload, running_bot
from tests.handlers.test_teams import shows
from tests.handlers.test_teams_private import _adapter

pytestmark = pytest.mark.integration

PLAN = "refleksjon plan man ons kl 08:30 verdier"


def test_terminal_takes_plan_report_and_the_dialog_commands(dialog: Dialog, tmp_path: Path) -> None:
    lines = [
        PLAN,
        "rapport nivå",
        "refleksjon gruppe verdier",
        "refleksjon verdier",
        "Et svar.",
        "avslutt",
        "mine svar",
    ]
    out = io.StringIO()
    run_chat(dialog, stdin=io.StringIO("\n".join(lines) + "\n\n"), stdout=out, export_dir=tmp_path)
    text = out.getvalue()
    assert "Plan lagret:" in text and "08:30" in text
    assert "Gruppe-refleksjon trenger en kanal" in text
    assert "Et svar." in text and "Noe gikk galt" not in text and "noe gikk galt" not in text
    # The report by level: its summary (no questions asked yet), audited as a report by level.
    assert f"\n{texts.HOME_HR_EMPTY}\n" in text
    [report] = entries(dialog.questions.database)
    assert report.action == "chat_report" and report.parameters == {"by": "level", "format": "html"}
    assert report.actor.startswith("terminal:")


def test_teams_takes_plan_frist_and_report_by_dimension(dialog: Dialog) -> None:
    agent = build_teams_agent(
        dialog=dialog,
        options=TeamsOptions(allow_anonymous=True, hr_user_ids=frozenset({"aad-hr"})),
        intake=make_intake(dialog),
    )
    personal = _adapter("a:personal-1", "personal", user="aad-leder")
    channel = _adapter("19:ledergruppe@thread.tacv2", "channel", user="aad-leder")

    def said(user: str, text: str) -> Activity:
        return Activity(type="message", text=text, from_property=ChannelAccount(id=user, aad_object_id=user))

    async def scenario() -> None:
        await (
            TestFlow(personal, agent.application.on_turn)
            .send(said("aad-leder", PLAN))
            .assert_reply(shows("Plan lagret:"))
            .start_test()
        )
        await (
            TestFlow(channel, agent.application.on_turn)
            .send(said("aad-leder", "<at>lederbot</at> refleksjon gruppe verdier frist 01.12.2030"))
            .assert_reply(shows("Svarfrist"))
            .start_test()
        )
        # A personal command in the channel: pointed to the personal chat, not searched as a question.
        await (
            TestFlow(channel, agent.application.on_turn)
            .send(said("aad-leder", "<at>lederbot</at> mine svar"))
            .assert_reply(shows("personlig chat"))
            .start_test()
        )
        hr = _adapter("a:hr", "personal", user="aad-hr")

        async def by_level(reply: Any) -> None:
            card = json.dumps(reply.attachments[0].content, ensure_ascii=False)
            assert texts.HOME_HR_EMPTY in card, card  # the report's summary, not an answer or an error

        await (
            TestFlow(hr, agent.application.on_turn)
            .send(said("aad-hr", "rapport nivå"))
            .assert_reply(by_level, timeout=60)
            .start_test()
        )
        await (
            TestFlow(personal, agent.application.on_turn)
            .send(said("aad-leder", "rapport"))
            .assert_reply(shows("bare for HR"))
            .start_test()
        )

    asyncio.run(scenario())
    [report] = entries(dialog.questions.database)
    assert report.action == "chat_report" and report.parameters["by"] == "level"
    assert report.actor.startswith("teams:") and "aad-hr" not in report.actor
    with dialog.questions.database.session() as session:
        [plan] = session.scalars(select(ReflectionSchedule)).all()
        assert plan.address == "a:personal-1" and plan.local_time == "08:30" and not plan.is_group
        [group] = session.scalars(select(GroupSession)).all()
        assert group.channel_id == "19:ledergruppe@thread.tacv2" and group.channel == "teams"
        assert group.deadline == datetime(2030, 12, 1, 15, 0, tzinfo=UTC)


def test_slack_takes_the_same_commands(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog, hr_user_ids=frozenset({"U0HR"})) as bot:
            command = payload("slash_leder", response_url=bot.slack.response_url("plan"))
            command.update(command="/refleksjon", text=PLAN.removeprefix("refleksjon "))
            await bot.post_form(command)
            [reply] = await bot.slack.wait_for("response_url")
            assert "Plan lagret:" in reply.data["text"]
            report = payload("slash_leder", response_url=bot.slack.response_url("rapport"))
            report.update(text="rapport nivå", user_id="U0HR")
            await bot.post_form(report)
            await bot.slack.wait_for("files.completeUploadExternal")
            [intro] = await bot.slack.wait_for("chat.postMessage")
            assert "nivå" in intro.data["text"] or "level" in intro.data["text"]

    asyncio.run(scenario())


# -- Slack: every command through every entry point ---------------------------------------------------

CHANNEL = "C0LEDERE"
LEADER, HR = "U0LEDER1", "U0HR"
ENTRIES = ("dm", "mention", "leder", "refleksjon")


def _dm(user: str) -> str:
    return "D" + user.removeprefix("U")  # what the mock's conversations.open answers


class _Slack:
    """Sends one command through one Slack entry point and waits until the bot has done with it."""

    def __init__(self, bot: Running, entry: str) -> None:
        self.bot, self.entry = bot, entry

    async def send(self, text: str, *, user: str = LEADER) -> list[Call]:
        """``text`` as the leader writes it after the entry point; returns the Slack calls it made."""
        bot, mark = self.bot, len(self.bot.slack.calls)
        if self.entry in ("dm", "mention"):
            assert bot.intake is not None
            handled = bot.intake.handled
            event = payload("message_im" if self.entry == "dm" else "app_mention")
            event["event_id"] = f"EvGrammar{self.entry}{mark}"
            event["event"].update(user=user, ts=f"1763902{mark:03d}.000100")
            if self.entry == "dm":
                event["event"].update(text=text, channel=_dm(user))
            else:
                event["event"].update(text=f"<@U0BOT> {text}")
            assert (await bot.post_event(event)).status == 200
            await bot.wait_handled(handled + 1)  # the bot's own signal that it is done with the event
            return bot.slack.calls[mark:]
        command = payload("slash_leder", response_url=bot.slack.response_url(f"grammar{mark}"))
        if self.entry == "refleksjon":
            command.update(command="/refleksjon", text=text.removeprefix("refleksjon").strip())
        else:
            command.update(text=text)
        command.update(user_id=user)
        assert (await bot.post_form(command)).status == 200
        # A slash command ends with a private word through its response_url, or (a group) its opening post.
        return await _until(bot, mark, lambda new: any(_private_to(c, user) or _in_channel(c) for c in new))

    def private(self, calls: list[Call], user: str = LEADER) -> str:
        """What only ``user`` saw where they wrote: the DM, an ephemeral message, the response_url."""
        if self.entry == "dm":
            return _dm_posts(calls, user)
        return " ".join(_text(c) for c in calls if _private_to(c, user))


async def _until(bot: Running, mark: int, done: Callable[[list[Call]], bool], timeout: float = 60) -> list[Call]:
    deadline = time.monotonic() + timeout
    while not done(bot.slack.calls[mark:]):
        if time.monotonic() > deadline:
            raise AssertionError(f"the command never finished; Slack got {[c.method for c in bot.slack.calls[mark:]]}")
        await asyncio.sleep(0.02)
    return bot.slack.calls[mark:]


def _text(call: Call) -> str:
    blocks = call.data.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return json.dumps(blocks or [], ensure_ascii=False) + str(call.data.get("text", ""))


def _private_to(call: Call, user: str) -> bool:
    if call.method == "response_url":
        return call.data.get("response_type") == "ephemeral"
    return call.method == "chat.postEphemeral" and call.data.get("user") == user


def _in_channel(call: Call) -> bool:
    return call.method == "chat.postMessage" and call.data.get("channel") == CHANNEL


def _dm_posts(calls: list[Call], user: str = LEADER) -> str:
    return " ".join(_text(c) for c in calls if c.method == "chat.postMessage" and c.data["channel"] == _dm(user))


def _uploads(calls: list[Call]) -> list[str]:
    return [c.data["content"] for c in calls if c.method == "upload"]


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_command_works_at_every_slack_entry_point(dialog: Dialog, entry: str) -> None:
    """rapport <dimensjon>, refleksjon plan, refleksjon gruppe … frist, refleksjon <tema>, mine svar,
    eksporter mine svar and slett mine svar, each by what it does, in a DM, a mention, /leder and /refleksjon."""
    leader = dialog.owner(Asker("slack", "T0HEIM", LEADER, "dm"))
    in_channel = entry != "dm"

    async def scenario() -> None:
        async with running_bot(dialog, hr_user_ids=frozenset({HR})) as bot:
            slack = _Slack(bot, entry)

            # The HR report by level: the summary and the HTML file in HR's DM, never in the channel.
            calls = await slack.send("rapport nivå", user=HR)
            assert "Bruk av lederbot per level" in _dm_posts(calls, HR)
            [html] = _uploads(calls)
            assert html.startswith("<!DOCTYPE html>") and ("bruk per nivå" in html or "bruk per level" in html)
            [complete] = [c for c in calls if c.method == "files.completeUploadExternal"]
            assert complete.data["channel_id"] == _dm(HR)
            if in_channel:
                assert texts.HR_REPORT_SENT in slack.private(calls, HR)
            assert not any(_in_channel(c) for c in calls)

            # Not for a leader who is not HR: told privately, nothing sent.
            calls = await slack.send("rapport")
            assert texts.HR_ONLY in slack.private(calls)
            assert not _uploads(calls) and not any(_in_channel(c) for c in calls)

            # A plan: stored for the leader, prompts to their DM, confirmed privately.
            calls = await slack.send(PLAN)
            confirmed = slack.private(calls)
            assert "Plan lagret:" in confirmed and "08:30" in confirmed
            assert not any(_in_channel(c) for c in calls)

            # A group with a deadline: opened in the channel; in a DM refused (a group needs its channel).
            calls = await slack.send("refleksjon gruppe verdier frist 01.12.2030")
            if in_channel:
                [opening] = [c for c in calls if _in_channel(c)]
                assert "Verdier og forankring" in _text(opening) and "Svarfrist" in _text(opening)
            else:
                assert escape(texts.GROUP_HELP) in slack.private(calls)

            # A reflection for oneself: started in the leader's DM (from a channel: told so there).
            calls = await slack.send("refleksjon verdier")
            assert "Spørsmål 1 av" in _dm_posts(calls)
            if in_channel:
                assert texts.OPEN_DM in slack.private(calls)
            assert not any(_in_channel(c) for c in calls)
            # The leader answers the first question in the DM (the engine directly: not what is tested here).
            await asyncio.to_thread(dialog.engine.handle, leader, "Åpenhet først, alltid.")

            calls = await slack.send("mine svar")
            assert "Åpenhet først, alltid." in _dm_posts(calls)
            assert not any(_in_channel(c) for c in calls)

            calls = await slack.send("eksporter mine svar")
            [export] = _uploads(calls)
            assert "Åpenhet først, alltid." in export
            [complete] = [c for c in calls if c.method == "files.completeUploadExternal"]
            assert complete.data["channel_id"] == _dm(LEADER)
            assert not any(_in_channel(c) for c in calls)

            calls = await slack.send("slett mine svar")
            assert "slett mine svar bekreftet" in _dm_posts(calls)  # the confirm button, in the DM
            assert not any(_in_channel(c) for c in calls)

    asyncio.run(scenario())
    [report] = entries(dialog.questions.database)
    assert report.action == "chat_report" and report.parameters["by"] == "level" and HR not in report.actor
    with dialog.questions.database.session() as session:
        [plan] = session.scalars(select(ReflectionSchedule)).all()
        assert plan.owner_key == leader and plan.address == _dm(LEADER) and not plan.is_group
        assert plan.local_time == "08:30" and plan.weekdays == [0, 2] and plan.timezone == "Europe/Oslo"
        groups = session.scalars(select(GroupSession)).all()
        if in_channel:
            [group] = groups
            assert group.channel_id == CHANNEL and group.state == "open"
            assert group.deadline == datetime(2030, 12, 1, 15, 0, tzinfo=UTC)  # 16:00 in Oslo
        else:
            assert groups == []
        [reflection] = session.scalars(select(ReflectionSession).where(ReflectionSession.group_id.is_(None))).all()
        assert reflection.owner_key == leader


def test_a_question_stays_a_question_at_every_slack_entry_point(dialog: Dialog) -> None:
    """Beside the commands, a question written after /leder or in a mention is still answered from the
    documents, and «refleksjon»-words in a channel never take a running reflection's answer."""

    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            leder = _Slack(bot, "leder")
            calls = await leder.send("Hva er en delegeringssperre?")
            assert "delegeringssperre" in leder.private(calls).lower() and "share_answer" in leder.private(calls)
            await _Slack(bot, "dm").send("refleksjon verdier")
            mention = _Slack(bot, "mention")
            calls = await mention.send("Hvem har ansvaret når myndighet er delegert?")
            [answer] = [c for c in calls if _in_channel(c)]
            assert "3.1 Delegering" in _text(answer)  # answered in the thread, not filed as a reflection answer

    asyncio.run(scenario())
    leader = dialog.owner(Asker("slack", "T0HEIM", LEADER, "dm"))
    assert "ingen lagrede refleksjonssvar" in dialog.engine.handle(leader, "mine svar").text  # type: ignore[union-attr]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", Command("dialog", text="refleksjon")),
        ("verdier", Command("dialog", text="refleksjon verdier")),
        ("gruppe verdier", Command("group", text="verdier")),
        ("plan man kl 08:30", Command("plan", text="man kl 08:30")),
        ("mine svar", Command("dialog", text="mine svar")),
        ("eksporter mine svar", Command("dialog", text="eksporter mine svar")),
        ("rapport tema", Command("report", by="theme")),
    ],
)
def test_what_follows_refleksjon(args: str, expected: Command) -> None:
    assert parse_reflection(args) == expected


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "personal"),
    [
        ("refleksjon", True),
        ("Refleksjon verdier", True),
        ("Mine svar!", True),
        ("slett  mine svar", True),
        ("endre svar 2: Nytt svar", True),
        ("fortsett", True),
        ("pause", False),  # acts on a running reflection only: a turn in the DM
        ("Hva er mine svar på lojalitet?", False),
        ("rapport", False),
    ],
)
def test_personal_commands(text: str, personal: bool) -> None:
    assert parse(text).personal is personal


def test_the_rules_are_the_same_in_every_channel(dialog: Dialog) -> None:
    asker = Asker("teams", "t1", "u1", "mention")
    channel = Place(conversation="19:c", shared=True, private_reply=False)
    personal = Place(conversation="a:p", shared=False, turn=True, hr=True)
    assert execute(dialog, parse("rapport"), asker=asker, place=channel).refusal is Refusal.HR_ONLY
    hr_in_channel = Place(conversation="19:c", shared=True, private_reply=False, hr=True)
    assert execute(dialog, parse("rapport"), asker=asker, place=hr_in_channel).refusal is Refusal.HR_PRIVATE_ONLY
    assert execute(dialog, parse("refleksjon gruppe verdier"), asker=asker, place=personal).refusal is (
        Refusal.NEEDS_CHANNEL
    )
    assert execute(dialog, parse("refleksjon plan gruppe fre kl 09:00"), asker=asker, place=personal).refusal is (
        Refusal.NEEDS_CHANNEL
    )
    assert execute(dialog, parse("refleksjon gruppe"), asker=asker, place=channel).refusal is Refusal.NEEDS_THEME
    assert execute(dialog, parse("refleksjon gruppe verdier frist 1/12"), asker=asker, place=channel).refusal is (
        Refusal.NEEDS_THEME
    )
    # «mine svar» where the bot cannot answer privately: refused (nothing of the leader's shown there,
    # and no document passage pretending to answer it); a question there is still a question.
    done = execute(dialog, parse("mine svar"), asker=asker, place=channel)
    assert done.refusal is Refusal.PRIVATE_ONLY and done.reply is None and done.asked is None
    asked = execute(dialog, parse("Hva er en delegeringssperre?"), asker=asker, place=channel).asked
    assert asked is not None and asked.answer.answered
    assert entries(dialog.questions.database) == []  # nothing was reported
