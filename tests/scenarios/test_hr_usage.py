"""HR usage end to end: a register from CSV, leaders asking over Slack, a suppressed report, Chromium."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.assistant import Assistant
from bot.identity import Pseudonymizer
from bot.store.db import Database, make_engine
from loopback.core import make_dialog
from loopback.slack import BOT_TOKEN, payload, running_bot
from tests.conftest import KNOWLEDGE, ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KEY = "hr-test-pseudonym-key-0123456789"
HEALTH = [f"ho{i}@heim.kommune.no" for i in range(7)]
SCHOOL = [f"skole{i}@heim.kommune.no" for i in range(3)]
TECH = [f"tek{i}@heim.kommune.no" for i in range(6)]
# The questions are asked in last week (figures are published only for whole weeks that have ended).
_TODAY = datetime.now(UTC)
ASKED_AT = _TODAY - timedelta(days=_TODAY.weekday() + 5)
WEEK = "{}-U{:02d}".format(*ASKED_AT.astimezone(ZoneInfo("Europe/Oslo")).isocalendar()[:2])
QUESTIONS = ["Hva er en delegeringssperre?", "Hva betyr lojalitet i Heim kommune?"]


def _env(db_url: str, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LEDERBOT_"))}
    env.update(
        LEDERBOT_DATABASE_URL=db_url,
        LEDERBOT_PSEUDONYM_KEY=KEY,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=api_url,
        LEDERBOT_INDEX__KNOWLEDGE_DIR=str(KNOWLEDGE),
    )
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handlers.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_report_by_unit_from_slack_questions(assistant: Assistant, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'hr.db'}"
    database = Database(make_engine(db_url))
    database.migrate()
    dialog = make_dialog(assistant, database, pseudonymizer=Pseudonymizer(key=KEY.encode()), clock=lambda: ASKED_AT)
    register = tmp_path / "ledere.csv"
    register.write_text(
        "email,unit,level,name\n"
        + "".join(
            f"{email},{unit},avdelingsleder,Navn {i}\n"
            for i, (email, unit) in enumerate(
                [(e, "Helse og omsorg") for e in HEALTH]
                + [(e, "Skole") for e in SCHOOL]
                + [(e, "Teknisk") for e in TECH]
            )
        ),
        encoding="utf-8",
    )
    users = {email: f"U0{n:03d}" for n, email in enumerate(HEALTH + SCHOOL + TECH)}
    env: dict[str, str] = {}

    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            bot.slack.directory.update(users)
            env.update(_env(db_url, bot.slack.api_url))
            imported = await asyncio.to_thread(_cli, env, "leaders", "import", str(register))
            assert imported.returncode == 0, imported.stderr
            assert "16 nye" in imported.stdout and "16 chatbrukere koblet" in imported.stdout
            count = 0
            for n, user in enumerate(users.values()):
                for question in QUESTIONS[n % 2 : n % 2 + 1]:
                    count += 1
                    event = payload("message_im")
                    event["event_id"] = f"EvHr{count}"
                    event["event"].update(user=user, text=question, channel=f"D{user}", ts=f"176390{count:04d}.1")
                    await bot.post_event(event)
                    await bot.slack.wait_for("chat.postMessage", count)

    asyncio.run(scenario())
    out = _cli(env, "report", "usage", "--by", "unit", "--period", WEEK, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["min_group_size"] == 5 and report["period"] == {"label": WEEK}
    groups = {g["key"]: g for g in report["groups"]}
    assert groups["Helse og omsorg"]["leaders"] == 7 and groups["Helse og omsorg"]["questions"] == 7
    assert groups["Helse og omsorg"]["answered_share"] == 1.0
    assert groups["Skole"] == {"key": "Skole", "suppressed": True}
    # 16 − 7 gives Skole and Teknisk together (9 leaders), never Skole alone.
    assert groups["Teknisk"] == {"key": "Teknisk", "suppressed": True}
    assert report["total"]["leaders"] == 16
    to_the_second = _cli(env, "report", "usage", "--by", "unit", "--period", "2026-11-23T09:57:40", "--json")
    assert to_the_second.returncode == 2 and "hel uke" in to_the_second.stderr
    for secret in [*users, *users.values(), *QUESTIONS, "Navn 1", "heim.kommune.no"]:
        assert secret not in out.stdout

    page = tmp_path / "bruk.html"
    assert (
        _cli(
            env, "report", "usage", "--by", "unit", "--period", WEEK, "--format", "html", "--output", str(page)
        ).returncode
        == 0
    )
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http" not in html.split("</head>")[1]
    assert "Helse og omsorg" in html and "Skjult" in html
    csv_text = _cli(env, "report", "usage", "--by", "unit", "--period", WEEK, "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("key,leaders,questions")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.fail("Chromium is not installed: run `make setup` (it installs the Debian package chromium)")
    shot = tmp_path / "bruk.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chrome'}",
        "--window-size=900,900",
    ]
    subprocess.run([browser, *flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 10_000
    dom = subprocess.run([browser, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert "Bruk av lederbot per enhet" in dom.stdout and "<svg" in dom.stdout

    audit = _cli(env, "report", "usage", "--by", "level", "--json")
    assert audit.returncode == 0
    from bot.analytics.audit import entries

    logged = entries(database)
    assert [e.action for e in logged] == ["report_usage"] * 4
    assert all(e.actor.startswith("cli") for e in logged)
