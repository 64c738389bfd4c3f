"""``lederbot data …`` and ``lederbot leaders import``: one leader's data, and the register from HR."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.config import Settings
from bot.identity import Pseudonymizer
from bot.store.db import Database
from handlers.cli.common import ConfigOption, data_app, emit, fail, leaders_app, open_database, settings_from
from index.errors import LederbotError


def _data_owner(settings: Settings, user: str, channel: str) -> tuple[Database, Pseudonymizer, str]:
    """The database, the pseudonymizer and the leader's owner key, with their rows moved to the current
    key first after a key rotation (the core's own re-keying: the command knows no workspace, and needs none)."""
    from bot.questions import Asker
    from handlers.launch import build_dialog, existing_pseudonymizer

    pseudonymizer = existing_pseudonymizer(settings)
    dialog = build_dialog(settings, pseudonymizer=pseudonymizer, database=open_database(settings))
    return dialog.questions.database, pseudonymizer, dialog.owner(Asker(channel, "", user, "cli"))


@data_app.command("export")
def data_export(
    user: Annotated[str, typer.Option("--user", help="Bruker-ID i kanalen (Slack: U…, Teams: AAD-objekt-ID).")],
    channel: Annotated[str, typer.Option("--channel", help="slack, teams eller terminal")] = "slack",
    as_json: Annotated[bool, typer.Option("--json")] = False,
    as_csv: Annotated[bool, typer.Option("--csv")] = False,
    as_md: Annotated[bool, typer.Option("--md", "--markdown")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    config: ConfigOption = None,
) -> None:
    """Eksporter alt som er lagret om én leder (svar, spørsmål, økter, planer, register): JSON, CSV eller Markdown."""
    from bot.reflection import data
    from bot.reflection.catalog import Catalog

    if sum((as_json, as_csv, as_md)) > 1:
        raise typer.BadParameter("Velg ett format: --json, --csv eller --md.")
    fmt = "csv" if as_csv else "md" if as_md else "json"
    try:
        settings = settings_from(config)
        database, pseudonymizer, owner = _data_owner(settings, user, channel)
        content = data.export(
            database, Catalog.load(settings.reflection.folder), owner, fmt, pseudonymizer=pseudonymizer
        )
    except LederbotError as exc:
        raise fail(exc) from exc
    emit(content, output)


@data_app.command("delete")
def data_delete(
    user: Annotated[str, typer.Option("--user", help="Bruker-ID i kanalen.")],
    channel: Annotated[str, typer.Option("--channel")] = "slack",
    yes: Annotated[bool, typer.Option("--yes", help="Bekreft at dataene skal slettes.")] = False,
    config: ConfigOption = None,
) -> None:
    """Slett alt som er lagret om én leder i alle kanaler; brukstallene beholdes uten kobling til personen."""
    from bot.reflection import data

    if not yes:
        raise fail(LederbotError("Sletting må bekreftes med --yes."))
    try:
        settings = settings_from(config)
        database, pseudonymizer, owner = _data_owner(settings, user, channel)
        touched = data.delete_person(database, owner, pseudonymizer=pseudonymizer)
    except LederbotError as exc:
        raise fail(exc) from exc
    typer.echo(
        f"Slettet {touched.get('reflection_answer', 0)} svar, {touched.get('reflection_schedule', 0)} planer og "
        f"{touched.get('unanswered_question', 0)} spørsmålstekster; {touched.get('question_log', 0)} spørsmål og "
        f"{touched.get('reflection_session', 0)} økter er koblet fra personen; "
        f"{touched.get('leader', 0)} registeroppføring slettet."
    )


@data_app.command("retention")
def data_retention(config: ConfigOption = None) -> None:
    """Kjør oppryddingen nå: gamle refleksjonssvar, spørsmålstekster og behandlede hendelser slettes."""
    from bot.upkeep import Retention
    from handlers.launch import build_dialog, existing_pseudonymizer

    try:
        settings = settings_from(config)
        database = open_database(settings)
        dialog = build_dialog(settings, pseudonymizer=existing_pseudonymizer(settings), database=database)
        # The server's own sweep, so the two never drift apart (handled events included).
        swept = Retention(questions=dialog.questions, months=settings.privacy.reflection_answer_months).sweep()
    except LederbotError as exc:
        raise fail(exc) from exc
    typer.echo(
        f"Slettet {swept.reflection_answers} refleksjonssvar, {swept.question_texts} spørsmålstekster"
        f" og {swept.handled_events} behandlede hendelser."
    )


@leaders_app.command("import")
def leaders_import(
    file: Annotated[Path, typer.Argument(help="CSV med email,unit,level (og name, manager_email, aad_id)")],
    config: ConfigOption = None,
) -> None:
    """Importer lederregisteret; ledere som mangler i en ny fil, deaktiveres (slettes ikke)."""
    import os

    from bot.analytics.register import import_register, read_register
    from bot.clock import utc_now
    from handlers.launch import directory_from_environment, existing_pseudonymizer

    try:
        settings = settings_from(config)
        if not file.is_file():
            raise LederbotError(f"Fant ikke filen {file}.")
        rows = read_register(file.read_text(encoding="utf-8"))
        directory = directory_from_environment(os.environ)
        pseudonymizer = existing_pseudonymizer(settings)
        report = import_register(
            open_database(settings), rows, directory=directory, pseudonymizer=pseudonymizer, now=utc_now()
        )
    except LederbotError as exc:
        raise fail(exc) from exc
    typer.echo(
        f"{report.added} nye, {report.updated} oppdatert, {report.deactivated} deaktivert; "
        f"{report.linked} chatbrukere koblet, {report.not_found} ikke funnet i Slack/Teams."
    )
