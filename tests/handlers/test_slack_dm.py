"""A leader's own things in the Slack DM through the real HTTP protocol: reflection answers seen,
exported and deleted, the App Home's reflection button, and HR's report in chat (HR only, audited)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.dialog import Dialog
from loopback.slack import payload, running_bot
from tests.handlers.test_slack import _all_text, run

pytestmark = pytest.mark.integration


def _dm_event(n: int, text: str, user: str = "U0LEDER2") -> dict[str, Any]:
    event = payload("message_im")
    event["event_id"] = f"EvData{n}"
    event["event"].update(text=text, user=user, ts=f"1763901{n:03d}.000100")
    return event


def test_my_answers_export_and_delete_in_the_dm(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            steps = ["refleksjon verdier", "Jeg prioriterer åpenhet <!channel>.", "avslutt", "eksporter mine svar"]
            for n, text in enumerate(steps):
                await bot.post_event(_dm_event(n, text))
                await bot.slack.wait_for("chat.postMessage", n + 1)
            [upload] = await bot.slack.wait_for("upload")
            assert "Jeg prioriterer åpenhet" in upload.data["content"]
            [complete] = await bot.slack.wait_for("files.completeUploadExternal")
            assert complete.data["channel_id"] == "D0LEDER2"
            finished = _all_text(bot.slack.of("chat.postMessage")[2].data)
            assert "&lt;!channel&gt;" in finished and "<!channel>" not in finished

            await bot.post_event(_dm_event(10, "slett mine svar"))
            [*_, confirm] = await bot.slack.wait_for("chat.postMessage", 5)
            blocks = (
                json.loads(confirm.data["blocks"])
                if isinstance(confirm.data["blocks"], str)
                else confirm.data["blocks"]
            )
            yes = next(e for b in blocks if b["type"] == "actions" for e in b["elements"] if "bekreftet" in e["value"])
            action = payload(
                "block_actions", response_url=bot.slack.response_url(), action_id=yes["action_id"], value=yes["value"]
            )
            action["user"]["id"] = "U0LEDER2"
            action["channel"] = {"id": "D0LEDER2", "name": "directmessage"}
            await bot.post_action(action)
            [*_, deleted] = await bot.slack.wait_for("chat.postMessage", 6)
            assert "Slettet 1 svar" in _all_text(deleted.data)
            await bot.post_event(_dm_event(11, "mine svar"))
            [*_, mine] = await bot.slack.wait_for("chat.postMessage", 7)
            assert "ingen lagrede refleksjonssvar" in _all_text(mine.data)

    run(scenario())


def test_app_home_button_starts_a_reflection_in_the_dm(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            await bot.post_event(payload("app_home_opened"))
            [published] = await bot.slack.wait_for("views.publish")
            view = published.data["view"]
            view = json.loads(view) if isinstance(view, str) else view
            button = next(e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"])
            action = payload(
                "block_actions",
                response_url=bot.slack.response_url(),
                action_id=button["action_id"],
                value=button["value"],
            )
            action["channel"] = None
            action["container"] = {"type": "view", "view_id": "V0HOME"}
            await bot.post_action(action)
            [opened] = await bot.slack.wait_for("conversations.open")
            assert opened.data["users"] == "U0LEDER1"
            [themes] = await bot.slack.wait_for("chat.postMessage")
            assert themes.data["channel"] == "D0LEDER1"
            assert "Å lede med tydelige verdier" in _all_text(themes.data)

    run(scenario())


def test_hr_report_in_chat_is_for_hr_only_and_audited(dialog: Dialog) -> None:
    async def scenario() -> None:
        async with running_bot(dialog, hr_user_ids=frozenset({"U0HR"})) as bot:
            command = payload("slash_leder", response_url=bot.slack.response_url("hr"))
            command.update(text="rapport enhet", user_id="U0LEDER1")
            await bot.post_form(command)
            [refused] = await bot.slack.wait_for("response_url")
            assert "bare for HR" in refused.data["text"]
            command.update(user_id="U0HR")
            await bot.post_form(command)
            [summary] = await bot.slack.wait_for("chat.postMessage")
            assert summary.data["channel"] == "D0HR" and "Bruk av lederbot per unit" in summary.data["text"]
            [upload] = await bot.slack.wait_for("upload")
            assert upload.data["content"].startswith("<!DOCTYPE html>")
            home = payload("app_home_opened")
            home["event"]["user"] = "U0HR"
            await bot.post_event(home)
            [published] = await bot.slack.wait_for("views.publish")
            assert "For HR" in json.dumps(published.data["view"], ensure_ascii=False)

    run(scenario())
    from bot.analytics.audit import entries

    logged = entries(dialog.questions.database)
    assert [e.action for e in logged] == ["chat_report", "home_overview"]
    assert all(e.actor.startswith("slack:") and "U0HR" not in e.actor for e in logged)
