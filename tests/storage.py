"""Databases for storage tests: a SQLite file and a fresh schema on the machine's PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bot.store.db import Database, make_engine

POSTGRES_URL = os.environ.get("LEDERBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def postgres_schema() -> Iterator[tuple[str, dict[str, object]]]:
    """A schema of its own on the test server. No server is a failure, never a skip: the storage
    tests are the proof that PostgreSQL works, and a skipped proof would pass CI unseen."""
    try:
        admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3}, pool_pre_ping=True)
        with admin.begin() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001  (any failure to reach the server means: no PostgreSQL here)
        pytest.fail(
            f"PostgreSQL at {POSTGRES_URL} is not reachable ({type(exc).__name__}); start it, or point "
            "LEDERBOT_TEST_POSTGRES_URL at one"
        )
    schema = f"lederbot_test_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    try:
        yield POSTGRES_URL, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@contextmanager
def database(kind: str, tmp_path: Path) -> Iterator[Database]:
    """A migrated database of ``kind`` (``sqlite`` or ``postgresql``)."""
    engine: Engine
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'lederbot.db'}")
        db = Database(engine)
        db.migrate()
        yield db
        engine.dispose()
        return
    with postgres_schema() as (url, options):
        engine = make_engine(url, **options)
        db = Database(engine)
        db.migrate()
        try:
            yield db
        finally:
            engine.dispose()


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
