"""The durable inbox on SQLite and PostgreSQL: store before the ack, one holder, take-over after
the lease, and what happens while the database is down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.dbhealth import DatabaseHealth
from bot.inbox import Accepted, Inbox, forget_handled
from bot.metrics import Metrics
from bot.store.db import Database, StorageError, make_engine
from tests.storage import FakeClock

pytestmark = pytest.mark.integration
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _inbox(db: Database, clock: FakeClock, owner: str, **kwargs: float) -> Inbox:
    return Inbox(database=db, health=DatabaseHealth(), owner=owner, lease_seconds=10, clock=clock, **kwargs)


def test_store_once_then_duplicates(db: Database) -> None:
    clock = FakeClock(START)
    first, second = _inbox(db, clock, "a"), _inbox(db, clock, "b")
    assert first.accept("slack:Ev1", channel="slack", payload={"text": "hei"}, retry=False) is Accepted.STORED
    assert first.accept("slack:Ev1", channel="slack", payload={"text": "hei"}, retry=True) is Accepted.DUPLICATE
    assert second.accept("slack:Ev1", channel="slack", payload={"text": "hei"}, retry=True) is Accepted.DUPLICATE
    assert first.state_of("slack:Ev1") == ("claimed", "a", 1)
    first.done("slack:Ev1")
    assert first.state_of("slack:Ev1") == ("done", "a", 1)


def test_expired_lease_is_taken_over_by_exactly_one(db: Database) -> None:
    clock = FakeClock(START)
    dead, alive, third = _inbox(db, clock, "dead"), _inbox(db, clock, "alive"), _inbox(db, clock, "third")
    dead.accept("slack:Ev2", channel="slack", payload={"event": {"text": "spørsmål"}}, retry=False)
    assert alive.take_over(channels=["slack"]) == []  # the holder's lease still runs
    clock.now = START + timedelta(seconds=11)
    taken = alive.take_over(channels=["slack"])
    assert [(h.key, h.payload) for h in taken] == [("slack:Ev2", {"event": {"text": "spørsmål"}})]
    assert third.take_over(channels=["slack"]) == []  # won once
    assert alive.state_of("slack:Ev2") == ("claimed", "alive", 2)
    dead.done("slack:Ev2")  # the old holder cannot finish what it lost
    assert alive.state_of("slack:Ev2") == ("claimed", "alive", 2)
    alive.done("slack:Ev2")
    assert alive.state_of("slack:Ev2") == ("done", "alive", 2)


def test_renewed_lease_is_not_taken(db: Database) -> None:
    clock = FakeClock(START)
    busy, other = _inbox(db, clock, "busy"), _inbox(db, clock, "other")
    busy.accept("slack:Ev3", channel="slack", payload={}, retry=False)
    clock.now = START + timedelta(seconds=8)
    assert busy.renew() == 1
    clock.now = START + timedelta(seconds=15)
    assert other.take_over(channels=["slack"]) == []


def test_database_down_first_delivery_handled_retry_refused_then_written_back(tmp_path: object) -> None:
    metrics = Metrics()
    health = DatabaseHealth(metrics=metrics)
    dead = Database(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    inbox = Inbox(database=dead, health=health, owner="a")
    assert inbox.accept("slack:Ev4", channel="slack", payload={}, retry=False) is Accepted.UNSTORED
    assert not health.up and metrics.registry.get_sample_value("lederbot_database_up") == 0
    assert inbox.accept("slack:Ev4", channel="slack", payload={}, retry=True) is Accepted.DUPLICATE  # memory
    assert inbox.accept("slack:Ev5", channel="slack", payload={}, retry=True) is Accepted.REFUSED
    assert inbox.unwritten == 1
    with pytest.raises(StorageError):
        inbox.write_back()
    assert inbox.unwritten == 1  # kept until the database takes it


def test_write_back_and_grace_after_an_outage(db: Database) -> None:
    health = DatabaseHealth()
    answered_here = Inbox(database=db, health=health, owner="a")
    other = Inbox(database=db, health=DatabaseHealth(), owner="b", write_back_grace=60)
    health.mark_down(RuntimeError("down"))
    other.health.mark_down(RuntimeError("down"))
    assert answered_here.accept("slack:Ev6", channel="slack", payload={}, retry=False) is Accepted.UNSTORED
    other.health.mark_up()
    # Back, but the first replica has not written back yet: a retry is refused, not answered twice.
    assert other.accept("slack:Ev6", channel="slack", payload={}, retry=True) is Accepted.REFUSED
    health.mark_up()
    assert answered_here.write_back() == 1 and answered_here.unwritten == 0
    assert other.accept("slack:Ev6", channel="slack", payload={}, retry=True) is Accepted.DUPLICATE
    # A first delivery is never held back by the grace period.
    assert other.accept("slack:Ev7", channel="slack", payload={}, retry=False) is Accepted.STORED


def test_done_events_are_forgotten_after_retention(db: Database) -> None:
    clock = FakeClock(START)
    inbox = _inbox(db, clock, "a")
    inbox.accept("slack:Old", channel="slack", payload={"event": {"text": "privat"}}, retry=False)
    inbox.accept("slack:Open", channel="slack", payload={}, retry=False)
    inbox.done("slack:Old")
    # Held by a replica that died, in a channel no replica serves any more: nobody takes it over.
    gone = _inbox(db, clock, "gone")
    gone.accept("teams:Abandoned", channel="teams", payload={"event": {"text": "privat"}}, retry=False)
    clock.now = START + timedelta(days=2, seconds=2)
    inbox.renew()  # «Open» is still being handled by a live replica
    assert forget_handled(db, before=START + timedelta(days=2, seconds=1)) == 2  # the finished and the abandoned
    assert inbox.state_of("slack:Old") is None and inbox.state_of("teams:Abandoned") is None
    assert inbox.state_of("slack:Open") is not None


def test_search_pool_is_bounded_and_apart_from_the_store_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import threading

    from bot.config import Settings
    from bot.intake import Intake

    monkeypatch.setenv("LEDERBOT_INBOX__SEARCH_THREADS", "2")
    monkeypatch.setenv("LEDERBOT_INBOX__LEASE_SECONDS", "7")
    settings = Settings.load()
    assert settings.inbox.lease_seconds == 7
    intake = Intake.over(
        Database(make_engine("sqlite://")),
        search_threads=settings.inbox.search_threads,
        lease_seconds=settings.inbox.lease_seconds,
    )
    release, both_busy = threading.Event(), threading.Event()
    running: list[int] = []
    lock = threading.Lock()
    active = 0

    def slow_search() -> None:
        nonlocal active
        with lock:
            active += 1
            running.append(active)
            if active == 2:
                both_busy.set()
        release.wait(timeout=30)
        with lock:
            active -= 1

    async def scenario() -> None:
        searches = [asyncio.ensure_future(intake.workers.search(slow_search)) for _ in range(5)]
        assert await asyncio.to_thread(both_busy.wait, 30)
        # While every search thread is blocked, the store pool still answers at once.
        assert await asyncio.wait_for(intake.workers.store(lambda: "stored"), timeout=10) == "stored"
        release.set()
        await asyncio.gather(*searches)

    asyncio.run(scenario())
    assert max(running) == 2 and len(running) == 5
    intake.workers.shutdown()


def test_in_request_channel_redelivery_taken_over_only_after_the_lease(db: Database) -> None:
    clock = FakeClock(START)
    dead, alive = _inbox(db, clock, "dead"), _inbox(db, clock, "alive")
    key = "teams:act1"
    assert dead.accept(key, channel="teams", payload={"id": "act1"}, retry=False, take_expired=True) is Accepted.STORED
    # The holder may still be working: the redelivery is dropped.
    assert alive.accept(key, channel="teams", payload={"id": "act1"}, retry=False, take_expired=True) is (
        Accepted.DUPLICATE
    )
    clock.now = START + timedelta(seconds=11)
    assert alive.take_over(channels=["slack"]) == []  # the sweeper leaves in-request channels alone
    # Now the holder has stopped renewing: the next redelivery is handled by the replica that gets it.
    assert alive.accept(key, channel="teams", payload={"id": "act1"}, retry=False, take_expired=True) is (
        Accepted.STORED
    )
    assert alive.state_of(key) == ("claimed", "alive", 2)
    alive.done(key)
    assert alive.accept(key, channel="teams", payload={"id": "act1"}, retry=False, take_expired=True) is (
        Accepted.DUPLICATE
    )


def test_an_outage_longer_than_the_lease_does_not_hand_a_live_holders_event_to_another(db: Database) -> None:
    """The holder could not renew while the database was down: its expired lease is no sign of death.
    Once the database is back, the holder writes back what it finished; nobody answers it again."""
    clock = FakeClock(START)
    holder_health, other_health = DatabaseHealth(clock=clock), DatabaseHealth(clock=clock)
    holder = Inbox(database=db, health=holder_health, owner="holder", lease_seconds=10, clock=clock)
    other = Inbox(database=db, health=other_health, owner="other", lease_seconds=10, clock=clock)
    holder.accept("slack:Ev8", channel="slack", payload={"event": {"text": "svar"}}, retry=False)
    # The outage: both see it; the holder finishes its work meanwhile and cannot record it.
    holder_health.mark_down(RuntimeError("down"))
    other_health.mark_down(RuntimeError("down"))
    clock.now = START + timedelta(seconds=40)
    holder._unwritten["slack:Ev8"] = ""  # what done() keeps when the database refuses it
    # Back: the other replica sweeps first; the lease ran out 30 s ago, yet it takes nothing.
    other_health.mark_up()
    assert other.take_over(channels=["slack"]) == []
    clock.now = START + timedelta(seconds=45)
    assert other.take_over(channels=["slack"]) == []
    holder_health.mark_up()
    assert holder.write_back() == 1
    assert holder.state_of("slack:Ev8") == ("done", "holder", 1)
    clock.now = START + timedelta(seconds=60)
    assert other.take_over(channels=["slack"]) == []  # done: nothing to take, ever
    # A holder that really died is still taken over, one lease after the return.
    holder.accept("slack:Ev9", channel="slack", payload={}, retry=False)
    clock.now = START + timedelta(seconds=75)
    assert [h.key for h in other.take_over(channels=["slack"])] == ["slack:Ev9"]


def test_a_lease_shorter_than_three_sweeps_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import Settings
    from index.errors import ConfigError

    monkeypatch.setenv("LEDERBOT_INBOX__LEASE_SECONDS", "2")
    monkeypatch.setenv("LEDERBOT_INBOX__SWEEP_SECONDS", "1")
    with pytest.raises(ConfigError, match="lease_seconds"):
        Settings.load()
