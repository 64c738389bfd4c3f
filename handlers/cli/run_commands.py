"""``lederbot search``, ``ask``, ``chat``, ``serve`` and ``teams package``: the bot itself."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from handlers.cli.common import ConfigOption, app, fail, settings_from, teams_app
from index.errors import LederbotError


@teams_app.command("package")
def teams_package(
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("dist/lederbot-teams.zip"),
    app_id: Annotated[
        str | None, typer.Option("--app-id", help="Azure-bot-ens app-ID (ellers MICROSOFT_APP_ID).")
    ] = None,
) -> None:
    """Bygg Teams-apppakken (manifest og ikoner) som lastes opp i Teams admin center."""
    import os
    import uuid

    from handlers.teams.package import build_package

    chosen = app_id or os.environ.get("MICROSOFT_APP_ID")
    if not chosen:
        raise fail(LederbotError("Oppgi --app-id eller sett MICROSOFT_APP_ID (Azure-bot-ens app-ID)."))
    try:
        uuid.UUID(chosen)
    except ValueError as exc:
        raise fail(LederbotError(f"App-ID-en må være en GUID, ikke {chosen!r}.")) from exc
    typer.echo(f"Skrev {build_package(output, app_id=chosen)}.")


BatchOption = Annotated[str | None, typer.Option("--batch", help="Fil med ett spørsmål per linje, eller - for stdin.")]


def _lines(batch: str) -> Iterator[str]:
    """One question per line of the file ``batch`` (``-``: standard input), as they come."""
    stream = sys.stdin if batch == "-" else open(batch, encoding="utf-8")  # noqa: SIM115
    with stream:
        for line in stream:
            yield line.rstrip("\n")


@app.command("search")
def search(
    question: Annotated[str | None, typer.Argument(help="Spørsmålet.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON.")] = False,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=50)] = 5,
    batch: BatchOption = None,
    config: ConfigOption = None,
) -> None:
    """Søk i dokumentene og vis de beste passasjene."""
    from bot.assistant import build_assistant

    if (question is None) == (batch is None):
        raise typer.BadParameter("Oppgi enten et spørsmål eller --batch.")
    try:
        settings = settings_from(config)
        assistant = build_assistant(settings)
        assistant.load()
        if batch is not None:
            for line in _lines(batch):
                result = assistant.search(line, top_k=top_k)
                sys.stdout.write(json.dumps(_result_json(result), ensure_ascii=False) + "\n")
                sys.stdout.flush()
            return
        assert question is not None
        result = assistant.search(question, top_k=top_k)
    except LederbotError as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(_result_json(result), ensure_ascii=False))
        return
    typer.echo(f"{result.tier} (sannsynlighet {result.confidence:.3f})")
    for rank, hit in enumerate(result.hits, 1):
        section = " › ".join(hit.passage.heading_path)
        typer.echo(f"\n{rank}. {hit.passage.title} – {section} ({hit.passage.owner}) [{hit.dense:.3f}]")
        typer.echo(hit.passage.text)


def _result_json(result: object) -> dict[str, object]:
    from bot.search import SearchResult

    assert isinstance(result, SearchResult)
    return {
        "query": result.query,
        "answered": result.answered,
        "confidence": round(result.confidence, 4),
        "passages": [
            {
                "text": h.passage.text,
                "document": h.passage.document_id,
                "title": h.passage.title,
                "owner": h.passage.owner,
                "section": " › ".join(h.passage.heading_path),
                "score": round(h.score, 6),
                "dense": round(h.dense, 4),
                "window": round(h.window, 4),  # the best sentence window's cosine: the ranking leans on it
                "bm25": round(h.bm25, 4),
            }
            for h in result.hits
        ],
    }


@app.command("ask")
def ask(
    question: Annotated[str | None, typer.Argument(help="Spørsmålet.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv svaret som JSON (svarkontrakten).")] = False,
    batch: BatchOption = None,
    config: ConfigOption = None,
) -> None:
    """Still spørsmål og få svaret slik en leder leser det (med --json: ett JSON-objekt per spørsmål)."""
    from bot.answer import render_text
    from bot.assistant import build_assistant

    if (question is None) == (batch is None):
        raise typer.BadParameter("Oppgi enten et spørsmål eller --batch.")
    try:
        assistant = build_assistant(settings_from(config))
        assistant.load()
        if batch is not None:
            for line in _lines(batch):
                answer = assistant.ask(line)
                out = json.dumps(answer.to_json(), ensure_ascii=False) if as_json else render_text(answer) + "\n"
                sys.stdout.write(out + "\n")
                sys.stdout.flush()
            return
        assert question is not None
        answer = assistant.ask(question)
    except LederbotError as exc:
        raise fail(exc) from exc
    typer.echo(json.dumps(answer.to_json(), ensure_ascii=False) if as_json else render_text(answer))


@app.command("chat")
def chat(config: ConfigOption = None) -> None:
    """Terminalchat: spørsmål og refleksjon; en tom linje (eller slutt på input) avslutter."""
    from handlers.launch import build_dialog, local_pseudonymizer, warm_up
    from handlers.terminal import run_chat

    try:
        settings = settings_from(config)
        dialog = build_dialog(settings, pseudonymizer=local_pseudonymizer(settings))
        warm_up(dialog.questions)
    except LederbotError as exc:
        raise fail(exc) from exc
    run_chat(
        dialog,
        stdin=sys.stdin,
        stdout=sys.stdout,
        export_dir=settings.data_dir / "eksport",
        hr_contact=settings.organisation.hr_contact,
    )


@app.command("serve")
def serve(
    slack_http: Annotated[
        bool, typer.Option("--slack-http", help="Ta imot Slack over HTTP (POST /slack/events).")
    ] = False,
    teams: Annotated[bool, typer.Option("--teams", help="Ta imot Teams på POST /api/messages.")] = False,
    port: Annotated[int | None, typer.Option("--port", help="Porten for HTTP-serveren (standard 3000).")] = None,
    host: Annotated[str, typer.Option("--host")] = "0.0.0.0",
    config: ConfigOption = None,
) -> None:
    """Start boten: Slack og/eller Teams når de er satt opp, ellers terminalchatten."""
    import os

    from handlers.launch import channels_from_environment
    from handlers.launch import serve as serve_channels

    try:
        settings = settings_from(config)
        channels = channels_from_environment(settings, os.environ, slack_http=slack_http, teams=teams)
        if channels is None:
            chat(config)
            return
        serve_channels(
            settings,
            slack_secrets=channels.slack,
            teams_options=channels.teams,
            host=host,
            port=port or settings.slack.port,
            http_only=slack_http,
        )
    except LederbotError as exc:
        raise fail(exc) from exc
