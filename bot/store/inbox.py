"""The inbox table and its repository. The inbox's rules (who holds an event, when a lease has run
out, what a retry may do while the database is down) are in bot/inbox.py; its statements are here."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Integer, String, Text, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.store.db import insert_new
from bot.store.models import Base, DateTime


class InboxEvent(Base):
    """A received channel event. ``state`` is ``claimed`` (someone holds the lease) or ``done``.

    The payload holds what the leader wrote, so it is blanked as soon as the event is done; the
    row itself stays a couple of days as the duplicate check for Slack's retries.
    """

    __tablename__ = "inbox_event"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InboxRepository:
    def __init__(self, *, session: Session) -> None:
        self._s = session

    def find(self, key: str) -> InboxEvent | None:
        return self._s.get(InboxEvent, key)

    def add(self, event: InboxEvent) -> None:
        self._s.add(event)

    def add_new(self, event: InboxEvent) -> bool:
        """Store ``event`` unless its key is stored already (False: a repeated delivery), without
        ending the session's transaction."""
        return insert_new(self._s, event)

    def take_expired(self, key: str, *, owner: str, now: datetime, lease_until: datetime) -> bool:
        """Give ``owner`` a claimed event whose lease ran out before ``now``; True when it got it."""
        # The conditional update is the claim: two replicas racing, one gets rowcount 1.
        won = self._s.execute(
            update(InboxEvent)
            .where(InboxEvent.key == key, InboxEvent.state == "claimed", InboxEvent.lease_until < now)
            .values(owner=owner, lease_until=lease_until, attempts=InboxEvent.attempts + 1)
        )
        return bool(won.rowcount)  # type: ignore[attr-defined]

    def expired(self, *, channels: Collection[str], now: datetime, limit: int) -> list[str]:
        """Keys of claimed events of ``channels`` whose lease ran out before ``now``, oldest first."""
        keys = self._s.execute(
            select(InboxEvent.key)
            .where(
                InboxEvent.state == "claimed",
                InboxEvent.lease_until < now,
                InboxEvent.channel.in_(list(channels)),
            )
            .order_by(InboxEvent.received_at)
            .limit(limit)
        ).scalars()
        return list(keys)

    def renew(self, *, owner: str, lease_until: datetime) -> int:
        """Extend the lease on every event ``owner`` still holds; how many that were."""
        result = self._s.execute(
            update(InboxEvent)
            .where(InboxEvent.owner == owner, InboxEvent.state == "claimed")
            .values(lease_until=lease_until)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def finish(self, key: str, *, owner: str) -> None:
        """Mark ``owner``'s event done and blank its payload (an event it lost stays as it is)."""
        self._s.execute(
            update(InboxEvent)
            .where(InboxEvent.key == key, InboxEvent.owner == owner)
            .values(state="done", payload=None, lease_until=None)
        )

    def forget_before(self, cutoff: datetime) -> int:
        """Events received before ``cutoff`` that are done, or abandoned: a claim whose lease ran out
        before ``cutoff`` and that no replica took over (its channel is no longer served, or Teams never
        redelivered it) would otherwise keep its payload forever."""
        result = self._s.execute(
            delete(InboxEvent).where(
                InboxEvent.received_at < cutoff,
                or_(InboxEvent.state == "done", InboxEvent.lease_until < cutoff),
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
