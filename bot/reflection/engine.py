"""The reflection dialogue, channel-agnostic: commands and answers in, replies out.

Every step is written before the reply is returned, so a bot killed mid-exercise resumes at the
next question, and an event delivered twice never logs an answer twice (answers carry the
event id, unique in the table).

Example:
    >>> engine = ReflectionEngine(database=db, catalog=Catalog.load(folder), related=lambda q: None)
    >>> engine.handle("owner-key", "refleksjon verdier").text
    '*Å lede med tydelige verdier* (3 spørsmål) ...'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import func, select, true
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from bot import texts
from bot.clock import Clock, utc_now
from bot.reflection import data
from bot.reflection.catalog import Catalog, Prompt, Theme
from bot.reflection.replies import Choice, Reply
from bot.store.db import Database
from bot.store.models import GroupSession, ReflectionAnswer, ReflectionSession
from index.text import fold

MAX_ANSWER_CHARS = 4000


log = logging.getLogger(__name__)

Related = Callable[[str], tuple[str, str] | None]  # question → (source line, excerpt)

_EDIT = re.compile(r"^endre svar (\d+)\s*[:.-]?\s*(.+)$", re.IGNORECASE | re.DOTALL)


class ReflectionEngine:
    """Runs reflections for one leader at a time (``owner`` is their pseudonymous key)."""

    def __init__(self, *, database: Database, catalog: Catalog, related: Related, clock: Clock = utc_now) -> None:
        self._db = database
        self.catalog = catalog
        self._related = related
        self._clock = clock

    # -- the dialogue ----------------------------------------------------------------------------
    def handle(self, owner: str, text: str, *, event_id: str | None = None) -> Reply | None:
        """The reply to a DM, or None when it is neither a reflection command nor an answer."""
        raw = (text or "").strip()
        command = fold(" ".join(raw.split())).strip("!.?")

        if command in ("refleksjon", "/refleksjon", "refleksjoner"):
            return self.list_themes(owner)
        if command.startswith(("refleksjon ", "/refleksjon ")):
            return self.start(owner, raw.split(None, 1)[1])
        if command == "mine svar":
            return data.my_answers(self._db, self.catalog, owner)
        edit = _EDIT.match(raw)
        if edit:
            return data.edit_answer(self._db, owner, int(edit.group(1)), edit.group(2).strip(), now=self._clock())
        if command == "eksporter mine svar":
            return data.export_reply(self._db, self.catalog, owner)
        if command == "slett mine svar":
            return Reply(
                texts.R_DELETE_CONFIRM,
                (
                    Choice(texts.R_DELETE_YES, "slett mine svar bekreftet", "danger"),
                    Choice(texts.R_DELETE_NO, "avbryt sletting"),
                ),
            )
        if command == "slett mine svar bekreftet":
            return Reply(texts.R_DELETED.format(count=data.delete_answers(self._db, owner)))
        if command == "avbryt sletting":
            return Reply(texts.R_DELETE_CANCELLED)
        with self._db.session() as session:
            active = self._current(session, owner, states=("active",))
            if command == "fortsett":
                paused = active or self._current(session, owner, states=("paused",))
                if paused is None:
                    return Reply(texts.R_NOTHING_PAUSED)
                paused.state, paused.updated_at = "active", self._clock()
                theme = self._theme(paused)
                return Reply(f"{texts.R_RESUMING.format(title=theme.title)}\n{self._question(theme, paused)}")
            if active is None:
                return None
            theme = self._theme(active)
            if command == "pause":
                active.state, active.updated_at = "paused", self._clock()
                return Reply(texts.R_PAUSED)
            if command == "avslutt":
                return self._finish(session, active, theme, state="ended")
            if command == "hopp over":
                return self._advance(session, active, theme, prefix=texts.R_SKIPPED)
            if not raw:
                return Reply(texts.R_EMPTY_ANSWER)
        return self._answer(owner, raw, event_id=event_id)

    def list_themes(self, owner: str) -> Reply:
        with self._db.session() as session:
            done = set(
                session.scalars(
                    select(ReflectionSession.theme_id).where(
                        ReflectionSession.owner_key == owner, ReflectionSession.state == "done"
                    )
                )
            )
        themes = [t for t in self.catalog.themes if t.kind != "group"]
        ordered = [t for t in themes if t.id not in done] + [t for t in themes if t.id in done]
        choices = tuple(
            Choice(t.title + (texts.R_THEME_DONE_MARK if t.id in done else ""), f"refleksjon {t.id}") for t in ordered
        )
        return Reply(texts.R_THEMES_INTRO, choices)

    def start(self, owner: str, word: str) -> Reply:
        theme = self.catalog.find(word, kinds=("individual", "development_talk")) or self.catalog.find(word)
        if theme is None:
            return Reply(texts.R_NO_THEME.format(word=word.strip()[:80]), self.list_themes(owner).choices)
        now = self._clock()
        with self._db.session() as session:
            for running in session.scalars(
                select(ReflectionSession).where(
                    ReflectionSession.owner_key == owner,
                    ReflectionSession.state.in_(("active", "paused")),
                    ReflectionSession.group_id.is_(None),
                )
            ):
                running.state, running.updated_at = "paused", now  # one reflection at a time
            record = ReflectionSession(
                owner_key=owner,
                theme_id=theme.id,
                theme_version=theme.version,
                state="active",
                current_index=0,
                started_at=now,
                updated_at=now,
            )
            session.add(record)
            session.flush()
            intro = texts.R_START.format(title=theme.title, count=len(theme.questions))
            return Reply(f"{intro}\n{self._question(theme, record)}")

    # -- steps -----------------------------------------------------------------------------------
    def _answer(self, owner: str, text: str, *, event_id: str | None) -> Reply:
        now = self._clock()
        try:
            with self._db.session() as session:
                active = self._current(session, owner, states=("active",))
                if active is None:
                    return Reply(texts.R_NOTHING_PAUSED)
                theme = self._theme(active)
                prompt = theme.questions[active.current_index]
                session.add(_answer_row(active.id, owner, theme, prompt, text, now, event_id=event_id))
                session.flush()
                return self._advance(session, active, theme)
        except IntegrityError:
            return Reply("", duplicate=True)  # this delivery was logged already

    def _advance(self, session: Session, record: ReflectionSession, theme: Theme, *, prefix: str = "") -> Reply:
        record.current_index += 1
        record.updated_at = self._clock()
        if record.current_index >= len(theme.questions):
            reply = self._finish(session, record, theme, state="done")
            return Reply(f"{prefix}\n{reply.text}".strip(), reply.choices)
        return Reply(f"{prefix}\n{self._question(theme, record)}".strip())

    def _finish(self, session: Session, record: ReflectionSession, theme: Theme, *, state: str) -> Reply:
        record.state, record.finished_at, record.updated_at = state, self._clock(), self._clock()
        answers = list(
            session.scalars(
                select(ReflectionAnswer).where(ReflectionAnswer.session_id == record.id).order_by(ReflectionAnswer.id)
            )
        )
        lines = [texts.R_FINISHED.format(title=theme.title) if state == "done" else texts.R_ENDED]
        if answers:
            lines += [texts.R_YOUR_ANSWER.format(question=a.question_text, answer=a.answer_text) for a in answers]
        else:
            lines.append(texts.R_NO_ANSWERS_IN_THEME)
        related = self._related(f"{theme.title}. {theme.questions[0].text}")
        if related is not None:
            lines.append(texts.R_RELATED.format(source=related[0], excerpt=related[1]))
        return Reply("\n".join(lines))

    def _question(self, theme: Theme, record: ReflectionSession) -> str:
        prompt = theme.questions[record.current_index]
        return texts.R_QUESTION.format(number=record.current_index + 1, count=len(theme.questions), text=prompt.text)

    def _current(self, session: Session, owner: str, *, states: tuple[str, ...]) -> ReflectionSession | None:
        return session.scalars(
            select(ReflectionSession)
            .where(
                ReflectionSession.owner_key == owner,
                ReflectionSession.state.in_(states),
                ReflectionSession.group_id.is_(None),
            )
            .order_by(ReflectionSession.updated_at.desc(), ReflectionSession.id.desc())
            .limit(1)
        ).first()

    def _theme(self, record: ReflectionSession | GroupSession) -> Theme:
        theme = self.catalog.get(record.theme_id)
        if theme is None:
            raise LookupError(f"reflection theme {record.theme_id!r} is no longer in the catalog")
        return theme

    # -- groups ------------------------------------------------------------------------------------
    def start_group(
        self,
        *,
        channel_id: str,
        facilitator: str,
        word: str,
        deadline: datetime | None = None,
        channel: str = "slack",
        reply_to: str | None = None,
    ) -> tuple[int, Reply]:
        """Start a group reflection in ``channel_id`` of ``channel`` (its deadline summary goes out there)."""
        theme = self.catalog.find(word, kinds=("group",)) or self.catalog.find(word)
        if theme is None:
            return 0, Reply(texts.R_NO_THEME.format(word=word.strip()[:80]))
        with self._db.session() as session:
            group = GroupSession(
                channel_id=channel_id,
                theme_id=theme.id,
                theme_version=theme.version,
                facilitator_key=facilitator,
                current_index=0,
                state="open",
                deadline=deadline,
                created_at=self._clock(),
                channel=channel,
                reply_to=reply_to,
            )
            session.add(group)
            session.flush()
            return group.id, self._group_post(group, theme, intro=True)

    def group_thread(self, group_id: int, thread_ts: str) -> None:
        with self._db.session() as session:
            group = session.get(GroupSession, group_id)
            if group is not None and group.thread_ts is None:
                group.thread_ts = thread_ts

    def group_thread_ts(self, group_id: int) -> str | None:
        with self._db.session() as session:
            group = session.get(GroupSession, group_id)
            return group.thread_ts if group is not None else None

    def group_channel(self, group_id: int) -> str | None:
        """The conversation a group reflection belongs to (its actions count only there)."""
        with self._db.session() as session:
            group = session.get(GroupSession, group_id)
            return group.channel_id if group is not None else None

    def group_question(self, group_id: int, index: int) -> tuple[Theme, int] | None:
        with self._db.session() as session:
            group = session.get(GroupSession, group_id)
            if group is None or group.state != "open":
                return None
            theme = self._theme(group)
            return theme, min(max(index, 0), len(theme.questions) - 1)

    def group_answer(self, group_id: int, *, member: str, index: int, text: str, shared_as: str | None) -> Reply:
        """Store a member's answer to a group question (a second submit replaces the first).
        With the database down the answer is not stored, and the reply says so (``unsaved``)."""
        try:
            try:
                return self._group_answer(group_id, member=member, index=index, text=text, shared_as=shared_as)
            except IntegrityError:
                # A double click sent twice at once: both found no answer and both inserted. The other
                # one is stored now, so this one becomes the replacement.
                return self._group_answer(group_id, member=member, index=index, text=text, shared_as=shared_as)
        except SQLAlchemyError as exc:
            # The type only: a driver's message can carry the statement's parameters (the answer).
            log.warning("a group answer could not be saved (%s)", type(exc).__name__)
            return Reply(texts.R_GROUP_NOT_SAVED, unsaved=True)

    def _group_answer(self, group_id: int, *, member: str, index: int, text: str, shared_as: str | None) -> Reply:
        now = self._clock()
        with self._db.session() as session:
            group = session.get(GroupSession, group_id)
            if group is None or group.state != "open":
                return Reply(texts.R_GROUP_CLOSED)
            theme = self._theme(group)
            prompt = theme.questions[min(max(index, 0), len(theme.questions) - 1)]
            member_session = session.scalars(
                select(ReflectionSession).where(
                    ReflectionSession.group_id == group.id, ReflectionSession.owner_key == member
                )
            ).first()
            if member_session is None:
                member_session = ReflectionSession(
                    owner_key=member,
                    theme_id=theme.id,
                    theme_version=theme.version,
                    group_id=group.id,
                    state="group",
                    current_index=0,
                    started_at=now,
                    updated_at=now,
                )
                session.add(member_session)
                session.flush()
            existing = session.scalars(
                select(ReflectionAnswer).where(
                    ReflectionAnswer.session_id == member_session.id, ReflectionAnswer.question_id == prompt.id
                )
            ).first()
            if existing is None:
                session.add(_answer_row(member_session.id, member, theme, prompt, text, now, shared_as=shared_as))
            else:
                existing.answer_text, existing.shared_as, existing.updated_at = text[:MAX_ANSWER_CHARS], shared_as, now
            member_session.updated_at = now
        return Reply(texts.R_GROUP_SAVED_SHARED if shared_as else texts.R_GROUP_SAVED_PRIVATE)

    def group_next(self, group_id: int, *, actor: str) -> Reply:
        with self._db.session() as session:
            group = session.get(GroupSession, group_id)
            if group is None or group.state != "open":
                return Reply(texts.R_GROUP_CLOSED)
            if group.facilitator_key != actor:
                return Reply(texts.R_GROUP_ONLY_FACILITATOR)
            theme = self._theme(group)
            if group.current_index + 1 >= len(theme.questions):
                return self._group_end(session, group, theme)
            group.current_index += 1
            return self._group_post(group, theme, intro=False)

    def group_end(self, group_id: int, *, actor: str | None) -> Reply:
        """End a group session; ``actor`` None is the deadline passing."""
        with self._db.session() as session:
            group = session.get(GroupSession, group_id)
            if group is None or group.state != "open":
                return Reply(texts.R_GROUP_CLOSED)
            if actor is not None and group.facilitator_key != actor:
                return Reply(texts.R_GROUP_ONLY_FACILITATOR)
            return self._group_end(session, group, self._theme(group))

    def due_groups(self, now: datetime, channels: Collection[str] | None = None) -> list[tuple[GroupSession, Reply]]:
        """Asynchronous group sessions (of ``channels``, or all) whose deadline has passed, ended now (once)."""
        out = []
        served = GroupSession.channel.in_(list(channels)) if channels is not None else true()
        with self._db.session() as session:
            for group in session.scalars(
                select(GroupSession).where(
                    GroupSession.state == "open",
                    GroupSession.deadline.is_not(None),
                    GroupSession.deadline <= now,
                    served,
                )
            ):
                out.append((group, self._group_end(session, group, self._theme(group))))
        return out

    def _group_end(self, session: Session, group: GroupSession, theme: Theme) -> Reply:
        group.state = "ended"
        members = (
            session.scalar(
                select(func.count(func.distinct(ReflectionAnswer.owner_key)))
                .join(ReflectionSession, ReflectionSession.id == ReflectionAnswer.session_id)
                .where(ReflectionSession.group_id == group.id)
            )
            or 0
        )
        for member_session in session.scalars(select(ReflectionSession).where(ReflectionSession.group_id == group.id)):
            member_session.state, member_session.finished_at = "done", self._clock()
        shared = list(
            session.scalars(
                select(ReflectionAnswer)
                .join(ReflectionSession, ReflectionSession.id == ReflectionAnswer.session_id)
                .where(ReflectionSession.group_id == group.id, ReflectionAnswer.shared_as.is_not(None))
                .order_by(ReflectionAnswer.question_id, ReflectionAnswer.id)
            )
        )
        lines = [texts.R_GROUP_ENDED.format(title=theme.title, count=members)]
        if shared:
            lines.append(texts.R_GROUP_SHARED_TITLE)
            lines += [
                f"• {a.question_text}\n  {texts.R_GROUP_SHARED.format(user=a.shared_as, answer=a.answer_text)}"
                for a in shared
            ]
        else:
            lines.append(texts.R_GROUP_NONE_SHARED)
        return Reply("\n".join(lines))

    def _group_post(self, group: GroupSession, theme: Theme, *, intro: bool) -> Reply:
        lines = [texts.R_GROUP_START.format(title=theme.title)] if intro else []
        choices: list[Choice] = []
        if group.deadline is not None:
            lines.append(texts.R_GROUP_ASYNC.format(deadline=group.deadline.strftime("%d.%m.%Y %H:%M")))
            for i, prompt in enumerate(theme.questions):
                lines.append(texts.R_GROUP_QUESTION.format(number=i + 1, count=len(theme.questions), text=prompt.text))
                choices.append(Choice(f"{texts.R_GROUP_ANSWER_BUTTON} {i + 1}", f"group:{group.id}:answer:{i}"))
        else:
            i = group.current_index
            lines.append(
                texts.R_GROUP_QUESTION.format(number=i + 1, count=len(theme.questions), text=theme.questions[i].text)
            )
            choices = [
                Choice(texts.R_GROUP_ANSWER_BUTTON, f"group:{group.id}:answer:{i}", "primary"),
                Choice(texts.R_GROUP_NEXT_BUTTON, f"group:{group.id}:next"),
                Choice(texts.R_GROUP_END_BUTTON, f"group:{group.id}:end", "danger"),
            ]
        return Reply("\n".join(lines), tuple(choices))


def _answer_row(
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
