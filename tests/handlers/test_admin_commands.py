"""The admin commands the README documents, run as the `lederbot` command: the leader register
import (and its refusals) and the retention sweep, over a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.dbhealth import DatabaseHealth
from bot.inbox import Accepted, Inbox
from bot.store.db import Database, make_engine
from loopback import KNOWLEDGE, ROOT


def _lederbot(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LEDERBOT_", "MICROSOFT_"))}
    env.update(
        LEDERBOT_DATA_DIR=str(data),
        LEDERBOT_INDEX__KNOWLEDGE_DIR=str(KNOWLEDGE),
        LEDERBOT_REFLECTION__FOLDER=str(KNOWLEDGE / "reflections"),
        LEDERBOT_PSEUDONYM_KEY="admin-commands-test-key-0123",
    )
    command = [sys.executable, "-m", "handlers.cli", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_register_is_imported_and_a_leader_missing_later_is_deactivated(tmp_path: Path) -> None:
    first = tmp_path / "ledere.csv"
    first.write_text("email,unit,level\nkari@heim.no,Helse,enhetsleder\nola@heim.no,Skole,avdelingsleder\n")
    out = _lederbot(tmp_path, "leaders", "import", str(first))
    assert out.returncode == 0, out.stderr
    assert "2 nye, 0 oppdatert, 0 deaktivert" in out.stdout
    second = tmp_path / "ledere-2.csv"
    second.write_text("email,unit,level\nkari@heim.no,Omsorg,enhetsleder\n")
    out = _lederbot(tmp_path, "leaders", "import", str(second))
    assert out.returncode == 0, out.stderr
    assert "0 nye, 1 oppdatert, 1 deaktivert" in out.stdout
    assert "kari" not in out.stdout + out.stderr  # nothing personal echoed


def test_a_bad_register_is_refused_in_norwegian_and_nothing_is_imported(tmp_path: Path) -> None:
    bad = tmp_path / "ledere.csv"
    bad.write_text("email,unit\nkari@heim.no,Helse\n")
    out = _lederbot(tmp_path, "leaders", "import", str(bad))
    assert out.returncode == 2
    assert "mangler kolonnene level" in out.stderr and "Traceback" not in out.stderr
    good = tmp_path / "ok.csv"
    good.write_text("email,unit,level\nkari@heim.no,Helse,enhetsleder\n")
    assert "1 nye" in _lederbot(tmp_path, "leaders", "import", str(good)).stdout  # the bad file left nothing


def test_the_retention_sweep_runs_from_the_command_line(tmp_path: Path) -> None:
    out = _lederbot(tmp_path, "data", "retention")  # also creates the database
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Slettet 0 refleksjonssvar, 0 spørsmålstekster og 0 behandlede hendelser."
    # A Slack event handled three days ago and one handled now: the sweep the server runs forgets the first.
    database = Database(make_engine(f"sqlite:///{(tmp_path / 'lederbot.db').as_posix()}"))
    for key, when in (("slack:Old", datetime.now(UTC) - timedelta(days=3)), ("slack:New", datetime.now(UTC))):
        inbox = Inbox(database=database, health=DatabaseHealth(), owner="test", clock=lambda when=when: when)
        assert inbox.accept(key, channel="slack", payload={"event": {"text": "hei"}}, retry=False) is Accepted.STORED
        inbox.done(key)
    out = _lederbot(tmp_path, "data", "retention")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Slettet 0 refleksjonssvar, 0 spørsmålstekster og 1 behandlede hendelser."
    assert inbox.state_of("slack:Old") is None and inbox.state_of("slack:New") is not None
