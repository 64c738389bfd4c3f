"""How an answer is stored; a leader's rights over their data: see, edit, export, delete (everything
stored about them); retention."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

from bot import texts
from bot.analytics.report import safe_cell
from bot.identity import Pseudonymizer
from bot.reflection.catalog import Catalog, Prompt, Theme
from bot.reflection.replies import Export, Reply
from bot.store import people
from bot.store.db import Database
from bot.store.models import ReflectionAnswer, ReflectionSession
from bot.store.reflections import ReflectionRepository

FORMATS = ("json", "csv", "md")
MAX_ANSWER_CHARS = 4000


def new_session(
    reflections: ReflectionRepository,
    owner: str,
    theme: Theme,
    now: datetime,
    *,
    state: str,
    group_id: int | None = None,
) -> ReflectionSession:
    """A new reflection of ``theme`` for ``owner`` (a member's in a group when ``group_id`` is given), at
    its first question, stored through ``reflections`` so it has its id."""
    return reflections.add_session(
        ReflectionSession(
            owner_key=owner,
            theme_id=theme.id,
            theme_version=theme.version,
            group_id=group_id,
            state=state,
            current_index=0,
            started_at=now,
            updated_at=now,
        )
    )


def answer_row(
    session_id: int, owner: str, theme: Theme, prompt: Prompt, text: str, now: datetime, **extra: str | None
) -> ReflectionAnswer:
    """An answer keeps the wording and version of the question it answered."""
    return ReflectionAnswer(
        session_id=session_id,
        owner_key=owner,
        theme_id=theme.id,
        question_id=prompt.id,
        question_version=prompt.version,
        question_text=prompt.text,
        answer_text=text[:MAX_ANSWER_CHARS],
        created_at=now,
        updated_at=now,
        **extra,
    )


def answers_of(database: Database, catalog: Catalog, owner: str) -> list[dict[str, Any]]:
    """Every answer of ``owner`` in the order written, numbered from 1 as «mine svar» shows them."""
    with database.session() as session:
        rows = ReflectionRepository(session=session).answers_of(owner)
    out = []
    for number, (answer, started_at) in enumerate(rows, start=1):
        theme = catalog.get(answer.theme_id)
        out.append(
            {
                "number": number,
                "theme_id": answer.theme_id,
                "theme": theme.title if theme else answer.theme_id,
                "session_started": started_at.isoformat(),
                "question_id": answer.question_id,
                "question_version": answer.question_version,
                "question": answer.question_text,
                "answer": answer.answer_text,
                "shared_with_group": answer.shared_as is not None,
                "answered_at": answer.created_at.isoformat(),
                "updated_at": answer.updated_at.isoformat(),
            }
        )
    return out


def my_answers(database: Database, catalog: Catalog, owner: str) -> Reply:

    rows = answers_of(database, catalog, owner)
    if not rows:
        return Reply(texts.R_MY_ANSWERS_EMPTY)
    lines = [texts.R_MY_ANSWERS_TITLE]
    heading = None
    for row in rows:
        current = (row["theme"], row["session_started"][:10])
        if current != heading:
            heading = current
            date = datetime.fromisoformat(row["session_started"]).strftime("%d.%m.%Y")
            lines.append(texts.R_MY_ANSWERS_THEME.format(title=row["theme"], date=date))
        lines.append(
            texts.R_MY_ANSWER_LINE.format(number=row["number"], question=row["question"], answer=row["answer"])
        )
    return Reply("\n".join(lines))


def edit_answer(database: Database, owner: str, number: int, text: str, *, now: datetime) -> Reply:

    with database.session() as session:
        reflections = ReflectionRepository(session=session)
        ids = reflections.answer_ids(owner)
        if not 1 <= number <= len(ids) or not text:
            return Reply(texts.R_EDIT_UNKNOWN.format(number=number))
        reflections.edit_answer(ids[number - 1], text[:MAX_ANSWER_CHARS], at=now)
    return Reply(texts.R_EDITED.format(number=number))


def person_of(database: Database, owner: str, *, pseudonymizer: Pseudonymizer) -> tuple[people.PersonKeys, set[str]]:
    """Every key of the person behind ``owner`` (all channels via the register) and their asker tags
    (their unanswered-question texts are stored under a keyed tag and nothing else: without the
    pseudonymizer an export or a deletion would miss them, so it is required)."""
    with database.session() as session:
        keys = people.expand(session, owner_keys={owner})
    tags: set[str] = set()
    for person in keys.persons:
        tags.update(pseudonymizer.all_tags(person))
    return keys, tags


def stored_about(database: Database, owner: str, *, pseudonymizer: Pseudonymizer) -> dict[str, list[dict[str, Any]]]:
    keys, tags = person_of(database, owner, pseudonymizer=pseudonymizer)
    with database.session() as session:
        return people.rows_of(session, keys, tags=tags)


def export(database: Database, catalog: Catalog, owner: str, fmt: str, *, pseudonymizer: Pseudonymizer) -> str:
    """Everything stored about the person behind ``owner`` as JSON, CSV or Markdown (GDPR art. 15 and 20):
    the reflection answers first, then every stored row table by table."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    rows = answers_of(database, catalog, owner)
    stored = stored_about(database, owner, pseudonymizer=pseudonymizer)
    if fmt == "json":
        return json.dumps({"answers": rows, "stored": stored}, ensure_ascii=False, indent=2, default=str)
    if fmt == "csv":
        buffer = io.StringIO()
        fields = [
            "number",
            "theme",
            "question",
            "answer",
            "answered_at",
            "updated_at",
            "question_version",
            "shared_with_group",
        ]
        writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: _safe(v) for k, v in row.items()} for row in rows)
        buffer.write("\n")
        long = csv.writer(buffer)
        long.writerow(["table", "row", "field", "value"])
        for table, items in stored.items():
            for number, item in enumerate(items, start=1):
                for name, value in item.items():
                    long.writerow(
                        [
                            table,
                            number,
                            name,
                            _safe(
                                json.dumps(value, ensure_ascii=False, default=str)
                                if isinstance(value, (list, dict))
                                else value
                            ),
                        ]
                    )
        return buffer.getvalue()
    lines = ["# Mine refleksjonssvar", ""]
    theme = None
    for row in rows:
        if row["theme"] != theme:
            theme = row["theme"]
            lines += [f"## {theme}", ""]
        lines += [f"**{row['question']}**", "", row["answer"], "", f"_{row['answered_at'][:10]}_", ""]
    lines += ["# Alt som er lagret om meg", ""]
    for table, items in stored.items():
        lines += [f"## {table} ({len(items)})", ""]
        for item in items:
            lines.append("- " + "; ".join(f"{k}: {v}" for k, v in item.items()))
        lines.append("")
    return "\n".join(lines)


def _safe(value: Any) -> Any:
    return safe_cell(value)


def export_reply(database: Database, catalog: Catalog, owner: str, *, pseudonymizer: Pseudonymizer) -> Reply:
    """«eksporter mine svar»: everything stored about the leader as a Markdown file, or that there is nothing."""
    stored = stored_about(database, owner, pseudonymizer=pseudonymizer)
    if not answers_of(database, catalog, owner) and not any(stored.values()):
        return Reply(texts.R_MY_ANSWERS_EMPTY)
    content = export(database, catalog, owner, "md", pseudonymizer=pseudonymizer)
    return Reply(texts.R_EXPORTED, export=Export("mine-refleksjonssvar.md", content))


def delete_answers(database: Database, owner: str, *, pseudonymizer: Pseudonymizer) -> int:
    """Delete everything of the person behind ``owner`` (see ``delete_person``); returns the answers deleted."""
    return delete_person(database, owner, pseudonymizer=pseudonymizer).get("reflection_answer", 0)


def delete_person(database: Database, owner: str, *, pseudonymizer: Pseudonymizer) -> dict[str, int]:
    """Delete or irreversibly unlink every row of the person in every table, and stop their plans.

    Their usage rows stay as counts under a random token nothing else holds (past figures do not
    change); answers, plans, register entry, identity links and unanswered texts are deleted.
    """
    keys, tags = person_of(database, owner, pseudonymizer=pseudonymizer)
    with database.session() as session:
        return people.delete_person(session, keys, tags=tags)


def apply_retention(database: Database, *, now: datetime, months: int) -> int:
    """Delete answers older than ``months``; keep the sessions (theme, dates, state) as counts."""
    if months < 1:
        raise ValueError(f"retention must be at least one month, got {months}")
    cutoff = now - timedelta(days=round(30.44 * months))
    with database.session() as session:
        return ReflectionRepository(session=session).forget_answers_before(cutoff)
