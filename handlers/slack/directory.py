"""Finding registered leaders in Slack by e-mail (users.lookupByEmail), for the leader register."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.analytics.register import RegisterRow


class SlackDirectory:
    """(channel, workspace, user) for a register row; Slack's own ids never leave this class unhashed."""

    def __init__(self, *, token: str, api_url: str | None = None) -> None:
        kwargs = {"token": token}
        if api_url:
            kwargs["base_url"] = api_url.rstrip("/") + "/"
        self._client = WebClient(**kwargs)  # type: ignore[arg-type]
        self._client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=5))
        self._team: str | None = None

    def identities(self, row: RegisterRow) -> list[tuple[str, str, str]]:
        if self._team is None:
            self._team = str(self._client.auth_test()["team_id"])
        try:
            user = self._client.users_lookupByEmail(email=row.email)["user"]["id"]
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                return []
            raise
        return [("slack", self._team, str(user))]
