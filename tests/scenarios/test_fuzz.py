"""Fuzzing with hypothesis: ingestion, the question path, and Slack and Teams payloads over HTTP.
No crash, no 500, an answer that keeps its contract, nothing logged twice.

«No crash» is checked after the work, not from the status codes: Slack is acknowledged before its event
is handled and Teams' error handler turns an exception into an ordinary reply, so a handler that raises
still gives 200. After the requests the tests wait for the intake to report every event handled, then
look for ERROR records from our packages and for errors in the bot's metrics."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from sqlalchemy import select

from bot import texts
from bot.answer import MAX_SEE_ALSO, render_text
from bot.assistant import Assistant
from bot.config import Settings
from bot.dialog import Dialog
from bot.intake import Intake
from bot.questions import Asker
from bot.store.db import Database, make_engine
from bot.store.models import QuestionLog
from handlers.launch import build_channels
from handlers.teams.app import TeamsOptions
from index.chunk import chunk_sections
from index.clean import clean_text
from index.documents import DocumentMeta
from index.structure import markdown_blocks, plain_blocks, sections
from loopback.core import make_dialog
from loopback.replica import dm_event
from loopback.slack import PAYLOADS, MockSlack, payload, sign, slack_secrets, slack_settings, start_on_loopback

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FUZZ = hypothesis.settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Each HTTP example answers a question with the real model: fewer examples keep CI within its budget.
FUZZ_HTTP = hypothesis.settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MARKUP = st.sampled_from(
    [
        "<@U1>",
        "<!channel>",
        "<!here>",
        "*fet*",
        "_kursiv_",
        "`kode`",
        "> sitat",
        "<https://x.no|lenke>",
        ":tada:",
        "🙂",
        "\u200b",
        "\x00",
        "# Overskrift",
        "- punkt",
        "1. punkt",
        "&amp;",
        "<at>bot</at>",
        "\n\n",
        "æøå ÆØÅ",
        "radmannen 1 kommunen",
        "e Snakke med",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=40), MARKUP), max_size=25).map("".join)
# A fresh id for every delivery: a repeated one is dropped as a duplicate and never reaches a handler.
SERIAL = itertools.count()
OURS = ("bot", "handlers", "index", "loopback")  # the packages whose ERROR records are crashes of ours


@FUZZ
@given(TEXT)
def test_ingestion_never_breaks(text: str) -> None:
    meta = DocumentMeta(id="fuzz", file="fuzz.txt", title="Fuzz", owner="Heim kommune")
    for blocks in (plain_blocks(clean_text(text)), markdown_blocks(text)):
        passages = chunk_sections(meta, sections(blocks, split_long_paragraphs_at=300), max_chars=300)
        assert all(len(p.text) <= 300 for p in passages)


@FUZZ
@given(TEXT)
def test_question_path_never_breaks(assistant: Assistant, settings: Settings, text: str) -> None:
    answer = assistant.ask(text)
    # The answer's contract: one of three tiers, "answered" exactly when the tier is not "none".
    assert answer.tier in ("sure", "unsure", "none")
    assert answer.answered == (answer.tier != "none")
    assert answer.to_json()["confidence"] == answer.tier
    assert len(answer.question) <= settings.search.max_query_chars
    assert answer.note is None or answer.invalid  # the fuzz texts are shorter than the query limit
    shown = render_text(answer)
    if not any(c.isalpha() for c in text):
        assert answer.invalid  # no letters: nothing to search for
    if answer.invalid:
        # No question in it: a friendly Norwegian explanation, no search, nothing else.
        assert not answer.answered and answer.source is None and not answer.sentences
        assert answer.note in (texts.EMPTY_QUESTION, texts.NOT_A_QUESTION) and shown == answer.note
    elif not answer.answered:
        # The honest "nothing certain" in Norwegian, with where to go instead and no sources.
        assert answer.source is None and not answer.sentences and not answer.see_also
        assert texts.NO_ANSWER in shown and texts.NO_ANSWER_REPHRASE in shown
    else:
        # An extractive answer: sentences of the passage shown, its source named, "Se også" bounded.
        assert answer.sentences and all(s.strip() for s in answer.sentences)
        assert all(s in answer.full_passage for s in answer.sentences)
        assert answer.passage.strip() and len(answer.passage) <= len(answer.full_passage)
        assert answer.source is not None and answer.source.title and answer.source.document_id
        assert answer.source.line() in shown
        assert len(answer.see_also) <= MAX_SEE_ALSO and all(s.sentence for s in answer.see_also)
        assert (texts.UNSURE_INTRO if answer.tier == "unsure" else texts.ANSWER_INTRO) in shown


class LiveServer:
    """The bot's real server and a mock Slack on loopback, in a thread of their own."""

    def __init__(self, dialog: Dialog) -> None:
        self.dialog = dialog
        self.intake: Intake | None = None
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.slack = MockSlack()
        self.port = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._boot())
        self.ready.set()
        self.loop.run_forever()

    async def _boot(self) -> None:
        mock = web.Application()
        mock.router.add_post("/{tail:.*}", self.slack.handle_any)
        self.mock_runner, self.slack.port = await start_on_loopback(mock)
        served = build_channels(
            slack_settings(hr_contact_user=None),
            self.dialog,
            slack_secrets=slack_secrets(self.slack),
            teams_options=TeamsOptions(allow_anonymous=True),
            periodic=False,
        )
        self.intake = served.intake
        server = served.server
        self.runner, self.port = await start_on_loopback(server)

    def wait_handled(self, count: int, timeout: float = 60.0) -> None:
        """Wait until the bot reports ``count`` events handled (its own signal), then for any still running."""
        assert self.intake is not None
        deadline = time.monotonic() + timeout
        while self.intake.handled < count:
            assert time.monotonic() < deadline, f"the bot handled {self.intake.handled} events, expected {count}"
            time.sleep(0.02)
        asyncio.run_coroutine_threadsafe(self.intake.drain(timeout), self.loop).result(timeout=timeout + 5)

    def count(self, sample: str, **labels: tuple[str, ...]) -> float:
        """The sum of the bot's ``sample`` values whose labels are among ``labels``' values."""
        assert self.intake is not None
        samples = (s for metric in self.intake.metrics.registry.collect() for s in metric.samples)
        return sum(
            s.value for s in samples if s.name == sample and all(s.labels.get(k) in v for k, v in labels.items())
        )

    def assert_no_crash(self, caplog: pytest.LogCaptureFixture) -> None:
        """Once every event the intake took on is handled: no ERROR from our code, no error counted."""
        self.wait_handled(int(self.count("lederbot_inbox_events_total", outcome=("stored", "unstored"))))
        crashes = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.split(".")[0] in OURS]
        assert not crashes, [f"{r.name}: {r.getMessage()} {r.exc_text or ''}" for r in crashes]
        assert self.count("lederbot_errors_total") == 0

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def stop(self) -> None:
        async def cleanup() -> None:
            await self.runner.cleanup()
            await self.mock_runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)


def _serve(assistant: Assistant, folder: Path) -> Iterator[LiveServer]:
    database = Database(make_engine(f"sqlite:///{folder / 'fuzz.db'}"))
    database.migrate()
    server = LiveServer(make_dialog(assistant, database))
    server.thread.start()
    assert server.ready.wait(timeout=60)
    yield server
    server.stop()
    database.engine.dispose()


@pytest.fixture(scope="module")
def live(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from _serve(assistant, tmp_path_factory.mktemp("fuzz"))


@pytest.fixture
def fresh(assistant: Assistant, tmp_path: Path) -> Iterator[LiveServer]:
    """A server over an empty database of its own: every row in it was made by the test."""
    yield from _serve(assistant, tmp_path)


@FUZZ_HTTP
@given(
    text=TEXT,
    kind=st.sampled_from(["message_im", "app_mention", "thread_reply", "message_changed", "bot_message"]),
    junk=st.dictionaries(
        st.sampled_from(["channel", "ts", "user", "thread_ts", "subtype", "channel_type"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=12)),
        max_size=2,
    ),
)
def test_slack_payloads_never_give_500(
    live: LiveServer, caplog: pytest.LogCaptureFixture, text: str, kind: str, junk: dict[str, Any]
) -> None:
    event = payload(kind)
    event["event_id"] = f"EvFuzz{next(SERIAL)}"
    event["event"]["text"] = text
    event["event"].update(junk)
    body = json.dumps(event, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", **sign(body.decode())}
    first = live.post("/slack/events", body, headers)
    retry = live.post("/slack/events", body, {**headers, "X-Slack-Retry-Num": "1"})
    # Every signed event is acknowledged, once; one with fields Slack never sends is dropped unhandled
    # (a 400 comes only from a body the server cannot read at all).
    assert first == retry and first in (200, 400)
    if not junk:
        assert first == 200
    live.assert_no_crash(caplog)


@FUZZ_HTTP
@given(
    text=TEXT,
    value=st.one_of(
        st.none(),
        st.dictionaries(
            st.sampled_from(["cmd", "ref", "group", "index", "answer"]),
            st.one_of(st.text(max_size=20), st.integers()),
            max_size=3,
        ),
    ),
    conversation_type=st.sampled_from(["personal", "channel", "groupChat", None]),
)
def test_teams_activities_never_give_500(
    live: LiveServer, caplog: pytest.LogCaptureFixture, text: str, value: Any, conversation_type: Any
) -> None:
    activity = json.loads(
        (PAYLOADS / "teams_message.json")
        .read_text(encoding="utf-8")
        .replace("{service_url}", f"http://127.0.0.1:{live.slack.port}/")
        .replace('"{text}"', json.dumps(text))
    )
    activity["id"] = f"fuzz{next(SERIAL)}"
    activity["value"] = value
    activity["conversation"]["conversationType"] = conversation_type
    status = live.post("/api/messages", json.dumps(activity).encode(), {"Content-Type": "application/json"})
    assert status < 500
    live.assert_no_crash(caplog)


# Questions (answered, declined, with chat markup, a follow-up) and one message without a question.
LOGGED_ONCE = [
    ("U0ONCE1", "Hva er en delegeringssperre?"),
    ("U0ONCE2", "Hva er lunsjmenyen i kantina på fredag?"),
    ("U0ONCE3", "<!channel> *Hva* betyr _lojalitet_ <https://x.no|her>? 🙂"),
    ("U0ONCE1", "og hva med enhetsledere?"),
    ("U0ONCE4", ":tada: <@U0BOT>"),
]


def test_nothing_was_logged_twice(fresh: LiveServer) -> None:
    """Every event delivered twice (Slack's retry after a timeout): each question is logged once."""
    for n, (user, text) in enumerate(LOGGED_ONCE):
        body = json.dumps(dm_event(f"EvOnce{n}", user, text), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", **sign(body.decode())}
        assert fresh.post("/slack/events", body, headers) == 200
        assert fresh.post("/slack/events", body, {**headers, "X-Slack-Retry-Num": "1"}) == 200
    fresh.wait_handled(len(LOGGED_ONCE))  # every first delivery handled: nothing is still to come
    registry = fresh.dialog.questions.metrics.registry
    assert registry.get_sample_value("lederbot_duplicate_deliveries_total") == len(LOGGED_ONCE)
    assert fresh.intake is not None and fresh.intake.handled == len(LOGGED_ONCE)
    with fresh.dialog.questions.database.session() as session:
        logged = Counter(session.scalars(select(QuestionLog.owner_key).where(QuestionLog.channel == "slack")))
    owner = {user: fresh.dialog.owner(Asker("slack", "T0HEIM", user, "dm")) for user, _ in LOGGED_ONCE}
    # One row per question; none for the message without one (U0ONCE4).
    assert logged == Counter(owner[user] for user, _ in LOGGED_ONCE[:-1])
    # And each delivery was answered once in its DM.
    answered = Counter(str(c.data.get("channel")) for c in fresh.slack.of("chat.postMessage"))
    assert answered == Counter(f"D{user}" for user, _ in LOGGED_ONCE)
