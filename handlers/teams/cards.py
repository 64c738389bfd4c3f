"""Adaptive Cards for answers and reflection steps. Card buttons send their command back as `value`."""

from __future__ import annotations

import re
from typing import Any

from microsoft_agents.activity import Attachment

from bot import texts
from bot.answer import Answer, render_text
from bot.reflection.engine import Reply

CARD = "application/vnd.microsoft.card.adaptive"
PASSAGE_PREVIEW_CHARS = 500
_MARKDOWN = re.compile(r"([\\[\]()*_`#>])")


def plain(text: str) -> str:
    """Card text shows Markdown: user and document text is escaped so it cannot form links or formatting."""
    return _MARKDOWN.sub(r"\\\1", text)


def attachment(card: dict[str, Any]) -> Attachment:
    return Attachment(content_type=CARD, content=card)


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    card: dict[str, Any] = {"type": "AdaptiveCard", "version": "1.5", "body": body}
    if actions:
        card["actions"] = actions
    return card


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _submit(title: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": data}


def answer_card(answer: Answer, *, reference: str) -> dict[str, Any]:
    if answer.invalid or not answer.answered:
        return _card([_text(plain(render_text(answer)))])
    body: list[dict[str, Any]] = []
    if answer.note:
        body.append(_text(plain(answer.note), isSubtle=True, size="Small"))
    body += tier_elements(answer)
    passage = answer.passage
    preview = (
        passage if len(passage) <= PASSAGE_PREVIEW_CHARS else passage[:PASSAGE_PREVIEW_CHARS].rsplit(" ", 1)[0] + " …"
    )
    body.append(_text(plain(preview), isSubtle=True, spacing="Medium"))
    if answer.source is not None:
        body.append(_text(plain(answer.source.line()), size="Small", spacing="Medium"))
    body += see_also_elements(answer)
    actions = [
        _submit(texts.BUTTON_USEFUL, {"cmd": "feedback", "value": "up", "ref": reference}),
        _submit(texts.BUTTON_NOT_USEFUL, {"cmd": "feedback", "value": "down", "ref": reference}),
    ]
    return _card(body, actions)


def tier_elements(answer: Answer) -> list[dict[str, Any]]:
    """Where the passage comes from, and the answer sentences: as the answer when the search is
    sure, plainly as the closest match (in the warning colour) when it is not."""
    body: list[dict[str, Any]] = []
    if answer.origin:
        body.append(_text(plain(answer.origin), isSubtle=True, size="Small"))
    if answer.tier == "unsure":
        body.append(_text(texts.UNSURE_INTRO, weight="Bolder", color="Warning"))
    else:
        body.append(_text(texts.ANSWER_INTRO, weight="Bolder"))
    body += [_text(f"» {plain(s)}", spacing="Small") for s in answer.sentences]
    return body


def see_also_elements(answer: Answer) -> list[dict[str, Any]]:
    """ "Se også": each source with its best sentence."""
    return [
        _text(
            f"{texts.SEE_ALSO}: {plain(s.line().removeprefix('Kilde: '))}"
            + (f"\n«{plain(s.sentence)}»" if s.sentence else ""),
            size="Small",
            isSubtle=True,
        )
        for s in answer.see_also
    ]


def reply_card(reply: Reply) -> dict[str, Any]:
    """A reflection step: its text and its choices as buttons (group answers get a private form)."""
    body = [_text(plain(texts.without_emphasis(reply.text)))]
    actions: list[dict[str, Any]] = []
    for choice in reply.choices[:20]:
        if choice.value.startswith("group:") and ":answer:" in choice.value:
            _, group_id, _, index = choice.value.split(":")
            actions.append(
                {
                    "type": "Action.ShowCard",
                    "title": choice.label,
                    "card": _card(
                        [
                            {"type": "Input.Text", "id": "answer", "isMultiline": True, "label": texts.R_MODAL_TITLE},
                            {
                                "type": "Input.ChoiceSet",
                                "id": "visibility",
                                "value": "private",
                                "style": "expanded",
                                "choices": [
                                    {"title": texts.R_MODAL_PRIVATE, "value": "private"},
                                    {"title": texts.R_MODAL_SHARE, "value": "shared"},
                                ],
                            },
                        ],
                        [
                            _submit(
                                texts.R_MODAL_SUBMIT,
                                {"cmd": "group_answer", "group": int(group_id), "index": int(index)},
                            )
                        ],
                    ),
                }
            )
        else:
            actions.append(_submit(choice.label, {"cmd": choice.value}))
    return _card(body, actions)
