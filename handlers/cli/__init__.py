"""The ``lederbot`` command, the composition root: it reads the environment and the settings once and
builds what each command needs (through handlers/launch.py); everything below gets it passed in."""

from __future__ import annotations

# Importing the command modules registers their commands on the app.
from handlers.cli import index_commands, people_commands, report_commands, run_commands
from handlers.cli.common import app

__all__ = ["app", "index_commands", "main", "people_commands", "report_commands", "run_commands"]


def main() -> None:
    app()
