"""Reflection plans with a fake clock: prompts on time, one reminder, controls, and a restart between runs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.identity import Pseudonymizer
from bot.reflection.catalog import Catalog
from bot.reflection.engine import ReflectionEngine
from bot.reflection.groups import GroupReflections
from bot.reflection.schedule import Scheduler, next_occurrence, parse_plan
from bot.store.db import Database
from tests.conftest import KNOWLEDGE
from tests.storage import FakeClock

pytestmark = pytest.mark.integration


PSEUDO = Pseudonymizer(key=b"reflection-test-key-0123456")
CATALOG = Catalog.load(KNOWLEDGE / "reflections")
# Monday 23 November 2026, 07:00 UTC = 08:00 in Oslo.
MONDAY_0700 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_parse_plan() -> None:
    plan = parse_plan("man ons kl 08:30 verdier roller")
    assert plan is not None and plan.weekdays == (0, 2) and plan.at == time(8, 30)
    assert plan.theme_words == ("verdier", "roller")
    assert parse_plan("fredag 7") is not None and parse_plan("verdier") is None


def test_next_occurrence_in_oslo_time() -> None:
    # 08:30 in Oslo is 07:30 UTC in winter.
    assert next_occurrence(MONDAY_0700, [0], time(8, 30), "Europe/Oslo") == MONDAY_0700.replace(minute=30)
    # Past today's time: next week.
    assert next_occurrence(MONDAY_0700, [0], time(7, 0), "Europe/Oslo") == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    # Summer time: 08:30 in Oslo is 06:30 UTC.
    summer = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
    assert next_occurrence(summer, [0], time(8, 30), "Europe/Oslo") == datetime(2026, 6, 1, 6, 30, tzinfo=UTC)


def test_prompts_reminder_and_restart(db: Database) -> None:
    clock = FakeClock(MONDAY_0700)
    scheduler = Scheduler(database=db, catalog=CATALOG, clock=clock)
    reply = scheduler.plan(owner="leder", address="D1", is_group=False, text="man ons kl 08:30 verdier roller")
    assert "mandag, onsdag kl. 08:30 (Europe/Oslo)" in reply.text
    assert scheduler.tick() == []  # 08:00: not yet

    clock.now = MONDAY_0700 + timedelta(minutes=31)  # 08:31 Oslo
    [prompt] = scheduler.tick()
    assert prompt.address == "D1" and "Å lede med tydelige verdier" in prompt.reply.text
    assert prompt.reply.choices[0].value == "refleksjon a-lede-med-tydelige-verdier"
    assert scheduler.tick() == []  # sent once

    # A restart: a new scheduler on the same database sends nothing again.
    restarted = Scheduler(database=db, catalog=CATALOG, clock=clock)
    assert restarted.tick() == []

    clock.now += timedelta(hours=4, minutes=1)  # not started: one gentle reminder
    [reminder] = restarted.tick()
    assert "vennlig påminnelse" in reminder.reply.text
    clock.now += timedelta(hours=5)
    assert restarted.tick() == []  # never a second reminder

    clock.now = datetime(2026, 11, 25, 7, 31, tzinfo=UTC)  # Wednesday 08:31: the next theme
    [second] = Scheduler(database=db, catalog=CATALOG, clock=clock).tick()
    assert "Å skape tillit gjennom tydelige roller" in second.reply.text


def test_no_reminder_when_the_leader_started(db: Database) -> None:
    clock = FakeClock(MONDAY_0700)
    scheduler = Scheduler(database=db, catalog=CATALOG, clock=clock)
    engine = ReflectionEngine(database=db, catalog=CATALOG, related=lambda q: None, pseudonymizer=PSEUDO, clock=clock)
    scheduler.plan(owner="leder", address="D1", is_group=False, text="man kl 08:30 verdier")
    clock.now = MONDAY_0700 + timedelta(minutes=31)
    [prompt] = scheduler.tick()
    clock.now += timedelta(minutes=5)
    engine.handle("leder", prompt.reply.choices[0].value)
    clock.now += timedelta(hours=5)
    assert scheduler.tick() == []


def test_pause_snooze_skip_stop(db: Database) -> None:
    clock = FakeClock(MONDAY_0700)
    scheduler = Scheduler(database=db, catalog=CATALOG, clock=clock)
    scheduler.plan(owner="leder", address="D1", is_group=False, text="man kl 08:30")
    assert "pause" in scheduler.plan(owner="leder", address="D1", is_group=False, text="pause").text
    clock.now = MONDAY_0700 + timedelta(minutes=31)
    assert scheduler.tick() == []  # paused
    resumed = scheduler.plan(owner="leder", address="D1", is_group=False, text="fortsett")
    assert "mandag 30.11. kl. 08:30" in resumed.text
    snoozed = scheduler.plan(owner="leder", address="D1", is_group=False, text="utsett")
    assert "kl. 10:30" in snoozed.text
    skipped = scheduler.plan(owner="leder", address="D1", is_group=False, text="hopp")
    assert "07.12." in skipped.text
    assert "stoppet" in scheduler.plan(owner="leder", address="D1", is_group=False, text="stopp").text
    clock.now = datetime(2026, 12, 31, tzinfo=UTC)
    assert scheduler.tick() == []
    assert "ingen aktiv" in scheduler.plan(owner="leder", address="D1", is_group=False, text="pause").text


def test_group_plan_and_timezone(db: Database) -> None:
    clock = FakeClock(MONDAY_0700)
    scheduler = Scheduler(database=db, catalog=CATALOG, clock=clock)
    reply = scheduler.plan(
        owner="fasilitator", address="C1", is_group=True, text="man kl 09:00 rekruttere", timezone="America/New_York"
    )
    assert "America/New_York" in reply.text
    clock.now = datetime(2026, 11, 23, 14, 1, tzinfo=UTC)  # 09:01 in New York
    [prompt] = scheduler.tick()
    assert prompt.address == "C1" and "Rekruttere nye ledere" in prompt.reply.text
    clock.now += timedelta(hours=6)
    assert scheduler.tick() == []  # groups get no reminder


def test_a_server_claims_only_the_plans_of_its_channels(db: Database) -> None:
    # With Slack and Teams on different servers (or one of them alone), a plan made in Teams is never
    # claimed by a server that cannot send to Teams, and it carries where Teams takes the message.
    clock = FakeClock(MONDAY_0700)
    scheduler = Scheduler(database=db, catalog=CATALOG, clock=clock)
    scheduler.plan(
        owner="a", address="a:1chat", is_group=False, text="man kl 08:30", channel="teams", reply_to="https://smba/"
    )
    scheduler.plan(owner="b", address="D2", is_group=False, text="man kl 08:30")
    clock.now = MONDAY_0700 + timedelta(minutes=31)
    [slack] = scheduler.tick(channels={"slack"})
    assert (slack.address, slack.channel, slack.reply_to) == ("D2", "slack", None)
    [teams] = scheduler.tick(channels={"teams"})
    assert (teams.address, teams.channel, teams.reply_to) == ("a:1chat", "teams", "https://smba/")
    assert scheduler.tick() == []  # each sent once


def test_a_group_deadline_is_ended_by_a_server_of_its_channel(db: Database) -> None:
    groups = GroupReflections(database=db, catalog=CATALOG)
    deadline = MONDAY_0700 + timedelta(days=1)
    groups.start(channel_id="19:g", facilitator="f", word="verdier", deadline=deadline, channel="teams", reply_to="u")
    assert groups.due(deadline + timedelta(minutes=1), channels={"slack"}) == []
    [(group, _)] = groups.due(deadline + timedelta(minutes=1), channels={"teams"})
    assert (group.channel_id, group.channel, group.reply_to) == ("19:g", "teams", "u")
