"""App Home: how to use the bot and what it keeps; HR users also see the usage overview."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.dialog import Dialog
from bot.questions import Asker
from handlers.slack.blocks import home_view
from handlers.slack.options import SlackOptions


class Home:
    def __init__(self, *, dialog: Dialog, options: SlackOptions) -> None:
        self._dialog = dialog
        self._options = options

    async def on_opened(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        """``app_home_opened`` from the inbox: publish the Home tab (the Messages tab needs nothing)."""
        if event.get("tab") not in (None, "home"):
            return
        user = event.get("user", "")
        summary = None
        if user in self._options.hr_user_ids:
            actor = self._dialog.audit_actor(Asker("slack", str(event.get("team") or ""), user, "home"))
            summary = await asyncio.to_thread(self._dialog.hr.overview, actor=actor)
        view = home_view(
            question_text_days=self._options.question_text_days,
            min_group_size=self._options.min_group_size,
            hr_summary=summary,
            reflection_months=self._options.reflection_months,
        )
        await client.views_publish(user_id=user, view=view)
