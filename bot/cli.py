"""The ``lederbot`` command: index, search, ask, chat, serve.

The entry point is the one place that reads the environment and builds the settings; everything
below it gets what it needs passed in.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.config import Settings
from bot.errors import LederbotError

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


def _settings(config: Path | None) -> Settings:
    from bot.logs import configure

    settings = Settings.load(config)
    configure(level=settings.log_level, fmt=settings.log_format)
    return settings


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"Feil: {exc}", err=True)
    return typer.Exit(code=2)


@index_app.command("build")
def index_build(config: ConfigOption = None) -> None:
    """Les dokumentene i kunnskapsmappen og bygg indeksen (bare endrede passasjer embeddes på nytt)."""
    from tqdm import tqdm

    from bot.assistant import build_embedder
    from index.ingest import Ingestor, load_out_of_scope
    from index.store import IndexBuilder

    try:
        settings = _settings(config)
        ingestor = Ingestor(
            max_passage_chars=settings.index.max_passage_chars, default_owner=settings.organisation.home
        )
        corpus = ingestor.ingest_folder(settings.index.knowledge_dir)
        for doc in corpus.documents:
            if doc.ocr is not None:
                typer.echo(
                    f"OCR-reparasjon av {doc.meta.file}: {100 * doc.ocr.share_before:.1f} % gyldige ord før, "
                    f"{100 * doc.ocr.share_after:.1f} % etter ({doc.ocr.word_tokens} ord)."
                )
        with tqdm(total=len(corpus.passages), desc="Embedder passasjer", unit="passasje", file=sys.stderr) as bar:
            builder = IndexBuilder(
                embedder=build_embedder(settings),
                hnsw_threshold=settings.index.hnsw_threshold,
                hnsw_m=settings.index.hnsw_m,
                batch_size=settings.embedding.batch_size,
                progress=bar.update,
            )
            report = builder.build(
                corpus, settings.index_dir, out_of_scope=load_out_of_scope(settings.index.knowledge_dir)
            )
            bar.update(bar.total - bar.n)
    except LederbotError as exc:
        raise _fail(exc) from exc
    typer.echo(
        f"Indeksen er bygget i {settings.index_dir}: {len(corpus.documents)} dokumenter, {report.passages} passasjer "
        f"({report.embedded} embeddet, {report.reused} gjenbrukt), {report.dense_kind}, {report.seconds:.1f} s."
    )


@index_app.command("text")
def index_text(
    document_id: Annotated[str, typer.Argument(help="Dokumentets id (som i sources.yaml).")],
    config: ConfigOption = None,
) -> None:
    """Skriv ut den rensede, reparerte teksten slik oppdeleren får den (overskrifter og linjeskift beholdt)."""
    from index.ingest import Ingestor

    try:
        settings = _settings(config)
        ingestor = Ingestor(
            max_passage_chars=settings.index.max_passage_chars, default_owner=settings.organisation.home
        )
        documents = {doc.meta.id: doc for doc in ingestor.prepare_folder(settings.index.knowledge_dir)}
    except LederbotError as exc:
        raise _fail(exc) from exc
    if document_id not in documents:
        known = ", ".join(sorted(documents))
        raise _fail(LederbotError(f"Fant ikke dokumentet {document_id!r}. Kjente id-er: {known}"))
    sys.stdout.write(documents[document_id].text)


@index_app.command("status")
def index_status(config: ConfigOption = None) -> None:
    """Vis hva indeksen inneholder, og om dokumentene har endret seg siden den ble bygget."""
    import hashlib

    from index.ingest import document_files
    from index.store import read_manifest

    try:
        settings = _settings(config)
        manifest = read_manifest(settings.index_dir)
    except LederbotError as exc:
        raise _fail(exc) from exc
    typer.echo(f"Indeks: {settings.index_dir}")
    typer.echo(f"Bygget: {manifest.get('built_at')}  modell: {manifest.get('backend')} / {manifest.get('model')}")
    typer.echo(
        f"Dimensjon: {manifest.get('dimension')}  passasjer: {manifest.get('passages')}  "
        f"tett indeks: {manifest.get('dense')}"
    )
    built = {doc["file"]: doc for doc in manifest.get("documents", {}).values()}
    on_disk = (
        {p.name: p for p in document_files(settings.index.knowledge_dir)}
        if settings.index.knowledge_dir.is_dir()
        else {}
    )
    stale = False
    for name in sorted(set(built) | set(on_disk)):
        if name not in on_disk:
            state, stale = "fjernet fra kunnskapsmappen", True
        elif name not in built:
            state, stale = "ny, ikke indeksert", True
        elif hashlib.sha256(on_disk[name].read_bytes()).hexdigest() != built[name]["sha256"]:
            state, stale = "endret siden bygging", True
        else:
            state = f"{built[name]['passages']} passasjer"
        typer.echo(f"  {name}: {state}")
    if stale:
        typer.echo("Indeksen er utdatert. Kjør «lederbot index build».")


@reflections_app.command("extract")
def reflections_extract(config: ConfigOption = None) -> None:
    """Hent TIL REFLEKSJON-spørsmålene ut av «Guide til god ledelse» til knowledge/reflections/."""
    from index.reflections import extract_themes, write

    settings = _settings(config)
    guide = settings.index.knowledge_dir / "ks-guide-til-god-ledelse.md"
    if not guide.is_file():
        raise _fail(LederbotError(f"Fant ikke veilederen {guide}."))
    themes = extract_themes(guide.read_text(encoding="utf-8"))
    path = write(themes, settings.index.knowledge_dir / "reflections", source=guide.name)
    typer.echo(f"{len(themes)} temaer ({sum(len(t.questions) for t in themes)} spørsmål) skrevet til {path}.")


def _emit(text: str, output: Path | None) -> None:
    """Write a result to ``output``, or to standard output when none is given."""
    if output is None:
        typer.echo(text)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"Skrev {output}.")


def _data_owner(settings: Settings, user: str, channel: str) -> tuple[Database, str]:
    from bot.identity import KEY_FILE
    from bot.store.people import rekey
    from handlers.launch import build_pseudonymizer

    # The key of a local installation is read from the data folder, never created here.
    local = settings.pseudonym_key is None and (settings.data_dir / KEY_FILE).is_file()
    pseudonymizer = build_pseudonymizer(settings, local=local)
    database = _database(settings)
    database.pseudonymizer = pseudonymizer
    owner = pseudonymizer.owner_key(channel, user)
    if pseudonymizer.previous_ids:
        with database.session() as session:
            rekey(
                session,
                old_owner=pseudonymizer.previous_owner_keys(channel, user),
                new_owner=owner,
                old_leader=[],
                new_leader="",
            )
    return database, owner


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
        settings = _settings(config)
        database, owner = _data_owner(settings, user, channel)
        content = data.export(database, Catalog.load(settings.reflection.folder), owner, fmt)
    except LederbotError as exc:
        raise _fail(exc) from exc
    _emit(content, output)


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
        raise _fail(LederbotError("Sletting må bekreftes med --yes."))
    try:
        settings = _settings(config)
        database, owner = _data_owner(settings, user, channel)
        touched = data.delete_person(database, owner)
    except LederbotError as exc:
        raise _fail(exc) from exc
    typer.echo(
        f"Slettet {touched.get('reflection_answer', 0)} svar, {touched.get('reflection_schedule', 0)} planer og "
        f"{touched.get('unanswered_question', 0)} spørsmålstekster; {touched.get('question_log', 0)} spørsmål og "
        f"{touched.get('reflection_session', 0)} økter er koblet fra personen; "
        f"{touched.get('leader', 0)} registeroppføring slettet."
    )


@data_app.command("retention")
def data_retention(config: ConfigOption = None) -> None:
    """Kjør oppryddingen nå: gamle refleksjonssvar og spørsmålstekster slettes etter konfigurert tid."""
    from bot.desk import utc_now
    from bot.reflection import data
    from bot.store.repositories import QuestionRepository

    settings = _settings(config)
    database = _database(settings)
    answers = data.apply_retention(database, now=utc_now(), months=settings.privacy.reflection_answer_months)
    with database.session() as session:
        texts_forgotten = QuestionRepository(session=session).forget_expired_texts(now=utc_now())
    typer.echo(f"Slettet {answers} refleksjonssvar og {texts_forgotten} spørsmålstekster.")


def _database(settings: Settings) -> Database:
    from bot.store.db import Database, make_engine

    database = Database(make_engine(settings.db_url))
    database.migrate()
    return database


def _cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@leaders_app.command("import")
def leaders_import(
    file: Annotated[Path, typer.Argument(help="CSV med email,unit,level (og name, manager_email, aad_id)")],
    config: ConfigOption = None,
) -> None:
    """Importer lederregisteret; ledere som mangler i en ny fil, deaktiveres (slettes ikke)."""
    import os

    from bot.analytics.register import import_register, read_register
    from bot.desk import utc_now
    from handlers.launch import build_pseudonymizer
    from handlers.slack.directory import CombinedDirectory, SlackDirectory

    try:
        settings = _settings(config)
        if not file.is_file():
            raise LederbotError(f"Fant ikke filen {file}.")
        rows = read_register(file.read_text(encoding="utf-8"))
        token = os.environ.get("SLACK_BOT_TOKEN")
        slack = SlackDirectory(token=token, api_url=os.environ.get("SLACK_API_URL")) if token else None
        directory = CombinedDirectory(slack=slack, teams_tenant=os.environ.get("MICROSOFT_APP_TENANT_ID"))
        pseudonymizer = build_pseudonymizer(
            settings, local=settings.pseudonym_key is None and (settings.data_dir / "pseudonym.key").is_file()
        )
        report = import_register(
            _database(settings), rows, directory=directory, pseudonymizer=pseudonymizer, now=utc_now()
        )
    except LederbotError as exc:
        raise _fail(exc) from exc
    typer.echo(
        f"{report.added} nye, {report.updated} oppdatert, {report.deactivated} deaktivert; "
        f"{report.linked} chatbrukere koblet, {report.not_found} ikke funnet i Slack/Teams."
    )


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
    from bot.desk import utc_now

    fmt = "json" if as_json else fmt
    if by not in BY or fmt not in ("json", "csv", "html"):
        raise typer.BadParameter(f"--by må være en av {', '.join(BY)}; --format json, csv eller html.")
    try:
        settings = _settings(config)
        database = _database(settings)
        report = usage(database, by=by, period=period, min_group_size=settings.analytics.min_group_size, now=utc_now())
        audit.record(
            database,
            actor=_cli_actor(),
            action="report_usage",
            parameters={"by": by, "period": period or "", "format": fmt},
            at=utc_now(),
        )
    except LederbotError as exc:
        raise _fail(exc) from exc
    _emit(render(report, fmt), output)


@report_app.command("unanswered")
def report_unanswered(
    fmt: Annotated[str, typer.Option("--format", help="json eller md")] = "md",
    config: ConfigOption = None,
) -> None:
    """Ubesvarte spørsmål uten identitet, gruppert etter innhold; bare grupper som mange ulike har spurt om."""
    from sqlalchemy import select

    from bot.analytics import audit
    from bot.analytics.unanswered import unanswered_report
    from bot.assistant import build_embedder
    from bot.desk import utc_now
    from bot.store.models import Leader
    from bot.store.repositories import QuestionRepository

    try:
        settings = _settings(config)
        database = _database(settings)
        with database.session() as session:
            rows = QuestionRepository(session=session).unanswered()
            names = [n for pair in session.execute(select(Leader.name, Leader.email)) for n in pair if n]
        embedder = build_embedder(settings)
        embedder.load()
        report = unanswered_report(
            rows, embed=embedder.embed_queries, min_people=max(3, settings.analytics.min_group_size), names=names
        )
        audit.record(database, actor=_cli_actor(), action="report_unanswered", parameters={"format": fmt}, at=utc_now())
    except LederbotError as exc:
        raise _fail(exc) from exc
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
        raise _fail(LederbotError("Oppgi --app-id eller sett MICROSOFT_APP_ID (Azure-bot-ens app-ID)."))
    try:
        uuid.UUID(chosen)
    except ValueError as exc:
        raise _fail(LederbotError(f"App-ID-en må være en GUID, ikke {chosen!r}.")) from exc
    typer.echo(f"Skrev {build_package(output, app_id=chosen)}.")


@app.command("search")
def search(
    question: Annotated[str | None, typer.Argument(help="Spørsmålet.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON.")] = False,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=50)] = 5,
    batch: Annotated[
        str | None, typer.Option("--batch", help="Fil med ett spørsmål per linje, eller - for stdin.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Søk i dokumentene og vis de beste passasjene."""
    from bot.assistant import build_assistant

    if (question is None) == (batch is None):
        raise typer.BadParameter("Oppgi enten et spørsmål eller --batch.")
    try:
        settings = _settings(config)
        assistant = build_assistant(settings)
        assistant.load()
        if batch is not None:
            stream = sys.stdin if batch == "-" else open(batch, encoding="utf-8")  # noqa: SIM115
            with stream:
                for line in stream:
                    result = assistant.search(line.rstrip("\n"), top_k=top_k)
                    sys.stdout.write(json.dumps(_result_json(result), ensure_ascii=False) + "\n")
                    sys.stdout.flush()
            return
        assert question is not None
        result = assistant.search(question, top_k=top_k)
    except LederbotError as exc:
        raise _fail(exc) from exc
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
                "bm25": round(h.bm25, 4),
            }
            for h in result.hits
        ],
    }


@app.command("ask")
def ask(
    question: Annotated[str | None, typer.Argument(help="Spørsmålet.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv svaret som JSON (svarkontrakten).")] = False,
    batch: Annotated[
        str | None, typer.Option("--batch", help="Fil med ett spørsmål per linje, eller - for stdin.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Still spørsmål og få svaret slik en leder leser det (med --json: ett JSON-objekt per spørsmål)."""
    from bot.answer import render_text
    from bot.assistant import build_assistant

    if (question is None) == (batch is None):
        raise typer.BadParameter("Oppgi enten et spørsmål eller --batch.")
    try:
        assistant = build_assistant(_settings(config))
        assistant.load()
        if batch is not None:
            stream = sys.stdin if batch == "-" else open(batch, encoding="utf-8")  # noqa: SIM115
            with stream:
                for line in stream:
                    answer = assistant.ask(line.rstrip("\n"))
                    out = json.dumps(answer.to_json(), ensure_ascii=False) if as_json else render_text(answer) + "\n"
                    sys.stdout.write(out + "\n")
                    sys.stdout.flush()
            return
        assert question is not None
        answer = assistant.ask(question)
    except LederbotError as exc:
        raise _fail(exc) from exc
    typer.echo(json.dumps(answer.to_json(), ensure_ascii=False) if as_json else render_text(answer))


@app.command("chat")
def chat(config: ConfigOption = None) -> None:
    """Terminalchat: spørsmål og refleksjon; en tom linje (eller slutt på input) avslutter."""
    from handlers.launch import build_dialog, local_pseudonymizer, warm_up
    from handlers.terminal import run_chat

    try:
        settings = _settings(config)
        dialog = build_dialog(settings, pseudonymizer=local_pseudonymizer(settings))
        warm_up(dialog.desk)
    except LederbotError as exc:
        raise _fail(exc) from exc
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

    bot_token = os.environ.get("SLACK_BOT_TOKEN")
    teams_configured = teams or bool(os.environ.get("MICROSOFT_APP_ID"))
    if not bot_token and not slack_http and not teams_configured:
        chat(config)
        return
    from handlers.launch import SlackSecrets
    from handlers.launch import serve as serve_channels
    from handlers.teams.app import TeamsOptions

    try:
        settings = _settings(config)
        slack_secrets = (
            SlackSecrets(
                bot_token=bot_token or "",
                signing_secret=os.environ.get("SLACK_SIGNING_SECRET", ""),
                app_token=os.environ.get("SLACK_APP_TOKEN") or None,
                api_url=os.environ.get("SLACK_API_URL") or None,
            )
            if bot_token or slack_http
            else None
        )
        teams_options = (
            TeamsOptions(
                app_id=os.environ.get("MICROSOFT_APP_ID") or None,
                app_password=os.environ.get("MICROSOFT_APP_PASSWORD") or None,
                tenant_id=os.environ.get("MICROSOFT_APP_TENANT_ID") or None,
                allow_anonymous=os.environ.get("LEDERBOT_TEAMS_ALLOW_ANONYMOUS") == "1",
                hr_user_ids=frozenset(settings.teams.hr_user_ids),
                hr_contact=settings.organisation.hr_contact,
                callers=frozenset(settings.teams.callers),
            )
            if teams_configured
            else None
        )
        if teams_options is not None:
            teams_options.auth_configuration()  # refuse to start without credentials or anonymous mode
        serve_channels(
            settings,
            slack_secrets=slack_secrets,
            teams_options=teams_options,
            host=host,
            port=port or settings.slack.port,
            http_only=slack_http,
        )
    except LederbotError as exc:
        raise _fail(exc) from exc


def main() -> None:
    app()


if __name__ == "__main__":
    main()
