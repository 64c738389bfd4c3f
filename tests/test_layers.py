"""The layers point down (index → bot → handlers → the lederbot command), no package has an import
cycle, and only bot/store speaks SQL: the contracts in .importlinter, checked by import-linter on the
real code and on a copy with a forbidden import added (so the check is known to bite)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    script = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_its_layers_and_has_no_cycles() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("index/text.py", "import bot.config", "index is not allowed to import bot"),
        ("bot/answer.py", "import handlers.slack.blocks", "bot is not allowed to import handlers"),
        (
            "handlers/slack/blocks.py",
            "import handlers.launch",
            "handlers.slack is not allowed to import handlers.launch",
        ),
        ("bot/reflection/catalog.py", "import bot.reflection.engine", "No import cycles"),
        ("handlers/terminal.py", "import loopback.slack", "handlers is not allowed to import loopback"),
        ("bot/reflection/groups.py", "from sqlalchemy import select", "bot is not allowed to import sqlalchemy"),
        ("handlers/slack/home.py", "import sqlalchemy.orm", "handlers is not allowed to import sqlalchemy"),
    ],
)
def test_an_upward_import_or_a_cycle_breaks_the_check(tmp_path: Path, module: str, line: str, broken: str) -> None:
    for package in ("bot", "index", "handlers", "loopback"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    with (tmp_path / module).open("a", encoding="utf-8") as file:
        file.write(f"\n{line}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout.replace("\n", " "), result.stdout
