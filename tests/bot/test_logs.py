"""Nothing personal in any log record at any level: the bot at DEBUG through Slack's real HTTP protocol.

A question, a reflection, a request with a wrong signature and a database that fails under the bot;
every record any logger creates is captured (formatted, with its exception, and its raw fields),
and none may hold the user id, the name, the e-mail, the question or the answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.assistant import Assistant
from bot.logs import configure, uninstall_record_factory
from bot.store.db import Database
from loopback.core import make_dialog
from loopback.slack import payload, running_bot

pytestmark = pytest.mark.integration
USER = "U0SECRET77"
NAME = "Kari Nordmann"
EMAIL = "kari.nordmann@heim.kommune.no"
QUESTION = f"Hva betyr delegering for meg, {NAME} ({EMAIL})?"
ANSWER = f"Mitt private svar om hvordan {NAME} leder"
SECOND = "Et svar som treffer en død database"


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.records: list[str] = []
        self.names: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.names.append(record.name)
        self.records.append(self.format(record) + "\n" + repr(vars(record)))


@pytest.fixture
def captured() -> Iterator[Capture]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in ("slack_bolt", "slack_sdk", "sqlalchemy", "aiohttp")}
    configure(level="DEBUG", fmt="text")
    capture = Capture()
    root.addHandler(capture)
    try:
        yield capture
    finally:
        uninstall_record_factory()
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _dm(n: int, message: str) -> dict[str, object]:
    event = payload("message_im")
    event["event_id"] = f"EvLog{n}"
    event["event"].update(user=USER, text=message, channel=f"D{USER}", ts=f"17639000{n:02d}.1")
    return event


def test_no_personal_data_in_any_log_record(assistant: Assistant, db: Database, captured: Capture) -> None:
    """On SQLite and on PostgreSQL, whose driver errors carry the statement and its parameters."""
    database = db
    dialog = make_dialog(assistant, database)

    async def scenario() -> None:
        async with running_bot(dialog) as bot:
            sent = 0
            # A NUL character, which PostgreSQL refuses in text, inside a reflection answer.
            steps = (QUESTION, "refleksjon verdier", ANSWER, f"{ANSWER}\x00 {NAME}", "mine svar")
            for n, message in enumerate(steps, start=1):
                response = await bot.post_event(_dm(n, message))
                assert response.status == 200
                sent += 1
                await bot.slack.wait_for("chat.postMessage", sent)
            refused = await bot.post_event(_dm(9, QUESTION), secret="not-the-signing-secret")
            assert refused.status == 401
            # The database fails under the bot: the answer still comes, and the failure is logged.
            with database.engine.begin() as connection:
                connection.execute(text("DROP TABLE reflection_answer"))
                connection.execute(text("DROP TABLE question_log"))
            await bot.post_event(_dm(8, SECOND))
            await bot.slack.wait_for("chat.postMessage", sent + 1)

    asyncio.run(scenario())
    everything = "\n".join(captured.records)
    assert "could not record a question (" in everything  # the failure was logged
    assert len(captured.records) > 5
    for secret in (USER, NAME, EMAIL, QUESTION, ANSWER, SECOND, "delegering for meg", "private svar"):
        assert secret not in everything, secret
