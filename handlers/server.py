"""One aiohttp server for every channel: /slack/events, /api/messages, /healthz, /metrics.

The model and index load in the background after the server starts, so the port answers at once
and /healthz tells a load balancer when the bot is ready, and whether the database is down
("degraded": questions are still answered, nothing is recorded). The inbox sweeper (leases,
take-over from a dead replica, write-back after an outage) runs beside it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.intake import Intake
from index.errors import LederbotError

if TYPE_CHECKING:
    from bot.metrics import Metrics
    from handlers.teams.app import TeamsAgent

log = logging.getLogger(__name__)

READY = web.AppKey("ready", asyncio.Event)
SLACK = web.AppKey("slack", AsyncApp)
WARM_UP = web.AppKey("warm_up", asyncio.Task)
SWEEPER = web.AppKey("sweeper", asyncio.Task)
INTAKE = web.AppKey("intake", Intake)
# Set when the warm-up fails (a damaged index, a model that will not load): the server then exits
# with the error instead of staying up unready for ever.
FAILED = web.AppKey("failed", asyncio.Future)


def build_server(
    *,
    warm_up: Callable[[], None],
    intake: Intake,
    metrics: Metrics | None = None,
    slack: AsyncApp | None = None,
    teams: TeamsAgent | None = None,
    periodic: Callable[[], Awaitable[None]] | None = None,
    period: float = 30.0,
) -> web.Application:
    """The web application; ``warm_up`` (load model, index, run migrations) runs in a thread at start,
    then ``periodic`` (reminders, deadlines, retention) every ``period`` seconds; ``intake``'s sweeper
    runs from the start."""
    app = web.Application(client_max_size=1024 * 1024)
    app[READY] = asyncio.Event()
    app[INTAKE] = intake
    app.router.add_get("/healthz", _healthz)
    if metrics is not None:

        async def prometheus(_request: web.Request) -> web.Response:
            return web.Response(
                body=metrics.render(),
                content_type="text/plain",
                charset="utf-8",
                headers={"X-Content-Type-Options": "nosniff"},
            )

        app.router.add_get("/metrics", prometheus)
    if slack is not None:
        app[SLACK] = slack
        app.router.add_post("/slack/events", _slack_events)
    if teams is not None:
        # The Teams SDK is imported only when Teams is served: a Slack-only server never loads it.
        from microsoft_agents.hosting.aiohttp import jwt_authorization_decorator, start_agent_process

        # The SDK's token check reads this key; it guards /api/messages only, not Slack or /healthz.
        app["agent_configuration"] = teams.auth

        async def teams_messages(request: web.Request) -> web.StreamResponse:
            response = await start_agent_process(request, teams.application, teams.adapter)
            return response if response is not None else web.Response(status=202)

        from handlers.teams.auth import after_sdk, before_sdk

        guarded = before_sdk(jwt_authorization_decorator(after_sdk(teams_messages, policy=teams.policy)))
        app.router.add_post("/api/messages", guarded)

    async def start_warm_up(application: web.Application) -> None:
        application[FAILED] = asyncio.get_running_loop().create_future()

        async def run() -> None:
            try:
                await asyncio.to_thread(warm_up)
            except Exception as exc:  # noqa: BLE001  (whatever it is, the server cannot answer: stop)
                log.error("warm-up failed (%s); stopping", type(exc).__name__)
                application[FAILED].set_result(exc)
                return
            application[READY].set()
            log.info("ready")
            while periodic is not None:
                try:
                    await periodic()
                except Exception:  # noqa: BLE001  (a failed round is logged; the next one tries again)
                    log.exception("periodic job failed")
                await asyncio.sleep(period)

        application[WARM_UP] = asyncio.create_task(run())
        application[SWEEPER] = asyncio.create_task(intake.run())

    async def stop(application: web.Application) -> None:
        for key in (SWEEPER, WARM_UP):
            task = application.get(key)
            if task is not None:
                task.cancel()
        await intake.close()

    app.on_startup.append(start_warm_up)
    app.on_cleanup.append(stop)
    return app


async def _healthz(request: web.Request) -> web.Response:
    if not request.app[READY].is_set():
        return web.json_response({"status": "starting"}, status=503)
    if not request.app[INTAKE].inbox.health.up:
        # Still 200: the replica answers questions from the index; a load balancer keeps it.
        return web.json_response({"status": "degraded", "database": "down"})
    return web.json_response({"status": "ok", "database": "up"})


async def _slack_events(request: web.Request) -> web.Response:
    bolt = request.app[SLACK]
    # slack_sdk's verifier does int(timestamp) - now(): non-digits (ValueError) or a huge number
    # (OverflowError) would be a 500.
    stamp = request.headers.get("X-Slack-Request-Timestamp")
    if stamp is not None and not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return web.json_response({"error": "invalid request"}, status=401)
    try:
        bolt_request = await to_bolt_request(request)
    except (TypeError, ValueError, KeyError, AttributeError):
        # Bolt reads ids out of the payload while building the request; a malformed one (found by
        # fuzzing: "channel": 0) is the sender's error, not ours.
        log.warning("malformed Slack payload refused")
        return web.json_response({"error": "malformed payload"}, status=400)
    response = await bolt.async_dispatch(bolt_request)
    return await to_aiohttp_response(response)


async def run_server(
    app: web.Application,
    *,
    host: str,
    port: int,
    socket_mode: Callable[[], Awaitable[Any]] | None = None,
) -> None:
    """Serve until cancelled; with ``socket_mode`` (handlers.slack.socket_mode.socket_mode_starter) Slack
    comes over a websocket. It is called here, inside the running loop, because the handler's aiohttp
    session cannot be made before the loop runs."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host=host, port=port)
    await site.start()
    log.info("listening on %s:%s", host, port)
    handler = None
    failed = app[FAILED]
    try:
        if socket_mode is not None:
            # Connect only once the index is loaded and the database migrated: over Socket Mode an
            # event arrives the moment the socket opens (over HTTP an early question waits on its
            # worker for the warm-up, see Assistant.ask).
            ready = asyncio.ensure_future(app[READY].wait())
            await asyncio.wait({ready, failed}, return_when=asyncio.FIRST_COMPLETED)
            ready.cancel()
            if not failed.done():
                handler = await socket_mode()
        error = await failed  # only a failed warm-up ends the wait; otherwise serve until cancelled
        if isinstance(error, LederbotError):
            raise error
        raise LederbotError(f"Boten kunne ikke starte ({type(error).__name__}): {error}") from error
    finally:
        if handler is not None:
            await handler.close_async()
        await runner.cleanup()
