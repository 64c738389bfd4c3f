"""The HR audit log: every access to usage figures is written down (who, when, what)."""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Database
from bot.store.models import HrAudit
from bot.store.usage import AuditRepository


def record(database: Database, *, actor: str, action: str, parameters: dict[str, str], at: datetime) -> None:
    with database.session() as session:
        AuditRepository(session=session).add(
            HrAudit(at=at, actor=actor[:100], action=action[:50], parameters=parameters)
        )


def entries(database: Database) -> list[HrAudit]:
    with database.session() as session:
        return AuditRepository(session=session).entries()
