"""The reflection dialogue of one leader, channel-agnostic: commands and answers in, replies out.
Group reflections run beside it in bot/reflection/groups.py (``Dialog.groups``); the rows are read and
written through bot/store/reflections.py.

Every step is written before the reply is returned, so a bot killed mid-exercise resumes at the
next question, and an event delivered twice never logs an answer twice (answers carry the
event id, unique in the table).

Example:
    >>> engine = ReflectionEngine(database=db, catalog=Catalog.load(folder), related=lambda q: None, pseudonymizer=p)
    >>> engine.handle("owner-key", "refleksjon verdier").text
    '*Å lede med tydelige verdier* (3 spørsmål) ...'
"""

from __future__ import annotations

from collections.abc import Callable

from bot import texts
from bot.clock import Clock, utc_now
from bot.identity import Pseudonymizer
from bot.reflection import data, words
from bot.reflection.catalog import Catalog, Theme
from bot.reflection.replies import Choice, Reply
from bot.store.db import Database, DuplicateError
from bot.store.models import ReflectionSession
from bot.store.reflections import ReflectionRepository
from index.text import fold

Related = Callable[[str], tuple[str, str] | None]  # question → (source line, excerpt)


class ReflectionEngine:
    """Runs reflections for one leader at a time (``owner`` is their pseudonymous key)."""

    def __init__(
        self,
        *,
        database: Database,
        catalog: Catalog,
        related: Related,
        pseudonymizer: Pseudonymizer,
        clock: Clock = utc_now,
    ) -> None:
        self._db = database
        self._pseudo = pseudonymizer  # a leader's export and deletion find their question texts by it
        self.catalog = catalog
        self._related = related
        self._clock = clock

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
            return data.export_reply(self._db, self.catalog, owner, pseudonymizer=self._pseudo)
        if command == words.DELETE:
            return Reply(
                texts.R_DELETE_CONFIRM,
                (
                    Choice(texts.R_DELETE_YES, words.DELETE_CONFIRMED, "danger"),
                    Choice(texts.R_DELETE_NO, words.DELETE_CANCELLED),
                ),
            )
        if command == words.DELETE_CONFIRMED:
            return Reply(texts.R_DELETED.format(count=data.delete_answers(self._db, owner, pseudonymizer=self._pseudo)))
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
