"""Block Kit for answers and App Home. Every text from users or documents is escaped here."""

from __future__ import annotations

import json
from typing import Any

from bot import texts
from bot.answer import Answer, render_text
from bot.reflection import words
from bot.reflection.replies import Reply
from handlers.slack import limits

PASSAGE_PREVIEW_CHARS = 500
# A little under Slack's 3,000 so a chunk's heading or quote marks still fit; longer text becomes
# more sections (and, past 50 blocks, more messages), never a cut.
SECTION_LIMIT = 2900
FALLBACK_CHARS = 300


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: nothing a user or a document wrote can ping @channel or form a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, split at line ends, then spaces; nothing dropped."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            head, line = line[:cut], line[cut:].lstrip(" ")
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if current and len(current) + len(line) + 1 > limit:
            pieces.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current.strip():
        pieces.append(current)
    return pieces


def _section(text: str) -> dict[str, Any]:
    if len(text) > limits.SECTION_TEXT:
        raise ValueError(f"a section of {len(text)} characters: use _sections() for long text")
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sections(text: str) -> list[dict[str, Any]]:
    return [_section(piece) for piece in chunks(text)] or [_section(" ")]


def _contexts(text: str) -> list[dict[str, Any]]:
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": piece}]} for piece in chunks(text)]


def pages(blocks: list[dict[str, Any]], *, limit: int = limits.MESSAGE_BLOCKS) -> list[list[dict[str, Any]]]:
    """Blocks split, in order, into messages of at most ``limit`` (Slack rejects a 51st block)."""
    return [blocks[i : i + limit] for i in range(0, len(blocks), limit)] or [[]]


def shortened(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters; a shortened text ends in a visible "…", never a silent cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    if len(value) > limits.BUTTON_VALUE:
        raise ValueError(f"a button value of {len(value)} characters: a button carries an id, not text")
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": shortened(text, limits.BUTTON_TEXT), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def fallback_text(answer: Answer) -> str:
    """The plain text of a message: notifications and screen readers use it."""
    if answer.invalid:
        return answer.note or texts.EMPTY_QUESTION
    if not answer.answered:
        return texts.NO_ANSWER
    return preview_text(" ".join(answer.sentences))


def preview_text(text: str) -> str:
    """The notification line of a message whose blocks carry the whole text."""
    text = " ".join(text.split())
    short = text if len(text) <= FALLBACK_CHARS else text[:FALLBACK_CHARS].rsplit(" ", 1)[0] + " …"
    return escape(short) or " "


def answer_blocks(
    answer: Answer, *, reference: str, question: str, shareable: bool = False, with_hr: bool = True
) -> list[dict[str, Any]]:
    """The answer as Block Kit: sentences, a shortened passage, source, "Se også" and buttons.

    Buttons carry the answer's ``reference`` only; the adapter keeps the question for them.
    """
    if answer.invalid or not answer.answered:
        return _sections(escape(render_text(answer)))
    blocks: list[dict[str, Any]] = []
    if answer.note:
        blocks += _contexts(escape(answer.note))
    blocks += tier_blocks(answer)
    passage = answer.passage
    preview = (
        passage if len(passage) <= PASSAGE_PREVIEW_CHARS else passage[:PASSAGE_PREVIEW_CHARS].rsplit(" ", 1)[0] + " …"
    )
    passage_block = _section(f"{texts.PASSAGE_HEADING}\n{escape(preview)}")
    if len(passage) > PASSAGE_PREVIEW_CHARS:
        passage_block["accessory"] = _button(texts.BUTTON_SHOW_MORE, "show_more", reference)
    blocks.append(passage_block)
    if answer.source is not None:
        blocks += _contexts(escape(answer.source.line()))
    blocks += see_also_blocks(answer)
    buttons = [
        _button(texts.BUTTON_USEFUL, "feedback_up", reference),
        _button(texts.BUTTON_NOT_USEFUL, "feedback_down", reference),
    ]
    if with_hr:
        buttons.append(_button(texts.BUTTON_ASK_HR, "ask_hr", reference))
    if shareable:
        buttons.append(_button(texts.BUTTON_SHARE, "share_answer", reference, style="primary"))
    blocks.append({"type": "actions", "block_id": f"answer:{reference}", "elements": buttons})
    return blocks


def tier_blocks(answer: Answer) -> list[dict[str, Any]]:
    """Where the passage comes from, and the answer sentences: as the answer when the search is
    sure, plainly as the closest match (a warning line, no answer heading) when it is not."""
    blocks: list[dict[str, Any]] = []
    if answer.origin:
        blocks += _contexts(escape(answer.origin))
    quoted = "\n".join(f">{escape(s)}" for s in answer.sentences)
    if answer.tier == "unsure":
        blocks += _sections(f":grey_question: _{texts.UNSURE_INTRO}_\n{quoted}")
    else:
        blocks += _sections(f"{texts.ANSWER_HEADING}\n{quoted}")
    return blocks


def see_also_blocks(answer: Answer) -> list[dict[str, Any]]:
    """ "Se også": each source with its best sentence."""
    blocks: list[dict[str, Any]] = []
    for s in answer.see_also:
        blocks += _contexts(
            f"{texts.SEE_ALSO}: {escape(s.line().removeprefix('Kilde: '))}"
            + (f"\n«{escape(s.sentence)}»" if s.sentence else "")
        )
    return blocks


def full_passage_blocks(answer: Answer) -> list[dict[str, Any]]:
    if not answer.answered:
        return _sections(escape(render_text(answer)))
    blocks = _sections(escape(answer.full_passage or answer.passage))
    if answer.source is not None:
        blocks += _contexts(escape(answer.source.line()))
    return blocks


def feedback_modal(reference: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "feedback_reason",
        "private_metadata": reference,
        "title": {"type": "plain_text", "text": shortened(texts.FEEDBACK_MODAL_TITLE, limits.MODAL_TITLE)},
        "submit": {"type": "plain_text", "text": texts.FEEDBACK_MODAL_SUBMIT},
        "close": {"type": "plain_text", "text": texts.FEEDBACK_MODAL_CLOSE},
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "optional": True,
                "label": {"type": "plain_text", "text": texts.FEEDBACK_MODAL_LABEL},
                "element": {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": 1000},
            }
        ],
    }


def home_view(
    *, question_text_days: int, min_group_size: int, hr_summary: str | None, reflection_months: int = 24
) -> dict[str, Any]:
    examples = "\n".join(f"• {escape(e)}" for e in texts.HOME_EXAMPLES)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": texts.HOME_TITLE, "emoji": True}},
        _section(texts.HOME_WHAT),
        _section(texts.HOME_HOW),
        _section(f"{texts.HOME_EXAMPLES_TITLE}\n{examples}"),
        _section(texts.HOME_REFLECTION),
        {
            "type": "actions",
            "elements": [_button(texts.HOME_REFLECTION_BUTTON, "reflection_start", words.REFLECTION, style="primary")],
        },
        {"type": "divider"},
        _section(texts.HOME_PRIVACY_TITLE),
        _section(
            texts.HOME_PRIVACY.format(days=question_text_days, min_group=min_group_size, months=reflection_months)
        ),
    ]
    if hr_summary is not None:
        blocks += [{"type": "divider"}, _section(texts.HOME_HR_TITLE), *_sections(escape(hr_summary))]
    if len(blocks) > limits.VIEW_BLOCKS:
        blocks = [*blocks[: limits.VIEW_BLOCKS - 1], _section(texts.HOME_MORE_IN_REPORT)]
    return {"type": "home", "blocks": blocks}


def text_sections(text: str) -> list[dict[str, Any]]:
    """Escaped text as one or more sections (Slack caps a section at 3,000 characters)."""
    return _sections(escape(text))


def reflection_blocks(reply: Reply) -> list[dict[str, Any]]:
    """A reflection reply: its text, and its choices as buttons that send their command back.

    Every choice gets a button: past Slack's 25 per actions block they go on in another block. A
    label too long for a button is shortened with "…" and given in full in a line above the buttons.
    """
    blocks = text_sections(reply.text)
    elements = []
    long_labels = []
    for i, choice in enumerate(reply.choices):
        action = choice.action
        kind = action.step if action is not None else "choice"  # the action id routes it to its listener
        elements.append(_button(choice.label, f"reflection_{kind}_{i}", choice.value, style=choice.style))
        if len(choice.label) > limits.BUTTON_TEXT:
            long_labels.append(f"• {escape(choice.label)}")
    if long_labels:
        blocks += _contexts("\n".join(long_labels))
    for start in range(0, len(elements), limits.ACTIONS_ELEMENTS):
        blocks.append({"type": "actions", "elements": elements[start : start + limits.ACTIONS_ELEMENTS]})
    return blocks


def group_answer_modal(
    *, group_id: int, index: int, question: str, channel: str, thread: str | None = None
) -> dict[str, Any]:
    """The private answer form; its metadata keeps where a shared answer is posted (channel and thread)."""
    return {
        "type": "modal",
        "callback_id": "group_answer_modal",
        "private_metadata": json.dumps({"g": group_id, "i": index, "c": channel, "t": thread}),
        "title": {"type": "plain_text", "text": shortened(texts.R_MODAL_TITLE, limits.MODAL_TITLE)},
        "submit": {"type": "plain_text", "text": texts.R_MODAL_SUBMIT},
        "close": {"type": "plain_text", "text": texts.FEEDBACK_MODAL_CLOSE},
        "blocks": [
            *_sections(f"*{escape(question)}*"),
            {
                "type": "input",
                "block_id": "answer",
                "label": {"type": "plain_text", "text": texts.R_MODAL_TITLE},
                "element": {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": 3000},
            },
            {
                "type": "input",
                "block_id": "visibility",
                "label": {"type": "plain_text", "text": texts.R_MODAL_SHARE},
                "element": {
                    "type": "radio_buttons",
                    "action_id": "choice",
                    "initial_option": {
                        "text": {"type": "plain_text", "text": texts.R_MODAL_PRIVATE},
                        "value": "private",
                    },
                    "options": [
                        {"text": {"type": "plain_text", "text": texts.R_MODAL_PRIVATE}, "value": "private"},
                        {"text": {"type": "plain_text", "text": texts.R_MODAL_SHARE}, "value": "shared"},
                    ],
                },
            },
        ],
    }
