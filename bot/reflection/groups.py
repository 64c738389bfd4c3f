"""Group reflections in a channel: an opening post with its buttons, private answers a member may share,
the facilitator's steps, and the summary when it ends (by the facilitator or at its deadline).

A group lives in one conversation of one channel (``channel_id`` of ``channel``); its buttons carry a
:class:`~bot.reflection.replies.GroupAction`, and they count only in that conversation: every press and
answer names the conversation it came from, and one from anywhere else (a message or card copied to
another channel) is refused here, with the same text in every channel. Refusals (elsewhere, closed, not
the facilitator) come back as a reply with ``refused`` set, for the adapter to show only to whoever pressed.

Example:
    >>> groups = GroupReflections(database=db, catalog=catalog)
    >>> group_id, opening = groups.start(channel_id="C1", facilitator="owner-key", word="verdier")
    >>> groups.press(GroupAction(group_id, "end"), actor="owner-key", conversation="C2").reply.refused
    True
    >>> groups.press(GroupAction(group_id, "answer", 0), actor="someone", conversation="C1").form.index
    0
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from bot import texts
from bot.clock import Clock, utc_now
from bot.reflection.catalog import Catalog, Theme
from bot.reflection.data import MAX_ANSWER_CHARS, answer_row, new_session
from bot.reflection.replies import Choice, GroupAction, Reply
from bot.store.db import Database, DuplicateError, StorageError
from bot.store.groups import GroupRepository
from bot.store.models import SHARED_LABEL, GroupSession
from bot.store.reflections import ReflectionRepository

log = logging.getLogger(__name__)

_CLOSED = Reply(texts.R_GROUP_CLOSED, refused=True)
_ONLY_FACILITATOR = Reply(texts.R_GROUP_ONLY_FACILITATOR, refused=True)
_ELSEWHERE = Reply(texts.R_GROUP_ELSEWHERE, refused=True)


def shared_label(name: str | None) -> str:
    """The name a shared answer is stored and shown under: the member's display name, or a neutral label
    when the channel gave none (the same in every channel)."""
    return " ".join((name or "").split()) or SHARED_LABEL


@dataclass(frozen=True)
class GroupForm:
    """The private answer form a member's «Svar» opens: which group, the question's index and its text."""

    group_id: int
    index: int
    question: str


@dataclass(frozen=True)
class GroupPress:
    """What one press of a group's button comes to, for the adapter to show.

    Exactly one of ``form`` (open this answer form for whoever pressed) and ``reply`` is set. A ``reply``
    with ``refused`` goes only to whoever pressed; any other is posted in the group's conversation, in
    ``thread_ts`` when the channel has threads (a form carries it too, for the shared answer's post).
    """

    reply: Reply | None = None
    form: GroupForm | None = None
    thread_ts: str | None = None

    def __post_init__(self) -> None:
        if (self.reply is None) == (self.form is None):
            raise ValueError(f"a group press shows a reply or a form, exactly one: {self!r}")


@dataclass(frozen=True)
class DueGroup:
    """A group whose deadline has passed: where its summary goes."""

    id: int
    channel: str  # slack, teams
    channel_id: str  # the conversation it lives in
    thread_ts: str | None  # its thread there, when the channel has threads
    reply_to: str | None  # where the channel takes proactive messages, when it needs to be told


class GroupReflections:
    """Runs group reflections; members and the facilitator are pseudonymous owner keys."""

    def __init__(self, *, database: Database, catalog: Catalog, clock: Clock = utc_now) -> None:
        self._db = database
        self._catalog = catalog
        self._clock = clock

    def start(
        self,
        *,
        channel_id: str,
        facilitator: str,
        word: str,
        deadline: datetime | None = None,
        channel: str = "slack",
        reply_to: str | None = None,
    ) -> tuple[int, Reply]:
        """Start a group reflection in ``channel_id`` of ``channel`` (its deadline summary goes out there).
        Returns the group's id (0 when no theme matched ``word``; the reply says so) and its opening post."""
        theme = self._catalog.find(word, kinds=("group",)) or self._catalog.find(word)
        if theme is None:
            return 0, Reply(texts.R_NO_THEME.format(word=word.strip()[:80]))
        with self._db.session() as session:
            group = GroupRepository(session=session).add(
                GroupSession(
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
            )
            return group.id, _post(group, theme, intro=True)

    def set_thread(self, group_id: int, thread_ts: str) -> None:
        """Remember the thread the opening post started (the first one only)."""
        with self._db.session() as session:
            group = GroupRepository(session=session).get(group_id)
            if group is not None and group.thread_ts is None:
                group.thread_ts = thread_ts

    def thread_ts(self, group_id: int) -> str | None:
        with self._db.session() as session:
            group = GroupRepository(session=session).get(group_id)
            return group.thread_ts if group is not None else None

    def question(self, group_id: int, index: int) -> tuple[Theme, int] | None:
        """An open group's theme and the question index (kept within its questions), or None when closed."""
        with self._db.session() as session:
            group = GroupRepository(session=session).get(group_id)
            if group is None or group.state != "open":
                return None
            theme = self._catalog.require(group.theme_id)
            return theme, _within(theme, index)

    def answer(
        self, group_id: int, *, member: str, index: int, text: str, shared_as: str | None, conversation: str
    ) -> Reply:
        """Store a member's answer to a group question (a second submit replaces the first), sent from
        ``conversation`` (refused unless it is the group's). With the database down the answer is not
        stored, and the reply says so (``unsaved``). ``shared_as``: see :func:`shared_label`."""
        attempt = partial(
            self._answer,
            group_id,
            member=member,
            index=index,
            text=text,
            shared_as=shared_as,
            conversation=conversation,
        )
        try:
            try:
                return attempt()
            except DuplicateError:
                # A double click sent twice at once: both found no answer and both inserted. The other
                # one is stored now, so this one becomes the replacement.
                return attempt()
        except StorageError as exc:
            # The type only: a driver's message can carry the statement's parameters (the answer).
            log.warning("a group answer could not be saved (%s)", type(exc).__name__)
            return Reply(texts.R_GROUP_NOT_SAVED, unsaved=True)

    def _answer(
        self, group_id: int, *, member: str, index: int, text: str, shared_as: str | None, conversation: str
    ) -> Reply:
        now = self._clock()
        with self._db.session() as session:
            groups, reflections = GroupRepository(session=session), ReflectionRepository(session=session)
            group = groups.get(group_id)
            refusal = _refusal(group, conversation)
            if refusal is not None:
                return refusal
            assert group is not None
            theme = self._catalog.require(group.theme_id)
            prompt = theme.questions[_within(theme, index)]
            member_session = groups.member_session(group.id, member)
            if member_session is None:
                member_session = new_session(reflections, member, theme, now, state="group", group_id=group.id)
            existing = groups.member_answer(member_session.id, prompt.id)
            if existing is None:
                reflections.add_answer(
                    answer_row(member_session.id, member, theme, prompt, text, now, shared_as=shared_as)
                )
            else:
                existing.answer_text, existing.shared_as, existing.updated_at = text[:MAX_ANSWER_CHARS], shared_as, now
            member_session.updated_at = now
        return Reply(texts.R_GROUP_SAVED_SHARED if shared_as else texts.R_GROUP_SAVED_PRIVATE)

    def press(self, action: GroupAction, *, actor: str, conversation: str) -> GroupPress:
        """One press of a group's button in ``conversation``, in one call: the answer form to open («Svar»),
        or the facilitator's step taken and where its post goes («neste», «avslutt»), or the refusal."""
        with self._db.session() as session:
            groups = GroupRepository(session=session)
            group = groups.get(action.group_id)
            refusal = _refusal(group, conversation)
            if refusal is not None:
                return GroupPress(refusal)
            assert group is not None
            if action.step == "answer":
                assert action.question is not None
                theme = self._catalog.require(group.theme_id)
                i = _within(theme, action.question)
                return GroupPress(form=GroupForm(group.id, i, theme.questions[i].text), thread_ts=group.thread_ts)
            reply = self._step(groups, group, action, actor=actor)
            return GroupPress(reply, thread_ts=None if reply.refused else group.thread_ts)

    def _step(self, groups: GroupRepository, group: GroupSession, action: GroupAction, *, actor: str) -> Reply:
        if group.facilitator_key != actor:
            return _ONLY_FACILITATOR
        theme = self._catalog.require(group.theme_id)
        if action.step == "next" and group.current_index + 1 < len(theme.questions):
            group.current_index += 1
            return _post(group, theme, intro=False)
        return self._end(groups, group, theme)  # «avslutt», or «neste» after the last question

    def due(self, now: datetime, channels: Collection[str] | None = None) -> list[tuple[DueGroup, Reply]]:
        """Asynchronous group sessions (of ``channels``, or all) whose deadline has passed, ended now (once)."""
        out = []
        with self._db.session() as session:
            groups = GroupRepository(session=session)
            for group in groups.past_deadline(now, channels=channels):
                summary = self._end(groups, group, self._catalog.require(group.theme_id))
                out.append(
                    (DueGroup(group.id, group.channel, group.channel_id, group.thread_ts, group.reply_to), summary)
                )
        return out

    def _end(self, groups: GroupRepository, group: GroupSession, theme: Theme) -> Reply:
        group.state = "ended"
        members = groups.members_who_answered(group.id)
        for member_session in groups.member_sessions(group.id):
            member_session.state, member_session.finished_at = "done", self._clock()
        shared = groups.shared_answers(group.id)
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


def _refusal(group: GroupSession | None, conversation: str) -> Reply | None:
    """Why a press or an answer from ``conversation`` counts for nothing, or None when it counts. The
    conversation comes first: a copied button says where it belongs, not how the group is doing."""
    if group is None:
        return _CLOSED
    if group.channel_id != conversation:
        return _ELSEWHERE
    if group.state != "open":
        return _CLOSED
    return None


def _within(theme: Theme, index: int) -> int:
    """A question index from a button or a form, kept within the theme's questions."""
    return min(max(index, 0), len(theme.questions) - 1)


def _post(group: GroupSession, theme: Theme, *, intro: bool) -> Reply:
    """The group's post: with a deadline every question and an answer button each; live, the current
    question with its answer, next and end buttons."""
    lines = [texts.R_GROUP_START.format(title=theme.title)] if intro else []
    choices: list[Choice] = []
    if group.deadline is not None:
        lines.append(texts.R_GROUP_ASYNC.format(deadline=group.deadline.strftime("%d.%m.%Y %H:%M")))
        for i, prompt in enumerate(theme.questions):
            lines.append(texts.R_GROUP_QUESTION.format(number=i + 1, count=len(theme.questions), text=prompt.text))
            choices.append(
                Choice.of_group(f"{texts.R_GROUP_ANSWER_BUTTON} {i + 1}", GroupAction(group.id, "answer", i))
            )
    else:
        i = group.current_index
        lines.append(
            texts.R_GROUP_QUESTION.format(number=i + 1, count=len(theme.questions), text=theme.questions[i].text)
        )
        choices = [
            Choice.of_group(texts.R_GROUP_ANSWER_BUTTON, GroupAction(group.id, "answer", i), "primary"),
            Choice.of_group(texts.R_GROUP_NEXT_BUTTON, GroupAction(group.id, "next")),
            Choice.of_group(texts.R_GROUP_END_BUTTON, GroupAction(group.id, "end"), "danger"),
        ]
    return Reply("\n".join(lines), tuple(choices))
