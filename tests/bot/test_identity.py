"""The pseudonym key: required for servers, never derived from a channel secret, generated once locally."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.identity import KEY_FILE, Pseudonymizer, parse_keys
from handlers.launch import build_pseudonymizer
from index.errors import ConfigError
from tests.conftest import ROOT


def test_a_server_refuses_to_start_without_the_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LEDERBOT_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-1-2-3",
        SLACK_SIGNING_SECRET="a-signing-secret-long-enough",
        LEDERBOT_DATA_DIR=str(tmp_path),
    )
    out = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "serve", "--slack-http", "--port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2, out.stderr
    assert "LEDERBOT_PSEUDONYM_KEY" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / KEY_FILE).exists()  # a server never makes up its own key


def test_the_signing_secret_is_not_the_key() -> None:
    settings = Settings(data_dir=Path("/nonexistent"))
    with pytest.raises(ConfigError, match="LEDERBOT_PSEUDONYM_KEY"):
        build_pseudonymizer(settings)
    with pytest.raises(ConfigError, match="16"):
        build_pseudonymizer(Settings(pseudonym_key=SecretStr("short")))


def test_local_start_generates_a_key_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = build_pseudonymizer(settings, local=True)
    message = capsys.readouterr().err
    assert str(tmp_path / "data" / KEY_FILE) in message and "Ta vare på den" in message
    key_file = tmp_path / "data" / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = build_pseudonymizer(settings, local=True)
    assert capsys.readouterr().err == ""
    assert again.owner_key("terminal", "u") == first.owner_key("terminal", "u")


def test_key_ids_and_previous_keys() -> None:
    current, previous = parse_keys("the-current-key-0123456789", "old-key-one-0123456789, old-key-two-0123456789")  # type: ignore[misc]
    pseudo = Pseudonymizer(key=current, previous=previous)
    old = Pseudonymizer(key=b"old-key-one-0123456789")
    assert pseudo.key_id != old.key_id and old.key_id in pseudo.previous_ids and len(pseudo.key_id) == 8
    assert old.owner_key("slack", "U1") in pseudo.previous_owner_keys("slack", "U1")
    assert pseudo.owner_key("slack", "U1") not in pseudo.previous_owner_keys("slack", "U1")
    assert parse_keys(None, "x") is None
