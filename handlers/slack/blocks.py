"""Block Kit for answers and App Home. Every text from users or documents is escaped here."""

from __future__ import annotations

import json
from typing import Any

from bot import texts
from bot.answer import Answer, render_text
from bot.reflection.engine import Reply

PASSAGE_PREVIEW_CHARS = 500
SECTION_LIMIT = 2900  # Slack allows 3,000 characters in a section's text


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: nothing a user or a document wrote can ping @channel or form a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
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
    return escape(" ".join(answer.sentences)[:300])


def answer_blocks(
    answer: Answer, *, reference: str, question: str, shareable: bool = False, with_hr: bool = True
) -> list[dict[str, Any]]:
    """The answer as Block Kit: sentences, a shortened passage, source, "Se også" and buttons."""
    if answer.invalid or not answer.answered:
        return [_section(escape(render_text(answer)))]
    blocks: list[dict[str, Any]] = []
    if answer.note:
        blocks.append(_context(escape(answer.note)))
    blocks += tier_blocks(answer)
    passage = answer.passage
    preview = (
        passage if len(passage) <= PASSAGE_PREVIEW_CHARS else passage[:PASSAGE_PREVIEW_CHARS].rsplit(" ", 1)[0] + " …"
    )
    passage_block = _section(f"{texts.PASSAGE_HEADING}\n{escape(preview)}")
    if len(passage) > PASSAGE_PREVIEW_CHARS:
        passage_block["accessory"] = _button(texts.BUTTON_SHOW_MORE, "show_more", _value(reference, question))
    blocks.append(passage_block)
    if answer.source is not None:
        blocks.append(_context(escape(answer.source.line())))
    blocks += see_also_blocks(answer)
    buttons = [
        _button(texts.BUTTON_USEFUL, "feedback_up", reference),
        _button(texts.BUTTON_NOT_USEFUL, "feedback_down", reference),
    ]
    if with_hr:
        buttons.append(_button(texts.BUTTON_ASK_HR, "ask_hr", _value(reference, question)))
    if shareable:
        buttons.append(_button(texts.BUTTON_SHARE, "share_answer", _value(reference, question), style="primary"))
    blocks.append({"type": "actions", "block_id": f"answer:{reference}", "elements": buttons})
    return blocks


def tier_blocks(answer: Answer) -> list[dict[str, Any]]:
    """Where the passage comes from, and the answer sentences: as the answer when the search is
    sure, plainly as the closest match (a warning line, no answer heading) when it is not."""
    blocks: list[dict[str, Any]] = []
    if answer.origin:
        blocks.append(_context(escape(answer.origin)))
    quoted = "\n".join(f">{escape(s)}" for s in answer.sentences)
    if answer.tier == "unsure":
        blocks.append(_section(f":grey_question: _{texts.UNSURE_INTRO}_\n{quoted}"))
    else:
        blocks.append(_section(f"{texts.ANSWER_HEADING}\n{quoted}"))
    return blocks


def see_also_blocks(answer: Answer) -> list[dict[str, Any]]:
    """ "Se også": each source with its best sentence."""
    return [
        _context(
            f"{texts.SEE_ALSO}: {escape(s.line().removeprefix('Kilde: '))}"
            + (f"\n«{escape(s.sentence)}»" if s.sentence else "")
        )
        for s in answer.see_also
    ]


def full_passage_blocks(answer: Answer) -> list[dict[str, Any]]:
    if not answer.answered:
        return [_section(escape(render_text(answer)))]
    blocks = [_section(escape(answer.full_passage or answer.passage))]
    if answer.source is not None:
        blocks.append(_context(escape(answer.source.line())))
    return blocks


def feedback_modal(reference: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "feedback_reason",
        "private_metadata": reference,
        "title": {"type": "plain_text", "text": texts.FEEDBACK_MODAL_TITLE},
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
            "elements": [_button(texts.HOME_REFLECTION_BUTTON, "reflection_start", "refleksjon", style="primary")],
        },
        {"type": "divider"},
        _section(texts.HOME_PRIVACY_TITLE),
        _section(
            texts.HOME_PRIVACY.format(days=question_text_days, min_group=min_group_size, months=reflection_months)
        ),
    ]
    if hr_summary is not None:
        blocks += [{"type": "divider"}, _section(texts.HOME_HR_TITLE), _section(escape(hr_summary))]
    return {"type": "home", "blocks": blocks}


def _value(reference: str, question: str) -> str:
    # The question rides along in the button so that sharing or "Vis mer" can answer again
    # without the bot storing the text of answered questions.
    return json.dumps({"r": reference, "q": question[:1500]}, ensure_ascii=False)


def parse_value(value: str) -> tuple[str, str]:
    """(reference, question) from a button value; a bare reference gives an empty question."""
    try:
        data = json.loads(value)
    except ValueError:
        return value, ""
    if not isinstance(data, dict):
        return value, ""
    return str(data.get("r", "")), str(data.get("q", ""))


def text_sections(text: str) -> list[dict[str, Any]]:
    """Escaped text as one or more sections (Slack caps a section at 3,000 characters)."""
    chunks: list[str] = []
    current = ""
    for line in escape(text).split("\n"):
        if current and len(current) + len(line) + 1 > SECTION_LIMIT:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:SECTION_LIMIT]
    if current:
        chunks.append(current)
    return [_section(chunk) for chunk in chunks] or [_section(" ")]


def reflection_blocks(reply: Reply) -> list[dict[str, Any]]:
    """A reflection reply: its text, and its choices as buttons that send their command back."""
    blocks = text_sections(reply.text)
    elements = []
    for i, choice in enumerate(reply.choices[:25]):
        kind = choice.value.split(":")[2] if choice.value.startswith("group:") else "choice"
        elements.append(_button(choice.label, f"reflection_{kind}_{i}", choice.value, style=choice.style))
    if elements:
        blocks.append({"type": "actions", "elements": elements})
    return blocks


def group_answer_modal(*, group_id: int, index: int, question: str, channel: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "group_answer_modal",
        "private_metadata": json.dumps({"g": group_id, "i": index, "c": channel}),
        "title": {"type": "plain_text", "text": texts.R_MODAL_TITLE},
        "submit": {"type": "plain_text", "text": texts.R_MODAL_SUBMIT},
        "close": {"type": "plain_text", "text": texts.FEEDBACK_MODAL_CLOSE},
        "blocks": [
            _section(f"*{escape(question)}*"),
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
