"""Slack through its real HTTP protocol: signed requests to the Bolt endpoint, a mock Web API on a free port."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from typing import Any

import pytest
from sqlalchemy import select

from bot.assistant import Assistant
from bot.dialog import Dialog
from bot.questions import Questions
from bot.store.db import Database, make_engine
from bot.store.models import QuestionLog
from bot.store.question_log import QuestionRepository
from loopback.core import make_dialog
from loopback.slack import Running, payload, running_bot, sign

pytestmark = pytest.mark.integration


def run(scenario: Any) -> None:
    asyncio.run(scenario)


def _all_text(call_data: dict[str, Any]) -> str:
    blocks = call_data.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return json.dumps(blocks or [], ensure_ascii=False) + str(call_data.get("text", ""))


def _records(questions: Questions) -> list[QuestionLog]:
    with questions.database.session() as session:
        return list(session.scalars(select(QuestionLog)))


def _sample(bot: Running, name: str, **labels: str) -> float | None:
    assert bot.intake is not None
    return bot.intake.metrics.registry.get_sample_value(name, labels)


def test_url_verification_and_signatures(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            body = payload("url_verification")
            raw = json.dumps(body)
            async with bot.session.post(
                f"{bot.bot_url}/slack/events", data=raw, headers={"Content-Type": "application/json", **sign(raw)}
            ) as response:
                assert response.status == 200
                assert (await response.json())["challenge"] == body["challenge"]
            bad = await bot.post_event(payload("app_mention"), secret="wrong-secret")
            assert bad.status == 401
            stale = await bot.post_event(payload("app_mention"), timestamp=int(time.time()) - 6 * 60)
            assert stale.status == 401
            async with bot.session.post(
                f"{bot.bot_url}/slack/events", data=raw, headers={"Content-Type": "application/json"}
            ) as unsigned:
                assert unsigned.status == 401
            # Refused requests never reach the inbox; a signed one afterwards is the only thing handled.
            assert _sample(bot, "lederbot_inbox_events_total", channel="slack", outcome="stored") is None
            signed = payload("app_mention")
            signed["event_id"] = "EvSignedAfterRefusals"
            assert (await bot.post_event(signed)).status == 200
            await bot.wait_handled(1)
            assert [c.method for c in bot.slack.calls if c.method.startswith("chat.")] == ["chat.postMessage"]

    run(scenario())


def test_mention_is_answered_in_its_thread_once(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            event = payload("app_mention")
            started = time.monotonic()
            response = await bot.post_event(event)
            assert response.status == 200
            assert time.monotonic() - started < 3  # acknowledged before the answer is made
            [call] = await bot.slack.wait_for("chat.postMessage")
            assert call.data["channel"] == "C0LEDERE"
            assert call.data["thread_ts"] == event["event"]["ts"]
            text = _all_text(call.data)
            assert "sitter igjen med ansvaret" in text
            assert "Styring og ledelse i Heim kommune, 3.1 Delegering" in text
            assert "feedback_up" in text and "feedback_down" in text and "ask_hr" in text
            # Slack retries the same delivery: it is answered once.
            await bot.wait_handled(1)
            again = await bot.post_event(event, retry=1)
            assert again.status == 200
            assert bot.intake is not None and _sample(bot, "lederbot_duplicate_deliveries_total") == 1
            # A follow-up in the answer's thread is answered without a mention.
            await bot.post_event(payload("thread_reply"))
            await bot.wait_handled(2)
            calls = bot.slack.of("chat.postMessage")
            assert len(calls) == 2  # the mention's answer and the follow-up's: the retry added nothing
            assert calls[1].data["thread_ts"] == event["event"]["ts"]
            assert "3.1 Delegering" in _all_text(calls[1].data)

    run(scenario())
    records = _records(dialog.questions)
    assert [r.channel_kind for r in records] == ["mention", "thread"]
    first = records[0]
    assert first.answered and first.sources[0]["document"] == "heim-styring-og-ledelse"
    assert first.question_text is None  # answered questions keep no text
    assert "U0LEDER1" not in first.leader_key and len(first.leader_key) == 64
    assert records[0].leader_key == records[1].leader_key  # the same leader, pseudonymously


def test_dm_about_loyalty(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            await bot.post_event(payload("message_im"))
            [call] = await bot.slack.wait_for("chat.postMessage")
            assert call.data["channel"] == "D0LEDER2"
            text = _all_text(call.data)
            assert "10.1 Lojalitet" in text and "Snakke med" in text

    run(scenario())


def test_edits_bots_and_joins_are_ignored(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            for name in ("message_changed", "bot_message", "member_joined"):
                response = await bot.post_event(payload(name))
                assert response.status == 200
            await bot.wait_handled(3)
            assert not [c for c in bot.slack.calls if c.method.startswith("chat.")]

    run(scenario())
    assert _records(dialog.questions) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U0BOT>", "Skriv et spørsmål"),
        ("", "Skriv et spørsmål"),
        (":tada: :wave:", "Skriv et spørsmål"),
        ("<!channel> *Hva* er _lunsjmenyen_ <https://x.no|her>?", "Jeg fant ikke noe sikkert svar"),
        ("Hva er en delegeringssperre? " + "x" * 40_000, "delegeringssperre"),
    ],
    ids=["mention-only", "empty", "emoji", "markup", "huge"],
)
def test_odd_messages_get_a_friendly_reply(dialog: Dialog, text: str, expected: str) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            event = payload("app_mention")
            event["event"]["text"] = text
            response = await bot.post_event(event)
            assert response.status == 200
            [call] = await bot.slack.wait_for("chat.postMessage")
            assert expected in _all_text(call.data)
            assert "<!channel>" not in _all_text(call.data)
            async with bot.session.get(f"{bot.bot_url}/healthz") as health:
                assert health.status == 200

    run(scenario())


def test_echoed_text_cannot_ping_the_channel(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            event = payload("message_im")
            event["event"]["text"] = "Hva er delegering? <!channel> <@U0ALL> & hei"
            await bot.post_event(event)
            [answer] = await bot.slack.wait_for("chat.postMessage")
            assert "<!channel>" not in _all_text(answer.data)
            blocks = (
                json.loads(answer.data["blocks"]) if isinstance(answer.data["blocks"], str) else answer.data["blocks"]
            )
            actions = next(b for b in blocks if b["type"] == "actions")
            hr_value = next(e["value"] for e in actions["elements"] if e["action_id"] == "ask_hr")
            action = payload("block_actions", response_url=bot.slack.response_url(), action_id="ask_hr", value=hr_value)
            action["user"]["id"] = "U0LEDER2"
            await bot.post_action(action)
            calls = await bot.slack.wait_for("chat.postMessage", 2)
            posted = calls[1].data["text"]
            assert calls[1].data["channel"] == "D0HR"  # privately, to the HR contact
            assert "&lt;!channel&gt; &lt;@U0ALL&gt; &amp; hei" in posted
            assert "<!channel>" not in posted

    run(scenario())


def test_slash_command_is_private_and_shareable(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            command = payload("slash_leder", response_url=bot.slack.response_url("cmd"))
            response = await bot.post_form(command)
            assert response.status == 200
            [reply] = await bot.slack.wait_for("response_url")
            assert reply.data["response_type"] == "ephemeral"
            text = _all_text(reply.data)
            assert "Enhetsleder / stabsleder selv" in text or "delegeringssperre" in text
            actions = next(b for b in reply.data["blocks"] if b["type"] == "actions")
            share = next(e for e in actions["elements"] if e["action_id"] == "share_answer")
            await bot.post_action(
                payload(
                    "block_actions",
                    response_url=bot.slack.response_url("share"),
                    action_id="share_answer",
                    value=share["value"],
                )
            )
            calls = await bot.slack.wait_for("response_url", 2)
            assert calls[1].data["response_type"] == "in_channel"
            assert "Delt av <@U0LEDER1>" in _all_text(calls[1].data)

    run(scenario())


def test_feedback_is_stored_and_thumbs_down_asks_why(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            await bot.post_event(payload("message_im"))
            [answer] = await bot.slack.wait_for("chat.postMessage")
            blocks = (
                json.loads(answer.data["blocks"]) if isinstance(answer.data["blocks"], str) else answer.data["blocks"]
            )
            reference = next(b for b in blocks if b["type"] == "actions")["elements"][0]["value"]
            await bot.post_action(
                payload(
                    "block_actions",
                    response_url=bot.slack.response_url("fb"),
                    action_id="feedback_down",
                    value=reference,
                )
                | {"user": {"id": "U0LEDER2"}}
            )
            [opened] = await bot.slack.wait_for("views.open")
            view = json.loads(opened.data["view"]) if isinstance(opened.data["view"], str) else opened.data["view"]
            assert view["callback_id"] == "feedback_reason" and view["private_metadata"] == reference
            submission = {
                "type": "view_submission",
                "team": {"id": "T0HEIM"},
                "user": {"id": "U0LEDER2"},
                "view": {
                    **view,
                    "id": "V1",
                    "state": {"values": {"reason": {"text": {"type": "plain_text_input", "value": "For generelt"}}}},
                },
            }
            response = await bot.post_action(submission)
            assert response.status == 200

    run(scenario())
    [record] = _records(dialog.questions)
    assert record.feedback == "down" and record.feedback_reason is None  # the reason is kept apart from the person
    with dialog.questions.database.session() as session:
        assert QuestionRepository(session=session).feedback_reasons() == ["For generelt"]


def test_app_home_explains_privacy(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            await bot.post_event(payload("app_home_opened"))
            [published] = await bot.slack.wait_for("views.publish")
            assert published.data["user_id"] == "U0LEDER1"
            text = json.dumps(published.data["view"], ensure_ascii=False)
            assert "Personvern" in text and "90 dager" in text and "/leder" in text
            assert "For HR" not in text  # not an HR user

    run(scenario())


def test_slack_rate_limit_is_waited_out(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            bot.slack.failures["chat.postMessage"] = [(429, {"Retry-After": "1"}), (500, {})]
            await bot.post_event(payload("message_im"))
            [call] = await bot.slack.wait_for("chat.postMessage", timeout=30)
            attempts = [c.method for c in bot.slack.calls if c.method.startswith("chat.postMessage")]
            assert attempts == ["chat.postMessage!429", "chat.postMessage!500", "chat.postMessage"]
            limited = next(c for c in bot.slack.calls if c.method == "chat.postMessage!429")
            assert call.at - limited.at >= 0.9  # Retry-After was honoured

    run(scenario())


def test_dead_database_still_answers(assistant: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    dead = Database(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    dialog = make_dialog(assistant, dead)

    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            event = payload("message_im")
            await bot.post_event(event)
            [call] = await bot.slack.wait_for("chat.postMessage")
            assert "10.1 Lojalitet" in _all_text(call.data)
            await bot.wait_handled(1)
            retried = await bot.post_event(event, retry=1)  # still answered once: deduplicated in memory
            assert retried.status == 200
            assert bot.intake is not None and _sample(bot, "lederbot_duplicate_deliveries_total") == 1
            assert bot.intake.handled == 1 and len(bot.slack.of("chat.postMessage")) == 1
            async with bot.session.get(f"{bot.bot_url}/healthz") as health:
                assert (await health.json())["status"] == "degraded"

    with caplog.at_level("WARNING"):
        run(scenario())
    assert any("could not record a question" in r.getMessage() for r in caplog.records)
    assert not any("U0LEDER2" in r.getMessage() or "lojalitet" in r.getMessage() for r in caplog.records)


def test_metrics_count_answers_without_personal_data(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            await bot.post_event(payload("message_im"))
            await bot.wait_handled(1)
            await bot.post_event(payload("message_im"), retry=1)
            async with bot.session.get(f"{bot.bot_url}/metrics") as response:
                assert response.status == 200
                text = await response.text()
            assert 'lederbot_questions_total{channel="slack",outcome="answered"} 1.0' in text
            assert "lederbot_answer_seconds_bucket" in text
            assert "lederbot_duplicate_deliveries_total 1.0" in text
            assert "lederbot_database_up 1.0" in text
            assert 'lederbot_events_handled_total{channel="slack"} 1.0' in text
            assert "U0LEDER2" not in text and "lojalitet" not in text

    run(scenario())


def test_replayed_slash_command_runs_once(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            raw = urllib.parse.urlencode(payload("slash_leder", response_url=bot.slack.response_url("cmd")))
            # The same bytes with the same timestamp and signature: a replay inside Slack's 5-minute window.
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(raw)}
            async with bot.session.post(f"{bot.bot_url}/slack/events", data=raw, headers=headers) as first:
                assert first.status == 200
            await bot.slack.wait_for("response_url")
            async with bot.session.post(f"{bot.bot_url}/slack/events", data=raw, headers=headers) as replay:
                assert replay.status == 200
            # The replay is dropped before any listener runs (counted while the request was answered).
            assert _sample(bot, "lederbot_duplicate_deliveries_total") == 1
            assert len(bot.slack.of("response_url")) == 1

    run(scenario())
