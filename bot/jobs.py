"""Scheduled reflection work the server runs every tick, whatever channels it serves.

Plans and group sessions remember the channel they were made in; each is claimed only by a server
that serves that channel and sent through that channel's sender (Slack: chat.postMessage; Teams: a
proactive message through the Bot Framework). A Teams-only deployment sends its reminders too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Protocol

from bot.clock import Clock, utc_now
from bot.dialog import Dialog
from bot.reflection.replies import Reply

log = logging.getLogger(__name__)


class Sender(Protocol):
    async def send(self, address: str, reply: Reply, *, thread: str | None = None, reply_to: str | None = None) -> None:
        """Send ``reply`` to ``address`` (a DM or a channel; ``thread`` within it) of this channel."""
        ...


class ReflectionJobs:
    """Prompts and reminders of plans, and summaries of group sessions whose deadline has passed."""

    def __init__(self, *, dialog: Dialog, senders: Mapping[str, Sender], clock: Clock = utc_now) -> None:
        if not senders:
            raise ValueError("ReflectionJobs needs a sender for at least one channel")
        self._dialog = dialog
        self._senders = dict(senders)
        self._clock = clock

    @property
    def channels(self) -> frozenset[str]:
        return frozenset(self._senders)

    async def run(self) -> None:
        """One round: claim what is due in our channels and send it; a failed send is logged."""
        for outgoing in await asyncio.to_thread(self._dialog.scheduler.tick, self.channels):
            await self._send(outgoing.channel, outgoing.address, outgoing.reply, None, outgoing.reply_to)
        due = await asyncio.to_thread(self._dialog.groups.due, self._clock(), self.channels)
        for group, reply in due:
            await self._send(group.channel, group.channel_id, reply, group.thread_ts, group.reply_to)

    async def _send(self, channel: str, address: str, reply: Reply, thread: str | None, reply_to: str | None) -> None:
        try:
            await self._senders[channel].send(address, reply, thread=thread, reply_to=reply_to)
        except Exception as exc:  # noqa: BLE001  (one failed message must not stop the others)
            log.warning("could not send a scheduled %s message (%s)", channel, type(exc).__name__)
