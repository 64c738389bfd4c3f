"""What the Slack adapter is configured with (its secrets come from the environment, read in handlers/launch)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SlackOptions:
    """What the Slack adapter needs besides the dialog."""

    bot_token: str
    signing_secret: str
    api_url: str | None = None
    hr_contact_user: str | None = None  # the Slack user id «Spør HR» writes to privately
    hr_channel: str | None = None  # or a private HR channel that «Spør HR» posts in
    hr_user_ids: frozenset[str] = field(default_factory=frozenset)
    hr_contact: str = "HR"
    question_text_days: int = 90
    reflection_months: int = 24
    min_group_size: int = 5
