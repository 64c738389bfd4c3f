"""What every ``lederbot`` command shares: the command groups, the settings, the error exit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Each command imports what it needs when it runs, so that `lederbot --help` or `index status` does
# not load the model, the database driver or the channel SDKs (there is no cycle to avoid here).
from bot.config import Settings

if TYPE_CHECKING:
    from bot.store.db import Database

app = typer.Typer(add_completion=False, no_args_is_help=True, help="lederbot – assistent for kommunale ledere.")
index_app = typer.Typer(no_args_is_help=True, help="Bygg og inspiser søkeindeksen.")
app.add_typer(index_app, name="index")
reflections_app = typer.Typer(no_args_is_help=True, help="Refleksjonsspørsmålene fra KS' veileder.")
app.add_typer(reflections_app, name="reflections")
data_app = typer.Typer(no_args_is_help=True, help="En leders egne data: eksport og sletting.")
app.add_typer(data_app, name="data")
leaders_app = typer.Typer(no_args_is_help=True, help="Lederregisteret (enhet og nivå) fra HR.")
app.add_typer(leaders_app, name="leaders")
report_app = typer.Typer(no_args_is_help=True, help="Samlede brukstall for HR og ubesvarte spørsmål.")
app.add_typer(report_app, name="report")
teams_app = typer.Typer(no_args_is_help=True, help="Microsoft Teams.")
app.add_typer(teams_app, name="teams")

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="YAML-konfigurasjon (ellers LEDERBOT_CONFIG eller ./lederbot.yaml)."),
]


def settings_from(config: Path | None) -> Settings:
    """The settings (file and environment) and the logging they ask for: the first thing a command does."""
    from bot.logs import configure

    settings = Settings.load(config)
    configure(level=settings.log_level, fmt=settings.log_format)
    return settings


def fail(exc: Exception) -> typer.Exit:
    """The error as the user reads it (Norwegian, no traceback) and exit status 2."""
    typer.echo(f"Feil: {exc}", err=True)
    return typer.Exit(code=2)


def emit(text: str, output: Path | None) -> None:
    """Write a result to ``output``, or to standard output when none is given."""
    if output is None:
        typer.echo(text)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"Skrev {output}.")


def open_database(settings: Settings) -> Database:
    from bot.store.db import Database, make_engine

    database = Database(make_engine(settings.db_url))
    database.migrate()
    return database


def cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
