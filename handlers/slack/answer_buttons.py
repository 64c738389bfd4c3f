"""The buttons under an answer: 👍/👎 (with the reason modal), «Vis mer», «Del i kanalen», «Spør HR».

Buttons carry only the answer's reference; the question is in memory (bot/recent.py) for a while,
and only whoever asked may press them (anyone else is told so, privately).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.questions import Questions
from bot.recent import Recent, RecentAnswers
from bot.workers import Workers
from handlers.slack import send
from handlers.slack.blocks import answer_blocks, escape, fallback_text, feedback_modal, full_passage_blocks
from handlers.slack.options import SlackOptions

log = logging.getLogger(__name__)


class AnswerButtons:
    def __init__(self, *, questions: Questions, options: SlackOptions, workers: Workers, recent: RecentAnswers) -> None:
        self._questions = questions
        self._options = options
        self._workers = workers
        self._recent = recent

    async def _asked_by_presser(self, reference: str, body: dict[str, Any], respond: Any) -> Recent | None:
        """The answer's question when whoever pressed asked it; anyone else is told why not, privately."""
        user = str((body.get("user") or {}).get("id") or "")
        recent = self._recent.get(reference)
        if recent is not None and self._recent.is_asker(reference, channel="slack", user=user):
            return recent
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text=texts.FEEDBACK_NOT_YOURS if recent is not None else texts.ANSWER_EXPIRED,
        )
        return None

    async def on_feedback_up(self, ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any) -> None:
        await ack()
        if await self._asked_by_presser(action.get("value", ""), body, respond) is None:
            return
        saved = await asyncio.to_thread(self._questions.feedback, action.get("value", ""), "up")
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text=texts.THANKS_FEEDBACK if saved else texts.FEEDBACK_NOT_SAVED,
        )

    async def on_feedback_down(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        await ack()
        reference = action.get("value", "")
        if await self._asked_by_presser(reference, body, respond) is None:
            return
        # The modal first: its trigger id expires 3 s after the click; the record can wait.
        if body.get("trigger_id"):
            await client.views_open(trigger_id=body["trigger_id"], view=feedback_modal(reference))
        await self._workers.store(self._questions.feedback, reference, "down")

    async def on_feedback_reason(self, ack: Any, view: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        user = str((body.get("user") or {}).get("id") or "")
        if not self._recent.is_asker(str(view.get("private_metadata", "")), channel="slack", user=user):
            log.warning("a feedback reason from someone other than the asker was refused")
            return
        reason = (((view.get("state") or {}).get("values") or {}).get("reason") or {}).get("text", {}).get("value")
        await asyncio.to_thread(self._questions.feedback, view.get("private_metadata", ""), "down", reason=reason)

    async def on_show_more(self, ack: Any, action: dict[str, Any], respond: Any) -> None:
        await ack()
        recent = self._recent.get(action.get("value", ""))
        if recent is None:
            await respond(response_type="ephemeral", replace_original=False, text=texts.ANSWER_EXPIRED)
            return
        answer = await self._workers.search(self._questions.answer_again, recent.question)
        await send.respond_pages(
            respond,
            full_passage_blocks(answer),
            fallback_text(answer),
            response_type="ephemeral",
            replace_original=False,
        )

    async def on_share(self, ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any) -> None:
        await ack()
        reference = action.get("value", "")
        recent = await self._asked_by_presser(reference, body, respond)
        if recent is None:
            return
        question = recent.question
        answer = await self._workers.search(self._questions.answer_again, question)
        user = body.get("user", {}).get("id", "")
        intro = {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": texts.SHARED_BY.format(user=f"<@{user}>", question=escape(question))}
            ],
        }
        blocks = [intro, *answer_blocks(answer, reference=reference, question=question, with_hr=False)]
        await send.respond_pages(
            respond,
            blocks,
            fallback_text(answer),
            response_type="in_channel",
            replace_original=False,
            delete_original=False,
        )

    async def on_ask_hr(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        """«Spør HR»: the question and the answer's source go privately to HR (a DM to the HR contact or
        the configured HR channel), never into the channel the answer is in; the leader gets a private
        confirmation."""
        await ack()
        recent = await self._asked_by_presser(action.get("value", ""), body, respond)
        if recent is None:
            return
        hr_contact = self._options.hr_contact

        async def tell(text: str) -> None:
            await respond(response_type="ephemeral", replace_original=False, text=text)

        if not self._options.hr_channel and not self._options.hr_contact_user:
            await tell(texts.ASK_HR_NO_CONTACT.format(hr_contact=hr_contact))
            return
        user = str((body.get("user") or {}).get("id") or "")
        text = texts.ASK_HR_POST.format(
            user=f"<@{user}>", question=escape(recent.question), source=escape(recent.source or texts.ASK_HR_NO_SOURCE)
        )
        try:
            target = self._options.hr_channel or await send.dm_channel(client, str(self._options.hr_contact_user))
            await client.chat_postMessage(channel=target, text=text, unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            log.warning("«Spør HR» could not reach HR (%s)", exc.response.get("error"))
            await tell(texts.ASK_HR_FAILED.format(hr_contact=hr_contact))
            return
        await tell(texts.ASK_HR_SENT.format(hr_contact=hr_contact))
