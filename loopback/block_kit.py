"""Block Kit's documented limits checked on every payload a test's mock Slack receives (loopback/slack.py)
and on every ack the bot answers a signed request with: a payload over a limit is rejected by Slack
(``invalid_blocks``) and the leader gets nothing.

Numbers from Slack's reference (docs.slack.dev/reference/block-kit: blocks, block elements,
composition objects; reference/views: modal and Home views; the Python SDK's ``Message`` for the
attachment count). Only documented limits are checked. The limits the block builders keep to are
the product's (handlers/slack/limits.py) and are imported from there, so each number is written once.
"""

from __future__ import annotations

import json
from typing import Any

from handlers.slack.limits import (
    ACTIONS_ELEMENTS,
    BUTTON_TEXT,
    BUTTON_VALUE,
    MESSAGE_BLOCKS,
    MODAL_TITLE,
    SECTION_TEXT,
    VIEW_BLOCKS,
)

MESSAGE_ATTACHMENTS = 100
SECTION_FIELD = 2000
SECTION_FIELDS = 10
TEXT_OBJECT = 3000
CONTEXT_ELEMENTS = 10
MARKDOWN_TEXT = 12000  # all markdown blocks of one payload together
BUTTON_URL = 3000
ACCESSIBILITY_LABEL = 75
ACTION_ID = 255
BLOCK_ID = 255
CALLBACK_ID = 255
HEADER_TEXT = 150
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
MESSAGE_TEXT = 40000
PLACEHOLDER = 150
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTION_DESCRIPTION = 75
OPTION_GROUPS = 100
OPTION_GROUP_LABEL = 75
INPUT_LABEL = 2000
INPUT_HINT = 2000
TEXT_INPUT_MAX = 3000
IMAGE_ALT_TEXT = 2000
IMAGE_URL = 3000
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30
# How many options an element may hold.
OPTIONS = {
    "static_select": 100,
    "multi_static_select": 100,
    "radio_buttons": 10,
    "checkboxes": 10,
    "overflow": 5,
}
RESPONSE_ACTIONS = {"errors", "update", "push", "clear"}

_MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage", "response_url"}
_VIEW_METHODS = {"views.open", "views.push", "views.update", "views.publish"}


def _loaded(value: Any) -> Any:
    # The Web API client sends blocks and views as JSON strings inside form fields.
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def payload_violations(method: str, data: dict[str, Any]) -> list[str]:
    """Every Block Kit limit that ``data`` breaks.

    ``method`` is the Web API method, ``response_url`` for a response_url body, or ``ack`` for what
    the bot answers Slack's request with (a message, or a view submission's ``response_action``).

    Example:
        >>> payload_violations("chat.postMessage", {"text": "", "blocks": []})
        ['no text fallback']
    """
    if method == "ack":
        return _ack_violations(data)
    if method in _MESSAGE_METHODS:
        if data.get("delete_original") is True and "blocks" not in data and "text" not in data:
            return []
        return _message_violations(data, needs_text=True)
    if method in _VIEW_METHODS:
        return _view_violations(_loaded(data.get("view")) or {})
    return []


def _ack_violations(data: dict[str, Any]) -> list[str]:
    if "response_action" not in data:
        # An ack with a message body (slash command, block action) is shown as a message.
        return _message_violations(data, needs_text=False) if ("blocks" in data or "text" in data) else []
    action = data.get("response_action")
    if action not in RESPONSE_ACTIONS:
        return [f"response_action {action!r} (one of {sorted(RESPONSE_ACTIONS)})"]
    if action in ("update", "push"):
        view = _loaded(data.get("view"))
        if not isinstance(view, dict) or not view:
            return [f"response_action {action} without a view"]
        return _view_violations(view)
    if action == "errors":
        errors = data.get("errors")
        if not isinstance(errors, dict) or not errors:
            return ["response_action errors without errors by block_id"]
        return [f"errors key {str(k)[:40]}… over {BLOCK_ID} characters" for k in errors if len(str(k)) > BLOCK_ID]
    return []


def _message_violations(data: dict[str, Any], *, needs_text: bool) -> list[str]:
    found: list[str] = []
    blocks = _loaded(data.get("blocks")) or []
    if len(blocks) > MESSAGE_BLOCKS:
        found.append(f"{len(blocks)} blocks in a message (limit {MESSAGE_BLOCKS})")
    text = str(data.get("text") or "")
    if needs_text and not text.strip():
        found.append("no text fallback")
    if len(text) > MESSAGE_TEXT:
        found.append(f"message text of {len(text)} characters (limit {MESSAGE_TEXT})")
    attachments = _loaded(data.get("attachments")) or []
    if len(attachments) > MESSAGE_ATTACHMENTS:
        found.append(f"{len(attachments)} attachments (limit {MESSAGE_ATTACHMENTS})")
    every = list(blocks)
    for attachment in attachments:
        inner = (attachment.get("blocks") or []) if isinstance(attachment, dict) else []
        if len(inner) > MESSAGE_BLOCKS:
            found.append(f"{len(inner)} blocks in an attachment (limit {MESSAGE_BLOCKS})")
        every += inner
    found += _blocks_violations(every)
    return found


def _view_violations(view: dict[str, Any]) -> list[str]:
    found: list[str] = []
    blocks = view.get("blocks") or []
    if len(blocks) > VIEW_BLOCKS:
        found.append(f"{len(blocks)} blocks in a view (limit {VIEW_BLOCKS})")
    if view.get("type") == "modal":
        if not _text(view.get("title")):
            found.append("modal without a title")
        if any(b.get("type") == "input" for b in blocks) and not _text(view.get("submit")):
            found.append("modal with an input block but no submit button")
    for key, limit in (("title", MODAL_TITLE), ("submit", MODAL_BUTTON), ("close", MODAL_BUTTON)):
        if _text_len(view.get(key)) > limit:
            found.append(f"modal {key} of {_text_len(view.get(key))} characters (limit {limit})")
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA:
        found.append(f"private_metadata over {PRIVATE_METADATA} characters")
    if len(str(view.get("callback_id") or "")) > CALLBACK_ID:
        found.append(f"callback_id over {CALLBACK_ID} characters")
    found += _blocks_violations(blocks)
    return found


def _text(obj: Any) -> str:
    return str(obj.get("text") or "") if isinstance(obj, dict) else ""


def _text_len(obj: Any) -> int:
    return len(_text(obj))


def _over(found: list[str], what: str, obj: Any, limit: int) -> None:
    if _text_len(obj) > limit:
        found.append(f"{what} of {_text_len(obj)} characters (limit {limit})")


def _blocks_violations(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    markdown = 0
    for block in blocks:
        found += _block_violations(block)
        if block.get("type") == "markdown":
            markdown += len(str(block.get("text") or ""))
    if markdown > MARKDOWN_TEXT:
        found.append(f"markdown blocks of {markdown} characters in all (limit {MARKDOWN_TEXT})")
    return found


def _block_violations(block: dict[str, Any]) -> list[str]:
    found: list[str] = []
    kind = block.get("type")
    if len(str(block.get("block_id") or "")) > BLOCK_ID:
        found.append(f"block_id over {BLOCK_ID} characters")
    if kind == "section":
        _over(found, "section text", block.get("text"), SECTION_TEXT)
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            found.append(f"{len(fields)} section fields (limit {SECTION_FIELDS})")
        for field in fields:
            _over(found, "section field", field, SECTION_FIELD)
        if "text" not in block and not fields:
            found.append("section without text or fields")
        if block.get("accessory"):
            found += _element_violations(block["accessory"])
    elif kind == "header":
        _over(found, "header", block.get("text"), HEADER_TEXT)
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > CONTEXT_ELEMENTS:
            found.append(f"{len(elements)} context elements (limit {CONTEXT_ELEMENTS})")
        for element in elements:
            _over(found, "context text", element, TEXT_OBJECT)
    elif kind == "actions":
        elements = block.get("elements") or []
        if len(elements) > ACTIONS_ELEMENTS:
            found.append(f"{len(elements)} elements in an actions block (limit {ACTIONS_ELEMENTS})")
        for element in elements:
            found += _element_violations(element)
    elif kind == "input":
        _over(found, "input label", block.get("label"), INPUT_LABEL)
        _over(found, "input hint", block.get("hint"), INPUT_HINT)
        found += _element_violations(block.get("element") or {})
    elif kind == "image":
        if len(str(block.get("alt_text") or "")) > IMAGE_ALT_TEXT:
            found.append(f"image alt_text over {IMAGE_ALT_TEXT} characters")
        if len(str(block.get("image_url") or "")) > IMAGE_URL:
            found.append(f"image_url over {IMAGE_URL} characters")
        _over(found, "image title", block.get("title"), IMAGE_ALT_TEXT)
    elif kind == "markdown" and not str(block.get("text") or "").strip():
        found.append("markdown block without text")
    elif kind == "rich_text" and not block.get("elements"):
        found.append("rich_text block without elements")
    return found


def _element_violations(element: dict[str, Any]) -> list[str]:
    found: list[str] = []
    kind = element.get("type")
    if len(str(element.get("action_id") or "")) > ACTION_ID:
        found.append(f"action_id over {ACTION_ID} characters")
    _over(found, f"{kind} placeholder", element.get("placeholder"), PLACEHOLDER)
    if kind == "button":
        _over(found, "button text", element.get("text"), BUTTON_TEXT)
        if len(str(element.get("value") or "")) > BUTTON_VALUE:
            found.append(f"button value of {len(str(element.get('value')))} characters (limit {BUTTON_VALUE})")
        if len(str(element.get("url") or "")) > BUTTON_URL:
            found.append(f"button url over {BUTTON_URL} characters")
        if len(str(element.get("accessibility_label") or "")) > ACCESSIBILITY_LABEL:
            found.append(f"button accessibility_label over {ACCESSIBILITY_LABEL} characters")
    if kind == "plain_text_input":
        for key, low in (("max_length", 1), ("min_length", 0)):
            if key in element and not low <= int(element[key]) <= TEXT_INPUT_MAX:
                found.append(f"plain_text_input {key} {element[key]} (must be {low}–{TEXT_INPUT_MAX})")
    options = element.get("options") or []
    limit = OPTIONS.get(str(kind))
    if limit is not None and len(options) > limit:
        found.append(f"{len(options)} options in a {kind} (limit {limit})")
    groups = element.get("option_groups") or []
    if len(groups) > OPTION_GROUPS:
        found.append(f"{len(groups)} option groups (limit {OPTION_GROUPS})")
    for group in groups:
        _over(found, "option group label", group.get("label"), OPTION_GROUP_LABEL)
        if len(group.get("options") or []) > OPTIONS["static_select"]:
            found.append(f"{len(group['options'])} options in an option group (limit {OPTIONS['static_select']})")
        options = [*options, *(group.get("options") or [])]
    for option in [*options, *([element["initial_option"]] if element.get("initial_option") else [])]:
        found += _option_violations(option)
    if element.get("confirm"):
        found += _confirm_violations(element["confirm"])
    return found


def _option_violations(option: dict[str, Any]) -> list[str]:
    found: list[str] = []
    _over(found, "option text", option.get("text"), OPTION_TEXT)
    _over(found, "option description", option.get("description"), OPTION_DESCRIPTION)
    if len(str(option.get("value") or "")) > OPTION_VALUE:
        found.append(f"option value of {len(str(option.get('value')))} characters (limit {OPTION_VALUE})")
    return found


def _confirm_violations(confirm: dict[str, Any]) -> list[str]:
    found: list[str] = []
    _over(found, "confirm title", confirm.get("title"), CONFIRM_TITLE)
    _over(found, "confirm text", confirm.get("text"), CONFIRM_TEXT)
    _over(found, "confirm button", confirm.get("confirm"), CONFIRM_BUTTON)
    _over(found, "deny button", confirm.get("deny"), CONFIRM_BUTTON)
    return found
