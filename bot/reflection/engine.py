"""The reflection dialogue, channel-agnostic: commands and answers in, replies out. Group reflections
run in bot/reflection/groups.py; this engine is the adapters' one door to both. The rows are read and
written through bot/store/reflections.py.

Every step is written before the reply is returned, so a bot killed mid-exercise resumes at the
next question, and an event delivered twice never logs an answer twice (answers carry the
event id, unique in the table).

Example:
    >>> engine = ReflectionEngine(database=db, catalog=Catalog.load(folder), related=lambda q: None)
    >>> engine.handle("owner-key", "refleksjon verdier").text
    '*Å lede med tydelige verdier* (3 spørsmål) ...'
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from bot import texts
from bot.clock import Clock, utc_now
from bot.reflection import data, words
from bot.reflection.catalog import Catalog, Theme
from bot.reflection.groups import DueGroup, GroupPress, GroupReflections
from bot.reflection.replies import Choice, GroupAction, Reply
from bot.store.db import Database, DuplicateError
from bot.store.models import ReflectionSession
from bot.store.reflections import ReflectionRepository
from index.text import fold

Related = Callable[[str], tuple[str, str] | None]  # question → (source line, excerpt)


class ReflectionEngine:
    """Runs reflections for one leader at a time (``owner`` is their pseudonymous key)."""

    def __init__(self, *, database: Database, catalog: Catalog, related: Related, clock: Clock = utc_now) -> None:
        self._db = database
        self.catalog = catalog
        self._related = related
        self._clock = clock
        self._groups = GroupReflections(database=database, catalog=catalog, clock=clock)

    # -- the dialogue ----------------------------------------------------------------------------
    def handle(self, owner: str, text: str, *, event_id: str | None = None) -> Reply | None:
        """The reply to a DM, or None when it is neither a reflection command nor an answer."""
        raw = (text or "").strip()
        command = fold(" ".join(raw.split())).strip("!.?")

        if command in words.THEMES:
            return self.list_themes(owner)
        if command.startswith(words.START):
            return self.start(owner, raw.split(None, 1)[1])
        if command == words.MY_ANSWERS:
            return data.my_answers(self._db, self.catalog, owner)
        edit = words.EDIT.match(raw)
        if edit:
            return data.edit_answer(self._db, owner, int(edit.group(1)), edit.group(2).strip(), now=self._clock())
        if command == words.EXPORT:
            return data.export_reply(self._db, self.catalog, owner)
        if command == words.DELETE:
            return Reply(
                texts.R_DELETE_CONFIRM,
                (
                    Choice(texts.R_DELETE_YES, words.DELETE_CONFIRMED, "danger"),
                    Choice(texts.R_DELETE_NO, words.DELETE_CANCELLED),
                ),
            )
        if command == words.DELETE_CONFIRMED:
            return Reply(texts.R_DELETED.format(count=data.delete_answers(self._db, owner)))
        if command == words.DELETE_CANCELLED:
            return Reply(texts.R_DELETE_CANCELLED)
        with self._db.session() as session:
            reflections = ReflectionRepository(session=session)
            active = reflections.current(owner, states=("active",))
            if command == words.RESUME:
                paused = active or reflections.current(owner, states=("paused",))
                if paused is None:
                    return Reply(texts.R_NOTHING_PAUSED)
                paused.state, paused.updated_at = "active", self._clock()
                theme = self.catalog.require(paused.theme_id)
                return Reply(f"{texts.R_RESUMING.format(title=theme.title)}\n{self._question(theme, paused)}")
            if active is None:
                return None
            theme = self.catalog.require(active.theme_id)
            if command == words.PAUSE:
                active.state, active.updated_at = "paused", self._clock()
                return Reply(texts.R_PAUSED)
            if command == words.END:
                return self._finish(reflections, active, theme, state="ended")
            if command == words.SKIP:
                return self._advance(reflections, active, theme, prefix=texts.R_SKIPPED)
            if not raw:
                return Reply(texts.R_EMPTY_ANSWER)
        return self._answer(owner, raw, event_id=event_id)

    def list_themes(self, owner: str) -> Reply:
        with self._db.session() as session:
            done = ReflectionRepository(session=session).done_themes(owner)
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
            reflections = ReflectionRepository(session=session)
            for running in reflections.running(owner):
                running.state, running.updated_at = "paused", now  # one reflection at a time
            record = data.new_session(reflections, owner, theme, now, state="active")
            intro = texts.R_START.format(title=theme.title, count=len(theme.questions))
            return Reply(f"{intro}\n{self._question(theme, record)}")

    # -- steps -----------------------------------------------------------------------------------
    def _answer(self, owner: str, text: str, *, event_id: str | None) -> Reply:
        now = self._clock()
        try:
            with self._db.session() as session:
                reflections = ReflectionRepository(session=session)
                active = reflections.current(owner, states=("active",))
                if active is None:
                    return Reply(texts.R_NOTHING_PAUSED)
                theme = self.catalog.require(active.theme_id)
                prompt = theme.questions[active.current_index]
                reflections.add_answer(data.answer_row(active.id, owner, theme, prompt, text, now, event_id=event_id))
                return self._advance(reflections, active, theme)
        except DuplicateError:
            return Reply("", duplicate=True)  # this delivery was logged already

    def _advance(
        self, reflections: ReflectionRepository, record: ReflectionSession, theme: Theme, *, prefix: str = ""
    ) -> Reply:
        record.current_index += 1
        record.updated_at = self._clock()
        if record.current_index >= len(theme.questions):
            reply = self._finish(reflections, record, theme, state="done")
            return Reply(f"{prefix}\n{reply.text}".strip(), reply.choices)
        return Reply(f"{prefix}\n{self._question(theme, record)}".strip())

    def _finish(
        self, reflections: ReflectionRepository, record: ReflectionSession, theme: Theme, *, state: str
    ) -> Reply:
        record.state, record.finished_at, record.updated_at = state, self._clock(), self._clock()
        answers = reflections.answers_in(record.id)
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

    # -- groups: bot/reflection/groups.py; the adapters reach them through this engine ---------------
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
        return self._groups.start(
            channel_id=channel_id,
            facilitator=facilitator,
            word=word,
            deadline=deadline,
            channel=channel,
            reply_to=reply_to,
        )

    def group_thread(self, group_id: int, thread_ts: str) -> None:
        self._groups.set_thread(group_id, thread_ts)

    def group_thread_ts(self, group_id: int) -> str | None:
        return self._groups.thread_ts(group_id)

    def group_question(self, group_id: int, index: int) -> tuple[Theme, int] | None:
        return self._groups.question(group_id, index)

    def group_press(self, action: GroupAction, *, actor: str, conversation: str) -> GroupPress:
        """A group's button pressed in ``conversation``: the answer form, or the step's reply and its thread;
        ``refused`` when pressed outside the group's conversation, closed, or by someone not the facilitator."""
        return self._groups.press(action, actor=actor, conversation=conversation)

    def group_answer(
        self, group_id: int, *, member: str, index: int, text: str, shared_as: str | None, conversation: str
    ) -> Reply:
        """Store a member's answer to a group question sent from ``conversation`` (``refused`` unless it is the
        group's, or closed; ``unsaved`` when the database refused it)."""
        return self._groups.answer(
            group_id, member=member, index=index, text=text, shared_as=shared_as, conversation=conversation
        )

    def group_step(self, action: GroupAction, *, actor: str, conversation: str) -> Reply:
        """The facilitator's next or end button pressed in ``conversation``; ``refused`` when elsewhere,
        closed or pressed by someone else."""
        return self._groups.step(action, actor=actor, conversation=conversation)

    def due_groups(self, now: datetime, channels: Collection[str] | None = None) -> list[tuple[DueGroup, Reply]]:
        """Asynchronous group sessions (of ``channels``, or all) whose deadline has passed, ended now (once)."""
        return self._groups.due(now, channels)
