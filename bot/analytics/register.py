"""The leader register: HR's CSV (email, unit, level) linked to chat users by pseudonymous keys."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.identity import Pseudonymizer
from bot.store.db import Database
from bot.store.models import Leader, LeaderIdentity, LeaderMembership
from bot.store.usage import RegisterRepository
from index.errors import LederbotError

REQUIRED = ("email", "unit", "level")
OPTIONAL = ("name", "manager_email", "aad_id")


class RegisterError(LederbotError):
    """The register file cannot be read."""


@dataclass(frozen=True)
class RegisterRow:
    email: str
    unit: str
    level: str
    name: str | None = None
    manager_email: str | None = None
    aad_id: str | None = None


class Directory(Protocol):
    """Finds a leader's chat identities: (channel, workspace or tenant, user id)."""

    def identities(self, row: RegisterRow) -> list[tuple[str, str, str]]: ...


class ChannelDirectory:
    """Every channel a leader is found in: Slack through ``slack`` (its adapter looks them up by e-mail),
    Teams by the register's Azure AD object id (aad_id) in the configured tenant, no lookup needed."""

    def __init__(self, *, slack: Directory | None, teams_tenant: str | None) -> None:
        self._slack = slack
        self._tenant = teams_tenant

    def identities(self, row: RegisterRow) -> list[tuple[str, str, str]]:
        found = self._slack.identities(row) if self._slack is not None else []
        if row.aad_id and self._tenant:
            found.append(("teams", self._tenant, row.aad_id))
        return found


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    deactivated: int
    linked: int
    not_found: int


def read_register(text: str) -> list[RegisterRow]:
    """Rows of the CSV; a missing column, an empty field or a repeated e-mail is an error that names the line."""
    sample = text.lstrip("\ufeff")
    dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else ",", delimiters=",;")
    reader = csv.DictReader(io.StringIO(sample), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RegisterError(
            f"Lederregisteret mangler kolonnene {', '.join(missing)} (første linje må være email,unit,level)."
        )
    rows: list[RegisterRow] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        email = values.get("email", "").lower()
        if not email or "@" not in email or not values.get("unit") or not values.get("level"):
            raise RegisterError(f"Linje {number} i lederregisteret mangler e-post, enhet eller nivå.")
        if email in seen:
            raise RegisterError(f"Linje {number}: e-postadressen står to ganger i lederregisteret.")
        seen.add(email)
        rows.append(
            RegisterRow(
                email=email, unit=values["unit"], level=values["level"], **{k: values.get(k) or None for k in OPTIONAL}
            )
        )
    return rows


def import_register(
    database: Database, rows: list[RegisterRow], *, directory: Directory, pseudonymizer: Pseudonymizer, now: datetime
) -> ImportReport:
    """Add and update leaders; a leader missing from the new file is deactivated, not deleted."""
    added = updated = linked = not_found = 0
    with database.session() as session:
        register = RegisterRepository(session=session)
        existing = register.leaders_by_email()
        for row in rows:
            leader = existing.get(row.email)
            if leader is None:
                leader = register.add_leader(
                    Leader(
                        email=row.email,
                        unit=row.unit,
                        level=row.level,
                        name=row.name,
                        manager_email=row.manager_email,
                        active=True,
                        updated_at=now,
                    )
                )
                register.add_membership(
                    LeaderMembership(leader_id=leader.id, unit=row.unit, level=row.level, active=True, valid_from=now)
                )
                added += 1
            else:
                if (leader.unit, leader.level, leader.active) != (row.unit, row.level, True):
                    # History: the change holds from now on; earlier weeks keep the old membership.
                    register.add_membership(
                        LeaderMembership(
                            leader_id=leader.id, unit=row.unit, level=row.level, active=True, valid_from=now
                        )
                    )
                leader.unit, leader.level, leader.name = row.unit, row.level, row.name
                leader.manager_email, leader.active, leader.updated_at = row.manager_email, True, now
                updated += 1
            identities = directory.identities(row)
            if not identities:
                not_found += 1
            for channel, workspace, user in identities:
                key = pseudonymizer.leader_key(channel, workspace, user)
                # Links made under a previous pseudonym key are replaced by the current one.
                stale = [key, *pseudonymizer.previous_leader_keys(channel, workspace, user)]
                register.link(
                    LeaderIdentity(
                        leader_id=leader.id,
                        channel=channel,
                        leader_key=key,
                        owner_key=pseudonymizer.owner_key(channel, user),
                        key_id=pseudonymizer.key_id,
                    ),
                    replacing=stale,
                )
                linked += 1
        wanted = {row.email for row in rows}
        deactivated = 0
        for email, leader in existing.items():
            if email not in wanted and leader.active:
                leader.active, leader.updated_at = False, now
                register.add_membership(
                    LeaderMembership(
                        leader_id=leader.id, unit=leader.unit, level=leader.level, active=False, valid_from=now
                    )
                )
                deactivated += 1
    return ImportReport(added, updated, deactivated, linked, not_found)
