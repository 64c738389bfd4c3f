"""A person's data across every table: export holds all of it, delete leaves nothing that points to them.

Every table of the schema is filled (the list is checked against the SQLAlchemy metadata, so a new
table fails this test until it is covered) for one person and one bystander, on SQLite and
PostgreSQL; the person is exported, then deleted, and every table is scanned for anything of theirs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.analytics import audit
from bot.analytics.register import RegisterRow, import_register
from bot.identity import Pseudonymizer
from bot.reflection import data
from bot.reflection.catalog import Catalog
from bot.reflection.engine import ReflectionEngine
from bot.reflection.groups import GroupReflections
from bot.reflection.schedule import Scheduler
from bot.store.db import Database
from bot.store.inbox import InboxEvent
from bot.store.models import Base, QuestionLog
from bot.store.people import NOT_PERSONAL
from bot.store.question_log import QuestionRepository, ThreadRepository
from tests.conftest import KNOWLEDGE
from tests.storage import FakeClock

pytestmark = pytest.mark.integration
CATALOG = Catalog.load(KNOWLEDGE / "reflections")
PSEUDO = Pseudonymizer(key=b"person-data-key-0123456789")
START = datetime(2026, 11, 2, 7, tzinfo=UTC)


class Directory:
    def identities(self, row: RegisterRow) -> list[tuple[str, str, str]]:
        user = row.email.split("@")[0].upper()
        return [("slack", "T1", user), ("teams", "tenant", f"aad-{user.lower()}")]


class Who:
    def __init__(self, user: str) -> None:
        self.user = user
        self.email = f"{user.lower()}@heim.kommune.no"
        self.name = f"Navn {user.title()}"
        self.owner = PSEUDO.owner_key("slack", user)
        self.teams_owner = PSEUDO.owner_key("teams", f"aad-{user.lower()}")
        self.leader = PSEUDO.leader_key("slack", "T1", user)
        self.teams_leader = PSEUDO.leader_key("teams", "tenant", f"aad-{user.lower()}")
        self.question = f"Kan {user} flytte kontoret sitt til Tromsø?"
        self.answer = f"Det hemmelige svaret til {user}"
        self.group_answer = f"Gruppesvaret til {user}"
        self.address = f"D-{user}"

    def markers(self, person_id: str) -> list[str]:
        return [
            self.email,
            self.name,
            self.owner,
            self.teams_owner,
            self.leader,
            self.teams_leader,
            self.question,
            self.answer,
            self.group_answer,
            self.address,
            person_id,
            *PSEUDO.all_tags(person_id),
        ]


PERSON, BYSTANDER = Who("UPERSON1"), Who("UOTHER22")


def _fill(db: Database, clock: FakeClock) -> None:
    engine = ReflectionEngine(database=db, catalog=CATALOG, related=lambda q: None, pseudonymizer=PSEUDO, clock=clock)
    groups = GroupReflections(database=db, catalog=CATALOG, clock=clock)
    scheduler = Scheduler(database=db, catalog=CATALOG, clock=clock)
    rows = [RegisterRow(w.email, "Helse", "avdelingsleder", name=w.name) for w in (PERSON, BYSTANDER)]
    import_register(db, rows, directory=Directory(), pseudonymizer=PSEUDO, now=START)  # leader, identity, membership
    for n, who in enumerate((PERSON, BYSTANDER)):
        with db.session() as session:
            repo = QuestionRepository(session=session)
            for i, (channel, leader, owner) in enumerate(
                (("slack", who.leader, who.owner), ("teams", who.teams_leader, who.teams_owner))
            ):
                repo.add(
                    QuestionLog(
                        reference=f"{who.user}-{i}",
                        leader_key=leader,
                        owner_key=owner,
                        asked_at=clock(),
                        channel=channel,
                        channel_kind="dm",
                        answered=i == 0,
                        sources=[{"document": "heim", "section": "1"}] if i == 0 else [],
                        took_ms=5,
                        question_text=None if i == 0 else who.question,
                        text_expires_at=None if i == 0 else clock() + timedelta(days=90),
                    ),
                    tagger=PSEUDO.tag,
                )
            repo.set_feedback(f"{who.user}-0", value="down", at=clock(), reason="For generelt")
            # A handled event: the inbox keeps its id only (its payload was blanked when it was answered).
            session.add(
                InboxEvent(key=f"slack:Ev-{n}", channel="slack", payload=None, state="done", received_at=clock())
            )
            ThreadRepository(session=session).remember(f"C-{n}", "1.1", at=clock())
        engine.handle(who.owner, "refleksjon verdier")
        engine.handle(who.owner, who.answer)
        group_id, _ = groups.start(channel_id=f"C-{who.user}", facilitator=who.owner, word="verdier")
        groups.answer(
            group_id, member=who.owner, index=0, text=who.group_answer, shared_as=who.name, conversation=f"C-{who.user}"
        )
        scheduler.plan(owner=who.owner, address=who.address, is_group=False, text="man kl 08:30 verdier")
    audit.record(db, actor="cli:hr", action="report_usage", parameters={"by": "unit"}, at=clock())


def _all_rows(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table; a register id is written as the person id ("p<id>") so a scan finds it."""
    out: dict[str, list[dict[str, Any]]] = {}
    with db.session() as session:
        for name, table in Base.metadata.tables.items():
            rows = [dict(row) for row in session.execute(select(table)).mappings()]
            for row in rows:
                if "leader_id" in row:
                    row["leader_id"] = f"p{row['leader_id']}"
                if name == "leader":
                    row["id"] = f"p{row['id']}"
            out[name] = rows
    return out


def _person_id(db: Database, who: Who) -> str:
    with db.session() as session:
        return session.scalars(select(QuestionLog.person).where(QuestionLog.owner_key == who.owner)).one()


def _mentions(rows: list[dict[str, Any]], markers: list[str]) -> list[str]:
    text = json.dumps(rows, default=str, ensure_ascii=False)
    return [m for m in markers if f'"{m}"' in text or (not m.startswith("p") and m in text)]


def test_every_table_is_filled_exported_and_cleared(db: Database) -> None:
    clock = FakeClock(START)
    _fill(db, clock)
    before = _all_rows(db)
    empty = [name for name, rows in before.items() if not rows]
    assert empty == [], f"fill these tables too: {empty}"  # a new table cannot be forgotten
    person_id, bystander_id = _person_id(db, PERSON), _person_id(db, BYSTANDER)
    assert person_id.startswith("p") and person_id != bystander_id  # one person over Slack and Teams
    holding = {name for name, rows in before.items() if _mentions(rows, PERSON.markers(person_id))}
    assert holding == set(Base.metadata.tables) - NOT_PERSONAL  # the scan below can see each of them

    exported = json.loads(data.export(db, CATALOG, PERSON.owner, "json", pseudonymizer=PSEUDO))
    stored = exported["stored"]
    personal = set(Base.metadata.tables) - NOT_PERSONAL
    assert {name for name, rows in stored.items() if rows} == personal  # something of theirs in each
    assert _mentions([exported], [PERSON.answer, PERSON.question, PERSON.email, PERSON.teams_leader])
    assert _mentions([exported], BYSTANDER.markers(bystander_id)) == []
    assert PERSON.answer in data.export(db, CATALOG, PERSON.owner, "csv", pseudonymizer=PSEUDO)
    assert PERSON.question in data.export(db, CATALOG, PERSON.owner, "md", pseudonymizer=PSEUDO)

    touched = data.delete_person(db, PERSON.owner, pseudonymizer=PSEUDO)
    assert touched["reflection_answer"] == 2 and touched["reflection_schedule"] == 1 and touched["leader"] == 1
    after = _all_rows(db)
    for name, rows in after.items():
        assert _mentions(rows, PERSON.markers(person_id)) == [], name
        if name not in ("leader", "leader_identity", "leader_membership", "reflection_answer"):
            assert len(rows) >= len(before[name]) - 2, name  # usage rows stay, unlinked
    for name in personal:
        bystander_rows = [r for r in before[name] if _mentions([r], BYSTANDER.markers(bystander_id))]
        assert all(r in after[name] for r in bystander_rows), name  # the bystander keeps everything
    # Free text kept for the document owners has no column that could lead back to anyone.
    assert set(Base.metadata.tables["feedback_note"].columns.keys()) == {
        "id",
        "reason",
        "document",
        "week",
        "expires_at",
    }
    assert set(Base.metadata.tables["unanswered_question"].columns.keys()) == {
        "id",
        "text",
        "asker_tag",
        "registered",  # whether the asker was in the register (for counting people), not who
        "week",
        "expires_at",
    }
    # Their plan is gone: when it falls due, only the bystander is prompted.
    clock.now = START + timedelta(days=14)
    due = Scheduler(database=db, catalog=CATALOG, clock=clock).tick()
    assert {o.address for o in due} == {BYSTANDER.address}
    assert data.export(db, CATALOG, PERSON.owner, "json", pseudonymizer=PSEUDO).count(PERSON.answer) == 0


def test_rotated_key_keeps_a_leaders_data_reachable(db: Database, assistant: Any) -> None:
    from bot.questions import Asker
    from loopback.core import make_dialog

    old = Pseudonymizer(key=b"the-old-key-0123456789")
    asker = Asker("slack", "T1", "UROT", "dm")
    first = make_dialog(assistant, db, pseudonymizer=old)
    first.message("refleksjon verdier", asker=asker)
    first.message("Første svar før rotasjonen", asker=asker)
    first.message("Andre svar før rotasjonen", asker=asker)
    rotated = Pseudonymizer(key=b"the-new-key-9876543210", previous=(b"the-old-key-0123456789",))
    assert rotated.key_id != old.key_id and rotated.previous_ids == (old.key_id,)
    second = make_dialog(assistant, db, pseudonymizer=rotated)
    mine = second.message("mine svar", asker=asker).reply
    assert mine is not None and "Første svar før rotasjonen" in mine.text and "Andre svar" in mine.text
    deleted = second.message("slett mine svar bekreftet", asker=asker).reply
    assert deleted is not None and "2" in deleted.text
    assert second.message("mine svar", asker=asker).reply is not None
    assert data.answers_of(db, CATALOG, old.owner_key("slack", "UROT")) == []
    assert data.answers_of(db, CATALOG, rotated.owner_key("slack", "UROT")) == []
