"""The one command grammar every channel uses."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.commands import Command, parse

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rapport", Command("report", by="unit")),
        ("Rapport nivå", Command("report", by="level")),
        ("rapport niva", Command("report", by="level")),
        ("/rapport måned", Command("report", by="month")),
        ("rapport om lederskap i Heim?", Command("dialog", text="rapport om lederskap i Heim?")),
        ("rapport ukjent", Command("dialog", text="rapport ukjent")),
        ("refleksjon plan man ons kl 08:30 verdier", Command("plan", text="man ons kl 08:30 verdier")),
        ("refleksjon  plan  gruppe fre kl 09:00", Command("plan", text="fre kl 09:00", group_plan=True)),
        ("refleksjon plan stopp", Command("plan", text="stopp")),
        ("refleksjon gruppe verdier", Command("group", text="verdier")),
        (
            "refleksjon gruppe verdier frist 01.12.2026",
            Command("group", text="verdier", deadline=datetime(2026, 12, 1, 16, 0, tzinfo=ZoneInfo("Europe/Oslo"))),
        ),
        ("refleksjon gruppe verdier frist 1/12", Command("group", text="verdier", bad_deadline=True)),
        ("refleksjon gruppe", Command("group", text="")),
        ("refleksjon verdier", Command("dialog", text="refleksjon verdier")),
        ("mine svar", Command("dialog", text="mine svar")),
        ("eksporter mine svar", Command("dialog", text="eksporter mine svar")),
        ("slett mine svar", Command("dialog", text="slett mine svar")),
        ("Hva er en plan for delegering?", Command("dialog", text="Hva er en plan for delegering?")),
        ("", Command("dialog", text="")),
    ],
)
def test_parse(text: str, expected: Command) -> None:
    assert parse(text) == expected
