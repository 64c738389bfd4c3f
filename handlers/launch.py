"""Start the server with the channels that are configured: the composition root for `lederbot serve`."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from tqdm import tqdm

from bot.analytics.register import ChannelDirectory
from bot.analytics.service import HrService
from bot.assistant import Assistant, build_assistant, build_embedder
from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.dialog import Dialog
from bot.identity import KEY_FILE, Pseudonymizer, local_key, parse_keys
from bot.intake import Intake
from bot.jobs import ReflectionJobs, Sender
from bot.questions import Questions
from bot.reflection.catalog import Catalog
from bot.reflection.engine import ReflectionEngine
from bot.reflection.groups import GroupReflections
from bot.reflection.schedule import Scheduler
from bot.store.db import Database, StorageError, make_engine
from bot.upkeep import Retention, together
from handlers.server import build_server, run_server
from handlers.slack.app import SlackOptions, build_slack_app
from handlers.slack.directory import SlackDirectory
from handlers.slack.sender import SlackSender
from handlers.teams.app import TeamsAgent, TeamsOptions, build_teams_agent
from handlers.teams.proactive import TeamsSender
from index.build import IndexBuilder
from index.errors import ConfigError, IndexMissingError
from index.ingest import Ingestor, load_out_of_scope
from index.manifest import read_manifest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackSecrets:
    """From the environment only: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, SLACK_API_URL."""

    bot_token: str
    signing_secret: str
    app_token: str | None = None
    api_url: str | None = None

    def check(self) -> None:
        if not self.bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN mangler eller er ikke et bot-token (xoxb-…).")
        if not self.signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET mangler: uten den kan ikke forespørsler fra Slack verifiseres.")
        if self.app_token is not None and not self.app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN må være et app-nivå-token (xapp-…) for Socket Mode.")


def build_index(settings: Settings, *, say: Callable[[str], object]) -> None:
    """Read the knowledge folder and build the index (only changed passages are embedded again), with a
    progress bar on standard error; ``say`` gets the OCR repair and the result lines."""
    corpus = Ingestor(
        max_passage_chars=settings.index.max_passage_chars, default_owner=settings.organisation.home
    ).ingest_folder(settings.index.knowledge_dir)
    for doc in corpus.documents:
        if doc.ocr is not None:
            say(
                f"OCR-reparasjon av {doc.meta.file}: {100 * doc.ocr.share_before:.1f} % gyldige ord før, "
                f"{100 * doc.ocr.share_after:.1f} % etter ({doc.ocr.word_tokens} ord)."
            )
    with tqdm(desc="Embedder tekster", unit="tekst", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        builder = IndexBuilder(
            embedder=build_embedder(settings),
            hnsw_threshold=settings.index.hnsw_threshold,
            hnsw_m=settings.index.hnsw_m,
            batch_size=settings.embedding.batch_size,
            progress=progress,
        )
        report = builder.build(corpus, settings.index_dir, out_of_scope=load_out_of_scope(settings.index.knowledge_dir))
    say(
        f"Indeksen er bygget i {settings.index_dir}: {len(corpus.documents)} dokumenter, {report.passages} passasjer "
        f"({report.embedded} embeddet, {report.reused} gjenbrukt), {report.dense_kind}, {report.seconds:.1f} s."
    )


def ensure_index(settings: Settings, *, say: Callable[[str], object]) -> None:
    """Build the index when there is none yet, so a server never reports ready without one; a damaged
    or mismatched index is left for the operator (its error names the fix)."""
    try:
        read_manifest(settings.index_dir)
    except IndexMissingError:
        say(f"Fant ingen indeks i {settings.index_dir}; bygger den nå.")
        build_index(settings, say=say)


@dataclass(frozen=True)
class Channels:
    """The channels the environment sets up (at least one)."""

    slack: SlackSecrets | None
    teams: TeamsOptions | None


def channels_from_environment(
    settings: Settings, env: Mapping[str, str], *, slack_http: bool = False, teams: bool = False
) -> Channels | None:
    """Slack when a bot token is set (or HTTP is asked for), Teams when an app id is set (or asked for);
    None when neither: the caller starts the terminal chat instead. Teams refuses to start here without
    credentials or the explicit anonymous mode."""
    bot_token = env.get("SLACK_BOT_TOKEN")
    teams = teams or bool(env.get("MICROSOFT_APP_ID"))
    if not bot_token and not slack_http and not teams:
        return None
    slack = (
        SlackSecrets(
            bot_token=bot_token or "",
            signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
            app_token=env.get("SLACK_APP_TOKEN") or None,
            api_url=env.get("SLACK_API_URL") or None,
        )
        if bot_token or slack_http
        else None
    )
    teams_options = (
        TeamsOptions(
            app_id=env.get("MICROSOFT_APP_ID") or None,
            app_password=env.get("MICROSOFT_APP_PASSWORD") or None,
            tenant_id=env.get("MICROSOFT_APP_TENANT_ID") or None,
            allow_anonymous=env.get("LEDERBOT_TEAMS_ALLOW_ANONYMOUS") == "1",
            hr_user_ids=frozenset(settings.teams.hr_user_ids),
            hr_contact=settings.organisation.hr_contact,
            callers=frozenset(settings.teams.callers),
        )
        if teams
        else None
    )
    if teams_options is not None:
        teams_options.auth_configuration()
    return Channels(slack=slack, teams=teams_options)


def directory_from_environment(env: Mapping[str, str]) -> ChannelDirectory:
    """Where the leader register finds chat users: Slack when a bot token is set, Teams by its tenant."""
    token = env.get("SLACK_BOT_TOKEN")
    slack = SlackDirectory(token=token, api_url=env.get("SLACK_API_URL")) if token else None
    return ChannelDirectory(slack=slack, teams_tenant=env.get("MICROSOFT_APP_TENANT_ID"))


def build_pseudonymizer(settings: Settings, *, local: bool = False) -> Pseudonymizer:
    """The pseudonymizer from LEDERBOT_PSEUDONYM_KEY (required for the servers; never derived from a
    channel secret). ``local``: a terminal installation may use, or create once, a key in the data folder."""
    given = parse_keys(
        settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else None,
        settings.pseudonym_previous_keys.get_secret_value() if settings.pseudonym_previous_keys else None,
    )
    try:
        if given is not None:
            return Pseudonymizer(key=given[0], previous=given[1])
        if local:
            key, created = local_key(settings.data_dir)
            if created:
                print(  # noqa: T201  (the one moment the user must learn where their key is)
                    f"Laget en ny pseudonymnøkkel i {settings.data_dir / KEY_FILE}. Ta vare på den: uten den "
                    "finner ikke boten igjen dine lagrede data. En server bruker LEDERBOT_PSEUDONYM_KEY i stedet.",
                    file=sys.stderr,
                )
            return Pseudonymizer(key=key)
    except ValueError as exc:
        raise ConfigError("LEDERBOT_PSEUDONYM_KEY må være minst 16 tegn.") from exc
    raise ConfigError(
        "Sett LEDERBOT_PSEUDONYM_KEY (minst 16 tilfeldige tegn, f.eks. fra «openssl rand -hex 32») i miljøet. "
        "Serveren lager ikke nøkkelen selv og avleder den ikke fra Slack- eller Teams-hemmeligheter."
    )


def existing_pseudonymizer(settings: Settings) -> Pseudonymizer:
    """For the admin commands: the environment's key, or a local installation's key already in the data
    folder (never created here: a new key would find none of the stored data)."""
    local = settings.pseudonym_key is None and (settings.data_dir / KEY_FILE).is_file()
    return build_pseudonymizer(settings, local=local)


def local_pseudonymizer(settings: Settings) -> Pseudonymizer:
    """The terminal chat's pseudonymizer: the environment's key, or one kept in the data folder."""
    return build_pseudonymizer(settings, local=True)


def build_dialog(
    settings: Settings,
    *,
    pseudonymizer: Pseudonymizer,
    database: Database | None = None,
    assistant: Assistant | None = None,
    clock: Clock = utc_now,
) -> Dialog:
    """The whole core for a channel: questions, reflection, groups and plans over one database. Tests pass their
    own database, an assistant already loaded and a clock they can set; the rest is built the same way."""
    database = database or Database(make_engine(settings.db_url))
    assistant = assistant or build_assistant(settings)
    questions = Questions(
        assistant=assistant,
        database=database,
        pseudonymizer=pseudonymizer,
        question_text_days=settings.privacy.question_text_days,
        clock=clock,
    )
    catalog = Catalog.load(settings.reflection.folder)
    engine = ReflectionEngine(
        database=database, catalog=catalog, related=assistant.related, pseudonymizer=pseudonymizer, clock=clock
    )
    groups = GroupReflections(database=database, catalog=catalog, clock=clock)
    scheduler = Scheduler(database=database, catalog=catalog, clock=clock)
    hr = HrService(database=database, min_group_size=settings.analytics.min_group_size, clock=clock)
    return Dialog(
        questions=questions,
        engine=engine,
        groups=groups,
        scheduler=scheduler,
        pseudonymizer=pseudonymizer,
        hr=hr,
    )


def slack_options(settings: Settings, secrets: SlackSecrets) -> SlackOptions:
    return SlackOptions(
        bot_token=secrets.bot_token,
        signing_secret=secrets.signing_secret,
        api_url=secrets.api_url,
        hr_contact_user=settings.slack.hr_contact_user,
        hr_channel=settings.slack.hr_channel,
        hr_user_ids=frozenset(settings.slack.hr_user_ids),
        hr_contact=settings.organisation.hr_contact,
        question_text_days=settings.privacy.question_text_days,
        reflection_months=settings.privacy.reflection_answer_months,
        min_group_size=settings.analytics.min_group_size,
    )


def warm_up(questions: Questions) -> None:
    """Migrations, then the model and index. A dead database does not stop the bot from answering."""
    try:
        questions.database.migrate()
    except StorageError as exc:  # down or refusing: answer anyway, record nothing
        log.warning("database unavailable at start (%s); answering without recording", type(exc).__name__)
    questions.assistant.load()


def periodic_work(
    dialog: Dialog, settings: Settings, *, senders: Mapping[str, Sender], clock: Clock = utc_now
) -> Callable[[], Awaitable[None]]:
    """What the server runs every tick, whatever channels are set up: retention, and the scheduled
    reflection messages of every channel it serves (``senders``: channel → how to send there)."""
    retention = Retention(questions=dialog.questions, months=settings.privacy.reflection_answer_months, clock=clock)
    jobs = ReflectionJobs(dialog=dialog, senders=senders, clock=clock) if senders else None
    return together(jobs.run if jobs is not None else None, retention.run)


@dataclass(frozen=True)
class Served:
    """What ``build_channels`` puts together: the aiohttp server and the parts tests reach into."""

    server: web.Application
    intake: Intake
    slack: AsyncApp | None
    teams: TeamsAgent | None
    # Called inside the running loop (handlers.server.run_server) when Slack comes over Socket Mode.
    socket_mode: Callable[[], Awaitable[Any]] | None
    # What the server runs every tick (reflection jobs and retention), or None with periodic=False.
    periodic: Callable[[], Awaitable[None]] | None = None


def build_intake(settings: Settings, dialog: Dialog) -> Intake:
    """The one intake of a server (its inbox, pools and sweep) over the dialog's database."""
    return Intake.over(
        dialog.questions.database,
        metrics=dialog.questions.metrics,
        lease_seconds=settings.inbox.lease_seconds,
        sweep_seconds=settings.inbox.sweep_seconds,
        search_threads=settings.inbox.search_threads,
        store_threads=settings.inbox.store_threads,
    )


def build_channels(
    settings: Settings,
    dialog: Dialog,
    *,
    slack_secrets: SlackSecrets | None,
    teams_options: TeamsOptions | None,
    intake: Intake | None = None,
    periodic: bool = True,
    http_only: bool = False,
    clock: Clock = utc_now,
) -> Served:
    """The composition root: one intake, the Slack app and the Teams agent over ``dialog``, their senders,
    the periodic work and the aiohttp server. ``lederbot serve`` runs it; the tests serve the same one.
    ``periodic=False`` leaves out the reflection jobs and retention (a test that does not test them);
    ``clock`` is the one the scheduled work tells the time by (the dialog's own, in a test)."""
    intake = intake or build_intake(settings, dialog)
    slack = (
        build_slack_app(dialog=dialog, options=slack_options(settings, slack_secrets), intake=intake)
        if slack_secrets
        else None
    )
    teams = build_teams_agent(dialog=dialog, options=teams_options, intake=intake) if teams_options else None
    senders: dict[str, Sender] = {}
    if slack is not None:
        senders["slack"] = SlackSender(client=slack.client)
    if teams is not None and teams_options is not None:
        senders["teams"] = TeamsSender(agent=teams, app_id=teams_options.app_id)
    work = periodic_work(dialog, settings, senders=senders, clock=clock) if periodic else None
    server = build_server(
        warm_up=lambda: warm_up(dialog.questions),
        intake=intake,
        metrics=dialog.questions.metrics,
        slack=slack,
        teams=teams,
        periodic=work,
        period=settings.reflection.tick_seconds,
    )
    socket_mode = None
    if slack is not None and slack_secrets is not None and slack_secrets.app_token and not http_only:
        # Imported only for Socket Mode: an HTTP-only server never loads the websocket client.
        from handlers.slack.socket_mode import socket_mode_starter

        socket_mode = socket_mode_starter(slack, app_token=slack_secrets.app_token)
    return Served(server=server, intake=intake, slack=slack, teams=teams, socket_mode=socket_mode, periodic=work)


def serve(
    settings: Settings,
    *,
    slack_secrets: SlackSecrets | None,
    teams_options: TeamsOptions | None,
    host: str,
    port: int,
    http_only: bool,
) -> None:
    """Serve Slack, Teams or both on one aiohttp server. The secrets are checked first, then a missing
    index is built, so a wrong token or a missing key fails at once rather than after the build."""
    if slack_secrets is not None:
        slack_secrets.check()
    pseudonymizer = build_pseudonymizer(settings)
    ensure_index(settings, say=lambda line: print(line, file=sys.stderr))  # noqa: T201  (the operator's console)
    dialog = build_dialog(settings, pseudonymizer=pseudonymizer)
    served = build_channels(
        settings, dialog, slack_secrets=slack_secrets, teams_options=teams_options, http_only=http_only
    )
    asyncio.run(run_server(served.server, host=host, port=port, socket_mode=served.socket_mode))
