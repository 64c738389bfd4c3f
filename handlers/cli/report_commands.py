"""``lederbot report …``: HR's aggregate figures and the unanswered questions, each use audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from handlers.cli.common import ConfigOption, cli_actor, emit, fail, open_database, report_app, settings_from
from index.errors import LederbotError


@report_app.command("usage")
def report_usage(
    by: Annotated[str, typer.Option("--by", help="unit, level, theme, month, week eller channel")] = "unit",
    period: Annotated[
        str | None,
        typer.Option("--period", help="En hel, avsluttet uke (ÅÅÅÅ-Uuu) eller måned (ÅÅÅÅ-MM); ellers siste måned."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json, csv eller html")] = "json",
    as_json: Annotated[bool, typer.Option("--json", help="Det samme som --format json.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    config: ConfigOption = None,
) -> None:
    """Brukstall per gruppe for en hel uke eller måned; små grupper og alt som lar dem regnes ut, vises ikke."""
    from bot.analytics import audit
    from bot.analytics.figures import BY, usage
    from bot.analytics.report import render
    from bot.clock import utc_now

    fmt = "json" if as_json else fmt
    if by not in BY or fmt not in ("json", "csv", "html"):
        raise typer.BadParameter(f"--by må være en av {', '.join(BY)}; --format json, csv eller html.")
    try:
        settings = settings_from(config)
        database = open_database(settings)
        report = usage(database, by=by, period=period, min_group_size=settings.analytics.min_group_size, now=utc_now())
        audit.record(
            database,
            actor=cli_actor(),
            action="report_usage",
            parameters={"by": by, "period": period or "", "format": fmt},
            at=utc_now(),
        )
    except LederbotError as exc:
        raise fail(exc) from exc
    emit(render(report, fmt), output)


@report_app.command("unanswered")
def report_unanswered(
    fmt: Annotated[str, typer.Option("--format", help="json eller md")] = "md",
    config: ConfigOption = None,
) -> None:
    """Ubesvarte spørsmål uten identitet, gruppert etter innhold; bare grupper som mange ulike har spurt om."""
    from bot.analytics import audit
    from bot.analytics.unanswered import unanswered_in
    from bot.assistant import build_embedder
    from bot.clock import utc_now

    try:
        settings = settings_from(config)
        database = open_database(settings)
        embedder = build_embedder(settings)
        embedder.load()
        report = unanswered_in(
            database, embed=embedder.embed_queries, min_people=max(3, settings.analytics.min_group_size)
        )
        audit.record(database, actor=cli_actor(), action="report_unanswered", parameters={"format": fmt}, at=utc_now())
    except LederbotError as exc:
        raise fail(exc) from exc
    if fmt == "json":
        typer.echo(
            json.dumps(
                {
                    "min_people": report.min_people,
                    "groups": [
                        {"example": g.example, "people": g.people, "questions": g.questions} for g in report.groups
                    ],
                    "not_shown": {"questions": report.hidden_questions, "groups": report.hidden_groups},
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    typer.echo("# Ubesvarte spørsmål\n")
    for group in report.groups:
        typer.echo(f"- **{group.example}** ({group.questions} spørsmål fra {group.people} ulike ledere)")
    typer.echo(
        f"\n{report.hidden_questions} spørsmål i {report.hidden_groups} grupper er stilt av færre enn "
        f"{report.min_people} ulike ledere og vises ikke."
    )
