"""Shared fixtures: the real knowledge folder, a real index built once per test session."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from bot.assistant import Assistant, build_assistant
from bot.config import Settings
from bot.dialog import Dialog
from bot.store.db import Database, make_engine
from index.build import IndexBuilder
from index.embed import BundledEmbedder
from index.ingest import Corpus, Ingestor, load_out_of_scope
from loopback import KNOWLEDGE, ROOT
from loopback.core import make_dialog
from loopback.postgres import PostgresServer, PostgresUnavailable
from tests.storage import database

TEST_INDEX_CACHE = ROOT / ".cache" / "test-index"

# Tests never reach the network: a model that is not on disk must fail, not download.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return Ingestor(default_owner="Heim kommune").ingest_folder(KNOWLEDGE)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, corpus: Corpus) -> Path:
    """The real index of the five documents with the bundled model, built once per test session.

    The build is the product's own incremental one: the previous run's index (kept in
    .cache/test-index) is copied in first, so only passages and windows whose embedded text changed
    are embedded again (a fresh clone embeds everything, ~2 min). The lock keeps parallel runs from
    writing the cache at once."""
    folder = tmp_path_factory.mktemp("data") / "index"
    with FileLock(f"{TEST_INDEX_CACHE}.lock"):
        if (TEST_INDEX_CACHE / "manifest.json").is_file():
            shutil.copytree(TEST_INDEX_CACHE, folder)
        IndexBuilder(embedder=BundledEmbedder()).build(corpus, folder, out_of_scope=load_out_of_scope(KNOWLEDGE))
        shutil.rmtree(TEST_INDEX_CACHE, ignore_errors=True)
        shutil.copytree(folder, TEST_INDEX_CACHE)
    return folder


@pytest.fixture(scope="session")
def settings(built_index: Path) -> Settings:
    return Settings(data_dir=built_index.parent, index={"knowledge_dir": KNOWLEDGE, "path": built_index})


@pytest.fixture(scope="session")
def assistant(settings: Settings) -> Assistant:
    assistant = build_assistant(settings)
    assistant.load()
    return assistant


@pytest.fixture
def dialog(assistant: Assistant, tmp_path: Path) -> Iterator[Dialog]:
    """The whole core over a fresh SQLite file."""
    database = Database(make_engine(f"sqlite:///{tmp_path / 'bot.db'}"))
    database.migrate()
    yield make_dialog(assistant, database)
    database.engine.dispose()


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server this test starts (initdb, a free port) and may stop: never the machine's."""
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable as exc:
        pytest.fail(f"could not start a PostgreSQL server for the test: {exc}")
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database, once on SQLite and once on the machine's PostgreSQL."""
    with database(request.param, tmp_path) as migrated:
        yield migrated


@pytest.fixture(autouse=True)
def slack_payloads_within_block_kit_limits() -> Iterator[None]:
    """Every payload any test sends to a mock Slack (tests/handlers, tests/bot, tests/scenarios …) is
    checked against Block Kit's limits, and so is every ack the bot answers a signed request with."""
    harness = sys.modules.get("loopback.slack")
    if harness is not None:
        harness.CREATED.clear()
    yield
    harness = sys.modules.get("loopback.slack")  # imported during the test, perhaps
    if harness is None:
        return
    problems = [v for mock in harness.CREATED for v in mock.violations]
    harness.CREATED.clear()
    assert not problems, f"payloads over Block Kit's limits: {problems}"
