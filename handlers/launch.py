"""Start the server with the channels that are configured: the composition root for `lederbot serve`."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.assistant import build_assistant
from bot.config import Settings
from bot.desk import Desk
from bot.errors import ConfigError
from bot.identity import Pseudonymizer, derive_key
from bot.store.db import Database, make_engine
from handlers.server import build_server, run_server
from handlers.slack.app import SlackOptions, build_slack_app

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


def build_desk(settings: Settings, *, fallback_secret: str | None) -> Desk:
    secret = settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else None
    try:
        key = derive_key(explicit=secret, fallback_secret=fallback_secret)
    except ValueError as exc:
        raise ConfigError("Sett LEDERBOT_PSEUDONYM_KEY (minst 16 tegn) i miljøet.") from exc
    return Desk(
        assistant=build_assistant(settings),
        database=Database(make_engine(settings.db_url)),
        pseudonymizer=Pseudonymizer(key=key),
        question_text_days=settings.privacy.question_text_days,
    )


def slack_options(settings: Settings, secrets: SlackSecrets) -> SlackOptions:
    return SlackOptions(
        bot_token=secrets.bot_token,
        signing_secret=secrets.signing_secret,
        api_url=secrets.api_url,
        hr_contact_user=settings.slack.hr_contact_user,
        hr_user_ids=frozenset(settings.slack.hr_user_ids),
        hr_contact=settings.organisation.hr_contact,
        question_text_days=settings.privacy.question_text_days,
        min_group_size=settings.analytics.min_group_size,
    )


def warm_up(desk: Desk) -> None:
    """Migrations, then the model and index. A dead database does not stop the bot from answering."""
    try:
        desk.database.migrate()
    except Exception as exc:  # noqa: BLE001  (any database failure: answer anyway, record nothing)
        log.warning("database unavailable at start (%s); answering without recording", type(exc).__name__)
    desk.assistant.load()


def serve_slack(settings: Settings, secrets: SlackSecrets, *, host: str, port: int, http_only: bool) -> None:
    secrets.check()
    desk = build_desk(settings, fallback_secret=secrets.signing_secret)
    slack = build_slack_app(desk=desk, options=slack_options(settings, secrets))
    server = build_server(warm_up=lambda: warm_up(desk), slack=slack)
    socket_mode = None
    if secrets.app_token and not http_only:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        socket_mode = AsyncSocketModeHandler(slack, secrets.app_token)
    asyncio.run(run_server(server, host=host, port=port, socket_mode=socket_mode))
