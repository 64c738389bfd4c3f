"""Suppression rules of the HR figures, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.analytics.figures import usage
from bot.analytics.register import RegisterRow, import_register, read_register
from bot.errors import LederbotError
from bot.identity import Pseudonymizer
from bot.store.db import Database
from bot.store.models import QuestionLog, ReflectionSession

pytestmark = pytest.mark.integration
PSEUDO = Pseudonymizer(key=b"f" * 32)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


class Directory:
    def identities(self, row: RegisterRow) -> list[tuple[str, str, str]]:
        return [("slack", "T1", row.email.split("@")[0])]


def _register(db: Database, units: dict[str, int], level: str = "avdelingsleder") -> list[str]:
    rows = [RegisterRow(f"{unit[:3].lower()}{i}@k.no", unit, level) for unit, n in units.items() for i in range(n)]
    import_register(db, rows, directory=Directory(), pseudonymizer=PSEUDO, now=NOW)
    return [r.email.split("@")[0] for r in rows]


def _ask(db: Database, user: str, when: datetime, *, answered: bool = True, n: int = 1) -> None:
    with db.session() as session:
        for i in range(n):
            session.add(
                QuestionLog(
                    reference=f"{user}-{when.timestamp()}-{i}",
                    leader_key=PSEUDO.leader_key("slack", "T1", user),
                    asked_at=when,
                    channel="slack",
                    channel_kind="dm",
                    answered=answered,
                    sources=[{"document": "heim", "section": "3.1 Delegering"}] if answered else [],
                    took_ms=10,
                )
            )


def test_small_group_and_total_are_suppressed(db: Database) -> None:
    users = _register(db, {"Helse og omsorg": 7, "Skole": 3})
    for user in users:
        _ask(db, user, NOW, n=2)
    report = usage(db, by="unit", min_group_size=5)
    groups = {g["key"]: g for g in report["groups"]}
    assert groups["Helse og omsorg"]["leaders"] == 7 and groups["Helse og omsorg"]["questions"] == 14
    assert groups["Helse og omsorg"]["top_documents"] == [{"document": "heim", "citations": 14}]
    assert groups["Skole"] == {"key": "Skole", "suppressed": True}
    assert report["total"] == {"suppressed": True}


def test_total_is_shown_when_no_group_is_hidden(db: Database) -> None:
    users = _register(db, {"Helse": 5, "Skole": 6})
    for user in users:
        _ask(db, user, NOW)
    report = usage(db, by="unit", min_group_size=5)
    assert report["total"]["leaders"] == 11 and report["total"]["questions"] == 11
    assert all(not g.get("suppressed") for g in report["groups"])


def test_group_that_shrinks_below_the_threshold(db: Database) -> None:
    users = _register(db, {"Helse": 6})
    for user in users:
        _ask(db, user, datetime(2026, 10, 5, tzinfo=UTC))
    for user in users[:4]:
        _ask(db, user, datetime(2026, 11, 5, tzinfo=UTC))
    report = usage(db, by="month", min_group_size=5)
    assert report["groups"] == [
        {**report["groups"][0], "key": "2026-10", "leaders": 6, "questions": 6},
        {"key": "2026-11", "suppressed": True},
    ]
    assert report["total"] == {"suppressed": True}
    only_october = usage(db, by="unit", min_group_size=5, until=datetime(2026, 11, 1, tzinfo=UTC))
    assert only_october["groups"][0]["leaders"] == 6


def test_threshold_never_below_three_and_unregistered_users(db: Database) -> None:
    _ask(db, "stranger1", NOW)
    _ask(db, "stranger2", NOW)
    report = usage(db, by="unit", min_group_size=1)
    assert report["min_group_size"] == 3
    assert report["groups"] == [{"key": "Ikke registrert", "suppressed": True}]


def test_themes_count_leaders_who_reflected(db: Database) -> None:
    users = _register(db, {"Helse": 5})
    with db.session() as session:
        for i, user in enumerate(users):
            session.add(
                ReflectionSession(
                    owner_key=PSEUDO.owner_key("slack", user),
                    theme_id="verdier",
                    theme_version="v",
                    state="done" if i % 2 == 0 else "active",
                    current_index=0,
                    started_at=NOW,
                    updated_at=NOW,
                )
            )
        session.add(
            ReflectionSession(
                owner_key=PSEUDO.owner_key("slack", users[0]),
                theme_id="roller",
                theme_version="v",
                state="active",
                current_index=0,
                started_at=NOW,
                updated_at=NOW,
            )
        )
    report = usage(db, by="theme", min_group_size=5)
    groups = {g["key"]: g for g in report["groups"]}
    assert groups["verdier"]["leaders"] == 5
    assert (groups["verdier"]["reflections_started"], groups["verdier"]["reflections_completed"]) == (5, 3)
    assert groups["roller"] == {"key": "roller", "suppressed": True}


def test_reimport_updates_and_deactivates(db: Database) -> None:
    from sqlalchemy import select

    from bot.store.models import Leader

    _register(db, {"Helse": 2})
    rows = read_register("email;unit;level\nhel0@k.no;Oppvekst;enhetsleder\n")
    report = import_register(db, rows, directory=Directory(), pseudonymizer=PSEUDO, now=NOW)
    assert (report.added, report.updated, report.deactivated) == (0, 1, 1)
    with db.session() as session:
        leaders = {leader.email: leader for leader in session.scalars(select(Leader))}
    assert leaders["hel0@k.no"].unit == "Oppvekst" and leaders["hel0@k.no"].active
    assert not leaders["hel1@k.no"].active


def test_bad_register_files() -> None:
    with pytest.raises(LederbotError, match="kolonnene"):
        read_register("epost,enhet\na@b.no,x\n")
    with pytest.raises(LederbotError, match="Linje 3"):
        read_register("email,unit,level\na@b.no,x,y\nb@b.no,,y\n")
    with pytest.raises(LederbotError, match="to ganger"):
        read_register("email,unit,level\na@b.no,x,y\nA@b.no,x,y\n")
