"""The questions the bot could not answer, without identity, grouped by meaning, for the people who
maintain the documents (a role apart from HR): what to add next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

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
