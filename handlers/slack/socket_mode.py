"""Slack over Socket Mode: the bot dials out to Slack's WebSocket, so no public URL is needed.

The handler (and the aiohttp session inside it) must be made inside the running event loop: made
before ``asyncio.run`` it fails with "no running event loop". Slack closes the socket now and then
(deploys, refreshes); the SDK's client asks ``apps.connections.open`` for a new URL and reconnects.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)

SocketModeStarter = Callable[[], Awaitable[AsyncSocketModeHandler]]


def socket_mode_starter(app: AsyncApp, *, app_token: str, ping_interval: float = 10.0) -> SocketModeStarter:
    """A coroutine factory for ``run_server``: it connects once called inside the server's loop."""
    if not app_token.startswith("xapp-"):
        raise ValueError(f"a Socket Mode token starts with xapp-, got {app_token[:5]!r}…")
    if ping_interval <= 0:
        raise ValueError(f"ping_interval must be > 0, got {ping_interval}")

    async def start() -> AsyncSocketModeHandler:
        handler = AsyncSocketModeHandler(app, app_token, web_client=app.client, ping_interval=ping_interval)
        await handler.connect_async()
        log.info("connected to Slack over Socket Mode")
        return handler

    return start
