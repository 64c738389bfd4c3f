"""The durable inbox: an event is stored before it is acknowledged, and done once by whoever holds it.

The replica that stores an event holds a lease on it and works on it at once; while it works it
renews the lease. If it dies, the lease runs out and another replica takes the event over from the
stored payload, so a kill -9 right after the acknowledgement loses nothing.

The primary key is the channel's delivery id (Slack's ``event_id``), so storing is also the
duplicate check: a retry finds the row and is dropped. A small in-memory set answers repeats
without a database round trip.

With the database down nothing can be stored. Then (see README, "Når databasen er nede"):
- a first delivery is handled from memory on this replica and acknowledged (questions are still
  answered from the index); its id is written as done when the database is back, so a later
  retry is dropped;
- a retry (Slack marks it) is refused, so Slack sends it again later: this replica cannot know
  whether another one already handled the first delivery, and answering twice is worse than later.
  For a few seconds after the database is back, retries of events the store does not know are
  still refused: the other replicas are writing back what they answered meanwhile.
- leases that ran out during the outage say nothing about their holder: it could not renew them.
  For one lease after this replica sees the database back it takes nothing over, so a live
  holder renews its leases and writes back what it finished first (the lease spans several sweeps).

Example:
    >>> inbox = Inbox(database=db, health=DatabaseHealth(), owner="replica-1", lease_seconds=30)
    >>> inbox.accept("slack:Ev1", channel="slack", payload={"event": {}}, retry=False)
    <Accepted.STORED: 'stored'>
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from bot.clock import Clock, utc_now
from bot.dbhealth import DatabaseHealth
from bot.store.db import Database, StorageError
from bot.store.inbox import InboxEvent, InboxRepository


class Accepted(Enum):
    STORED = "stored"  # new, stored and held by this replica: acknowledge, then handle
    DUPLICATE = "duplicate"  # seen before (here or in the store): acknowledge, do nothing
    UNSTORED = "unstored"  # new, database down: acknowledge, handle from memory (not durable)
    REFUSED = "refused"  # a retry while the database is down: do not acknowledge; Slack retries later


@dataclass(frozen=True)
class Held:
    """An event this replica now holds: handle it, then ``done``."""

    key: str
    channel: str
    payload: dict[str, Any]


class Inbox:
    def __init__(
        self,
        *,
        database: Database,
        health: DatabaseHealth,
        owner: str | None = None,
        lease_seconds: float = 30.0,
        clock: Clock = utc_now,
        memory: int = 10_000,
        write_back_grace: float = 5.0,
    ) -> None:
        if lease_seconds <= 0:
            raise ValueError(f"lease_seconds must be > 0, got {lease_seconds}")
        if write_back_grace < 0:
            raise ValueError(f"write_back_grace must be >= 0, got {write_back_grace}")
        self._db = database
        self.health = health
        self.owner = owner or uuid.uuid4().hex
        self._lease = timedelta(seconds=lease_seconds)
        self._grace = timedelta(seconds=write_back_grace)
        self._clock = clock
        self._memory = memory
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, None] = OrderedDict()
        # Handled while the database was down, or finished while it was: written when it is back.
        self._unwritten: OrderedDict[str, str] = OrderedDict()

    def seen(self, key: str) -> bool:
        """True when this replica has already taken ``key`` (no database involved)."""
        with self._lock:
            return key in self._seen

    def _remember(self, key: str) -> bool:
        """Remember ``key``; False when it was already there."""
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = None
            while len(self._seen) > self._memory:
                self._seen.popitem(last=False)
            return True

    def _forget(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)

    def accept(
        self, key: str, *, channel: str, payload: dict[str, Any] | None, retry: bool, take_expired: bool = False
    ) -> Accepted:
        """Store a delivery before it is acknowledged. ``payload=None`` records the id only (already handled).

        ``take_expired``: a redelivery of an event whose holder's lease ran out (it died) is taken
        over here and now (for channels that handle an event inside its request, like Teams)."""
        if not key:
            raise ValueError("an inbox key is needed")
        if not self._remember(key):
            return Accepted.DUPLICATE
        if self.health.up:
            now = self._clock()
            row = InboxEvent(
                key=key,
                channel=channel,
                payload=json.dumps(payload, ensure_ascii=False) if payload is not None else None,
                state="claimed" if payload is not None else "done",
                owner=self.owner,
                lease_until=now + self._lease if payload is not None else None,
                attempts=1,
                received_at=now,
            )
            try:
                with self._db.session() as session:
                    events = InboxRepository(session=session)
                    if retry and self._just_recovered(now) and events.find(key) is None:
                        # Maybe answered by another replica during the outage and not written back yet.
                        self._forget(key)
                        return Accepted.REFUSED
                    if not events.add_new(row):
                        if take_expired:
                            if self._claim_expired(events, key, now):
                                return Accepted.STORED
                            # Not ours to remember: if its holder dies, a later redelivery takes it over.
                            self._forget(key)
                        return Accepted.DUPLICATE
                self.health.mark_up()
                return Accepted.STORED
            except StorageError as exc:
                self.health.mark_down(exc)
        if retry:
            # Forget it again: when Slack retries once the database is back, the store decides.
            self._forget(key)
            return Accepted.REFUSED
        with self._lock:
            self._unwritten[key] = channel
        return Accepted.UNSTORED

    def _claim_expired(self, events: InboxRepository, key: str, now: datetime) -> bool:
        return events.take_expired(key, owner=self.owner, now=now, lease_until=now + self._lease)

    def _just_recovered(self, now: datetime) -> bool:
        back = self.health.recovered_at
        return back is not None and now - back < self._grace

    def take_over(self, *, channels: Collection[str], limit: int = 20) -> list[Held]:
        """Claim events of ``channels`` whose holder's lease ran out (it died); each is won by
        exactly one replica. Nothing for one lease after an outage (see the module docstring)."""
        now = self._clock()
        held: list[Held] = []
        back = self.health.recovered_at
        if back is not None and now - back < self._lease:
            return held
        with self._db.session() as session:
            events = InboxRepository(session=session)
            for key in events.expired(channels=channels, now=now, limit=limit):
                won = self._claim_expired(events, key, now)
                session.commit()
                if not won:
                    continue
                row = events.find(key)
                if row is None or row.payload is None:
                    continue
                self._remember(key)
                held.append(Held(key=key, channel=row.channel, payload=json.loads(row.payload)))
        return held

    def renew(self) -> int:
        """Extend the lease on everything this replica still holds (a long search is not a death)."""
        with self._db.session() as session:
            return InboxRepository(session=session).renew(owner=self.owner, lease_until=self._clock() + self._lease)

    def done(self, key: str) -> None:
        """Mark handled and blank the payload; with the database down, written when it is back."""
        if not self.health.up:
            # Known down: do not wait for a connect timeout on the way out of every handler.
            with self._lock:
                self._unwritten[key] = ""
            return
        try:
            with self._db.session() as session:
                InboxRepository(session=session).finish(key, owner=self.owner)
            return
        except StorageError as exc:
            self.health.mark_down(exc)
        with self._lock:
            self._unwritten[key] = ""

    def write_back(self) -> int:
        """After an outage: record what was handled from memory, so later retries are dropped."""
        with self._lock:
            pending = list(self._unwritten.items())
        written = 0
        for key, channel in pending:
            with self._db.session() as session:
                events = InboxRepository(session=session)
                row = events.find(key)
                if row is None:
                    events.add(
                        InboxEvent(
                            key=key,
                            channel=channel or "unknown",
                            payload=None,
                            state="done",
                            owner=self.owner,
                            lease_until=None,
                            attempts=1,
                            received_at=self._clock(),
                        )
                    )
                elif row.owner == self.owner:
                    row.state, row.payload, row.lease_until = "done", None, None
            with self._lock:
                self._unwritten.pop(key, None)
            written += 1
        return written

    @property
    def unwritten(self) -> int:
        with self._lock:
            return len(self._unwritten)

    def state_of(self, key: str) -> tuple[str, str | None, int] | None:
        """(state, owner, attempts) of a stored event, for checks and the benchmarks."""
        with self._db.session() as session:
            row = InboxRepository(session=session).find(key)
            return None if row is None else (row.state, row.owner, row.attempts)


def forget_handled(database: Database, *, before: datetime) -> int:
    """Retention (bot/upkeep.py): the rows of events handled, or abandoned, before ``before``. A handled
    event's content was blanked when it was handled; the id is kept a while so a late retry is still
    known (Slack stops after minutes)."""
    with database.session() as session:
        return InboxRepository(session=session).forget_before(before)
