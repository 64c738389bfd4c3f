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

from bot.analytics.algebra import DIMENSIONS, TOTAL, Key
from bot.analytics.algebra import Algebra as _Algebra

LOCAL = ZoneInfo("Europe/Oslo")
TOP_CITED = 5


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
        """The fewest different people these activities can be, so a threshold is never passed by
        counting one person twice. Within one channel every key is its own person; an unregistered
        key may be a registered leader's other channel (a Teams user not linked by aad_id), or the
        same person as an unregistered key in another channel. So: the registered people, or the
        most keys seen in one channel, whichever is larger."""
        registered = {a.person for a in self.activities if a.registered}
        per_channel: dict[str, set[str]] = {}
        for a in self.activities:
            per_channel.setdefault(a.bucket, set()).add(a.person)
        return max(len(registered), max((len(s) for s in per_channel.values()), default=0))

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
class Membership:
    """One entry of the register's history (see ``LeaderMembership``)."""

    leader: int
    unit: str
    level: str
    active: bool
    valid_from: datetime


@dataclass(frozen=True)
class Publication:
    """Every publishable cell with its figures, or None where suppressed."""

    k: int
    values: dict[str, dict[str, list[str]]]  # period -> dimension -> the values listed in it
    weeks: list[str]  # complete weeks, oldest first
    months: list[str]  # complete months, oldest first
    cells: dict[Key, dict[str, Any] | None]

    def cell(self, dimension: str, value: str, period: str) -> dict[str, Any] | None:
        return self.cells.get((dimension, value, period))

    def listed(self, dimension: str, period: str) -> list[str]:
        return self.values.get(period, {}).get(dimension, [])


def sizes_at(memberships: Iterable[Membership], moment: datetime) -> dict[tuple[str, str], int]:
    """How many active leaders each unit and level (and the register) had at ``moment``."""
    latest: dict[int, Membership] = {}
    for entry in memberships:
        if entry.valid_from < moment and (
            entry.leader not in latest or entry.valid_from >= latest[entry.leader].valid_from
        ):
            latest[entry.leader] = entry
    sizes: Counter[tuple[str, str]] = Counter()
    for entry in latest.values():
        if entry.active:
            sizes[("unit", entry.unit)] += 1
            sizes[("level", entry.level)] += 1
            sizes[TOTAL] += 1
    return dict(sizes)


def week_end(label: str) -> datetime:
    end = week_start(label) + timedelta(days=7)
    return datetime(end.year, end.month, end.day, tzinfo=LOCAL)


def publish(
    activities: Iterable[Activity],
    *,
    k: int,
    memberships: Sequence[Membership],
    always: dict[str, Sequence[str]],
    now: datetime,
) -> Publication:
    """Protect every cell of every complete week and month (see the module doc).

    ``always``: values listed in every period (channels), so an absent row never says "zero".
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, not {k}")
    from threadpoolctl import threadpool_limits

    # Hundreds of small decompositions: BLAS threads only add contention (measured 30× slower).
    with threadpool_limits(limits=1):
        return _publish(activities, k=k, memberships=memberships, always=always, now=now)


def _publish(
    activities: Iterable[Activity],
    *,
    k: int,
    memberships: Sequence[Membership],
    always: dict[str, Sequence[str]],
    now: datetime,
) -> Publication:
    by_week: dict[str, list[Activity]] = {}
    for activity in activities:
        by_week.setdefault(activity.week, []).append(activity)
    weeks = {w for w in by_week if week_complete(w, now)}
    months = sorted({month_of_week(w) for w in weeks})
    months = [m for m in months if all(week_complete(w, now) for w in weeks_of_month(m))]
    for m in months:  # a complete month's weeks without activity are published too (as hidden zeros)
        weeks.update(weeks_of_month(m))
    ordered = sorted(weeks)
    scopes: dict[str, _Scope] = {}
    for w in ordered:
        acts = by_week.get(w, [])
        sizes = sizes_at(memberships, week_end(w))
        values = {}
        for d in DIMENSIONS:
            listed = {getattr(a, d) for a in acts} | set(always.get(d, ()))
            if d in ("unit", "level"):
                listed |= {v for (dim, v), n in sizes.items() if dim == d and n > 0}
            values[d] = sorted(listed)
        scopes[w] = _Scope(values, sizes)
    decided: dict[Key, dict[str, Any] | None] = {}
    protector = _Protector(k=k)
    for w in ordered:
        decided.update(protector.week(w, by_week.get(w, []), scopes[w]))
    listed_values: dict[str, dict[str, list[str]]] = {w: scopes[w].values for w in ordered}
    for m in months:
        month_weeks = weeks_of_month(m)
        merged = _Scope.merge([scopes[w] for w in month_weeks])
        listed_values[m] = merged.values
        decided.update(protector.month(m, {w: by_week.get(w, []) for w in month_weeks}, scopes, merged, decided))
    return Publication(k=k, values=listed_values, weeks=ordered, months=months, cells=decided)


@dataclass(frozen=True)
class _Scope:
    values: dict[str, list[str]]
    sizes: dict[tuple[str, str], int]

    @staticmethod
    def merge(scopes: list[_Scope]) -> _Scope:
        values = {d: sorted({v for s in scopes for v in s.values[d]}) for d in DIMENSIONS}
        keys = {key for s in scopes for key in s.sizes}
        # The smallest size the group had in the month: "everyone used it" is judged conservatively.
        sizes = {key: min(s.sizes.get(key, 0) for s in scopes) for key in keys}
        return _Scope(values, sizes)


class _Protector:
    def __init__(self, *, k: int) -> None:
        self.k = k

    def _cells(self, period: str, activities: list[Activity], scope: _Scope) -> dict[Key, _Cell]:
        cells: dict[Key, _Cell] = {(*TOTAL, period): _Cell(list(activities))}
        for d in DIMENSIONS:
            for v in scope.values[d]:
                cells[(d, v, period)] = _Cell()
        for a in activities:
            for d in DIMENSIONS:
                cells[(d, getattr(a, d), period)].activities.append(a)
        return cells

    def _primary(self, key: Key, cell: _Cell, scope: _Scope) -> bool:
        people = cell.people()
        size = scope.sizes.get((key[0], key[1])) or 0
        if people == 0:
            # "Nobody in this unit used it" tells about each member of a register group; a zero
            # channel or theme is about no one in particular.
            return size > 0
        if people < self.k:
            return True
        # Everyone registered in the group (or in the whole register) used the bot: each of them
        # would be known to have.
        everyone = scope.sizes.get(TOTAL) or 0
        return (size > 0 and cell.registered() >= size) or (everyone > 0 and cell.registered() >= everyone)

    def week(self, period: str, activities: list[Activity], scope: _Scope) -> dict[Key, dict[str, Any] | None]:
        cells = self._cells(period, activities, scope)
        hidden = {key for key, cell in cells.items() if self._primary(key, cell, scope)}
        algebra = _Algebra({period: scope.values})
        base = algebra.base(cells, ())
        total = (*TOTAL, period)
        families = [(total, [(d, v, period) for v in scope.values[d]]) for d in DIMENSIONS]
        for _ in range(4 * len(cells) + 4):
            helper = self._complement(families, cells, hidden) or algebra.leak(cells, hidden, fixed=set(), base=base)
            if helper is None:
                break
            hidden.add(helper)
        return {key: None if key in hidden else cell.figures() for key, cell in cells.items()}

    def month(
        self,
        period: str,
        weeks: dict[str, list[Activity]],
        scopes: dict[str, _Scope],
        merged: _Scope,
        decided: dict[Key, dict[str, Any] | None],
    ) -> dict[Key, dict[str, Any] | None]:
        cells = self._cells(period, [a for acts in weeks.values() for a in acts], merged)
        week_cells: dict[Key, _Cell] = {}
        for w, acts in weeks.items():
            week_cells.update(self._cells(w, acts, scopes[w]))
        fixed_hidden = {key for key in week_cells if decided.get(key) is None}
        hidden = {key for key, cell in cells.items() if self._primary(key, cell, merged)}
        algebra = _Algebra({w: scopes[w].values for w in weeks}, months={period: list(weeks)})
        total = (*TOTAL, period)
        families = [(total, [(d, v, period) for v in merged.values[d]]) for d in DIMENSIONS]
        # A month cell over its weeks: the month is the parent and only the month may be hidden more.
        rows = [TOTAL, *[(d, v) for d in DIMENSIONS for v in merged.values[d]]]
        everything = {**cells, **week_cells}
        base = algebra.base(everything, [key for key in week_cells if key not in fixed_hidden])
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
                helper = algebra.leak(
                    everything, hidden | fixed_hidden, fixed=set(week_cells), base=base, fallback=total
                )
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
