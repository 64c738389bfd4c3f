"""Logging without personal data, at every level.

Our own modules log only counts, states and exception type names. Libraries are not trusted with
that: Bolt logs a refused request's whole body, slack_sdk every message sent at DEBUG, SQLAlchemy
the parameters of a failed statement. So (1) their loggers are held to WARNING whatever level is
configured, (2) every record from a library is reduced, as it is created, to "level from logger",
and (3) every exception in a log record is written as its traceback (code lines) and type, never its
message, which can carry an answer text, a name or a key. The record factory does this, so every
handler (a file, a collector, a test's capture) only ever sees the reduced record.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

OWN = ("bot", "handlers", "index", "lederbot", "__main__")
HELD = (
    "slack_bolt",
    "slack_sdk",
    "microsoft_agents",
    "aiohttp",
    "sqlalchemy",
    "alembic",
    "httpx",
    "urllib3",
    "faiss",
    "bm25s",
    "sentence_transformers",
    "asyncio",
)
_installed: list[Callable[..., logging.LogRecord]] = []


def configure(*, level: str, fmt: str) -> None:
    """Set up the root handler (text or JSON lines) and the privacy rules above."""
    handler = logging.StreamHandler()
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    hold_libraries()
    install_record_factory()


def hold_libraries() -> None:
    for name in HELD:
        logging.getLogger(name).setLevel(logging.WARNING)


def install_record_factory() -> None:
    if _installed:
        return
    original = logging.getLogRecordFactory()
    _installed.append(original)

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub_record(original(*args, **kwargs))

    logging.setLogRecordFactory(make)


def uninstall_record_factory() -> None:
    """Back to the standard factory (tests)."""
    if _installed:
        logging.setLogRecordFactory(_installed.pop())


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    if not record.name.startswith(OWN):
        record.msg = f"{record.levelname.lower()} from {record.name} (details withheld)"
        record.args = None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = safe_traceback(record.exc_info[1])
        record.exc_info = None
    return record


def safe_traceback(exc: BaseException) -> str:
    """Where it failed (frames and code lines) and what type; not the message."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb: TracebackType | None = current.__traceback__
        kind = type(current)
        parts.append(
            "Traceback (most recent call last):\n"
            + "".join(traceback.format_tb(tb))
            + f"{kind.__module__}.{kind.__qualname__} (message withheld)"
        )
        current = current.__cause__ or current.__context__
    return "\n\nCaused by:\n".join(parts)
