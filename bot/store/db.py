"""Engine, sessions and migrations. Alembic owns the schema; ``migrate`` runs at start."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from index.errors import LederbotError

log = logging.getLogger(__name__)


class StorageError(LederbotError):
    """The database refused a call or could not be reached. The core answers without it where it can;
    ``kind`` is the driver's error type, the only thing about it that may be logged (a driver's message
    can carry a statement's parameters: an answer, a name)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class DuplicateError(StorageError):
    """A unique key was there already: a repeated delivery or a double click, already stored."""


def insert_new(session: Session, row: object) -> bool:
    """Add ``row`` unless its unique key is taken (False then), without ending the session's transaction."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets its folder created and foreign keys switched on."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: a failing statement's error (and its log line) must not carry the values, which
    # can be an answer text, a name or a key.
    options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True, **kwargs}
    if url.startswith("postgresql"):
        # A dead server must fail fast, so the bot can answer without recording.
        options.setdefault("connect_args", {}).setdefault("connect_timeout", 3)
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """Sessions for repositories.

    Example:
        >>> db = Database(make_engine("sqlite:///data/lederbot.db"))
        >>> db.migrate()
        >>> with db.session() as session:
        ...     QuestionRepository(session=session).count()
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Bring the schema up to date. Raises StorageError when the database cannot be reached or
        refuses (the caller decides whether to go on without it)."""
        from alembic.util import CommandError

        try:
            migrate(self.engine)
        except (SQLAlchemyError, CommandError) as exc:
            raise StorageError(type(exc).__name__) from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error.

        Raises:
            DuplicateError: a unique key was taken.
            StorageError: any other database failure (down, refused, timed out).
        """
        session = self._sessions()
        try:
            yield session
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            raise DuplicateError(type(exc).__name__) from exc
        except SQLAlchemyError as exc:
            _quiet_rollback(session)
            raise StorageError(type(exc).__name__) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        """One cheap round trip. Raises StorageError when the database does not answer."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("select 1"))
        except SQLAlchemyError as exc:
            raise StorageError(type(exc).__name__) from exc


def _quiet_rollback(session: Session) -> None:
    # With the server gone the rollback fails too; the first error is the one that matters.
    try:
        session.rollback()
    except SQLAlchemyError:
        log.debug("rollback after a database error failed too")
