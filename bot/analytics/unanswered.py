"""The questions the bot could not answer, without identity, grouped by meaning, for the people who
maintain the documents (a role apart from HR): what to add next.

Only a group asked by at least ``min_people`` different people is shown, by one example text
scrubbed of the register's names and e-mails and of common patterns; a rarer question is counted,
not shown. The variants inside a group are not listed: each is one person's own wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from bot.store.db import Database
from bot.store.people import known_names
from bot.store.question_log import QuestionRepository
from bot.store.scrub import scrub

SIMILAR = 0.90  # cosine (multilingual-e5) above which two questions ask the same thing


@dataclass(frozen=True)
class QuestionGroup:
    example: str  # the question most like the others in the group
    count: int
    questions: tuple[str, ...]


def group_questions(
    texts: list[str], *, embed: Callable[[list[str]], np.ndarray], similar: float = SIMILAR
) -> list[QuestionGroup]:
    """Greedy grouping by cosine similarity; largest groups first."""
    cleaned = [" ".join(t.split()) for t in texts if t and t.strip()]
    if not cleaned:
        return []
    vectors = embed(cleaned)
    order = np.argsort([-len(t) for t in cleaned], kind="stable")
    centres: list[int] = []
    members: dict[int, list[int]] = {}
    for i in map(int, order):
        best = max(centres, key=lambda c: float(vectors[c] @ vectors[i]), default=None)
        if best is not None and float(vectors[best] @ vectors[i]) >= similar:
            members[best].append(i)
        else:
            centres.append(i)
            members[i] = [i]
    groups = []
    for items in members.values():
        sims = vectors[items] @ vectors[items].T
        example = items[int(np.argmax(sims.sum(axis=1)))]
        groups.append(QuestionGroup(cleaned[example], len(items), tuple(sorted({cleaned[i] for i in items}))))
    return sorted(groups, key=lambda g: (-g.count, g.example))


@dataclass(frozen=True)
class ShownGroup:
    example: str  # scrubbed
    people: int
    questions: int


@dataclass(frozen=True)
class UnansweredReport:
    min_people: int
    groups: tuple[ShownGroup, ...]
    hidden_questions: int  # in groups asked by fewer than min_people people
    hidden_groups: int


def unanswered_report(
    rows: list[tuple[str, str]],
    *,
    embed: Callable[[list[str]], np.ndarray],
    min_people: int,
    names: Iterable[str] = (),
    similar: float = SIMILAR,
) -> UnansweredReport:
    """Group (text, asker tag) rows by meaning; show only groups of ``min_people`` different askers."""
    if min_people < 2:
        raise ValueError(f"min_people must be at least 2, not {min_people}")
    known = list(names)
    tags: dict[str, set[str]] = {}
    for text, tag in rows:
        if text and text.strip():
            tags.setdefault(" ".join(text.split()), set()).add(tag)
    groups = group_questions([text for text, _ in rows], embed=embed, similar=similar)
    shown: list[ShownGroup] = []
    hidden_questions = hidden_groups = 0
    for group in groups:
        askers = set().union(*(tags.get(q, set()) for q in group.questions))
        if len(askers) >= min_people:
            shown.append(ShownGroup(scrub(group.example, names=known), len(askers), group.count))
        else:
            hidden_questions += group.count
            hidden_groups += 1
    return UnansweredReport(min_people, tuple(shown), hidden_questions, hidden_groups)


def unanswered_in(database: Database, *, embed: Callable[[list[str]], np.ndarray], min_people: int) -> UnansweredReport:
    """The report over the kept unanswered questions, with every name in the leader register masked."""
    with database.session() as session:
        rows = QuestionRepository(session=session).unanswered()
        names = known_names(session)
    return unanswered_report(rows, embed=embed, min_people=min_people, names=names)
