"""Disclosure control for every HR view: one publication, complementary suppression, an exact audit.

What can be published is fixed, so it can be protected as a whole: per whole ISO week and per
month (a month is the ISO weeks whose Thursday falls in it, so a month is exactly the sum of its
weeks), the total and one cell per value of each dimension (unit, level, channel, theme). Only
periods that have ended are published, so a cell never changes once shown and two reports at
different times cannot be subtracted. Every view (CLI, chat, App Home, JSON, CSV, HTML) reads this
one publication.

A cell is suppressed when
1. fewer than ``k`` people are in it (zero included: a group with no use is "hidden", never "0"),
   or every registered leader of that unit or level is in it ("did X use the bot" stays unknown);
2. complementary: where a published parent (a period's total, or a month's cell) is the sum of
   children, the suppressed children are at least two and hold at least ``k`` people together;
3. audit: no suppressed cell is a linear combination of published cells, checked exactly (rank
   test) over every relation between the cells: a total equals the sum over *any* dimension, and
   a month equals the sum of its weeks. Weeks are decided on their own data; a month only adds
   suppressions at the month level, so what a week showed never needs to be taken back.

People are counted, not chat keys: a registered leader is one person in every channel; leaders
missing from the register are counted as the largest number of them seen in any one channel (a
lower bound, so the threshold is never passed by counting one person twice).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

LOCAL = ZoneInfo("Europe/Oslo")
DIMENSIONS = ("unit", "level", "channel", "theme")
TOTAL = ("total", "*")
TOP_CITED = 5

Key = tuple[str, str, str]  # (dimension, value, period)


@dataclass(frozen=True)
class Activity:
    """One question or reflection session, attributed as it was when it happened."""

    person: str
    registered: bool
    bucket: str  # the channel a key belongs to (for counting unregistered people)
    unit: str
    level: str
    channel: str
    theme: str
    week: str
    kind: str  # question, reflection
    answered: bool = False
    feedback: str | None = None
    completed: bool = False
    document: str | None = None
    section: str | None = None


def week_of(when: datetime) -> str:
    year, week, _ = when.astimezone(LOCAL).isocalendar()
    return f"{year}-U{week:02d}"


def week_start(label: str) -> date:
    year, week = label.split("-U")
    return date.fromisocalendar(int(year), int(week), 1)


def month_of_week(label: str) -> str:
    thursday = week_start(label) + timedelta(days=3)
    return f"{thursday.year}-{thursday.month:02d}"


def weeks_of_month(label: str) -> list[str]:
    year, month = (int(x) for x in label.split("-"))
    day = date(year, month, 1)
    weeks = []
    while day.month == month:
        if day.weekday() == 3:
            iso = day.isocalendar()
            weeks.append(f"{iso[0]}-U{iso[1]:02d}")
        day += timedelta(days=1)
    return weeks


def week_complete(label: str, now: datetime) -> bool:
    end = week_start(label) + timedelta(days=7)
    return now.astimezone(LOCAL).date() >= end


@dataclass
class _Cell:
    activities: list[Activity] = field(default_factory=list)

    def people(self) -> int:
        registered = {a.person for a in self.activities if a.registered}
        buckets: dict[str, set[str]] = {}
        for a in self.activities:
            if not a.registered:
                buckets.setdefault(a.bucket, set()).add(a.person)
        return len(registered) + max((len(s) for s in buckets.values()), default=0)

    def registered(self) -> int:
        return len({a.person for a in self.activities if a.registered})

    def figures(self) -> dict[str, Any]:
        questions = [a for a in self.activities if a.kind == "question"]
        reflections = [a for a in self.activities if a.kind == "reflection"]
        answered = sum(a.answered for a in questions)
        up = sum(a.feedback == "up" for a in questions)
        down = sum(a.feedback == "down" for a in questions)
        documents: Counter[str] = Counter(a.document for a in questions if a.document)
        sections: Counter[str] = Counter(f"{a.document} › {a.section}" for a in questions if a.document)
        return {
            "leaders": self.people(),
            "questions": len(questions),
            "answered_share": round(answered / len(questions), 3) if questions else None,
            "helpful_share": round(up / (up + down), 3) if up + down else None,
            "not_helpful_share": round(down / (up + down), 3) if up + down else None,
            "top_documents": [{"document": d, "citations": n} for d, n in documents.most_common(TOP_CITED)],
            "top_sections": [{"section": s, "citations": n} for s, n in sections.most_common(TOP_CITED)],
            "reflections_started": len(reflections),
            "reflections_completed": sum(a.completed for a in reflections),
        }


@dataclass(frozen=True)
class Publication:
    """Every publishable cell with its figures, or None where suppressed."""

    k: int
    values: dict[str, list[str]]
    weeks: list[str]  # complete weeks, oldest first
    months: list[str]  # complete months, oldest first
    cells: dict[Key, dict[str, Any] | None]

    def cell(self, dimension: str, value: str, period: str) -> dict[str, Any] | None:
        return self.cells.get((dimension, value, period))


def publish(
    activities: Iterable[Activity],
    *,
    k: int,
    values: dict[str, Sequence[str]],
    register_sizes: dict[tuple[str, str], int],
    now: datetime,
) -> Publication:
    """Protect every cell of every complete week and month (see the module doc)."""
    if k < 2:
        raise ValueError(f"k must be at least 2, not {k}")
    listed = {d: sorted(set(values.get(d, ())) | set()) for d in DIMENSIONS}
    by_week: dict[str, list[Activity]] = {}
    for activity in activities:
        by_week.setdefault(activity.week, []).append(activity)
        for d in DIMENSIONS:
            if getattr(activity, d) not in listed[d]:
                listed[d].append(getattr(activity, d))
    for d in DIMENSIONS:
        listed[d].sort()
    weeks = sorted(w for w in by_week if week_complete(w, now))
    months = sorted({month_of_week(w) for w in weeks})
    months = [m for m in months if all(week_complete(w, now) for w in weeks_of_month(m))]
    published_weeks = set(weeks)
    # A complete month's weeks with no activity are cells too (all suppressed, all zero).
    for m in months:
        for w in weeks_of_month(m):
            published_weeks.add(w)
    weeks = sorted(published_weeks)
    protector = _Protector(k=k, values=listed, register_sizes=register_sizes)
    decided: dict[Key, dict[str, Any] | None] = {}
    for w in weeks:
        decided.update(protector.week(w, by_week.get(w, [])))
    for m in months:
        decided.update(protector.month(m, {w: by_week.get(w, []) for w in weeks_of_month(m)}, decided))
    return Publication(k=k, values=listed, weeks=weeks, months=months, cells=decided)


class _Protector:
    def __init__(self, *, k: int, values: dict[str, list[str]], register_sizes: dict[tuple[str, str], int]) -> None:
        self.k = k
        self.values = values
        self.sizes = register_sizes

    def _cells(self, period: str, activities: list[Activity]) -> dict[Key, _Cell]:
        cells: dict[Key, _Cell] = {(*TOTAL, period): _Cell(list(activities))}
        for d in DIMENSIONS:
            for v in self.values[d]:
                cells[(d, v, period)] = _Cell()
        for a in activities:
            for d in DIMENSIONS:
                cells[(d, getattr(a, d), period)].activities.append(a)
        return cells

    def _primary(self, key: Key, cell: _Cell) -> bool:
        if cell.people() < self.k:
            return True
        size = self.sizes.get((key[0], key[1]))
        # Everyone registered in the group used the bot: each of them would be known to have.
        return size is not None and size > 0 and cell.registered() >= size

    def week(self, period: str, activities: list[Activity]) -> dict[Key, dict[str, Any] | None]:
        cells = self._cells(period, activities)
        hidden = {key for key, cell in cells.items() if self._primary(key, cell)}
        algebra = _Algebra(self.values, [period])
        total = (*TOTAL, period)
        families = [(total, [(d, v, period) for v in self.values[d]]) for d in DIMENSIONS]
        for _ in range(4 * len(cells) + 4):
            helper = self._complement(families, cells, hidden) or algebra.leak(cells, hidden, fixed=set())
            if helper is None:
                break
            hidden.add(helper)
        return {key: None if key in hidden else cell.figures() for key, cell in cells.items()}

    def month(
        self, period: str, weeks: dict[str, list[Activity]], decided: dict[Key, dict[str, Any] | None]
    ) -> dict[Key, dict[str, Any] | None]:
        cells = self._cells(period, [a for acts in weeks.values() for a in acts])
        week_cells: dict[Key, _Cell] = {}
        for w, acts in weeks.items():
            week_cells.update(self._cells(w, acts))
        fixed_hidden = {key for key in week_cells if decided.get(key) is None}
        hidden = {key for key, cell in cells.items() if self._primary(key, cell)}
        algebra = _Algebra(self.values, list(weeks))
        total = (*TOTAL, period)
        families = [(total, [(d, v, period) for v in self.values[d]]) for d in DIMENSIONS]
        # A month cell over its weeks: the month is the parent and only the month may be hidden more.
        rows = [TOTAL, *[(d, v) for d in DIMENSIONS for v in self.values[d]]]
        everything = {**cells, **week_cells}
        for _ in range(4 * len(everything) + 4):
            helper = self._complement(families, cells, hidden)
            if helper is None:
                for d, v in rows:
                    parent = (d, v, period)
                    if parent in hidden:
                        continue
                    suppressed = [(d, v, w) for w in weeks if (d, v, w) in fixed_hidden]
                    if suppressed and (len(suppressed) < 2 or self._union(week_cells, suppressed) < self.k):
                        helper = parent
                        break
            if helper is None:
                helper = algebra.leak(everything, hidden | fixed_hidden, fixed=set(week_cells), fallback=total)
            if helper is None:
                break
            hidden.add(helper)
        return {key: None if key in hidden else cell.figures() for key, cell in cells.items()}

    def _union(self, cells: dict[Key, _Cell], keys: Iterable[Key]) -> int:
        return _Cell([a for key in keys for a in cells[key].activities]).people()

    def _complement(
        self, families: list[tuple[Key, list[Key]]], cells: dict[Key, _Cell], hidden: set[Key]
    ) -> Key | None:
        """The next cell to hide so that no published parent gives away one or a few small children."""
        for parent, children in families:
            if parent in hidden:
                continue
            suppressed = [c for c in children if c in hidden]
            if not suppressed:
                continue
            if len(suppressed) >= 2 and self._union(cells, suppressed) >= self.k:
                continue
            shown = sorted((c for c in children if c not in hidden), key=lambda c: (cells[c].people(), c))
            return shown[0] if shown else parent
        return None


class _Algebra:
    """Which cells follow from which, exactly.

    The cells are sums over an unknown table of counts (unit × level × channel × theme × week). Two
    cells' indicator vectors are linearly dependent only through "every dimension sums to the same
    total" (per week), so the check works in the small space of (dimension, value, week) with those
    relations added, instead of the full product table.
    """

    def __init__(self, values: dict[str, list[str]], weeks: list[str]) -> None:
        self.weeks = weeks
        self.index: dict[tuple[str, str, str], int] = {}
        for w in weeks:
            for d in DIMENSIONS:
                for v in values[d]:
                    self.index[(d, v, w)] = len(self.index)
        self.values = values
        relations = []
        first = DIMENSIONS[0]
        for w in weeks:
            for d in DIMENSIONS[1:]:
                row = np.zeros(len(self.index))
                for v in values[d]:
                    row[self.index[(d, v, w)]] += 1
                for v in values[first]:
                    row[self.index[(first, v, w)]] -= 1
                relations.append(row)
        self.relations = np.array(relations).reshape(-1, len(self.index))

    def vector(self, key: Key) -> np.ndarray:
        d, v, period = key
        weeks = [period] if period in self.weeks else [w for w in self.weeks if month_of_week(w) == period]
        row = np.zeros(len(self.index))
        for w in weeks:
            if d == TOTAL[0]:
                for value in self.values[DIMENSIONS[0]]:
                    row[self.index[(DIMENSIONS[0], value, w)]] += 1
            else:
                row[self.index[(d, v, w)]] += 1
        return row

    def leak(
        self, cells: dict[Key, _Cell], hidden: set[Key], *, fixed: set[Key], fallback: Key | None = None
    ) -> Key | None:
        """A published cell to hide because some hidden cell follows from the published ones; None if none does."""
        shown = [key for key in cells if key not in hidden]
        basis = np.vstack([self.relations, *[self.vector(key) for key in shown]]) if shown else self.relations
        rank = np.linalg.matrix_rank(basis) if basis.size else 0
        for key in sorted(hidden):
            if key not in cells:
                continue
            vector = self.vector(key)
            if not vector.any():
                continue
            if np.linalg.matrix_rank(np.vstack([basis, vector])) > rank:
                continue
            # Hide the smallest published cell of the same kind and period that breaks the dependence.
            candidates = sorted(
                (c for c in shown if c not in fixed and (c[2] == key[2] or key in fixed)),
                key=lambda c: (cells[c].people(), c[0] != key[0], c),
            )
            for candidate in candidates:
                rest = [self.vector(c) for c in shown if c != candidate]
                trial = np.vstack([self.relations, *rest]) if rest else self.relations
                trial_rank = np.linalg.matrix_rank(trial) if trial.size else 0
                if np.linalg.matrix_rank(np.vstack([trial, vector])) > trial_rank:
                    return candidate
            if candidates:
                return candidates[0]
            if fallback is not None and fallback not in hidden:
                return fallback
        return None
