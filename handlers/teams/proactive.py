"""Scheduled reflection messages sent into Teams: proactive messages through the Bot Framework.

Teams takes a message the user did not just send only as a continuation of a conversation the
bot already has: the conversation id and the service URL it came from (stored with the plan or
the group session when it was made). The message is posted to the conversation itself
(POST /v3/conversations/{id}/activities), not as a reply to an activity.
"""

from __future__ import annotations

from microsoft_agents.activity import ChannelAccount, ChannelId, ConversationAccount, ConversationReference
from microsoft_agents.hosting.core import ClaimsIdentity, TurnContext

from bot import texts
from bot.reflection.replies import Reply
from handlers.teams.app import TeamsAgent
from handlers.teams.cards import card_messages, reply_card

TEAMS_CHANNEL = ChannelId("msteams")
ANONYMOUS_AGENT = "lederbot"  # a local connector in anonymous mode knows no app id


class TeamsSender:
    """Sends a scheduled reply to a Teams conversation (a personal chat or a channel thread)."""

    def __init__(self, *, agent: TeamsAgent, app_id: str | None) -> None:
        self._agent = agent
        self._app_id = app_id or ""

    async def send(self, address: str, reply: Reply, *, thread: str | None = None, reply_to: str | None = None) -> None:
        if not reply_to:
            raise ValueError("a scheduled Teams message needs the conversation's service URL")
        reference = ConversationReference(
            channel_id=TEAMS_CHANNEL,
            service_url=reply_to,
            conversation=ConversationAccount(id=address),
            # Teams names a bot "28:<app id>".
            agent=ChannelAccount(id=f"28:{self._app_id}" if self._app_id else ANONYMOUS_AGENT),
        )
        # No activity id: the message starts in the conversation instead of replying to a made-up activity.
        continuation = reference.get_continuation_activity().model_copy(update={"id": None})
        # Split by size like every reply: a long summary goes out whole, over several messages.
        messages = card_messages(reply_card(reply), texts.without_emphasis(reply.text))

        async def deliver(context: TurnContext) -> None:
            for message in messages:
                await context.send_activity(message)

        adapter = self._agent.adapter
        if self._agent.auth.ANONYMOUS_ALLOWED:
            # Anonymous mode (a local connector): no claims, so the SDK asks for no token.
            await adapter.continue_conversation_with_claims(ClaimsIdentity({}, "anonymous"), continuation, deliver)
        else:
            await adapter.continue_conversation(self._app_id, continuation, deliver)
