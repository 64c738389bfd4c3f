"""The reflection aggregates' repositories (bot/store/reflections.py, groups.py, plans.py), on SQLite and
PostgreSQL: only what the dialogue tests (reflection, groups, schedule, person data) do not already show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.identity import Pseudonymizer
from bot.reflection.catalog import Catalog
from bot.reflection.engine import ReflectionEngine
from bot.reflection.groups import GroupReflections
from bot.reflection.schedule import Scheduler
from bot.store.db import Database
from bot.store.groups import GroupRepository
from bot.store.plans import PlanRepository
from bot.store.reflections import ReflectionRepository
from tests.conftest import KNOWLEDGE
from tests.storage import FakeClock

pytestmark = pytest.mark.integration
PSEUDO = Pseudonymizer(key=b"reflection-test-key-0123456")
CATALOG = Catalog.load(KNOWLEDGE / "reflections")
MONDAY_0700 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
ALONE = ("individual", "development_talk")


def test_done_themes_are_the_owners_finished_ones_only(db: Database) -> None:
    engine = ReflectionEngine(database=db, catalog=CATALOG, related=lambda q: None, pseudonymizer=PSEUDO)
    first = CATALOG.find("verdier", kinds=ALONE)
    assert first is not None
    engine.handle("a", "refleksjon verdier")
    for _ in first.questions:
        engine.handle("a", "Et svar")
    engine.handle("a", "refleksjon roller")  # started, not finished
    engine.handle("b", "refleksjon kommunikasjon")
    engine.handle("b", "avslutt")  # ended early: not done
    with db.session() as session:
        reflections = ReflectionRepository(session=session)
        assert reflections.done_themes("a") == {first.id}
        assert reflections.done_themes("b") == set()
    # The list puts what is done last, marked.
    assert engine.list_themes("a").choices[-1].value == f"refleksjon {first.id}"


def test_a_group_counts_members_not_answers_and_shows_only_what_was_shared(db: Database) -> None:
    groups = GroupReflections(database=db, catalog=CATALOG)
    group_id, _ = groups.start(channel_id="C1", facilitator="f", word="verdier")
    for member, index, shared_as in (("m1", 0, "Anne"), ("m1", 1, None), ("m2", 0, None)):
        groups.answer(group_id, member=member, index=index, text="Svar", shared_as=shared_as, conversation="C1")
    with db.session() as session:
        repo = GroupRepository(session=session)
        assert repo.members_who_answered(group_id) == 2
        assert [a.shared_as for a in repo.shared_answers(group_id)] == ["Anne"]
        assert repo.past_deadline(MONDAY_0700 + timedelta(days=3650)) == []  # a live group has no deadline


def test_a_new_plan_replaces_the_one_for_the_same_place_only(db: Database) -> None:
    clock = FakeClock(MONDAY_0700)
    scheduler = Scheduler(database=db, catalog=CATALOG, clock=clock)
    scheduler.plan(owner="leder", address="D1", is_group=False, text="man kl 08:30 verdier")
    scheduler.plan(owner="leder", address="D1", is_group=False, text="man kl 08:30 roller")
    scheduler.plan(owner="leder", address="C9", is_group=True, text="man kl 08:30 rekruttere")
    with db.session() as session:
        current = PlanRepository(session=session).current("leder", "D1")
    roller = CATALOG.find("roller", kinds=ALONE)
    assert current is not None and roller is not None and current.themes == [roller.id]
    clock.now = MONDAY_0700 + timedelta(minutes=31)
    assert sorted(o.address for o in scheduler.tick()) == ["C9", "D1"]  # one prompt per place
