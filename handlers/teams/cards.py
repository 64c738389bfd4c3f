"""Adaptive Cards (1.5) for answers and reflection steps. Card buttons send their command back as `value`.

User and document text goes into RichTextBlock/TextRun, which Teams shows as written: no Markdown
is parsed there, so nothing needs a backslash, and nobody's text can form a link or formatting.
Each line is its own block, because a TextBlock collapses single line breaks.

Teams refuses a message much over 28 KB (the whole activity as JSON), and each line costs some 85
bytes of JSON besides its text, so every card is split by its serialized size (`split_card`): the
content over as many messages as it needs, in order, with the buttons and inputs on the last.
"""

from __future__ import annotations

import json
import re
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment

from bot import texts
from bot.answer import Answer, render_text
from bot.reflection.replies import Reply

CARD = "application/vnd.microsoft.card.adaptive"
PASSAGE_PREVIEW_CHARS = 500
MAX_ACTIONS = 6  # Teams shows six and hides the rest in an overflow menu
# Every activity sent stays under this many bytes of JSON (Teams takes about 28 KB).
MESSAGE_BYTES = 25_000
# Room for what the SDK adds to a message on its way out: conversation, from, recipient, ids, service URL.
ENVELOPE_BYTES = 3_000
CHOICE = "choice"  # the Input.ChoiceSet id; its submit sends {"cmd": CHOICE, "choice": <command>}
QUESTION = "question"  # the question picker of the one group form used when a form per question would not fit
ALL_QUESTIONS = "all"  # that form's name: its inputs are answer_all and visibility_all
# Slack shortcodes in the shared texts; Teams would show them as written.
_SHORTCODES = {"warning": "⚠️", "wave": "👋", "white_check_mark": "✅", "x": "❌"}
_SHORTCODE = re.compile(r":([a-z_]+):")


def size(value: Any) -> int:
    """Bytes of ``value`` as JSON with non-ASCII escaped: never less than its UTF-8 size on the wire."""
    return len(json.dumps(value))


def teams_text(text: str) -> str:
    """``text`` with the Slack shortcodes it uses (``:warning:``) as the emoji Teams shows."""
    return _SHORTCODE.sub(lambda m: _SHORTCODES.get(m.group(1), m.group(0)), text)


def attachment(card: dict[str, Any]) -> Attachment:
    return Attachment(content_type=CARD, content=card)


def card_message(card: dict[str, Any], summary: str) -> Activity:
    """One message: the card, with ``summary`` for notifications (no separate text message)."""
    return Activity(type=ActivityTypes.message, summary=teams_text(summary)[:300], attachments=[attachment(card)])


def card_messages(card: dict[str, Any], summary: str, *, limit: int = MESSAGE_BYTES) -> list[Activity]:
    """A reply as messages that Teams takes: one, or the card split by size over several (all of it, in order).

    Example:
        >>> [m.attachments[0].content["version"] for m in card_messages(text_card("Hei"), "Hei")]
        ['1.5']
    """
    shell = card_message(_card([]), summary).model_dump(mode="json", by_alias=True, exclude_none=True)
    budget = limit - ENVELOPE_BYTES - (size(shell) - size(_card([])))
    return [card_message(part, summary) for part in split_card(card, budget=budget)]


def split_card(card: dict[str, Any], *, budget: int = MESSAGE_BYTES - ENVELOPE_BYTES) -> list[dict[str, Any]]:
    """``card`` as one or more cards of at most ``budget`` bytes of JSON each, nothing left out.

    The body is cut between blocks (a line too long for one card is cut between words, over several
    blocks); inputs stay with the actions that submit them, on the last card.

    Raises:
        ValueError: the actions and inputs alone do not fit in ``budget``.
    """
    if size(card) <= budget:
        return [card]
    body: list[dict[str, Any]] = card.get("body", [])
    inputs = [block for block in body if str(block.get("type", "")).startswith("Input.")]
    actions = card.get("actions")
    last = _card(list(inputs), actions)
    if size(last) > budget:
        raise ValueError(f"a card's actions and inputs take {size(last)} bytes, more than one message ({budget})")
    frame = size(_card([]))  # with the placeholder block: at least the frame of a card with one block
    room = budget - frame
    parts: list[list[dict[str, Any]]] = [[]]
    used = 0
    for original in body:
        if original in inputs:
            continue
        for block in _fit(original, room):
            cost = size(block) + 2  # and its ", " separator
            if parts[-1] and used + cost > room:
                parts.append([])
                used = 0
            parts[-1].append(block)
            used += cost
    cards = [_card(part) for part in parts[:-1]]
    tail = _card(parts[-1] + inputs, actions)
    if parts[-1] and size(tail) > budget:
        cards.append(_card(parts[-1]))
        tail = last
    cards.append(tail)
    too_big = [size(c) for c in cards if size(c) > budget]
    if too_big:  # a block that _fit cannot cut (none of the bot's own)
        raise ValueError(f"a card part of {too_big[0]} bytes, more than one message ({budget})")
    return cards


def _fit(block: dict[str, Any], room: int) -> list[dict[str, Any]]:
    """``block``, or a one-run RichTextBlock too big for ``room`` cut between words into blocks that fit."""
    inlines = block.get("inlines")
    if size(block) <= room or block.get("type") != "RichTextBlock" or not inlines or len(inlines) != 1:
        return [block]
    text = str(inlines[0].get("text", ""))
    if len(text) < 2:
        return [block]
    cut = text.rfind(" ", 0, len(text) // 2 + 1)
    cut = cut if cut > 0 else len(text) // 2
    first = {**block, "inlines": [{**inlines[0], "text": text[:cut]}]}
    rest = {**block, "inlines": [{**inlines[0], "text": text[cut:]}], "spacing": "None"}
    return _fit(first, room) + _fit(rest, room)


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body or [{"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": " "}]}],
    }
    if actions:
        card["actions"] = actions
    return card


def _lines(text: str, *, spacing: str | None = None, **run: Any) -> list[dict[str, Any]]:
    """``text`` shown as written, one RichTextBlock per line (a blank line becomes a wider gap)."""
    blocks: list[dict[str, Any]] = []
    gap = spacing
    for line in teams_text(text).split("\n"):
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


def _group_form(title: str, group_id: int, questions: list[tuple[str, int]]) -> dict[str, Any]:
    """The private answer form of a group: for one question (``form`` is its index) or, with a picker, for all.

    Input ids carry the form's name (``answer_0``, ``visibility_0``): a card with a form per question
    would otherwise repeat the same ids, which Adaptive Cards rejects.
    """
    form = str(questions[0][1]) if len(questions) == 1 else ALL_QUESTIONS
    body: list[dict[str, Any]] = []
    if len(questions) > 1:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": QUESTION,
                "label": texts.TEAMS_CHOOSE_LABEL,
                "isRequired": True,
                "errorMessage": texts.TEAMS_CHOOSE_ONE,
                "value": str(questions[0][1]),
                "choices": [{"title": label, "value": str(index)} for label, index in questions],
            }
        )
    body += [
        {"type": "Input.Text", "id": f"answer_{form}", "isMultiline": True, "label": texts.R_MODAL_TITLE},
        {
            "type": "Input.ChoiceSet",
            "id": f"visibility_{form}",
            "label": texts.R_MODAL_SHARE,
            "value": "private",
            "style": "expanded",
            "choices": [
                {"title": texts.R_MODAL_PRIVATE, "value": "private"},
                {"title": texts.R_MODAL_SHARE, "value": "shared"},
            ],
        },
    ]
    data: dict[str, Any] = {"cmd": "group_answer", "group": group_id, "form": form}
    if len(questions) == 1:
        data["index"] = questions[0][1]
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": _card(body, [_submit(texts.R_MODAL_SUBMIT, data)]),
    }


def group_form_values(value: dict[str, Any]) -> tuple[int, str, bool]:
    """What a group form sent: (question index, answer, shared?). Reads cards of every version:
    per-form ids (``answer_1``), the picker form, and the plain ``answer`` of cards posted before those."""
    form = value.get("form")
    if form is None:  # a card posted before the per-form ids
        raw_index, answer_id, visibility_id = value.get("index", 0), "answer", "visibility"
    else:
        form = str(form)
        raw_index = value.get(QUESTION) if form == ALL_QUESTIONS else value.get("index", 0)
        answer_id, visibility_id = f"answer_{form}", f"visibility_{form}"
    try:
        index = int(raw_index or 0)
    except (TypeError, ValueError):
        index = 0  # the engine keeps an index within the theme's questions
    answer = str(value.get(answer_id) or "").strip()
    visibility = value.get(visibility_id)
    return index, answer, visibility == "shared" and bool(answer)


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

    More than six choices (the theme list) become one Input.ChoiceSet with a single submit button;
    a group with more questions than fit as forms gets one form with a question picker.
    """
    body = _lines(texts.without_emphasis(reply.text))
    forms: list[tuple[str, int, int]] = []  # (label, group, question index)
    plain_choices = []
    for choice in reply.choices:
        action = choice.action
        if action is not None and action.question is not None:  # an answer: a form, not a submit
            forms.append((choice.label, action.group_id, action.question))
        else:
            plain_choices.append(choice)
    actions: list[dict[str, Any]] = []
    if len(forms) + min(len(plain_choices), 1) > MAX_ACTIONS or len({g for _, g, _ in forms}) > 1:
        by_group: dict[int, list[tuple[str, int]]] = {}
        for label, group, question in forms:
            by_group.setdefault(group, []).append((label, question))
        actions += [_group_form(texts.R_GROUP_ANSWER_BUTTON, g, qs) for g, qs in by_group.items()]
    else:
        actions += [_group_form(label, group, [(label, question)]) for label, group, question in forms]
    if len(actions) + len(plain_choices) <= MAX_ACTIONS:
        actions += [_submit(choice.label, {"cmd": choice.value}) for choice in plain_choices]
    elif plain_choices:
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
    return _card(body, actions)
