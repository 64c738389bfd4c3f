"""The attack of issue 13, part 1: a curious HR user with every view, every period and two register imports.

The attacker collects every figure every HR view publishes (each dimension × each whole week and
month, the week and month series) before and after HR re-imports the register (a leader moved, a
never-active leader moved, one deactivated). The figures are counts over an unknown table
(unit × level × channel × theme × week); every published cell is an equation over it, every zero or
absent row pins its part of the table to zero. A small group (fewer than k people), one person, or
"nobody in this unit" is disclosed when its count follows from those equations: that is a rank
test, done here over the full table, independently of the implementation's own audit.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from bot.analytics.figures import QUESTIONS_THEME, UNKNOWN_CHANNEL, UNREGISTERED, PeriodError, usage
from bot.analytics.register import RegisterRow, import_register
from bot.identity import Pseudonymizer
from bot.store.db import Database
from bot.store.models import QuestionLog, ReflectionSession

pytestmark = pytest.mark.integration
PSEUDO = Pseudonymizer(key=b"attack-test-key-0123456789")
K = 5
IMPORTED = datetime(2026, 10, 26, 8, tzinfo=UTC)  # Monday of ISO week 44
NOW = datetime(2026, 12, 9, 12, tzinfo=UTC)  # week 49 has ended, December has not
REIMPORTED = NOW
UNITS = ("Helse", "Skole", "Teknisk drift", "Økonomi", UNREGISTERED)
LEVELS = ("avdelingsleder", "enhetsleder", UNREGISTERED)
CHANNELS = ("slack", "teams", "terminal", UNKNOWN_CHANNEL)
THEMES = (QUESTIONS_THEME, "verdier", "roller")
WEEKS = tuple(f"2026-U{w}" for w in range(44, 50))


@dataclass(frozen=True)
class Person:
    user: str
    unit: str
    level: str
    channels: tuple[str, ...] = ("slack",)
    registered: bool = True


PEOPLE = (
    [Person(f"h{i}", "Helse", "avdelingsleder") for i in range(9)]  # h8 never uses the bot
    + [Person(f"s{i}", "Skole", "avdelingsleder") for i in range(3)]
    + [Person("tora", "Teknisk drift", "enhetsleder")]
    + [Person(f"t{i}", "Teknisk drift", "avdelingsleder") for i in range(1, 6)]
    + [Person(f"e{i}", "Økonomi", "avdelingsleder", ("slack", "teams")) for i in range(3)]
    + [Person("stranger", UNREGISTERED, UNREGISTERED, registered=False)]
)
BY_USER = {p.user: p for p in PEOPLE}


def _monday(week: str) -> datetime:
    day = date.fromisocalendar(2026, int(week.split("U")[1]), 1)
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def _events() -> list[tuple[str, str, str, str, int]]:
    """(user, channel, theme, week, day offset): what the leaders did."""
    events = []
    for week in WEEKS[1:5]:
        for i in range(7):
            events += [(f"h{i}", "slack", QUESTIONS_THEME, week, 0), (f"h{i}", "slack", QUESTIONS_THEME, week, 1)]
    for week in (WEEKS[1], WEEKS[3]):
        events += [("s0", "slack", QUESTIONS_THEME, week, 2), ("s1", "slack", QUESTIONS_THEME, week, 2)]
    events += [("tora", "slack", QUESTIONS_THEME, WEEKS[2], d) for d in (0, 1, 2)]
    for week in WEEKS[1:4]:
        events += [(f"t{i}", "slack", QUESTIONS_THEME, week, 3) for i in range(1, 6)]
    for i in range(3):
        events += [(f"e{i}", "slack", QUESTIONS_THEME, WEEKS[2], 1), (f"e{i}", "teams", QUESTIONS_THEME, WEEKS[2], 2)]
    events += [("stranger", "slack", QUESTIONS_THEME, WEEKS[4], 4)]
    events += [(f"h{i}", "slack", "verdier", WEEKS[2], 3) for i in range(6)]
    events += [("tora", "slack", "roller", WEEKS[3], 1)]
    events += [(f"h{i}", "slack", QUESTIONS_THEME, WEEKS[5], 0) for i in range(6)]
    return events


class Directory:
    def identities(self, row: RegisterRow) -> list[tuple[str, str, str]]:
        person = BY_USER[row.email.split("@")[0]]
        return [(channel, "T1", person.user) for channel in person.channels]


def _register(database: Database, *, moved: bool) -> None:
    rows = []
    for person in PEOPLE:
        if not person.registered or (moved and person.user == "s2"):
            continue  # s2 leaves the register at the re-import
        unit = person.unit
        if moved and person.user == "h0":
            unit = "Skole"  # an active leader moves: her history must stay in Helse
        if moved and person.user == "h8":
            unit = "Teknisk drift"  # a never-active leader moves: nothing may show it
        rows.append(RegisterRow(f"{person.user}@heim.kommune.no", unit, person.level))
    import_register(database, rows, directory=Directory(), pseudonymizer=PSEUDO, now=REIMPORTED if moved else IMPORTED)


def _record(database: Database) -> None:
    with database.session() as session:
        for n, (user, channel, theme, week, day) in enumerate(_events()):
            when = _monday(week) + timedelta(days=day)
            if theme == QUESTIONS_THEME:
                session.add(
                    QuestionLog(
                        reference=f"r{n}",
                        leader_key=PSEUDO.leader_key(channel, "T1", user),
                        owner_key=PSEUDO.owner_key(channel, user),
                        asked_at=when,
                        channel=channel,
                        channel_kind="dm",
                        answered=n % 3 != 0,
                        sources=[],
                        took_ms=5,
                    )
                )
            else:
                session.add(
                    ReflectionSession(
                        owner_key=PSEUDO.owner_key(channel, user),
                        theme_id=theme,
                        theme_version="1",
                        state="done",
                        current_index=0,
                        started_at=when,
                        updated_at=when,
                    )
                )
            session.flush()


def _views(database: Database) -> list[dict[str, Any]]:
    """Every report an HR user can ask for."""
    reports = [usage(database, by=by, min_group_size=K, now=NOW) for by in ("week", "month")]
    periods = [g["key"] for r in reports for g in r["groups"]]
    for by, period in itertools.product(("unit", "level", "channel", "theme"), periods):
        reports.append(usage(database, by=by, min_group_size=K, now=NOW, period=period))
    return reports


# -- the attacker's algebra, over the full table --------------------------------------------------
ATOMS = list(itertools.product(UNITS, LEVELS, CHANNELS, THEMES, WEEKS))
DIM = {"unit": 0, "level": 1, "channel": 2, "theme": 3}


def _weeks_of(period: str) -> set[str]:
    if "-U" in period:
        return {period}
    month = int(period.split("-")[1])
    return {w for w in WEEKS if date.fromisocalendar(2026, int(w.split("U")[1]), 4).month == month}


def _indicator(dimension: str, value: str, weeks: set[str]) -> np.ndarray:
    return np.array(
        [(dimension == "total" or atom[DIM[dimension]] == value) and atom[4] in weeks for atom in ATOMS], dtype=float
    )


def _knowledge(reports: list[dict[str, Any]]) -> tuple[list[np.ndarray], np.ndarray]:
    """Equations from every published figure, and the atoms the attacker knows to be zero."""
    rows: list[np.ndarray] = []
    zero = np.zeros(len(ATOMS), dtype=bool)
    for report in reports:
        by = report["by"]
        if by in ("week", "month"):
            for group in report["groups"]:
                if not group.get("suppressed"):
                    vector = _indicator("total", "*", _weeks_of(group["key"]))
                    rows.append(vector)
                    if group["questions"] + group["reflections_started"] == 0:
                        zero |= vector.astype(bool)
            continue
        weeks = _weeks_of(report["period"]["label"])
        listed = {g["key"] for g in report["groups"]}
        for atom_index, atom in enumerate(ATOMS):
            if atom[4] in weeks and atom[DIM[by]] not in listed:
                zero[atom_index] = True  # an absent row says: nothing there
        for group in report["groups"]:
            if group.get("suppressed"):
                continue
            vector = _indicator(by, group["key"], weeks)
            rows.append(vector)
            if group["questions"] + group["reflections_started"] == 0:
                zero |= vector.astype(bool)
        if not report["total"].get("suppressed"):
            rows.append(_indicator("total", "*", weeks))
    return rows, zero


def _derivable(target: np.ndarray, rows: list[np.ndarray], zero: np.ndarray) -> bool:
    unknown = ~zero
    t = target[unknown]
    if not t.any():
        return True  # every part of it is known to be zero
    a = np.array([r[unknown] for r in rows]) if rows else np.zeros((0, int(unknown.sum())))
    rank = np.linalg.matrix_rank(a) if a.size else 0
    return bool(np.linalg.matrix_rank(np.vstack([a, t])) == rank)


def _truth() -> dict[tuple[str, str, str], set[str]]:
    """Who is in each cell: computed from the scenario, not by the code under test (register as of then)."""
    cells: dict[tuple[str, str, str], set[str]] = {}
    for user, channel, theme, week, _day in _events():
        person = BY_USER[user]
        coordinates = {"unit": person.unit, "level": person.level, "channel": channel, "theme": theme}
        for (d1, v1), (d2, v2) in itertools.combinations_with_replacement(coordinates.items(), 2):
            for period in (week, "2026-11" if week in _weeks_of("2026-11") else "2026-12"):
                cells.setdefault((f"{d1}={v1}&{d2}={v2}", period, week), set()).add(person.user)
    return cells


def _target(description: str, period: str) -> np.ndarray:
    vector = np.ones(len(ATOMS), dtype=float)
    for part in description.split("&"):
        d, v = part.split("=", 1)
        vector *= np.array([atom[DIM[d]] == v for atom in ATOMS], dtype=float)
    return vector * np.array([atom[4] in _weeks_of(period) for atom in ATOMS], dtype=float)


@pytest.fixture
def attacked(db: Database) -> tuple[Database, list[dict[str, Any]], list[dict[str, Any]]]:
    _register(db, moved=False)
    _record(db)
    before = _views(db)
    _register(db, moved=True)
    after = _views(db)
    return db, before, after


def test_no_combination_of_views_and_imports_recovers_a_small_group(
    attacked: tuple[Database, list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    _db, before, after = attacked
    rows, zero = _knowledge(before + after)
    assert rows, "the reports must publish something, or the attack proves nothing"
    people_in: dict[tuple[str, str], set[str]] = {}
    for (description, period, _week), users in _truth().items():
        people_in.setdefault((description, period), set()).update(users)
    small = {key: users for key, users in people_in.items() if len(users) < K}
    assert ("unit=Skole&unit=Skole", "2026-U45") in small  # the hidden unit of the issue
    assert ("level=enhetsleder&level=enhetsleder", "2026-U46") in small  # Tora, the one enhetsleder
    assert ("unit=Økonomi&unit=Økonomi", "2026-U46") in small  # 3 people, 6 chat keys
    assert ("unit=Ikke registrert&unit=Ikke registrert", "2026-U48") in small
    leaks = [key for key in small if _derivable(_target(*key), rows, zero)]
    assert leaks == []


def test_nobody_is_shown_to_have_used_or_not_used_the_bot(
    attacked: tuple[Database, list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    _db, before, after = attacked
    rows, zero = _knowledge(before + after)
    # "Nobody in Skole used it in week 44/46/48" is about each Skole leader: it must not follow.
    for week in ("2026-U44", "2026-U46", "2026-U48", "2026-U49"):
        assert not _derivable(_target("unit=Skole", week), rows, zero), week
    # h8 never used the bot; Helse (9 registered) must never show 9 or "all of them".
    for report in before + after:
        for group in report["groups"]:
            if group["key"] == "Helse" and not group.get("suppressed"):
                assert group["leaders"] < 9


def test_history_is_never_re_attributed(
    attacked: tuple[Database, list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    _db, before, after = attacked
    assert after == before  # moving leaders, a never-active one included, changes no published figure
    shown = [g for r in before if r["by"] == "unit" for g in r["groups"] if not g.get("suppressed")]
    assert shown, "some unit figure must be shown for the comparison to mean anything"


def test_people_across_channels_and_whole_periods(
    attacked: tuple[Database, list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    database, before, _after = attacked
    for report in before:
        for group in report["groups"]:
            if group["key"] == "Økonomi":
                assert group == {"key": "Økonomi", "suppressed": True}
    for window in ("2026-11-23T09:57:40", "2026-11-23T09:57:50", "2026-11-16/2026-11-23", "2026-U50", "2026-12"):
        with pytest.raises(PeriodError):
            usage(database, by="unit", min_group_size=K, now=NOW, period=window)
