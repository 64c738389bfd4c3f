"""Adaptive Cards (1.5) for answers and reflection steps. Card buttons send their command back as `value`.

User and document text goes into RichTextBlock/TextRun, which Teams shows as written: no Markdown
is parsed there, so nothing needs a backslash, and nobody's text can form a link or formatting.
Each line is its own block, because a TextBlock collapses single line breaks.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment

from bot import texts
from bot.answer import Answer, render_text
from bot.reflection.engine import Reply

CARD = "application/vnd.microsoft.card.adaptive"
PASSAGE_PREVIEW_CHARS = 500
MAX_ACTIONS = 6  # Teams shows six and hides the rest in an overflow menu
# A message to Teams may be about 28 KB; a card of this many characters of text stays well within it.
CARD_TEXT_CHARS = 12_000
CHOICE = "choice"  # the Input.ChoiceSet id; its submit sends {"cmd": CHOICE, "choice": <command>}


def attachment(card: dict[str, Any]) -> Attachment:
    return Attachment(content_type=CARD, content=card)


def card_message(card: dict[str, Any], summary: str) -> Activity:
    """One message per reply: the card, with ``summary`` for notifications (no separate text message)."""
    return Activity(type=ActivityTypes.message, summary=summary[:300], attachments=[attachment(card)])


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body or [_lines(" ")[0]],
    }
    if actions:
        card["actions"] = actions
    return card


def _lines(text: str, *, spacing: str | None = None, **run: Any) -> list[dict[str, Any]]:
    """``text`` shown as written, one RichTextBlock per line (a blank line becomes a wider gap)."""
    blocks: list[dict[str, Any]] = []
    gap = spacing
    for line in text.split("\n"):
        if not line.strip():
            gap = "Medium"
            continue
        block: dict[str, Any] = {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": line, **run}]}
        if gap is not None:
            block["spacing"] = gap
        elif blocks:
            block["spacing"] = "None"
        blocks.append(block)
        gap = None
    return blocks


def _submit(title: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": data}


def text_card(text: str) -> dict[str, Any]:
    """Any plain reply as a card (so every reply is one message, shown the same way)."""
    return _card(_lines(text))


def text_cards(text: str, *, limit: int = CARD_TEXT_CHARS) -> list[dict[str, Any]]:
    """Long text (an export) as several cards, split at line ends: sent whole, over several messages."""
    cards, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                cards.append(current)
                current = ""
            cards.append(line[:limit])
            line = line[limit:]
        if current and len(current) + len(line) + 1 > limit:
            cards.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current or not cards:
        cards.append(current)
    return [text_card(piece) for piece in cards]


def answer_summary(answer: Answer) -> str:
    """The notification line of an answer card."""
    if answer.invalid:
        return answer.note or texts.EMPTY_QUESTION
    if not answer.answered:
        return texts.NO_ANSWER
    summary = " ".join(answer.sentences)
    return summary if len(summary) <= 300 else summary[:300].rsplit(" ", 1)[0] + " …"


def answer_card(answer: Answer, *, reference: str) -> dict[str, Any]:
    if answer.invalid or not answer.answered:
        return text_card(render_text(answer))
    body: list[dict[str, Any]] = []
    if answer.note:
        body += _lines(answer.note, isSubtle=True, size="Small")
    body += tier_elements(answer)
    passage = answer.passage
    preview = (
        passage if len(passage) <= PASSAGE_PREVIEW_CHARS else passage[:PASSAGE_PREVIEW_CHARS].rsplit(" ", 1)[0] + " …"
    )
    body += _lines(preview, isSubtle=True, spacing="Medium")
    if answer.source is not None:
        body += _lines(answer.source.line(), size="Small", spacing="Medium")
    body += see_also_elements(answer)
    actions = [
        _submit(texts.BUTTON_USEFUL, {"cmd": "feedback", "value": "up", "ref": reference}),
        _submit(texts.BUTTON_NOT_USEFUL, {"cmd": "feedback", "value": "down", "ref": reference}),
    ]
    return _card(body, actions)


def _group_form(title: str, group_id: int, index: int) -> dict[str, Any]:
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": _card(
            [
                {"type": "Input.Text", "id": "answer", "isMultiline": True, "label": texts.R_MODAL_TITLE},
                {
                    "type": "Input.ChoiceSet",
                    "id": "visibility",
                    "label": texts.R_MODAL_SHARE,
                    "value": "private",
                    "style": "expanded",
                    "choices": [
                        {"title": texts.R_MODAL_PRIVATE, "value": "private"},
                        {"title": texts.R_MODAL_SHARE, "value": "shared"},
                    ],
                },
            ],
            [_submit(texts.R_MODAL_SUBMIT, {"cmd": "group_answer", "group": group_id, "index": index})],
        ),
    }


def tier_elements(answer: Answer) -> list[dict[str, Any]]:
    """Where the passage comes from, and the answer sentences: as the answer when the search is
    sure, plainly as the closest match (in the warning colour) when it is not."""
    body: list[dict[str, Any]] = []
    if answer.origin:
        body += _lines(answer.origin, isSubtle=True, size="Small")
    if answer.tier == "unsure":
        body += _lines(texts.UNSURE_INTRO, weight="Bolder", color="Warning")
    else:
        body += _lines(texts.ANSWER_INTRO, weight="Bolder")
    for sentence in answer.sentences:
        body += _lines(f"» {sentence}", spacing="Small")
    return body


def see_also_elements(answer: Answer) -> list[dict[str, Any]]:
    """ "Se også": each source with its best sentence."""
    body: list[dict[str, Any]] = []
    for s in answer.see_also:
        line = f"{texts.SEE_ALSO}: {s.line().removeprefix('Kilde: ')}" + (f"\n«{s.sentence}»" if s.sentence else "")
        body += _lines(line, size="Small", isSubtle=True)
    return body


def reply_card(reply: Reply) -> dict[str, Any]:
    """A reflection step: its text, and its choices as buttons (group answers get a private form).

    More than six choices (the theme list) become one Input.ChoiceSet with a single submit button.
    """
    body = _lines(texts.without_emphasis(reply.text))
    actions: list[dict[str, Any]] = []
    plain_choices = []
    for choice in reply.choices:
        if choice.value.startswith("group:") and ":answer:" in choice.value:
            _, group_id, _, index = choice.value.split(":")
            actions.append(_group_form(choice.label, int(group_id), int(index)))
        else:
            plain_choices.append(choice)
    if len(actions) + len(plain_choices) <= MAX_ACTIONS:
        actions += [_submit(choice.label, {"cmd": choice.value}) for choice in plain_choices]
    else:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": CHOICE,
                "label": texts.TEAMS_CHOOSE_LABEL,
                "style": "expanded",
                "isRequired": True,
                "errorMessage": texts.TEAMS_CHOOSE_ONE,
                "value": plain_choices[0].value,
                "choices": [{"title": c.label, "value": c.value} for c in plain_choices],
            }
        )
        actions.append(_submit(texts.TEAMS_CHOOSE_SUBMIT, {"cmd": CHOICE}))
    if len(actions) > MAX_ACTIONS:
        raise ValueError(f"{len(actions)} actions on one card (Teams shows {MAX_ACTIONS})")
    return _card(body, actions)
