"""Block Kit's limits, in one place: the block builders respect them, and the tests check every payload.

Numbers from api.slack.com/reference/block-kit (blocks, block elements, composition objects) and
the surfaces (messages, modals, App Home). A payload over a limit is rejected by Slack
(``invalid_blocks``) and the leader gets nothing, so content is paginated, never cut.
"""

from __future__ import annotations

import json
from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELD = 2000
SECTION_FIELDS = 10
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
BLOCK_ID = 255
HEADER_TEXT = 150
MODAL_TITLE = 24
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
MESSAGE_TEXT = 40000
OPTION_TEXT = 75
OPTION_VALUE = 150
INPUT_LABEL = 2000
TEXT_INPUT_MAX = 3000

_MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"}
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
    """Every Block Kit limit that ``data`` (a Web API call or a response_url body) breaks."""
    found: list[str] = []
    if method in _MESSAGE_METHODS or method == "ack":
        if data.get("delete_original") is True and "blocks" not in data and "text" not in data:
            return found
        blocks = _loaded(data.get("blocks")) or []
        if len(blocks) > MESSAGE_BLOCKS:
            found.append(f"{len(blocks)} blocks in a message (limit {MESSAGE_BLOCKS})")
        text = str(data.get("text") or "")
        if method != "ack" and not text.strip():
            found.append("no text fallback")
        if len(text) > MESSAGE_TEXT:
            found.append(f"message text of {len(text)} characters")
        for block in blocks:
            found += _block_violations(block)
    if method in _VIEW_METHODS:
        view = _loaded(data.get("view")) or {}
        blocks = view.get("blocks") or []
        if len(blocks) > VIEW_BLOCKS:
            found.append(f"{len(blocks)} blocks in a view (limit {VIEW_BLOCKS})")
        for key, limit in (("title", MODAL_TITLE), ("submit", MODAL_BUTTON), ("close", MODAL_BUTTON)):
            text = ((view.get(key) or {}).get("text")) or ""
            if len(text) > limit:
                found.append(f"modal {key} of {len(text)} characters (limit {limit})")
        if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA:
            found.append("private_metadata over 3000 characters")
        for block in blocks:
            found += _block_violations(block)
    return found


def _text_len(obj: Any) -> int:
    return len(str((obj or {}).get("text") or "")) if isinstance(obj, dict) else 0


def _block_violations(block: dict[str, Any]) -> list[str]:
    found: list[str] = []
    kind = block.get("type")
    if len(str(block.get("block_id") or "")) > BLOCK_ID:
        found.append("block_id over 255 characters")
    if kind == "section":
        if _text_len(block.get("text")) > SECTION_TEXT:
            found.append(f"section text of {_text_len(block.get('text'))} characters (limit {SECTION_TEXT})")
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS or any(_text_len(f) > SECTION_FIELD for f in fields):
            found.append("section fields over their limits")
        if "text" not in block and not fields:
            found.append("section without text or fields")
        if block.get("accessory"):
            found += _element_violations(block["accessory"])
    elif kind == "header":
        if _text_len(block.get("text")) > HEADER_TEXT:
            found.append(f"header of {_text_len(block.get('text'))} characters (limit {HEADER_TEXT})")
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > CONTEXT_ELEMENTS:
            found.append(f"{len(elements)} context elements")
        found += [f"context text of {_text_len(e)} characters" for e in elements if _text_len(e) > SECTION_TEXT]
    elif kind == "actions":
        elements = block.get("elements") or []
        if len(elements) > ACTIONS_ELEMENTS:
            found.append(f"{len(elements)} elements in an actions block")
        for element in elements:
            found += _element_violations(element)
    elif kind == "input":
        if _text_len(block.get("label")) > INPUT_LABEL:
            found.append("input label over 2000 characters")
        found += _element_violations(block.get("element") or {})
    return found


def _element_violations(element: dict[str, Any]) -> list[str]:
    found: list[str] = []
    if len(str(element.get("action_id") or "")) > ACTION_ID:
        found.append("action_id over 255 characters")
    if element.get("type") == "button":
        if _text_len(element.get("text")) > BUTTON_TEXT:
            found.append(f"button text of {_text_len(element.get('text'))} characters")
        if len(str(element.get("value") or "")) > BUTTON_VALUE:
            found.append(f"button value of {len(str(element.get('value')))} characters (limit {BUTTON_VALUE})")
    if element.get("type") == "plain_text_input" and int(element.get("max_length") or 0) > TEXT_INPUT_MAX:
        found.append("plain_text_input max_length over 3000")
    for option in element.get("options") or []:
        if _text_len(option.get("text")) > OPTION_TEXT or len(str(option.get("value") or "")) > OPTION_VALUE:
            found.append("option over its limits")
    return found
