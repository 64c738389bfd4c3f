"""Channel events in: stored before the acknowledgement, handled in the background, taken over
from a replica that died. Adapters call ``receive`` from their ingress and register a handler.

Example:
    >>> intake = Intake(inbox=inbox, workers=workers, database=db)
    >>> intake.register("slack", handle_slack_event)        # async (payload) -> None
    >>> await intake.receive("slack:Ev1", channel="slack", payload=body, retry=False)
    <Accepted.STORED: 'stored'>
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.dbhealth import DatabaseHealth
from bot.inbox import Accepted, Held, Inbox
from bot.metrics import Metrics
from bot.store.db import Database, StorageError
from bot.workers import Workers

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class Intake:
    def __init__(
        self,
        *,
        inbox: Inbox,
        workers: Workers,
        database: Database,
        metrics: Metrics | None = None,
        sweep_seconds: float = 1.0,
    ) -> None:
        if sweep_seconds <= 0:
            raise ValueError(f"sweep_seconds must be > 0, got {sweep_seconds}")
        self.inbox = inbox
        self.workers = workers
        self._db = database
        self.metrics = metrics or Metrics()
        self._sweep = sweep_seconds
        self._handlers: dict[str, Handler] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.handled = 0

    @classmethod
    def over(
        cls,
        database: Database,
        *,
        metrics: Metrics | None = None,
        lease_seconds: float = 30.0,
        sweep_seconds: float = 1.0,
        search_threads: int = 2,
        store_threads: int = 4,
    ) -> Intake:
        """An intake with its inbox, health flag and pools over ``database``."""
        metrics = metrics or Metrics()
        inbox = Inbox(
            database=database,
            health=DatabaseHealth(metrics=metrics),
            lease_seconds=lease_seconds,
            # Every replica writes back within a sweep or two of the database's return.
            write_back_grace=max(5.0, 3 * sweep_seconds),
        )
        workers = Workers(search_threads=search_threads, store_threads=store_threads)
        return cls(inbox=inbox, workers=workers, database=database, metrics=metrics, sweep_seconds=sweep_seconds)

    def register(self, channel: str, handler: Handler) -> None:
        self._handlers[channel] = handler

    async def receive(self, key: str, *, channel: str, payload: dict[str, Any], retry: bool) -> Accepted:
        """Store (or recognise) a delivery; when it is new, start handling it after this returns."""
        if self.inbox.seen(key):  # a repeat this replica already took: no database round trip
            outcome = Accepted.DUPLICATE
        else:
            outcome = await self.workers.store(self.inbox.accept, key, channel=channel, payload=payload, retry=retry)
        self.metrics.events.labels(channel, outcome.value).inc()
        if outcome is Accepted.DUPLICATE:
            self.metrics.duplicates.inc()
        if outcome in (Accepted.STORED, Accepted.UNSTORED):
            self._start(Held(key=key, channel=channel, payload=payload))
        return outcome

    async def record(self, key: str, *, channel: str) -> bool:
        """A delivery handled in the request itself (a command): True the first time its key is seen."""
        if self.inbox.seen(key):
            outcome = Accepted.DUPLICATE
        else:
            outcome = await self.workers.store(self.inbox.accept, key, channel=channel, payload=None, retry=False)
        self.metrics.events.labels(channel, outcome.value).inc()
        if outcome is Accepted.DUPLICATE:
            self.metrics.duplicates.inc()
            return False
        return True

    async def hold(self, key: str, *, channel: str, payload: dict[str, Any]) -> bool:
        """For a channel that handles an event inside its request (Teams waits for the turn): True
        when this request should handle it (new, or its holder died); then call ``finish``."""
        if self.inbox.seen(key):
            outcome = Accepted.DUPLICATE
        else:
            outcome = await self.workers.store(
                self.inbox.accept, key, channel=channel, payload=payload, retry=False, take_expired=True
            )
        self.metrics.events.labels(channel, outcome.value).inc()
        if outcome is Accepted.DUPLICATE:
            self.metrics.duplicates.inc()
            return False
        return True

    async def finish(self, key: str, *, channel: str) -> None:
        await self.workers.store(self.inbox.done, key)
        self.handled += 1
        self.metrics.handled.labels(channel).inc()

    def _start(self, held: Held) -> None:
        task = asyncio.get_running_loop().create_task(self._handle(held))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, held: Held) -> None:
        handler = self._handlers.get(held.channel)
        try:
            if handler is None:
                log.error("no handler for %s events", held.channel)
            else:
                await handler(held.payload)
        except Exception:  # noqa: BLE001  (a failure is logged and not retried forever: the event is done)
            log.exception("handling a %s event failed", held.channel)
            self.metrics.errors.labels("inbox_handle").inc()
        # Cancelled (shutting down) skips this: the lease runs out and the event is taken over.
        await self.workers.store(self.inbox.done, held.key)
        self.handled += 1
        self.metrics.handled.labels(held.channel).inc()

    async def sweep(self) -> None:
        """One round: after an outage write back what was handled from memory; renew our leases;
        take over events whose holder died."""
        inbox = self.inbox
        if not inbox.health.up and not await self.workers.store(inbox.health.probe, self._db):
            return
        try:
            if inbox.unwritten:
                written = await self.workers.store(inbox.write_back)
                log.info("wrote back %d events handled while the database was down", written)
            await self.workers.store(inbox.renew)
            # Only channels that can handle a stored event without its request (not Teams).
            for held in await self.workers.store(inbox.take_over, channels=list(self._handlers)):
                log.info("took over a %s event whose holder stopped", held.channel)
                self.metrics.takeovers.inc()
                self._start(held)
        except StorageError as exc:
            inbox.health.mark_down(exc)

    async def run(self) -> None:
        """Sweep until cancelled (forgetting handled events is retention's: bot/upkeep.py)."""
        while True:
            try:
                await self.sweep()
            except Exception:  # noqa: BLE001  (a failed round is logged; the next one tries again)
                log.exception("inbox sweep failed")
            await asyncio.sleep(self._sweep)

    async def close(self, grace: float = 10.0) -> None:
        """Stop: events being handled get ``grace`` seconds to finish (a rolling deploy then answers
        nothing twice); what is still running is left to its lease (another replica, or this one
        after a restart, takes it over); then the pools stop."""
        await self.drain(grace)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self.workers.shutdown()

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until every event taken so far is handled (tests, shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
