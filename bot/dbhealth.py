"""Is the database reachable? One flag per process, set by every store call and by a probe.

While it is down, callers skip the database instead of waiting for a connect timeout on every
event (that wait is what made acknowledgements late), and a probe brings the flag back.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from bot.clock import Clock, utc_now
from bot.metrics import Metrics
from bot.store.db import Database, StorageError

log = logging.getLogger(__name__)


class DatabaseHealth:
    def __init__(self, *, metrics: Metrics | None = None, clock: Clock = utc_now) -> None:
        self._up = True
        self._clock = clock
        self.recovered_at: datetime | None = None  # when the database last came back after an outage
        self._lock = threading.Lock()
        self._metrics = metrics
        if metrics is not None:
            metrics.database_up.set(1)

    @property
    def up(self) -> bool:
        return self._up

    def _set(self, up: bool) -> None:
        with self._lock:
            changed = up != self._up
            self._up = up
        if self._metrics is not None:
            self._metrics.database_up.set(1 if up else 0)
        if changed:
            if up:
                self.recovered_at = self._clock()
                log.warning("database reachable again")
            else:
                log.warning("database unreachable: events are handled from memory until it is back")

    def mark_down(self, exc: BaseException) -> None:
        log.debug("database call failed: %s", type(exc).__name__)
        self._set(False)

    def mark_up(self) -> None:
        if not self._up:
            self._set(True)

    def probe(self, database: Database) -> bool:
        """One cheap round trip; sets the flag either way."""
        try:
            database.ping()
        except StorageError as exc:
            self.mark_down(exc)
            return False
        self.mark_up()
        return True
