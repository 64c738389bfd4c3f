"""The inbox table (its own module: the inbox is one idea, and models.py belongs to the records)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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
