"""The Agents SDK's TestAdapter as the Teams tests read it: the replies a user sees, in order."""

from __future__ import annotations

import threading
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, ResourceResponse
from microsoft_agents.testing import TestAdapter


class ReplyAdapter(TestAdapter):
    """Leaves out the typing indicators the SDK sends when a turn runs past half a second.

    Whether one is sent depends on how fast the machine is (CI is slower), so a test that reads
    «the next reply» would otherwise read a typing activity on a slow runner and pass on a fast one.
    They are counted in ``typing`` so a test can still see that the SDK sent them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.typing = 0
        self.typed = threading.Event()  # set by the first one: a signal a slow turn can wait for

    async def send_activities(self, context: Any, activities: list[Activity]) -> list[ResourceResponse]:
        replies = [a for a in activities if a.type != ActivityTypes.typing]
        self.typing += len(activities) - len(replies)
        if self.typing:
            self.typed.set()
        sent = iter(await super().send_activities(context, replies) if replies else [])
        return [ResourceResponse(id="") if a.type == ActivityTypes.typing else next(sent) for a in activities]
