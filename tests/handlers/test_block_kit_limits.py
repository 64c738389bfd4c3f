"""The Block Kit limits check itself: each rule flags a payload that breaks it, and a good payload passes.

Without these a validator that found nothing would let every other test pass. The builders in
handlers/slack/blocks.py and the scheduled sender are checked here too: long content is paged, never cut.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialog import Dialog
from bot.jobs import ReflectionJobs
from bot.reflection.replies import Choice, Reply
from handlers.slack import limits
from handlers.slack.blocks import pages, reflection_blocks
from handlers.slack.sender import SlackSender
from loopback.block_kit import payload_violations
from loopback.slack import BOT_TOKEN, MockSlack, start_on_loopback


def _loaded(blocks: Any) -> list[dict[str, Any]]:
    return json.loads(blocks) if isinstance(blocks, str) else blocks  # type: ignore[no-any-return]


def _section(text: str = "Hei") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def _option(text: str = "Ja", value: str = "ja") -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


def _button(text: str = "Nyttig", value: str = "r1") -> dict[str, Any]:
    return {"type": "button", "text": _plain(text), "action_id": "b", "value": value}


def _input(element: dict[str, Any], label: str = "Svar") -> dict[str, Any]:
    return {"type": "input", "block_id": "answer", "label": _plain(label), "element": element}


def _text_input(**extra: Any) -> dict[str, Any]:
    return {"type": "plain_text_input", "action_id": "text", **extra}


def good_message() -> dict[str, Any]:
    return {
        "channel": "D1",
        "text": "Svar på spørsmålet",
        "blocks": [
            {"type": "header", "text": _plain("Svar")},
            _section("Et svar"),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Kilde"}]},
            {
                "type": "rich_text",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "x"}]}],
            },
            {"type": "markdown", "text": "**fet**"},
            {
                "type": "actions",
                "elements": [
                    _button(),
                    {"type": "overflow", "action_id": "o", "options": [_option(str(i), str(i)) for i in range(5)]},
                    {
                        "type": "static_select",
                        "action_id": "s",
                        "placeholder": _plain("Velg tema"),
                        "options": [_option(str(i), str(i)) for i in range(100)],
                    },
                    {"type": "checkboxes", "action_id": "c", "options": [_option(str(i), str(i)) for i in range(10)]},
                    {
                        "type": "radio_buttons",
                        "action_id": "r",
                        "options": [_option(str(i), str(i)) for i in range(10)],
                    },
                ],
            },
        ],
        "attachments": [{"blocks": [_section("Vedlegg")]}],
    }


def good_modal() -> dict[str, Any]:
    return {
        "trigger_id": "t",
        "view": {
            "type": "modal",
            "callback_id": "group_answer_modal",
            "title": _plain("Ditt svar"),
            "submit": _plain("Send"),
            "close": _plain("Avbryt"),
            "private_metadata": "{}",
            "blocks": [
                _section("*Spørsmål*"),
                _input(_text_input(multiline=True, max_length=3000, placeholder=_plain("Skriv her"))),
            ],
        },
    }


def good_ack_update() -> dict[str, Any]:
    return {"response_action": "update", "view": good_modal()["view"]}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Sets ``value`` at a dotted path (numbers index lists) of a payload."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        del node[last]

    return change


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for one in changes:
            one(data)

    return change


ACTIONS = "blocks.5.elements"
BAD: list[tuple[str, str, Callable[[], dict[str, Any]], Callable[[dict[str, Any]], None], str]] = [
    # (rule, method, good payload, the change that breaks it, what the violation says)
    ("message blocks", "chat.postMessage", good_message, _set("blocks", [_section()] * 51), "51 blocks in a message"),
    ("text fallback", "chat.postMessage", good_message, _set("text", " "), "no text fallback"),
    ("text fallback on response_url", "response_url", good_message, _drop("text"), "no text fallback"),
    ("message text", "chat.postMessage", good_message, _set("text", "x" * 40001), "message text of 40001"),
    ("section text", "chat.postMessage", good_message, _set("blocks.1.text.text", "x" * 3001), "section text of 3001"),
    ("section fields", "chat.postMessage", good_message, _set("blocks.1.fields", [_plain("f")] * 11), "11 section"),
    (
        "section field",
        "chat.postMessage",
        good_message,
        _set("blocks.1.fields", [{"type": "mrkdwn", "text": "x" * 2001}]),
        "section field of 2001",
    ),
    ("header", "chat.postMessage", good_message, _set("blocks.0.text.text", "x" * 151), "header of 151"),
    ("context elements", "chat.postMessage", good_message, _set("blocks.2.elements", [_plain("c")] * 11), "11 context"),
    ("block_id", "chat.postMessage", good_message, _set("blocks.1.block_id", "b" * 256), "block_id over 255"),
    ("rich_text elements", "chat.postMessage", good_message, _set("blocks.3.elements", []), "rich_text block without"),
    ("markdown text", "chat.postMessage", good_message, _set("blocks.4.text", "x" * 12001), "markdown blocks of 12001"),
    (
        "markdown cumulative",
        "chat.postMessage",
        good_message,
        _set("blocks", [{"type": "markdown", "text": "x" * 6001}] * 2),
        "markdown blocks of 12002",
    ),
    ("actions elements", "chat.postMessage", good_message, _set(ACTIONS, [_button()] * 26), "26 elements"),
    ("button text", "chat.postMessage", good_message, _set(f"{ACTIONS}.0.text.text", "x" * 76), "button text of 76"),
    ("button value", "chat.postMessage", good_message, _set(f"{ACTIONS}.0.value", "x" * 2001), "button value of 2001"),
    ("button url", "chat.postMessage", good_message, _set(f"{ACTIONS}.0.url", "h" * 3001), "button url"),
    ("action_id", "chat.postMessage", good_message, _set(f"{ACTIONS}.0.action_id", "a" * 256), "action_id over"),
    (
        "overflow options",
        "chat.postMessage",
        good_message,
        _set(f"{ACTIONS}.1.options", [_option(str(i), str(i)) for i in range(6)]),
        "6 options in a overflow",
    ),
    (
        "static_select options",
        "chat.postMessage",
        good_message,
        _set(f"{ACTIONS}.2.options", [_option(str(i), str(i)) for i in range(101)]),
        "101 options in a static_select",
    ),
    (
        "checkboxes options",
        "chat.postMessage",
        good_message,
        _set(f"{ACTIONS}.3.options", [_option(str(i), str(i)) for i in range(11)]),
        "11 options in a checkboxes",
    ),
    (
        "radio_buttons options",
        "chat.postMessage",
        good_message,
        _set(f"{ACTIONS}.4.options", [_option(str(i), str(i)) for i in range(11)]),
        "11 options in a radio_buttons",
    ),
    (
        "placeholder",
        "chat.postMessage",
        good_message,
        _set(f"{ACTIONS}.2.placeholder", _plain("x" * 151)),
        "static_select placeholder of 151",
    ),
    (
        "option text",
        "chat.postMessage",
        good_message,
        _set(f"{ACTIONS}.2.options.0.text.text", "x" * 76),
        "option text",
    ),
    ("option value", "chat.postMessage", good_message, _set(f"{ACTIONS}.2.options.0.value", "v" * 151), "option value"),
    (
        "confirm text",
        "chat.postMessage",
        good_message,
        _set(
            f"{ACTIONS}.0.confirm",
            {"title": _plain("Sikker?"), "text": _plain("x" * 301), "confirm": _plain("Ja"), "deny": _plain("Nei")},
        ),
        "confirm text of 301",
    ),
    (
        "attachments",
        "chat.postMessage",
        good_message,
        _set("attachments", [{"blocks": [_section()]}] * 101),
        "101 attachments",
    ),
    (
        "blocks in attachments",
        "chat.postMessage",
        good_message,
        _set("attachments.0.blocks.0.text.text", "x" * 3001),
        "section text of 3001",
    ),
    ("view blocks", "views.open", good_modal, _set("view.blocks", [_section()] * 101), "101 blocks in a view"),
    ("modal title", "views.open", good_modal, _set("view.title.text", "x" * 25), "modal title of 25"),
    ("modal without title", "views.open", good_modal, _drop("view.title"), "modal without a title"),
    ("modal submit", "views.push", good_modal, _set("view.submit.text", "x" * 25), "modal submit of 25"),
    ("input without submit", "views.open", good_modal, _drop("view.submit"), "no submit button"),
    ("modal close", "views.update", good_modal, _set("view.close.text", "x" * 25), "modal close of 25"),
    ("private_metadata", "views.open", good_modal, _set("view.private_metadata", "m" * 3001), "private_metadata"),
    ("input label", "views.open", good_modal, _set("view.blocks.1.label.text", "x" * 2001), "input label of 2001"),
    (
        "plain_text_input max_length",
        "views.open",
        good_modal,
        _set("view.blocks.1.element.max_length", 3001),
        "plain_text_input max_length 3001",
    ),
    (
        "plain_text_input min_length",
        "views.open",
        good_modal,
        _set("view.blocks.1.element.min_length", 3001),
        "plain_text_input min_length 3001",
    ),
    (
        "plain_text_input placeholder",
        "views.open",
        good_modal,
        _set("view.blocks.1.element.placeholder.text", "x" * 151),
        "plain_text_input placeholder of 151",
    ),
    ("home blocks", "views.publish", good_modal, _set("view", {"type": "home", "blocks": [_section()] * 101}), "101"),
    ("ack update view", "ack", good_ack_update, _set("view.title.text", "x" * 25), "modal title of 25"),
    ("ack update without view", "ack", good_ack_update, _drop("view"), "response_action update without a view"),
    ("ack push view", "ack", good_ack_update, _both(_set("response_action", "push"), _drop("view.title")), "without a"),
    ("ack unknown action", "ack", good_ack_update, _set("response_action", "replace"), "response_action 'replace'"),
    (
        "ack errors",
        "ack",
        lambda: {"response_action": "errors", "errors": {"answer": "Skriv noe"}},
        _set("errors", {}),
        "without errors",
    ),
    (
        "ack message",
        "ack",
        lambda: {"response_type": "ephemeral", "text": "Svar", "blocks": [_section()]},
        _set("blocks", [_section()] * 51),
        "51 blocks in a message",
    ),
]


@pytest.mark.unit
@pytest.mark.parametrize(("method", "good"), [(c[1], c[2]) for c in BAD], ids=[c[0] for c in BAD])
def test_a_good_payload_passes(method: str, good: Callable[[], dict[str, Any]]) -> None:
    assert payload_violations(method, good()) == []


@pytest.mark.unit
@pytest.mark.parametrize(("method", "good", "breaks", "said"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_each_rule_flags_a_payload_that_breaks_it(
    method: str, good: Callable[[], dict[str, Any]], breaks: Callable[[dict[str, Any]], None], said: str
) -> None:
    data = copy.deepcopy(good())
    breaks(data)
    found = payload_violations(method, data)
    assert any(said in v for v in found), f"{said!r} not in {found}"


@pytest.mark.unit
def test_json_encoded_fields_are_read_as_the_sdk_sends_them() -> None:
    # The Web API client sends blocks, attachments and views as JSON strings in form fields.
    message = good_message()
    message["blocks"] = json.dumps([_section()] * 51)
    message["attachments"] = json.dumps([{"blocks": [_section()]}] * 101)
    found = payload_violations("chat.postMessage", message)
    assert any("51 blocks" in v for v in found) and any("101 attachments" in v for v in found)
    modal = good_modal()
    modal["view"]["title"]["text"] = "x" * 25
    assert payload_violations("views.open", {"view": json.dumps(modal["view"])})


@pytest.mark.unit
def test_many_choices_all_get_buttons_and_long_labels_are_shown_whole() -> None:
    long_label = "Hvordan " + "kommer verdiene til uttrykk i hverdagen " * 3 + "SLUTT"
    choices = tuple(Choice(f"Tema {i}", f"refleksjon tema{i}") for i in range(30)) + (Choice(long_label, "lang"),)
    blocks = reflection_blocks(Reply("Velg et tema", choices=choices))
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["value"] for b in buttons] == [c.value for c in choices]  # none dropped (the old code kept 25)
    assert all(len(b["elements"]) <= limits.ACTIONS_ELEMENTS for b in blocks if b["type"] == "actions")
    label = buttons[-1]["text"]["text"]
    assert len(label) <= limits.BUTTON_TEXT and label.endswith("…")  # shortened visibly, not cut
    shown = json.dumps([b for b in blocks if b["type"] != "actions"], ensure_ascii=False)
    assert long_label in shown  # and the whole label is in the message
    for page in pages(blocks):
        assert payload_violations("chat.postMessage", {"text": "Velg et tema", "blocks": page}) == []


@pytest.mark.integration
def test_a_deadline_summary_with_many_answers_reaches_slack_in_valid_pages(dialog: Dialog) -> None:
    groups = dialog.groups
    deadline = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    group_id, _ = groups.start(channel_id="C0LEDERE", facilitator="f", word="rekruttere", deadline=deadline)
    answers = []
    for member in range(40):
        for index in range(3):
            text = f"Svar-{member}-{index} " + "Vi snakker om erfaring og forventninger i teamet. " * 40
            groups.answer(
                group_id,
                member=f"m{member}",
                index=index,
                text=text,
                shared_as=f"<@U{member:03d}>",
                conversation="C0LEDERE",
            )
            answers.append(f"Svar-{member}-{index}")

    async def scenario() -> MockSlack:
        slack = MockSlack()
        mock = web.Application()
        mock.router.add_post("/api/{method}", slack.handle)
        runner, slack.port = await start_on_loopback(mock)
        try:
            client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
            jobs = ReflectionJobs(
                dialog=dialog,
                senders={"slack": SlackSender(client=client)},
                clock=lambda: deadline + timedelta(minutes=1),
            )
            await jobs.run()
        finally:
            await runner.cleanup()
        return slack

    slack = asyncio.run(scenario())
    posts = slack.of("chat.postMessage")
    assert len(posts) > 1, "a summary of 120 long answers must be sent over several messages"
    assert slack.violations == []  # each message within 50 blocks, with a text fallback
    shown = "".join(
        block["text"]["text"] for post in posts for block in _loaded(post.data["blocks"]) if block["type"] == "section"
    )
    assert all(answer in shown for answer in answers)  # nothing dropped
    assert {post.data["channel"] for post in posts} == {"C0LEDERE"}
